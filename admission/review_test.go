package admission_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb/admission"
)

// Attack tests of issue 17: admission and exit as reviewed acts.

var approve = admission.Review{Reviewer: "市科技局 李审核", Approve: true}

// Art. 6: history is written by the decision, never taken from the client — a fabricated 2020
// admission "by 前任局长" and a forged "retained" review of an integrity record are dropped.
func TestArt6HistoryIsNeverTakenFromTheClient(t *testing.T) {
	app := personalApplication()
	app.Expert.Entries = []admission.Entry{{Channel: admission.ChannelInvitation, Date: day(2020, 1, 1), ReviewedBy: "前任局长"}}
	app.Expert.Exits = nil
	dec, err := admission.DecideAdmission(app, nil, approve, asOf, defaults)
	require.NoError(t, err)
	require.True(t, dec.Admitted)
	require.Len(t, dec.Expert.Entries, 1)
	assert.Equal(t, "市科技局 李审核", dec.Expert.Entries[0].ReviewedBy)
	assert.Equal(t, asOf, dec.Expert.Entries[0].Date)

	forged := personalApplication()
	forged.Expert.Records = []admission.Record{{Kind: "plagiarism", Review: &admission.RecordReview{Outcome: admission.ReviewRetained, By: "自己", Reason: "无"}}}
	_, err = admission.DecideAdmission(forged, nil, approve, asOf, defaults)
	assert.Contains(t, refusalCodes(t, err), "integrity-record")
}

// Art. 6(1) "将结果及时告知专家": every decision carries the applicant's notice with its
// reasons; a refusal needs reasons; the notice has no personal data.
func TestArt6_1ApplicantIsNotified(t *testing.T) {
	app := personalApplication()
	dec, err := admission.DecideAdmission(app, nil, approve, asOf, defaults)
	require.NoError(t, err)
	assert.Equal(t, app.Expert.ID, dec.Notice.ExpertID)
	assert.Contains(t, dec.Notice.Subject, "准予入库")
	assert.Contains(t, dec.Notice.Text, "科技专家")
	assert.Contains(t, dec.Notice.Text, "李审核")

	_, err = admission.DecideAdmission(app, nil, admission.Review{Reviewer: "李审核"}, asOf, defaults)
	assert.Equal(t, []string{"reasons-missing"}, refusalCodes(t, err))

	dec, err = admission.DecideAdmission(app, nil, admission.Review{Reviewer: "李审核", Reasons: "本年度技术专家名额已满"}, asOf, defaults)
	require.NoError(t, err)
	assert.False(t, dec.Admitted)
	assert.Equal(t, admission.Pending, dec.Expert.Status)
	assert.Contains(t, dec.Notice.Text, "本年度技术专家名额已满")

	old := personalApplication()
	old.Expert.BirthDate = day(1950, 1, 1)
	old.Expert.IDNumber = idNumber("330302", "19500101", "123")
	dec, err = admission.DecideAdmission(old, nil, admission.Review{Reviewer: "李审核"}, asOf, defaults)
	require.NoError(t, err, "the findings are the reasons")
	assert.Contains(t, dec.Notice.Text, "年龄超过65周岁")
	for _, n := range []admission.Notice{dec.Notice} {
		assert.NotContains(t, n.Text, old.Expert.IDNumber)
		assert.NotContains(t, n.Text, old.Expert.Mobile)
	}
}

// Art. 5, 6: the reviewer cannot approve an applicant who does not qualify.
func TestArt5ReviewerCannotApproveTheIneligible(t *testing.T) {
	app := personalApplication()
	app.Expert.Credentials = nil
	_, err := admission.DecideAdmission(app, nil, approve, asOf, defaults)
	assert.Contains(t, refusalCodes(t, err), "political-quality")
	_, err = admission.DecideAdmission(personalApplication(), nil, admission.Review{Approve: true}, asOf, defaults)
	assert.Equal(t, []string{"reviewer-missing"}, refusalCodes(t, err))
}

// Art. 6, 11: the same ID number cannot be admitted twice under two expert IDs, and a person
// exited for misconduct cannot come back through the exchange channel under a new ID.
func TestArt11ExitedPersonCannotReturnUnderANewID(t *testing.T) {
	old := technicalExpert()
	old.Status = admission.Exited
	old.Exits = []admission.Exit{{Reason: admission.ExitMisconduct, Date: day(2024, 5, 1)}}
	app := admission.Application{Channel: admission.ChannelExchange, Expert: technicalExpert(),
		Exchange: &admission.ExchangeSource{Database: "浙江省科技专家库", SourceID: "ZJ-1"}}
	app.Expert.ID = "E900"
	app.Expert.IDNumber = strings.ToLower(old.IDNumber) // no x here, but the same number
	_, err := admission.DecideAdmission(app, []admission.Expert{old}, approve, asOf, defaults)
	codes := refusalCodes(t, err)
	assert.Contains(t, codes, "duplicate-person")
	assert.Contains(t, codes, "re-entry-barred")

	active := technicalExpert()
	active.Status = admission.Active
	twin := personalApplication()
	twin.Expert.ID = "E901"
	_, err = admission.DecideAdmission(twin, []admission.Expert{active}, approve, asOf, defaults)
	assert.Equal(t, []string{"duplicate-person"}, refusalCodes(t, err))
	// The same record applying again while active is "already-active".
	again := personalApplication()
	_, err = admission.DecideAdmission(again, []admission.Expert{active}, approve, asOf, defaults)
	assert.Equal(t, []string{"already-active"}, refusalCodes(t, err))
}

// Art. 11 "专家可通过专家库系统主动申请出库，由市科技部门审核同意后予以出库": the expert applies, the
// bureau decides; a refusal gives reasons; the notice says re-entry is barred.
func TestArt11ExitOnRequestIsAnApplication(t *testing.T) {
	e := activeExpert()
	req := admission.ExitRequest{ExpertID: e.ID, Reason: "工作调动", RequestedAt: day(2026, 2, 20)}
	_, err := admission.DecideExitRequest(e, req, admission.Review{Approve: true}, asOf)
	assert.Equal(t, []string{"exit-approval-missing"}, refusalCodes(t, err))
	_, err = admission.DecideExitRequest(e, admission.ExitRequest{ExpertID: "E999"}, approve, asOf)
	assert.Equal(t, []string{"exit-request-mismatch"}, refusalCodes(t, err))

	dec, err := admission.DecideExitRequest(e, req, approve, asOf)
	require.NoError(t, err)
	require.True(t, dec.Approved)
	assert.Equal(t, admission.Exited, dec.Expert.Status)
	assert.Equal(t, admission.Exit{Reason: admission.ExitOnRequest, Date: asOf, Note: "工作调动", ApprovedBy: "市科技局 李审核"}, *dec.Exit)
	assert.Contains(t, dec.Notice.Text, "不得再次入库")
	assert.Equal(t, admission.Active, e.Status, "input not modified")

	_, err = admission.DecideExitRequest(e, req, admission.Review{Reviewer: "李审核"}, asOf)
	assert.Equal(t, []string{"reasons-missing"}, refusalCodes(t, err))
	dec, err = admission.DecideExitRequest(e, req, admission.Review{Reviewer: "李审核", Reasons: "正在参加的评审尚未结束"}, asOf)
	require.NoError(t, err)
	assert.False(t, dec.Approved)
	assert.Equal(t, admission.Active, dec.Expert.Status)
	assert.Contains(t, dec.Notice.Text, "正在参加的评审尚未结束")
}

// Art. 10(2)–(5), 11: an exit for cause is decided by the bureau with reason and evidence.
func TestArt10ExitForCauseNeedsGroundsAndEvidence(t *testing.T) {
	e := activeExpert()
	e.Records = []admission.Record{{Kind: "bribery", Article: "Art. 9(5)", Serious: true}}
	_, err := admission.DecideExit(e, admission.ExitCase{Reason: admission.ExitMisconduct}, asOf)
	assert.Equal(t, []string{"exit-grounds-missing", "exit-evidence-missing", "exit-decider-missing"}, refusalCodes(t, err))
	_, err = admission.DecideExit(e, admission.ExitCase{Reason: admission.ExitOnRequest, Grounds: "x", Evidence: []string{"y"}, DecidedBy: "z"}, asOf)
	assert.Contains(t, refusalCodes(t, err), "exit-on-request-is-an-application")
	_, err = admission.DecideExit(e, admission.ExitCase{Reason: "fired", Grounds: "x", Evidence: []string{"y"}, DecidedBy: "z"}, asOf)
	assert.Contains(t, refusalCodes(t, err), "unknown-exit-reason")

	dec, err := admission.DecideExit(e, admission.ExitCase{Reason: admission.ExitMisconduct, Grounds: "收受申报单位财物",
		Evidence: []string{"温科纪〔2026〕3号核查结论", " "}, DecidedBy: "市科技局局务会"}, asOf)
	require.NoError(t, err)
	assert.Equal(t, admission.Exited, dec.Expert.Status)
	assert.Equal(t, []string{"温科纪〔2026〕3号核查结论"}, dec.Exit.Evidence)
	assert.Equal(t, "市科技局局务会", dec.Exit.ApprovedBy)
	assert.Equal(t, admission.ReviewExit, dec.Expert.Records[0].Review.Outcome)
	assert.Contains(t, dec.Notice.Text, "Art. 10(3)")
	assert.True(t, admission.ReentryBarred(dec.Expert))
}

// Art. 9, 26: the bureau's review of pending records retains the expert or leads to an exit.
func TestArt26ReviewRecords(t *testing.T) {
	e := activeExpert()
	e.Records = []admission.Record{{Kind: "improper-opinion", Article: "Art. 9(6)"}}
	_, err := admission.ReviewRecords(e, admission.RecordReview{Outcome: admission.ReviewRetained}, asOf)
	assert.Equal(t, []string{"reviewer-missing", "reasons-missing"}, refusalCodes(t, err))
	out, err := admission.ReviewRecords(e, admission.RecordReview{Outcome: admission.ReviewRetained, By: "李审核", Reason: "意见偏差系理解错误，已约谈"}, asOf)
	require.NoError(t, err)
	assert.Empty(t, admission.Drawable(out, asOf, defaults))
	assert.True(t, e.Records[0].Pending(), "input not modified")
	_, err = admission.ReviewRecords(out, admission.RecordReview{Outcome: admission.ReviewRetained, By: "李审核", Reason: "x"}, asOf)
	assert.Equal(t, []string{"nothing-pending"}, refusalCodes(t, err))
}

// Art. 12, 28, 5, 11: an invited expert meets the basic conditions and no Art. 11 bar — an
// 85-year-old with a serious record is refused, as is a person who exited under another record.
func TestArt28InviteeMeetsBasicConditions(t *testing.T) {
	old := technicalExpert()
	old.ID = "INV-1"
	old.BirthDate = day(1941, 1, 1)
	old.IDNumber = idNumber("330302", "19410101", "555")
	old.Records = []admission.Record{{Kind: "bribery", Serious: true}}
	codes := findingCodes(admission.CheckInvitee(old, nil, asOf, defaults))
	assert.Contains(t, codes, "age")
	assert.Contains(t, codes, "integrity-record")
	assert.Contains(t, codes, admission.CodeSuspended)

	exited := technicalExpert()
	exited.Status = admission.Exited
	exited.Exits = []admission.Exit{{Reason: admission.ExitLegal}}
	inv := technicalExpert()
	inv.ID = "INV-2"
	assert.Equal(t, []string{"re-entry-barred"}, findingCodes(admission.CheckInvitee(inv, []admission.Expert{exited}, asOf, defaults)))

	inDB := technicalExpert()
	inDB.Status = admission.Active
	assert.Equal(t, []string{"invitee-in-database"}, findingCodes(admission.CheckInvitee(inv, []admission.Expert{inDB}, asOf, defaults)))

	assert.Empty(t, admission.CheckInvitee(inv, nil, asOf, defaults))
}

// Art. 10, 17: Sweep proposes, people approve — an approved exit proposal becomes an exit
// case that DecideExit records with the approver's evidence.
func TestArt10SweepProposalsArePeoplesToApprove(t *testing.T) {
	old := activeExpert()
	old.BirthDate = day(1955, 1, 1)
	ps := admission.Sweep([]admission.Expert{old}, asOf, defaults)
	require.Len(t, ps, 1)
	c, ok := ps[0].ExitCase("市科技局 王处长", []string{"户籍证明"}, asOf)
	require.True(t, ok)
	dec, err := admission.DecideExit(old, c, asOf)
	require.NoError(t, err)
	assert.Equal(t, admission.ExitNoLongerQualified, dec.Exit.Reason)
	assert.Equal(t, admission.Active, old.Status, "nothing changes until people approve")
	_, ok = admission.Proposal{Action: admission.ProposeUpdate}.ExitCase("x", nil, asOf)
	assert.False(t, ok)
}

// Art. 26: a record review attached to a profile is validated like the rest of it.
func TestValidateRecordReview(t *testing.T) {
	e := technicalExpert()
	e.Records = []admission.Record{{Kind: "no-show", Review: &admission.RecordReview{Outcome: "forgiven"}}}
	var ve *admission.ValidationError
	require.ErrorAs(t, admission.Validate(e), &ve)
	e.Records[0].Review = &admission.RecordReview{Outcome: admission.ReviewRetained, By: "李审核", Reason: "已说明情况"}
	assert.NoError(t, admission.Validate(e))
}

// Art. 6: an application cannot take over another person's record by reusing its expert ID.
func TestArt6ApplicationCannotTakeOverAnotherRecord(t *testing.T) {
	victim := technicalExpert()
	victim.Status = admission.Exited
	victim.Exits = []admission.Exit{{Reason: admission.ExitOnRequest}}
	app := personalApplication()
	app.Expert.IDNumber = idNumber("330302", "19700520", "777")
	_, err := admission.DecideAdmission(app, []admission.Expert{victim}, approve, asOf, defaults)
	assert.Equal(t, []string{"expert-id-in-use"}, refusalCodes(t, err))
}

// Art. 11, 28: an invitee without a valid ID number cannot be checked against the bar.
func TestArt28InviteeNeedsAnIDNumber(t *testing.T) {
	inv := technicalExpert()
	inv.IDNumber = ""
	assert.Equal(t, []string{"id-number-missing"}, findingCodes(admission.CheckInvitee(inv, nil, asOf, defaults)))
}
