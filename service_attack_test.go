package expertdb_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/selection"
)

// countingReader yields a different byte string on every read: every reply code differs.
type countingReader struct {
	mu sync.Mutex
	n  uint64
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range p {
		c.n = c.n*6364136223846793005 + 1442695040888963407
		p[i] = byte(c.n >> 56)
	}
	return len(p), nil
}

// newCodesWorld is a world whose reply codes all differ.
func newCodesWorld(t testing.TB) *world {
	t.Helper()
	signer, _ := testSigner(t)
	w := &world{in: newInjector(), clock: &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, cst)},
		experts: expertdb.NewMemoryExpertStore(), ratings: evaluation.NewMemoryStore(), ledger: selection.NewMemoryLedger(),
		audit: audit.NewMemoryStore(), notifier: &expertdb.RecordingNotifier{}}
	w.events = faultyEvents{MemoryEventStore: expertdb.NewMemoryEventStore(), in: w.in, mu: &sync.Mutex{}, streams: map[string]bool{}}
	us := append(users(), audit.User{ID: expertUser.ID, Name: expertUser.Name, Role: expertUser.Role, Unit: expertUser.Unit})
	svc, err := expertdb.NewService(context.Background(), expertdb.Options{Users: us, Signer: signer, Clock: w.clock.Now,
		Random: &countingReader{}, Experts: faultyExperts{w.experts, w.in}, Events: w.events, Ratings: faultyRatings{w.ratings, w.in},
		Ledger: faultyLedger{w.ledger, w.in}, Audit: faultyAudit{w.audit, w.in}, Notifier: faultyNotifier{w.notifier, w.in}})
	require.NoError(t, err)
	w.svc = svc
	return w
}

func (w *world) admit(t testing.TB, n int) []admission.Application {
	t.Helper()
	var apps []admission.Application
	for i := range n {
		app := applicant(i)
		_, err := w.svc.Admit(context.Background(), admin, app)
		require.NoError(t, err)
		apps = append(apps, app)
	}
	return apps
}

// events returns the decoded events of the log with the given action.
func (w *world) logged(t testing.TB, action audit.Action) []audit.Event {
	t.Helper()
	res, err := w.svc.Log().Query(context.Background(), audit.Query{Action: action})
	require.NoError(t, err)
	out := make([]audit.Event, len(res.Matches))
	for i, m := range res.Matches {
		out[i] = m.Event
	}
	return out
}

// personalLeaks counts the admitted experts whose ID number or mobile appears in raw.
func personalLeaks(raw string, apps []admission.Application) int {
	n := 0
	for _, a := range apps {
		if strings.Contains(raw, a.Expert.IDNumber) || strings.Contains(raw, a.Expert.Mobile) {
			n++
		}
	}
	return n
}

// Attack (issue 15, 1): a county user draws one seat and reads every candidate's ID number and
// mobile in DrawRecord.Pool; a maintainer reads the same through DrawRecord once the activity
// started. Neither role may read personal data: both get de-identified candidates. The
// division (which may read personal data) and the stored record keep them.
func TestDrawRecordIsTheRolesView(t *testing.T) {
	ctx := context.Background()
	w := newCodesWorld(t)
	apps := w.admit(t, 26)

	req := storyRequest()
	req.ID, req.Unit, req.Size, req.Quotas = "R-COUNTY-1", county.Unit, 1, nil
	rec, err := w.svc.Draw(ctx, county, req)
	require.NoError(t, err)
	require.NotEmpty(t, rec.Pool.Experts)
	raw, err := json.Marshal(rec)
	require.NoError(t, err)
	assert.Zero(t, personalLeaks(string(raw), apps), "the county user's draw record carries no ID number or mobile")
	for _, e := range rec.Pool.Experts {
		assert.Contains(t, e.Mobile, "****")
	}

	// The stored record keeps what replay needs: the manifest of the profile versions (issue
	// 14), which hold the personal data once, not a copy in every record.
	stored, err := w.events.MemoryEventStore.Events(ctx, "draw/R-COUNTY-1")
	require.NoError(t, err)
	assert.Zero(t, personalLeaks(string(stored[0]), apps), "the stored record references profiles")
	assert.Contains(t, string(stored[0]), `"profile_manifest"`)

	// The division's own draw, read by a maintainer after the activity started.
	drec, err := w.svc.Draw(ctx, clerk, storyRequest())
	require.NoError(t, err)
	raw, _ = json.Marshal(drec)
	assert.Positive(t, personalLeaks(string(raw), apps), "the division may read personal data")
	w.clock.t = drec.Request.At.Add(time.Hour)
	mrec, err := w.svc.DrawRecord(ctx, maintainer, drec.Request.ID)
	require.NoError(t, err)
	raw, _ = json.Marshal(mrec)
	assert.Zero(t, personalLeaks(string(raw), apps), "a maintainer reads no personal data")
	assert.Equal(t, pickIDsOf(drec.Result.Panel), pickIDsOf(mrec.Result.Panel), "the view keeps every ID")
	assert.Equal(t, drec.Result.PoolDigest, mrec.Result.PoolDigest)
	crec, err := w.svc.DrawRecord(ctx, county, "R-COUNTY-1")
	require.NoError(t, err)
	raw, _ = json.Marshal(crec)
	assert.Zero(t, personalLeaks(string(raw), apps))

	// The de-identified views still replay to their recorded results.
	for _, v := range []*expertdb.DrawRecord{rec, mrec, crec} {
		rep, err := expertdb.ReplayDraw(v, w.svc.Policy())
		require.NoError(t, err)
		assert.True(t, rep.Match, rep.String())
	}
}

// Attack (issue 15, 3): Unseal whose reason carries a mobile number stored the unseal and
// then lost its event. Now the reason is refused before anything is written, and a clean
// retry opens the panel with its event.
func TestUnsealWithPersonalDataInTheReason(t *testing.T) {
	ctx := context.Background()
	w := newCodesWorld(t)
	w.admit(t, 20)
	rec, err := w.svc.Draw(ctx, clerk, storyRequest())
	require.NoError(t, err)
	before := len(w.log(t))
	err = w.svc.Unseal(ctx, colleague, leader, rec.Request.ID, "专家电话13912345678要求提前")
	require.Error(t, err)
	v, err := w.svc.Campaign(ctx, colleague, rec.Request.ID)
	require.NoError(t, err)
	assert.True(t, v.Sealed, "the panel stays sealed")
	assert.Empty(t, w.logged(t, audit.ActionApprove))
	assert.Len(t, w.log(t), before+1, "only the colleague's view was recorded")

	require.NoError(t, w.svc.Unseal(ctx, colleague, leader, rec.Request.ID, "评审会提前"))
	v, err = w.svc.Campaign(ctx, colleague, rec.Request.ID)
	require.NoError(t, err)
	assert.False(t, v.Sealed)
	assert.Len(t, w.logged(t, audit.ActionApprove), 1)
}

// Attack (issue 15, 3): Rate with an activity ID carrying a mobile number stored the rating
// without its event, and the retry failed as a duplicate. Since issue 16 the activity is a
// drawn request of the Service: an invented one is refused and nothing is stored.
func TestRateWithPersonalDataInTheActivityID(t *testing.T) {
	ctx := context.Background()
	w := newCodesWorld(t)
	w.admit(t, 3)
	w.clock.t = time.Date(2026, 3, 21, 10, 0, 0, 0, cst)
	r := evaluation.Rating{ExpertID: "E0001", Grade: evaluation.Good,
		Aspects: evaluation.Aspects{Expertise: evaluation.Good, Attitude: evaluation.Good, Quality: evaluation.Good}}
	require.Error(t, w.svc.Rate(ctx, clerk, "A-13912345678", r))
	stored, err := w.ratings.ByExpert(ctx, "E0001", 2026)
	require.NoError(t, err)
	assert.Empty(t, stored, "no rating without its event")
	assert.Empty(t, w.logged(t, audit.ActionRating))
}

// Attack (issue 15, 3): StartCampaign while the audit store fails stored 5 notices, sent none
// and recorded nothing. Now nothing is stored or sent, and a retry starts the campaign.
func TestStartCampaignWhileTheAuditStoreFails(t *testing.T) {
	ctx := context.Background()
	w := newCodesWorld(t)
	w.admit(t, 20)
	rec, err := w.svc.Draw(ctx, clerk, storyRequest())
	require.NoError(t, err)
	before := w.state(t)
	w.in.arm(stAudit, 1)
	_, err = w.svc.StartCampaign(ctx, clerk, rec.Request.ID)
	w.in.disarm()
	require.ErrorIs(t, err, errInjected)
	assert.Equal(t, before, w.state(t), "no campaign event, no queued notice")
	assert.Empty(t, w.notifier.Sent())
	assert.Empty(t, w.logged(t, audit.ActionNotify))

	v, err := w.svc.StartCampaign(ctx, clerk, rec.Request.ID)
	require.NoError(t, err)
	assert.Len(t, v.Seats, 5)
	assert.Len(t, w.notifier.Sent(), 5)
}

// ctxExperts is an expert store that honours its context, and cancels the request's context
// right after its Get (before the write) or its Put (after the write): the client gave up.
type ctxExperts struct {
	*expertdb.MemoryExpertStore
	cancel   func()
	cancelOn string
}

func (c ctxExperts) Put(ctx context.Context, e admission.Expert) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := c.MemoryExpertStore.Put(ctx, e)
	if c.cancelOn == "put" {
		c.cancel()
	}
	return err
}

func (c ctxExperts) Get(ctx context.Context, id string) (admission.Expert, error) {
	if err := ctx.Err(); err != nil {
		return admission.Expert{}, err
	}
	e, err := c.MemoryExpertStore.Get(ctx, id)
	if c.cancelOn == "get" {
		c.cancel()
	}
	return e, err
}

func (c ctxExperts) Delete(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.MemoryExpertStore.Delete(ctx, id)
}

// Attack (issue 15, 3): Admit whose context is cancelled after the write: the undo ran with
// the cancelled context and the expert stayed active with no admission event. Whatever the
// moment of the cancellation, the expert is stored exactly when its admission is recorded.
func TestAdmitWithContextCancelledAfterTheWrite(t *testing.T) {
	signer, _ := testSigner(t)
	for _, on := range []string{"get", "put"} {
		t.Run("cancel after "+on, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			experts := expertdb.NewMemoryExpertStore()
			svc, err := expertdb.NewService(context.Background(), expertdb.Options{Users: users(), Signer: signer,
				Experts: ctxExperts{experts, cancel, on}})
			require.NoError(t, err)
			_, err = svc.Admit(ctx, admin, applicant(1))
			_, getErr := experts.Get(context.Background(), "E0001")
			stored := getErr == nil
			res, qerr := svc.Log().Query(context.Background(), audit.Query{Subject: "E0001", Action: audit.ActionAdmission})
			require.NoError(t, qerr)
			assert.Equal(t, stored, len(res.Matches) == 1, "stored %v, events %d, err %v", stored, len(res.Matches), err)
			assert.Equal(t, err == nil, stored)
		})
	}
}

// Attack (issue 15, 4): one SMS gateway error on the 3rd notice left 3 seats with codes nobody
// received and the campaign "already started". Now the campaign stands, the failed notice is
// recorded as such, Deliver sends it with a fresh code, and a resend invalidates the old code.
func TestGatewayFailureDoesNotBrickTheCampaign(t *testing.T) {
	ctx := context.Background()
	w := newCodesWorld(t)
	w.admit(t, 20)
	rec, err := w.svc.Draw(ctx, clerk, storyRequest())
	require.NoError(t, err)
	w.in.arm(stNotifier, 3)
	v, err := w.svc.StartCampaign(ctx, clerk, rec.Request.ID)
	w.in.disarm()
	require.NoError(t, err, "a failed notice does not fail the campaign step")
	assert.Equal(t, 1, v.Undelivered)
	assert.Len(t, w.notifier.Sent(), 4)
	failed := rec.Result.Panel[2].ExpertID
	assert.True(t, notifyAgrees(t, w))

	_, err = w.svc.StartCampaign(ctx, clerk, rec.Request.ID)
	require.ErrorIs(t, err, expertdb.ErrCampaignStarted)
	v, err = w.svc.Deliver(ctx, clerk, rec.Request.ID)
	require.NoError(t, err)
	assert.Zero(t, v.Undelivered)
	assert.Len(t, w.notifier.Sent(), 5)
	assert.Equal(t, failed, w.notifier.Sent()[4].ExpertID)

	// A resend: the new code works, the old one no longer does.
	id := rec.Result.Panel[0].ExpertID
	old := lastCode(w, id)
	_, err = w.svc.Resend(ctx, clerk, rec.Request.ID, id)
	require.NoError(t, err)
	fresh := lastCode(w, id)
	require.NotEqual(t, old, fresh)
	_, err = w.svc.Respond(ctx, clerk, rec.Request.ID, expertdb.Response{ExpertID: id, Code: old, Accept: true, Pledge: "PL"})
	require.ErrorIs(t, err, selection.ErrReplyCode)
	_, err = w.svc.Respond(ctx, clerk, rec.Request.ID, expertdb.Response{ExpertID: id, Code: fresh, Accept: true, Pledge: "PL"})
	require.NoError(t, err)
	_, err = w.svc.Respond(ctx, clerk, rec.Request.ID, expertdb.Response{ExpertID: failed, Code: lastCode(w, failed), Accept: true, Pledge: "PL"})
	require.NoError(t, err)

	// The campaign survives a restart with its reissued codes.
	signer, _ := testSigner(t)
	again, err := expertdb.NewService(ctx, expertdb.Options{Users: users(), Signer: signer, Clock: w.clock.Now,
		Experts: w.experts, Events: w.events.MemoryEventStore, Audit: w.audit, Ratings: w.ratings, Ledger: w.ledger})
	require.NoError(t, err)
	v, err = again.Campaign(ctx, clerk, rec.Request.ID)
	require.NoError(t, err)
	assert.Zero(t, v.Undelivered)
}

// Attack (issue 15, 2): a colleague in the drawing unit calls Withdraw for each expert ID of
// the database: members and non-members answered differently, and nothing was recorded. Now
// 40 probes give 40 identical answers, 40 access-denied events and an alert.
func TestSealedPanelAnswersProbesUniformly(t *testing.T) {
	ctx := context.Background()
	w := newCodesWorld(t)
	w.admit(t, 40)
	rec, err := w.svc.Draw(ctx, clerk, storyRequest())
	require.NoError(t, err)
	_, err = w.svc.StartCampaign(ctx, clerk, rec.Request.ID)
	require.NoError(t, err)
	members := map[string]bool{}
	for _, p := range rec.Result.Panel {
		members[p.ExpertID] = true
	}
	// One member has accepted, so both seat states are on the panel.
	id := rec.Result.Panel[0].ExpertID
	_, err = w.svc.Respond(ctx, clerk, rec.Request.ID, expertdb.Response{ExpertID: id, Code: lastCode(w, id), Accept: true, Pledge: "PL"})
	require.NoError(t, err)

	answers := map[bool]map[string]int{true: {}, false: {}}
	denials := len(w.logged(t, audit.ActionAccessDenied))
	for i := range 40 {
		eid := fmt.Sprintf("E%04d", i)
		_, err := w.svc.Withdraw(ctx, colleague, rec.Request.ID, eid, "probe")
		require.Error(t, err)
		require.ErrorIs(t, err, expertdb.ErrSealedPanel)
		answers[members[eid]][err.Error()]++
	}
	require.Len(t, answers[true], 1, "one answer for members")
	require.Len(t, answers[false], 1, "one answer for non-members")
	for a := range answers[true] {
		assert.Contains(t, answers[false], a, "members and non-members get the same answer")
	}
	assert.Len(t, w.logged(t, audit.ActionAccessDenied), denials+40, "every probe is recorded")
	var fired bool
	for _, e := range w.logged(t, audit.ActionAlert) {
		fired = fired || strings.Contains(string(e.Data), "sealed-panel-probes")
	}
	assert.True(t, fired, "repeated probes raise an alert")

	// The drawing operator still records a real withdrawal.
	_, err = w.svc.Withdraw(ctx, clerk, rec.Request.ID, id, "临时出差")
	require.NoError(t, err)
}

// Attack (issue 15, 5): 100 concurrent wrong guesses were all evaluated; a clerk could lock
// an expert out on purpose (a veto) with no alert and no unlock. Now at most MaxWrongCodes are
// evaluated, the lockout blocks only the clerk's channel, raises an alert, and is lifted only
// with another person's approval.
func TestReplyLockoutNeitherRacesNorVetoes(t *testing.T) {
	ctx := context.Background()
	w := newCodesWorld(t)
	w.admit(t, 20)
	req := storyRequest()
	// Make E0001 (the registered expert account) sit on the panel.
	req.Preferred = nil
	rec, err := w.svc.Draw(ctx, clerk, req)
	require.NoError(t, err)
	_, err = w.svc.StartCampaign(ctx, clerk, rec.Request.ID)
	require.NoError(t, err)
	id := rec.Result.Panel[0].ExpertID

	var evaluated, locked atomic.Int32
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() {
			_, err := w.svc.Respond(ctx, clerk, rec.Request.ID, expertdb.Response{ExpertID: id, Code: fmt.Sprintf("9%07d", i), Accept: true, Pledge: "p"})
			switch {
			case errors.Is(err, selection.ErrReplyCode):
				evaluated.Add(1)
			case errors.Is(err, expertdb.ErrReplyLocked):
				locked.Add(1)
			default:
				t.Errorf("guess %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, int(evaluated.Load()), expertdb.MaxWrongCodes, "at most MaxWrongCodes guesses are evaluated")
	assert.Equal(t, 100-int(evaluated.Load()), int(locked.Load()))

	// The right code through the abused channel is refused too…
	_, err = w.svc.Respond(ctx, clerk, rec.Request.ID, expertdb.Response{ExpertID: id, Code: lastCode(w, id), Accept: true, Pledge: "p"})
	require.ErrorIs(t, err, expertdb.ErrReplyLocked)
	var fired bool
	for _, e := range w.logged(t, audit.ActionAlert) {
		fired = fired || strings.Contains(string(e.Data), "reply-lockout")
	}
	assert.True(t, fired, "the lockout raises an alert")

	// …and Expire cannot refill the seat before the deadline: the expert's own path is open.
	_, err = w.svc.Expire(ctx, clerk, rec.Request.ID)
	require.NoError(t, err)
	v, err := w.svc.Campaign(ctx, clerk, rec.Request.ID)
	require.NoError(t, err)
	assert.Equal(t, selection.SeatPending, v.Seats[0].Status)

	// Unlocking needs a second person with the right to approve.
	require.ErrorIs(t, w.svc.UnlockReplies(ctx, clerk, clerk, rec.Request.ID, id, expertdb.ChannelProxy), audit.ErrDenied)
	require.ErrorIs(t, w.svc.UnlockReplies(ctx, clerk, colleague, rec.Request.ID, id, expertdb.ChannelProxy), audit.ErrDenied)
	require.NoError(t, w.svc.UnlockReplies(ctx, clerk, leader, rec.Request.ID, id, expertdb.ChannelProxy))
	_, err = w.svc.Respond(ctx, clerk, rec.Request.ID, expertdb.Response{ExpertID: id, Code: lastCode(w, id), Accept: true, Pledge: "p"})
	require.NoError(t, err, "after the approved unlock the recorded phone reply goes through")
}

// The lockout of the clerk's channel does not block the expert's own reply.
func TestReplyLockoutSparesTheExpertsOwnChannel(t *testing.T) {
	ctx := context.Background()
	w := newCodesWorld(t)
	w.admit(t, 20)
	rec, err := w.svc.Draw(ctx, clerk, storyRequest())
	require.NoError(t, err)
	_, err = w.svc.StartCampaign(ctx, clerk, rec.Request.ID)
	require.NoError(t, err)
	var onPanel bool
	for _, p := range rec.Result.Panel {
		onPanel = onPanel || p.ExpertID == expertUser.ID
	}
	if !onPanel {
		t.Skipf("E0001 is not on the panel of this draw: %v", pickIDsOf(rec.Result.Panel))
	}
	for range expertdb.MaxWrongCodes + 2 {
		_, err := w.svc.Respond(ctx, clerk, rec.Request.ID, expertdb.Response{ExpertID: expertUser.ID, Code: "00000000", Accept: true, Pledge: "p"})
		require.Error(t, err)
	}
	_, err = w.svc.Respond(ctx, expertUser, rec.Request.ID, expertdb.Response{ExpertID: expertUser.ID, Code: lastCode(w, expertUser.ID),
		Accept: true, Pledge: "PL-self"})
	require.NoError(t, err, "the expert replies through their own channel")
}

// Attack (issue 15, 6): one edited audit row made a maintainer act as city administrator after
// a restart, and a truncated log restarted silently. Now NewService refuses both.
func TestTamperedAuditLogRefusesToStart(t *testing.T) {
	ctx := context.Background()
	signer, _ := testSigner(t)
	store := audit.NewMemoryStore()
	svc, err := expertdb.NewService(ctx, expertdb.Options{Users: users(), Signer: signer, Audit: store})
	require.NoError(t, err)
	require.NoError(t, svc.ChangePermissions(ctx, audit.Change{By: admin, ApprovedBy: leader, Reason: "调整单位",
		User: audit.User{ID: maintainer.ID, Name: maintainer.Name, Role: audit.RoleMaintainer, Unit: "温州市科技局信息中心"}}))
	_, err = svc.Admit(ctx, admin, applicant(1))
	require.NoError(t, err)

	n, err := store.Len(ctx)
	require.NoError(t, err)
	recs, err := store.Read(ctx, 0, n)
	require.NoError(t, err)
	edit := -1
	for i, r := range recs {
		if strings.Contains(string(r), `"permission-change"`) {
			edit = i
		}
	}
	require.GreaterOrEqual(t, edit, 0)
	forged := []byte(strings.Replace(string(recs[edit]), `"role":"maintainer"`, `"role":"city-admin"`, 1))
	require.NotEqual(t, recs[edit], forged)
	cp, err := store.LatestCheckpoint(ctx)
	require.NoError(t, err)

	copyOf := func(rs [][]byte, hashes bool) *audit.MemoryStore {
		st := audit.NewMemoryStore()
		if len(rs) > 0 {
			require.NoError(t, st.Append(ctx, rs...))
		}
		if hashes {
			idx := make([]int64, tlog.StoredHashCount(n))
			for i := range idx {
				idx[i] = int64(i)
			}
			hs, err := store.ReadHashes(ctx, idx)
			require.NoError(t, err)
			require.NoError(t, st.WriteHashes(ctx, idx, hs))
		}
		require.NoError(t, st.SaveCheckpoint(ctx, cp))
		return st
	}
	edited := append(append(append([][]byte(nil), recs[:edit]...), forged), recs[edit+1:]...)
	for name, st := range map[string]*audit.MemoryStore{
		"edited row, hashes kept":      copyOf(edited, true),
		"edited row, hashes rewritten": copyOf(edited, false),
		"truncated by one":             copyOf(recs[:n-1], false),
	} {
		t.Run(name, func(t *testing.T) {
			again, err := expertdb.NewService(ctx, expertdb.Options{Users: users(), Signer: signer, Audit: st})
			require.Error(t, err, "a tampered log is refused")
			assert.Nil(t, again)
		})
	}
	// The untouched store restarts, with the change replayed.
	again, err := expertdb.NewService(ctx, expertdb.Options{Users: users(), Signer: signer, Audit: copyOf(recs, true)})
	require.NoError(t, err)
	for _, u := range again.Users() {
		if u.ID == maintainer.ID {
			assert.Equal(t, audit.RoleMaintainer, u.Role)
			assert.Equal(t, "温州市科技局信息中心", u.Unit)
		}
	}
}

// Two drawers of one request at once: one draw, recorded once; the other is a refused
// redraw, recorded as such.
func TestConcurrentDrawsOfOneRequest(t *testing.T) {
	ctx := context.Background()
	w := newCodesWorld(t)
	w.admit(t, 20)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { _, errs[i] = w.svc.Draw(ctx, clerk, storyRequest()) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			require.ErrorIs(t, err, expertdb.ErrAlreadyDrawn)
		}
	}
	assert.Equal(t, 1, ok)
	drawn, refused := 0, 0
	for _, e := range w.logged(t, audit.ActionDraw) {
		switch {
		case strings.Contains(string(e.Data), `"outcome":"drawn"`):
			drawn++
		case strings.Contains(string(e.Data), `"outcome":"refused-redraw"`):
			refused++
		}
	}
	assert.Equal(t, 1, drawn)
	assert.Equal(t, len(errs)-1, refused)
}
