package selection_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/selection"
)

// okLedger accepts every reservation; refuseLedger refuses every one (the expert reached the
// annual cap meanwhile).
type okLedger struct{}

func (okLedger) Reserve(context.Context, string, int, string, int) error { return nil }
func (okLedger) Release(context.Context, string, int, string) error      { return nil }

type refuseLedger struct{}

func (refuseLedger) Reserve(context.Context, string, int, string, int) error {
	return selection.ErrCapReached
}
func (refuseLedger) Release(context.Context, string, int, string) error { return nil }

// scenario is a campaign run step by step on a drawn panel.
type scenario struct {
	t     testing.TB
	c     *selection.Campaign
	pub   *selection.PublicRecord
	rnd   *detReader
	codes map[string]string
	at    time.Time
}

func newScenario(t testing.TB, req selection.Request, p selection.Pool, e selection.Entropy) *scenario {
	t.Helper()
	prep, err := selection.Prepare(req, nil)
	require.NoError(t, err)
	_, pub, err := prep.DrawPublic(p, e)
	require.NoError(t, err)
	c, err := selection.NewCampaign(prep, p, e, 48*time.Hour)
	require.NoError(t, err)
	s := &scenario{t: t, c: c, pub: pub, rnd: &detReader{}, codes: map[string]string{}, at: activity.Add(-20 * 24 * time.Hour)}
	s.keep(c.Start(s.at, s.rnd))
	return s
}

func (s *scenario) keep(ns []selection.Notice, err error) {
	s.t.Helper()
	require.NoError(s.t, err)
	for _, n := range ns {
		s.codes[n.ExpertID] = n.Code
	}
}

// nth returns the expert of the i-th seat now taken (pending or accepted).
func (s *scenario) nth(i int) string { return s.c.Panel()[i].ExpertID }

func (s *scenario) decline(id string) *scenario {
	s.at = s.at.Add(time.Hour)
	s.keep(s.c.Decline(id, s.codes[id], "出差", false, s.at, s.rnd))
	return s
}

func (s *scenario) accept(id string, l selection.Ledger) *scenario {
	s.at = s.at.Add(time.Hour)
	s.keep(s.c.Accept(context.Background(), l, id, s.codes[id], "CN-1", s.at, s.rnd))
	return s
}

func (s *scenario) withdraw(id string) *scenario {
	s.at = s.at.Add(time.Hour)
	s.keep(s.c.Withdraw(context.Background(), okLedger{}, id, "生病", s.at, s.rnd))
	return s
}

func (s *scenario) expire() *scenario {
	s.at = s.at.Add(72 * time.Hour)
	s.keep(s.c.Expire(s.at, s.rnd))
	return s
}

func (s *scenario) public() *selection.PublicCampaign {
	return selection.NewPublicCampaign(s.pub.RequestID, s.c.Events())
}

// structured is the request of the campaign vectors: 4 seats, exactly one economic expert,
// one expert per unit, over 18 experts in 6 units (every third is economic).
func structured() (selection.Request, selection.Pool) {
	req := request(4)
	req.Quotas = []selection.Quota{{Name: "economic", Filter: `"economic" in expert.Categories`, Min: 1, Max: 1}}
	req.Groups = []selection.GroupCap{{Name: "unit", Key: "expert.Affiliation.Org", Max: 1}}
	return req, pool(18, 6)
}

// campaignVector is a file of selection/testdata/campaigns: the draw's public record, the
// campaign's public record, and the verdict of VerifyPublicCampaign ("" = valid).
type campaignVector struct {
	Comment  string                    `json:"comment"`
	Public   *selection.PublicRecord   `json:"public"`
	Campaign *selection.PublicCampaign `json:"campaign"`
	Digest   string                    `json:"campaign_digest"`
	Error    string                    `json:"error"`
}

// campaignVectors builds the vectors from the code: genuine campaigns of each kind of event,
// and forged ones (one change each) that VerifyPublicCampaign refuses.
func campaignVectors(t *testing.T) map[string]campaignVector {
	req, p := structured()
	out := map[string]campaignVector{}
	add := func(name, comment string, s *scenario, forge func(c *selection.PublicCampaign)) {
		c := s.public()
		if forge != nil {
			forge(c)
		}
		v := campaignVector{Comment: comment, Public: s.pub, Campaign: c, Digest: c.Digest()}
		if err := selection.VerifyPublicCampaign(s.pub, c); err != nil {
			v.Error = err.Error()
		}
		out[name] = v
	}
	fresh := func() *scenario { return newScenario(t, req, p, testEntropy) }
	s := fresh()
	econ := ""
	for _, st := range s.c.Panel() {
		if expertIndex(st.ExpertID)%3 == 0 {
			econ = st.ExpertID
		}
	}
	require.NotEmpty(t, econ)
	add("campaign-started", "the panel notified in draw order, nobody has answered", fresh(), nil)
	add("campaign-decline-economic", "the economic expert declines: the refill is the first candidate in round order who was never notified and keeps the structure (economic, a unit not on the panel)",
		fresh().decline(econ), nil)
	s = fresh()
	s.accept(s.nth(0), okLedger{})
	s.accept(s.nth(1), okLedger{})
	add("campaign-withdraw", "two accept, the first withdraws (a no-show, Art. 8(2)): refilled from the sequence",
		s.withdraw(s.nth(0)), nil)
	s = fresh()
	s.accept(s.nth(0), okLedger{})
	add("campaign-no-answer", "one accepts, the three others let the deadline pass: three no-answer events, then three refills", s.expire(), nil)
	s = fresh()
	add("campaign-cap-refused", "an acceptance refused by the annual cap (the ledger) is a vacancy, refilled", s.accept(s.nth(2), refuseLedger{}), nil)
	s = fresh()
	s.decline(econ)
	s.decline(s.nth(len(s.c.Panel()) - 1))
	add("campaign-two-refills", "two declines in a row, each refilled", s, nil)

	// Forgeries of campaign-two-refills.
	refills := func(c *selection.PublicCampaign) []int {
		var out []int
		for i, ev := range c.Events {
			if ev.Refill {
				out = append(out, i)
			}
		}
		return out
	}
	forged := func(name, comment string, f func(c *selection.PublicCampaign)) {
		s := fresh()
		s.decline(econ)
		s.decline(s.nth(len(s.c.Panel()) - 1))
		add(name, comment, s, f)
	}
	forged("campaign-forged-skip", "the refill skips the next valid candidate and takes a later alternate of the reserve", func(c *selection.PublicCampaign) {
		i := refills(c)[0]
		// The next candidate the sequence would give after the true refill.
		for _, r := range s.pub.Reserve {
			if r.ExpertID != c.Events[i].ExpertID && !slices.ContainsFunc(c.Events, func(ev selection.PublicSeatEvent) bool { return ev.ExpertID == r.ExpertID }) {
				c.Events[i].ExpertID, c.Events[i].Round = r.ExpertID, r.Round
				return
			}
		}
	})
	forged("campaign-forged-round", "the refill names the right expert with another round", func(c *selection.PublicCampaign) { c.Events[refills(c)[0]].Round++ })
	forged("campaign-forged-order", "the two refills swapped", func(c *selection.PublicCampaign) {
		r := refills(c)
		c.Events[r[0]], c.Events[r[1]] = c.Events[r[1]], c.Events[r[0]]
	})
	forged("campaign-forged-reuse", "a vacated expert takes a seat again", func(c *selection.PublicCampaign) {
		i := refills(c)[1]
		c.Events[i].ExpertID, c.Events[i].Round = c.Events[0].ExpertID, c.Events[0].Round
	})
	forged("campaign-forged-unrefilled", "a decline without its refill (the last event dropped)", func(c *selection.PublicCampaign) { c.Events = c.Events[:len(c.Events)-1] })
	forged("campaign-forged-extra-refill", "a refill without a vacancy", func(c *selection.PublicCampaign) {
		c.Events = append(c.Events, selection.PublicSeatEvent{Kind: selection.EventNotified, ExpertID: s.pub.Reserve[len(s.pub.Reserve)-1].ExpertID, Round: 99, Refill: true})
	})
	forged("campaign-forged-first-notice", "the first notices not in the drawn panel's order", func(c *selection.PublicCampaign) { c.Events[0], c.Events[1] = c.Events[1], c.Events[0] })
	forged("campaign-forged-withdraw-pending", "a withdrawal of an expert who never accepted", func(c *selection.PublicCampaign) {
		c.Events[refills(c)[0]-1].Kind = selection.EventWithdrawn
	})
	forged("campaign-forged-request", "the campaign of another request", func(c *selection.PublicCampaign) { c.RequestID = "R-2" })
	forged("campaign-forged-too-long", "more events than three per candidate and fixed member: refused before any replay", func(c *selection.PublicCampaign) {
		for len(c.Events) <= 3*(len(s.pub.Candidates)+len(s.pub.Fixed)) {
			c.Events = append(c.Events, selection.PublicSeatEvent{Kind: selection.EventAccepted, ExpertID: c.Events[0].ExpertID})
		}
	})
	return out
}

// TestCampaignVectorFiles keeps selection/testdata/campaigns/*.json (docs/draw-v1.md §14.4):
// the files are what the code produces (-update rewrites them), the genuine ones verify and
// every forged one is refused with check "campaign".
func TestCampaignVectorFiles(t *testing.T) {
	const dir = "testdata/campaigns"
	vs := campaignVectors(t)
	if *update {
		require.NoError(t, os.MkdirAll(dir, 0o755))
		old, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, f := range old {
			require.NoError(t, os.Remove(f))
		}
		for name, v := range vs {
			raw, err := json.MarshalIndent(v, "", "  ")
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dir, name+".json"), append(raw, '\n'), 0o644))
		}
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.Len(t, files, len(vs), "run go test ./selection -run TestCampaignVectorFiles -update")
	for _, f := range files {
		name := filepath.Base(f[:len(f)-len(".json")])
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var v campaignVector
		require.NoError(t, json.Unmarshal(raw, &v))
		want, ok := vs[name]
		require.True(t, ok, name)
		assert.Equal(t, want, v, "%s: run go test ./selection -run TestCampaignVectorFiles -update", name)
		assert.Equal(t, v.Digest, v.Campaign.Digest(), name)
		err = selection.VerifyPublicCampaign(v.Public, v.Campaign)
		if len(name) > len("campaign-forged") && name[:len("campaign-forged")] == "campaign-forged" {
			var pe *selection.PublicError
			require.ErrorAs(t, err, &pe, name)
			assert.Equal(t, "campaign", pe.Check, name)
		} else {
			assert.NoError(t, err, name)
		}
	}
}

// The campaign of any random run verifies against its draw's public record, and a refill
// changed to any other expert, or to another round, does not.
func TestPublicCampaignProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		req := request(rapid.IntRange(1, 5).Draw(t, "size"))
		if rapid.Bool().Draw(t, "quota") {
			req.Quotas = []selection.Quota{{Name: "economic", Filter: `"economic" in expert.Categories`, Min: rapid.IntRange(0, 1).Draw(t, "min"), Max: rapid.IntRange(0, 2).Draw(t, "max")}}
			if req.Quotas[0].Max > 0 && req.Quotas[0].Max < req.Quotas[0].Min {
				req.Quotas[0].Max = req.Quotas[0].Min
			}
		}
		if rapid.Bool().Draw(t, "group") {
			req.Groups = []selection.GroupCap{{Name: "unit", Key: "expert.Affiliation.Org", Max: rapid.IntRange(1, 2).Draw(t, "cap")}}
		}
		p := pool(rapid.IntRange(req.Size, 20).Draw(t, "experts"), rapid.IntRange(2, 8).Draw(t, "units"))
		prep, err := selection.Prepare(req, nil)
		require.NoError(t, err)
		e := selection.Entropy{Sources: [][]uint64{{rapid.Uint64().Draw(t, "entropy")}}}
		_, pub, err := prep.DrawPublic(p, e)
		if err != nil {
			t.Skip("infeasible")
		}
		c, err := selection.NewCampaign(prep, p, e, 24*time.Hour)
		require.NoError(t, err)
		rnd := &detReader{seed: rapid.Uint64().Draw(t, "codes")}
		codes := map[string]string{}
		keep := func(ns []selection.Notice) {
			for _, n := range ns {
				codes[n.ExpertID] = n.Code
			}
		}
		at := activity.Add(-30 * 24 * time.Hour)
		ns, err := c.Start(at, rnd)
		require.NoError(t, err)
		keep(ns)
		good := c.Events()
		for range rapid.IntRange(0, 10).Draw(t, "steps") {
			at = at.Add(time.Hour)
			panel := c.Panel()
			s := panel[rapid.IntRange(0, len(panel)-1).Draw(t, "seat")]
			var err error
			switch op := rapid.IntRange(0, 4).Draw(t, "op"); {
			case s.Status == selection.SeatAccepted:
				ns, err = c.Withdraw(context.Background(), okLedger{}, s.ExpertID, "", at, rnd)
			case op == 0:
				ns, err = c.Decline(s.ExpertID, codes[s.ExpertID], "", false, at, rnd)
			case op == 1:
				at = at.Add(48 * time.Hour)
				ns, err = c.Expire(at, rnd)
			case op == 2:
				ns, err = c.Accept(context.Background(), refuseLedger{}, s.ExpertID, codes[s.ExpertID], "CN", at, rnd)
			default:
				ns, err = c.Accept(context.Background(), okLedger{}, s.ExpertID, codes[s.ExpertID], "CN", at, rnd)
			}
			if errors.Is(err, selection.ErrExhausted) {
				break // the Service stores nothing of an operation that exhausts the sequence
			}
			require.NoError(t, err)
			keep(ns)
			good = c.Events()
		}
		pc := selection.NewPublicCampaign(pub.RequestID, good)
		require.NoError(t, selection.VerifyPublicCampaign(pub, pc))
		var refills []int
		for i, ev := range pc.Events {
			if ev.Refill {
				refills = append(refills, i)
			}
		}
		if len(refills) == 0 {
			return
		}
		i := refills[rapid.IntRange(0, len(refills)-1).Draw(t, "refill")]
		bad := *pc
		bad.Events = slices.Clone(pc.Events)
		if rapid.Bool().Draw(t, "round") {
			bad.Events[i].Round++
		} else {
			other := rapid.SampledFrom(pub.Candidates).Draw(t, "other").ID
			if other == bad.Events[i].ExpertID {
				other += "x"
			}
			bad.Events[i].ExpertID = other
		}
		var pe *selection.PublicError
		require.ErrorAs(t, selection.VerifyPublicCampaign(pub, &bad), &pe)
		assert.Equal(t, "campaign", pe.Check)
	})
}

// FuzzVerifyPublicCampaign: a campaign record is untrusted input; the check never panics.
func FuzzVerifyPublicCampaign(f *testing.F) {
	req, p := structured()
	s := newScenario(f, req, p, testEntropy)
	s.expire()
	raw, err := json.Marshal(s.public())
	require.NoError(f, err)
	f.Add(raw)
	f.Add([]byte(`{"version":"expertdb-public-campaign-v1","request_id":"R-1","events":[{"kind":"notified","expert_id":"E000","round":-1,"refill":true}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var c selection.PublicCampaign
		if json.Unmarshal(raw, &c) != nil {
			return
		}
		_ = selection.VerifyPublicCampaign(s.pub, &c)
		_ = c.Digest()
	})
}
