package expertdb_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/problem"
	"github.com/wzsti/expertdb/selection"
)

var quicknetGenesis = time.Unix(1692803367, 0).UTC()

// drandValue is a "drand quicknet" source whose round is the first published at or after at,
// and a value for it: a made-up 48-byte signature (seeded) and its SHA-256 as 4 words.
func drandValue(at time.Time, seed byte) (expertdb.EntropySource, expertdb.PublicValue) {
	period := 3 * time.Second
	r := uint64((at.Sub(quicknetGenesis)+period-1)/period) + 1
	src := expertdb.EntropySource{Kind: "beacon", Name: expertdb.SourceDrandQuick, Round: strconv.FormatUint(r, 10),
		At: quicknetGenesis.Add(time.Duration(r-1) * period), Count: 4}
	sig := bytes.Repeat([]byte{seed, seed ^ 0x5a, 0x17}, 16)
	sum := sha256.Sum256(sig)
	words, err := selection.DrandSource(r, hex.EncodeToString(sum[:]))
	if err != nil {
		panic(err)
	}
	return src, expertdb.PublicValue{Source: src, Values: words[1:], Proof: hex.EncodeToString(sig)}
}

// committedFixture is a fixture with an approved request committed to src by the clerk.
func committedFixture(t *testing.T, src func(now time.Time) expertdb.EntropySource) (*fixture, string, expertdb.EntropySource) {
	t.Helper()
	f := newFixture(t)
	r := submitted(t, f)
	_, err := f.svc.Approve(context.Background(), leader, r.ID, expertdb.ApproveRequest)
	require.NoError(t, err)
	s := src(f.clock.t)
	_, err = f.svc.Commit(context.Background(), clerk, r.ID, s)
	require.NoError(t, err)
	return f, r.ID, s
}

func codeOf(t *testing.T, err error) string {
	t.Helper()
	d, ok := problem.Of(err)
	require.True(t, ok, "%v", err)
	return d.Code
}

func ssq(now time.Time) expertdb.EntropySource {
	return expertdb.EntropySource{Kind: "lottery", Name: expertdb.SourceShuangseqiu, Round: "2026025", At: now.Add(6 * time.Hour), Count: 7}
}

// refusedValueEvents counts the audited refusals of entered values of the request.
func refusedValueEvents(t *testing.T, f *fixture, id string) int {
	t.Helper()
	res, err := f.svc.Log().Query(context.Background(), audit.Query{Subject: id, Action: audit.ActionApprove})
	require.NoError(t, err)
	n := 0
	for _, m := range res.Matches {
		if bytes.Contains(m.Event.Data, []byte(`"outcome":"refused"`)) && bytes.Contains(m.Event.Data, []byte(`"step":"public-value"`)) {
			n++
		}
	}
	return n
}

// Attack: a fabricated lottery value. Numbers the lottery can never draw (a red ball of 34,
// a blue of 17, a repeated red, the wrong count) are refused with article and code, and each
// refusal is audited; the real-looking value then draws.
func TestFabricatedLotteryValueRefused(t *testing.T) {
	ctx := context.Background()
	f, id, src := committedFixture(t, ssq)
	f.clock.t = src.At.Add(time.Minute)
	for _, tc := range []struct {
		values []uint64
		code   string
	}{
		{[]uint64{3, 9, 14, 21, 27, 34, 11}, "value-range"},
		{[]uint64{3, 9, 14, 21, 27, 30, 17}, "value-range"},
		{[]uint64{0, 9, 14, 21, 27, 30, 11}, "value-range"},
		{[]uint64{3, 9, 14, 21, 27, 27, 11}, "value-repeated"},
		{[]uint64{3, 9, 14, 21, 27, 30}, "value-count"},
	} {
		v := expertdb.PublicValue{Source: src, Values: tc.values}
		_, err := f.svc.PublishValue(ctx, inspector, id, v)
		require.ErrorIs(t, err, expertdb.ErrEntropySource, "%v", tc.values)
		assert.Equal(t, tc.code, codeOf(t, err), "%v", tc.values)
		var se *expertdb.SourceError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, "Art. 14(1), 22(5)", se.Article)
		assert.Regexp(t, `\p{Han}`, se.Message)
		_, err = f.svc.DrawCommitted(ctx, colleague, id, v)
		require.ErrorIs(t, err, expertdb.ErrEntropySource, "%v", tc.values)
	}
	assert.Equal(t, 10, refusedValueEvents(t, f, id), "every refused value is audited")
	good := expertdb.PublicValue{Source: src, Values: []uint64{3, 9, 14, 21, 27, 30, 11}}
	_, err := f.svc.PublishValue(ctx, inspector, id, good)
	require.NoError(t, err)
	rec, err := f.svc.DrawCommitted(ctx, clerk, id, good)
	require.NoError(t, err)
	assert.Equal(t, [][]uint64{good.Values}, rec.Entropy.Sources)
}

// Attack: a source not on the list (an obscure "lottery" the clerk can publish or pick),
// a lottery with the wrong count, a beacon round already published when the draw is
// committed, and a beacon round that is not the one due at the committed time.
func TestCommitRefusesUnlistedAndPastSources(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := submitted(t, f)
	_, err := f.svc.Approve(ctx, leader, r.ID, expertdb.ApproveRequest)
	require.NoError(t, err)
	now := f.clock.t
	past, _ := drandValue(now.Add(-time.Minute), 1)
	past.At = now.Add(time.Hour) // claimed later than it was
	stale, _ := drandValue(now.Add(-time.Minute), 1)
	future, _ := drandValue(now.Add(time.Hour), 1)
	shifted := future
	shifted.At = future.At.Add(time.Hour)
	padded := future
	padded.Round = "0" + future.Round
	for _, tc := range []struct {
		name string
		src  expertdb.EntropySource
		code string
	}{
		{"unlisted lottery", expertdb.EntropySource{Kind: "lottery", Name: "某某即开型彩票", Round: "1", At: now.Add(time.Hour), Count: 3}, "source-not-allowed"},
		{"listed name, other kind", expertdb.EntropySource{Kind: "beacon", Name: expertdb.SourceFucai3D, Round: "1", At: now.Add(time.Hour), Count: 3}, "source-not-allowed"},
		{"wrong lottery count", expertdb.EntropySource{Kind: "lottery", Name: expertdb.SourceShuangseqiu, Round: "2026025", At: now.Add(time.Hour), Count: 3}, "source-count"},
		{"beacon round published before the commit", past, "beacon-round"},
		{"beacon round not due at its time", shifted, "beacon-round"},
		{"beacon round with a leading zero", padded, "beacon-round"},
	} {
		_, err := f.svc.Commit(ctx, clerk, r.ID, tc.src)
		require.ErrorIs(t, err, expertdb.ErrEntropySource, tc.name)
		assert.Equal(t, tc.code, codeOf(t, err), tc.name)
	}
	// The round due before now, honestly dated: its time is not after now.
	_, err = f.svc.Commit(ctx, clerk, r.ID, stale)
	require.Error(t, err, "a beacon round published before the commit")

	// The Service's own list: only what it names.
	g := newFixtureWith(t, func(o *expertdb.Options) {
		o.Sources = []expertdb.AllowedSource{{Kind: "lottery", Name: "温州市某公开摇号"}}
	})
	r2 := submitted(t, g)
	_, err = g.svc.Approve(ctx, leader, r2.ID, expertdb.ApproveRequest)
	require.NoError(t, err)
	_, err = g.svc.Commit(ctx, clerk, r2.ID, testSource(g.clock.t, "1"))
	assert.Equal(t, "source-not-allowed", codeOf(t, err))
	_, err = g.svc.Commit(ctx, clerk, r2.ID, expertdb.EntropySource{Kind: "lottery", Name: "温州市某公开摇号", Round: "1", At: g.clock.t.Add(time.Hour), Count: 2})
	require.NoError(t, err)
}

// Attack: the committer enters the value alone. Neither drawing with a value nobody else
// entered nor entering it is allowed; a colleague of the unit or the discipline office may
// enter it (never twice), and the draw then uses exactly the entered value.
func TestCommitterCannotEnterTheValueAlone(t *testing.T) {
	ctx := context.Background()
	f, id, src := committedFixture(t, func(now time.Time) expertdb.EntropySource { return testSource(now, "2026070") })
	f.clock.t = src.At.Add(time.Minute)
	v := expertdb.PublicValue{Source: src, Values: []uint64{2, 7, 1}}
	_, err := f.svc.DrawCommitted(ctx, clerk, id, v)
	require.ErrorIs(t, err, audit.ErrDenied)
	assert.Equal(t, "committer-value", codeOf(t, err))
	_, err = f.svc.PublishValue(ctx, clerk, id, v)
	require.ErrorIs(t, err, audit.ErrDenied)
	assert.Equal(t, "committer-value", codeOf(t, err))
	_, err = f.svc.PublishValue(ctx, otherClerk, id, v)
	require.ErrorIs(t, err, audit.ErrDenied, "another unit's clerk")
	denied, err := f.svc.Log().Query(ctx, audit.Query{Action: audit.ActionAccessDenied, Subject: id})
	require.NoError(t, err)
	codes := 0
	for _, m := range denied.Matches {
		if bytes.Contains(m.Event.Data, []byte(`committer-value`)) {
			codes++
		}
	}
	assert.Equal(t, 2, codes, "both refusals are audited")

	st, err := f.svc.PublishValue(ctx, colleague, id, v)
	require.NoError(t, err)
	require.NotNil(t, st.Value)
	assert.Equal(t, colleague.ID, st.Value.By.ID)
	_, err = f.svc.PublishValue(ctx, inspector, id, v)
	assert.Equal(t, "value-entered", codeOf(t, err), "entered once")
	other := v
	other.Values = []uint64{2, 7, 2}
	_, err = f.svc.DrawCommitted(ctx, clerk, id, other)
	assert.Equal(t, "value-mismatch", codeOf(t, err), "the committer cannot swap the entered value")
	rec, err := f.svc.DrawCommitted(ctx, clerk, id, v)
	require.NoError(t, err)
	stored, err := f.svc.Request(ctx, clerk, id)
	require.NoError(t, err)
	assert.Equal(t, expertdb.RequestDrawn, stored.Status)
	assert.Equal(t, colleague.ID, stored.Value.By.ID)
	ev, err := f.svc.Log().Query(ctx, audit.Query{Subject: id, Action: audit.ActionDraw})
	require.NoError(t, err)
	last := ev.Matches[len(ev.Matches)-1]
	assert.Equal(t, rec.AuditIndex, last.Index)
	assert.Contains(t, string(last.Event.Data), `"value_entered_by":"`+colleague.ID+`"`)
}

// A beacon value: the proof is the round's signature and the value its SHA-256; a value
// that does not follow from the signature, or no signature, is refused; a ValueVerifier
// plugged into the Service is asked too.
func TestBeaconValueVerified(t *testing.T) {
	ctx := context.Background()
	var src expertdb.EntropySource
	var good expertdb.PublicValue
	f, id, _ := committedFixture(t, func(now time.Time) expertdb.EntropySource {
		src, good = drandValue(now.Add(2*time.Hour), 9)
		return src
	})
	f.clock.t = src.At.Add(time.Second)
	forged := good
	forged.Values = []uint64{1, 2, 3, 4}
	noProof := good
	noProof.Proof = ""
	short := good
	short.Proof = good.Proof[:40]
	for name, v := range map[string]expertdb.PublicValue{"forged": forged, "no proof": noProof, "short proof": short} {
		_, err := f.svc.PublishValue(ctx, inspector, id, v)
		assert.Equal(t, "beacon-proof", codeOf(t, err), name)
	}
	_, err := f.svc.PublishValue(ctx, inspector, id, good)
	require.NoError(t, err)

	// A plugged-in verifier (e.g. BLS, or the lottery's announcement) has the last word.
	refuse := errors.New("announcement says otherwise")
	g := newFixtureWith(t, func(o *expertdb.Options) {
		o.ValueVerifier = verifierFunc(func(expertdb.PublicValue) error { return refuse })
	})
	r := submitted(t, g)
	_, err = g.svc.Approve(ctx, leader, r.ID, expertdb.ApproveRequest)
	require.NoError(t, err)
	s := testSource(g.clock.t, "2026071")
	_, err = g.svc.Commit(ctx, clerk, r.ID, s)
	require.NoError(t, err)
	g.clock.t = s.At.Add(time.Minute)
	_, err = g.svc.PublishValue(ctx, inspector, r.ID, expertdb.PublicValue{Source: s, Values: []uint64{1, 2, 3}})
	require.ErrorIs(t, err, refuse)
}

type verifierFunc func(expertdb.PublicValue) error

func (f verifierFunc) VerifyValue(_ context.Context, v expertdb.PublicValue) error { return f(v) }

// TestStructuralVerifier: the table of what each default lottery accepts.
func TestStructuralVerifier(t *testing.T) {
	at := time.Date(2026, 3, 2, 21, 15, 0, 0, time.UTC)
	src := func(name string, n int) expertdb.EntropySource {
		return expertdb.EntropySource{Kind: "lottery", Name: name, Round: "2026001", At: at, Count: n}
	}
	for _, tc := range []struct {
		name   string
		values []uint64
		ok     bool
	}{
		{expertdb.SourceShuangseqiu, []uint64{1, 2, 3, 4, 5, 33, 16}, true},
		{expertdb.SourceShuangseqiu, []uint64{1, 2, 3, 4, 5, 33, 33}, false},
		{expertdb.SourceFucai3D, []uint64{0, 0, 9}, true},
		{expertdb.SourceFucai3D, []uint64{0, 10, 9}, false},
		{expertdb.SourceDaletou, []uint64{1, 12, 23, 34, 35, 1, 12}, true},
		{expertdb.SourceDaletou, []uint64{1, 12, 23, 34, 35, 12, 12}, false},
		{expertdb.SourceDaletou, []uint64{1, 12, 23, 34, 36, 1, 12}, false},
		{expertdb.SourceQilecai, []uint64{1, 5, 9, 13, 17, 21, 25, 30}, true},
		{expertdb.SourceQilecai, []uint64{1, 5, 9, 13, 17, 21, 25, 25}, false},
		{expertdb.SourceQilecai, []uint64{3, 7, 11, 19, 24, 28, 33}, false},
		{"县里自定的来源", []uint64{99, 100}, true},
	} {
		err := expertdb.StructuralVerifier{}.VerifyValue(context.Background(), expertdb.PublicValue{Source: src(tc.name, len(tc.values)), Values: tc.values})
		assert.Equal(t, tc.ok, err == nil, "%s %v: %v", tc.name, tc.values, err)
	}
}
