package rules_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wzsti/expertdb/internal/rules"
)

func TestUses(t *testing.T) {
	cases := []struct {
		src  string
		name string
		want bool
	}{
		{`age > 65`, "age", true},
		{`age > 65`, "expert", false},
		{`expert.Affiliation.Kind == "government"`, "expert", true},
		{`expert.Affiliation.Kind == "government"`, "age", false},
		{`any(expert.Categories, # == "technical") || age > 1`, "age", true},
		{`hasCredential("x")`, "hasCredential", true},
		{`expert.Title >= Senior`, "Senior", false}, // constants are substituted at compile time
	}
	for _, c := range cases {
		t.Run(c.src+"/"+c.name, func(t *testing.T) {
			p, err := rules.CompileBool[env]("t", c.src, consts)
			require.NoError(t, err)
			assert.Equal(t, c.want, p.Uses(c.name))
		})
	}
}
