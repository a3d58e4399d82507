package report

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/selection"
)

// Outcome is what became of one notice of a campaign (Art. 14(2)): which expert, for which
// request of which using unit and county, on which activity date, and the seat's status
// (accepted, declined, no answer, withdrawn, cap refused, pending).
type Outcome struct {
	RequestID string               `json:"request_id"`
	Unit      string               `json:"unit"`   // the using unit (使用单位（处室）) that drew
	Region    string               `json:"region"` // GB/T 2260 code of the county that drew, e.g. 330381
	ExpertID  string               `json:"expert_id"`
	At        time.Time            `json:"at"` // the activity date; its evaluation.YearOf is the year
	Status    selection.SeatStatus `json:"status"`
}

// Outcomes turns the seats of one campaign (CampaignView.Seats, unsealed) into outcomes.
func Outcomes(requestID, unit, region string, at time.Time, seats []selection.Seat) []Outcome {
	out := make([]Outcome, 0, len(seats))
	for _, s := range seats {
		out = append(out, Outcome{RequestID: requestID, Unit: unit, Region: region, ExpertID: s.ExpertID, At: at, Status: s.Status})
	}
	return out
}

// YearInput is what the yearly statistics read: the database's expert records (with their
// Entries and Exits), the ratings, the participation records (attendance) and the campaign
// outcomes. Records of other years are ignored, so callers may pass everything they hold.
type YearInput struct {
	Year           int
	Experts        []admission.Expert
	Ratings        []evaluation.Rating
	Participations []evaluation.Participation
	Outcomes       []Outcome
	// Rules decides preferential eligibility for the next year (Art. 25); nil means
	// evaluation.DefaultRules (excellent rate strictly above 3/10, integers only).
	Rules *evaluation.Rules
}

// Counts are the numbers of one expert, unit or county in a year.
type Counts struct {
	Notified  int `json:"notified"`  // notices sent (Art. 14(2))
	Accepted  int `json:"accepted"`  // seats accepted: usage, what the annual cap counts (Art. 14(1))
	Declined  int `json:"declined"`  // notices declined (Art. 7(4) allows declining)
	NoAnswer  int `json:"no_answer"` // notices not answered in time
	Withdrawn int `json:"withdrawn"` // accepted, then withdrawn
	Attended  int `json:"attended"`  // participations attended
	NoShows   int `json:"no_shows"`  // absent without accepted reason (Art. 8(2))
	Excused   int `json:"excused"`   // absent with accepted reason
	// Unrecorded are accepted seats whose attendance the using unit has not recorded (yet):
	// never counted as attended.
	Unrecorded int `json:"unrecorded"`
	Excellent  int `json:"excellent"`    // ratings 优秀 (Art. 25)
	Good       int `json:"good"`         // ratings 良好
	Poor       int `json:"poor"`         // ratings 差
	Invalid    int `json:"invalid"`      // ratings without a valid grade (kept visible, never dropped)
	Requests   int `json:"requests"`     // distinct requests (counties and units only)
	Members    int `json:"experts"`      // experts in the unit (units only)
	Eligible   int `json:"preferential"` // experts eligible for preferential picks next year (units only)
}

// Rated is the number of valid ratings.
func (c Counts) Rated() int { return c.Excellent + c.Good + c.Poor }

// DeclineRate is Declined / Notified, an exact fraction (Den 0 when nothing was notified).
func (c Counts) DeclineRate() evaluation.Ratio {
	return evaluation.Ratio{Num: c.Declined, Den: c.Notified}
}

// ParticipationRate is Accepted / Notified, an exact fraction: the share of notices that
// became participations (the usage the annual cap counts, Art. 14(1)).
func (c Counts) ParticipationRate() evaluation.Ratio {
	return evaluation.Ratio{Num: c.Accepted, Den: c.Notified}
}

// NoShowRate is NoShows / (Attended + NoShows + Excused), an exact fraction: over the seats
// whose attendance was recorded (Unrecorded seats are reported apart, not as attended).
func (c Counts) NoShowRate() evaluation.Ratio {
	return evaluation.Ratio{Num: c.NoShows, Den: c.Attended + c.NoShows + c.Excused}
}

// ExcellentRate is Excellent / Rated, an exact fraction.
func (c Counts) ExcellentRate() evaluation.Ratio {
	return evaluation.Ratio{Num: c.Excellent, Den: c.Rated()}
}

func (c *Counts) add(o Counts) {
	c.Notified += o.Notified
	c.Accepted += o.Accepted
	c.Declined += o.Declined
	c.NoAnswer += o.NoAnswer
	c.Withdrawn += o.Withdrawn
	c.Attended += o.Attended
	c.NoShows += o.NoShows
	c.Excused += o.Excused
	c.Unrecorded += o.Unrecorded
	c.Excellent += o.Excellent
	c.Good += o.Good
	c.Poor += o.Poor
	c.Invalid += o.Invalid
}

// ExpertYear is one expert's year: usage, declines, no-shows and ratings, and whether the
// expert may be picked preferentially in the next year (Art. 25).
type ExpertYear struct {
	ExpertID     string `json:"expert_id"`
	Name         string `json:"name"` // masked (张*), Art. 20
	Unit         string `json:"unit"`
	Region       string `json:"region"`
	Counts       Counts `json:"counts"`
	Preferential bool   `json:"preferential_next_year"`
}

// GroupYear is the year of a unit (the experts' units, Art. 23) or of a county (the counties
// that drew, Art. 13).
type GroupYear struct {
	Key    string `json:"key"` // unit name or region code
	Counts Counts `json:"counts"`
}

// Movement is one admission (Art. 6) or exit (Art. 10) in the year.
type Movement struct {
	ExpertID string    `json:"expert_id"`
	Name     string    `json:"name"` // masked
	Date     time.Time `json:"date"`
	Kind     string    `json:"kind"`    // the channel ("application"…) or the exit reason ("misconduct"…)
	Label    string    `json:"label"`   // Chinese
	Article  string    `json:"article"` // "Art. 6(1)", "Art. 10(3)"…
}

// Yearly are the statistics of one calendar year (Art. 17, 23, 25, 26).
type Yearly struct {
	Year     int          `json:"year"`
	Experts  []ExpertYear `json:"experts"`  // every expert with something in the year, by ID
	Units    []GroupYear  `json:"units"`    // the experts' units (Art. 23), by name
	Counties []GroupYear  `json:"counties"` // the counties that drew (Art. 13), by region code
	// UsingUnits are the units that drew experts (使用单位, Art. 13, 21), by name: requests,
	// notices, acceptances, declines.
	UsingUnits []GroupYear `json:"using_units"`
	Totals     Counts      `json:"totals"`
	// Preferential lists the experts whose excellent rate in Year exceeds the threshold, so
	// that they may be picked preferentially in Year+1 (Art. 25), by ID.
	Preferential []ExpertYear `json:"preferential"`
	Admissions   []Movement   `json:"admissions"` // by date, then expert ID
	Exits        []Movement   `json:"exits"`      // by date, then expert ID
}

// Year computes the statistics of in.Year. It is a pure function of its input: no clock, no
// I/O; the result does not depend on the order of the input.
//
// Interpretations: the year of an outcome or a participation is the year of its activity, of
// a rating the year it was made, of an admission or exit the year of its date, all in China
// Standard Time (evaluation.YearOf). Usage is accepted seats (what the annual cap of
// Art. 14(1) counts). The decline rate is declines over notices; the no-show rate no-shows
// over participation records (attended, no-show, excused), an accepted seat without a
// participation record (same ActivityID and ExpertID as the outcome's RequestID and
// ExpertID) is Unrecorded, never attended; a participation whose ActivityID
// is the RequestID of an outcome of the year also counts for that request's county and using
// unit. An expert's unit and county are
// those of the current record; names are masked. Preferential eligibility for Year+1 applies
// Rules to the summary of Year: strictly more than 30% excellent by default, compared as
// integers, and no ratings means not eligible.
func Year(in YearInput) *Yearly {
	y := &Yearly{Year: in.Year}
	rules := in.Rules
	if rules == nil {
		rules = evaluation.DefaultRules()
	}
	byID := map[string]*admission.Expert{}
	for i := range in.Experts {
		e := &in.Experts[i]
		if _, dup := byID[e.ID]; !dup {
			byID[e.ID] = e
		}
	}
	experts := map[string]*ExpertYear{}
	at := func(id string) *ExpertYear {
		if x, ok := experts[id]; ok {
			return x
		}
		x := &ExpertYear{ExpertID: id}
		if e, ok := byID[id]; ok {
			x.Name, x.Unit, x.Region = audit.MaskName(e.Name), e.Affiliation.Org, e.Region
		}
		experts[id] = x
		return x
	}
	counties, using := map[string]*GroupYear{}, map[string]*GroupYear{}
	countyRequests, usingRequests := map[string]map[string]bool{}, map[string]map[string]bool{}
	type origin struct{ region, unit string }
	origins := map[string]origin{} // the county and using unit of each request of the year
	for _, o := range in.Outcomes {
		if evaluation.YearOf(o.At) != in.Year {
			continue
		}
		origins[o.RequestID] = origin{o.Region, o.Unit}
		var c Counts
		c.Notified = 1
		switch o.Status {
		case selection.SeatAccepted:
			c.Accepted = 1
		case selection.SeatDeclined:
			c.Declined = 1
		case selection.SeatNoAnswer:
			c.NoAnswer = 1
		case selection.SeatWithdrawn:
			c.Withdrawn = 1
		}
		at(o.ExpertID).Counts.add(c)
		g := counties[o.Region]
		if g == nil {
			g = &GroupYear{Key: o.Region}
			counties[o.Region] = g
			countyRequests[o.Region] = map[string]bool{}
		}
		g.Counts.add(c)
		countyRequests[o.Region][o.RequestID] = true
		u := using[o.Unit]
		if u == nil {
			u = &GroupYear{Key: o.Unit}
			using[o.Unit] = u
			usingRequests[o.Unit] = map[string]bool{}
		}
		u.Counts.add(c)
		usingRequests[o.Unit][o.RequestID] = true
	}
	type seat struct{ activity, expert string }
	recorded := map[seat]bool{}
	for _, p := range in.Participations {
		if evaluation.YearOf(p.Date) != in.Year {
			continue
		}
		if p.Attendance.Valid() {
			recorded[seat{p.ActivityID, p.ExpertID}] = true
		}
		var c Counts
		switch p.Attendance {
		case evaluation.Attended:
			c.Attended = 1
		case evaluation.NoShow:
			c.NoShows = 1
		case evaluation.Excused:
			c.Excused = 1
		default:
			continue
		}
		at(p.ExpertID).Counts.add(c)
		// An activity drawn by a request of the year counts for its county and using unit.
		if o, ok := origins[p.ActivityID]; ok {
			counties[o.region].Counts.add(c)
			using[o.unit].Counts.add(c)
		}
	}
	// An accepted seat of the year without a participation record is not recorded (yet).
	for _, o := range in.Outcomes {
		if evaluation.YearOf(o.At) != in.Year || o.Status != selection.SeatAccepted || recorded[seat{o.RequestID, o.ExpertID}] {
			continue
		}
		c := Counts{Unrecorded: 1}
		at(o.ExpertID).Counts.add(c)
		counties[o.Region].Counts.add(c)
		using[o.Unit].Counts.add(c)
	}
	sums := evaluation.Summarize(in.Ratings, in.Year)
	for id, s := range sums {
		x := at(id)
		x.Counts.Excellent, x.Counts.Good, x.Counts.Poor, x.Counts.Invalid = s.Excellent, s.Good, s.Poor, s.Invalid
		x.Preferential = rules.PreferentialEligible(s)
	}
	units := map[string]*GroupYear{}
	for _, x := range experts {
		y.Totals.add(x.Counts)
		if x.Unit == "" {
			continue
		}
		g := units[x.Unit]
		if g == nil {
			g = &GroupYear{Key: x.Unit}
			units[x.Unit] = g
		}
		g.Counts.add(x.Counts)
		g.Counts.Members++
		if x.Preferential {
			g.Counts.Eligible++
		}
	}
	for region, g := range counties {
		g.Counts.Requests = len(countyRequests[region])
	}
	for unit, g := range using {
		g.Counts.Requests = len(usingRequests[unit])
	}
	y.Experts = sortedValues(experts, func(a, b *ExpertYear) int { return strings.Compare(a.ExpertID, b.ExpertID) })
	for _, x := range y.Experts {
		if x.Preferential {
			y.Preferential = append(y.Preferential, x)
		}
	}
	y.Units = sortedValues(units, func(a, b *GroupYear) int { return strings.Compare(a.Key, b.Key) })
	y.Counties = sortedValues(counties, func(a, b *GroupYear) int { return strings.Compare(a.Key, b.Key) })
	y.UsingUnits = sortedValues(using, func(a, b *GroupYear) int { return strings.Compare(a.Key, b.Key) })
	y.Totals.Requests = 0
	for _, g := range y.Counties {
		y.Totals.Requests += g.Counts.Requests
	}
	for _, e := range in.Experts {
		for _, en := range e.Entries {
			if evaluation.YearOf(en.Date) == in.Year {
				y.Admissions = append(y.Admissions, Movement{ExpertID: e.ID, Name: audit.MaskName(e.Name), Date: en.Date,
					Kind: string(en.Channel), Label: en.Channel.Label(), Article: en.Channel.Article()})
			}
		}
		for _, x := range e.Exits {
			if evaluation.YearOf(x.Date) == in.Year {
				y.Exits = append(y.Exits, Movement{ExpertID: e.ID, Name: audit.MaskName(e.Name), Date: x.Date,
					Kind: string(x.Reason), Label: x.Reason.Label(), Article: x.Reason.Article()})
			}
		}
	}
	byDate := func(a, b Movement) int {
		return cmp.Or(a.Date.Compare(b.Date), strings.Compare(a.ExpertID, b.ExpertID), strings.Compare(a.Kind, b.Kind))
	}
	slices.SortFunc(y.Admissions, byDate)
	slices.SortFunc(y.Exits, byDate)
	return y
}

// sortedValues returns the values of m, dereferenced, sorted by less.
func sortedValues[T any](m map[string]*T, cmpf func(a, b *T) int) []T {
	ptrs := make([]*T, 0, len(m))
	for _, v := range m {
		ptrs = append(ptrs, v)
	}
	slices.SortFunc(ptrs, cmpf)
	out := make([]T, len(ptrs))
	for i, p := range ptrs {
		out[i] = *p
	}
	return out
}
