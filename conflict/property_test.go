package conflict_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"pgregory.net/rapid"
)

type unitSpec struct {
	names []string
	code  string
	kind  admission.OrgKind
	depts []string
}

var unitPool = []unitSpec{
	{[]string{"温州大学", "温 州 大 学", "温大"}, "12330000470026045R", admission.University,
		[]string{"化学与材料工程学院", "化材学院", "计算机与人工智能学院", "数理学院", ""}},
	{[]string{"温州医科大学", "温医大", "温州医学院"}, "12330000470026053K", admission.University, []string{"药学院", "基础医学院", ""}},
	{[]string{"中国科学院大学温州研究院（温州生物材料与工程研究所）", "中国科学院大学温州研究院(温州生物材料与工程研究所)"}, "", admission.Institute, nil},
	{[]string{"中国科学院宁波材料技术与工程研究所"}, "12100000425005432X", admission.Institute, nil},
	{[]string{"正泰集团股份有限公司", "正泰集团 股份有限公司"}, "91330000142940946G", admission.Enterprise, nil},
	{[]string{"ＡＢＢ（中国）有限公司", "ABB(中国)有限公司"}, "", admission.Enterprise, nil},
	{[]string{"温州市科学技术局"}, "", admission.Government, nil},
	{[]string{"温州医科大学附属第一医院"}, "", admission.Hospital, nil},
	{[]string{"瑞安市人民医院"}, "", admission.Hospital, nil},
}

var (
	namePool     = []string{"陈建华", "李明", "李 明", "王芳", "欧阳晓明", "张伟", "赵磊", "诸葛亮"}
	idNumberPool = []string{"", "330302198001011230", "330302800101123", "330302198505052343",
		"33038119750620109X", "33038119750620109x", "330328199008150127"}
	personIDPool = []string{"", "P1", "P2", "P3", "E1", "E2", "E3"}
	expertIDPool = []string{"E1", "E2", "E3", "E4", "P1", "P2"}
	kindPool     = []string{"advisor", "advisee", "family", "collaborator", "co-author", "Co-Author", "business",
		"financial", "同事", ""}
)

func genAffiliation(t *rapid.T, label string, asOf time.Time, past bool) admission.Affiliation {
	s := rapid.SampledFrom(unitPool).Draw(t, label+".unit")
	a := admission.Affiliation{Org: rapid.SampledFrom(s.names).Draw(t, label+".org"), Kind: s.kind}
	switch rapid.IntRange(0, 9).Draw(t, label+".code") {
	case 0, 1, 2, 3:
		a.OrgCode = s.code
	case 4:
		a.OrgCode = "91330000MA2XXXXXX1" // a different unit of the same name
	}
	if rapid.IntRange(0, 9).Draw(t, label+".nokind") == 0 {
		a.Kind = ""
	}
	if len(s.depts) > 0 {
		a.Department = rapid.SampledFrom(s.depts).Draw(t, label+".dept")
	}
	if past && rapid.IntRange(0, 5).Draw(t, label+".open") > 0 {
		a.To = pastDate(t, label+".to", asOf, 900)
	}
	return a
}

func genPerson(t *rapid.T, label string, asOf time.Time) conflict.Person {
	return conflict.Person{
		ID:          rapid.SampledFrom(personIDPool).Draw(t, label+".id"),
		Name:        rapid.SampledFrom(namePool).Draw(t, label+".name"),
		IDNumber:    rapid.SampledFrom(idNumberPool).Draw(t, label+".idn"),
		Affiliation: genAffiliation(t, label, asOf, false),
	}
}

func genAvoidance(t *rapid.T, label string, asOf time.Time) conflict.Avoidance {
	a := genAffiliation(t, label, asOf, false)
	switch rapid.IntRange(0, 4).Draw(t, label+".form") {
	case 0:
		return conflict.Avoidance{ExpertID: rapid.SampledFrom(expertIDPool).Draw(t, label+".eid")}
	case 1:
		return conflict.Avoidance{ExpertID: rapid.SampledFrom(expertIDPool).Draw(t, label+".eid"),
			Name: rapid.SampledFrom(namePool).Draw(t, label+".name"), Org: a.Org}
	case 2:
		return conflict.Avoidance{Name: rapid.SampledFrom(namePool).Draw(t, label+".name"), Org: a.Org, OrgCode: a.OrgCode}
	case 3:
		return conflict.Avoidance{Org: a.Org, Department: a.Department, OrgCode: a.OrgCode}
	}
	return conflict.Avoidance{Org: a.Org}
}

// pastDate returns a date before (or shortly after) asOf, often right at a boundary of the
// 12-, 24- or 48-month windows.
func pastDate(t *rapid.T, label string, asOf time.Time, maxDays int) time.Time {
	if rapid.Bool().Draw(t, label+".boundary") {
		m := rapid.SampledFrom([]int{0, 1, 11, 12, 13, 23, 24, 25, 47, 48, 49}).Draw(t, label+".months")
		d := rapid.IntRange(-2, 2).Draw(t, label+".days")
		return asOf.AddDate(0, -m, d)
	}
	return asOf.AddDate(0, 0, -rapid.IntRange(-60, maxDays).Draw(t, label+".days"))
}

func genRelation(t *rapid.T, label string, asOf time.Time) conflict.Relation {
	ids := append(slices.Clone(expertIDPool), "P3")
	r := conflict.Relation{
		A:    rapid.SampledFrom(ids).Draw(t, label+".a"),
		B:    rapid.SampledFrom(ids).Draw(t, label+".b"),
		Kind: rapid.SampledFrom(kindPool).Draw(t, label+".kind"),
	}
	if rapid.IntRange(0, 3).Draw(t, label+".open") > 0 {
		r.Until = pastDate(t, label+".until", asOf, 2200)
	}
	return r
}

func genAsOf(t *rapid.T) time.Time {
	if rapid.Bool().Draw(t, "monthEnd") {
		// Month ends and leap days stress the month arithmetic.
		return rapid.SampledFrom([]time.Time{date(2024, 2, 29), date(2025, 2, 28), date(2025, 3, 1), date(2025, 3, 31),
			date(2025, 4, 30), date(2025, 5, 31), date(2028, 2, 29), date(2026, 1, 31)}).Draw(t, "asOfEnd")
	}
	d := rapid.IntRange(0, 3*366).Draw(t, "asOf")
	return date(2024, 1, 1).AddDate(0, 0, d)
}

type world struct {
	asOf      time.Time
	project   conflict.Project
	relations []conflict.Relation
	experts   []admission.Expert
	rules     *conflict.Rules
}

func genRules(t *rapid.T) *conflict.Rules {
	r := conflict.DefaultRules()
	r.ExcludePossible = rapid.Bool().Draw(t, "excludePossible")
	r.OtherUnitClause = rapid.SampledFrom([]int{0, 3, 5}).Draw(t, "otherUnitClause")
	r.FormerUnitMonths = rapid.SampledFrom([]int{0, 12, 24}).Draw(t, "formerMonths")
	r.DepartmentAliases = map[string]string{"化材学院": "化学与材料工程学院"}
	r.MaxAvoidances = 100
	if err := r.Compile(); err != nil {
		t.Fatal(err)
	}
	return r
}

func genExpert(t *rapid.T, label string, asOf time.Time) admission.Expert {
	e := admission.Expert{
		ID:          rapid.SampledFrom(expertIDPool).Draw(t, label+".id"),
		Name:        rapid.SampledFrom(namePool).Draw(t, label+".name"),
		IDNumber:    rapid.SampledFrom(idNumberPool).Draw(t, label+".idn"),
		Affiliation: genAffiliation(t, label+".aff", asOf, false),
	}
	for i := range rapid.IntRange(0, 2).Draw(t, label+".past") {
		e.Past = append(e.Past, genAffiliation(t, label+".past"+string(rune('0'+i)), asOf, true))
	}
	return e
}

func genWorld(t *rapid.T) world {
	w := world{asOf: genAsOf(t), rules: genRules(t)}
	w.project = conflict.Project{ID: "XM-1", Region: "330302", Leader: genPerson(t, "leader", w.asOf)}
	for i := range rapid.IntRange(0, 5).Draw(t, "members") {
		w.project.Members = append(w.project.Members, genPerson(t, "member"+string(rune('0'+i)), w.asOf))
	}
	for i := range rapid.IntRange(0, 4).Draw(t, "avoid") {
		w.project.Avoid = append(w.project.Avoid, genAvoidance(t, "avoid"+string(rune('0'+i)), w.asOf))
	}
	for i := range rapid.IntRange(0, 6).Draw(t, "relations") {
		w.relations = append(w.relations, genRelation(t, "rel"+string(rune('0'+i)), w.asOf))
	}
	for i := range rapid.IntRange(1, 4).Draw(t, "experts") {
		w.experts = append(w.experts, genExpert(t, "expert"+string(rune('0'+i)), w.asOf))
	}
	return w
}

func mustChecker(t *rapid.T, p conflict.Project, rel []conflict.Relation, asOf time.Time, r *conflict.Rules) *conflict.Checker {
	c, err := conflict.New(p, rel, asOf, r)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func keys(cs []conflict.Conflict) []refKey {
	var out []refKey
	for _, c := range cs {
		out = append(out, refKey{c.Clause, c.Code, c.Concerns})
	}
	return out
}

func TestAnyoneListedAsLeaderOrMemberAlwaysConflicts(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := genWorld(t)
		people := append([]conflict.Person{w.project.Leader}, w.project.Members...)
		i := rapid.IntRange(0, len(people)-1).Draw(t, "who")
		p := people[i]
		// The expert is that person, known by whatever identifiers the project records.
		e := genExpert(t, "e", w.asOf)
		e.ID, e.IDNumber, e.Name, e.Affiliation = p.ID, p.IDNumber, p.Name, p.Affiliation
		if p.ID == "" {
			e.ID = "E-X"
		}
		code, concerns := "project-member", "member:"+p.ID
		switch {
		case i == 0:
			code, concerns = "project-leader", "leader"
		case p.ID == "":
			concerns = "member:" + refMask(p.Name) + "@" + p.Affiliation.Org
		}
		// Dismissals of definite clause (1) conflicts must not help.
		c := mustChecker(t, w.project, w.relations, w.asOf, w.rules)
		for _, x := range c.Report(e) {
			if x.Clause == 1 && x.Definite {
				w.project.Dismissals = append(w.project.Dismissals, conflict.Dismissal{ExpertID: e.ID, Code: x.Code,
					Concerns: x.Concerns, Reason: "误报", ApprovedBy: "审批人"})
			}
		}
		c = mustChecker(t, w.project, w.relations, w.asOf, w.rules)
		found := false
		for _, x := range c.Report(e) {
			if x.Clause == 1 && x.Code == code && x.Concerns == concerns && (x.Definite || p.ID == "" && p.IDNumber == "") {
				found = true
				if p.ID != "" || p.IDNumber != "" {
					require.True(t, x.Definite, "%+v", x)
					require.True(t, x.Excludes, "%+v", x)
				} else {
					require.Equal(t, w.rules.ExcludePossible, x.Excludes, "%+v", x)
				}
			}
		}
		require.True(t, found, "person %d %+v not reported as conflicting", i, p)
	})
}

func TestAddingMembersOrAvoidancesNeverRemovesConflicts(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := genWorld(t)
		bigger := w.project
		bigger.Members = slices.Clone(w.project.Members)
		bigger.Avoid = slices.Clone(w.project.Avoid)
		for i := range rapid.IntRange(0, 3).Draw(t, "more members") {
			m := genPerson(t, "extra"+string(rune('0'+i)), w.asOf)
			at := rapid.IntRange(0, len(bigger.Members)).Draw(t, "at")
			bigger.Members = slices.Insert(bigger.Members, at, m)
		}
		for i := range rapid.IntRange(0, 3).Draw(t, "more avoidances") {
			a := genAvoidance(t, "extraAvoid"+string(rune('0'+i)), w.asOf)
			at := rapid.IntRange(0, len(bigger.Avoid)).Draw(t, "atA")
			bigger.Avoid = slices.Insert(bigger.Avoid, at, a)
		}
		small := mustChecker(t, w.project, w.relations, w.asOf, w.rules)
		big := mustChecker(t, bigger, w.relations, w.asOf, w.rules)
		for _, e := range w.experts {
			after := keys(big.Check(e))
			for _, k := range keys(small.Check(e)) {
				require.Contains(t, after, k, "expert %+v", e)
			}
		}
	})
}

func TestResultsDoNotDependOnOrderOfMembersOrRelations(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := genWorld(t)
		shuffled := w.project
		shuffled.Members = rapid.Permutation(w.project.Members).Draw(t, "members")
		shuffled.Avoid = rapid.Permutation(w.project.Avoid).Draw(t, "avoid")
		rel := rapid.Permutation(w.relations).Draw(t, "relations")
		for i := range rel {
			if rapid.Bool().Draw(t, "swap") {
				rel[i].A, rel[i].B = rel[i].B, rel[i].A
			}
		}
		a := mustChecker(t, w.project, w.relations, w.asOf, w.rules)
		b := mustChecker(t, shuffled, rel, w.asOf, w.rules)
		for _, e := range w.experts {
			require.Equal(t, a.Report(e), b.Report(e))
		}
	})
}

func TestCheckerAgreesWithNaiveReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := genWorld(t)
		c := mustChecker(t, w.project, w.relations, w.asOf, w.rules)
		// Dismiss some of what was found, and something that was not.
		for _, e := range w.experts {
			for _, x := range c.Report(e) {
				if rapid.IntRange(0, 2).Draw(t, "dismiss") == 0 {
					w.project.Dismissals = append(w.project.Dismissals, conflict.Dismissal{ExpertID: e.ID, Code: x.Code,
						Concerns: x.Concerns, Reason: "经核实为误报", ApprovedBy: "规划处负责人"})
				}
			}
		}
		w.project.Dismissals = append(w.project.Dismissals, conflict.Dismissal{ExpertID: "E1", Code: "same-unit",
			Concerns: "member:P9", Reason: "无关", ApprovedBy: "某人"})
		c = mustChecker(t, w.project, w.relations, w.asOf, w.rules)
		ref := newNaive(w.project, w.relations, w.asOf, w.rules)
		for _, e := range w.experts {
			rep := c.Report(e)
			require.Equal(t, ref.check(e), reportMap(rep), "expert %+v", e)
			for _, x := range c.Check(e) {
				require.True(t, x.Excludes)
			}
		}
	})
}

func TestReasonsNeverRevealIDNumbersOrFullNames(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := genWorld(t)
		c := mustChecker(t, w.project, w.relations, w.asOf, w.rules)
		for _, e := range w.experts {
			for _, x := range c.Report(e) {
				for _, s := range []string{x.Reason, x.Concerns} {
					for _, idn := range idNumberPool[1:] {
						require.NotContains(t, strings.ToUpper(s), strings.ToUpper(idn))
						require.NotContains(t, s, idn[:14], "no long prefix of an ID number either")
					}
					for _, n := range namePool {
						require.NotContains(t, s, n)
					}
				}
			}
		}
	})
}

func TestWindowsCloseOnTheAnniversary(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		asOf := genAsOf(t).AddDate(rapid.IntRange(-4, 4).Draw(t, "years"), 0, 0)
		months := rapid.OneOf(rapid.Just(0), rapid.Just(12), rapid.IntRange(0, 60)).Draw(t, "window")
		var end time.Time
		if rapid.IntRange(0, 3).Draw(t, "boundary") > 0 {
			dm := rapid.SampledFrom([]int{0, 0, 0, -1, 1}).Draw(t, "dm")
			dd := rapid.SampledFrom([]int{0, 0, 0, -1, 1, -2, 2, -3, 3}).Draw(t, "dd")
			end = asOf.AddDate(0, -months+dm, dd)
		} else {
			end = asOf.AddDate(0, 0, -rapid.IntRange(-40, 2000).Draw(t, "days"))
		}
		r := conflict.DefaultRules()
		r.Relations = append(r.Relations, conflict.RelationRule{Kinds: []string{"x"}, Label: "测试关系", Months: months})
		r.FormerUnitMonths = months
		require.NoError(t, r.Compile())
		p := conflict.Project{Leader: conflict.Person{ID: "P1", Name: "陈建华", Affiliation: ucasWZ}}
		c := mustChecker(t, p, []conflict.Relation{{A: "E1", B: "P1", Kind: "x", Until: end}}, asOf, r)
		past := ucasWZ
		past.To = end
		e := admission.Expert{ID: "E1", Name: "赵磊", Affiliation: ruianHosp, Past: []admission.Affiliation{past}}
		want := stillCounts(end, asOf, months, false)
		var got []string
		for _, x := range c.Check(e) {
			got = append(got, x.Code)
		}
		if want {
			require.Equal(t, []string{"relation-x", "same-institute"}, got, "end %v asOf %v months %d", end, asOf, months)
		} else {
			require.Empty(t, got, "end %v asOf %v months %d", end, asOf, months)
		}
	})
}
