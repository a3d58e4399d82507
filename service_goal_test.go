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
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/selection"
)

// TestRequestLifeGoal (issue 16): submit → approve → commit → (public value published) →
// draw → notify → refill → accept → rate → summarise → next year's preferential pick, every
// actor registered, the audit log verifying at every step, the record replaying offline;
// and none of a fabricated rating, a text approval, a self-approval, a second draw of the
// activity, or an operator's entropy succeeds.
func TestRequestLifeGoal(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.admitN(t, 40)
	verified := func(step string) {
		t.Helper()
		cp, err := f.svc.Checkpoint(ctx)
		require.NoError(t, err, step)
		require.NoError(t, audit.Verify(ctx, f.audit, cp, f.verifier), "the log verifies after %s", step)
	}

	req := storyRequest()
	req.Entropy = nil
	_, err := f.svc.Submit(ctx, clerk, req)
	require.NoError(t, err)
	verified("submit")
	_, err = f.svc.Approve(ctx, clerk, req.ID, expertdb.ApproveRequest)
	require.ErrorIs(t, err, audit.ErrDenied, "self-approval")
	_, err = f.svc.Approve(ctx, leader, req.ID, expertdb.ApproveRequest)
	require.NoError(t, err)
	verified("approve")
	src := expertdb.EntropySource{Kind: "lottery", Name: "中国福利彩票双色球", Round: "2026024", At: f.clock.t.Add(10 * time.Hour), Count: 7}
	c, err := f.svc.Commit(ctx, clerk, req.ID, src)
	require.NoError(t, err)
	require.NoError(t, audit.Verify(ctx, f.audit, c.Checkpoint, f.verifier), "the commit is covered by a signed checkpoint")
	// An operator's entropy for the real request: refused.
	chosen := storyRequest()
	_, err = f.svc.Draw(ctx, clerk, chosen)
	require.ErrorIs(t, err, expertdb.ErrRequestState)
	_, err = f.svc.DrawCommitted(ctx, clerk, req.ID, expertdb.PublicValue{Source: src, Values: []uint64{1, 2, 3, 4, 5, 6, 7}})
	require.ErrorIs(t, err, expertdb.ErrTooEarly, "before the value exists")

	f.clock.t = src.At.Add(12 * time.Hour) // the lottery is drawn and published
	published := expertdb.PublicValue{Source: src, Values: []uint64{3, 9, 14, 21, 27, 30, 11}}
	_, err = f.svc.DrawCommitted(ctx, clerk, req.ID, published)
	require.ErrorIs(t, err, audit.ErrDenied, "the committer entering the value alone")
	_, err = f.svc.PublishValue(ctx, inspector, req.ID, published)
	require.NoError(t, err)
	verified("the discipline office enters the published value")
	rec, err := f.svc.DrawCommitted(ctx, clerk, req.ID, published)
	require.NoError(t, err)
	verified("draw")
	// A second draw of the same activity, under another ID: refused.
	again := req
	again.ID = "R-2026-001b"
	_, err = f.svc.Submit(ctx, clerk, again)
	require.ErrorIs(t, err, expertdb.ErrActivityTaken)

	// The record replays offline, against the log.
	stored, err := f.svc.DrawRecord(ctx, clerk, req.ID)
	require.NoError(t, err)
	raw, err := json.Marshal(stored)
	require.NoError(t, err)
	var offline expertdb.DrawRecord
	require.NoError(t, json.Unmarshal(raw, &offline))
	rep, err := expertdb.ReplayDrawAudited(ctx, &offline, f.svc.Policy(), f.svc.Log())
	require.NoError(t, err)
	require.True(t, rep.Match, "%s", rep)

	view, err := f.svc.StartCampaign(ctx, clerk, req.ID)
	require.NoError(t, err)
	verified("notify")
	first := view.Seats[0].ExpertID
	view, err = f.svc.Respond(ctx, clerk, req.ID, expertdb.Response{ExpertID: first, Code: f.codeFor(t, first), Reason: "出差"})
	require.NoError(t, err)
	require.Len(t, view.Seats, len(rec.Result.Panel)+1, "refilled from the sequence")
	verified("refill")
	for _, st := range view.Seats {
		if st.Status == selection.SeatPending {
			view, err = f.svc.Respond(ctx, clerk, req.ID, expertdb.Response{ExpertID: st.ExpertID, Code: f.codeFor(t, st.ExpertID),
				Accept: true, Pledge: "PL-" + st.ExpertID})
			require.NoError(t, err)
		}
	}
	require.True(t, view.Complete)
	verified("accept")

	// A fabricated rating of the expert who declined: refused. Ratings of the panel, after
	// the activity, by the using unit: stored in the activity's year.
	f.clock.t = time.Date(2026, 3, 21, 10, 0, 0, 0, cst)
	exc := evaluation.Aspects{Expertise: evaluation.Excellent, Attitude: evaluation.Excellent, Quality: evaluation.Excellent}
	require.ErrorIs(t, f.svc.Rate(ctx, clerk, req.ID, evaluation.Rating{ExpertID: first, Grade: evaluation.Excellent, Aspects: exc}),
		expertdb.ErrNotRateable)
	for _, st := range view.Panel {
		require.NoError(t, f.svc.Rate(ctx, clerk, req.ID, evaluation.Rating{ExpertID: st.ExpertID, Grade: evaluation.Excellent, Aspects: exc}))
	}
	verified("rate")
	star := view.Panel[0].ExpertID
	served, err := f.svc.ServedOn(ctx, inspector, star)
	require.NoError(t, err)
	require.Equal(t, []expertdb.Served{{RequestID: req.ID, Unit: clerk.Unit}}, served, "Art. 24: the reviews to look at again")

	rs, err := f.ratings().ByYear(ctx, 2026)
	require.NoError(t, err)
	sum := evaluation.Summarize(rs, 2026)
	require.Equal(t, 1, sum[star].Excellent)
	require.Equal(t, 2026, sum[star].Year)

	// Next year: a preferential pick of the expert rated excellent, with the plan approved
	// by the deputy leader and filed with the discipline office, as recorded acts.
	f.clock.t = time.Date(2027, 2, 1, 9, 0, 0, 0, cst)
	next := expertdb.DrawRequest{Request: selection.Request{ID: "R-2027-001", Size: 3, At: time.Date(2027, 3, 10, 9, 0, 0, 0, cst),
		Project: conflict.Project{ID: "P-2"}, Preferred: []string{star}, Plan: &selection.Plan{Reason: "去年评审表现优秀"}}, Unit: clerk.Unit}
	textual := next
	textual.Plan = &selection.Plan{Reason: "去年评审表现优秀", ApprovedBy: "分管领导", FiledWith: "纪委", At: f.clock.t}
	_, err = f.svc.Submit(ctx, clerk, textual)
	require.Error(t, err, "a text approval")
	_, err = f.svc.Submit(ctx, clerk, next)
	require.NoError(t, err)
	_, err = f.svc.Approve(ctx, leader, next.ID, expertdb.ApproveRequest)
	require.NoError(t, err)
	_, err = f.svc.Approve(ctx, inspector, next.ID, expertdb.FilePlan)
	require.Error(t, err, "filing before the approval")
	_, err = f.svc.Approve(ctx, leader, next.ID, expertdb.ApprovePlan)
	require.NoError(t, err)
	_, err = f.svc.Approve(ctx, inspector, next.ID, expertdb.FilePlan)
	require.NoError(t, err)
	src2, beacon := drandValue(f.clock.t.Add(time.Hour), 7)
	_, err = f.svc.Commit(ctx, clerk, next.ID, src2)
	require.NoError(t, err)
	f.clock.t = src2.At.Add(time.Minute)
	rec2, err := f.svc.DrawCommitted(ctx, colleague, next.ID, beacon)
	require.NoError(t, err)
	assert.Equal(t, star, rec2.Result.Panel[0].ExpertID)
	assert.True(t, rec2.Result.Panel[0].Preferential)
	assert.Equal(t, "郑国强（u-leader）", rec2.Request.Plan.ApprovedBy, "the plan's approver is the recorded act")
	verified("next year's preferential pick")
}
