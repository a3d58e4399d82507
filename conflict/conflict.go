package conflict

import (
	"time"

	"github.com/wzsti/expertdb/admission"
)

// Person is a project leader or member.
type Person struct {
	ID          string
	Name        string
	IDNumber    string
	Affiliation admission.Affiliation
}

// Avoidance is one entry of the avoidance list the project leader declared before review
// (Art. 15(4)): by expert ID, by name and unit, by unit, or by unit and department.
type Avoidance struct {
	ExpertID, Name, Org, Department, Reason string
}

// Project is the project under review.
type Project struct {
	ID      string
	Leader  Person
	Members []Person
	Avoid   []Avoidance
	Region  string
}

// Relation is a relation between two people (expert or person IDs) of a given kind.
type Relation struct {
	A, B, Kind   string
	Since, Until time.Time
}

// Conflict is one reason an expert must recuse (Art. 15).
type Conflict struct {
	ExpertID string
	Clause   int
	Code     string
	Reason   string
	Definite bool
}

// Rules configures the recusal checks. TODO(conflict helper): real fields.
type Rules struct{}

// DefaultRules returns the rules of Art. 15. TODO(conflict helper).
func DefaultRules() *Rules { return &Rules{} }

// Checker checks experts against one project. TODO(conflict helper).
type Checker struct{ p Project }

// NewChecker precomputes the indexes for p. TODO(conflict helper).
func NewChecker(p Project, relations []Relation, asOf time.Time, r *Rules) *Checker {
	return &Checker{p: p}
}

// Check returns the conflicts of e with the project. TODO(conflict helper): placeholder, clause 1 by ID only.
func (c *Checker) Check(e admission.Expert) []Conflict {
	if e.ID == c.p.Leader.ID {
		return []Conflict{{ExpertID: e.ID, Clause: 1, Code: "project-leader", Definite: true}}
	}
	return nil
}
