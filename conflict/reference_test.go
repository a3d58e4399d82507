package conflict_test

import (
	"strings"
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
)

// naive is a hand-written reference for clauses (1)–(4) and dismissals: the same decisions as
// the Checker, written the obvious way — for each expert, loop over every project person,
// every relation and every avoidance entry. It serves as the oracle of the differential
// property test and as the baseline of the benchmark. Its months arithmetic is written
// independently (anniversary dates instead of month counts). It supports Rules.OtherRelations
// only in its default form ("ongoing or ended less than 12 full months ago").
type naive struct {
	asOf      time.Time
	r         *conflict.Rules
	persons   []refPerson
	relations []refRelation // relations that count on asOf
	avoid     []refAvoid
	dismissed map[[3]string]bool
	unitAlias map[string]string
	deptAlias map[string]string
}

type refUnit struct {
	code, name, dept string
	kind             admission.OrgKind
}

type refPerson struct {
	leader         bool
	id, idn, name  string
	concerns       string
	unit           refUnit
	hasUnitOrIdent bool
}

type refRelation struct{ a, b, code string }

type refAvoid struct {
	id, name, concerns string
	unit               refUnit
	hasUnit, byName    bool
	dept               bool // unit-and-department entry
}

type refKey struct {
	Clause         int
	Code, Concerns string
}

type refVal struct{ Definite, Excludes, Dismissed bool }

func refMask(name string) string {
	rs := []rune(strings.TrimSpace(name))
	switch {
	case len(rs) == 0:
		return ""
	case len(rs) == 1:
		return "*"
	}
	keep := 1
	if len(rs) > 2 && (string(rs[:2]) == "欧阳" || string(rs[:2]) == "司马" || string(rs[:2]) == "诸葛") {
		keep = 2
	}
	return string(rs[:keep]) + strings.Repeat("*", len(rs)-keep)
}

func refAliases(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[conflict.NormalizeName(k)] = conflict.NormalizeName(v)
	}
	return out
}

func (n *naive) unit(a admission.Affiliation) refUnit {
	u := refUnit{code: conflict.NormalizeCode(a.OrgCode), name: conflict.NormalizeName(a.Org),
		dept: conflict.NormalizeName(a.Department), kind: admission.OrgKind(strings.ToLower(strings.TrimSpace(string(a.Kind))))}
	if v, ok := n.unitAlias[u.name]; ok {
		u.name = v
	}
	if v, ok := n.deptAlias[u.dept]; ok {
		u.dept = v
	}
	return u
}

// sameRefUnit reports whether a and b are one unit, and whether only possibly (equal names
// under different credit codes).
func sameRefUnit(a, b refUnit) (same, onlyPossibly bool) {
	if a.code != "" && b.code != "" && a.code == b.code {
		return true, false
	}
	if a.name != "" && a.name == b.name {
		return true, a.code != "" && b.code != ""
	}
	return false, false
}

// anniversary is t plus n months, on the 1st of the following month when the day does not
// exist.
func anniversary(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		return first.AddDate(0, 1, 0)
	}
	return first.AddDate(0, 0, d-1)
}

func day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// stillCounts: not ended before asOf, or asOf before the anniversary of the end.
func stillCounts(end, asOf time.Time, months int, unlimited bool) bool {
	if end.IsZero() || !day(end).Before(day(asOf)) || unlimited {
		return true
	}
	return day(asOf).Before(anniversary(day(end), months))
}

func newNaive(p conflict.Project, relations []conflict.Relation, asOf time.Time, r *conflict.Rules) *naive {
	n := &naive{asOf: asOf, r: r, dismissed: map[[3]string]bool{},
		unitAlias: refAliases(r.UnitAliases), deptAlias: refAliases(r.DepartmentAliases)}
	add := func(x conflict.Person, leader bool) {
		rp := refPerson{leader: leader, id: strings.TrimSpace(x.ID), idn: conflict.NormalizeIDNumber(x.IDNumber),
			name: conflict.NormalizeName(x.Name), unit: n.unit(x.Affiliation)}
		rp.hasUnitOrIdent = rp.id != "" || strings.TrimSpace(x.Name) != "" || strings.TrimSpace(x.IDNumber) != "" ||
			strings.TrimSpace(x.Affiliation.Org) != "" || strings.TrimSpace(x.Affiliation.OrgCode) != ""
		switch {
		case leader:
			rp.concerns = "leader"
		case rp.id != "":
			rp.concerns = "member:" + rp.id
		default:
			rp.concerns = "member:" + refMask(x.Name) + "@" + strings.TrimSpace(x.Affiliation.Org)
		}
		if rp.hasUnitOrIdent {
			n.persons = append(n.persons, rp)
		}
	}
	add(p.Leader, true)
	for _, m := range p.Members {
		add(m, false)
	}
	for _, rel := range relations {
		kind := strings.ToLower(strings.TrimSpace(rel.Kind))
		code := "relation-" + kind
		if kind == "" {
			code = "relation-other"
		}
		counts := stillCounts(rel.Until, asOf, 12, false) // default OtherRelations
		for _, rr := range r.Relations {
			for _, k := range rr.Kinds {
				if strings.ToLower(strings.TrimSpace(k)) == kind {
					counts = stillCounts(rel.Until, asOf, rr.Months, rr.Unlimited)
				}
			}
		}
		if counts {
			n.relations = append(n.relations, refRelation{a: strings.TrimSpace(rel.A), b: strings.TrimSpace(rel.B), code: code})
		}
	}
	for _, a := range p.Avoid {
		ra := refAvoid{id: strings.TrimSpace(a.ExpertID), name: conflict.NormalizeName(a.Name),
			unit: n.unit(admission.Affiliation{Org: a.Org, OrgCode: a.OrgCode, Department: a.Department})}
		ra.hasUnit = ra.unit.code != "" || ra.unit.name != ""
		text := strings.TrimSpace(a.Org)
		if text == "" {
			text = conflict.NormalizeCode(a.OrgCode)
		}
		switch {
		case ra.id != "":
			ra.concerns = "avoid:expert:" + ra.id
			ra.byName = ra.name != "" && ra.hasUnit
		case ra.hasUnit && ra.name != "":
			ra.concerns = "avoid:name:" + refMask(a.Name) + "@" + text
			ra.byName = true
		case ra.hasUnit && ra.unit.dept != "":
			ra.concerns = "avoid:unit:" + text + "/" + strings.TrimSpace(a.Department)
			ra.dept = true
		case ra.hasUnit:
			ra.concerns = "avoid:unit:" + text
		}
		n.avoid = append(n.avoid, ra)
	}
	for _, d := range p.Dismissals {
		n.dismissed[[3]string{strings.TrimSpace(d.ExpertID), strings.TrimSpace(d.Code), strings.TrimSpace(d.Concerns)}] = true
	}
	return n
}

func refClassify(a, b admission.OrgKind) admission.OrgKind {
	for _, k := range []admission.OrgKind{admission.Institute, admission.Enterprise, admission.University} {
		if a == k || b == k {
			return k
		}
	}
	return admission.OtherOrg
}

func (n *naive) check(e admission.Expert) map[refKey]refVal {
	var out map[refKey]refVal // allocated on the first conflict, like the Checker's slice
	add := func(k refKey, definite bool) {
		if out == nil {
			out = map[refKey]refVal{}
		}
		v := out[k]
		v.Definite = v.Definite || definite
		v.Excludes = v.Excludes || definite || n.r.ExcludePossible
		out[k] = v
	}
	eid := strings.TrimSpace(e.ID)
	eidn := conflict.NormalizeIDNumber(e.IDNumber)
	ename := conflict.NormalizeName(e.Name)
	var units []refUnit
	for _, a := range append([]admission.Affiliation{e.Affiliation}, e.Past...) {
		if stillCounts(a.To, n.asOf, n.r.FormerUnitMonths, false) {
			if u := n.unit(a); u.code != "" || u.name != "" {
				units = append(units, u)
			}
		}
	}
	for _, p := range n.persons {
		code := "project-member"
		if p.leader {
			code = "project-leader"
		}
		if eid != "" && p.id == eid || eidn != "" && p.idn == eidn {
			add(refKey{1, code, p.concerns}, true)
		}
		for _, u := range units {
			same, possibly := sameRefUnit(u, p.unit)
			if !same {
				continue
			}
			if p.name != "" && p.name == ename && (p.idn == "" || eidn == "" || p.idn == eidn) {
				add(refKey{1, code, p.concerns}, false)
			}
			switch refClassify(u.kind, p.unit.kind) {
			case admission.Institute:
				add(refKey{3, "same-institute", p.concerns}, !possibly)
			case admission.Enterprise:
				add(refKey{3, "same-enterprise", p.concerns}, !possibly)
			case admission.University:
				if u.dept == "" || p.unit.dept == "" {
					add(refKey{3, "same-department", p.concerns}, false)
				} else if u.dept == p.unit.dept {
					add(refKey{3, "same-department", p.concerns}, !possibly)
				}
			default:
				if n.r.OtherUnitClause != 0 {
					add(refKey{n.r.OtherUnitClause, "same-unit", p.concerns}, !possibly)
				}
			}
		}
	}
	if eid != "" {
		for _, rel := range n.relations {
			if rel.a == rel.b || rel.a != eid && rel.b != eid {
				continue
			}
			for _, p := range n.persons {
				if p.id != "" && (rel.a == eid && rel.b == p.id || rel.b == eid && rel.a == p.id) {
					add(refKey{2, rel.code, p.concerns}, true)
				}
			}
		}
	}
	for _, a := range n.avoid {
		k := refKey{4, "avoidance-list", a.concerns}
		if a.id != "" && a.id == eid {
			add(k, true)
		}
		if a.id != "" && !a.byName {
			continue
		}
		for _, u := range units {
			same, possibly := sameRefUnit(u, a.unit)
			if !same {
				continue
			}
			switch {
			case a.byName:
				if a.name == ename {
					add(k, !possibly)
				}
			case a.dept:
				if u.dept == a.unit.dept {
					add(k, !possibly)
				} else if u.dept == "" {
					add(k, false)
				}
			default:
				add(k, !possibly)
			}
		}
	}
	for k, v := range out {
		if k.Clause == 1 && v.Definite {
			continue
		}
		if n.dismissed[[3]string{eid, k.Code, k.Concerns}] {
			v.Excludes, v.Dismissed = false, true
			out[k] = v
		}
	}
	return out
}

// reportMap turns a Report into the reference's shape.
func reportMap(cs []conflict.Conflict) map[refKey]refVal {
	var out map[refKey]refVal
	if len(cs) > 0 {
		out = map[refKey]refVal{}
	}
	for _, c := range cs {
		out[refKey{c.Clause, c.Code, c.Concerns}] = refVal{c.Definite, c.Excludes, c.Dismissal != nil}
	}
	return out
}
