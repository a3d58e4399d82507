package sqlstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/examples/sqlstore"
	"github.com/wzsti/expertdb/selection"
)

// drawFrom draws benchRequest (size 5) from the snapshot's pool.
func drawFrom(t require.TestingT, s *expertdb.PoolSnapshot, seed uint64) (*selection.Result, error) {
	pool, err := s.Pool()
	require.NoError(t, err)
	req := benchRequest()
	req.Size = 5
	req.Quotas[0].Min = 1
	return selection.Draw(req, pool, selection.Entropy{Sources: [][]uint64{{seed}}}, nil)
}

// sameSnapshot requires got (read incrementally) to hold what want (read in full) holds: the
// same experts with the same digests, usage, ratings and seats.
func sameSnapshot(t require.TestingT, what string, want, got *expertdb.PoolSnapshot) {
	require.Equal(t, want.Version, got.Version, what)
	byID := func(s *expertdb.PoolSnapshot) map[string]string {
		m := map[string]string{}
		for i, e := range s.Experts {
			b, err := json.Marshal(e)
			require.NoError(t, err)
			d := ""
			if s.Digests != nil {
				d = s.Digests[i]
			}
			m[e.ID] = string(b) + " " + d
		}
		return m
	}
	require.Equal(t, byID(want), byID(got), what)
	require.Len(t, got.Experts, len(want.Experts), what)
	require.Equal(t, want.Usage, got.Usage, what)
	require.Equal(t, want.Ratings, got.Ratings, what)
	require.Equal(t, want.Seats, got.Seats, what)
}

// TestIncrementalSnapshot: two handles on one database stand for two processes. After each
// write through one (an expert updated, inserted, deleted, a ledger reservation, a rating, a
// seat, and rows written, changed and deleted by another program through plain SQL), the
// very next snapshot through the other shows it, equals the snapshot a fresh handle reads in
// full, and draws exactly like it; the unchanged experts are the kept ones (not read again).
func TestIncrementalSnapshot(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		ctx := context.Background()
		a, b := open(t), open(t)
		seedExperts(t, a, 60)
		prev := snapshotOf(t, b, 2026)
		_, err := drawFrom(t, prev, 1) // fills the kept pool's cache
		require.NoError(t, err)
		exec := func(q string, args ...any) {
			_, err := a.SQL().ExecContext(ctx, strings.NewReplacer("{experts}", a.Table("experts")).Replace(q), args...)
			require.NoError(t, err)
		}
		foreign := func(e admission.Expert) []byte {
			data, err := json.Marshal(e)
			require.NoError(t, err)
			return data
		}
		seat := func(id string, day int) []byte {
			from := time.Date(2026, 6, day, 0, 0, 0, 0, time.UTC)
			data, err := json.Marshal(map[string]any{"expert_id": id, "activity_id": fmt.Sprint("A", day), "from": from,
				"to": from.Add(72 * time.Hour), "at": from, "applicant_unit": "单位007"})
			require.NoError(t, err)
			return data
		}
		seatSeq := int64(0)
		steps := []struct {
			name        string
			write       func()
			sameExperts bool // the experts slice is the kept one
		}{
			{"expert updated", func() {
				e := benchExpert(3)
				e.Affiliation.Org = "单位007"
				require.NoError(t, a.Experts().Put(ctx, e))
			}, false},
			{"expert exits", func() {
				e := benchExpert(4)
				e.Status = admission.Exited
				require.NoError(t, a.Experts().Put(ctx, e))
			}, false},
			{"expert inserted", func() { require.NoError(t, a.Experts().Put(ctx, benchExpert(70))) }, false},
			{"expert deleted", func() { require.NoError(t, a.Experts().Delete(ctx, benchExpert(5).ID)) }, false},
			{"ledger reserve", func() { require.NoError(t, a.Ledger().Reserve(ctx, benchExpert(6).ID, 2026, "A1", 1)) }, true},
			{"rating", func() {
				require.NoError(t, a.Ratings().Add(ctx, evaluation.Rating{ExpertID: benchExpert(7).ID, ActivityID: "A0", RaterUnit: "U",
					Grade: evaluation.Poor, At: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)}))
			}, true},
			{"seat", func() {
				require.NoError(t, a.Events().AppendEvent(ctx, "seats", seatSeq, seat(benchExpert(8).ID, 1)))
				seatSeq++
			}, true},
			{"foreign update", func() {
				e := benchExpert(9)
				e.Title = admission.Senior
				e.Categories = append(e.Categories, admission.Economic)
				exec(`UPDATE {experts} SET data = $1 WHERE id = $2`, foreign(e), e.ID)
			}, false},
			{"foreign insert", func() {
				e := benchExpert(71)
				exec(`INSERT INTO {experts} (id, status, data, updated_at) VALUES ($1, $2, $3, $4)`, e.ID, string(e.Status), foreign(e), e.UpdatedAt.Unix())
			}, false},
			{"foreign delete", func() { exec(`DELETE FROM {experts} WHERE id = $1`, benchExpert(10).ID) }, false},
			{"foreign row rewritten by the store", func() { require.NoError(t, a.Experts().Put(ctx, benchExpert(71))) }, false},
			{"many at once", func() {
				require.NoError(t, a.Atomically(ctx, func(ctx context.Context) error {
					for i := 20; i < 30; i++ {
						e := benchExpert(i)
						e.BirthDate = e.BirthDate.AddDate(-i, 0, 0)
						if err := a.Experts().Put(ctx, e); err != nil {
							return err
						}
					}
					if err := a.Experts().Delete(ctx, benchExpert(31).ID); err != nil {
						return err
					}
					return a.Ledger().Reserve(ctx, benchExpert(32).ID, 2026, "A2", 1)
				}))
			}, false},
			{"deleted expert back", func() { require.NoError(t, a.Experts().Put(ctx, benchExpert(5))) }, false},
			{"several deleted, changed and added at once", func() {
				require.NoError(t, a.Atomically(ctx, func(ctx context.Context) error {
					for _, i := range []int{0 + 40, 59, 58, 1, 33, 71} {
						if err := a.Experts().Delete(ctx, benchExpert(i).ID); err != nil {
							return err
						}
					}
					for _, i := range []int{80, 81, 82, 2} {
						e := benchExpert(i)
						e.Region = "330302"
						if err := a.Experts().Put(ctx, e); err != nil {
							return err
						}
					}
					return nil
				}))
			}, false},
			{"foreign replace", func() {
				e := benchExpert(2)
				e.Status = admission.Exited
				if a.Engine() == sqlstore.SQLite { // SQLite's REPLACE deletes without the delete triggers
					exec(`INSERT OR REPLACE INTO {experts} (id, status, data, updated_at) VALUES ($1, $2, $3, 0)`, e.ID, string(e.Status), foreign(e))
				} else {
					exec(`INSERT INTO {experts} (id, status, data, updated_at) VALUES ($1, $2, $3, 0) ON CONFLICT (id) DO UPDATE SET status = excluded.status, data = excluded.data`,
						e.ID, string(e.Status), foreign(e))
				}
			}, false},
			{"all but a few deleted", func() { exec(`DELETE FROM {experts} WHERE id > $1`, benchExpert(12).ID) }, false},
		}
		for k, st := range steps {
			st.write()
			got := snapshotOf(t, b, 2026)
			fresh := open(t) // a fresh handle: nothing kept, every row read
			full := snapshotOf(t, fresh, 2026)
			require.NoError(t, fresh.Close())
			sameSnapshot(t, st.name, full, got)
			listed, err := a.Experts().List(ctx) // the profiles themselves
			require.NoError(t, err)
			require.Equal(t, jsonOf(t, listed), jsonOf(t, sortedByID(got.Experts)), st.name)
			if st.sameExperts {
				require.Same(t, unsafe.SliceData(prev.Experts), unsafe.SliceData(got.Experts), st.name)
			} else {
				require.NotSame(t, unsafe.SliceData(prev.Experts), unsafe.SliceData(got.Experts), st.name)
				// An unchanged expert is the kept one: its strings were not decoded again.
				kept := map[string]*byte{}
				for _, e := range prev.Experts {
					kept[e.ID] = unsafe.StringData(e.Name)
				}
				e := byID(got, benchExpert(0).ID)
				require.Same(t, kept[e.ID], unsafe.StringData(e.Name), st.name)
			}
			for seed := range uint64(3) {
				want, wantErr := drawFrom(t, full, seed+uint64(k))
				res, err := drawFrom(t, got, seed+uint64(k))
				if wantErr != nil {
					require.EqualError(t, err, wantErr.Error(), st.name)
					continue
				}
				require.NoError(t, err, st.name)
				require.Equal(t, want, res, st.name)
			}
			prev = got
		}
		// Another year of the same version shares the experts.
		other := snapshotOf(t, b, 2027)
		require.Same(t, unsafe.SliceData(prev.Experts), unsafe.SliceData(other.Experts))
		sameSnapshot(t, "2027", snapshotOf(t, open(t), 2027), other)
	})
}

// TestIncrementalSnapshotConcurrent: draws through one handle run while another writes
// experts and the ledger (run with -race); afterwards the snapshot equals a full reload and
// draws like it.
func TestIncrementalSnapshotConcurrent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		ctx := context.Background()
		a, b := open(t), open(t)
		seedExperts(t, a, 40)
		done := make(chan struct{})
		errs := make(chan error, 4)
		for g := range 3 {
			go func() {
				for k := 0; ; k++ {
					select {
					case <-done:
						errs <- nil
						return
					default:
					}
					s, err := b.Experts().PoolSnapshot(ctx, expertdb.SnapshotQuery{Year: 2026 + k%2, Seats: "seats",
						Ledger: b.Ledger(), Ratings: b.Ratings(), Events: b.Events()})
					if err == nil {
						_, err = drawFrom(t, s, uint64(g*100+k))
					}
					if err != nil && !strings.Contains(err.Error(), "selection") {
						errs <- err
						return
					}
				}
			}()
		}
		for i := range 12 {
			e := benchExpert(i * 3)
			e.Title = admission.Senior
			require.NoError(t, a.Experts().Put(ctx, e))
			require.NoError(t, a.Ledger().Reserve(ctx, benchExpert(i).ID, 2026, fmt.Sprint("C", i), 5))
			if i%4 == 0 {
				require.NoError(t, a.Experts().Delete(ctx, benchExpert(39-i).ID))
			}
		}
		close(done)
		for range 3 {
			require.NoError(t, <-errs)
		}
		got, full := snapshotOf(t, b, 2026), snapshotOf(t, open(t), 2026)
		sameSnapshot(t, "after the writes", full, got)
		want, wantErr := drawFrom(t, full, 5)
		res, err := drawFrom(t, got, 5)
		require.Equal(t, wantErr, err)
		require.Equal(t, want, res)
	})
}
