package expertdb_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/selection"
)

// flakyGateway is a DecisionNotifier whose sends fail while down is set; it keeps every
// notice it accepted.
type flakyGateway struct {
	expertdb.RecordingNotifier
	mu        sync.Mutex
	down      bool
	attempts  int
	delivered []expertdb.DecisionNotification
}

func (g *flakyGateway) NotifyDecision(_ context.Context, n expertdb.DecisionNotification) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.attempts++
	if g.down {
		return errors.New("sms gateway: 503")
	}
	g.delivered = append(g.delivered, n)
	return nil
}

func (g *flakyGateway) setDown(down bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.down = down
}

func (g *flakyGateway) deliveredIDs() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for _, n := range g.delivered {
		out = append(out, n.ID)
	}
	return out
}

// noticeStores are the stores a Service over them keeps; two Services over the same stores
// are the same database before and after a restart.
type noticeStores struct {
	experts *expertdb.MemoryExpertStore
	events  *expertdb.MemoryEventStore
	audit   *audit.MemoryStore
	ratings *evaluation.MemoryStore
	ledger  *selection.MemoryLedger
	clock   *fakeClock
}

func newNoticeStores() *noticeStores {
	return &noticeStores{experts: expertdb.NewMemoryExpertStore(), events: expertdb.NewMemoryEventStore(), audit: audit.NewMemoryStore(),
		ratings: evaluation.NewMemoryStore(), ledger: selection.NewMemoryLedger(), clock: &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, cst)}}
}

func (st *noticeStores) service(t *testing.T, n expertdb.Notifier) *expertdb.Service {
	t.Helper()
	signer, _ := testSigner(t)
	us := append(users(), audit.User{ID: expertUser.ID, Name: expertUser.Name, Role: expertUser.Role, Unit: expertUser.Unit})
	svc, err := expertdb.NewService(context.Background(), expertdb.Options{Users: us, Signer: signer, Notifier: n, Clock: st.clock.Now,
		Experts: st.experts, Events: st.events, Audit: st.audit, Ratings: st.ratings, Ledger: st.ledger,
		Random: bytes.NewReader(bytes.Repeat([]byte{42}, 1<<16))})
	require.NoError(t, err)
	return svc
}

// Art. 6(1) 及时告知: a decision notice the gateway refused is kept and listed as pending; a
// later DeliverNotices sends it exactly once, and a second run sends nothing.
func TestArt6DecisionNoticeRetriedUntilDelivered(t *testing.T) {
	ctx := context.Background()
	st := newNoticeStores()
	gw := &flakyGateway{down: true}
	svc := st.service(t, gw)
	_, err := svc.Admit(ctx, admin, applicant(1))
	require.NoError(t, err, "a failed notice fails no decision")
	require.Empty(t, gw.deliveredIDs())

	pending, err := svc.PendingNotices(ctx, admin)
	require.NoError(t, err)
	require.Len(t, pending, 1)
	assert.Equal(t, "E0001", pending[0].ExpertID)
	assert.Equal(t, expertdb.DeliveryFailed, pending[0].Status)
	assert.Equal(t, 1, pending[0].Attempts)

	// Still down: retried, still pending, nothing lost.
	res, err := svc.DeliverNotices(ctx, admin)
	require.NoError(t, err)
	assert.Equal(t, 0, res.Sent)
	require.Len(t, res.Pending, 1)
	assert.Equal(t, 2, res.Pending[0].Attempts)

	gw.setDown(false)
	res, err = svc.DeliverNotices(ctx, admin)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Sent)
	assert.Empty(t, res.Pending)
	res, err = svc.DeliverNotices(ctx, admin)
	require.NoError(t, err)
	assert.Equal(t, 0, res.Sent, "a delivered notice is not sent again")
	require.Len(t, gw.deliveredIDs(), 1, "exactly once")
	assert.Equal(t, "notices/E0001/0", gw.deliveredIDs()[0])
	assert.Equal(t, "专家入库申请审核结果：准予入库", gw.delivered[0].Subject)

	notices, err := svc.Notices(ctx, admin, "E0001")
	require.NoError(t, err)
	require.Len(t, notices, 1, "the expert's notices: one notice, however many attempts")

	// The log: three attempts, two failed and one sent, each a notify event.
	var failed, sent int
	res2, err := svc.Log().Query(ctx, audit.Query{Action: audit.ActionNotify})
	require.NoError(t, err)
	for _, m := range res2.Matches {
		switch {
		case bytes.Contains(m.Event.Data, []byte(`"delivery":"failed"`)):
			failed++
		case bytes.Contains(m.Event.Data, []byte(`"delivery":"sent"`)):
			sent++
		}
		assert.NotContains(t, string(m.Event.Data), applicant(1).Expert.Mobile)
	}
	assert.Equal(t, 2, failed)
	assert.Equal(t, 1, sent)
}

// Art. 6(1), 11: the process stops between a decision and its notice (here: the Service that
// decided cannot send decision notices, the same state as a crash after the decision's
// commit). Nothing is lost: the notice is queued with the decision, listed as pending, and the
// restarted Service delivers it.
func TestArt6DecisionNoticeSurvivesCrashBeforeSend(t *testing.T) {
	ctx := context.Background()
	st := newNoticeStores()
	before := st.service(t, &expertdb.RecordingNotifier{}) // no DecisionNotifier
	_, err := before.Admit(ctx, admin, applicant(1))
	require.NoError(t, err)
	require.NoError(t, before.RequestExit(ctx, expertUser, admission.ExitRequest{ExpertID: "E0001", Reason: "工作调动"}))
	_, err = before.ReviewExitRequest(ctx, admin, "E0001", admission.Review{Approve: true})
	require.NoError(t, err)
	res, err := before.DeliverNotices(ctx, admin)
	require.NoError(t, err)
	assert.True(t, res.NoDecisionNotifier, "reported, not silently dropped")
	require.Len(t, res.Pending, 2)
	for _, p := range res.Pending {
		assert.Equal(t, expertdb.DeliveryQueued, p.Status)
	}

	gw := &flakyGateway{}
	after := st.service(t, gw)
	pending, err := after.PendingNotices(ctx, admin)
	require.NoError(t, err)
	require.Len(t, pending, 2)
	res, err = after.DeliverNotices(ctx, admin)
	require.NoError(t, err)
	assert.Equal(t, 2, res.Sent)
	assert.False(t, res.NoDecisionNotifier)
	assert.Equal(t, []string{"notices/E0001/0", "notices/E0001/1"}, gw.deliveredIDs())
	assert.Equal(t, "出库申请审核结果：同意出库", gw.delivered[1].Subject)
	pending, err = after.PendingNotices(ctx, admin)
	require.NoError(t, err)
	assert.Empty(t, pending)
}

// Attack: who may list and push the decision notices. A division clerk, a county, an expert
// and an unregistered actor are refused (and logged); the discipline office may look.
func TestDeliverNoticesPermissions(t *testing.T) {
	ctx := context.Background()
	st := newNoticeStores()
	svc := st.service(t, &flakyGateway{down: true})
	_, err := svc.Admit(ctx, admin, applicant(1))
	require.NoError(t, err)
	for _, a := range []audit.Actor{clerk, county, expertUser, {ID: "u-x", Name: "冒名", Role: audit.RoleCityAdmin, Unit: "市科技局"}} {
		_, err := svc.DeliverNotices(ctx, a)
		require.ErrorIs(t, err, audit.ErrDenied, a.ID)
	}
	for _, a := range []audit.Actor{clerk, county, expertUser} {
		_, err := svc.PendingNotices(ctx, a)
		require.ErrorIs(t, err, audit.ErrDenied, a.ID)
	}
	_, err = svc.PendingNotices(ctx, inspector)
	require.NoError(t, err)
	_, err = svc.DeliverNotices(ctx, inspector)
	require.ErrorIs(t, err, audit.ErrDenied, "the discipline office only looks")
}

// Invariant (Art. 6(1)): whatever the gateway does between decisions and retries, no
// decision notice is lost or sent twice — every queued notice is pending until the gateway
// takes it once, and a final DeliverNotices with the gateway up leaves nothing pending.
func TestPropertyDecisionNoticesDeliveredExactlyOnce(t *testing.T) {
	// One database, one random walk: each check a few steps, then the gateway comes back up
	// and every notice must have been delivered exactly once.
	ctx := context.Background()
	st := newNoticeStores()
	gw := &flakyGateway{}
	svc := st.service(t, gw)
	admitted := 0
	runs := 0
	rapid.Check(t, func(rt *rapid.T) {
		if runs++; raceEnabled && runs > 10 { // 10–20× slower under the race detector: a sample of the walk
			return
		}
		for step := range rapid.IntRange(1, 6).Draw(rt, "steps") {
			gw.setDown(rapid.Bool().Draw(rt, fmt.Sprint("down", step)))
			op := rapid.IntRange(0, 2).Draw(rt, fmt.Sprint("op", step))
			if op == 0 && admitted >= 40 {
				op = 2
			}
			switch op {
			case 0:
				_, err := svc.Admit(ctx, admin, applicant(admitted))
				require.NoError(rt, err)
				admitted++
			case 1:
				if admitted > 0 {
					x := rapid.IntRange(0, admitted-1).Draw(rt, fmt.Sprint("expert", step))
					_, err := svc.Exit(ctx, admin, applicant(x).Expert.ID, admission.Exit{Reason: admission.ExitUnsuitable,
						Note: "不再适合", Evidence: []string{"核查记录"}})
					_ = err // an expert already exited is refused: no notice
				}
			case 2:
				_, err := svc.DeliverNotices(ctx, admin)
				require.NoError(rt, err)
			}
			pending, err := svc.PendingNotices(ctx, admin)
			require.NoError(rt, err)
			require.Equal(rt, queuedNotices(rt, st)-len(gw.deliveredIDs()), len(pending), "pending = queued - delivered")
		}
		gw.setDown(false)
		_, err := svc.DeliverNotices(ctx, admin)
		require.NoError(rt, err)
		pending, err := svc.PendingNotices(ctx, admin)
		require.NoError(rt, err)
		require.Empty(rt, pending)
		ids := gw.deliveredIDs()
		require.Len(rt, ids, queuedNotices(rt, st), "every notice delivered")
		seen := map[string]bool{}
		for _, id := range ids {
			require.False(rt, seen[id], "sent twice: %s", id)
			seen[id] = true
		}
	})
}

// queuedNotices counts the decision notices queued in the stores.
func queuedNotices(t require.TestingT, st *noticeStores) int {
	ctx := context.Background()
	experts, err := st.experts.List(ctx)
	require.NoError(t, err)
	n := 0
	for _, e := range experts {
		raw, err := st.events.Events(ctx, "notices/"+e.ID)
		require.NoError(t, err)
		for _, b := range raw {
			if bytes.Contains(b, []byte(`"status":"queued"`)) {
				n++
			}
		}
	}
	return n
}
