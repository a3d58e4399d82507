package admission

import "time"

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
	v := ExpertView{
		ID: e.ID, Name: e.Name, Region: e.Region, Status: string(e.Status), Title: int(e.Title),
		RetirementAge: e.RetirementAge, BirthDate: e.BirthDate, UpdatedAt: e.UpdatedAt,
		Affiliation: unitView(e.Affiliation),
		Fields:      e.Fields, Tags: e.Tags,
		Records: len(e.Records),
	}
	if len(e.Past) > 0 {
		v.Past = make([]UnitView, len(e.Past))
		for i, a := range e.Past {
			v.Past[i] = unitView(a)
		}
	}
	if len(e.Categories) > 0 {
		v.Categories = make([]string, len(e.Categories))
		for i, c := range e.Categories {
			v.Categories[i] = string(c)
		}
	}
	if len(e.Credentials) > 0 {
		v.Credentials = make([]string, len(e.Credentials))
		for i, c := range e.Credentials {
			v.Credentials[i] = c.Kind
		}
	}
	for _, r := range e.Records {
		if r.Serious {
			v.SeriousRecords++
		}
	}
	if len(e.Trainings) > 0 {
		v.Trainings = make([]TrainingView, len(e.Trainings))
		for i, t := range e.Trainings {
			v.Trainings[i] = TrainingView{Kind: string(t.Kind), Online: t.Online, Date: t.Date}
		}
	}
	for _, x := range e.Exits {
		v.ExitReasons = append(v.ExitReasons, string(x.Reason))
	}
	return v
}
