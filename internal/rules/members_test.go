package rules_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb/internal/rules"
)

func TestMembers(t *testing.T) {
	tests := []struct {
		src     string
		members []string
		all     bool
	}{
		{`expert.Title >= AssociateSenior`, []string{"Title"}, false},
		{`"economic" in expert.Categories && expert.Title > 2`, []string{"Categories", "Title"}, false},
		{`expert.Affiliation.Org == "温州大学"`, []string{"Affiliation"}, false},
		{`all(expert.Categories, # != "x") && age > 60`, []string{"Categories"}, false},
		{`age > 60`, nil, false},
		{`hasCredential("political-quality")`, nil, false},
		{`let e = expert; e.Title > 2`, nil, true},
		{`$env.expert.Title > 2`, nil, true},
		{`$env["age"] > 2`, nil, true},
		{`expert["Title"] > 2`, []string{"Title"}, false}, // a constant key reads that member
		{`expert?.Title > 2`, []string{"Title"}, false},
	}
	for _, tt := range tests {
		p, err := rules.CompileBool[env]("m", tt.src, consts)
		require.NoError(t, err, tt.src)
		members, all := p.Members("expert")
		require.Equal(t, tt.all, all, tt.src)
		if !tt.all {
			require.ElementsMatch(t, tt.members, members, tt.src)
		}
	}
}
