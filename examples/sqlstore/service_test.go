package sqlstore_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/examples/sqlstore"
	"github.com/wzsti/expertdb/selection"
)

var (
	cst    = time.FixedZone("CST", 8*3600)
	clerk  = audit.Actor{ID: "u-clerk", Name: "李四", Role: audit.RoleDivision, Unit: "高新技术处"}
	leader = audit.Actor{ID: "u-leader", Name: "郑国强", Role: audit.RoleLeader, Unit: "市科技局"}
	// colleague enters a committed source's published value (two-person rule, issue 16).
	colleague = audit.Actor{ID: "u-clerk2", Name: "孔九", Role: audit.RoleDivision, Unit: "高新技术处"}
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// service opens a Service over db, as a process would: its own pool, the shared signer.
func service(t testing.TB, db *sqlstore.DB, p *expertdb.Policy, c *clock, n *expertdb.RecordingNotifier, seed byte) *expertdb.Service {
	signer, _ := testKeys(t)
	svc, err := expertdb.NewService(context.Background(), expertdb.Options{
		Policy: p, Users: []audit.User{{ID: clerk.ID, Name: clerk.Name, Role: clerk.Role, Unit: clerk.Unit},
			{ID: leader.ID, Name: leader.Name, Role: leader.Role, Unit: leader.Unit},
			{ID: colleague.ID, Name: colleague.Name, Role: colleague.Role, Unit: colleague.Unit}},
		Experts: db.Experts(), Ratings: db.Ratings(), Ledger: db.Ledger(), Events: db.Events(), Audit: db.Audit(),
		Signer: signer, Notifier: n, Clock: c.Now, Random: bytes.NewReader(bytes.Repeat([]byte{seed}, 1<<16)),
	})
	require.NoError(t, err)
	return svc
}

func seedExperts(t testing.TB, db *sqlstore.DB, n int) {
	experts := make([]admission.Expert, n)
	for i := range experts {
		experts[i] = benchExpert(i)
	}
	require.NoError(t, db.Experts().PutMany(context.Background(), experts))
}

func request(id string, size int) expertdb.DrawRequest {
	return expertdb.DrawRequest{
		Request: selection.Request{ID: id, Size: size, At: time.Date(2026, 6, 1, 9, 0, 0, 0, cst),
			Project: conflict.Project{ID: "P-" + id, Leader: conflict.Person{ID: "L", Name: "项目负责人",
				Affiliation: admission.Affiliation{Org: "某某大学", Kind: admission.University, Department: "某学院"}}}},
		Unit:    clerk.Unit,
		Entropy: &selection.Entropy{Sources: [][]uint64{{7, 11, 13}}},
	}
}

// lastCode is the reply code of the last notice of request req sent to id.
func lastCode(t testing.TB, n *expertdb.RecordingNotifier, req, id string) string {
	sent := n.Sent()
	for i := len(sent) - 1; i >= 0; i-- {
		if sent[i].ExpertID == id && sent[i].RequestID == req {
			return sent[i].Code
		}
	}
	t.Fatalf("no reply code sent to %s", id)
	return ""
}

type seatState struct {
	ID     string
	Status selection.SeatStatus
}

func states(v *expertdb.CampaignView) []seatState {
	out := make([]seatState, len(v.Seats))
	for i, s := range v.Seats {
		out[i] = seatState{s.ExpertID, s.Status}
	}
	return out
}

// script is a campaign: start, the first notified declines, the second never answers, the
// rest accept; after the deadline, the refills accept. step k runs on svc(k).
func script(t *testing.T, svc func(k int) *expertdb.Service, c *clock, n *expertdb.RecordingNotifier) *expertdb.CampaignView {
	ctx := context.Background()
	const id = "R-CRASH"
	k := 0
	next := func() *expertdb.Service { k++; return svc(k) }
	_, err := next().Draw(ctx, clerk, request(id, 4))
	require.NoError(t, err)
	v, err := next().StartCampaign(ctx, clerk, id)
	require.NoError(t, err)
	first, second := v.Seats[0].ExpertID, v.Seats[1].ExpertID
	_, err = next().Respond(ctx, clerk, id, expertdb.Response{ExpertID: first, Code: lastCode(t, n, id, first), Reason: "时间冲突"})
	require.NoError(t, err)
	for done := false; !done; {
		v, err = next().Campaign(ctx, clerk, id)
		require.NoError(t, err)
		done = true
		for _, s := range v.Seats {
			if s.Status == selection.SeatPending && s.ExpertID != second {
				_, err = next().Respond(ctx, clerk, id, expertdb.Response{ExpertID: s.ExpertID, Code: lastCode(t, n, id, s.ExpertID),
					Accept: true, Pledge: "P-" + s.ExpertID})
				require.NoError(t, err)
				done = false
				break
			}
		}
		if done && !v.Complete {
			c.Set(c.Now().Add(25 * time.Hour)) // the second never answers
			_, err = next().Expire(ctx, clerk, id)
			require.NoError(t, err)
			done = false
		}
	}
	return v
}

// TestCampaignRebuiltAfterCrash: a campaign whose process is gone after every single step
// (each step runs in a new Service over a new connection pool) ends in exactly the state an
// uninterrupted run reaches.
func TestCampaignRebuiltAfterCrash(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			start := time.Date(2026, 5, 20, 9, 0, 0, 0, cst)

			// Uninterrupted run on its own database.
			c1 := &clock{t: start}
			n1 := &expertdb.RecordingNotifier{}
			db1 := e.fresh(t)(t)
			seedExperts(t, db1, 40)
			one := service(t, db1, nil, c1, n1, 1)
			want := script(t, func(int) *expertdb.Service { return one }, c1, n1)
			require.True(t, want.Complete)

			// The same script on a second database where every step is a new process: the
			// previous connection pool is closed and a new Service rebuilds from the stores.
			open := e.fresh(t)
			c2 := &clock{t: start}
			n2 := &expertdb.RecordingNotifier{}
			var prev *sqlstore.DB
			got := script(t, func(k int) *expertdb.Service {
				if prev != nil {
					prev.Close() // the process is gone
				} else {
					seedExperts(t, open(t), 40)
				}
				prev = open(t)
				return service(t, prev, nil, c2, n2, byte(k))
			}, c2, n2)
			assert.Equal(t, states(want), states(got))
			assert.True(t, got.Complete)
		})
	}
}

// TestTwoProcessesShareTheCap: two Services over two connection pools run campaigns for two
// requests drawn from the same experts, with a cap of one participation a year; everyone
// notified tries to accept at once. No expert ever sits on both panels.
func TestTwoProcessesShareTheCap(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		ctx := context.Background()
		p := expertdb.DefaultPolicy()
		p.Selection.AnnualCap = 1
		require.NoError(t, p.Compile())
		c := &clock{t: time.Date(2026, 5, 20, 9, 0, 0, 0, cst)}
		n := &expertdb.RecordingNotifier{}
		db := open(t)
		seedExperts(t, db, 14)
		svcs := []*expertdb.Service{service(t, db, p, c, n, 1), service(t, open(t), p, c, n, 2)}
		ids := []string{"R-A", "R-B"}
		// Real draws (a practice draw reserves nothing): submitted, approved, committed to a
		// public value published an hour later, drawn after it.
		src := expertdb.EntropySource{Kind: "lottery", Name: expertdb.SourceFucai3D, Round: "2026130", At: c.Now().Add(time.Hour), Count: 3}
		for i, svc := range svcs {
			r := request(ids[i], 5)
			r.Entropy = nil
			_, err := svc.Submit(ctx, clerk, r)
			require.NoError(t, err)
			_, err = svc.Approve(ctx, leader, ids[i], expertdb.ApproveRequest)
			require.NoError(t, err)
			_, err = svc.Commit(ctx, clerk, ids[i], src)
			require.NoError(t, err)
		}
		c.Set(src.At.Add(time.Minute))
		for i, svc := range svcs {
			v := expertdb.PublicValue{Source: src, Values: []uint64{7, 1, 3}}
			_, err := svc.PublishValue(ctx, colleague, ids[i], v)
			require.NoError(t, err)
			_, err = svc.DrawCommitted(ctx, clerk, ids[i], v)
			require.NoError(t, err)
			_, err = svc.StartCampaign(ctx, clerk, ids[i])
			require.NoError(t, err)
		}
		// Rounds: every pending seat of both campaigns accepts concurrently, until both are
		// complete or out of candidates.
		for round := 0; round < 20; round++ {
			var wg sync.WaitGroup
			progressed := false
			var mu sync.Mutex
			for i, svc := range svcs {
				v, err := svc.Campaign(ctx, clerk, ids[i])
				require.NoError(t, err)
				for _, s := range v.Seats {
					if s.Status != selection.SeatPending {
						continue
					}
					code := lastCode(t, n, ids[i], s.ExpertID)
					wg.Go(func() {
						_, err := svc.Respond(ctx, clerk, ids[i], expertdb.Response{ExpertID: s.ExpertID, Code: code, Accept: true, Pledge: "p"})
						mu.Lock()
						defer mu.Unlock()
						if err == nil {
							progressed = true
						} else if !errors.Is(err, selection.ErrExhausted) {
							t.Errorf("respond %s/%s: %v", ids[i], s.ExpertID, err)
						}
					})
				}
			}
			wg.Wait()
			if !progressed {
				break
			}
		}
		panels := map[string]string{}
		for i, svc := range svcs {
			v, err := svc.Campaign(ctx, clerk, ids[i])
			require.NoError(t, err)
			for _, s := range v.Panel {
				if s.Status != selection.SeatAccepted {
					continue
				}
				if other, dup := panels[s.ExpertID]; dup {
					t.Errorf("expert %s sits on %s and %s past the cap", s.ExpertID, other, ids[i])
				}
				panels[s.ExpertID] = ids[i]
			}
		}
		usage, err := db.Ledger().Usage(ctx, 2026)
		require.NoError(t, err)
		for id, u := range usage {
			assert.LessOrEqual(t, u, 1, "expert %s", id)
		}
		assert.Len(t, panels, 10, "14 experts fill both panels of 5 without breaking the cap")
	})
}
