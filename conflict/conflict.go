package conflict

import (
	"time"

	"github.com/wzsti/expertdb/admission"
)

// Person is the project leader or a project member (项目负责人 / 项目组成员). ID is the
// person's ID in the expert database or the project system; IDNumber is the resident ID
// number (used only for matching, never shown); Affiliation is the unit the person
// represents on the project.
type Person struct {
	ID          string                `json:"id"`
	Name        string                `json:"name"`
	IDNumber    string                `json:"id_number,omitempty"`
	Affiliation admission.Affiliation `json:"affiliation"`
}

// Avoidance is one entry of the avoidance list the project leader declared before review
// (回避要求, Art. 15(4)). Its form follows from the fields set:
//
//   - ExpertID: that expert (and, when Name and Org are set too, also anyone of that name in
//     that unit);
//   - Name and Org: anyone of that name in that unit;
//   - Org and Department: anyone in that department of that unit;
//   - Org alone: anyone in that unit.
//
// OrgCode, when set, identifies the unit by its unified social credit code. Reason is the
// leader's own explanation; it is kept with the request but never copied into a Conflict. An
// entry with none of these forms (a name or a department without a unit) is refused by
// ValidateProject.
type Avoidance struct {
	ExpertID   string `json:"expert_id"`
	Name       string `json:"name"`
	Org        string `json:"org"`
	Department string `json:"department"`
	Reason     string `json:"reason"`
	OrgCode    string `json:"org_code"`
}

// Project is the project under review: its leader, members, the leader's avoidance list, the
// GB/T 2260 region code of the project, and the dismissals of false positives approved for it.
type Project struct {
	ID         string      `json:"id"`
	Leader     Person      `json:"leader"`
	Members    []Person    `json:"members,omitempty"`
	Avoid      []Avoidance `json:"avoid,omitempty"`
	Region     string      `json:"region"`
	Dismissals []Dismissal `json:"dismissals,omitempty"`
}

// Relation is a relation of the given kind between two people, A and B, each an expert ID or
// a person ID (Person.ID). Until is zero while the relation is ongoing. Relations are
// undirected for recusal: advisor A of B conflicts whichever of them is the expert.
type Relation struct {
	A     string    `json:"a"`
	B     string    `json:"b"`
	Kind  string    `json:"kind"`
	Since time.Time `json:"since,omitzero"`
	Until time.Time `json:"until,omitzero"`
}

// Conflict is one reason an expert must recuse from a project (Art. 15).
type Conflict struct {
	ExpertID string `json:"expert_id"`
	Clause   int    `json:"clause"`   // 1–5: the clause of Art. 15; 0 when the check itself could not run
	Code     string `json:"code"`     // stable machine code, e.g. "same-department"
	Reason   string `json:"reason"`   // Chinese explanation for the operator; never contains ID numbers
	Definite bool   `json:"definite"` // false for a possible conflict that needs checking by a person

	Article string `json:"article"` // e.g. "Art. 15(3)"
	// Concerns names the project person or avoidance entry the conflict is about, stably and
	// without personal data: "leader", "member:<person ID>" (or "member:张*@<unit>" when the
	// member has no ID), "avoid:expert:<expert ID>", "avoid:name:张*@<unit>",
	// "avoid:unit:<unit>", "avoid:unit:<unit>/<department>"; empty for a clause (5) rule
	// that does not concern a particular member.
	Concerns string `json:"concerns"`
	// Excludes is true when the conflict keeps the expert off the panel: it is not dismissed
	// and it is definite, or possible conflicts exclude (Rules.ExcludePossible).
	Excludes bool `json:"excludes"`
	// Dismissal is the approved dismissal that set this conflict aside, or nil.
	Dismissal *Dismissal `json:"dismissal"`
}

// Key returns the identity of the conflict a Dismissal must name.
func (c Conflict) Key() (expertID, code, concerns string) { return c.ExpertID, c.Code, c.Concerns }

// Dismissal sets aside one conflict found to be a false positive (for example two different
// people of the same name in one unit). It must name the conflict exactly (ExpertID, Code,
// Concerns, as reported), say why, and say who approved it. A dismissal never sets aside a
// definite clause (1) conflict — being the leader or a member is a fact, not a judgment — nor
// a failed check. The checker reports dismissed conflicts through Report.
type Dismissal struct {
	ExpertID   string    `json:"expert_id"`
	Code       string    `json:"code"`
	Concerns   string    `json:"concerns"`
	Reason     string    `json:"reason"`      // why the conflict is a false positive (Chinese)
	ApprovedBy string    `json:"approved_by"` // who approved the dismissal
	At         time.Time `json:"at"`
}
