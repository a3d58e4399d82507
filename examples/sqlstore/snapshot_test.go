package sqlstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/examples/sqlstore"
)

// TestSnapshotAcrossProcesses: two pools stand for two processes. The snapshot is reused
// while nothing a draw reads changes (also across writes it does not read: campaign events,
// draw records, audit records); every write a draw reads, through the other pool, is seen by
// the very next snapshot.
func TestSnapshotAcrossProcesses(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		ctx := context.Background()
		a, b := open(t), open(t)
		seedExperts(t, a, 5)
		s1 := snapshotOf(t, b, 2026)
		require.Len(t, s1.Experts, 5)
		assert.Same(t, s1, snapshotOf(t, b, 2026), "reused while unchanged")

		require.NoError(t, a.Events().AppendEvent(ctx, "campaign/R1", 0, []byte("{}")))
		require.NoError(t, a.Events().AppendEvent(ctx, "draw/R1", 0, []byte("{}")))
		require.NoError(t, a.Audit().Append(ctx, []byte("audit")))
		require.NoError(t, a.Events().PutProfiles(ctx, expertdb.Profile{Digest: "x", Data: []byte("y")}))
		assert.Same(t, s1, snapshotOf(t, b, 2026), "writes a draw does not read keep the snapshot")

		steps := []struct {
			name  string
			write func()
			check func(s *expertdb.PoolSnapshot)
		}{
			{"new expert", func() { require.NoError(t, a.Experts().Put(ctx, benchExpert(9))) },
				func(s *expertdb.PoolSnapshot) { assert.Len(t, s.Experts, 6) }},
			{"exit", func() {
				e := benchExpert(2)
				e.Status = admission.Exited
				require.NoError(t, a.Experts().Put(ctx, e))
			}, func(s *expertdb.PoolSnapshot) { assert.Equal(t, admission.Exited, byID(s, benchExpert(2).ID).Status) }},
			{"seat booked", func() { require.NoError(t, a.Ledger().Reserve(ctx, benchExpert(1).ID, 2026, "A1", 10)) },
				func(s *expertdb.PoolSnapshot) { assert.Equal(t, 1, s.Usage[benchExpert(1).ID]) }},
			{"seat released", func() { require.NoError(t, a.Ledger().Release(ctx, benchExpert(1).ID, 2026, "A1")) },
				func(s *expertdb.PoolSnapshot) { assert.Zero(t, s.Usage[benchExpert(1).ID]) }},
			{"rating", func() {
				require.NoError(t, a.Ratings().Add(ctx, evaluation.Rating{ExpertID: benchExpert(3).ID, ActivityID: "A0", RaterUnit: "U",
					Grade: evaluation.Excellent, At: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)}))
			}, func(s *expertdb.PoolSnapshot) { assert.Len(t, s.Ratings, 1) }},
			{"seats stream", func() { require.NoError(t, a.Events().AppendEvent(ctx, "seats", 0, []byte(`{"expert_id":"E000001"}`))) },
				func(s *expertdb.PoolSnapshot) { assert.Len(t, s.Seats, 1) }},
			{"delete", func() { require.NoError(t, a.Experts().Delete(ctx, benchExpert(9).ID)) },
				func(s *expertdb.PoolSnapshot) { assert.Len(t, s.Experts, 5) }},
		}
		prev := s1
		for _, st := range steps {
			st.write()
			s := snapshotOf(t, b, 2026)
			assert.NotEqual(t, prev.Version, s.Version, st.name)
			st.check(s)
			assert.Same(t, s, snapshotOf(t, b, 2026), st.name)
			prev = s
		}
	})
}

// TestSnapshotForeignWrite: another program that rewrites a profile's JSON (and not the
// draw encoding) is seen too: the row falls back to its JSON.
func TestSnapshotForeignWrite(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		ctx := context.Background()
		a, b := open(t), open(t)
		seedExperts(t, a, 3)
		s1 := snapshotOf(t, b, 2026)
		e := benchExpert(1)
		e.Status = admission.Exited
		data, err := json.Marshal(e)
		require.NoError(t, err)
		_, err = a.SQL().ExecContext(ctx, `UPDATE `+a.Table("experts")+` SET data = $1, status = 'exited' WHERE id = $2`, data, e.ID)
		require.NoError(t, err)
		s2 := snapshotOf(t, b, 2026)
		assert.NotEqual(t, s1.Version, s2.Version)
		assert.Equal(t, admission.Exited, byID(s2, e.ID).Status)
	})
}

// TestSnapshotInUnit: inside a unit of work the snapshot reads the unit's own writes and
// keeps nothing: after a rollback the next snapshot does not show them.
func TestSnapshotInUnit(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		bg := context.Background()
		db := open(t)
		seedExperts(t, db, 3)
		s0 := snapshotOf(t, db, 2026)
		err := db.Atomically(bg, func(ctx context.Context) error {
			require.NoError(t, db.Experts().Put(ctx, benchExpert(8)))
			s, err := db.Experts().PoolSnapshot(ctx, expertdb.SnapshotQuery{Year: 2026, Seats: "seats",
				Ledger: db.Ledger(), Ratings: db.Ratings(), Events: db.Events()})
			require.NoError(t, err)
			assert.Len(t, s.Experts, 4)
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		s1 := snapshotOf(t, db, 2026)
		assert.Len(t, s1.Experts, 3)
		assert.Equal(t, s0.Version, s1.Version)

		// A unit that has not written what a draw reads keeps the committed snapshot.
		require.NoError(t, db.Experts().Put(bg, benchExpert(9)))
		var inUnit *expertdb.PoolSnapshot
		require.NoError(t, db.Atomically(bg, func(ctx context.Context) error {
			require.NoError(t, db.Audit().Append(ctx, []byte("not read by a draw")))
			var err error
			inUnit, err = db.Experts().PoolSnapshot(ctx, expertdb.SnapshotQuery{Year: 2026, Seats: "seats",
				Ledger: db.Ledger(), Ratings: db.Ratings(), Events: db.Events()})
			return err
		}))
		assert.Len(t, inUnit.Experts, 4)
		assert.Same(t, inUnit, snapshotOf(t, db, 2026))
	})
}

// TestSnapshotNotCovered: a query naming stores of another database is refused, so the
// Service falls back to loading store by store.
func TestSnapshotNotCovered(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		a, b := open(t), open(t)
		_, err := a.Experts().PoolSnapshot(context.Background(), expertdb.SnapshotQuery{Year: 2026, Seats: "seats",
			Ledger: b.Ledger(), Ratings: a.Ratings(), Events: a.Events()})
		require.ErrorIs(t, err, expertdb.ErrNotCovered)
	})
}

// TestSnapshotNeverStale is the invariant as a property: after any sequence of writes
// through one pool, the snapshot through another equals what loading each store afresh
// gives.
func TestSnapshotNeverStale(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		ctx := context.Background()
		a, b := open(t), open(t)
		seq := 0
		rapid.Check(t, func(rt *rapid.T) {
			for range rapid.IntRange(1, 6).Draw(rt, "writes") {
				k := rapid.IntRange(0, 7).Draw(rt, "expert")
				id := benchExpert(k).ID
				switch rapid.IntRange(0, 7).Draw(rt, "op") {
				case 0:
					e := benchExpert(k)
					e.Name = rapid.StringMatching(`[一-龥]{1,3}`).Draw(rt, "name")
					e.Status = rapid.SampledFrom([]admission.Status{admission.Active, admission.Exited, admission.Pending}).Draw(rt, "status")
					require.NoError(rt, a.Experts().Put(ctx, e))
				case 1:
					require.NoError(rt, a.Experts().Delete(ctx, id))
				case 2:
					_ = a.Ledger().Reserve(ctx, id, 2026, fmt.Sprint("A", rapid.IntRange(0, 3).Draw(rt, "act")), 10)
				case 3:
					require.NoError(rt, a.Ledger().Release(ctx, id, 2026, fmt.Sprint("A", rapid.IntRange(0, 3).Draw(rt, "act"))))
				case 4:
					seq++
					_ = a.Ratings().Add(ctx, evaluation.Rating{ExpertID: id, ActivityID: fmt.Sprint("R", seq), RaterUnit: "U",
						Grade: evaluation.Good, At: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)})
				case 5:
					evs, err := a.Events().Events(ctx, "seats")
					require.NoError(rt, err)
					require.NoError(rt, a.Events().AppendEvent(ctx, "seats", int64(len(evs)), []byte(fmt.Sprintf(`{"expert_id":%q}`, id))))
				case 6: // another program rewrites or inserts the row
					e := benchExpert(k)
					e.Title = rapid.SampledFrom([]admission.TitleLevel{admission.Senior, admission.AssociateSenior, admission.Intermediate}).Draw(rt, "title")
					data, err := json.Marshal(e)
					require.NoError(rt, err)
					_, err = a.SQL().ExecContext(ctx, `DELETE FROM `+a.Table("experts")+` WHERE id = $1`, id)
					require.NoError(rt, err)
					_, err = a.SQL().ExecContext(ctx, `INSERT INTO `+a.Table("experts")+` (id, status, data, updated_at) VALUES ($1, $2, $3, 0)`, id, string(e.Status), data)
					require.NoError(rt, err)
				case 7: // another program deletes the row
					_, err := a.SQL().ExecContext(ctx, `DELETE FROM `+a.Table("experts")+` WHERE id = $1`, id)
					require.NoError(rt, err)
				}
			}
			if rapid.Bool().Draw(rt, "read") {
				snap := snapshotOf(t, b, 2026)
				experts, err := b.Experts().List(ctx)
				require.NoError(rt, err)
				assert.Equal(rt, jsonOf(rt, experts), jsonOf(rt, sortedByID(snap.Experts)))
				usage, err := b.Ledger().Usage(ctx, 2026)
				require.NoError(rt, err)
				assert.Equal(rt, usage, snap.Usage)
				ratings, err := b.Ratings().ByYear(ctx, 2025)
				require.NoError(rt, err)
				assert.Equal(rt, jsonOf(rt, ratings), jsonOf(rt, snap.Ratings))
				seats, err := b.Events().Events(ctx, "seats")
				require.NoError(rt, err)
				assert.Equal(rt, len(seats), len(snap.Seats))
				// The kept (incremental) snapshot equals a fresh handle's full read, and draws
				// like it.
				fresh := open(t)
				full := snapshotOf(t, fresh, 2026)
				require.NoError(rt, fresh.Close())
				sameSnapshot(rt, "incremental", full, snap)
				want, wantErr := drawFrom(rt, full, uint64(seq))
				got, err := drawFrom(rt, snap, uint64(seq))
				require.Equal(rt, wantErr, err)
				require.Equal(rt, want, got)
			}
		})
	})
}

func byID(s *expertdb.PoolSnapshot, id string) admission.Expert {
	for _, e := range s.Experts {
		if e.ID == id {
			return e
		}
	}
	return admission.Expert{}
}

func sortedByID(es []admission.Expert) []admission.Expert {
	out := slices.Clone(es)
	slices.SortFunc(out, func(a, b admission.Expert) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// jsonOf is the JSON of v, with an empty list for a nil one.
func jsonOf(t require.TestingT, v any) string {
	b, err := json.Marshal(v)
	if string(b) == "null" {
		return "[]"
	}
	require.NoError(t, err)
	return string(b)
}
