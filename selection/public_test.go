package selection_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/selection"
)

func TestPublicRecordOfTheExample(t *testing.T) {
	prep, err := selection.Prepare(exampleRequest(), nil)
	require.NoError(t, err)
	e := selection.Entropy{Sources: [][]uint64{{3, 17, 22, 29, 31, 35, 12}}}
	res, rec, err := prep.DrawPublic(examplePool(), e)
	require.NoError(t, err)
	want, err := selection.Draw(exampleRequest(), examplePool(), e, nil)
	require.NoError(t, err)
	assert.Equal(t, want, res, "DrawPublic draws like Draw")
	require.NoError(t, selection.VerifyPublic(rec))

	assert.Equal(t, []string{"E00", "E01", "E02", "E03", "E04", "E06", "E08", "E09", "E10", "E11"}, memberIDs(rec.Candidates))
	assert.Equal(t, []selection.PublicExclusion{{ID: "E05", Article: "Art. 14(1)", Code: "annual-cap"}, {ID: "E07", Article: "Art. 15(1)", Code: "project-leader"}}, rec.Excluded)
	// E<i> is economic when i mod 3 = 0 and in unit i mod 4: E00 and E08 share a unit id,
	// E00 and E03 count for the economic quota.
	byID := map[string]selection.PublicMember{}
	for _, c := range rec.Candidates {
		byID[c.ID] = c
	}
	assert.Equal(t, byID["E00"].Groups, byID["E08"].Groups)
	assert.NotEqual(t, byID["E00"].Groups, byID["E01"].Groups)
	assert.Equal(t, []int{0}, byID["E03"].Quotas)
	assert.Empty(t, byID["E01"].Quotas)

	// The record carries no unit names, no names, no mobiles.
	raw, err := json.Marshal(rec)
	require.NoError(t, err)
	for _, secret := range []string{"单位", "专家E", "138"} {
		assert.NotContains(t, string(raw), secret)
	}
	// It survives JSON and its digest is stable.
	var back selection.PublicRecord
	require.NoError(t, json.Unmarshal(raw, &back))
	require.NoError(t, selection.VerifyPublic(&back))
	assert.Equal(t, rec.Digest(), back.Digest())

	// Rebuilt from a snapshot of candidates (as the Service stores it) and the result.
	snap := examplePool()
	snap.Experts = append(snap.Experts[:5:5], snap.Experts[6:7]...)
	snap.Experts = append(snap.Experts, examplePool().Experts[8:]...)
	again, err := selection.NewPublicRecord(prep, snap, e, res)
	require.NoError(t, err)
	assert.Equal(t, rec, again)
	_, err = selection.NewPublicRecord(prep, pool(3, 3), e, res)
	require.Error(t, err, "a different pool gives a different pool digest")
}

func memberIDs(ms []selection.PublicMember) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

// randomDraw draws a random request: modes, quotas, one or two group caps, preferential
// picks and invitations. It returns nil when the draw fails (infeasible and the like).
func randomDraw(t *rapid.T) (*selection.Result, *selection.PublicRecord) {
	n := rapid.IntRange(1, 24).Draw(t, "n")
	units := rapid.IntRange(1, 6).Draw(t, "units")
	p := pool(n, units)
	p.Last = map[string]evaluation.Summary{}
	for i := range p.Experts {
		if rapid.IntRange(0, 4).Draw(t, "region") > 0 {
			p.Experts[i].Region = fmt.Sprintf("3303%02d", i%3)
		}
		if rapid.IntRange(0, 9).Draw(t, "usage") == 0 {
			p.Usage[p.Experts[i].ID] = 10
		}
		p.Last[p.Experts[i].ID] = evaluation.Summary{ExpertID: p.Experts[i].ID, Total: 10, Excellent: 5}
	}
	req := request(rapid.IntRange(1, 7).Draw(t, "size"))
	if rapid.Bool().Draw(t, "quota") {
		req.Quotas = append(req.Quotas, selection.Quota{Name: "economic", Filter: `"economic" in expert.Categories`,
			Min: rapid.IntRange(0, 2).Draw(t, "qmin"), Max: rapid.IntRange(0, 3).Draw(t, "qmax")})
		if req.Quotas[0].Max > 0 && req.Quotas[0].Max < req.Quotas[0].Min {
			req.Quotas[0].Max = req.Quotas[0].Min
		}
	}
	if rapid.Bool().Draw(t, "group") {
		req.Groups = append(req.Groups, selection.GroupCap{Name: "unit", Key: "expert.Affiliation.Org", Max: rapid.IntRange(1, 2).Draw(t, "gmax")})
	}
	if rapid.IntRange(0, 3).Draw(t, "group2") == 0 {
		req.Groups = append(req.Groups, selection.GroupCap{Name: "region", Key: "expert.Region", Max: rapid.IntRange(1, 3).Draw(t, "rmax")})
	}
	if req.Size >= 3 && n > 0 && rapid.IntRange(0, 3).Draw(t, "pref") == 0 {
		req.Preferred = []string{p.Experts[rapid.IntRange(0, n-1).Draw(t, "pick")].ID}
		req.Plan = &selection.Plan{Reason: "急需", ApprovedBy: "分管领导", FiledWith: "局机关纪委", At: planDate}
	}
	if rapid.IntRange(0, 4).Draw(t, "invite") == 0 {
		req.Invited = []selection.Invitation{invitation("X01")}
	}
	r := selection.DefaultRules()
	if rapid.Bool().Draw(t, "rfc") {
		r.Mode = selection.RFC3797
	}
	r.Reserve = rapid.IntRange(0, 4).Draw(t, "reserve")
	prep, err := selection.Prepare(req, r)
	if err != nil {
		t.Fatalf("prepare: %v", err)
	}
	e := selection.Entropy{Sources: [][]uint64{{rapid.Uint64().Draw(t, "e1"), rapid.Uint64Range(0, 99).Draw(t, "e2")}}}
	res, rec, err := prep.DrawPublic(p, e)
	if err != nil {
		return nil, nil
	}
	return res, rec
}

// Every random draw verifies from its public record alone, and the record agrees with the
// result.
func TestPublicRecordVerifiesProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		res, rec := randomDraw(t)
		if rec == nil {
			t.Skip("draw failed")
		}
		if err := selection.VerifyPublic(rec); err != nil {
			t.Fatalf("a genuine record does not verify: %v", err)
		}
		if rec.PoolDigest != res.PoolDigest || rec.Key != res.Key || len(rec.Candidates) != res.Candidates {
			t.Fatalf("record and result disagree")
		}
	})
}

// tamper changes one field of a copy of rec, chosen by k; it returns a description.
func tamper(t *rapid.T, rec *selection.PublicRecord) (*selection.PublicRecord, string) {
	raw, _ := json.Marshal(rec)
	var c selection.PublicRecord
	_ = json.Unmarshal(raw, &c)
	type edit struct {
		name string
		ok   bool
		do   func()
	}
	edits := []edit{
		{"request_id", true, func() { c.RequestID += "x" }},
		{"request field", len(c.Request) > 0, func() {
			i := rapid.IntRange(0, len(c.Request)-1).Draw(t, "field")
			c.Request[i][1] += "1"
		}},
		{"request field dropped", len(c.Request) > 0, func() {
			i := rapid.IntRange(0, len(c.Request)-1).Draw(t, "field")
			c.Request = append(c.Request[:i], c.Request[i+1:]...)
		}},
		{"mode", true, func() {
			if c.Mode == "v1" {
				c.Mode = "rfc3797"
			} else {
				c.Mode = "v1"
			}
		}},
		{"entropy", true, func() { c.Entropy[0][1] += "0" }},
		{"candidate dropped", len(c.Candidates) > 0, func() {
			i := rapid.IntRange(0, len(c.Candidates)-1).Draw(t, "cand")
			c.Candidates = append(c.Candidates[:i], c.Candidates[i+1:]...)
		}},
		{"candidate quotas", len(c.Candidates) > 0 && strings.Contains(fmt.Sprint(c.Request), "quota.min"), func() {
			i := rapid.IntRange(0, len(c.Candidates)-1).Draw(t, "cand")
			if len(c.Candidates[i].Quotas) == 0 {
				c.Candidates[i].Quotas = []int{0}
			} else {
				c.Candidates[i].Quotas = []int{}
			}
		}},
		{"candidate group", len(c.Candidates) > 0 && len(c.Candidates[0].Groups) > 0, func() {
			i := rapid.IntRange(0, len(c.Candidates)-1).Draw(t, "cand")
			c.Candidates[i].Groups[0] = (c.Candidates[i].Groups[0]+2)%40 - 1
		}},
		{"fixed", len(c.Fixed) > 0, func() { c.Fixed[0].ID += "x" }},
		{"excluded dropped", len(c.Excluded) > 0, func() { c.Excluded = c.Excluded[1:] }},
		{"excluded code", len(c.Excluded) > 0, func() { c.Excluded[0].Code += "x" }},
		{"pool_digest", true, func() { c.PoolDigest = flipHex(c.PoolDigest) }},
		{"request_digest", true, func() { c.RequestDigest = flipHex(c.RequestDigest) }},
		{"key", true, func() { c.Key += "1." }},
		{"panel round", len(c.Panel) > 0, func() { c.Panel[len(c.Panel)-1].Round++ }},
		{"panel order", len(c.Panel) > 1, func() { c.Panel[0], c.Panel[1] = c.Panel[1], c.Panel[0] }},
		{"panel flag", len(c.Panel) > 0, func() { c.Panel[0].Preferential = !c.Panel[0].Preferential }},
		{"reserve dropped", len(c.Reserve) > 0, func() { c.Reserve = c.Reserve[:len(c.Reserve)-1] }},
		{"reserve_size", len(c.Reserve) > 0, func() { c.ReserveSize = len(c.Reserve) - 1 }},
	}
	var ok []edit
	for _, e := range edits {
		if e.ok {
			ok = append(ok, e)
		}
	}
	e := ok[rapid.IntRange(0, len(ok)-1).Draw(t, "edit")]
	e.do()
	return &c, e.name
}

func flipHex(s string) string {
	if s == "" {
		return "0"
	}
	if s[0] == '0' {
		return "1" + s[1:]
	}
	return "0" + s[1:]
}

// Every single-field tampering is caught: VerifyPublic refuses the record, or its digest
// (which the signed draw event carries) changes.
func TestPublicRecordTamperingProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		_, rec := randomDraw(t)
		if rec == nil {
			t.Skip("draw failed")
		}
		bad, what := tamper(t, rec)
		if selection.VerifyPublic(bad) == nil && bad.Digest() == rec.Digest() {
			t.Fatalf("tampering %s went unnoticed", what)
		}
	})
}

func TestVerifyPublicNamesTheCheck(t *testing.T) {
	prep, err := selection.Prepare(exampleRequest(), nil)
	require.NoError(t, err)
	_, rec, err := prep.DrawPublic(examplePool(), selection.Entropy{Sources: [][]uint64{{3, 17, 22, 29, 31, 35, 12}}})
	require.NoError(t, err)
	tests := []struct {
		check string
		edit  func(r *selection.PublicRecord)
	}{
		{"format", func(r *selection.PublicRecord) { r.Version = "v0" }},
		{"format", func(r *selection.PublicRecord) { r.Mode = "md5" }},
		{"format", func(r *selection.PublicRecord) { r.Entropy = [][]string{{"03"}} }},
		{"format", func(r *selection.PublicRecord) { r.Candidates[0], r.Candidates[1] = r.Candidates[1], r.Candidates[0] }},
		{"format", func(r *selection.PublicRecord) { r.Candidates[0].Quotas = []int{1} }},
		{"request-digest", func(r *selection.PublicRecord) { r.Request[1][1] = "4" }},
		{"pool-digest", func(r *selection.PublicRecord) { r.Candidates = r.Candidates[1:] }},
		{"key", func(r *selection.PublicRecord) { r.Entropy = [][]string{{"4"}} }},
		{"excluded", func(r *selection.PublicRecord) { r.Excluded[0].ID = "E00" }},
		{"fixed", func(r *selection.PublicRecord) {
			r.Fixed = []selection.PublicMember{{ID: "E05", Kind: "preferential", Quotas: []int{}, Groups: []int{1}}}
		}},
		{"walk", func(r *selection.PublicRecord) {
			for i := range r.Candidates {
				r.Candidates[i].Quotas = []int{}
			}
		}},
		{"panel", func(r *selection.PublicRecord) { r.Candidates[0].Groups = []int{-1} }},
		{"reserve", func(r *selection.PublicRecord) { r.ReserveSize = 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.check, func(t *testing.T) {
			raw, _ := json.Marshal(rec)
			var c selection.PublicRecord
			require.NoError(t, json.Unmarshal(raw, &c))
			tt.edit(&c)
			err := selection.VerifyPublic(&c)
			var pe *selection.PublicError
			require.True(t, errors.As(err, &pe), "%v", err)
			assert.Equal(t, tt.check, pe.Check, pe.Detail)
			assert.True(t, strings.HasPrefix(err.Error(), "selection: public record: "))
		})
	}
}

// FuzzVerifyPublic: a public record is untrusted input; VerifyPublic never panics on any
// JSON.
func FuzzVerifyPublic(f *testing.F) {
	prep, err := selection.Prepare(exampleRequest(), nil)
	require.NoError(f, err)
	_, rec, err := prep.DrawPublic(examplePool(), selection.Entropy{Sources: [][]uint64{{3, 17, 22, 29, 31, 35, 12}}})
	require.NoError(f, err)
	raw, _ := json.Marshal(rec)
	f.Add(raw)
	f.Add([]byte(`{"version":"expertdb-public-draw-v1","request":[["id","x"]]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var r selection.PublicRecord
		if json.Unmarshal(b, &r) != nil {
			return
		}
		_ = selection.VerifyPublic(&r)
		_ = r.Digest()
	})
}
