package sqlstore_test

import (
	"bytes"
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

// TestDrawRecordSize: a stored draw record names the profile versions of its pool by one
// manifest digest instead of copying or listing them. Apart from the exclusions (which name
// each excluded expert and why), its size does not grow with the pool; the manifest is
// stored once per pool, and a second draw from the same snapshot stores nothing more.
func TestDrawRecordSize(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		ctx := context.Background()
		var residuals []int
		db := open(t)
		countProfiles := func() int {
			var n int
			require.NoError(t, db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM `+db.Table("profiles")).Scan(&n))
			return n
		}
		for i, size := range []int{50, 400, 1600, 6400} {
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
			profiles0 := countProfiles()
			id := fmt.Sprint("R", size)
			rec, err := svc.Draw(ctx, clerk, request(id, 5))
			require.NoError(t, err)
			profiles1 := countProfiles()
			assert.LessOrEqual(t, profiles1-profiles0, 1+(size+63)/64, "the manifest and its chunks only: the versions were stored with the experts")
			_, err = svc.Draw(ctx, clerk, request(id+"-again", 5))
			require.NoError(t, err)
			assert.Equal(t, profiles1, countProfiles(), "a second draw from the same snapshot stores nothing")

			raw := storedDraw(t, db, id)
			var stored expertdb.DrawRecord
			require.NoError(t, json.Unmarshal(raw, &stored))
			assert.Empty(t, stored.Pool.Experts, "no profile copied into the record")
			assert.Empty(t, stored.Profiles, "no per-candidate reference")
			assert.Equal(t, rec.ProfileManifest, stored.ProfileManifest)
			perExclusion := 0
			for _, x := range stored.Result.Excluded {
				perExclusion += len(jsonOf(t, x)) + 1
			}
			residuals = append(residuals, len(raw)-perExclusion)
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
		drawn, err := svc.Draw(ctx, clerk, request("R", 5))
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

		require.Equal(t, drawn.ProfileManifest, rec.ProfileManifest)
		// Alter, in the database, the manifest, one of its chunks, or one profile version
		// it lists: the record is refused rather than replayed. So is a record whose
		// manifest is missing.
		chunks, profile := manifestOf(t, db, rec.ProfileManifest)
		for _, tc := range []struct {
			name, digest, sql, want string
		}{
			{"manifest", rec.ProfileManifest, "UPDATE", "profile manifest " + rec.ProfileManifest + " does not match its digest"},
			{"chunk", chunks[0], "UPDATE", "profile manifest chunk " + chunks[0] + " does not match its digest"},
			{"profile", profile, "UPDATE", "profile " + profile},
			{"missing manifest", rec.ProfileManifest, "DELETE", "not found"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var saved []byte
				require.NoError(t, db.SQL().QueryRowContext(ctx, `SELECT data FROM `+db.Table("profiles")+` WHERE digest = $1`, tc.digest).Scan(&saved))
				if tc.sql == "DELETE" {
					_, err = db.SQL().ExecContext(ctx, `DELETE FROM `+db.Table("profiles")+` WHERE digest = $1`, tc.digest)
				} else {
					forged := bytes.Replace(saved, []byte(`"`), []byte(`" `), 1)
					_, err = db.SQL().ExecContext(ctx, `UPDATE `+db.Table("profiles")+` SET data = $1 WHERE digest = $2`, forged, tc.digest)
				}
				require.NoError(t, err)
				var again expertdb.DrawRecord
				require.NoError(t, json.Unmarshal(storedDraw(t, db, "R"), &again))
				err = expertdb.ResolveProfiles(ctx, &again, db.Events())
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.want)
				_, err = svc.DrawRecord(ctx, clerk, "R")
				require.Error(t, err)
				// Put it back: the record loads again.
				_, err = db.SQL().ExecContext(ctx, `DELETE FROM `+db.Table("profiles")+` WHERE digest = $1`, tc.digest)
				require.NoError(t, err)
				require.NoError(t, db.Events().PutProfiles(ctx, expertdb.Profile{Digest: tc.digest, Data: saved}))
				_, err = svc.DrawRecord(ctx, clerk, "R")
				require.NoError(t, err)
			})
		}
	})
}

// manifestOf returns the chunk digests of the profile manifest digest and the last profile
// version its first chunk lists.
func manifestOf(t *testing.T, db *sqlstore.DB, digest string) ([]string, string) {
	raw, err := db.Events().Profiles(context.Background(), []string{digest})
	require.NoError(t, err)
	var top struct {
		Chunks []string `json:"chunks"`
	}
	require.NoError(t, json.Unmarshal(raw[0], &top))
	require.NotEmpty(t, top.Chunks)
	raw, err = db.Events().Profiles(context.Background(), top.Chunks[:1])
	require.NoError(t, err)
	var c struct {
		Profiles [][2]string `json:"profiles"`
	}
	require.NoError(t, json.Unmarshal(raw[0], &c))
	require.NotEmpty(t, c.Profiles)
	return top.Chunks, c.Profiles[len(c.Profiles)-1][1]
}

// TestManifestAcrossSnapshots: a write the draw reads but that leaves the experts as they
// were (a ledger booking) gives a new snapshot with the same manifest; a changed expert gives
// a new manifest. Every record loads with the pool it drew from and replays.
func TestManifestAcrossSnapshots(t *testing.T) {
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		ctx := context.Background()
		db := open(t)
		seedExperts(t, db, 300)
		c := &clock{t: time.Date(2026, 5, 20, 9, 0, 0, 0, cst)}
		svc := service(t, db, nil, c, &expertdb.RecordingNotifier{}, 1)
		first, err := svc.Draw(ctx, clerk, request("M1", 5))
		require.NoError(t, err)
		require.NoError(t, db.Ledger().Reserve(ctx, benchExpert(7).ID, 2026, "A-1", 0))
		second, err := svc.Draw(ctx, clerk, request("M2", 5))
		require.NoError(t, err)
		assert.Equal(t, first.ProfileManifest, second.ProfileManifest, "same experts, same manifest")
		changed := benchExpert(8)
		changed.Name = "改名"
		require.NoError(t, db.Experts().Put(ctx, changed))
		third, err := svc.Draw(ctx, clerk, request("M3", 5))
		require.NoError(t, err)
		assert.NotEqual(t, first.ProfileManifest, third.ProfileManifest, "a changed expert, a new manifest")
		for id, want := range map[string]*expertdb.DrawRecord{"M1": first, "M2": second, "M3": third} {
			loaded, err := svc.DrawRecord(ctx, clerk, id)
			require.NoError(t, err)
			require.Len(t, loaded.Pool.Experts, len(want.Pool.Experts))
			for i := range want.Pool.Experts {
				assert.Equal(t, want.Pool.Experts[i].Name, loaded.Pool.Experts[i].Name)
			}
			rep, err := expertdb.ReplayDrawAudited(ctx, loaded, nil, svc.Log())
			require.NoError(t, err)
			assert.True(t, rep.Match, rep.String())
		}
	})
}
