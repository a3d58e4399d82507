package expertdb_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/selection"
)

// Attack (issue 15, 8 with 3): an application whose expert ID is a mobile number is refused,
// and the refusal is still in the log (Art. 17) — under a digest of the ID, never the number
// itself (Art. 19, 20).
func TestRefusedApplicationWithAMobileAsIDIsLogged(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	app := applicant(7)
	app.Expert.ID = "13812345678"
	_, err := f.svc.Admit(ctx, admin, app)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "audit:", "the refusal's event was written")
	res, err := f.svc.Log().Query(ctx, audit.Query{Action: audit.ActionAdmission})
	require.NoError(t, err)
	var found bool
	for _, m := range res.Matches {
		for _, s := range m.Event.Subjects {
			assert.NotContains(t, s, "13812345678")
			if strings.HasPrefix(s, "invalid-id:") {
				found = true
			}
		}
	}
	assert.True(t, found, "the refusal is recorded under the ID's digest")
}

// Attack (issue 17): an 85-year-old invitee with a serious integrity record is refused when
// the request is submitted — an invitation brings in someone from outside the database, never
// someone Art. 5 and 11 keep out.
func TestInviteeMustMeetArt5Art11(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.admitN(t, 30)
	old := applicant(301).Expert
	old.BirthDate = time.Date(1941, 3, 1, 0, 0, 0, 0, time.UTC)
	old.IDNumber = idNumber("330302", old.BirthDate, 301)
	old.Records = []admission.Record{{Kind: "misconduct", Detail: "学术不端", Date: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Serious: true}}
	r := storyRequest()
	r.Entropy = nil
	r.Invited = []selection.Invitation{{Expert: old, Reason: "库内无此专业"}}
	_, err := f.svc.Submit(ctx, clerk, r)
	var refusal *admission.RefusalError
	require.ErrorAs(t, err, &refusal)
	codes := map[string]bool{}
	for _, fd := range refusal.Findings {
		codes[fd.Code] = true
		assert.NotEmpty(t, fd.Article)
	}
	assert.True(t, codes["age"] && codes["integrity-record"], "both the age (Art. 5(1)2) and the record (Art. 5(1)3) are reasons: %v", refusal.Findings)

	// The same request with an eligible invitee is accepted.
	r.Invited = []selection.Invitation{{Expert: applicant(300).Expert, Reason: "库内无此专业"}}
	_, err = f.svc.Submit(ctx, clerk, r)
	require.NoError(t, err)
}
