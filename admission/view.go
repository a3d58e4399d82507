package admission

import (
	"slices"
	"time"
)

// UnitView is the expression view of an Affiliation: plain strings, so that
// `expert.Affiliation.Kind == "government"` compares as read.
type UnitView struct {
	Org        string
	OrgCode    string
	Kind       string
	Department string
	Position   string
	From       time.Time
	To         time.Time
}

// ExpertView is what rule expressions see as `expert` (admission, recusal clause 5, draw
// criteria, quotas and group keys). It carries no ID number and no mobile: county rules never
// need personal data. Field names match Expert so the Go docs read the same; types are plain
// (string, int, []string) so that `"economic" in expert.Categories` works.
//
//	ID, Name, Region, Status string
//	Title int                  // compare with TitleNone … Senior, e.g. expert.Title >= AssociateSenior
//	RetirementAge int
//	BirthDate, UpdatedAt time.Time
//	Affiliation UnitView       // Org, OrgCode, Kind, Department, Position, From, To
//	Past []UnitView
//	Categories, Fields, Tags []string
//	Credentials []string       // credential kinds, e.g. "national-project-lead"
//	Records int                // number of integrity records
//	SeriousRecords int         // number of serious integrity records
//	AdverseRecords int         // records not retained on review (Record.Adverse), Art. 5(1)3
//	Trainings []TrainingView   // Kind string, Online bool, Date time.Time
//	ExitReasons []string       // reasons of past exits, e.g. "misconduct"
type ExpertView struct {
	ID             string
	Name           string
	Region         string
	Status         string
	Title          int
	RetirementAge  int
	BirthDate      time.Time
	UpdatedAt      time.Time
	Affiliation    UnitView
	Past           []UnitView
	Categories     []string
	Fields         []string
	Tags           []string
	Credentials    []string
	Records        int
	SeriousRecords int
	AdverseRecords int
	Trainings      []TrainingView
	ExitReasons    []string
}

// TrainingView is the expression view of a Training.
type TrainingView struct {
	Kind   string
	Online bool
	Date   time.Time
}

// TitleConstants are the named title levels visible in every expression
// (TitleNone, Junior, Intermediate, AssociateSenior, Senior).
func TitleConstants() map[string]any {
	return map[string]any{
		"TitleNone": int(TitleNone), "Junior": int(Junior), "Intermediate": int(Intermediate),
		"AssociateSenior": int(AssociateSenior), "Senior": int(Senior),
	}
}

func unitView(a Affiliation) UnitView {
	return UnitView{Org: a.Org, OrgCode: a.OrgCode, Kind: string(a.Kind), Department: a.Department,
		Position: a.Position, From: a.From, To: a.To}
}

// View returns the expression view of e.
func (e Expert) View() ExpertView {
	var v ExpertView
	e.ViewInto(&v)
	return v
}

// ViewInto sets *v to e.View() without allocating when it can: it refills the backing arrays
// of v's Past, Categories, Credentials, Trainings and ExitReasons, growing them only when e
// has more entries than they hold (Fields and Tags are e's own slices, as in View; empty
// lists are nil). Reusing one ExpertView this way builds the views of a whole pool, one expert
// after another, with next to no garbage. It overwrites what those five slices of *v held
// before, so slices taken from an earlier view in v must not be kept.
func (e *Expert) ViewInto(v *ExpertView) {
	past, cats, creds, trainings, exits := v.Past[:0], v.Categories[:0], v.Credentials[:0], v.Trainings[:0], v.ExitReasons[:0]
	// Field by field: every field is set (a composite literal would be built on the stack and
	// copied whole, with its write barriers, into the pooled view).
	v.ID, v.Name, v.Region, v.Status = e.ID, e.Name, e.Region, string(e.Status)
	v.Title, v.RetirementAge = int(e.Title), e.RetirementAge
	v.BirthDate, v.UpdatedAt = e.BirthDate, e.UpdatedAt
	a := &e.Affiliation
	v.Affiliation.Org, v.Affiliation.OrgCode, v.Affiliation.Kind = a.Org, a.OrgCode, string(a.Kind)
	v.Affiliation.Department, v.Affiliation.Position = a.Department, a.Position
	v.Affiliation.From, v.Affiliation.To = a.From, a.To
	v.Fields, v.Tags = e.Fields, e.Tags
	v.Records, v.SeriousRecords, v.AdverseRecords = len(e.Records), 0, 0
	v.Past, v.Categories, v.Credentials, v.Trainings, v.ExitReasons = nil, nil, nil, nil, nil
	if len(e.Past) > 0 {
		past = slices.Grow(past, len(e.Past))
		for _, a := range e.Past {
			past = append(past, unitView(a))
		}
		v.Past = past
	}
	if len(e.Categories) > 0 {
		cats = slices.Grow(cats, len(e.Categories))
		for _, c := range e.Categories {
			cats = append(cats, string(c))
		}
		v.Categories = cats
	}
	if len(e.Credentials) > 0 {
		creds = slices.Grow(creds, len(e.Credentials))
		for _, c := range e.Credentials {
			creds = append(creds, c.Kind)
		}
		v.Credentials = creds
	}
	for _, r := range e.Records {
		if r.Serious {
			v.SeriousRecords++
		}
		if r.Adverse() {
			v.AdverseRecords++
		}
	}
	if len(e.Trainings) > 0 {
		trainings = slices.Grow(trainings, len(e.Trainings))
		for _, t := range e.Trainings {
			trainings = append(trainings, TrainingView{Kind: string(t.Kind), Online: t.Online, Date: t.Date})
		}
		v.Trainings = trainings
	}
	if len(e.Exits) > 0 {
		exits = slices.Grow(exits, len(e.Exits))
		for _, x := range e.Exits {
			exits = append(exits, string(x.Reason))
		}
		v.ExitReasons = exits
	}
}

// clearView sets *v to the zero view but keeps the backing arrays ViewInto fills, emptied,
// so that a pooled view holds no expert's data.
func clearView(v *ExpertView) {
	clear(v.Past)
	clear(v.Categories)
	clear(v.Credentials)
	clear(v.Trainings)
	clear(v.ExitReasons)
	// Field by field, as ViewInto sets them (TestClearViewZeroesEveryField).
	v.ID, v.Name, v.Region, v.Status = "", "", "", ""
	v.Title, v.RetirementAge = 0, 0
	v.BirthDate, v.UpdatedAt = time.Time{}, time.Time{}
	v.Affiliation = UnitView{}
	v.Fields, v.Tags = nil, nil
	v.Records, v.SeriousRecords, v.AdverseRecords = 0, 0, 0
	v.Past, v.Categories, v.Credentials = v.Past[:0], v.Categories[:0], v.Credentials[:0]
	v.Trainings, v.ExitReasons = v.Trainings[:0], v.ExitReasons[:0]
}
