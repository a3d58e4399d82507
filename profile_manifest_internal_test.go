package expertdb

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/selection"
)

// TestManifestRoundTrip (property): for any pool (IDs that need JSON escaping included,
// digests known or not), any exclusions and any chunking, the manifest stored and resolved
// gives back exactly the experts the record keeps, in order — what snapshot keeps.
func TestManifestRoundTrip(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		n := rapid.IntRange(0, 3000).Draw(rt, "n")
		odd := rapid.SampledFrom([]string{"", "\"", "\\", "<&>", "\n", "é", "\u2028"}).Draw(rt, "odd")
		experts := make([]admission.Expert, n)
		for i := range experts {
			experts[i] = admission.Expert{ID: fmt.Sprintf("E%d%s", i, odd), Name: fmt.Sprint("专家", i%7), Status: admission.Active}
		}
		ps := NewMemoryProfileStore()
		var digests []string
		if rapid.Bool().Draw(rt, "known digests") {
			digests = make([]string, n)
			for i, e := range experts {
				if rapid.IntRange(0, 9).Draw(rt, "stored") > 0 {
					d, data, err := ProfileDigest(e)
					require.NoError(rt, err)
					require.NoError(rt, ps.PutProfiles(ctx, Profile{Digest: d, Data: data}))
					digests[i] = d
				}
			}
		}
		res := &selection.Result{}
		for i := range experts {
			switch rapid.IntRange(0, 19).Draw(rt, "exclusion") {
			case 0:
				res.Excluded = append(res.Excluded, selection.Exclusion{ExpertID: experts[i].ID, Code: "criteria"})
			case 1:
				res.Excluded = append(res.Excluded, selection.Exclusion{ExpertID: experts[i].ID, Code: "on-panel"})
			}
		}
		m, err := buildManifest(experts, digests)
		require.NoError(rt, err)
		for _, c := range m.chunks {
			assert.LessOrEqual(rt, len(c.Data), 100*maxChunk+100)
		}
		require.NoError(rt, ps.PutProfiles(ctx, append(append(m.profiles, m.chunks...), m.blob)...))
		want := snapshot(selection.Pool{Experts: experts}, res).Experts
		rec := &DrawRecord{ProfileManifest: m.digest, Result: res}
		require.NoError(rt, ResolveProfiles(ctx, rec, ps))
		require.Len(rt, rec.Pool.Experts, len(want))
		for i := range want {
			assert.Equal(rt, want[i].ID, rec.Pool.Experts[i].ID)
			assert.Equal(rt, want[i].Name, rec.Pool.Experts[i].Name)
		}
		again, err := buildManifest(experts, digests)
		require.NoError(rt, err)
		assert.Equal(rt, m.digest, again.digest, "the same pool gives the same manifest")
	})
}

// TestManifestChunksLocal: changing one expert's profile changes one chunk of the manifest
// (the others are stored already and are not written again).
func TestManifestChunksLocal(t *testing.T) {
	experts := make([]admission.Expert, 20000)
	for i := range experts {
		experts[i] = admission.Expert{ID: fmt.Sprintf("E%06d", i), Status: admission.Active}
	}
	a, err := buildManifest(experts, nil)
	require.NoError(t, err)
	require.Greater(t, len(a.chunks), 10)
	experts[12345].Name = "改"
	b, err := buildManifest(experts, nil)
	require.NoError(t, err)
	require.Equal(t, len(a.chunks), len(b.chunks))
	differ := 0
	for i := range a.chunks {
		if a.chunks[i].Digest != b.chunks[i].Digest {
			differ++
		}
	}
	assert.Equal(t, 1, differ)
	assert.NotEqual(t, a.digest, b.digest)
}

// FuzzResolveManifest: whatever bytes are stored under a manifest digest (and whatever its
// chunks hold), resolving never panics, and resolves only experts whose stored profile hashes
// to the digest the chunk lists for their ID.
func FuzzResolveManifest(f *testing.F) {
	e := admission.Expert{ID: "E1", Name: "王晓东", Status: admission.Active}
	d, data, _ := ProfileDigest(e)
	m, _ := buildManifest([]admission.Expert{e}, []string{d})
	f.Add(m.blob.Data, m.chunks[0].Data)
	f.Add([]byte(`{"version":"expertdb-profile-manifest-v1","count":1,"chunks":["`+m.chunks[0].Digest+`"]}`), []byte(`{"version":"expertdb-profile-chunk-v1","profiles":[["E2","`+d+`"]]}`))
	f.Add([]byte(`{"version":"expertdb-profile-manifest-v1","count":-1,"chunks":[]}`), []byte(`[]`))
	f.Fuzz(func(t *testing.T, top, chunk []byte) {
		ctx := context.Background()
		ps := NewMemoryProfileStore()
		c := blob(chunk)
		// Let the top name the fuzzed chunk when it names the seed's.
		top = []byte(strings.ReplaceAll(string(top), m.chunks[0].Digest, c.Digest))
		tb := blob(top)
		require.NoError(t, ps.PutProfiles(ctx, Profile{Digest: d, Data: data}, c, tb))
		rec := &DrawRecord{ProfileManifest: tb.Digest, Result: &selection.Result{}}
		if err := ResolveProfiles(ctx, rec, ps); err != nil {
			return
		}
		for _, x := range rec.Pool.Experts {
			require.Equal(t, e.ID, x.ID, "only the stored profile can resolve")
		}
	})
}
