package expertdb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
)

// TestDrawRecordReferencesProfiles (memory stores): the stored draw record lists each
// candidate's profile version by digest, with no profile copied; the versions are stored
// once; the record replays once resolved, and the Service resolves it when it loads it.
func TestDrawRecordReferencesProfiles(t *testing.T) {
	ctx := context.Background()
	events := expertdb.NewMemoryEventStore()
	now := rpPool.AsOf
	svc, err := expertdb.NewService(ctx, expertdb.Options{
		Users: []audit.User{{ID: rpAdmin.ID, Name: rpAdmin.Name, Role: rpAdmin.Role, Unit: rpAdmin.Unit},
			{ID: rpClerk.ID, Name: rpClerk.Name, Role: rpClerk.Role, Unit: rpClerk.Unit}},
		Events: events, Clock: func() time.Time { return now }, Random: bytes.NewReader(bytes.Repeat([]byte{9}, 1<<12)),
	})
	require.NoError(t, err)
	for _, app := range rpPool.Applications {
		_, err := svc.Admit(ctx, rpAdmin, app)
		require.NoError(t, err)
	}
	rec, err := svc.Draw(ctx, rpClerk, rpRequest("R-1"))
	require.NoError(t, err)
	raw, err := events.Events(ctx, "draw/R-1")
	require.NoError(t, err)
	var stored expertdb.DrawRecord
	require.NoError(t, json.Unmarshal(raw[0], &stored))
	assert.Empty(t, stored.Pool.Experts)
	require.Len(t, stored.Profiles, len(rec.Pool.Experts))
	full, err := json.Marshal(rec)
	require.NoError(t, err)
	assert.Less(t, len(raw[0])*3, len(full), "the stored record is a fraction of a record with every profile")

	_, err = expertdb.ReplayDraw(&stored, nil)
	require.ErrorIs(t, err, expertdb.ErrReplayInput)
	require.NoError(t, expertdb.ResolveProfiles(ctx, &stored, expertdb.EventProfiles(events)))
	rep, err := expertdb.ReplayDraw(&stored, nil)
	require.NoError(t, err)
	assert.True(t, rep.Match, rep.String())

	// A second draw over the same experts stores no new version.
	before := len(stored.Profiles)
	_, err = svc.Draw(ctx, rpClerk, rpRequest("R-2"))
	require.NoError(t, err)
	for _, r := range stored.Profiles[:before] {
		evs, err := events.Events(ctx, "profile/"+r.Digest)
		require.NoError(t, err)
		assert.Len(t, evs, 1)
	}
	loaded, err := svc.DrawRecord(ctx, rpClerk, "R-1")
	require.NoError(t, err)
	assert.Len(t, loaded.Pool.Experts, len(rec.Pool.Experts))
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
