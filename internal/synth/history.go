package synth

import (
	"fmt"
	"slices"
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/evaluation"
)

// History is one calendar year of activities of the pool's experts: who served on which panel
// (Participations, including the rare no-show or excused absence, Art. 8(2)) and how the using
// units rated those who attended (Ratings, Art. 25). Every rating passes
// evaluation.ValidateRatings against the participations.
type History struct {
	Year           int
	Participations []evaluation.Participation
	Ratings        []evaluation.Rating
}

// History returns a year of activities: about one activity per four experts, each with a panel
// of five to seven experts of the pool, held between 5 January and 15 December of year and rated
// within five days (so every rating falls in year, see evaluation.YearOf). Each expert has a
// fixed quality (the share of excellent grades they tend to get, from 10% to 70%), so some are
// eligible for preferential picks the following year (Art. 25: more than 30% excellent) and
// some are not. The result depends only on the pool's seed, its size and year.
func (p *Pool) History(year int) History {
	h := History{Year: year}
	n := len(p.Applications)
	if n == 0 {
		return h
	}
	quality := make([]int, n) // percent excellent
	for i := range quality {
		quality[i] = 10 * newRNG(p.Seed, "quality", i).between(1, 7)
	}
	r := newRNG(p.Seed, fmt.Sprintf("history-%d", year), 0)
	activities := max(1, n/4)
	for k := range activities {
		id := fmt.Sprintf("A-%d-%04d", year, k+1)
		unit := pick(r, Divisions)
		date := time.Date(year, 1, 5, 9, 0, 0, 0, cst).AddDate(0, 0, r.intn(345))
		size := min(n, r.between(5, 7))
		panel := make([]int, 0, size)
		for len(panel) < size {
			if x := r.intn(n); !slices.Contains(panel, x) {
				panel = append(panel, x)
			}
		}
		slices.Sort(panel)
		for _, x := range panel {
			expert := p.Applications[x].Expert.ID
			part := evaluation.Participation{ActivityID: id, OrganizerUnit: unit, ExpertID: expert, Date: date}
			switch {
			case r.chance(1, 50):
				part.Attendance = evaluation.NoShow
				part.Reason = "未请假，未到场"
			case r.chance(1, 50):
				part.Attendance = evaluation.Excused
				part.Reason = "临时因病请假，组织单位同意"
			}
			h.Participations = append(h.Participations, part)
			if part.Attendance != evaluation.Attended {
				continue
			}
			h.Ratings = append(h.Ratings, rating(r, part, quality[x]))
		}
	}
	return h
}

// rating grades an attended participation: excellent with the expert's quality, poor rarely
// (with the written reason Art. 21 requires), good otherwise.
func rating(r *rng, p evaluation.Participation, quality int) evaluation.Rating {
	rt := evaluation.Rating{ExpertID: p.ExpertID, ActivityID: p.ActivityID, RaterUnit: p.OrganizerUnit,
		At: p.Date.AddDate(0, 0, r.between(1, 5))}
	switch {
	case r.intn(100) < quality:
		rt.Grade = evaluation.Excellent
		rt.Aspects = evaluation.Aspects{Expertise: evaluation.Excellent, Attitude: evaluation.Excellent,
			Quality: pick(r, []evaluation.Grade{evaluation.Excellent, evaluation.Good})}
	case r.chance(1, 30):
		rt.Grade = evaluation.Poor
		rt.Aspects = evaluation.Aspects{Expertise: evaluation.Good, Attitude: evaluation.Good, Quality: evaluation.Poor}
		rt.Comment = "评审意见过于简略，未按评审要求逐项给出意见"
	default:
		rt.Grade = evaluation.Good
		rt.Aspects = evaluation.Aspects{Expertise: pick(r, []evaluation.Grade{evaluation.Excellent, evaluation.Good}),
			Attitude: evaluation.Good, Quality: evaluation.Good}
	}
	return rt
}

// Usage counts the participations an expert accepted in h (every participation, attended or
// not: the annual cap of Art. 14(1) counts acceptances), by expert ID.
func (h History) Usage() map[string]int {
	out := map[string]int{}
	for _, p := range h.Participations {
		out[p.ExpertID]++
	}
	return out
}

// Project returns a fictional project under review for the draw request id (Art. 13, 15):
// its leader is an expert of the pool (a technical expert with an associate-senior or senior
// title) working in a university department (so the draw must
// exclude them, Art. 15(1), and their department colleagues, Art. 15(3)); one member works in
// an enterprise of the pool and one in a research institute (their colleagues are excluded,
// Art. 15(3)); the leader's avoidance list names a competing enterprise (Art. 15(4)). The
// members are not experts of the pool. The project depends only on the pool and id.
func (p *Pool) Project(id string) conflict.Project {
	r := newRNG(p.Seed, "project:"+id, 0)
	var leader admission.Expert
	for _, i := range r.perm(len(p.Applications)) {
		e := p.Applications[i].Expert
		if e.Affiliation.Kind == admission.University && slices.Contains(e.Categories, admission.Technical) &&
			e.Title >= admission.AssociateSenior {
			leader = e
			break
		}
	}
	units := Units()
	unitOf := func(kind admission.OrgKind, not string) Unit {
		var of []Unit
		for _, u := range units {
			if u.Kind == kind && u.Name != not {
				of = append(of, u)
			}
		}
		return pick(r, of)
	}
	ent := unitOf(admission.Enterprise, "")
	inst := unitOf(admission.Institute, "")
	rival := unitOf(admission.Enterprise, ent.Name)
	member := func(n int, u Unit) conflict.Person {
		return conflict.Person{ID: fmt.Sprintf("%s-M%d", id, n), Name: personName(r, r.chance(2, 5)),
			Affiliation: admission.Affiliation{Org: u.Name, OrgCode: u.Code, Kind: u.Kind, Department: pick(r, u.Depts).Name}}
	}
	pr := conflict.Project{
		ID: "P-" + id,
		Leader: conflict.Person{ID: leader.ID, Name: leader.Name, IDNumber: leader.IDNumber,
			Affiliation: leader.Affiliation},
		Members: []conflict.Person{member(1, ent), member(2, inst)},
		Avoid:   []conflict.Avoidance{{Org: rival.Name, OrgCode: rival.Code, Reason: "同领域竞争企业"}},
		Region:  leader.Region,
	}
	return pr
}

// Relations returns n major interest relations (Art. 15(2)) between experts of the pool and
// the given people (project members' IDs, say): co-authors, collaborators, advisors and
// business partners, some of them ended long ago (so the default rules no longer count them).
// Each expert appears at most once. The result depends only on the pool, people and n.
func (p *Pool) Relations(people []string, n int) []conflict.Relation {
	if len(people) == 0 || n <= 0 {
		return nil
	}
	r := newRNG(p.Seed, "relations", n)
	kinds := []string{conflict.KindCoAuthor, conflict.KindCollaborator, conflict.KindAdvisor, conflict.KindBusiness}
	var out []conflict.Relation
	for k, i := range r.perm(len(p.Applications)) {
		if len(out) == n {
			break
		}
		id := p.Applications[i].Expert.ID
		if slices.Contains(people, id) {
			continue
		}
		rel := conflict.Relation{A: id, B: people[k%len(people)], Kind: kinds[k%len(kinds)],
			Since: time.Date(p.AsOf.Year()-r.between(3, 12), time.Month(r.between(1, 12)), 1, 0, 0, 0, 0, time.UTC)}
		if k%3 == 2 { // ended: recent for some, long ago for others
			rel.Until = time.Date(p.AsOf.Year()-r.between(0, 7), time.Month(r.between(1, 12)), 1, 0, 0, 0, 0, time.UTC)
			if rel.Until.Before(rel.Since) {
				rel.Since, rel.Until = rel.Until, rel.Since
			}
		}
		out = append(out, rel)
	}
	return out
}

// perm returns a random permutation of 0 … n-1 (Fisher–Yates).
func (r *rng) perm(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := r.intn(i + 1)
		out[i], out[j] = out[j], out[i]
	}
	return out
}
