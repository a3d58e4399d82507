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
func (e *Expert) ViewInto(v *ExpertView) { e.ViewIntoFields(v, AllViewFields) }

// ViewFields is a set of ExpertView fields: those the expressions of a rule set read
// (ViewFieldsOf, Rules.ViewFields), the only ones a view evaluated by those expressions needs
// filled (Expert.ViewIntoFields).
type ViewFields uint32

// AllViewFields is every field of ExpertView.
const AllViewFields = ^ViewFields(0)

// The fields of ExpertView, as ViewFields bits (vfRecords: Records, SeriousRecords and
// AdverseRecords, counted in one pass).
const (
	vfID ViewFields = 1 << iota
	vfName
	vfRegion
	vfStatus
	vfTitle
	vfRetirementAge
	vfBirthDate
	vfUpdatedAt
	vfAffiliation
	vfPast
	vfCategories
	vfFields
	vfTags
	vfCredentials
	vfRecords
	vfTrainings
	vfExitReasons
)

// ViewFieldsOf returns the set of the named ExpertView fields (as an expression names them:
// "Title", "Affiliation"); an unknown name gives AllViewFields.
func ViewFieldsOf(names ...string) ViewFields {
	var f ViewFields
	for _, n := range names {
		f |= viewField(n)
	}
	return f
}

// viewField returns the bit of the ExpertView field name; an unknown name gives every field.
func viewField(name string) ViewFields {
	switch name {
	case "ID":
		return vfID
	case "Name":
		return vfName
	case "Region":
		return vfRegion
	case "Status":
		return vfStatus
	case "Title":
		return vfTitle
	case "RetirementAge":
		return vfRetirementAge
	case "BirthDate":
		return vfBirthDate
	case "UpdatedAt":
		return vfUpdatedAt
	case "Affiliation":
		return vfAffiliation
	case "Past":
		return vfPast
	case "Categories":
		return vfCategories
	case "Fields":
		return vfFields
	case "Tags":
		return vfTags
	case "Credentials":
		return vfCredentials
	case "Records", "SeriousRecords", "AdverseRecords":
		return vfRecords
	case "Trainings":
		return vfTrainings
	case "ExitReasons":
		return vfExitReasons
	}
	return AllViewFields
}

// ViewIntoFields is ViewInto filling only the fields of f; the others are left as they are,
// so a view filled this way expert after expert must only ever be filled with the same f
// (its other fields then stay zero). An expression that reads only fields of f sees what it
// would see in the full view.
func (e *Expert) ViewIntoFields(v *ExpertView, f ViewFields) {
	if f == 0 {
		return
	}
	// Field by field: every field is set (a composite literal would be built on the stack and
	// copied whole, with its write barriers, into the pooled view).
	if f&vfID != 0 {
		v.ID = e.ID
	}
	if f&vfName != 0 {
		v.Name = e.Name
	}
	if f&vfRegion != 0 {
		v.Region = e.Region
	}
	if f&vfStatus != 0 {
		v.Status = string(e.Status)
	}
	if f&vfTitle != 0 {
		v.Title = int(e.Title)
	}
	if f&vfRetirementAge != 0 {
		v.RetirementAge = e.RetirementAge
	}
	if f&vfBirthDate != 0 {
		v.BirthDate = e.BirthDate
	}
	if f&vfUpdatedAt != 0 {
		v.UpdatedAt = e.UpdatedAt
	}
	if f&vfAffiliation != 0 {
		a := &e.Affiliation
		v.Affiliation.Org, v.Affiliation.OrgCode, v.Affiliation.Kind = a.Org, a.OrgCode, string(a.Kind)
		v.Affiliation.Department, v.Affiliation.Position = a.Department, a.Position
		v.Affiliation.From, v.Affiliation.To = a.From, a.To
	}
	if f&vfFields != 0 {
		v.Fields = e.Fields
	}
	if f&vfTags != 0 {
		v.Tags = e.Tags
	}
	if f&vfPast != 0 {
		v.Past = refill(v.Past, e.Past, unitView)
	}
	if f&vfCategories != 0 {
		v.Categories = refill(v.Categories, e.Categories, func(c Category) string { return string(c) })
	}
	if f&vfCredentials != 0 {
		v.Credentials = refill(v.Credentials, e.Credentials, func(c Credential) string { return c.Kind })
	}
	if f&vfRecords != 0 {
		v.Records, v.SeriousRecords, v.AdverseRecords = len(e.Records), 0, 0
		for _, r := range e.Records {
			if r.Serious {
				v.SeriousRecords++
			}
			if r.Adverse() {
				v.AdverseRecords++
			}
		}
	}
	if f&vfTrainings != 0 {
		v.Trainings = refill(v.Trainings, e.Trainings, func(t Training) TrainingView {
			return TrainingView{Kind: string(t.Kind), Online: t.Online, Date: t.Date}
		})
	}
	if f&vfExitReasons != 0 {
		v.ExitReasons = refill(v.ExitReasons, e.Exits, func(x Exit) string { return string(x.Reason) })
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

// refill returns dst's array refilled with conv of each element of src, or nil when src is
// empty (as View gives empty lists).
func refill[S, T any](dst []T, src []S, conv func(S) T) []T {
	if len(src) == 0 {
		return nil
	}
	dst = slices.Grow(dst[:0], len(src))
	for _, x := range src {
		dst = append(dst, conv(x))
	}
	return dst
}

// copyFields sets the fields f of *dst to those of *src (list fields share src's arrays, as a
// plain copy of the view does).
func copyFields(dst, src *ExpertView, f ViewFields) {
	if f == AllViewFields {
		*dst = *src
		return
	}
	if f&vfID != 0 {
		dst.ID = src.ID
	}
	if f&vfName != 0 {
		dst.Name = src.Name
	}
	if f&vfRegion != 0 {
		dst.Region = src.Region
	}
	if f&vfStatus != 0 {
		dst.Status = src.Status
	}
	if f&vfTitle != 0 {
		dst.Title = src.Title
	}
	if f&vfRetirementAge != 0 {
		dst.RetirementAge = src.RetirementAge
	}
	if f&vfBirthDate != 0 {
		dst.BirthDate = src.BirthDate
	}
	if f&vfUpdatedAt != 0 {
		dst.UpdatedAt = src.UpdatedAt
	}
	if f&vfAffiliation != 0 {
		dst.Affiliation = src.Affiliation
	}
	if f&vfPast != 0 {
		dst.Past = src.Past
	}
	if f&vfCategories != 0 {
		dst.Categories = src.Categories
	}
	if f&vfFields != 0 {
		dst.Fields = src.Fields
	}
	if f&vfTags != 0 {
		dst.Tags = src.Tags
	}
	if f&vfCredentials != 0 {
		dst.Credentials = src.Credentials
	}
	if f&vfRecords != 0 {
		dst.Records, dst.SeriousRecords, dst.AdverseRecords = src.Records, src.SeriousRecords, src.AdverseRecords
	}
	if f&vfTrainings != 0 {
		dst.Trainings = src.Trainings
	}
	if f&vfExitReasons != 0 {
		dst.ExitReasons = src.ExitReasons
	}
}
