package audit_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
)

// Art. 20: the reasons of a record review and the evidence of an exit for cause (issue 17) are
// dropped from a de-identified profile; outcome, reviewer and dates stay.
func TestRedactDropsReviewReasonsAndExitEvidence(t *testing.T) {
	e := admission.Expert{ID: "e-1", Name: "欧阳娜娜",
		Records: []admission.Record{{Kind: "no-show", Review: &admission.RecordReview{Outcome: admission.ReviewRetained, By: "u-2", Reason: "住院 13812345678"}}},
		Exits:   []admission.Exit{{Reason: admission.ExitLegal, Evidence: []string{"判决书 330302199001011234"}}},
	}
	r := audit.Redact(e)
	assert.Empty(t, r.Records[0].Review.Reason)
	assert.Equal(t, admission.ReviewRetained, r.Records[0].Review.Outcome)
	assert.Equal(t, "u-2", r.Records[0].Review.By)
	assert.Empty(t, r.Exits[0].Evidence)
	assert.Equal(t, "住院 13812345678", e.Records[0].Review.Reason, "input not modified")
	assert.Equal(t, r, audit.Redact(r), "idempotent")
}
