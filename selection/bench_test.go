package selection_test

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/selection"
)

// benchPool returns n experts: about 20 per unit, a quarter economic, a fifth in enterprises,
// every seventh outside the criteria field, some at the cap.
func benchPool(n int) selection.Pool {
	p := selection.Pool{Usage: map[string]int{}}
	for i := range n {
		cats := []admission.Category{admission.Technical}
		if i%4 == 0 {
			cats = append(cats, admission.Economic)
		}
		e := expert(fmt.Sprintf("B%06d", (i*7919)%n), fmt.Sprintf("unit-%05d", i%max(1, n/20)), cats...)
		if i%5 == 0 {
			e.Affiliation.Kind = admission.Enterprise
		}
		if i%7 == 0 {
			e.Fields = []string{"biology"}
		}
		if i%50 == 0 {
			p.Usage[e.ID] = 10
		}
		p.Experts = append(p.Experts, e)
	}
	return p
}

func benchRequest() selection.Request {
	req := request(9)
	for i := range 20 {
		req.Project.Members = append(req.Project.Members, conflict.Person{ID: fmt.Sprintf("M%02d", i), Name: "成员",
			Affiliation: admission.Affiliation{Org: fmt.Sprintf("unit-%05d", i*3), Kind: admission.University, Department: fmt.Sprintf("dept-unit-%05d", i*3)}})
	}
	req.Criteria = `expert.Title >= AssociateSenior && "materials" in expert.Fields`
	req.Quotas = []selection.Quota{
		{Name: "economic", Filter: `"economic" in expert.Categories`, Min: 2, Max: 4},
		{Name: "enterprise", Filter: `expert.Affiliation.Kind == "enterprise"`, Min: 2},
	}
	req.Groups = []selection.GroupCap{{Name: "unit", Key: "expert.Affiliation.Org", Max: 1}}
	return req
}

// baseline is the same pipeline written by hand in Go for this one request: screening with
// the same conditions (status, cap, criteria, age, political-quality credential, economic
// credentials, same unit and department as a member), canonical order, pool digest, the
// SHA-256 sequence, and a greedy structure check (skip a candidate that would break a
// maximum, a unit cap, or leave too few seats for the unmet minimums). It is not exact
// (greedy can fail where a search succeeds) but does comparable work.
func baseline(req selection.Request, p selection.Pool, e selection.Entropy) []string {
	type cand struct {
		id        string
		econ, ent bool
		unit      string
	}
	memberUnit := map[string]bool{}
	for _, m := range req.Project.Members {
		memberUnit[m.Affiliation.Org+"/"+m.Affiliation.Department] = true
	}
	var cs []cand
	for i := range p.Experts {
		x := &p.Experts[i]
		if x.Status != admission.Active || p.Usage[x.ID] >= 10 || x.Title < admission.AssociateSenior ||
			!slices.Contains(x.Fields, "materials") || admission.Age(x.BirthDate, req.At) > 65 ||
			x.ID == req.Project.Leader.ID || memberUnit[x.Affiliation.Org+"/"+x.Affiliation.Department] {
			continue
		}
		hasPQ, hasFund, hasFin := false, false, false
		for _, c := range x.Credentials {
			switch c.Kind {
			case "political-quality":
				hasPQ = true
			case "fund-management":
				hasFund = true
			case "finance-senior-title":
				hasFin = true
			}
		}
		econ := slices.Contains(x.Categories, admission.Economic)
		if !hasPQ || (econ && !(hasFund && hasFin)) {
			continue
		}
		cs = append(cs, cand{x.ID, econ, x.Affiliation.Kind == admission.Enterprise, x.Affiliation.Org})
	}
	slices.SortFunc(cs, func(a, b cand) int { return cmp.Compare(a.id, b.id) })
	h := sha256.New()
	h.Write([]byte("expertdb-pool-v1\n"))
	for _, c := range cs {
		h.Write([]byte(c.id + "\n"))
	}
	key := "expertdb-draw-v1/x/" + hex.EncodeToString(h.Sum(nil)) + "/" + e.Key()
	left := slices.Clone(cs)
	var panel []string
	units := map[string]bool{}
	econ, ent := 0, 0
	for i := 0; len(panel) < req.Size && len(left) > 0; i++ {
		var b []byte
		b = binary.BigEndian.AppendUint32(b, uint32(i))
		b = append(b, key...)
		b = binary.BigEndian.AppendUint32(b, uint32(i))
		d := sha256.Sum256(b)
		var r uint64
		for _, x := range d {
			r = (r<<8 | uint64(x)) % uint64(len(left))
		}
		c := left[r]
		left = slices.Delete(left, int(r), int(r)+1)
		ne, nt := econ, ent
		if c.econ {
			ne++
		}
		if c.ent {
			nt++
		}
		seats := req.Size - len(panel) - 1
		if units[c.unit] || ne > 4 || max(0, 2-ne)+max(0, 2-nt) > seats {
			continue
		}
		units[c.unit] = true
		econ, ent = ne, nt
		panel = append(panel, c.id)
	}
	return panel
}

func BenchmarkDraw(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		p := benchPool(n)
		req := benchRequest()
		e := selection.Entropy{Sources: [][]uint64{{uint64(n)}}}
		b.Run(fmt.Sprintf("n=%d/library", n), func(b *testing.B) {
			for b.Loop() {
				res, err := selection.Draw(req, p, e, nil)
				if err != nil || len(res.Panel) != req.Size {
					b.Fatal(err)
				}
			}
		})
		// The request compiled once (Prepare reused), as a Service that draws one request
		// several times, a simulation or a replay does.
		b.Run(fmt.Sprintf("n=%d/prepared", n), func(b *testing.B) {
			pr, err := selection.Prepare(req, nil)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				res, err := pr.Draw(p, e)
				if err != nil || len(res.Panel) != req.Size {
					b.Fatal(err)
				}
			}
		})
		// A warm draw from a pool kept between draws (Pool.Indexed, issue 14): the first draw
		// (before the timer) fills the cache.
		b.Run(fmt.Sprintf("n=%d/indexed", n), func(b *testing.B) {
			ip := p.Indexed()
			if _, err := selection.Draw(req, ip, e, nil); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				res, err := selection.Draw(req, ip, e, nil)
				if err != nil || len(res.Panel) != req.Size {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/baseline", n), func(b *testing.B) {
			for b.Loop() {
				if got := baseline(req, p, e); len(got) != req.Size {
					b.Fatal("baseline panel incomplete")
				}
			}
		})
	}
}

// BenchmarkSimulateTrial measures one Simulate trial over 10k experts: screening once, then a
// walk with feasibility checks.
func BenchmarkSimulateTrial(b *testing.B) {
	p := benchPool(10_000)
	for b.Loop() {
		if _, err := selection.Simulate(benchRequest(), p, nil, 1, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDrawInterleaved runs, in every iteration, one draw of each kind and the baseline,
// one after the other, and reports the median time of each and the median of its
// per-iteration ratio to the baseline, in wall time and in process CPU time (cpuNow): on a
// machine shared with other programs the ratios of BenchmarkDraw swing with the load between
// sub-benchmarks, and wall-time ratios grow with the load for the longer case (it is
// preempted more often); the CPU-time ratios do not.
//
//	library   selection.Draw(req, pool, e, nil): the request compiled by the draw (the shared
//	          default rules keep what they compiled, by text)
//	prepared  Prepared.Draw: the request compiled once
//	indexed   selection.Draw from Pool.Indexed after a first draw (a warm draw, issue 14)
func BenchmarkDrawInterleaved(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		p := benchPool(n)
		req := benchRequest()
		e := selection.Entropy{Sources: [][]uint64{{uint64(n)}}}
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			pr, err := selection.Prepare(req, nil)
			if err != nil {
				b.Fatal(err)
			}
			ip := p.Indexed()
			if _, err := selection.Draw(req, ip, e, nil); err != nil {
				b.Fatal(err)
			}
			cases := []string{"baseline", "library", "prepared", "indexed"}
			runs := []func() int{
				func() int { return len(baseline(req, p, e)) },
				func() int { res, _ := selection.Draw(req, p, e, nil); return len(res.Panel) },
				func() int { res, _ := pr.Draw(p, e); return len(res.Panel) },
				func() int { res, _ := selection.Draw(req, ip, e, nil); return len(res.Panel) },
			}
			times := make([][]float64, len(cases))
			cpu := make([][]float64, len(cases))
			for b.Loop() {
				for c, run := range runs {
					t0, c0 := time.Now(), cpuNow()
					if run() != req.Size {
						b.Fatal(cases[c], "panel incomplete")
					}
					cpu[c] = append(cpu[c], float64(cpuNow()-c0))
					times[c] = append(times[c], float64(time.Since(t0).Nanoseconds()))
				}
			}
			median := func(xs []float64) float64 {
				xs = slices.Clone(xs)
				slices.Sort(xs)
				return xs[len(xs)/2]
			}
			for c, name := range cases {
				b.ReportMetric(median(times[c])/1e6, name+"-ms")
				b.ReportMetric(median(cpu[c])/1e6, name+"-cpums")
				if c > 0 {
					r, rc := make([]float64, len(times[c])), make([]float64, len(times[c]))
					for i := range r {
						r[i] = times[c][i] / times[0][i]
						rc[i] = cpu[c][i] / max(cpu[0][i], 1)
					}
					b.ReportMetric(median(r), name+"/baseline")
					b.ReportMetric(median(rc), name+"/baseline-cpu")
				}
			}
		})
	}
}
