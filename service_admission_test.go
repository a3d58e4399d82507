package expertdb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
)

var (
	// admin2 is a second officer of the city bureau (the reviewer who did not submit).
	admin2 = audit.Actor{ID: "u-admin2", Name: "吴倩", Role: audit.RoleCityAdmin, Unit: "市科技局"}
	// expert1 is the expert E0001 logged in to the system.
	expert1 = audit.Actor{ID: "E0001", Name: "李伟", Role: audit.RoleExpert, Unit: "温州医科大学"}
)

type lifeFixture struct {
	svc      *expertdb.Service
	clock    *fakeClock
	notifier *expertdb.RecordingDecisionNotifier
	experts  *expertdb.MemoryExpertStore
	events   *expertdb.MemoryEventStore
}

func newLifeFixture(t *testing.T, p *expertdb.Policy) *lifeFixture {
	t.Helper()
	signer, _ := testSigner(t)
	f := &lifeFixture{clock: &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, cst)}, notifier: &expertdb.RecordingDecisionNotifier{},
		experts: expertdb.NewMemoryExpertStore(), events: expertdb.NewMemoryEventStore()}
	us := users()
	for _, a := range []audit.Actor{admin2, expert1} {
		us = append(us, audit.User{ID: a.ID, Name: a.Name, Role: a.Role, Unit: a.Unit})
	}
	svc, err := expertdb.NewService(context.Background(), expertdb.Options{Policy: p,
		Users: us, Signer: signer, Notifier: f.notifier, Clock: f.clock.Now, Experts: f.experts, Events: f.events,
		Random: bytes.NewReader(bytes.Repeat([]byte{42}, 1<<16)),
	})
	require.NoError(t, err)
	f.svc = svc
	return f
}

func (f *lifeFixture) logged(t *testing.T, action audit.Action) []audit.Event {
	t.Helper()
	res, err := f.svc.Log().Query(context.Background(), audit.Query{Action: action})
	require.NoError(t, err)
	out := make([]audit.Event, len(res.Matches))
	for i, m := range res.Matches {
		out[i] = m.Event
	}
	return out
}

func refusalCodes(err error) []string {
	var re *admission.RefusalError
	if !errors.As(err, &re) {
		return nil
	}
	out := make([]string, len(re.Findings))
	for i, f := range re.Findings {
		out[i] = f.Code
	}
	return out
}

func deniedCode(err error) string {
	var de *audit.DeniedError
	if errors.As(err, &de) {
		return de.Code
	}
	return ""
}

// Art. 6, 11: a fabricated 2020 admission "by 前任局长" in the client's Entries (and an exit
// the client hides by sending none) is dropped; the Service writes the history.
func TestAttackAdmitFabricatedHistoryArt6(t *testing.T) {
	ctx := context.Background()
	f := newLifeFixture(t, nil)
	app := applicant(1)
	app.Expert.Entries = []admission.Entry{{Channel: admission.ChannelApplication,
		Date: time.Date(2020, 5, 1, 0, 0, 0, 0, cst), ReviewedBy: "前任局长"}}
	app.Expert.Status = admission.Exited
	e, err := f.svc.Admit(ctx, admin, app)
	require.NoError(t, err)
	require.Len(t, e.Entries, 1)
	assert.Equal(t, admin.Name, e.Entries[0].ReviewedBy)
	assert.Equal(t, f.clock.t, e.Entries[0].Date)
	stored, err := f.experts.Get(ctx, "E0001")
	require.NoError(t, err)
	for _, en := range stored.Entries {
		assert.NotEqual(t, "前任局长", en.ReviewedBy)
	}
}

// Art. 6(1): an application is stored as pending (not drawable) and reviewed by a registered
// reviewer who is neither its submitter nor the applicant.
func TestAttackSubmitterReviewsOwnSubmissionArt6(t *testing.T) {
	ctx := context.Background()
	f := newLifeFixture(t, nil)
	e, err := f.svc.SubmitApplication(ctx, admin, applicant(1))
	require.NoError(t, err)
	assert.Equal(t, admission.Pending, e.Status)
	_, err = f.svc.ReviewApplication(ctx, admin, "E0001", admission.Review{Approve: true})
	require.ErrorIs(t, err, audit.ErrDenied)
	assert.Equal(t, "reviewer-is-submitter", deniedCode(err))
	_, err = f.svc.ReviewApplication(ctx, expert1, "E0001", admission.Review{Approve: true})
	require.ErrorIs(t, err, audit.ErrDenied, "the applicant may not review their own application")
	stored, err := f.experts.Get(ctx, "E0001")
	require.NoError(t, err)
	assert.Equal(t, admission.Pending, stored.Status, "still pending after refused reviews")

	dec, err := f.svc.ReviewApplication(ctx, admin2, "E0001", admission.Review{Approve: true, Reviewer: "局长"})
	require.NoError(t, err)
	assert.True(t, dec.Admitted)
	assert.Equal(t, admin2.Name, dec.Reviewer, "the reviewer is the acting user, never a name the client sends")
	_, err = f.svc.ReviewApplication(ctx, admin2, "E0001", admission.Review{Approve: true})
	require.ErrorIs(t, err, expertdb.ErrNotFound, "an application is decided once")
}

// Art. 6(1) 及时告知: the applicant is told the decision with every reason.
func TestApplicantNotifiedWithReasonsArt6(t *testing.T) {
	ctx := context.Background()
	f := newLifeFixture(t, nil)
	app := applicant(2)
	app.Expert.BirthDate = time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC) // over age
	app.Expert.IDNumber = idNumber("330302", app.Expert.BirthDate, 2)
	_, err := f.svc.SubmitApplication(ctx, admin, app)
	require.NoError(t, err)
	_, err = f.svc.ReviewApplication(ctx, admin2, "E0002", admission.Review{Approve: true})
	require.Error(t, err, "an ineligible applicant cannot be approved")
	dec, err := f.svc.ReviewApplication(ctx, admin2, "E0002", admission.Review{Approve: false, Reasons: "年龄超出入库条件"})
	require.NoError(t, err)
	assert.False(t, dec.Admitted)
	sent := f.notifier.Decisions()
	require.Len(t, sent, 1)
	assert.Equal(t, "E0002", sent[0].ExpertID)
	assert.Contains(t, sent[0].Text, "不予入库")
	assert.Contains(t, sent[0].Text, "年龄超出入库条件")
	assert.NotContains(t, sent[0].Text, app.Expert.IDNumber)
	notices, err := f.svc.Notices(ctx, admin, "E0002")
	require.NoError(t, err)
	require.Len(t, notices, 1, "the notice is kept in the expert's outbox")
	require.Len(t, f.logged(t, audit.ActionNotify), 1, "the delivery is recorded")
}

// Art. 6(2): a division's invitation is approved by its head, not by the inviting clerk.
func TestAttackClerkApprovesOwnInvitationArt6(t *testing.T) {
	ctx := context.Background()
	f := newLifeFixture(t, nil)
	app := applicant(3)
	app.Channel, app.Personal = admission.ChannelInvitation, nil
	app.Invitation = &admission.DivisionInvitation{Division: clerk.Unit, ApprovedBy: clerk.Name,
		ApprovedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, cst), Reason: "紧缺领域"}
	_, err := f.svc.Admit(ctx, clerk, app)
	require.ErrorIs(t, err, audit.ErrDenied, "a clerk cannot admit their own invitation")
	_, err = f.svc.SubmitApplication(ctx, clerk, app)
	require.NoError(t, err)
	_, err = f.svc.ReviewApplication(ctx, colleague, "E0003", admission.Review{Approve: true})
	require.ErrorIs(t, err, audit.ErrDenied, "a colleague without the approve permission cannot")
	dec, err := f.svc.ReviewApplication(ctx, leader, "E0003", admission.Review{Approve: true})
	require.NoError(t, err)
	require.True(t, dec.Admitted)
	assert.Equal(t, leader.Name, dec.Expert.Entries[0].ReviewedBy)
}

// Art. 11: an expert cannot exit their own record directly; the request is approved by the
// city bureau.
func TestAttackExpertExitsOwnRecordArt11(t *testing.T) {
	ctx := context.Background()
	f := newLifeFixture(t, nil)
	_, err := f.svc.Admit(ctx, admin, applicant(1))
	require.NoError(t, err)
	_, err = f.svc.Exit(ctx, expert1, "E0001", admission.Exit{Reason: admission.ExitOnRequest, ApprovedBy: expert1.Name})
	require.ErrorIs(t, err, audit.ErrDenied)
	require.NoError(t, f.svc.RequestExit(ctx, expert1, admission.ExitRequest{ExpertID: "E0001", Reason: "工作调动"}))
	_, err = f.svc.ReviewExitRequest(ctx, expert1, "E0001", admission.Review{Approve: true})
	require.ErrorIs(t, err, audit.ErrDenied, "the expert cannot approve their own exit")
	stored, _ := f.experts.Get(ctx, "E0001")
	assert.Equal(t, admission.Active, stored.Status)
	dec, err := f.svc.ReviewExitRequest(ctx, admin, "E0001", admission.Review{Approve: true})
	require.NoError(t, err)
	require.True(t, dec.Approved)
	stored, _ = f.experts.Get(ctx, "E0001")
	assert.Equal(t, admission.Exited, stored.Status)
	assert.Equal(t, admin.Name, stored.Exits[0].ApprovedBy)
	assert.Contains(t, f.notifier.Decisions()[1].Text, "同意出库")
}

// Art. 10, 11: an exit under 10(2)–(5) is decided by the bureau with reason and evidence;
// an exit on request is an application.
func TestExitNeedsGroundsAndEvidenceArt10(t *testing.T) {
	ctx := context.Background()
	f := newLifeFixture(t, nil)
	_, err := f.svc.Admit(ctx, admin, applicant(1))
	require.NoError(t, err)
	_, err = f.svc.Exit(ctx, admin, "E0001", admission.Exit{Reason: admission.ExitMisconduct, Note: "论文抄袭"})
	assert.Contains(t, refusalCodes(err), "exit-evidence-missing")
	_, err = f.svc.Exit(ctx, admin, "E0001", admission.Exit{Reason: admission.ExitOnRequest, Note: "本人申请", Evidence: []string{"申请书"}})
	assert.Contains(t, refusalCodes(err), "exit-on-request-is-an-application")
	e, err := f.svc.Exit(ctx, admin, "E0001", admission.Exit{Reason: admission.ExitMisconduct, Note: "论文抄袭", Evidence: []string{"温科监〔2026〕3号"}})
	require.NoError(t, err)
	assert.Equal(t, admission.Exited, e.Status)
	assert.Equal(t, []string{"温科监〔2026〕3号"}, e.Exits[0].Evidence)
}

// Art. 6 一人一档: the same ID number (here written in full-width digits) under a second
// expert ID is refused.
func TestAttackSameIDNumberTwoExpertIDsArt6(t *testing.T) {
	ctx := context.Background()
	f := newLifeFixture(t, nil)
	_, err := f.svc.Admit(ctx, admin, applicant(1))
	require.NoError(t, err)
	dup := applicant(1)
	dup.Expert.ID = "E9001"
	dup.Expert.IDNumber = toFullWidth(dup.Expert.IDNumber)
	_, err = f.svc.Admit(ctx, admin, dup)
	assert.Contains(t, refusalCodes(err), "duplicate-person")
	_, err = f.svc.SubmitApplication(ctx, admin, dup)
	assert.Contains(t, refusalCodes(err), "duplicate-person")
	_, err = f.experts.Get(ctx, "E9001")
	require.ErrorIs(t, err, expertdb.ErrNotFound)
}

func toFullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			r += '０' - '0'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Art. 11: an expert exited for misconduct is not re-admitted through the exchange channel
// under a new expert ID (the bar follows the person).
func TestAttackMisconductExitReadmittedThroughExchangeArt11(t *testing.T) {
	ctx := context.Background()
	f := newLifeFixture(t, nil)
	_, err := f.svc.Admit(ctx, admin, applicant(1))
	require.NoError(t, err)
	_, err = f.svc.Exit(ctx, admin, "E0001", admission.Exit{Reason: admission.ExitMisconduct, Note: "数据造假", Evidence: []string{"核查结论"}})
	require.NoError(t, err)
	again := applicant(1)
	again.Expert.ID = "X-ZJ-77"
	again.Channel, again.Personal = admission.ChannelExchange, nil
	again.Exchange = &admission.ExchangeSource{Database: "浙江省科技专家库", SourceID: "ZJ-77"}
	_, err = f.svc.Admit(ctx, admin, again)
	require.Error(t, err)
	assert.Contains(t, refusalCodes(err), "duplicate-person")
	// On the old record too, the Art. 11 bar holds.
	again.Expert.ID = "E0001"
	_, err = f.svc.Admit(ctx, admin, again)
	require.Error(t, err)
	assert.NotEmpty(t, refusalCodes(err))
	stored, _ := f.experts.Get(ctx, "E0001")
	assert.Equal(t, admission.Exited, stored.Status)
}

// Art. 13: NewService refuses a county profile beyond the city limits.
func TestNewServiceRefusesLoosenedPolicyArt13(t *testing.T) {
	p := expertdb.DefaultPolicy()
	p.Selection.AnnualCap = 0
	_, err := expertdb.NewService(context.Background(), expertdb.Options{Policy: p, Users: users()})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "city-limit")
}

// Art. 13: a profile without a filing number runs only as a draft, and its draw records and
// audit events say so.
func TestDraftPolicyMarksEventsAndDrawRecordsArt13(t *testing.T) {
	ctx := context.Background()
	p := expertdb.DefaultPolicy()
	p.Filing = ""
	f := newLifeFixture(t, p)
	for i := range 40 {
		_, err := f.svc.Admit(ctx, admin, applicant(i))
		require.NoError(t, err)
	}
	rec, err := f.svc.Draw(ctx, clerk, storyRequest())
	require.NoError(t, err)
	assert.True(t, rec.Draft)
	for _, action := range []audit.Action{audit.ActionAdmission, audit.ActionDraw} {
		evs := f.logged(t, action)
		require.NotEmpty(t, evs)
		for _, ev := range evs {
			var d map[string]any
			require.NoError(t, json.Unmarshal(ev.Data, &d))
			assert.Equal(t, true, d["draft"], "%s event", action)
		}
	}
	// Under a filed profile nothing says draft.
	g := newLifeFixture(t, nil)
	_, err = g.svc.Admit(ctx, admin, applicant(1))
	require.NoError(t, err)
	assert.NotContains(t, string(g.logged(t, audit.ActionAdmission)[0].Data), "draft")
}
