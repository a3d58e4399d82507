package expertdb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
)

// TestDrawRecordReferencesProfiles (memory stores): the stored draw record names the
// profile versions of its pool by one manifest digest, with no profile and no per-candidate
// reference copied; the manifest and the versions are stored once; the record replays once
// resolved, and the Service resolves it when it loads it.
func TestDrawRecordReferencesProfiles(t *testing.T) {
	ctx := context.Background()
	events := expertdb.NewMemoryEventStore()
	now := rpPool.AsOf
	svc := manifestService(t, events, now)
	for _, app := range rpPool.Applications {
		_, err := svc.Admit(ctx, rpAdmin, app)
		require.NoError(t, err)
	}
	rec, err := svc.Draw(ctx, rpClerk, rpRequest("R-1"))
	require.NoError(t, err)
	require.NotEmpty(t, rec.ProfileManifest)
	raw, err := events.Events(ctx, "draw/R-1")
	require.NoError(t, err)
	var stored expertdb.DrawRecord
	require.NoError(t, json.Unmarshal(raw[0], &stored))
	assert.Empty(t, stored.Pool.Experts)
	assert.Empty(t, stored.Profiles, "no per-candidate reference")
	assert.Equal(t, rec.ProfileManifest, stored.ProfileManifest)
	full, err := json.Marshal(rec)
	require.NoError(t, err)
	assert.Less(t, len(raw[0])*3, len(full), "the stored record is a fraction of a record with every profile")

	_, err = expertdb.ReplayDraw(&stored, nil)
	require.ErrorIs(t, err, expertdb.ErrReplayInput)
	require.NoError(t, expertdb.ResolveProfiles(ctx, &stored, expertdb.EventProfiles(events)))
	assert.JSONEq(t, jsonString(t, rec.Pool.Experts), jsonString(t, stored.Pool.Experts), "the resolved pool is the pool the draw kept")
	rep, err := expertdb.ReplayDraw(&stored, nil)
	require.NoError(t, err)
	assert.True(t, rep.Match, rep.String())

	// A second draw stores its manifest once too; the versions it shares with the first
	// are not stored again.
	again, err := svc.Draw(ctx, rpClerk, rpRequest("R-2"))
	require.NoError(t, err)
	for _, d := range []string{rec.ProfileManifest, again.ProfileManifest} {
		evs, err := events.Events(ctx, "profile/"+d)
		require.NoError(t, err)
		assert.Len(t, evs, 1)
	}
	loaded, err := svc.DrawRecord(ctx, rpClerk, "R-1")
	require.NoError(t, err)
	assert.JSONEq(t, jsonString(t, rec.Pool.Experts), jsonString(t, loaded.Pool.Experts))
}

func jsonString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// manifestBlobs returns the digests of the manifest named digest and of its chunks, read
// from ps, and one profile version it lists.
func manifestBlobs(t *testing.T, ps expertdb.ProfileStore, digest string) (chunks []string, profile string) {
	t.Helper()
	raw, err := ps.Profiles(context.Background(), []string{digest})
	require.NoError(t, err)
	var top struct {
		Chunks []string `json:"chunks"`
	}
	require.NoError(t, json.Unmarshal(raw[0], &top))
	require.NotEmpty(t, top.Chunks)
	raw, err = ps.Profiles(context.Background(), top.Chunks[:1])
	require.NoError(t, err)
	var chunk struct {
		Profiles [][2]string `json:"profiles"`
	}
	require.NoError(t, json.Unmarshal(raw[0], &chunk))
	require.NotEmpty(t, chunk.Profiles)
	return top.Chunks, chunk.Profiles[len(chunk.Profiles)-1][1]
}

// TestProfileManifestAttacks: whoever can write the profile store cannot make a stored draw
// record replay another pool. The record pins its manifest by digest, the manifest its
// chunks, each chunk the profile versions: altering any of them, or dropping one, makes
// ResolveProfiles (and so the Service's loading of the record, and any replay) refuse
// loudly; pointing the record at another stored manifest resolves, but the replay no longer
// matches the audited pool digest.
func TestProfileManifestAttacks(t *testing.T) {
	ctx := context.Background()
	events := expertdb.NewMemoryEventStore()
	now := rpPool.AsOf
	svc := manifestService(t, events, now)
	for _, app := range rpPool.Applications[:len(rpPool.Applications)-3] {
		_, err := svc.Admit(ctx, rpAdmin, app)
		require.NoError(t, err)
	}
	first, err := svc.Draw(ctx, rpClerk, rpRequest("R-1"))
	require.NoError(t, err)
	for _, app := range rpPool.Applications[len(rpPool.Applications)-3:] {
		_, err := svc.Admit(ctx, rpAdmin, app)
		require.NoError(t, err)
	}
	other, err := svc.Draw(ctx, rpClerk, rpRequest("R-2"))
	require.NoError(t, err)
	require.NotEqual(t, first.ProfileManifest, other.ProfileManifest)

	src := expertdb.EventProfiles(events)
	chunks, profile := manifestBlobs(t, src, first.ProfileManifest)
	raw, err := events.Events(ctx, "draw/R-1")
	require.NoError(t, err)
	// copyStore is a profile store holding what src holds for the record, with edits.
	copyStore := func(edit func(d string, b []byte) []byte) expertdb.ProfileStore {
		var rec expertdb.DrawRecord
		require.NoError(t, json.Unmarshal(raw[0], &rec))
		require.NoError(t, expertdb.ResolveProfiles(ctx, &rec, src))
		ps := expertdb.NewMemoryProfileStore()
		digests := append([]string{first.ProfileManifest}, chunks...)
		for _, e := range rec.Pool.Experts {
			d, _, err := expertdb.ProfileDigest(e)
			require.NoError(t, err)
			digests = append(digests, d)
		}
		blobs, err := src.Profiles(ctx, digests)
		require.NoError(t, err)
		for i, d := range digests {
			if b := edit(d, bytes.Clone(blobs[i])); b != nil {
				require.NoError(t, ps.PutProfiles(ctx, expertdb.Profile{Digest: d, Data: b}))
			}
		}
		return ps
	}
	keep := func(_ string, b []byte) []byte { return b }
	for _, tc := range []struct {
		name   string
		store  expertdb.ProfileStore
		record func(r *expertdb.DrawRecord)
		want   string
	}{
		{"manifest altered (an expert dropped from its chunk list)", copyStore(func(d string, b []byte) []byte {
			if d == first.ProfileManifest {
				return bytes.Replace(b, []byte(`"count":`), []byte(`"count":0,"x":`), 1)
			}
			return b
		}), nil, "profile manifest " + first.ProfileManifest + " does not match its digest"},
		{"chunk altered", copyStore(func(d string, b []byte) []byte {
			if d == chunks[0] {
				return bytes.Replace(b, []byte(profile), []byte(strings.Repeat("0", 64)), 1)
			}
			return b
		}), nil, "profile manifest chunk " + chunks[0] + " does not match its digest"},
		{"profile version altered", copyStore(func(d string, b []byte) []byte {
			if d == profile {
				return bytes.Replace(b, []byte(`"status":"active"`), []byte(`"status":"exited"`), 1)
			}
			return b
		}), nil, "profile " + profile},
		{"manifest missing", copyStore(func(d string, b []byte) []byte {
			if d == first.ProfileManifest {
				return nil
			}
			return b
		}), nil, "not found"},
		{"chunk missing", copyStore(func(d string, b []byte) []byte {
			if d == chunks[0] {
				return nil
			}
			return b
		}), nil, "not found"},
		{"record points to a missing manifest", copyStore(keep), func(r *expertdb.DrawRecord) {
			r.ProfileManifest = strings.Repeat("ab", 32)
		}, "not found"},
		{"record points to a profile version, not a manifest", copyStore(keep), func(r *expertdb.DrawRecord) {
			r.ProfileManifest = profile
		}, "unknown field"},
		{"record points to a chunk, not a manifest", copyStore(keep), func(r *expertdb.DrawRecord) {
			r.ProfileManifest = chunks[0]
		}, "unknown field"},
		{"manifest digest not hex", copyStore(keep), func(r *expertdb.DrawRecord) {
			r.ProfileManifest = "../" + first.ProfileManifest
		}, "not a SHA-256"},
		{"manifest and references both", copyStore(keep), func(r *expertdb.DrawRecord) {
			r.Profiles = []expertdb.ProfileRef{{ExpertID: "E1", Digest: profile}}
		}, "both a profile manifest and profile references"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rec expertdb.DrawRecord
			require.NoError(t, json.Unmarshal(raw[0], &rec))
			if tc.record != nil {
				tc.record(&rec)
			}
			err := expertdb.ResolveProfiles(ctx, &rec, tc.store)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Empty(t, rec.Pool.Experts, "nothing resolved from a refused manifest")
		})
	}

	t.Run("untouched", func(t *testing.T) {
		var rec expertdb.DrawRecord
		require.NoError(t, json.Unmarshal(raw[0], &rec))
		require.NoError(t, expertdb.ResolveProfiles(ctx, &rec, copyStore(keep)))
		rep, err := expertdb.ReplayDrawAudited(ctx, &rec, nil, svc.Log())
		require.NoError(t, err)
		assert.True(t, rep.Match, rep.String())
	})
	t.Run("record points to another draw's manifest", func(t *testing.T) {
		var rec expertdb.DrawRecord
		require.NoError(t, json.Unmarshal(raw[0], &rec))
		rec.ProfileManifest = other.ProfileManifest
		require.NoError(t, expertdb.ResolveProfiles(ctx, &rec, src))
		rep, err := expertdb.ReplayDrawAudited(ctx, &rec, nil, svc.Log())
		require.NoError(t, err)
		assert.False(t, rep.Match, "another pool does not replay as this draw")
	})
}

// TestResolveProfilesRefusesForgery: a stored version that does not hash to its digest, or
// is another expert's, is refused; a missing one is ErrNotFound.
func TestResolveProfilesRefusesForgery(t *testing.T) {
	ctx := context.Background()
	e := admission.Expert{ID: "E1", Name: "王晓东", Status: admission.Active}
	d, data, err := expertdb.ProfileDigest(e)
	require.NoError(t, err)
	other := admission.Expert{ID: "E2", Name: "李娜"}
	d2, data2, err := expertdb.ProfileDigest(other)
	require.NoError(t, err)
	for _, tc := range []struct {
		name  string
		store map[string][]byte
		refs  []expertdb.ProfileRef
		want  string
	}{
		{"altered", map[string][]byte{d: bytes.Replace(data, []byte("王晓东"), []byte("王晓冬"), 1)}, []expertdb.ProfileRef{{ExpertID: "E1", Digest: d}}, "does not match its digest"},
		{"other expert", map[string][]byte{d2: data2}, []expertdb.ProfileRef{{ExpertID: "E1", Digest: d2}}, `is expert "E2"`},
		{"missing", map[string][]byte{}, []expertdb.ProfileRef{{ExpertID: "E1", Digest: d}}, "not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := expertdb.NewMemoryProfileStore()
			for k, v := range tc.store {
				require.NoError(t, ps.PutProfiles(ctx, expertdb.Profile{Digest: k, Data: v}))
			}
			rec := &expertdb.DrawRecord{Profiles: tc.refs}
			err := expertdb.ResolveProfiles(ctx, rec, ps)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestProfileStores: the memory store and the adapter over an EventStore keep each version
// once, under its digest, and give back exactly what was stored.
func TestProfileStores(t *testing.T) {
	for name, mk := range map[string]func() expertdb.ProfileStore{
		"memory": func() expertdb.ProfileStore { return expertdb.NewMemoryProfileStore() },
		"events": func() expertdb.ProfileStore { return expertdb.EventProfiles(expertdb.NewMemoryEventStore()) },
	} {
		t.Run(name, func(t *testing.T) {
			rapid.Check(t, func(rt *rapid.T) {
				ctx := context.Background()
				ps := mk()
				names := rapid.SliceOfN(rapid.StringMatching(`[一-龥]{1,4}`), 1, 8).Draw(rt, "names")
				var refs []expertdb.ProfileRef
				want := map[string][]byte{}
				for i, n := range names {
					d, data, err := expertdb.ProfileDigest(admission.Expert{ID: "E" + string(rune('a'+i)), Name: n})
					require.NoError(rt, err)
					require.NoError(rt, ps.PutProfiles(ctx, expertdb.Profile{Digest: d, Data: data}, expertdb.Profile{Digest: d, Data: data}))
					want[d] = data
					refs = append(refs, expertdb.ProfileRef{ExpertID: "E" + string(rune('a'+i)), Digest: d})
				}
				rec := &expertdb.DrawRecord{Profiles: refs}
				require.NoError(rt, expertdb.ResolveProfiles(ctx, rec, ps))
				for i, e := range rec.Pool.Experts {
					assert.Equal(rt, names[i], e.Name)
				}
			})
		})
	}
}

// manifestService returns a Service over events for rpAdmin and rpClerk, on a fixed clock and
// entropy.
func manifestService(t *testing.T, events expertdb.EventStore, now time.Time) *expertdb.Service {
	svc, err := expertdb.NewService(context.Background(), expertdb.Options{
		Users: []audit.User{{ID: rpAdmin.ID, Name: rpAdmin.Name, Role: rpAdmin.Role, Unit: rpAdmin.Unit},
			{ID: rpClerk.ID, Name: rpClerk.Name, Role: rpClerk.Role, Unit: rpClerk.Unit}},
		Events: events, Clock: func() time.Time { return now }, Random: bytes.NewReader(bytes.Repeat([]byte{9}, 1<<12)),
	})
	require.NoError(t, err)
	return svc
}
