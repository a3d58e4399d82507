package verify_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/selection"
	"github.com/wzsti/expertdb/verify"
)

var (
	cst      = time.FixedZone("CST", 8*3600)
	activity = time.Date(2026, 6, 10, 9, 0, 0, 0, cst)
	clerk    = audit.Actor{ID: "u-clerk", Name: "李四", Role: audit.RoleDivision, Unit: "高新技术处"}
)

func expert(id, org, region string, economic bool) admission.Expert {
	e := admission.Expert{
		ID: id, Name: "专家", BirthDate: time.Date(1975, 3, 1, 0, 0, 0, 0, time.UTC),
		Affiliation: admission.Affiliation{Org: org, Kind: admission.University, Department: "dept-" + org},
		Title:       admission.Senior, Categories: []admission.Category{admission.Technical}, Fields: []string{"materials"},
		Credentials: []admission.Credential{{Kind: admission.CredPoliticalQuality}},
		Status:      admission.Active, Region: region,
	}
	if economic {
		e.Categories = append(e.Categories, admission.Economic)
		e.Credentials = append(e.Credentials, admission.Credential{Kind: admission.CredFundManagement}, admission.Credential{Kind: admission.CredFinanceSeniorTitle})
	}
	return e
}

func invitation(id string) selection.Invitation {
	e := expert(id, "外省研究院", "", true)
	e.Status = ""
	d := func(day int) time.Time { return time.Date(2026, 5, day, 10, 0, 0, 0, time.UTC) }
	return selection.Invitation{Expert: e, Reason: "库内无该领域专家",
		Approvals: []selection.Approval{{Role: selection.DivisionHead, By: "处室负责人", At: d(2)},
			{Role: selection.DeputyLeader, By: "分管领导", At: d(3)}, {Role: selection.MainLeader, By: "主要领导", At: d(4)},
			{Role: selection.BureauMeeting, By: "局务会纪要", At: d(6)}},
		FiledWith: "局机关纪委", FiledAt: d(7)}
}

// draw is a random draw with what its campaign needs.
type draw struct {
	pub    *selection.PublicRecord
	prep   *selection.Prepared
	pool   selection.Pool
	e      selection.Entropy
	formal bool // committed: mode v1, one source
}

// randomDraw draws a random request (modes, quotas, crossing group caps, preferential picks,
// invitations, exclusions): two in three are formal draws (mode v1, one source of 1–7
// numbers, as the Service's committed draws), the others practice draws of any mode and
// entropy; nil when the draw fails.
func randomDraw(rng *rand.Rand, k int) *draw {
	n := 1 + rng.IntN(24)
	units, regions := 1+rng.IntN(6), 1+rng.IntN(4)
	p := selection.Pool{Usage: map[string]int{}, Last: map[string]evaluation.Summary{}}
	for i := range n {
		id := fmt.Sprintf("E%03d", rng.IntN(1000))
		if slices.ContainsFunc(p.Experts, func(e admission.Expert) bool { return e.ID == id }) {
			continue
		}
		region := fmt.Sprintf("3303%02d", rng.IntN(regions))
		if rng.IntN(5) == 0 {
			region = ""
		}
		e := expert(id, fmt.Sprintf("单位%d", rng.IntN(units)), region, i%3 == 0)
		switch rng.IntN(12) {
		case 0:
			e.Status = admission.Pending
		case 1:
			p.Usage[id] = 10
		case 2:
			e.Fields = []string{"biology"}
		}
		p.Experts = append(p.Experts, e)
		p.Last[id] = evaluation.Summary{ExpertID: id, Year: 2025, Total: 10, Excellent: 3 + rng.IntN(3)}
	}
	req := selection.Request{ID: fmt.Sprintf("R-%04d", k), Size: 1 + rng.IntN(7), At: activity,
		Project: conflict.Project{ID: "P-1", Leader: conflict.Person{ID: "L1", Name: "负责人",
			Affiliation: admission.Affiliation{Org: "申报企业", Kind: admission.Enterprise}}}}
	if rng.IntN(3) == 0 {
		req.Criteria = `"materials" in expert.Fields`
	}
	if rng.IntN(2) == 0 {
		mn := rng.IntN(3)
		mx := 0
		if rng.IntN(2) == 0 {
			mx = mn + rng.IntN(2)
		}
		req.Quotas = append(req.Quotas, selection.Quota{Name: "economic", Filter: `"economic" in expert.Categories`, Min: mn, Max: mx})
	}
	if rng.IntN(4) == 0 {
		req.Quotas = append(req.Quotas, selection.Quota{Name: "region-0", Filter: `expert.Region == "330300"`, Min: rng.IntN(2)})
	}
	if rng.IntN(2) == 0 {
		req.Groups = append(req.Groups, selection.GroupCap{Name: "unit", Key: "expert.Affiliation.Org", Max: 1 + rng.IntN(2)})
	}
	if rng.IntN(3) == 0 {
		req.Groups = append(req.Groups, selection.GroupCap{Name: "region", Key: "expert.Region", Max: 1 + rng.IntN(3)})
	}
	if req.Size >= 3 && len(p.Experts) > 0 && rng.IntN(3) == 0 {
		req.Preferred = []string{p.Experts[rng.IntN(len(p.Experts))].ID}
		req.Plan = &selection.Plan{Reason: "急需", ApprovedBy: "分管领导", FiledWith: "局机关纪委", At: activity.AddDate(0, 0, -9)}
	}
	if rng.IntN(4) == 0 {
		req.Invited = []selection.Invitation{invitation("X01")}
	}
	r := selection.DefaultRules()
	formal := rng.IntN(3) != 0
	if rng.IntN(2) == 0 && !formal {
		r.Mode = selection.RFC3797
	}
	r.Reserve = rng.IntN(5)
	e := selection.Entropy{Sources: [][]uint64{{rng.Uint64(), rng.Uint64N(100)}}}
	if formal {
		e.Sources[0] = nil
		for range 1 + rng.IntN(7) {
			e.Sources[0] = append(e.Sources[0], rng.Uint64N(50))
		}
	} else if rng.IntN(2) == 0 {
		e.Sources = append(e.Sources, []uint64{uint64(rng.IntN(50)), uint64(rng.IntN(50)), uint64(rng.IntN(50))})
	}
	prep, err := selection.Prepare(req, r)
	if err != nil {
		panic(err)
	}
	_, pub, err := prep.DrawPublic(p, e)
	if err != nil {
		return nil
	}
	return &draw{pub: pub, prep: prep, pool: p, e: e, formal: formal}
}

// drawData is the data of a draw event, as the Service writes it (service_draw.go), with
// extra fields (commit_index and commit_digest of a committed draw, practice).
func drawData(pub *selection.PublicRecord, extra ...any) json.RawMessage {
	reserve := []string{}
	for _, p := range pub.Reserve {
		reserve = append(reserve, p.ExpertID)
	}
	d := map[string]any{"kind": "request", "outcome": "drawn", "mode": pub.Mode,
		"request_digest": pub.RequestDigest, "pool_digest": pub.PoolDigest, "key": pub.Key,
		"candidates": len(pub.Candidates), "reserve": reserve, "public_digest": pub.Digest()}
	for i := 0; i+1 < len(extra); i += 2 {
		d[extra[i].(string)] = extra[i+1]
	}
	raw, _ := json.Marshal(d)
	return raw
}

// commitData is the data of a commit event, as the Service writes it (service_commit.go),
// and the commitment's digest (computed by the root package, not by verify).
func commitData(pub *selection.PublicRecord, src expertdb.EntropySource) (json.RawMessage, string) {
	c := expertdb.Commitment{RequestID: pub.RequestID, RequestDigest: pub.RequestDigest, PoolDigest: pub.PoolDigest,
		Policy: "温州市", Filing: "温科发〔2024〕2号", Source: src}
	raw, _ := json.Marshal(map[string]any{"kind": "request", "outcome": "committed", "project": "P-1",
		"commit_digest": c.Digest(), "request_digest": c.RequestDigest, "pool_digest": c.PoolDigest, "candidates": len(pub.Candidates),
		"policy": c.Policy, "filing": c.Filing, "source": src, "algorithm": "expertdb-draw-commit-v1"})
	return raw, c.Digest()
}

// randomKey returns a note key pair of the given name from rng.
func randomKey(t testing.TB, rng *rand.Rand, name string) (note.Signer, string) {
	seed := make([]byte, 64)
	for i := range seed {
		seed[i] = byte(rng.IntN(256))
	}
	skey, vkey, err := note.GenerateKey(bytes.NewReader(seed), name)
	require.NoError(t, err)
	signer, err := note.NewSigner(skey)
	require.NoError(t, err)
	return signer, vkey
}

// bundles draws n random draws and records each in an audit log between other events (a new
// log with a new key every 16 draws, so that keys of every shape occur: a "+" in the base64
// of a verifier key broke an early version of the page): a formal draw after its commit
// event, a practice draw marked as such; one in three runs a random campaign, recorded with
// an export event naming it; some others have an export event alone. It returns their
// bundles.
func bundles(t testing.TB, rng *rand.Rand, n int) []*verify.Bundle {
	t.Helper()
	ctx := context.Background()
	var (
		log  *audit.Log
		vkey string
	)
	var out []*verify.Bundle
	at := activity.AddDate(0, 0, -10)
	view := func() {
		for range rng.IntN(3) {
			at = at.Add(time.Minute)
			_, err := log.Append(ctx, audit.Event{At: at, Actor: clerk, Action: audit.ActionView, Subjects: []string{"E001"}, Data: json.RawMessage(`{"kind":"expert"}`)})
			require.NoError(t, err)
		}
	}
	for k := 0; len(out) < n; k++ {
		if len(out)%16 == 0 && (log == nil || log.Size() > 0) {
			var signer note.Signer
			signer, vkey = randomKey(t, rng, fmt.Sprintf("expertdb.test/audit-%d", len(out)/16))
			var err error
			log, err = audit.NewLog(ctx, audit.NewMemoryStore(), signer)
			require.NoError(t, err)
		}
		d := randomDraw(rng, k)
		if d == nil {
			continue
		}
		pub := d.pub
		view()
		var parts verify.Parts
		var extra []any
		if d.formal {
			src := expertdb.EntropySource{Kind: []string{"lottery", "beacon"}[rng.IntN(2)], Name: "福彩3D", Round: fmt.Sprint(2026000 + k),
				At: at.Add(time.Duration(1+rng.IntN(48)) * time.Hour).In(cst), Count: len(pub.Entropy[0])}
			data, digest := commitData(pub, src)
			at = at.Add(time.Minute)
			idx, err := log.Append(ctx, audit.Event{At: at, Actor: clerk, Action: audit.ActionDraw, Subjects: []string{pub.RequestID}, Data: data})
			require.NoError(t, err)
			parts.Commit = &verify.CommitRef{AuditIndex: idx, Digest: digest, Source: verify.Source{Kind: src.Kind, Name: src.Name,
				Round: src.Round, At: src.At, Count: src.Count}}
			extra = []any{"commit_index", idx, "commit_digest", digest}
			view()
			at = src.At.Add(time.Duration(rng.IntN(90)) * time.Minute)
		} else {
			extra = []any{"practice", true}
		}
		subjects := []string{pub.RequestID}
		for _, p := range pub.Panel {
			subjects = append(subjects, p.ExpertID)
		}
		at = at.Add(time.Minute)
		idx, err := log.Append(ctx, audit.Event{At: at, Actor: clerk, Action: audit.ActionDraw, Subjects: subjects, Data: drawData(pub, extra...)})
		require.NoError(t, err)
		switch rng.IntN(6) {
		case 0, 1:
			parts.Campaign = selection.NewPublicCampaign(pub.RequestID, simulate(t, rng, d, at))
			fallthrough
		case 2:
			view()
			at = at.Add(time.Minute)
			x := map[string]any{"kind": "request", "outcome": "bundle", "draw_index": idx, "public_digest": pub.Digest()}
			if parts.Campaign != nil {
				x["campaign_digest"] = parts.Campaign.Digest()
			}
			raw, _ := json.Marshal(x)
			parts.Export, err = log.Append(ctx, audit.Event{At: at, Actor: clerk, Action: audit.ActionExport, Subjects: []string{pub.RequestID}, Data: raw})
			require.NoError(t, err)
			parts.HasExport = true
		}
		view()
		b, err := verify.NewBundleParts(ctx, log, idx, pub, vkey, parts)
		require.NoError(t, err)
		out = append(out, b)
	}
	return out
}

// capLedger refuses a reservation now and then, as a ledger does when the expert reached
// the annual cap meanwhile.
type capLedger struct {
	rng *rand.Rand
}

func (l capLedger) Reserve(context.Context, string, int, string, int) error {
	if l.rng.IntN(6) == 0 {
		return selection.ErrCapReached
	}
	return nil
}
func (capLedger) Release(context.Context, string, int, string) error { return nil }

// codes is a deterministic source of reply codes.
type codes struct{ n byte }

func (c *codes) Read(p []byte) (int, error) {
	for i := range p {
		c.n++
		p[i] = c.n
	}
	return len(p), nil
}

// simulate runs a random campaign over the draw d (accept, decline, no answer, withdrawal,
// refusal by the annual cap) and returns its events; an operation that exhausts the
// sequence is dropped, as the Service drops it.
func simulate(t testing.TB, rng *rand.Rand, d *draw, at time.Time) []selection.Event {
	t.Helper()
	c, err := selection.NewCampaign(d.prep, d.pool, d.e, 24*time.Hour)
	require.NoError(t, err)
	rnd := &codes{}
	code := map[string]string{}
	keep := func(ns []selection.Notice) {
		for _, n := range ns {
			code[n.ExpertID] = n.Code
		}
	}
	ns, err := c.Start(at, rnd)
	require.NoError(t, err)
	keep(ns)
	good := c.Events()
	for range rng.IntN(12) {
		at = at.Add(time.Duration(1+rng.IntN(20)) * time.Hour)
		panel := c.Panel()
		s := panel[rng.IntN(len(panel))]
		var err error
		switch {
		case s.Status == selection.SeatAccepted && rng.IntN(2) == 0:
			ns, err = c.Withdraw(context.Background(), capLedger{rng}, s.ExpertID, "出差", at, rnd)
		case s.Status == selection.SeatAccepted:
			continue
		case at.After(s.Deadline):
			ns, err = c.Expire(at, rnd)
		case rng.IntN(2) == 0:
			ns, err = c.Accept(context.Background(), capLedger{rng}, s.ExpertID, code[s.ExpertID], "CN-1", at, rnd)
		default:
			ns, err = c.Decline(s.ExpertID, code[s.ExpertID], "不熟悉", false, at, rnd)
		}
		if err != nil {
			require.ErrorIs(t, err, selection.ErrExhausted)
			break
		}
		keep(ns)
		good = c.Events()
	}
	return good
}

func clone(t testing.TB, b *verify.Bundle) *verify.Bundle {
	raw, err := json.Marshal(b)
	require.NoError(t, err)
	var c verify.Bundle
	require.NoError(t, json.Unmarshal(raw, &c))
	return &c
}

// tamper changes exactly one field of a copy of b.
func tamper(t testing.TB, rng *rand.Rand, b *verify.Bundle, other *verify.Bundle) (*verify.Bundle, string) {
	c, name, _ := tamperWith(t, rng, b, other, "")
	return c, name
}

// tamperWith changes one field of a copy of b: the edit named only (false when it does not
// apply to b), or any edit that applies when only is "".
func tamperWith(t testing.TB, rng *rand.Rand, b *verify.Bundle, other *verify.Bundle, only string) (*verify.Bundle, string, bool) {
	c := clone(t, b)
	p := c.Public
	type edit struct {
		name string
		ok   bool
		do   func()
	}
	pick := func(n int) int { return rng.IntN(n) }
	edits := []edit{
		{"public.request_id", true, func() { p.RequestID += "x" }},
		{"public.request value", true, func() { i := pick(len(p.Request)); p.Request[i][1] += "1" }},
		{"public.request dropped", true, func() { i := pick(len(p.Request)); p.Request = slices.Delete(p.Request, i, i+1) }},
		{"public.mode", true, func() { p.Mode = map[string]string{"v1": "rfc3797", "rfc3797": "v1"}[p.Mode] }},
		{"public.entropy", true, func() { p.Entropy[0][0] = fmt.Sprint(len(p.Entropy[0][0])) + "7" }},
		{"public.candidate dropped", len(p.Candidates) > 0, func() { i := pick(len(p.Candidates)); p.Candidates = slices.Delete(p.Candidates, i, i+1) }},
		{"public.candidate added", true, func() {
			p.Candidates = append(p.Candidates, selection.PublicMember{ID: "Z999", Quotas: []int{}, Groups: slices.Repeat([]int{-1}, groupCount(p))})
		}},
		{"public.candidate quotas", len(p.Candidates) > 0, func() {
			i := pick(len(p.Candidates))
			if len(p.Candidates[i].Quotas) > 0 {
				p.Candidates[i].Quotas = []int{}
			} else {
				p.Candidates[i].Quotas = []int{0}
			}
		}},
		{"public.candidate group", len(p.Candidates) > 0 && len(p.Candidates[0].Groups) > 0, func() {
			i := pick(len(p.Candidates))
			p.Candidates[i].Groups[0] = (p.Candidates[i].Groups[0]+2)%30 - 1
		}},
		{"public.fixed kind", len(p.Fixed) > 0, func() {
			p.Fixed[0].Kind = map[string]string{"invited": "preferential", "preferential": "invited"}[p.Fixed[0].Kind]
		}},
		{"public.excluded dropped", len(p.Excluded) > 0, func() { i := pick(len(p.Excluded)); p.Excluded = slices.Delete(p.Excluded, i, i+1) }},
		{"public.excluded code", len(p.Excluded) > 0, func() { p.Excluded[pick(len(p.Excluded))].Code += "x" }},
		{"public.excluded article", len(p.Excluded) > 0, func() { p.Excluded[pick(len(p.Excluded))].Article += "x" }},
		{"public.pool_digest", true, func() { p.PoolDigest = flip(p.PoolDigest) }},
		{"public.request_digest", true, func() { p.RequestDigest = flip(p.RequestDigest) }},
		{"public.key", true, func() { p.Key += "1./" }},
		{"public.panel round", true, func() { p.Panel[pick(len(p.Panel))].Round++ }},
		{"public.panel expert", true, func() { p.Panel[pick(len(p.Panel))].ExpertID += "x" }},
		{"public.panel order", len(p.Panel) > 1, func() { p.Panel[0], p.Panel[1] = p.Panel[1], p.Panel[0] }},
		{"public.panel flag", true, func() { i := pick(len(p.Panel)); p.Panel[i].Invited = !p.Panel[i].Invited }},
		{"public.reserve dropped", len(p.Reserve) > 0, func() { p.Reserve = p.Reserve[:len(p.Reserve)-1] }},
		{"public.reserve round", len(p.Reserve) > 0, func() { p.Reserve[pick(len(p.Reserve))].Round += 2 }},
		{"public.reserve_size", len(p.Reserve) > 0, func() { p.ReserveSize = len(p.Reserve) - 1 }},
		{"event.index", true, func() { c.Event.Index++ }},
		{"event.record", true, func() {
			c.Event.Record = strings.Replace(c.Event.Record, `"action":"draw"`, `"action":"view"`, 1)
		}},
		{"event.proof", len(c.Event.Proof) > 0, func() {
			h := make([]byte, 32)
			for k := range h {
				h[k] = byte(rng.IntN(256))
			}
			c.Event.Proof[pick(len(c.Event.Proof))] = base64.StdEncoding.EncodeToString(h)
		}},
		{"event.proof dropped", len(c.Event.Proof) > 0, func() { c.Event.Proof = c.Event.Proof[1:] }},
		{"checkpoint size", true, func() {
			c.Checkpoint = regexp.MustCompile(`\n(\d+)\n`).ReplaceAllStringFunc(c.Checkpoint, func(s string) string { return "\n1" + s[1:] })
		}},
		{"checkpoint signature", true, func() {
			i := strings.LastIndex(c.Checkpoint, " ") + 10
			ch := "A"
			if c.Checkpoint[i:i+1] == "A" {
				ch = "B"
			}
			c.Checkpoint = c.Checkpoint[:i] + ch + c.Checkpoint[i+1:]
		}},
		{"checkpoint of another bundle", other.Checkpoint != c.Checkpoint, func() { c.Checkpoint = other.Checkpoint }},
		{"verifier_key", true, func() {
			name, _, _ := strings.Cut(c.VerifierKey, "+")
			_, c.VerifierKey = randomKey(t, rng, name)
		}},
	}
	// The commitment, the campaign and the export event.
	cm, cp, x := c.Commit, c.Campaign, c.Export
	var refills []int
	if cp != nil {
		for i, ev := range cp.Events {
			if ev.Refill {
				refills = append(refills, i)
			}
		}
	}
	randomHash := func() string {
		h := make([]byte, 32)
		for k := range h {
			h[k] = byte(rng.IntN(256))
		}
		return base64.StdEncoding.EncodeToString(h)
	}
	edits = append(edits, []edit{
		{"commit dropped", cm != nil, func() { c.Commit = nil }},
		{"commit.record request_digest", cm != nil, func() {
			cm.Record = regexp.MustCompile(`"request_digest":"(.)`).ReplaceAllStringFunc(cm.Record, func(m string) string { return `"request_digest":"` + flip(m[len(m)-1:]) })
		}},
		{"commit.record pool_digest", cm != nil, func() {
			cm.Record = regexp.MustCompile(`"pool_digest":"(.)`).ReplaceAllStringFunc(cm.Record, func(m string) string { return `"pool_digest":"` + flip(m[len(m)-1:]) })
		}},
		{"commit.record source count", cm != nil, func() {
			cm.Record = regexp.MustCompile(`"count":\d+`).ReplaceAllString(cm.Record, fmt.Sprintf(`"count":%d`, cm.Ref.Source.Count+1))
		}},
		{"commit.record source at", cm != nil, func() {
			cm.Record = regexp.MustCompile(`"at":"20[^"]*","count"`).ReplaceAllString(cm.Record, `"at":"2020-01-01T08:00:00+08:00","count"`)
		}},
		{"commit.record outcome", cm != nil, func() { cm.Record = strings.Replace(cm.Record, `"committed"`, `"drawn"`, 1) }},
		{"commit.index", cm != nil, func() { cm.Index++ }},
		{"commit.proof", cm != nil && len(cm.Proof) > 0, func() { cm.Proof[pick(len(cm.Proof))] = randomHash() }},
		{"commit.ref.digest", cm != nil, func() { cm.Ref.Digest = flip(cm.Ref.Digest) }},
		{"commit.ref.audit_index", cm != nil, func() { cm.Ref.AuditIndex-- }},
		{"commit.ref.source round", cm != nil, func() { cm.Ref.Source.Round += "1" }},
		{"commit.ref.source count", cm != nil, func() { cm.Ref.Source.Count++ }},
		{"commit.ref.source at", cm != nil, func() { cm.Ref.Source.At = cm.Ref.Source.At.Add(time.Hour) }},
		{"event practice added", cm != nil, func() {
			c.Event.Record = strings.Replace(c.Event.Record, `"kind":"request"`, `"kind":"request","practice":true`, 1)
		}},
		{"event commit_index", cm != nil, func() {
			c.Event.Record = regexp.MustCompile(`"commit_index":\d+`).ReplaceAllString(c.Event.Record, fmt.Sprintf(`"commit_index":%d`, cm.Index+1))
		}},
		{"event practice removed", cm == nil, func() { c.Event.Record = strings.Replace(c.Event.Record, `"practice":true`, `"practice":false`, 1) }},
		{"campaign refill expert", len(refills) > 0, func() {
			ev := &cp.Events[refills[pick(len(refills))]]
			was := ev.ExpertID
			ev.ExpertID = p.Candidates[pick(len(p.Candidates))].ID
			if ev.ExpertID == was {
				ev.ExpertID += "x"
			}
		}},
		{"campaign refill round", len(refills) > 0, func() { cp.Events[refills[pick(len(refills))]].Round++ }},
		{"campaign refill order", len(refills) > 1, func() {
			i, j := refills[0], refills[1]
			cp.Events[i], cp.Events[j] = cp.Events[j], cp.Events[i]
		}},
		{"campaign event dropped", cp != nil && len(cp.Events) > 0, func() {
			i := pick(len(cp.Events))
			cp.Events = slices.Delete(cp.Events, i, i+1)
		}},
		{"campaign event kind", cp != nil && len(cp.Events) > 0, func() {
			ev := &cp.Events[pick(len(cp.Events))]
			ev.Kind = map[selection.EventKind]selection.EventKind{selection.EventNotified: selection.EventAccepted, selection.EventAccepted: selection.EventDeclined,
				selection.EventDeclined: selection.EventAccepted, selection.EventNoAnswer: selection.EventDeclined, selection.EventWithdrawn: selection.EventDeclined,
				selection.EventRefused: selection.EventNoAnswer}[ev.Kind]
		}},
		{"campaign dropped", cp != nil, func() { c.Campaign = nil }},
		{"export dropped", x != nil && cp != nil, func() { c.Export = nil }},
		{"export.record public_digest", x != nil, func() {
			x.Record = regexp.MustCompile(`"public_digest":"(.)`).ReplaceAllStringFunc(x.Record, func(m string) string { return `"public_digest":"` + flip(m[len(m)-1:]) })
		}},
		{"export.proof", x != nil && len(x.Proof) > 0, func() { x.Proof[pick(len(x.Proof))] = randomHash() }},
		{"export.index", x != nil, func() { x.Index-- }},
	}...)
	if only == "*" { // the names of every edit
		for _, e := range edits {
			editNames = append(editNames, e.name)
		}
		return nil, "", false
	}
	var ok []edit
	for _, e := range edits {
		if e.ok && (only == "" || e.name == only) {
			ok = append(ok, e)
		}
	}
	if len(ok) == 0 {
		return nil, only, false
	}
	e := ok[rng.IntN(len(ok))]
	e.do()
	return c, e.name, true
}

var editNames []string

// TestEveryTamperingIsCaught applies every kind of tampering (each field of the public
// record, the draw event, the commitment, the campaign, the export event and the
// checkpoint) to up to 12 bundles it applies to: Go and the page both catch each, and
// report the same failed checks.
func TestEveryTamperingIsCaught(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 2))
	genuine := append([]*verify.Bundle{serviceBundle(t), practiceBundle(t)}, bundles(t, rng, 150)...)
	editNames = nil
	tamperWith(t, rng, genuine[0], genuine[1], "*")
	require.GreaterOrEqual(t, len(editNames), 50)
	var all []*verify.Bundle
	var names []string
	var wants [][]string
	for _, name := range editNames {
		n := 0
		for i, b := range genuine {
			if n == 12 {
				break
			}
			bad, _, ok := tamperWith(t, rng, b, genuine[(i+1)%len(genuine)], name)
			if !ok {
				continue
			}
			n++
			all, names, wants = append(all, bad), append(names, name), append(wants, expected(b))
		}
		assert.Positive(t, n, "no bundle for tampering %q", name)
	}
	page := runPage(t, all)
	caught := map[string]int{}
	for i, b := range all {
		goFailed := verify.Failed(verify.Check(b))
		assert.NotEqual(t, wants[i], goFailed, "Go misses tampering %s", names[i])
		assert.False(t, page.Verdicts[i].OK, "the page misses tampering %s", names[i])
		assert.Equal(t, goFailed, nilIfEmpty(page.Verdicts[i].Failed), "tampering %s: Go and the page disagree", names[i])
		if strings.HasPrefix(names[i], "campaign refill") {
			// The export event's digest catches any change; the replay catches a wrong
			// refill on its own, as it would in a campaign record the exporter forged.
			assert.Contains(t, goFailed, "campaign", "tampering %s", names[i])
		}
		caught[names[i]]++
	}
	t.Logf("%d tampered bundles of %d kinds, all caught by both: %v", len(all), len(caught), caught)
}

func groupCount(p *selection.PublicRecord) int {
	n := 0
	for _, f := range p.Request {
		if f[0] == "group" {
			n++
		}
	}
	return n
}

func flip(s string) string {
	if strings.HasPrefix(s, "0") {
		return "1" + s[1:]
	}
	return "0" + s[1:]
}

// The Go replay accepts genuine bundles and refuses every single-field tampering.
func TestGoReplay(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	bs := bundles(t, rng, 60)
	for i, b := range bs {
		require.Equal(t, expected(b), verify.Failed(verify.Check(b)), "bundle %d", i)
		bad, what := tamper(t, rng, b, bs[(i+1)%len(bs)])
		assert.NotEqual(t, expected(b), verify.Failed(verify.Check(bad)), "tampering %s went unnoticed", what)
	}
}

// expected is what Check reports on a genuine bundle: nothing for a formal draw, the formal
// check for a practice draw (练习抽取，非正式抽取).
func expected(b *verify.Bundle) []string {
	if verify.Practice(b) {
		return []string{"formal"}
	}
	return nil
}

// A formal draw through the Service (submit, approve, commit, draw, campaign with a decline
// and its refill), exported by the using unit: the bundle verifies, commitment and campaign
// included.
func TestServiceDrawBundle(t *testing.T) {
	b := serviceBundle(t)
	require.NoError(t, b.Verify())
	require.NotNil(t, b.Commit)
	require.NotNil(t, b.Campaign)
	require.NotNil(t, b.Export)
	assert.False(t, verify.Practice(b))
	refills := 0
	for _, ev := range b.Campaign.Events {
		refills += boolInt(ev.Refill)
	}
	assert.Positive(t, refills)
}

// serviceFixture is a Service with 16 admitted experts, its clock and key.
type serviceFixture struct {
	svc      *expertdb.Service
	now      *time.Time
	vkey     string
	notifier *expertdb.RecordingNotifier
}

var (
	admin  = audit.Actor{ID: "u-admin", Name: "周敏", Role: audit.RoleCityAdmin, Unit: "市科技局"}
	leader = audit.Actor{ID: "u-leader", Name: "郑国强", Role: audit.RoleLeader, Unit: "市科技局"}
	jiwei  = audit.Actor{ID: "u-jiwei", Name: "纪检员", Role: audit.RoleDiscipline, Unit: "局机关纪委"}
	county = audit.Actor{ID: "u-county", Name: "县经办", Role: audit.RoleCounty, Unit: "瑞安市科技局"}
)

func newServiceFixture(t *testing.T) *serviceFixture {
	t.Helper()
	ctx := context.Background()
	skey, vkey, err := note.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{3}, 64)), "wzkj.example/expertdb")
	require.NoError(t, err)
	signer, err := note.NewSigner(skey)
	require.NoError(t, err)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, cst)
	f := &serviceFixture{now: &now, vkey: vkey, notifier: &expertdb.RecordingNotifier{}}
	var us []audit.User
	for _, a := range []audit.Actor{admin, leader, clerk, jiwei, county} {
		us = append(us, audit.User{ID: a.ID, Name: a.Name, Role: a.Role, Unit: a.Unit})
	}
	f.svc, err = expertdb.NewService(ctx, expertdb.Options{Users: us, Signer: signer, Clock: func() time.Time { return *f.now },
		Random: bytes.NewReader(bytes.Repeat([]byte{7}, 1<<16)), Notifier: f.notifier})
	require.NoError(t, err)
	for i := range 16 {
		e := personal(i)
		e.Status = ""
		_, err := f.svc.Admit(ctx, admin, admission.Application{Channel: admission.ChannelApplication, Expert: e,
			Personal: &admission.PersonalEvidence{FormStampedBy: e.Affiliation.Org, Proofs: []string{"file"}, PledgeSignedAt: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)}})
		require.NoError(t, err)
	}
	return f
}

// personal is expert i of the Service fixture, with a name, an ID number and a mobile.
func personal(i int) admission.Expert {
	birth := time.Date(1965+i%25, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
	first := fmt.Sprintf("330302%s%03d", birth.Format("20060102"), i)
	c, _ := admission.IDNumberCheckChar(first)
	e := expert(fmt.Sprintf("E%04d", i), fmt.Sprintf("单位%d", i%5), "330302", i%4 == 0)
	e.Name, e.IDNumber, e.Mobile, e.BirthDate = []string{"王伟", "欧阳娜娜", "李建国", "陈静"}[i%4], first+string(c), fmt.Sprintf("138%08d", 10000000+i), birth
	for k := range e.Credentials {
		e.Credentials[k].Date = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return e
}

func serviceRequest(id string) expertdb.DrawRequest {
	return expertdb.DrawRequest{
		Request: selection.Request{ID: id, Size: 4, At: time.Date(2026, 3, 20, 9, 0, 0, 0, cst),
			Project: conflict.Project{ID: "P-1", Leader: conflict.Person{ID: "L1", Name: "孙立新",
				Affiliation: admission.Affiliation{Org: "单位0", Kind: admission.University, Department: "dept-单位0"}}},
			Quotas: []selection.Quota{{Name: "economic", Filter: `"economic" in expert.Categories`, Min: 1}},
			Groups: []selection.GroupCap{{Name: "one-per-unit", Key: "expert.Affiliation.Org", Max: 1}}},
		Unit: clerk.Unit, Window: 48 * time.Hour,
	}
}

// formalDraw submits, approves, commits and draws request id on f's Service, then starts
// its campaign and lets the first notified expert decline (the seat is refilled).
func (f *serviceFixture) formalDraw(t *testing.T, id string) *expertdb.DrawRecord {
	t.Helper()
	ctx := context.Background()
	svc := f.svc
	_, err := svc.Submit(ctx, clerk, serviceRequest(id))
	require.NoError(t, err)
	_, err = svc.Approve(ctx, leader, id, expertdb.ApproveRequest)
	require.NoError(t, err)
	src := expertdb.EntropySource{Kind: "lottery", Name: expertdb.SourceQilecai, Round: "2026031", At: f.now.Add(12 * time.Hour), Count: 8}
	_, err = svc.Commit(ctx, clerk, id, src)
	require.NoError(t, err)
	*f.now = src.At.Add(time.Hour)
	value := expertdb.PublicValue{Source: src, Values: []uint64{3, 17, 22, 28, 30, 9, 12, 5}}
	_, err = svc.PublishValue(ctx, jiwei, id, value) // the two-person rule: not the committer
	require.NoError(t, err)
	rec, err := svc.DrawCommitted(ctx, clerk, id, value)
	require.NoError(t, err)
	_, err = svc.StartCampaign(ctx, clerk, id)
	require.NoError(t, err)
	sent := f.notifier.Sent()
	first := sent[len(sent)-len(rec.Result.Panel)]
	*f.now = f.now.Add(time.Hour)
	_, err = svc.Respond(ctx, clerk, id, expertdb.Response{ExpertID: first.ExpertID, Code: first.Code, Reason: "出差"})
	require.NoError(t, err)
	return rec
}

func serviceBundle(t *testing.T) *verify.Bundle {
	t.Helper()
	f := newServiceFixture(t)
	f.formalDraw(t, "R-2026-001")
	b, err := f.svc.ExportBundle(context.Background(), clerk, "R-2026-001", f.vkey)
	require.NoError(t, err)
	return b
}

// practiceBundle is the bundle of a practice draw (Service.Draw) exported by the using unit.
func practiceBundle(t *testing.T) *verify.Bundle {
	t.Helper()
	f := newServiceFixture(t)
	req := serviceRequest("R-2026-002")
	req.Entropy = &selection.Entropy{Sources: [][]uint64{{20260301}, {3, 17, 22, 28, 31, 9}}}
	_, err := f.svc.Draw(context.Background(), clerk, req)
	require.NoError(t, err)
	b, err := f.svc.ExportBundle(context.Background(), clerk, "R-2026-002", f.vkey)
	require.NoError(t, err)
	return b
}

// ---- the page in headless Chromium ----

func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium not found: the differential test of verify/index.html needs it (.ci/run installs it: apt-get install chromium)")
	return ""
}

func chromeArgs(t *testing.T) []string {
	return []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir()}
}

// harness copies the page into dir with the batch loaded before its script.
func harness(t *testing.T, dir string, bs []*verify.Bundle, prelude ...string) string {
	t.Helper()
	page, err := os.ReadFile("index.html")
	require.NoError(t, err)
	require.Contains(t, string(page), "<!--batch-->")
	raw, err := json.Marshal(bs)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "batch.js"), append(append([]byte(strings.Join(prelude, "")+"window.EXPERTDB_BATCH = "), raw...), ';', '\n'), 0o644))
	h := strings.Replace(string(page), "<!--batch-->", `<script src="batch.js"></script>`, 1)
	path := filepath.Join(dir, "harness.html")
	require.NoError(t, os.WriteFile(path, []byte(h), 0o644))
	return path
}

type pageVerdicts struct {
	Selftest []string `json:"selftest"`
	Verdicts []struct {
		OK     bool     `json:"ok"`
		Failed []string `json:"failed"`
	} `json:"verdicts"`
	Error string `json:"error"`
}

var verdictsRe = regexp.MustCompile(`(?s)<pre id="verdicts" hidden="">(.*?)</pre>`)

func runPage(t *testing.T, bs []*verify.Bundle, prelude ...string) pageVerdicts {
	t.Helper()
	bin := chromium(t)
	dir := t.TempDir()
	path := harness(t, dir, bs, prelude...)
	args := append(chromeArgs(t), "--virtual-time-budget=600000", "--dump-dom", "file://"+path)
	out, err := exec.Command(bin, args...).Output()
	require.NoError(t, err)
	m := verdictsRe.FindSubmatch(out)
	require.NotNil(t, m, "the page wrote no verdicts")
	var v pageVerdicts
	require.NoError(t, json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &v), "%s", m[1])
	require.Empty(t, v.Error, "the page failed")
	require.Empty(t, v.Selftest, "the page's self-test failed")
	require.Len(t, v.Verdicts, len(bs), "the page did not finish every bundle")
	return v
}

// TestPageAgreesWithGo is the differential test: random genuine bundles and one tampered
// copy of each (one field changed); the page and the Go replay must report the same failed
// checks, none for a genuine bundle and at least one for a tampered one.
func TestPageAgreesWithGo(t *testing.T) {
	chromium(t)
	n := 200
	switch {
	case os.Getenv("CI") == "true":
		n = 1000
	case testing.Short():
		n = 30
	}
	rng := rand.New(rand.NewPCG(19, uint64(n)))
	start := time.Now()
	genuine := append([]*verify.Bundle{serviceBundle(t), practiceBundle(t)}, bundles(t, rng, n-2)...)
	var all []*verify.Bundle
	var names []string
	for i, b := range genuine {
		bad, what := tamper(t, rng, b, genuine[(i+1)%len(genuine)])
		all = append(all, b, bad)
		names = append(names, "genuine", what)
	}
	gen := time.Since(start)
	var pref, inv, rfc, groups, binding, formal, campaigns, refills int
	kinds := map[string]int{}
	for i, b := range genuine {
		p := b.Public
		formal += boolInt(b.Commit != nil)
		if b.Campaign != nil {
			campaigns++
			for _, ev := range b.Campaign.Events {
				refills += boolInt(ev.Refill)
			}
		}
		last := -1
		for _, pk := range p.Panel {
			pref += boolInt(pk.Preferential)
			inv += boolInt(pk.Invited)
			last = max(last, pk.Round)
		}
		rfc += boolInt(p.Mode == "rfc3797")
		groups += boolInt(groupCount(p) > 0)
		binding += boolInt(slices.ContainsFunc(p.Reserve, func(r selection.Pick) bool { return r.Round < last }))
		kinds[names[2*i+1]]++
	}
	t.Logf("genuine draws: %d formal (committed), %d in mode rfc3797, %d preferential picks, %d invited experts, %d with group caps, %d where the structure closed a drawn candidate, %d campaigns with %d refills", formal, rfc, pref, inv, groups, binding, campaigns, refills)
	t.Logf("tamperings: %v", kinds)
	start = time.Now()
	page := runPage(t, all)
	ran := time.Since(start)
	t.Logf("%d genuine and %d tampered bundles: generated in %v, page ran in %v", len(genuine), len(genuine), gen.Round(time.Millisecond), ran.Round(time.Millisecond))
	for i, b := range all {
		goFailed := verify.Failed(verify.Check(b))
		js := page.Verdicts[i]
		want := expected(genuine[i/2])
		if names[i] == "genuine" {
			assert.Equal(t, want, goFailed, "bundle %d: Go refuses a genuine bundle", i)
			assert.Equal(t, len(want) == 0, js.OK, "bundle %d: the page's verdict on a genuine bundle: %v", i, js.Failed)
		} else {
			assert.NotEqual(t, want, goFailed, "bundle %d: Go misses tampering %s", i, names[i])
			assert.False(t, js.OK, "bundle %d: the page misses tampering %s", i, names[i])
		}
		assert.Equal(t, goFailed, nilIfEmpty(js.Failed), "bundle %d (%s): Go and the page disagree", i, names[i])
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// TestPageScreenshot keeps a screenshot of the page on a genuine Service draw and on a
// tampered one, as test artefacts (printed with CI=true).
func TestPageScreenshot(t *testing.T) {
	bin := chromium(t)
	b := serviceBundle(t)
	bad := clone(t, b)
	bad.Public.Panel[len(bad.Public.Panel)-1].Round++
	// The screenshots go to t.TempDir(), or with CI=true to a directory that outlives the
	// test (EXPERTDB_ARTEFACTS, or a new one under the system's temporary directory).
	dir := t.TempDir()
	if d := os.Getenv("EXPERTDB_ARTEFACTS"); d != "" {
		dir = d
	} else if os.Getenv("CI") == "true" {
		d, err := os.MkdirTemp("", "expertdb-verify-")
		require.NoError(t, err)
		dir = d
	}
	for name, bb := range map[string]*verify.Bundle{"verify-pass.png": b, "verify-tampered.png": bad, "verify-practice.png": practiceBundle(t)} {
		sub := t.TempDir()
		path := harness(t, sub, []*verify.Bundle{bb})
		shot := filepath.Join(dir, name)
		args := append(chromeArgs(t), "--virtual-time-budget=60000", "--window-size=1200,1900", "--hide-scrollbars", "--screenshot="+shot, "file://"+path)
		require.NoError(t, exec.Command(bin, args...).Run())
		st, err := os.Stat(shot)
		require.NoError(t, err)
		require.Positive(t, st.Size())
		if os.Getenv("CI") == "true" {
			fmt.Println("verify: screenshot of the page:", shot)
		}
	}
}

// FuzzCheck: a bundle is untrusted input; Check never panics on any JSON.
func FuzzCheck(f *testing.F) {
	for _, b := range bundles(f, rand.New(rand.NewPCG(5, 6)), 4) {
		raw, err := json.Marshal(b)
		require.NoError(f, err)
		f.Add(raw)
	}
	f.Add([]byte(`{"version":"expertdb-draw-bundle-v1","checkpoint":"a\n1\nAAAA\n\n\u2014 a AAAA\n"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var b verify.Bundle
		if json.Unmarshal(raw, &b) != nil {
			return
		}
		rs := verify.Check(&b)
		if len(rs) != len(verify.Checks) {
			t.Fatalf("%d results for %d checks", len(rs), len(verify.Checks))
		}
	})
}

// benchDraw is a draw of 2,000 candidates in 40 units with an economic quota and one expert
// per unit, in mode v1.
func benchDraw(b *testing.B) (selection.Request, selection.Pool, selection.Entropy) {
	p := selection.Pool{}
	for i := range 2000 {
		p.Experts = append(p.Experts, expert(fmt.Sprintf("E%05d", i), fmt.Sprintf("单位%02d", i%40), "330302", i%5 == 0))
	}
	req := selection.Request{ID: "R-bench", Size: 9, At: activity,
		Quotas: []selection.Quota{{Name: "economic", Filter: `"economic" in expert.Categories`, Min: 3, Max: 4}},
		Groups: []selection.GroupCap{{Name: "unit", Key: "expert.Affiliation.Org", Max: 1}}}
	return req, p, selection.Entropy{Sources: [][]uint64{{20260301}, {3, 17, 22, 28, 31, 9}}}
}

// BenchmarkDrawBaseline is the baseline: the draw itself (screening included).
func BenchmarkDrawBaseline(b *testing.B) {
	req, p, e := benchDraw(b)
	prep, err := selection.Prepare(req, nil)
	require.NoError(b, err)
	for b.Loop() {
		if _, err := prep.Draw(p, e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyPublic checks the public record of that draw.
func BenchmarkVerifyPublic(b *testing.B) {
	req, p, e := benchDraw(b)
	prep, err := selection.Prepare(req, nil)
	require.NoError(b, err)
	_, pub, err := prep.DrawPublic(p, e)
	require.NoError(b, err)
	for b.Loop() {
		if err := selection.VerifyPublic(pub); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheck checks a whole bundle of a small formal draw with a campaign: signature,
// inclusion proofs, events, commitment, export, public record and campaign.
func BenchmarkCheck(b *testing.B) {
	bs := bundles(b, rand.New(rand.NewPCG(7, 8)), 16)
	i := slices.IndexFunc(bs, func(x *verify.Bundle) bool { return x.Commit != nil && x.Campaign != nil })
	require.GreaterOrEqual(b, i, 0)
	for b.Loop() {
		if f := verify.Failed(verify.Check(bs[i])); len(f) > 0 {
			b.Fatal(f)
		}
	}
}

// The page accepts a draw of 2,000 candidates (the benchmark's) and a draw with crossing
// group caps on 24 of them. (With crossing caps on 60 candidates the Go structure search
// of this commit reaches its bound; issue 15 rewrites it.)
func TestPageLargeDraw(t *testing.T) {
	chromium(t)
	ctx := context.Background()
	skey, vkey, err := note.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{4}, 64)), "expertdb.test/audit")
	require.NoError(t, err)
	signer, err := note.NewSigner(skey)
	require.NoError(t, err)
	log, err := audit.NewLog(ctx, audit.NewMemoryStore(), signer)
	require.NoError(t, err)
	req, p, e := benchDraw(nil)
	cross := req
	cross.ID = "R-cross"
	cross.Size = 6
	cross.Groups = append(cross.Groups, selection.GroupCap{Name: "region", Key: "expert.Region", Max: 3})
	p2 := p
	p2.Experts = slices.Clone(p.Experts[:24]) // crossing caps: the Go search (issue 15 rewrites it) stays within its bound
	for i := range p2.Experts {
		p2.Experts[i].Region = fmt.Sprintf("3303%02d", i%7)
	}
	var bs []*verify.Bundle
	for _, c := range []struct {
		req  selection.Request
		pool selection.Pool
	}{{req, p}, {cross, p2}} {
		prep, err := selection.Prepare(c.req, nil)
		require.NoError(t, err)
		_, pub, err := prep.DrawPublic(c.pool, e)
		require.NoError(t, err)
		subjects := []string{pub.RequestID}
		for _, pk := range pub.Panel {
			subjects = append(subjects, pk.ExpertID)
		}
		idx, err := log.Append(ctx, audit.Event{At: activity, Actor: clerk, Action: audit.ActionDraw, Subjects: subjects, Data: drawData(pub)})
		require.NoError(t, err)
		b, err := verify.NewBundle(ctx, log, idx, pub, vkey)
		require.NoError(t, err)
		b.Version = verify.BundleVersionV1 // the draw alone, without a commitment
		require.NoError(t, b.Verify())
		bs = append(bs, b)
	}
	start := time.Now()
	page := runPage(t, bs)
	t.Logf("the page checked a draw of 2,000 candidates and one with crossing caps in %v", time.Since(start).Round(time.Millisecond))
	for i := range bs {
		assert.True(t, page.Verdicts[i].OK, "draw %d: %v", i, page.Verdicts[i].Failed)
	}
}

// The page's own Ed25519 (for browsers without it in WebCrypto) agrees with Go on genuine
// bundles, on bundles with a tampered signature or checkpoint, and on other tamperings.
func TestPageEd25519InJavaScript(t *testing.T) {
	chromium(t)
	rng := rand.New(rand.NewPCG(25519, 1))
	genuine := bundles(t, rng, 10)
	var all []*verify.Bundle
	for i, b := range genuine {
		sig := clone(t, b)
		j := strings.LastIndex(sig.Checkpoint, " ") + 12
		sig.Checkpoint = sig.Checkpoint[:j] + map[bool]string{true: "B", false: "A"}[sig.Checkpoint[j] == 'A'] + sig.Checkpoint[j+1:]
		text := clone(t, b)
		text.Checkpoint = "x" + text.Checkpoint // another origin, so another signed text
		bad, _ := tamper(t, rng, b, genuine[(i+1)%len(genuine)])
		all = append(all, b, sig, text, bad)
	}
	page := runPage(t, all, `window.EXPERTDB_ED25519 = "js";`)
	for i, b := range all {
		goFailed := verify.Failed(verify.Check(b))
		assert.Equal(t, goFailed, nilIfEmpty(page.Verdicts[i].Failed), "bundle %d", i)
		if i%4 == 0 {
			assert.Equal(t, expected(b), goFailed)
		} else {
			assert.NotEqual(t, expected(all[i-i%4]), goFailed)
		}
	}
}

// The public records of the vector files (selection/testdata/vectors), recorded in a log,
// pass in the page and in Go.
func TestPageVectors(t *testing.T) {
	chromium(t)
	files, err := filepath.Glob("../selection/testdata/vectors/*.json")
	require.NoError(t, err)
	ctx := context.Background()
	skey, vkey, err := note.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{5}, 64)), "expertdb.test/vectors")
	require.NoError(t, err)
	signer, err := note.NewSigner(skey)
	require.NoError(t, err)
	log, err := audit.NewLog(ctx, audit.NewMemoryStore(), signer)
	require.NoError(t, err)
	var bs []*verify.Bundle
	var names []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var v struct {
			Public *selection.PublicRecord `json:"public"`
		}
		require.NoError(t, json.Unmarshal(raw, &v))
		if v.Public == nil {
			continue
		}
		subjects := []string{v.Public.RequestID}
		for _, p := range v.Public.Panel {
			subjects = append(subjects, p.ExpertID)
		}
		idx, err := log.Append(ctx, audit.Event{At: activity, Actor: clerk, Action: audit.ActionDraw, Subjects: subjects, Data: drawData(v.Public)})
		require.NoError(t, err)
		b, err := verify.NewBundle(ctx, log, idx, v.Public, vkey)
		require.NoError(t, err)
		b.Version = verify.BundleVersionV1 // the draw alone, without a commitment
		bs = append(bs, b)
		names = append(names, filepath.Base(f))
	}
	require.GreaterOrEqual(t, len(bs), 20)
	page := runPage(t, bs)
	for i, b := range bs {
		assert.Empty(t, verify.Failed(verify.Check(b)), names[i])
		assert.True(t, page.Verdicts[i].OK, "%s: %v", names[i], page.Verdicts[i].Failed)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

var update = flag.Bool("update", false, "rewrite verify/testdata/example-bundle.json")

// TestExampleBundle keeps verify/testdata/example-bundle.json, the bundle of a Service draw,
// for anyone to try the page with (its key is in the file; the README names it). The file
// is what the code produces (-update rewrites it) and passes every check.
//
// testdata/example-practice-bundle.json is a practice draw's bundle: it fails the formal-draw
// check only (练习抽取，非正式抽取).
func TestExampleBundle(t *testing.T) {
	for path, b := range map[string]*verify.Bundle{"testdata/example-bundle.json": serviceBundle(t),
		"testdata/example-practice-bundle.json": practiceBundle(t)} {
		raw, err := json.MarshalIndent(b, "", "  ")
		require.NoError(t, err)
		raw = append(raw, '\n')
		if *update {
			require.NoError(t, os.MkdirAll("testdata", 0o755))
			require.NoError(t, os.WriteFile(path, raw, 0o644))
		}
		stored, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, string(raw), string(stored), "run go test ./verify -run TestExampleBundle -update")
		var back verify.Bundle
		require.NoError(t, json.Unmarshal(stored, &back))
		assert.Equal(t, expected(&back), verify.Failed(verify.Check(&back)), path)
	}
}

// The page as an inspector uses it: the bundle pasted, the published key typed in, the
// button pressed. With another key (a bundle signed by someone else) the verdict is a
// failure of the checkpoint signature.
func TestPageManualFlow(t *testing.T) {
	bin := chromium(t)
	raw, err := os.ReadFile("testdata/example-bundle.json")
	require.NoError(t, err)
	var b verify.Bundle
	require.NoError(t, json.Unmarshal(raw, &b))
	_, otherKey, err := note.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{8}, 64)), "wzkj.example/expertdb")
	require.NoError(t, err)
	page, err := os.ReadFile("index.html")
	require.NoError(t, err)
	for _, tt := range []struct {
		key, want string
	}{{b.VerifierKey, "核验通过"}, {otherKey, "核验未通过：检查点签名（Ed25519）"}} {
		dir := t.TempDir()
		text, _ := json.Marshal(string(raw))
		key, _ := json.Marshal(tt.key)
		script := fmt.Sprintf(`<script>window.addEventListener("load", () => {
  document.getElementById("input").value = %s;
  document.getElementById("pubkey").value = %s;
  document.getElementById("run").click();
});</script>`, text, key)
		h := strings.Replace(string(page), "</body>", script+"</body>", 1)
		path := filepath.Join(dir, "manual.html")
		require.NoError(t, os.WriteFile(path, []byte(h), 0o644))
		args := append(chromeArgs(t), "--virtual-time-budget=60000", "--dump-dom", "file://"+path)
		out, err := exec.Command(bin, args...).Output()
		require.NoError(t, err)
		assert.Contains(t, string(out), tt.want)
	}
}

// A v1 bundle (verify/testdata/example-bundle-v1.json, written before the commitment was
// part of the bundle) still verifies, in Go and in the page; its commitment, export and
// campaign checks are not run. A v1 bundle that carries v2 parts is refused.
func TestOldBundleStillVerifies(t *testing.T) {
	raw, err := os.ReadFile("testdata/example-bundle-v1.json")
	require.NoError(t, err)
	var b verify.Bundle
	require.NoError(t, json.Unmarshal(raw, &b))
	require.Equal(t, verify.BundleVersionV1, b.Version)
	rs := verify.Check(&b)
	require.Empty(t, verify.Failed(rs))
	for _, r := range rs {
		if strings.HasPrefix(r.Check, "commit") || r.Check == "formal" || r.Check == "export" || r.Check == "campaign" {
			assert.False(t, r.Run, r.Check)
		} else {
			assert.True(t, r.Run && r.OK, r.Check)
		}
	}
	mixed := clone(t, &b)
	mixed.Campaign = &selection.PublicCampaign{Version: selection.PublicCampaignVersion, RequestID: b.Public.RequestID}
	assert.Equal(t, []string{"format"}, verify.Failed(verify.Check(mixed)))
	chromium(t)
	page := runPage(t, []*verify.Bundle{&b, mixed})
	assert.True(t, page.Verdicts[0].OK, "%v", page.Verdicts[0].Failed)
	assert.Equal(t, []string{"format"}, page.Verdicts[1].Failed)
}

// The campaign vectors (selection/testdata/campaigns), each recorded with an export event
// that names its campaign (for a forged one, as a dishonest exporter would): the page and Go
// agree, and the campaign check fails exactly on the forged ones.
func TestPageCampaignVectors(t *testing.T) {
	chromium(t)
	files, err := filepath.Glob("../selection/testdata/campaigns/*.json")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 10)
	ctx := context.Background()
	signer, vkey := randomKey(t, rand.New(rand.NewPCG(14, 14)), "expertdb.test/campaigns")
	log, err := audit.NewLog(ctx, audit.NewMemoryStore(), signer)
	require.NoError(t, err)
	var bs []*verify.Bundle
	var forged []bool
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var v struct {
			Public   *selection.PublicRecord   `json:"public"`
			Campaign *selection.PublicCampaign `json:"campaign"`
			Error    string                    `json:"error"`
		}
		require.NoError(t, json.Unmarshal(raw, &v))
		subjects := []string{v.Public.RequestID}
		for _, p := range v.Public.Panel {
			subjects = append(subjects, p.ExpertID)
		}
		idx, err := log.Append(ctx, audit.Event{At: activity, Actor: clerk, Action: audit.ActionDraw, Subjects: subjects, Data: drawData(v.Public, "practice", true)})
		require.NoError(t, err)
		x, _ := json.Marshal(map[string]any{"kind": "request", "outcome": "bundle", "public_digest": v.Public.Digest(), "campaign_digest": v.Campaign.Digest()})
		xi, err := log.Append(ctx, audit.Event{At: activity, Actor: clerk, Action: audit.ActionExport, Subjects: []string{v.Public.RequestID}, Data: x})
		require.NoError(t, err)
		b, err := verify.NewBundleParts(ctx, log, idx, v.Public, vkey, verify.Parts{Campaign: v.Campaign, Export: xi, HasExport: true})
		require.NoError(t, err)
		bs, forged = append(bs, b), append(forged, v.Error != "")
	}
	page := runPage(t, bs)
	for i, b := range bs {
		goFailed := verify.Failed(verify.Check(b))
		want := []string{"formal"}
		if forged[i] {
			want = append(want, "campaign")
		}
		assert.Equal(t, want, goFailed, files[i])
		assert.Equal(t, goFailed, page.Verdicts[i].Failed, files[i])
	}
}

// benchCampaign is the benchmark's draw with a campaign: 8 of the 9 decline in turn (each
// refilled under the structure), and the refills accept.
func benchCampaign(b *testing.B) (*selection.Prepared, selection.Pool, selection.Entropy, []selection.Event, *selection.PublicRecord) {
	req, p, e := benchDraw(b)
	prep, err := selection.Prepare(req, nil)
	require.NoError(b, err)
	_, pub, err := prep.DrawPublic(p, e)
	require.NoError(b, err)
	c, err := selection.NewCampaign(prep, p, e, 48*time.Hour)
	require.NoError(b, err)
	rnd := &codes{}
	code := map[string]string{}
	keep := func(ns []selection.Notice, err error) {
		require.NoError(b, err)
		for _, n := range ns {
			code[n.ExpertID] = n.Code
		}
	}
	at := activity.AddDate(0, 0, -20)
	keep(c.Start(at, rnd))
	for i := range 8 {
		id := c.Panel()[i].ExpertID
		keep(c.Decline(id, code[id], "", false, at, rnd))
	}
	return prep, p, e, c.Events(), pub
}

// BenchmarkCampaignReplayBaseline is the baseline: the Go campaign's own replay of its
// events (selection.Campaign.Replay, screening included).
func BenchmarkCampaignReplayBaseline(b *testing.B) {
	prep, p, e, evs, _ := benchCampaign(b)
	for b.Loop() {
		c, err := selection.NewCampaign(prep, p, e, 48*time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Replay(evs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyPublicCampaign checks the same campaign from the public records alone.
func BenchmarkVerifyPublicCampaign(b *testing.B) {
	_, _, _, evs, pub := benchCampaign(b)
	pc := selection.NewPublicCampaign(pub.RequestID, evs)
	for b.Loop() {
		if err := selection.VerifyPublicCampaign(pub, pc); err != nil {
			b.Fatal(err)
		}
	}
}
