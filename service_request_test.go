package expertdb_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/selection"
)

// testSource is a lottery draw published an hour after now.
func testSource(now time.Time, round string) expertdb.EntropySource {
	return expertdb.EntropySource{Kind: "lottery", Name: expertdb.SourceFucai3D, Round: round, At: now.Add(time.Hour), Count: 3}
}

// drawReal runs a request through the real path: submit by drawer, approval by the leader
// (and the plan's approval and filing), commit to a lottery draw an hour later, the draw
// once it is published.
func drawReal(t testing.TB, svc *expertdb.Service, clock *fakeClock, drawer audit.Actor, req expertdb.DrawRequest) *expertdb.DrawRecord {
	t.Helper()
	ctx := context.Background()
	req.Entropy = nil
	_, err := svc.Submit(ctx, drawer, req)
	require.NoError(t, err)
	_, err = svc.Approve(ctx, leader, req.ID, expertdb.ApproveRequest)
	require.NoError(t, err)
	if len(req.Preferred) > 0 {
		_, err = svc.Approve(ctx, leader, req.ID, expertdb.ApprovePlan)
		require.NoError(t, err)
		_, err = svc.Approve(ctx, inspector, req.ID, expertdb.FilePlan)
		require.NoError(t, err)
	}
	src := testSource(clock.t, req.ID)
	_, err = svc.Commit(ctx, drawer, req.ID, src)
	require.NoError(t, err)
	clock.t = src.At.Add(time.Minute)
	// Two-person rule: the discipline office enters the published value; the drawer draws.
	v := expertdb.PublicValue{Source: src, Values: []uint64{3, 1, 4}}
	_, err = svc.PublishValue(ctx, inspector, req.ID, v)
	require.NoError(t, err)
	rec, err := svc.DrawCommitted(ctx, drawer, req.ID, v)
	require.NoError(t, err)
	return rec
}

func submitted(t *testing.T, f *fixture) expertdb.DrawRequest {
	t.Helper()
	f.admitN(t, 30)
	r := storyRequest()
	r.Entropy = nil
	_, err := f.svc.Submit(context.Background(), clerk, r)
	require.NoError(t, err)
	return r
}

// Attack: approvals typed as text into the request are refused; a request drawn from text
// approvals never exists.
func TestTextApprovalRefused(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.admitN(t, 30)
	r := storyRequest()
	r.Entropy = nil
	r.Preferred = []string{"E0001"}
	r.Plan = &selection.Plan{Reason: "专业对口", ApprovedBy: "a/b/c/d", FiledWith: "纪委", At: f.clock.t}
	_, err := f.svc.Submit(ctx, clerk, r)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Approve")

	inv := storyRequest()
	inv.ID, inv.Entropy, inv.Project.ID = "R-INV", nil, "P-INV"
	inv.Invited = []selection.Invitation{{Expert: applicant(300).Expert, Reason: "库内无此专业",
		Approvals: []selection.Approval{{Role: selection.DivisionHead, By: "a", At: f.clock.t}}}}
	_, err = f.svc.Submit(ctx, clerk, inv)
	require.Error(t, err, "a division clerk's invitation 'approved' by text")
}

// Attack: nobody approves their own submission; a division clerk cannot approve an
// invitation chain alone; the discipline office files but does not approve.
func TestApprovalsAreActsOfRegisteredPeople(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.admitN(t, 30)
	r := storyRequest()
	r.Entropy = nil
	r.Invited = []selection.Invitation{{Expert: applicant(300).Expert, Reason: "库内无此专业"}}
	_, err := f.svc.Submit(ctx, clerk, r)
	require.NoError(t, err)

	// The clerk approves every step of the chain alone: each refused.
	for _, step := range []expertdb.ApprovalStep{expertdb.ApproveRequest,
		expertdb.InvitationStep("E0300", selection.DivisionHead), expertdb.InvitationStep("E0300", selection.DeputyLeader),
		expertdb.InvitationStep("E0300", selection.MainLeader), expertdb.InvitationStep("E0300", selection.BureauMeeting),
		expertdb.InvitationFiling("E0300")} {
		_, err := f.svc.Approve(ctx, clerk, r.ID, step)
		require.ErrorIs(t, err, audit.ErrDenied, "clerk approving %s", step)
		_, err = f.svc.Approve(ctx, colleague, r.ID, step)
		require.ErrorIs(t, err, audit.ErrDenied, "a colleague approving %s", step)
	}
	// A leader who submitted cannot approve it.
	r2 := storyRequest()
	r2.ID, r2.Entropy, r2.Project.ID, r2.Unit = "R-L", nil, "P-L", leader.Unit
	f2 := newFixture(t)
	_, err = f2.svc.Submit(ctx, leader, r2)
	require.ErrorIs(t, err, audit.ErrDenied, "a leader may not submit (policy: approve and view)")
	_, err = f2.svc.Submit(ctx, admin, r2)
	require.NoError(t, err)
	_, err = f2.svc.Approve(ctx, admin, r2.ID, expertdb.ApproveRequest)
	require.ErrorIs(t, err, audit.ErrDenied, "self-approval")

	// The discipline office cannot approve the request.
	_, err = f.svc.Approve(ctx, inspector, r.ID, expertdb.ApproveRequest)
	require.ErrorIs(t, err, audit.ErrDenied)
	// Without every step the request cannot be committed.
	_, err = f.svc.Approve(ctx, leader, r.ID, expertdb.ApproveRequest)
	require.NoError(t, err)
	_, err = f.svc.Commit(ctx, clerk, r.ID, testSource(f.clock.t, r.ID))
	require.ErrorIs(t, err, expertdb.ErrRequestState)
	// Out of order: bureau meeting before the leaders.
	_, err = f.svc.Approve(ctx, admin, r.ID, expertdb.InvitationStep("E0300", selection.BureauMeeting))
	require.Error(t, err)
	// Approved requests cannot be amended.
	r.Size = 4
	_, err = f.svc.Submit(ctx, clerk, r)
	require.ErrorIs(t, err, expertdb.ErrRequestState)

	// Every refusal is in the log.
	denied, err := f.svc.Log().Query(ctx, audit.Query{Action: audit.ActionAccessDenied})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(denied.Matches), 13)
}

// Attack: an operator choosing the entropy of a real draw: a submitted request cannot be
// practice-drawn, the draw takes only the committed source, only after its time, and a
// source's value is one value.
func TestOperatorCannotChooseTheEntropy(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := submitted(t, f)
	// Practice draw under the submitted ID with chosen entropy: refused.
	chosen := storyRequest()
	_, err := f.svc.Draw(ctx, clerk, chosen)
	require.ErrorIs(t, err, expertdb.ErrRequestState)
	// A practice-drawn ID cannot become a real request.
	pr := storyRequest()
	pr.ID, pr.Project.ID = "PR-1", "P-PR"
	_, err = f.svc.Draw(ctx, clerk, pr)
	require.NoError(t, err)
	pr.Entropy = nil
	_, err = f.svc.Submit(ctx, clerk, pr)
	require.ErrorIs(t, err, expertdb.ErrRequestState)
	// Entropy in the submission: refused.
	r2 := storyRequest()
	r2.ID, r2.Project.ID = "R-E", "P-E"
	_, err = f.svc.Submit(ctx, clerk, r2)
	require.Error(t, err)

	_, err = f.svc.Approve(ctx, leader, r.ID, expertdb.ApproveRequest)
	require.NoError(t, err)
	// A source already published (or published now) cannot be committed.
	past := testSource(f.clock.t, "x")
	past.At = f.clock.t
	_, err = f.svc.Commit(ctx, clerk, r.ID, past)
	require.Error(t, err)
	src := testSource(f.clock.t, "2026060")
	c, err := f.svc.Commit(ctx, clerk, r.ID, src)
	require.NoError(t, err)
	require.NotEmpty(t, c.Checkpoint)
	require.NoError(t, audit.Verify(ctx, f.audit, c.Checkpoint, f.verifier))
	// Committing again (another source) is refused.
	_, err = f.svc.Commit(ctx, clerk, r.ID, testSource(f.clock.t, "2026061"))
	require.ErrorIs(t, err, expertdb.ErrRequestState)

	v := expertdb.PublicValue{Source: src, Values: []uint64{7, 0, 2}}
	_, err = f.svc.DrawCommitted(ctx, colleague, r.ID, v)
	require.ErrorIs(t, err, expertdb.ErrTooEarly)
	f.clock.t = src.At.Add(time.Second)
	other := src
	other.Round = "2026062"
	_, err = f.svc.DrawCommitted(ctx, colleague, r.ID, expertdb.PublicValue{Source: other, Values: []uint64{1, 2, 3}})
	require.Error(t, err, "another source's value")
	rec, err := f.svc.DrawCommitted(ctx, colleague, r.ID, v)
	require.NoError(t, err)
	require.NotNil(t, rec.Commit)
	assert.False(t, rec.Practice)
	assert.Equal(t, c.RequestDigest, rec.Result.RequestDigest)
	assert.Equal(t, c.PoolDigest, rec.Result.PoolDigest)
	_, err = f.svc.DrawCommitted(ctx, colleague, r.ID, v)
	require.ErrorIs(t, err, expertdb.ErrAlreadyDrawn)

	// A second request on the same source must use the same published numbers.
	f.clock.t = src.At.Add(-30 * time.Minute)
	r3 := storyRequest()
	r3.ID, r3.Entropy, r3.Project.ID = "R-3", nil, "P-3"
	_, err = f.svc.Submit(ctx, clerk, r3)
	require.NoError(t, err)
	_, err = f.svc.Approve(ctx, leader, r3.ID, expertdb.ApproveRequest)
	require.NoError(t, err)
	_, err = f.svc.Commit(ctx, clerk, r3.ID, src)
	require.NoError(t, err)
	f.clock.t = src.At.Add(time.Minute)
	_, err = f.svc.DrawCommitted(ctx, colleague, r3.ID, expertdb.PublicValue{Source: src, Values: []uint64{9, 9, 9}})
	require.Error(t, err, "a second value for one public source")
}

// Attack: re-rolls under new request IDs. A second request for the same project and
// activity is refused until the first is voided (with a reason and an approval); the
// re-draw alert keys on the project.
func TestOneDrawPerActivity(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := submitted(t, f)
	again := r
	again.ID = "R-2026-001a"
	_, err := f.svc.Submit(ctx, clerk, again)
	require.ErrorIs(t, err, expertdb.ErrActivityTaken)
	_, err = f.svc.Void(ctx, clerk, clerk, r.ID, "项目调整")
	require.ErrorIs(t, err, audit.ErrDenied, "self-approved void")
	_, err = f.svc.Void(ctx, clerk, leader, r.ID, "")
	require.Error(t, err, "void without reason")

	// Draw the first, then void it and draw the second: the alert fires on the project.
	rec := drawRealSubmitted(t, f, r.ID)
	require.NotNil(t, rec)
	_, err = f.svc.Void(ctx, clerk, leader, r.ID, "项目评审方案调整")
	require.NoError(t, err)
	drawReal(t, f.svc, f.clock, clerk, again)
	res, err := f.svc.Log().Query(ctx, audit.Query{Action: audit.ActionAlert})
	require.NoError(t, err)
	var keys []string
	for _, m := range res.Matches {
		var a audit.Alert
		require.NoError(t, json.Unmarshal(m.Event.Data, &a))
		if a.Rule == "redraw" {
			keys = append(keys, a.Key)
		}
	}
	assert.Equal(t, []string{"P-1"}, keys)
}

// drawRealSubmitted approves, commits and draws a submitted request.
func drawRealSubmitted(t *testing.T, f *fixture, id string) *expertdb.DrawRecord {
	t.Helper()
	ctx := context.Background()
	_, err := f.svc.Approve(ctx, leader, id, expertdb.ApproveRequest)
	require.NoError(t, err)
	src := testSource(f.clock.t, id)
	_, err = f.svc.Commit(ctx, clerk, id, src)
	require.NoError(t, err)
	f.clock.t = src.At.Add(time.Minute)
	rec, err := f.svc.DrawCommitted(ctx, colleague, id, expertdb.PublicValue{Source: src, Values: []uint64{3, 1, 4}})
	require.NoError(t, err)
	return rec
}

// Attack: ratings nobody can check. A rating of an expert who did not accept a seat, of a
// practice draw, before the activity, or by another unit, is refused.
func TestFabricatedRatingRefused(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.admitN(t, 30)
	practice := storyRequest()
	practice.ID, practice.Project.ID = "PR-1", "P-PR"
	prec, err := f.svc.Draw(ctx, clerk, practice)
	require.NoError(t, err)
	require.True(t, prec.Practice)

	rec := drawReal(t, f.svc, f.clock, clerk, storyRequest())
	view, err := f.svc.StartCampaign(ctx, clerk, rec.Request.ID)
	require.NoError(t, err)
	first := view.Seats[0].ExpertID
	good := evaluation.Rating{ExpertID: first, Grade: evaluation.Excellent,
		Aspects: evaluation.Aspects{Expertise: evaluation.Excellent, Attitude: evaluation.Excellent, Quality: evaluation.Excellent}}
	started := f.clock.t
	f.clock.t = rec.Request.At.Add(24 * time.Hour)
	require.ErrorIs(t, f.svc.Rate(ctx, clerk, rec.Request.ID, good), expertdb.ErrNotRateable, "not accepted")
	f.clock.t = started
	_, err = f.svc.Respond(ctx, clerk, rec.Request.ID, expertdb.Response{ExpertID: first, Code: f.codeFor(t, first), Accept: true, Pledge: "PL"})
	require.NoError(t, err)
	beforeMember := f.svc.Rate(ctx, clerk, rec.Request.ID, good)
	require.ErrorIs(t, beforeMember, expertdb.ErrNotRateable, "before the activity")
	// Attack: before the activity, rating probes must not tell panel members from others.
	outsider := good
	outsider.ExpertID = "E9999"
	beforeOutsider := f.svc.Rate(ctx, clerk, rec.Request.ID, outsider)
	require.ErrorIs(t, beforeOutsider, expertdb.ErrNotRateable)
	assert.Equal(t, beforeMember.Error(), beforeOutsider.Error(), "a sealed panel answers the same for members and others")
	f.clock.t = rec.Request.At.Add(24 * time.Hour)
	require.ErrorIs(t, f.svc.Rate(ctx, otherClerk, rec.Request.ID, good), audit.ErrDenied, "another unit")
	require.ErrorIs(t, f.svc.Rate(ctx, admin, rec.Request.ID, good), audit.ErrDenied, "the city bureau is not the using unit")
	require.Error(t, f.svc.Rate(ctx, clerk, "A-never-happened", good), "an activity that never happened")
	require.Error(t, f.svc.Rate(ctx, clerk, prec.Request.ID, good), "a practice draw")
	fake := good
	fake.ActivityID, fake.RaterUnit, fake.At = "A-other", "别的单位", time.Date(2030, 1, 1, 0, 0, 0, 0, cst)
	require.NoError(t, f.svc.Rate(ctx, clerk, rec.Request.ID, fake))
	stored, err := f.ratings().ByExpert(ctx, first, 2026)
	require.NoError(t, err)
	require.Len(t, stored, 1)
	assert.Equal(t, rec.Request.ID, stored[0].ActivityID, "the activity comes from the record")
	assert.Equal(t, clerk.Unit, stored[0].RaterUnit)
	assert.Equal(t, 2026, stored[0].Year())

	// An annulled (voided) draw's seats cannot be rated.
	_, err = f.svc.Void(ctx, clerk, leader, rec.Request.ID, "评审活动取消")
	require.NoError(t, err)
	require.ErrorIs(t, f.svc.Rate(ctx, clerk, rec.Request.ID, good), expertdb.ErrNotRateable)
}

// A failed draw of a valid request can be retried without a false re-draw alert: a commit
// the pool cannot serve records nothing, and a failed draw event does not count.
func TestFailedDrawRetriedWithoutAlert(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.admitN(t, 4)
	r := storyRequest()
	r.Entropy = nil
	_, err := f.svc.Submit(ctx, clerk, r)
	require.NoError(t, err)
	_, err = f.svc.Approve(ctx, leader, r.ID, expertdb.ApproveRequest)
	require.NoError(t, err)
	_, err = f.svc.Commit(ctx, clerk, r.ID, testSource(f.clock.t, r.ID))
	require.Error(t, err, "4 experts cannot make a panel of 5")
	for i := 4; i < 30; i++ {
		_, err := f.svc.Admit(ctx, admin, applicant(i))
		require.NoError(t, err)
	}
	drawRealSubmittedApproved(t, f, r.ID)
	res, err := f.svc.Log().Query(ctx, audit.Query{Action: audit.ActionAlert})
	require.NoError(t, err)
	assert.Empty(t, res.Matches, "no alert for the retry")

	// A failed practice draw then its retry: no alert either.
	p := storyRequest()
	p.ID, p.Project.ID, p.Size = "PR-9", "P-9", 500
	_, err = f.svc.Draw(ctx, clerk, p)
	require.Error(t, err)
	p.Size = 5
	_, err = f.svc.Draw(ctx, clerk, p)
	require.NoError(t, err)
	res, err = f.svc.Log().Query(ctx, audit.Query{Action: audit.ActionAlert})
	require.NoError(t, err)
	assert.Empty(t, res.Matches, "no alert for the practice retry")
}

func drawRealSubmittedApproved(t *testing.T, f *fixture, id string) {
	t.Helper()
	ctx := context.Background()
	src := testSource(f.clock.t, id)
	_, err := f.svc.Commit(ctx, clerk, id, src)
	require.NoError(t, err)
	f.clock.t = src.At.Add(time.Minute)
	_, err = f.svc.DrawCommitted(ctx, colleague, id, expertdb.PublicValue{Source: src, Values: []uint64{3, 1, 4}})
	require.NoError(t, err)
}

// A practice draw is never counted: an acceptance on its campaign reserves nothing in the
// annual ledger and books no seat.
func TestPracticeDrawIsNeverCounted(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.admitN(t, 30)
	rec, err := f.svc.Draw(ctx, clerk, storyRequest())
	require.NoError(t, err)
	require.True(t, rec.Practice)
	view, err := f.svc.StartCampaign(ctx, clerk, rec.Request.ID)
	require.NoError(t, err)
	id := view.Seats[0].ExpertID
	view, err = f.svc.Respond(ctx, clerk, rec.Request.ID, expertdb.Response{ExpertID: id, Code: f.codeFor(t, id), Accept: true, Pledge: "p"})
	require.NoError(t, err)
	require.Equal(t, selection.SeatAccepted, view.Seats[0].Status)
	usage, err := f.ledger.Usage(ctx, 2026)
	require.NoError(t, err)
	assert.Zero(t, usage[id], "no participation counted for a practice draw")
	served, err := f.svc.ServedOn(ctx, inspector, id)
	require.NoError(t, err)
	assert.Empty(t, served)
}

// Drafts can be corrected by the using unit until the first approval; another unit cannot
// touch them; an amendment cannot move the request to another activity.
func TestDraftsCanBeAmended(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := submitted(t, f)
	r.Size = 4
	st, err := f.svc.Submit(ctx, colleague, r)
	require.NoError(t, err)
	assert.Equal(t, 1, st.Amendments)
	assert.Equal(t, 4, st.Request.Size)
	assert.Equal(t, clerk.ID, st.SubmittedBy.ID, "the submitter stays the first")
	_, err = f.svc.Approve(ctx, colleague, r.ID, expertdb.ApproveRequest)
	require.ErrorIs(t, err, audit.ErrDenied)

	foreign := r
	foreign.Unit = otherClerk.Unit
	_, err = f.svc.Submit(ctx, otherClerk, foreign)
	require.Error(t, err, "another unit cannot take over the request")
	moved := r
	moved.Project.ID = "P-other"
	_, err = f.svc.Submit(ctx, clerk, moved)
	require.ErrorIs(t, err, expertdb.ErrRequestState)

	st, err = f.svc.Request(ctx, inspector, r.ID)
	require.NoError(t, err)
	assert.Equal(t, expertdb.RequestSubmitted, st.Status)
	assert.Equal(t, 4, st.Request.Size)
}

// The invitation chain of Art. 28 as recorded acts: division head (a leader of the
// requesting unit), deputy and main leaders (two different people), the bureau meeting's
// decision recorded by its secretary, the filing; the invitee is then drawn onto the panel.
func TestInvitationChainRecorded(t *testing.T) {
	ctx := context.Background()
	head := audit.Actor{ID: "u-head", Name: "吴处长", Role: audit.RoleLeader, Unit: clerk.Unit}
	mainLeader := audit.Actor{ID: "u-main", Name: "冯局长", Role: audit.RoleLeader, Unit: "市科技局"}
	f := newFixture(t)
	for _, a := range []audit.Actor{head, mainLeader} {
		require.NoError(t, f.svc.ChangePermissions(ctx, audit.Change{By: admin, ApprovedBy: leader, Reason: "登记审批人",
			User: audit.User{ID: a.ID, Name: a.Name, Role: a.Role, Unit: a.Unit}}))
	}
	f.admitN(t, 30)
	r := storyRequest()
	r.Entropy = nil
	invitee := applicant(300).Expert
	r.Invited = []selection.Invitation{{Expert: invitee, Reason: "库内无此专业"}}
	_, err := f.svc.Submit(ctx, clerk, r)
	require.NoError(t, err)
	step := func(a audit.Actor, s expertdb.ApprovalStep) error {
		_, err := f.svc.Approve(ctx, a, r.ID, s)
		return err
	}
	require.ErrorIs(t, step(leader, expertdb.InvitationStep(invitee.ID, selection.DivisionHead)), audit.ErrDenied,
		"the division head is a leader of the requesting unit")
	require.NoError(t, step(head, expertdb.InvitationStep(invitee.ID, selection.DivisionHead)))
	require.NoError(t, step(leader, expertdb.InvitationStep(invitee.ID, selection.DeputyLeader)))
	require.ErrorIs(t, step(leader, expertdb.InvitationStep(invitee.ID, selection.MainLeader)), audit.ErrDenied,
		"one person, one step of the chain")
	require.NoError(t, step(mainLeader, expertdb.InvitationStep(invitee.ID, selection.MainLeader)))
	require.ErrorIs(t, step(leader, expertdb.InvitationStep(invitee.ID, selection.BureauMeeting)), audit.ErrDenied,
		"the meeting's decision is recorded by its secretary")
	require.NoError(t, step(admin, expertdb.InvitationStep(invitee.ID, selection.BureauMeeting)))
	require.NoError(t, step(inspector, expertdb.InvitationFiling(invitee.ID)))
	require.NoError(t, step(leader, expertdb.ApproveRequest))
	src := testSource(f.clock.t, r.ID)
	_, err = f.svc.Commit(ctx, clerk, r.ID, src)
	require.NoError(t, err)
	f.clock.t = src.At.Add(time.Minute)
	rec, err := f.svc.DrawCommitted(ctx, colleague, r.ID, expertdb.PublicValue{Source: src, Values: []uint64{3, 1, 4}})
	require.NoError(t, err)
	var invited bool
	for _, p := range rec.Result.Panel {
		invited = invited || (p.ExpertID == invitee.ID && p.Invited)
	}
	assert.True(t, invited, "the invitee sits on the panel")
	require.Len(t, rec.Request.Invited[0].Approvals, 4)
	assert.Equal(t, "吴处长（u-head）", rec.Request.Invited[0].Approvals[0].By)
	approvals, err := f.svc.Log().Query(ctx, audit.Query{Action: audit.ActionApprove, Subject: r.ID})
	require.NoError(t, err)
	assert.Len(t, approvals.Matches, 6, "every approval is in the log")

	// Views by role: the maintainer sees the invitee de-identified.
	st, err := f.svc.Request(ctx, maintainer, r.ID)
	require.NoError(t, err)
	assert.NotEqual(t, invitee.IDNumber, st.Request.Invited[0].Expert.IDNumber)
	assert.NotEqual(t, invitee.Mobile, st.Request.Invited[0].Expert.Mobile)
	st, err = f.svc.Request(ctx, clerk, r.ID)
	require.NoError(t, err)
	assert.Equal(t, invitee.Mobile, st.Request.Invited[0].Expert.Mobile)
}

// Attack: a voided request's campaign goes on. After Void, accepting a seat (and every other
// campaign step: deliver, resend, decline, withdraw, expire) is refused with ErrRequestState
// naming Art. 13, 14, and each refusal is audited.
func TestVoidBlocksTheCampaign(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.admitN(t, 30)
	rec := drawReal(t, f.svc, f.clock, clerk, storyRequest())
	id := rec.Request.ID
	view, err := f.svc.StartCampaign(ctx, clerk, id)
	require.NoError(t, err)
	first, second := view.Seats[0].ExpertID, view.Seats[1].ExpertID
	code := f.codeFor(t, first)
	_, err = f.svc.Void(ctx, clerk, leader, id, "评审活动取消")
	require.NoError(t, err)

	before, err := f.svc.Log().Query(ctx, audit.Query{Subject: id})
	require.NoError(t, err)
	steps := map[string]func() error{
		"accept": func() error {
			_, err := f.svc.Respond(ctx, clerk, id, expertdb.Response{ExpertID: first, Code: code, Accept: true, Pledge: "PL"})
			return err
		},
		"decline": func() error {
			_, err := f.svc.Respond(ctx, clerk, id, expertdb.Response{ExpertID: second, Code: f.codeFor(t, second), Reason: "出差"})
			return err
		},
		"deliver":  func() error { _, err := f.svc.Deliver(ctx, clerk, id); return err },
		"resend":   func() error { _, err := f.svc.Resend(ctx, clerk, id, first); return err },
		"withdraw": func() error { _, err := f.svc.Withdraw(ctx, clerk, id, first, "身体原因"); return err },
		"expire": func() error {
			f.clock.t = f.clock.t.Add(30 * 24 * time.Hour)
			_, err := f.svc.Expire(ctx, clerk, id)
			return err
		},
		"start": func() error { _, err := f.svc.StartCampaign(ctx, clerk, id); return err },
	}
	for name, step := range steps {
		err := step()
		require.ErrorIs(t, err, expertdb.ErrRequestState, name)
		assert.Contains(t, err.Error(), "Art. 13, 14", name)
	}
	after, err := f.svc.Log().Query(ctx, audit.Query{Subject: id})
	require.NoError(t, err)
	refused := 0
	for _, m := range after.Matches[len(before.Matches):] {
		var d struct{ Outcome, Code string }
		require.NoError(t, json.Unmarshal(m.Event.Data, &d))
		if d.Outcome == "refused" && d.Code == "request-voided" {
			refused++
		}
	}
	assert.Equal(t, len(steps), refused, "every refusal is audited")
	v, err := f.svc.Campaign(ctx, clerk, id)
	require.NoError(t, err, "viewing stays possible")
	for _, st := range v.Seats {
		assert.NotEqual(t, selection.SeatAccepted, st.Status)
	}
}
