package expertdb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/internal/synth"
	"github.com/wzsti/expertdb/selection"
)

var (
	rpAdmin = audit.Actor{ID: "rp-admin", Name: "周敏", Role: audit.RoleCityAdmin, Unit: "市科技局"}
	rpClerk = audit.Actor{ID: "rp-clerk", Name: "李四", Role: audit.RoleDivision, Unit: "高新技术处"}
)

// rpPool is a small synthetic pool shared by the replay tests (generation is deterministic).
var rpPool = synth.Generate(synth.Options{Seed: 11, Size: 240})

// rpService admits the synthetic pool into an in-memory Service and returns it with its
// audit store and the verifier of its checkpoints.
func rpService(t testing.TB) (*expertdb.Service, *audit.MemoryStore, note.Verifier) {
	t.Helper()
	ctx := context.Background()
	skey, vkey, err := note.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{7}, 64)), "expertdb.replay-test")
	require.NoError(t, err)
	signer, err := note.NewSigner(skey)
	require.NoError(t, err)
	verifier, err := note.NewVerifier(vkey)
	require.NoError(t, err)
	store := audit.NewMemoryStore()
	now := rpPool.AsOf
	svc, err := expertdb.NewService(ctx, expertdb.Options{
		Users: []audit.User{
			{ID: rpAdmin.ID, Name: rpAdmin.Name, Role: rpAdmin.Role, Unit: rpAdmin.Unit},
			{ID: rpClerk.ID, Name: rpClerk.Name, Role: rpClerk.Role, Unit: rpClerk.Unit},
		},
		Audit: store, Signer: signer, Clock: func() time.Time { return now },
		Random: bytes.NewReader(bytes.Repeat([]byte{9}, 1<<12)),
	})
	require.NoError(t, err)
	for _, app := range rpPool.Applications {
		_, err := svc.Admit(ctx, rpAdmin, app)
		require.NoError(t, err, app.Expert.ID)
	}
	return svc, store, verifier
}

func rpRequest(id string) expertdb.DrawRequest {
	return expertdb.DrawRequest{
		Request: selection.Request{
			ID: id, Size: 5, At: rpPool.AsOf.AddDate(0, 0, 18),
			Project:  rpPool.Project(id),
			Criteria: "expert.Title >= AssociateSenior",
			Quotas:   []selection.Quota{{Name: "economic", Filter: `"economic" in expert.Categories`, Min: 1}},
			Groups:   []selection.GroupCap{{Name: "one-per-unit", Key: "expert.Affiliation.Org", Max: 1}},
		},
		Unit:    rpClerk.Unit,
		Entropy: &selection.Entropy{Sources: [][]uint64{{2026031}, {3, 7, 11, 19, 24, 28, 33}}},
	}
}

// rpClone deep-copies a record through its JSON form, as a file would carry it.
func rpClone(t testing.TB, rec *expertdb.DrawRecord) *expertdb.DrawRecord {
	t.Helper()
	raw, err := json.Marshal(rec)
	require.NoError(t, err)
	var out expertdb.DrawRecord
	require.NoError(t, json.Unmarshal(raw, &out))
	return &out
}

func fields(ds []expertdb.Difference) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Field
	}
	return out
}

// TestReplayDraw: a recorded draw replays to its result, also after a JSON round trip, and
// agrees with its audit event; every kind of tampering is reported as a difference naming
// the field.
func TestReplayDraw(t *testing.T) {
	ctx := context.Background()
	svc, store, verifier := rpService(t)
	rec, err := svc.Draw(ctx, rpClerk, rpRequest("R-RP-1"))
	require.NoError(t, err)
	// A second draw, so that the first is not the last event of the log.
	other, err := svc.Draw(ctx, rpClerk, rpRequest("R-RP-2"))
	require.NoError(t, err)
	cp, err := svc.Checkpoint(ctx)
	require.NoError(t, err)
	require.NoError(t, audit.Verify(ctx, store, cp, verifier))

	rep, err := expertdb.ReplayDraw(rpClone(t, rec), nil)
	require.NoError(t, err)
	require.True(t, rep.Match, rep.String())
	assert.Empty(t, rep.Differences)
	assert.Equal(t, rec.Result.Panel, rep.Replayed.Panel)
	assert.Contains(t, rep.String(), "MATCHES")

	rep, err = expertdb.ReplayDrawAudited(ctx, rpClone(t, rec), nil, svc.Log())
	require.NoError(t, err)
	require.True(t, rep.Match, rep.String())
	assert.True(t, rep.AuditChecked)

	cases := []struct {
		name    string
		tamper  func(r *expertdb.DrawRecord)
		policy  func() *expertdb.Policy
		audited bool
		want    []string // fields that must be reported (prefix match)
	}{
		{name: "changed entropy", tamper: func(r *expertdb.DrawRecord) {
			r.Entropy.Sources[0][0]++
		}, want: []string{"key", "panel[0]"}},
		{name: "swapped panel member", tamper: func(r *expertdb.DrawRecord) {
			r.Result.Panel[1], r.Result.Reserve[0] = r.Result.Reserve[0], r.Result.Panel[1]
		}, want: []string{"panel[1]", "reserve[0]"}},
		{name: "reordered panel", tamper: func(r *expertdb.DrawRecord) {
			r.Result.Panel[0], r.Result.Panel[2] = r.Result.Panel[2], r.Result.Panel[0]
		}, want: []string{"panel[0]", "panel[2]"}},
		{name: "expert removed from the pool", tamper: func(r *expertdb.DrawRecord) {
			r.Pool.Experts = r.Pool.Experts[1:]
		}, want: []string{"pool_digest", "key", "candidates"}},
		{name: "expert's unit edited", tamper: func(r *expertdb.DrawRecord) {
			for i, e := range r.Pool.Experts {
				if e.ID == r.Result.Panel[0].ExpertID {
					r.Pool.Experts[i].Affiliation = r.Request.Project.Members[0].Affiliation
				}
			}
		}, want: []string{"pool_digest", "excluded"}},
		{name: "size changed", tamper: func(r *expertdb.DrawRecord) {
			r.Request.Size = 4
		}, want: []string{"request_digest", "key", "panel"}}, // 5 recorded, 4 replayed: one "panel" line
		{name: "criteria changed", tamper: func(r *expertdb.DrawRecord) {
			r.Request.Criteria = "expert.Title >= Senior"
		}, want: []string{"request_digest"}},
		{name: "recorded key edited", tamper: func(r *expertdb.DrawRecord) {
			r.Result.Key = strings.Replace(r.Result.Key, "/", "|", 1)
		}, want: []string{"key"}},
		{name: "another county's policy", policy: func() *expertdb.Policy {
			p := expertdb.DefaultPolicy()
			p.Selection.AnnualCap = 8
			require.NoError(t, p.Compile())
			return p
		}, want: []string{"request_digest", "key"}},
		{name: "entropy and result replaced consistently", audited: true, tamper: func(r *expertdb.DrawRecord) {
			r.Entropy = selection.Entropy{Sources: [][]uint64{{1, 2, 3}}}
			p, err := selection.Prepare(r.Request, expertdb.DefaultPolicy().Selection)
			require.NoError(t, err)
			r.Result, err = p.Draw(r.Pool, r.Entropy)
			require.NoError(t, err)
		}, want: []string{"audit.entropy", "audit.key"}},
		{name: "audit index of another draw", audited: true, tamper: func(r *expertdb.DrawRecord) {
			r.AuditIndex = other.AuditIndex
		}, want: []string{"audit.subjects", "audit.request_digest"}},
		{name: "audit index of an admission", audited: true, tamper: func(r *expertdb.DrawRecord) {
			r.AuditIndex = 0
		}, want: []string{"audit.action"}},
		{name: "drawn by someone else", audited: true, tamper: func(r *expertdb.DrawRecord) {
			r.DrawnBy.ID = "u-other"
		}, want: []string{"audit.actor"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := rpClone(t, rec)
			if tc.tamper != nil {
				tc.tamper(r)
			}
			var p *expertdb.Policy
			if tc.policy != nil {
				p = tc.policy()
			}
			var rep *expertdb.ReplayReport
			var err error
			if tc.audited {
				rep, err = expertdb.ReplayDrawAudited(ctx, r, p, svc.Log())
			} else {
				rep, err = expertdb.ReplayDraw(r, p)
			}
			require.NoError(t, err)
			require.False(t, rep.Match)
			got := fields(rep.Differences)
			for _, w := range tc.want {
				assert.Contains(t, got, w, "differences: %s", rep.String())
			}
			assert.Contains(t, rep.String(), "DOES NOT MATCH")
			for _, d := range rep.Differences {
				assert.NotEmpty(t, d.Message, d.Field)
			}
		})
	}
}

// TestReplayDrawFailsOnReplay: a record whose snapshot can no longer give a panel (the pool
// was emptied) is a mismatch, not an error.
func TestReplayDrawFailsOnReplay(t *testing.T) {
	rec := rpRecord(t, selection.Entropy{Sources: [][]uint64{{5}}})
	rec.Pool.Experts = nil
	rep, err := expertdb.ReplayDraw(rec, nil)
	require.NoError(t, err)
	assert.False(t, rep.Match)
	assert.Equal(t, []string{"draw"}, fields(rep.Differences))
	assert.Nil(t, rep.Replayed)
}

// TestReplayDrawInput: records that cannot be replayed at all are errors.
func TestReplayDrawInput(t *testing.T) {
	good := rpRecord(t, selection.Entropy{Sources: [][]uint64{{5}}})
	noResult := *good
	noResult.Result = nil
	badVersion := *good
	badVersion.Version = "expertdb-draw-record-v0"
	for name, rec := range map[string]*expertdb.DrawRecord{"nil": nil, "no result": &noResult, "version": &badVersion} {
		t.Run(name, func(t *testing.T) {
			_, err := expertdb.ReplayDraw(rec, nil)
			require.ErrorIs(t, err, expertdb.ErrReplayInput)
		})
	}
}

// rpRecord builds a draw record without a Service: the pure draw over the synthetic pool,
// with its snapshot (candidates only), as the Service would store it.
func rpRecord(t require.TestingT, e selection.Entropy) *expertdb.DrawRecord {
	req := rpRequest("R-RP-P").Request
	var experts = make([]admission.Expert, 0, len(rpExperts))
	experts = append(experts, rpExperts...)
	pool := selection.Pool{Experts: experts}
	p, err := selection.Prepare(req, expertdb.DefaultPolicy().Selection)
	require.NoError(t, err)
	res, err := p.Draw(pool, e)
	require.NoError(t, err)
	return &expertdb.DrawRecord{Version: "expertdb-draw-record-v1", Request: req, Unit: rpClerk.Unit,
		Entropy: e, Pool: pool, Result: res}
}

// rpExperts are the synthetic pool's experts as admitted (Active).
var rpExperts = func() []admission.Expert {
	out := make([]admission.Expert, 0, len(rpPool.Applications))
	for _, app := range rpPool.Applications {
		e := app.Expert
		e.Status = admission.Active
		out = append(out, e)
	}
	return out
}()

func rpEntropy(t *rapid.T, label string) selection.Entropy {
	n := rapid.IntRange(1, 3).Draw(t, label+"-sources")
	e := selection.Entropy{Sources: make([][]uint64, n)}
	for i := range e.Sources {
		e.Sources[i] = rapid.SliceOfN(rapid.Uint64Range(0, 1<<40), 1, 6).Draw(t, label+"-source")
	}
	return e
}

// TestRecordedDrawReplays: for any entropy, the record of a draw replays to a match.
func TestRecordedDrawReplays(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rec := rpRecord(t, rpEntropy(t, "entropy"))
		rep, err := expertdb.ReplayDraw(rec, nil)
		require.NoError(t, err)
		require.True(t, rep.Match, rep.String())
	})
}

// TestChangedEntropyIsDetected: replacing the entropy by any other with a different RFC 3797
// key string is reported (the key differs).
func TestChangedEntropyIsDetected(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rec := rpRecord(t, rpEntropy(t, "entropy"))
		other := rpEntropy(t, "other")
		if other.Key() == rec.Entropy.Key() {
			t.Skip("same key string")
		}
		rec.Entropy = other
		rep, err := expertdb.ReplayDraw(rec, nil)
		require.NoError(t, err)
		require.False(t, rep.Match)
		require.Contains(t, fields(rep.Differences), "key")
	})
}

// TestSwappedPanelMemberIsDetected: exchanging any panel member with any alternate is
// reported at that panel position.
func TestSwappedPanelMemberIsDetected(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rec := rpRecord(t, rpEntropy(t, "entropy"))
		i := rapid.IntRange(0, len(rec.Result.Panel)-1).Draw(t, "panel")
		j := rapid.IntRange(0, len(rec.Result.Reserve)-1).Draw(t, "reserve")
		rec.Result.Panel[i], rec.Result.Reserve[j] = rec.Result.Reserve[j], rec.Result.Panel[i]
		rep, err := expertdb.ReplayDraw(rec, nil)
		require.NoError(t, err)
		require.False(t, rep.Match)
		require.Contains(t, fields(rep.Differences), "panel["+strconv.Itoa(i)+"]")
	})
}

// TestRemovedCandidateIsDetected: removing any expert from the pool snapshot changes the pool
// digest.
func TestRemovedCandidateIsDetected(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rec := rpRecord(t, rpEntropy(t, "entropy"))
		candidates := map[string]bool{}
		for _, e := range rec.Pool.Experts {
			candidates[e.ID] = true
		}
		for _, x := range rec.Result.Excluded {
			delete(candidates, x.ExpertID)
		}
		var ids []string
		for _, e := range rec.Pool.Experts {
			if candidates[e.ID] {
				ids = append(ids, e.ID)
			}
		}
		drop := rapid.SampledFrom(ids).Draw(t, "drop")
		kept := rec.Pool.Experts[:0:0]
		for _, e := range rec.Pool.Experts {
			if e.ID != drop {
				kept = append(kept, e)
			}
		}
		rec.Pool.Experts = kept
		rep, err := expertdb.ReplayDraw(rec, nil)
		require.NoError(t, err)
		require.False(t, rep.Match)
		require.Contains(t, fields(rep.Differences), "pool_digest")
	})
}

// FuzzReplayDraw: a record file is untrusted input; whatever it holds, ReplayDraw returns a
// report or an error and never panics.
func FuzzReplayDraw(f *testing.F) {
	rec := rpRecord(f, selection.Entropy{Sources: [][]uint64{{9319}, {2, 5, 8, 10, 12}}})
	rec.Pool.Experts = rec.Pool.Experts[:40]
	raw, err := json.Marshal(rec)
	require.NoError(f, err)
	f.Add(raw)
	f.Add([]byte(`{"version":"expertdb-draw-record-v1","result":{}}`))
	f.Add([]byte(`{"version":"expertdb-draw-record-v1","request":{"ID":"x","Size":1},"result":{"panel":[{"expert_id":"a"}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r expertdb.DrawRecord
		if json.Unmarshal(data, &r) != nil {
			return
		}
		rep, err := expertdb.ReplayDraw(&r, nil)
		if err == nil && rep.Match && r.Result != nil {
			require.Equal(t, r.Result.Panel, rep.Replayed.Panel)
		}
	})
}

// benchRecord is the record of a draw from a pool of 2,000 synthetic experts.
func benchRecord(b *testing.B) *expertdb.DrawRecord {
	b.Helper()
	pool := synth.Generate(synth.Options{Seed: 2026, Size: 2000})
	experts := make([]admission.Expert, 0, len(pool.Applications))
	for _, app := range pool.Applications {
		e := app.Expert
		e.Status = admission.Active
		experts = append(experts, e)
	}
	req := selection.Request{ID: "R-BENCH", Size: 7, At: pool.AsOf.AddDate(0, 0, 18), Project: pool.Project("R-BENCH"),
		Quotas: []selection.Quota{{Name: "economic", Filter: `"economic" in expert.Categories`, Min: 2}},
		Groups: []selection.GroupCap{{Name: "one-per-unit", Key: "expert.Affiliation.Org", Max: 1}}}
	e := selection.Entropy{Sources: [][]uint64{{2026031}, {3, 7, 11, 19, 24, 28, 33}}}
	p, err := selection.Prepare(req, expertdb.DefaultPolicy().Selection)
	require.NoError(b, err)
	res, err := p.Draw(selection.Pool{Experts: experts}, e)
	require.NoError(b, err)
	return &expertdb.DrawRecord{Version: "expertdb-draw-record-v1", Request: req, Entropy: e,
		Pool: selection.Pool{Experts: experts}, Result: res}
}

// BenchmarkReplayDraw: replaying a recorded draw over 2,000 experts (prepare, draw, compare).
func BenchmarkReplayDraw(b *testing.B) {
	rec := benchRecord(b)
	policy := expertdb.DefaultPolicy()
	b.ResetTimer()
	for b.Loop() {
		rep, err := expertdb.ReplayDraw(rec, policy)
		if err != nil || !rep.Match {
			b.Fatal("no match", err)
		}
	}
}

// BenchmarkReplayBaseline: the same work written by hand (prepare, draw, compare the digests,
// the key and the panel): the cost of the draw itself, against which ReplayDraw's overhead is
// measured.
func BenchmarkReplayBaseline(b *testing.B) {
	rec := benchRecord(b)
	policy := expertdb.DefaultPolicy()
	b.ResetTimer()
	for b.Loop() {
		p, err := selection.Prepare(rec.Request, policy.Selection)
		if err != nil {
			b.Fatal(err)
		}
		got, err := p.Draw(rec.Pool, rec.Entropy)
		if err != nil {
			b.Fatal(err)
		}
		if got.PoolDigest != rec.Result.PoolDigest || got.RequestDigest != rec.Result.RequestDigest || got.Key != rec.Result.Key ||
			len(got.Panel) != len(rec.Result.Panel) || len(got.Reserve) != len(rec.Result.Reserve) {
			b.Fatal("no match")
		}
		for i := range got.Panel {
			if got.Panel[i] != rec.Result.Panel[i] {
				b.Fatal("no match")
			}
		}
	}
}
