package selection_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/selection"
)

// detReader is a deterministic byte stream for reply codes in tests (production passes
// crypto/rand.Reader).
type detReader struct {
	seed uint64
	buf  []byte
}

func (r *detReader) Read(p []byte) (int, error) {
	for len(r.buf) < len(p) {
		s := sha256.Sum256(fmt.Appendf(nil, "%d", r.seed))
		r.seed++
		r.buf = append(r.buf, s[:]...)
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

func newCampaign(t testing.TB, req selection.Request, p selection.Pool) *selection.Campaign {
	t.Helper()
	prep, err := selection.Prepare(req, nil)
	require.NoError(t, err)
	c, err := selection.NewCampaign(prep, p, testEntropy, 48*time.Hour)
	require.NoError(t, err)
	return c
}

func TestCampaignDeclineRefillsUnderTheSameStructure(t *testing.T) {
	req := request(4)
	req.Quotas = []selection.Quota{{Name: "economic", Filter: `"economic" in expert.Categories`, Min: 1, Max: 1}}
	req.Groups = []selection.GroupCap{{Name: "unit", Key: "expert.Affiliation.Org", Max: 1}}
	p := pool(30, 10)
	c := newCampaign(t, req, p)
	rnd := &detReader{}
	notices, err := c.Start(activity.Add(-72*time.Hour), rnd)
	require.NoError(t, err)
	require.Len(t, notices, 4)
	codes := map[string]string{}
	for _, n := range notices {
		codes[n.ExpertID] = n.Code
	}
	// Find the economic expert and let them decline: the refill must be economic again.
	var econ string
	for _, n := range notices {
		if idx := expertIndex(n.ExpertID); idx%3 == 0 {
			econ = n.ExpertID
		}
	}
	require.NotEmpty(t, econ)
	at := activity.Add(-70 * time.Hour)
	_, err = c.Decline(econ, "00000000", "出差", false, at, rnd)
	require.ErrorIs(t, err, selection.ErrReplyCode)
	refill, err := c.Decline(econ, codes[econ], "不熟悉该领域", true, at, rnd)
	require.NoError(t, err)
	require.Len(t, refill, 1)
	assert.Zero(t, expertIndex(refill[0].ExpertID)%3, "refill %s must be economic", refill[0].ExpertID)
	for _, s := range c.Seats() {
		if s.ExpertID == econ {
			assert.Equal(t, selection.SeatDeclined, s.Status)
			assert.True(t, s.UnfamiliarField)
		}
	}
	units := map[string]bool{}
	for _, s := range c.Panel() {
		u := p.Experts[expertIndex(s.ExpertID)].Affiliation.Org
		assert.False(t, units[u], "two panel members from %s", u)
		units[u] = true
	}
}

func expertIndex(id string) int {
	var i int
	fmt.Sscanf(id, "E%d", &i)
	return i
}

func TestCampaignAcceptNeedsPledgeCodeAndDeadline(t *testing.T) {
	c := newCampaign(t, request(2), pool(10, 10))
	rnd := &detReader{}
	start := activity.Add(-72 * time.Hour)
	notices, err := c.Start(start, rnd)
	require.NoError(t, err)
	l := selection.NewMemoryLedger()
	ctx := context.Background()
	n := notices[0]
	_, err = c.Accept(ctx, l, n.ExpertID, n.Code, "", start.Add(time.Hour), rnd)
	require.ErrorIs(t, err, selection.ErrInvalidRequest)
	_, err = c.Accept(ctx, l, n.ExpertID, n.Code, "承诺书-001", n.Deadline.Add(time.Second), rnd)
	require.Error(t, err)
	_, err = c.Accept(ctx, l, n.ExpertID, n.Code, "承诺书-001", start.Add(time.Hour), rnd)
	require.NoError(t, err)
	assert.Equal(t, 1, l.Count(n.ExpertID, selection.CapYear(activity)))
	_, err = c.Accept(ctx, l, n.ExpertID, n.Code, "承诺书-001", start.Add(time.Hour), rnd)
	require.Error(t, err, "a reply code is one-time")
}

func TestCampaignRefusedReservationBecomesVacancy(t *testing.T) {
	p := pool(10, 10)
	c := newCampaign(t, request(2), p)
	rnd := &detReader{}
	start := activity.Add(-72 * time.Hour)
	notices, err := c.Start(start, rnd)
	require.NoError(t, err)
	l := selection.NewMemoryLedger()
	l.Preload(selection.CapYear(activity), map[string]int{notices[0].ExpertID: 10})
	refill, err := c.Accept(context.Background(), l, notices[0].ExpertID, notices[0].Code, "承诺书", start.Add(time.Hour), rnd)
	require.NoError(t, err)
	require.Len(t, refill, 1)
	assert.Equal(t, selection.SeatRefused, c.Seats()[0].Status)
	assert.Equal(t, 10, l.Count(notices[0].ExpertID, selection.CapYear(activity)))
}

func TestCampaignExpireAndWithdraw(t *testing.T) {
	c := newCampaign(t, request(3), pool(10, 10))
	rnd := &detReader{}
	start := activity.Add(-96 * time.Hour)
	notices, err := c.Start(start, rnd)
	require.NoError(t, err)
	l := selection.NewMemoryLedger()
	ctx := context.Background()
	_, err = c.Accept(ctx, l, notices[0].ExpertID, notices[0].Code, "承诺书", start.Add(time.Hour), rnd)
	require.NoError(t, err)
	refills, err := c.Expire(start.Add(49*time.Hour), rnd)
	require.NoError(t, err)
	assert.Len(t, refills, 2)
	refill, err := c.Withdraw(ctx, l, notices[0].ExpertID, "临时出差", start.Add(50*time.Hour), rnd)
	require.NoError(t, err)
	assert.Len(t, refill, 1)
	assert.Equal(t, selection.SeatWithdrawn, c.Seats()[0].Status)
	assert.Equal(t, 0, l.Count(notices[0].ExpertID, selection.CapYear(activity)))
	assert.Len(t, c.Panel(), 3)
}

func TestCampaignRunsOutOfCandidates(t *testing.T) {
	c := newCampaign(t, request(2), pool(3, 3))
	rnd := &detReader{}
	start := activity.Add(-96 * time.Hour)
	notices, err := c.Start(start, rnd)
	require.NoError(t, err)
	refill, err := c.Decline(notices[0].ExpertID, notices[0].Code, "", false, start.Add(time.Hour), rnd)
	require.NoError(t, err)
	_, err = c.Decline(refill[0].ExpertID, refill[0].Code, "", false, start.Add(time.Hour), rnd)
	require.ErrorIs(t, err, selection.ErrExhausted)
	var se *selection.Error
	require.True(t, errors.As(err, &se))
	assert.Equal(t, "Art. 14(2)", se.Article)
}

func TestNoticeHasNoProjectSecretOrOtherName(t *testing.T) {
	req := request(3)
	req.Project.ID = "P-SECRET-42"
	req.Project.Leader.Name = "项目负责人甲"
	p := pool(10, 10)
	for i := range p.Experts {
		p.Experts[i].Name = fmt.Sprintf("欧阳%c%c", '甲'+rune(i), '乙'+rune(i))
	}
	c := newCampaign(t, req, p)
	notices, err := c.Start(activity.Add(-72*time.Hour), &detReader{})
	require.NoError(t, err)
	for _, n := range notices {
		assert.NotContains(t, n.Text, "P-SECRET-42")
		assert.NotContains(t, n.Text, "项目负责人甲")
		assert.NotContains(t, n.Text, "申报企业")
		assert.Contains(t, n.Text, n.Code)
		assert.Contains(t, n.Text, "欧阳**")
		for _, e := range p.Experts {
			assert.NotContains(t, n.Text, e.Name)
			assert.NotContains(t, n.Text, e.Mobile)
		}
	}
}

func TestReplayRebuildsTheCampaignExactly(t *testing.T) {
	req := request(3)
	req.Quotas = []selection.Quota{{Name: "economic", Filter: `"economic" in expert.Categories`, Min: 1}}
	p := pool(20, 20)
	c := newCampaign(t, req, p)
	rnd := &detReader{}
	start := activity.Add(-96 * time.Hour)
	notices, err := c.Start(start, rnd)
	require.NoError(t, err)
	refill, err := c.Decline(notices[1].ExpertID, notices[1].Code, "时间冲突", false, start.Add(time.Hour), rnd)
	require.NoError(t, err)
	_, err = c.Accept(context.Background(), selection.NewMemoryLedger(), refill[0].ExpertID, refill[0].Code, "承诺书", start.Add(2*time.Hour), rnd)
	require.NoError(t, err)
	_, err = c.Expire(start.Add(49*time.Hour), rnd)
	require.NoError(t, err)

	fresh := newCampaign(t, req, p)
	require.NoError(t, fresh.Replay(c.Events()))
	assert.Equal(t, c.Seats(), fresh.Seats())
	assert.Equal(t, c.Events(), fresh.Events())
	assert.Equal(t, c.Panel(), fresh.Panel())

	// A tampered log (a refill that the sequence would not choose) is refused.
	evs := c.Events()
	for i := range evs {
		if evs[i].Refill {
			evs[i].ExpertID = "E000"
			break
		}
	}
	require.ErrorIs(t, newCampaign(t, req, p).Replay(evs), selection.ErrReplay)
}

func TestMemoryLedgerIsAtomicUnderConcurrency(t *testing.T) {
	l := selection.NewMemoryLedger()
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if l.Reserve(context.Background(), "E1", 2025, fmt.Sprintf("A%d", i), 10) == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 10, ok)
	assert.Equal(t, 10, l.Count("E1", 2025))
}

// TestCampaignStateMachineKeepsInvariants drives a campaign with random replies: the panel
// never holds two seats for one expert, never exceeds Size, always meets the structure when
// full, no expert is pushed past the cap, and Replay rebuilds the state at every step.
func TestCampaignStateMachineKeepsInvariants(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		req := request(rapid.IntRange(2, 4).Draw(t, "size"))
		req.Quotas = []selection.Quota{{Name: "economic", Filter: `"economic" in expert.Categories`, Min: 1, Max: 2}}
		req.Groups = []selection.GroupCap{{Name: "unit", Key: "expert.Affiliation.Org", Max: 1}}
		p := pool(rapid.IntRange(8, 16).Draw(t, "experts"), 6)
		prep, err := selection.Prepare(req, nil)
		require.NoError(t, err)
		ent := selection.Entropy{Sources: [][]uint64{{rapid.Uint64().Draw(t, "entropy")}}}
		c, err := selection.NewCampaign(prep, p, ent, 48*time.Hour)
		require.NoError(t, err)
		ledger := selection.NewMemoryLedger()
		year := selection.CapYear(activity)
		preload := map[string]int{}
		for _, e := range p.Experts {
			preload[e.ID] = rapid.IntRange(8, 10).Draw(t, "usage")
		}
		ledger.Preload(year, preload)
		rnd := &detReader{seed: rapid.Uint64().Draw(t, "codes")}
		now := activity.Add(-30 * 24 * time.Hour)
		codes := map[string]string{}
		remember := func(ns []selection.Notice) {
			for _, n := range ns {
				codes[n.ExpertID] = n.Code
			}
		}
		ns, err := c.Start(now, rnd)
		require.NoError(t, err)
		remember(ns)
		exhausted := false
		step := func(ns []selection.Notice, err error) {
			if errors.Is(err, selection.ErrExhausted) {
				exhausted = true
				return
			}
			var se *selection.Error
			if errors.As(err, &se) && se.Code == "late" {
				return // a reply after the deadline is refused and changes nothing
			}
			require.NoError(t, err)
			remember(ns)
		}
		pending := func() []selection.Seat {
			var out []selection.Seat
			for _, s := range c.Panel() {
				if s.Status == selection.SeatPending {
					out = append(out, s)
				}
			}
			return out
		}
		accepted := func() []selection.Seat {
			var out []selection.Seat
			for _, s := range c.Panel() {
				if s.Status == selection.SeatAccepted {
					out = append(out, s)
				}
			}
			return out
		}
		t.Repeat(map[string]func(*rapid.T){
			"accept": func(t *rapid.T) {
				ps := pending()
				if len(ps) == 0 || exhausted {
					t.Skip("nobody pending")
				}
				s := rapid.SampledFrom(ps).Draw(t, "seat")
				now = now.Add(time.Hour)
				step(c.Accept(context.Background(), ledger, s.ExpertID, codes[s.ExpertID], "承诺书", now, rnd))
			},
			"decline": func(t *rapid.T) {
				ps := pending()
				if len(ps) == 0 || exhausted {
					t.Skip("nobody pending")
				}
				s := rapid.SampledFrom(ps).Draw(t, "seat")
				now = now.Add(time.Hour)
				step(c.Decline(s.ExpertID, codes[s.ExpertID], "没空", rapid.Bool().Draw(t, "unfamiliar"), now, rnd))
			},
			"expire": func(t *rapid.T) {
				now = now.Add(time.Duration(rapid.IntRange(1, 60).Draw(t, "hours")) * time.Hour)
				step(c.Expire(now, rnd))
			},
			"withdraw": func(t *rapid.T) {
				as := accepted()
				if len(as) == 0 || exhausted {
					t.Skip("nobody accepted")
				}
				s := rapid.SampledFrom(as).Draw(t, "seat")
				now = now.Add(time.Hour)
				step(c.Withdraw(context.Background(), ledger, s.ExpertID, "临时有事", now, rnd))
			},
			"": func(t *rapid.T) {
				panel := c.Panel()
				require.LessOrEqual(t, len(panel), req.Size)
				seen := map[string]bool{}
				units := map[string]bool{}
				econ := 0
				for _, s := range panel {
					require.False(t, seen[s.ExpertID], "expert %s holds two seats", s.ExpertID)
					seen[s.ExpertID] = true
					e := p.Experts[expertIndex(s.ExpertID)]
					require.False(t, units[e.Affiliation.Org], "two seats for unit %s", e.Affiliation.Org)
					units[e.Affiliation.Org] = true
					if expertIndex(s.ExpertID)%3 == 0 {
						econ++
					}
				}
				require.LessOrEqual(t, econ, 2)
				if !exhausted {
					require.Len(t, panel, req.Size)
					require.GreaterOrEqual(t, econ, 1)
				}
				notified := map[string]int{}
				for _, s := range c.Seats() {
					notified[s.ExpertID]++
					require.Equal(t, 1, notified[s.ExpertID], "expert %s notified twice", s.ExpertID)
				}
				for _, e := range p.Experts {
					require.LessOrEqual(t, ledger.Count(e.ID, year), 10, "expert %s past the cap", e.ID)
				}
				fresh, err := selection.NewCampaign(prep, p, ent, 48*time.Hour)
				require.NoError(t, err)
				require.NoError(t, fresh.Replay(c.Events()))
				require.Equal(t, c.Seats(), fresh.Seats())
			},
		})
	})
}
