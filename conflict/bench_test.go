package conflict_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
)

// benchData is a realistic, deterministic workload: a 30-person project (leader and 29
// members from universities, institutes, enterprises, hospitals and bureaus), 10 avoidance
// entries, 2,000 relations and 100,000 experts spread over 600 units, a few per cent of them
// sharing a unit with a member.
type benchData struct {
	project   conflict.Project
	relations []conflict.Relation
	experts   []admission.Expert
}

var benchUnits = func() []admission.Affiliation {
	var us []admission.Affiliation
	depts := []string{"化学与材料工程学院", "计算机与人工智能学院", "数理学院", "生命与环境科学学院", "机电工程学院", "药学院", "基础医学院"}
	for _, u := range []string{"温州大学", "温州医科大学", "温州理工学院", "浙江工贸职业技术学院", "温州职业技术学院"} {
		for _, d := range depts {
			us = append(us, admission.Affiliation{Org: u, Kind: admission.University, Department: d})
		}
	}
	for i := range 80 {
		us = append(us, admission.Affiliation{Org: fmt.Sprintf("温州市第%d研究所", i+1), Kind: admission.Institute})
	}
	for i := range 400 {
		us = append(us, admission.Affiliation{Org: fmt.Sprintf("温州市瓯海区第%d科技有限公司", i+1), Kind: admission.Enterprise,
			OrgCode: fmt.Sprintf("91330304MA2%07d", i)})
	}
	for i := range 60 {
		us = append(us, admission.Affiliation{Org: fmt.Sprintf("温州市第%d人民医院", i+1), Kind: admission.Hospital})
	}
	for i := range 25 {
		us = append(us, admission.Affiliation{Org: fmt.Sprintf("温州市某区第%d局", i+1), Kind: admission.Government})
	}
	return us
}()

func newBenchData(experts int) benchData {
	rng := rand.New(rand.NewPCG(2024, 3))
	surnames := []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
	given := []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国")
	name := func() string {
		n := string(surnames[rng.IntN(len(surnames))]) + string(given[rng.IntN(len(given))])
		if rng.IntN(2) == 0 {
			n += string(given[rng.IntN(len(given))])
		}
		return n
	}
	unit := func() admission.Affiliation { return benchUnits[rng.IntN(len(benchUnits))] }
	var d benchData
	person := func(i int) conflict.Person {
		return conflict.Person{ID: fmt.Sprintf("P%03d", i), Name: name(), IDNumber: fmt.Sprintf("3303021980%02d%02d%03d1", i%12+1, i%28+1, i),
			Affiliation: unit()}
	}
	d.project = conflict.Project{ID: "XM-2025-0001", Region: "330302", Leader: person(0)}
	for i := 1; i < 30; i++ {
		d.project.Members = append(d.project.Members, person(i))
	}
	for i := range 10 {
		u := unit()
		switch i % 4 {
		case 0:
			d.project.Avoid = append(d.project.Avoid, conflict.Avoidance{ExpertID: fmt.Sprintf("E%06d", rng.IntN(experts))})
		case 1:
			d.project.Avoid = append(d.project.Avoid, conflict.Avoidance{Name: name(), Org: u.Org})
		case 2:
			d.project.Avoid = append(d.project.Avoid, conflict.Avoidance{Org: u.Org, Department: u.Department})
		default:
			d.project.Avoid = append(d.project.Avoid, conflict.Avoidance{Org: u.Org})
		}
	}
	kinds := []string{"advisor", "family", "co-author", "collaborator", "business", "同事"}
	for range 2000 {
		a := fmt.Sprintf("E%06d", rng.IntN(experts))
		b := fmt.Sprintf("P%03d", rng.IntN(30))
		if rng.IntN(4) == 0 { // relations between experts only
			b = fmt.Sprintf("E%06d", rng.IntN(experts))
		}
		r := conflict.Relation{A: a, B: b, Kind: kinds[rng.IntN(len(kinds))]}
		if rng.IntN(2) == 0 {
			r.Until = asOf.AddDate(0, -rng.IntN(80), 0)
		}
		d.relations = append(d.relations, r)
	}
	d.experts = make([]admission.Expert, experts)
	for i := range d.experts {
		e := admission.Expert{ID: fmt.Sprintf("E%06d", i), Name: name(),
			IDNumber: fmt.Sprintf("3303811975%02d%02d%03d2", i%12+1, i%28+1, i%1000), Affiliation: unit(),
			Status: admission.Active}
		if rng.IntN(3) == 0 {
			p := unit()
			p.To = asOf.AddDate(0, -rng.IntN(36), 0)
			e.Past = []admission.Affiliation{p}
		}
		d.experts[i] = e
	}
	return d
}

func benchRules() *conflict.Rules { return conflict.DefaultRules() }

// TestBenchmarkWorkloadAgreesWithBaseline makes sure the benchmark compares equal work: on
// the benchmark's own data the Checker and the naive baseline find the same conflicts.
func TestBenchmarkWorkloadAgreesWithBaseline(t *testing.T) {
	d := newBenchData(5000)
	c, err := conflict.New(d.project, d.relations, asOf, benchRules())
	require.NoError(t, err)
	ref := newNaive(d.project, d.relations, asOf, benchRules())
	found := 0
	for _, e := range d.experts {
		got := reportMap(c.Report(e))
		require.Equal(t, ref.check(e), got, "expert %s", e.ID)
		if len(got) > 0 {
			found++
		}
	}
	t.Logf("%d of %d experts conflict", found, len(d.experts))
	require.Positive(t, found)
}

var sink int

// BenchmarkCheck checks 100,000 experts against a 30-person project with 10 avoidance
// entries: "indexed" is the Checker (indexes built once, outside the timer, as a draw does);
// "naive" is the hand-written baseline looping over members, relations and entries for each
// expert. One op is the whole pass over 100,000 experts.
func BenchmarkCheck(b *testing.B) {
	d := newBenchData(100_000)
	b.Run("indexed", func(b *testing.B) {
		c, err := conflict.New(d.project, d.relations, asOf, benchRules())
		require.NoError(b, err)
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			for _, e := range d.experts {
				n += len(c.Check(e))
			}
			sink = n
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(d.experts)), "ns/expert")
	})
	b.Run("naive", func(b *testing.B) {
		ref := newNaive(d.project, d.relations, asOf, benchRules())
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			for _, e := range d.experts {
				for _, v := range ref.check(e) {
					if v.Excludes {
						n++
					}
				}
			}
			sink = n
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(d.experts)), "ns/expert")
	})
}

// BenchmarkNewChecker is the one-off cost of building the indexes for the same project.
func BenchmarkNewChecker(b *testing.B) {
	d := newBenchData(1000)
	r := benchRules()
	b.ReportAllocs()
	for b.Loop() {
		c, err := conflict.New(d.project, d.relations, asOf, r)
		if err != nil {
			b.Fatal(err)
		}
		_ = c
	}
}
