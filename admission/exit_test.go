package admission_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wzsti/expertdb/admission"
)

func activeExpert() admission.Expert {
	e := technicalExpert()
	e.Status = admission.Active
	return e
}

func TestExitExpert(t *testing.T) {
	cases := []struct {
		name  string
		x     admission.Exit
		codes []string
	}{
		{"on request with approval", admission.Exit{Reason: admission.ExitOnRequest, ApprovedBy: "陈处长"}, nil},
		{"on request without approval", admission.Exit{Reason: admission.ExitOnRequest}, []string{"exit-approval-missing"}},
		{"over age", admission.Exit{Reason: admission.ExitNoLongerQualified, Note: "超龄"}, nil},
		{"misconduct", admission.Exit{Reason: admission.ExitMisconduct}, nil},
		{"legal", admission.Exit{Reason: admission.ExitLegal}, nil},
		{"unsuitable with a note", admission.Exit{Reason: admission.ExitUnsuitable, Note: "长期联系不上"}, nil},
		{"unsuitable without a note", admission.Exit{Reason: admission.ExitUnsuitable}, []string{"exit-note-missing"}},
		{"unknown reason", admission.Exit{Reason: "bored"}, []string{"unknown-exit-reason"}},
		{"dated after asOf", admission.Exit{Reason: admission.ExitLegal, Date: asOf.AddDate(0, 0, 1)}, []string{"exit-date-invalid"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := activeExpert()
			out, err := admission.ExitExpert(in, c.x, asOf)
			if c.codes != nil {
				assert.Equal(t, c.codes, refusalCodes(t, err))
				assert.Contains(t, err.Error(), "admission: exit refused: ")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, admission.Exited, out.Status)
			require.Len(t, out.Exits, 1)
			assert.Equal(t, c.x.Reason, out.Exits[0].Reason)
			assert.Equal(t, asOf, out.Exits[0].Date, "a zero date means asOf")
			assert.Equal(t, in.UpdatedAt, out.UpdatedAt)
			assert.Equal(t, admission.Active, in.Status, "the input is not modified")
			assert.Empty(t, in.Exits)
			// Art. 11: the exit decides whether the expert may come back.
			assert.Equal(t, !c.x.Reason.BarsReentry(), admission.Check(out, asOf, defaults).Eligible)
		})
	}
}

func TestExitExpertNotActive(t *testing.T) {
	e := technicalExpert() // pending
	_, err := admission.ExitExpert(e, admission.Exit{Reason: admission.ExitOnRequest}, asOf)
	assert.Equal(t, []string{"not-active", "exit-approval-missing"}, refusalCodes(t, err))
}

func TestExitReasons(t *testing.T) {
	for _, r := range []admission.ExitReason{admission.ExitOnRequest, admission.ExitNoLongerQualified, admission.ExitMisconduct, admission.ExitLegal, admission.ExitUnsuitable} {
		assert.True(t, r.Valid())
		assert.Regexp(t, `^Art\. 10\([1-5]\)$`, r.Article())
		assert.NotEqual(t, string(r), r.Label())
	}
	assert.False(t, admission.ExitReason("x").Valid())
	assert.Equal(t, "x", admission.ExitReason("x").Label())
}

func TestSweep(t *testing.T) {
	fresh := activeExpert()
	fresh.ID = "fresh"

	old := activeExpert()
	old.ID = "old"
	old.BirthDate = day(1959, 1, 1)

	retiring := activeExpert()
	retiring.ID = "retiring-later"
	retiring.BirthDate = day(1959, 1, 1)
	retiring.RetirementAge = 68

	serious := activeExpert()
	serious.ID = "serious"
	serious.Records = []admission.Record{{Kind: "bribery", Serious: true}}

	both := activeExpert()
	both.ID = "both"
	both.BirthDate = day(1950, 1, 1)
	both.Records = serious.Records

	lapsed := activeExpert()
	lapsed.ID = "lapsed"
	lapsed.Credentials = nil

	stale := activeExpert()
	stale.ID = "stale"
	stale.UpdatedAt = asOf.AddDate(0, 0, -366)

	edge := activeExpert()
	edge.ID = "edge"
	edge.UpdatedAt = asOf.AddDate(0, 0, -365)

	never := activeExpert()
	never.ID = "never"
	never.UpdatedAt = time.Time{}

	gone := activeExpert()
	gone.ID = "gone"
	gone.Status = admission.Exited
	gone.BirthDate = day(1940, 1, 1)

	got := admission.Sweep([]admission.Expert{fresh, old, retiring, serious, both, lapsed, stale, edge, never, gone}, asOf, defaults)
	type row struct {
		ID     string
		Action admission.ProposalAction
		Reason admission.ExitReason
		Art    string
		Code   string
	}
	var rows []row
	for _, p := range got {
		rows = append(rows, row{p.ExpertID, p.Action, p.Reason, p.Article, p.Code})
		assert.NotEmpty(t, p.Message)
	}
	assert.Equal(t, []row{
		{"old", admission.ProposeExit, admission.ExitNoLongerQualified, "Art. 10(2)", "exit-no-longer-qualified"},
		{"serious", admission.ProposeExit, admission.ExitMisconduct, "Art. 10(3)", "exit-misconduct"},
		{"both", admission.ProposeExit, admission.ExitNoLongerQualified, "Art. 10(2)", "exit-no-longer-qualified"},
		{"both", admission.ProposeExit, admission.ExitMisconduct, "Art. 10(3)", "exit-misconduct"},
		{"lapsed", admission.ProposeReview, "", "Art. 10(2)", "not-eligible"},
		{"stale", admission.ProposeUpdate, "", "Art. 8(1)", "stale-profile"},
		{"never", admission.ProposeUpdate, "", "Art. 8(1)", "stale-profile"},
	}, rows)
	assert.Equal(t, "age", got[0].Basis[0].Code)
	assert.Contains(t, got[5].Message, "366天")
}

func TestSweepConfigurable(t *testing.T) {
	e := activeExpert()
	e.UpdatedAt = asOf.AddDate(0, 0, -40)
	assert.Empty(t, admission.Sweep([]admission.Expert{e}, asOf, defaults))

	r := admission.DefaultRules()
	r.StaleAfterDays = 30
	r.SweepExits = map[string]admission.ExitReason{"political-quality": admission.ExitUnsuitable}
	require.NoError(t, r.Compile())
	ps := admission.Sweep([]admission.Expert{e}, asOf, r)
	require.Len(t, ps, 1)
	assert.Equal(t, admission.ProposeUpdate, ps[0].Action)
	assert.Contains(t, ps[0].Message, "超过30天")

	e.Credentials = nil
	e.BirthDate = day(1940, 1, 1)
	ps = admission.Sweep([]admission.Expert{e}, asOf, r)
	require.Len(t, ps, 2)
	assert.Equal(t, admission.ExitUnsuitable, ps[0].Reason, "only the configured rules propose exits")
	assert.Equal(t, admission.ProposeUpdate, ps[1].Action)

	assert.Equal(t, "rules-not-compiled", admission.Sweep([]admission.Expert{e}, asOf, &admission.Rules{})[0].Code)
}
