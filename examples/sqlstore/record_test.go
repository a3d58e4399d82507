package sqlstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/examples/sqlstore"
)

// TestDrawSeesOtherProcess: a Service in one process draws (its snapshot is kept); another
// process exits an expert and admits a new one; the very next draw of the first process
// excludes the one and can pick the other.
func TestDrawSeesOtherProcess(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		ctx := context.Background()
		c := &clock{t: time.Date(2026, 5, 20, 9, 0, 0, 0, cst)}
		n := &expertdb.RecordingNotifier{}
		a, b := open(t), open(t)
		for k := 1; k <= 7; k++ { // expert 0 is over age
			require.NoError(t, a.Experts().Put(ctx, benchExpert(k)))
		}
		svc := service(t, b, nil, c, n, 1)
		rec, err := svc.Draw(ctx, clerk, request("R1", 7))
		require.NoError(t, err)
		require.Len(t, rec.Result.Panel, 7)

		gone := benchExpert(3)
		gone.Status = admission.Exited
		require.NoError(t, a.Experts().Put(ctx, gone))
		require.NoError(t, a.Experts().Put(ctx, benchExpert(10)))

		rec, err = svc.Draw(ctx, clerk, request("R2", 7))
		require.NoError(t, err)
		ids := map[string]bool{}
		for _, p := range rec.Result.Panel {
			ids[p.ExpertID] = true
		}
		assert.False(t, ids[gone.ID], "the exited expert is not drawn")
		assert.True(t, ids[benchExpert(10).ID], "the new expert is drawn")
		var codes []string
		for _, x := range rec.Result.Excluded {
			if x.ExpertID == gone.ID {
				codes = append(codes, x.Code)
			}
		}
		assert.Equal(t, []string{"not-active"}, codes)
	})
}

// storedDraw returns the raw stored record of request id.
func storedDraw(t testing.TB, db *sqlstore.DB, id string) []byte {
	evs, err := db.Events().Events(context.Background(), "draw/"+id)
	require.NoError(t, err)
	require.Len(t, evs, 1)
	return evs[0]
}

// TestDrawRecordSize: a stored draw record references each candidate's profile version by
// digest instead of copying it. Apart from the candidate references and the exclusions, its
// size does not grow with the pool; draws from the same snapshot store no profile at all.
func TestDrawRecordSize(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		ctx := context.Background()
		var residuals []int
		db := open(t)
		for i, size := range []int{50, 400, 1600} {
			_, err := db.SQL().ExecContext(ctx, `DELETE FROM `+db.Table("experts"))
			require.NoError(t, err)
			c := &clock{t: time.Date(2026, 5, 20, 9, 0, 0, 0, cst)}
			experts := make([]admission.Expert, size)
			for k := range experts {
				experts[k] = benchExpert(k)
				if k%5 == 0 {
					experts[k].Status = admission.Exited // some exclusions
				}
			}
			require.NoError(t, db.Experts().PutMany(ctx, experts))
			svc := service(t, db, nil, c, &expertdb.RecordingNotifier{}, byte(i))
			var profiles0 int
			require.NoError(t, db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM `+db.Table("profiles")).Scan(&profiles0))
			id := fmt.Sprint("R", size)
			rec, err := svc.Draw(ctx, clerk, request(id, 5))
			require.NoError(t, err)
			_, err = svc.Draw(ctx, clerk, request(id+"-again", 5))
			require.NoError(t, err)
			var profiles1 int
			require.NoError(t, db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM `+db.Table("profiles")).Scan(&profiles1))
			assert.Equal(t, profiles0, profiles1, "the profile versions were stored with the experts, once")

			raw := storedDraw(t, db, id)
			var stored expertdb.DrawRecord
			require.NoError(t, json.Unmarshal(raw, &stored))
			assert.Empty(t, stored.Pool.Experts, "no profile copied into the record")
			require.Len(t, stored.Profiles, rec.Result.Candidates)
			perCandidate := 0
			for _, r := range stored.Profiles {
				perCandidate += len(jsonOf(t, r)) + 1
			}
			perExclusion := 0
			for _, x := range stored.Result.Excluded {
				perExclusion += len(jsonOf(t, x)) + 1
			}
			residuals = append(residuals, len(raw)-perCandidate-perExclusion)
			full, err := json.Marshal(rec) // the record as v0.1.0 stored it: every profile copied
			require.NoError(t, err)
			t.Logf("%d experts: stored record %d bytes (v0.1.0 form %d), residual %d", size, len(raw), len(full), residuals[i])
			assert.Less(t, len(raw)*2, len(full))
		}
		for _, r := range residuals[1:] {
			assert.InDelta(t, residuals[0], r, 64, "the rest of the record does not grow with the pool: %v", residuals)
		}
	})
}

// TestDrawRecordReplay: the stored record replays after its profile versions are resolved
// (the Service does it when it loads a record), and a profile version altered in the
// database is refused rather than replayed.
func TestDrawRecordReplay(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		ctx := context.Background()
		db := open(t)
		seedExperts(t, db, 40)
		c := &clock{t: time.Date(2026, 5, 20, 9, 0, 0, 0, cst)}
		svc := service(t, db, nil, c, &expertdb.RecordingNotifier{}, 1)
		_, err := svc.Draw(ctx, clerk, request("R", 5))
		require.NoError(t, err)

		var rec expertdb.DrawRecord
		require.NoError(t, json.Unmarshal(storedDraw(t, db, "R"), &rec))
		_, err = expertdb.ReplayDraw(&rec, nil)
		require.ErrorIs(t, err, expertdb.ErrReplayInput, "references must be resolved first")
		require.NoError(t, expertdb.ResolveProfiles(ctx, &rec, db.Events()))
		rep, err := expertdb.ReplayDrawAudited(ctx, &rec, nil, svc.Log())
		require.NoError(t, err)
		assert.True(t, rep.Match, rep.String())

		loaded, err := svc.DrawRecord(ctx, clerk, "R")
		require.NoError(t, err)
		rep, err = expertdb.ReplayDraw(loaded, nil)
		require.NoError(t, err)
		assert.True(t, rep.Match, rep.String())

		// Alter one referenced profile version in place.
		ref := rec.Profiles[2]
		forged := benchExpert(99)
		forged.ID = ref.ExpertID
		data, err := json.Marshal(forged)
		require.NoError(t, err)
		_, err = db.SQL().ExecContext(ctx, `UPDATE `+db.Table("profiles")+` SET data = $1 WHERE digest = $2`, data, ref.Digest)
		require.NoError(t, err)
		var again expertdb.DrawRecord
		require.NoError(t, json.Unmarshal(storedDraw(t, db, "R"), &again))
		err = expertdb.ResolveProfiles(ctx, &again, db.Events())
		require.Error(t, err)
		assert.Contains(t, err.Error(), fmt.Sprintf("profile %s of %s does not match its digest", ref.Digest, ref.ExpertID))
		_, err = svc.DrawRecord(ctx, clerk, "R")
		require.Error(t, err)
	})
}
