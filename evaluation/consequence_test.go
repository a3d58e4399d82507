package evaluation_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/evaluation"
)

// Art. 9, 10(3), 11, 26: each of the ten violations has a documented consequence — an
// integrity record always, an exit proposal for the serious ones, a suspension from draws
// pending review for all of them (the serious ones until the exit is decided).
func TestArt9EveryViolationHasAConsequence(t *testing.T) {
	at := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		article string
		v       evaluation.Violation
		exit    bool
	}{
		{"Art. 9(1)", evaluation.FraudulentQualification, false},
		{"Art. 9(2)", evaluation.RecusalBreach, false},
		{"Art. 9(3)", evaluation.Solicitation, true},
		{"Art. 9(4)", evaluation.Lobbying, false},
		{"Art. 9(5)", evaluation.Bribery, true},
		{"Art. 9(6)", evaluation.ImproperOpinion, false},
		{"Art. 9(7)", evaluation.Leak, true},
		{"Art. 9(8)", evaluation.Plagiarism, false},
		{"Art. 9(9)", evaluation.SecrecyBreach, false},
		{"Art. 9(10)", evaluation.OtherViolation, false},
	} {
		t.Run(tc.article, func(t *testing.T) {
			e := admission.Expert{ID: "E1", Status: admission.Active, BirthDate: time.Date(1975, 1, 1, 0, 0, 0, 0, time.UTC),
				UpdatedAt: at, Title: admission.Senior, Categories: []admission.Category{admission.Technical},
				Credentials: []admission.Credential{{Kind: admission.CredPoliticalQuality}}}
			out, c, err := evaluation.DefaultRules().RecordViolation(e, tc.v, at, "经核实")
			require.NoError(t, err)
			assert.Empty(t, e.Records, "input not modified")
			require.Len(t, out.Records, 1, "an integrity record always (Art. 26)")
			rec := out.Records[0]
			assert.Equal(t, tc.article, rec.Article)
			assert.Equal(t, tc.v.Code(), rec.Kind)
			assert.True(t, rec.Pending())
			assert.Equal(t, tc.exit, rec.Serious)
			assert.Equal(t, tc.exit, c.Exit != nil, "exit proposal for the serious ones (Art. 10(3))")
			if c.Exit != nil {
				assert.Equal(t, admission.ExitMisconduct, c.Exit.Reason)
				assert.Equal(t, "Art. 10(3)", c.Exit.Article)
			}
			assert.True(t, c.Suspended)
			assert.True(t, evaluation.Suspended(out.Records))
			assert.Contains(t, c.Message, tc.article)
			// The suspension is honoured by the draw's eligibility check, whatever the kind.
			fs := admission.Drawable(out, at, nil)
			codes := make([]string, len(fs))
			for i, f := range fs {
				codes[i] = f.Code
			}
			assert.Contains(t, codes, admission.CodeSuspended)
			// And Sweep proposes what the consequence says.
			ps := admission.Sweep([]admission.Expert{out}, at, nil)
			require.Len(t, ps, 1)
			if tc.exit {
				assert.Equal(t, admission.ProposeExit, ps[0].Action)
			} else {
				assert.Equal(t, admission.CodeSuspended, ps[0].Code)
			}
		})
	}
	_, err := evaluation.DefaultRules().Consequence("E1", evaluation.Violation(11), at, "")
	assert.Error(t, err)
}
