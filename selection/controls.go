package selection

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/rule"
)

// This file holds the draw controls that public-procurement and bid-evaluation expert
// systems have (availability and date clashes, a draw-time window, county exclusion rules
// such as a cooling-off period). See the package documentation, section "Draw controls".

// Span is a half-open interval of time [From, To): it contains the instant From and every
// instant before To, but not To itself. A zero From is unbounded in the past, a zero To
// unbounded in the future. A span whose From is not before its To (both set) is empty and
// overlaps nothing.
//
// Half-open spans make adjacent bookings meet without clashing: an activity [09:00, 12:00)
// and another [12:00, 17:00) do not overlap.
type Span struct {
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
}

// Empty reports whether s contains no instant.
func (s Span) Empty() bool { return !lessOpen(s.From, s.To) }

// Overlaps reports whether s and t share at least one instant. This covers every case: one
// span inside the other (a booking that starts before and ends after the activity, or the
// reverse), partial overlaps at either end and open-ended spans. Spans that only touch
// (s.To equal to t.From) do not overlap.
func (s Span) Overlaps(t Span) bool {
	if s.Empty() || t.Empty() {
		return false
	}
	return lessOpen(s.From, t.To) && lessOpen(t.From, s.To)
}

// lessOpen reports from < to where a zero from is −∞ and a zero to is +∞.
func lessOpen(from, to time.Time) bool {
	return from.IsZero() || to.IsZero() || from.Before(to)
}

// Span returns the time the activity of q occupies: [At, Until) when Until is set, and
// otherwise the whole calendar day of At in China Standard Time, [00:00, 24:00) of that day.
// Interpretation: a request that states only the activity date (At) blocks the expert for
// that day, because the Measures and most requests give a date, not a duration.
func (q Request) Span() Span {
	if !q.Until.IsZero() {
		return Span{From: q.At, To: q.Until}
	}
	if q.At.IsZero() {
		return Span{}
	}
	c := q.At.In(cstZone)
	day := time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, cstZone)
	return Span{From: day, To: day.AddDate(0, 0, 1)}
}

// Booking is an accepted seat of an expert on another activity (Pool.Bookings): the
// activity's ID (the request ID of its draw) and the time it occupies, [From, To) as a Span
// (selection.Request.Span of that request gives it). A booking whose activity ID is the
// request's own ID is this activity and never a clash.
type Booking struct {
	ActivityID string    `json:"activity_id"`
	From       time.Time `json:"from,omitzero"`
	To         time.Time `json:"to,omitzero"`
}

// Span returns the booking's span.
func (b Booking) Span() Span { return Span{From: b.From, To: b.To} }

// Participation is one past (or already accepted future) review of an expert (Pool.History):
// the activity's ID, the applicant unit of the reviewed project (the project leader's unit)
// and the activity date. County exclusion rules read it through the helper
// reviewedUnitWithin of Env, e.g. the cooling-off rule (CoolingOffRule).
type Participation struct {
	ActivityID    string    `json:"activity_id"`
	ApplicantUnit string    `json:"applicant_unit"`
	At            time.Time `json:"at"`
}

// DrawWindow limits when a request may be drawn, relative to the start of its activity
// (Request.At): no earlier than MaxLead before it and no later than MinLead before it, both
// ends included. It is off (the zero value) by default, because the Measures set no window.
// Source: public-procurement and bid-evaluation practice draws experts shortly before the
// review (commonly no more than one or two days ahead) so that the list of names exists,
// and can leak, for as short a time as possible; the Measures require the draw and the
// notification to keep the information confidential (Art. 14(2)) and forbid experts and
// staff to disclose the list (Art. 8(6), 9(7)).
//
// Example (YAML of a county profile): max_lead: 48h, min_lead: 2h — the draw happens between
// two days and two hours before the activity starts. With only MinLead set there is no
// earliest time; with only MaxLead set the draw must happen no later than the start itself.
// With a window configured every request must carry Request.DrawnAt.
type DrawWindow struct {
	MaxLead time.Duration `json:"max_lead,omitempty" yaml:"max_lead"` // 0 = no earliest time
	MinLead time.Duration `json:"min_lead,omitempty" yaml:"min_lead"` // 0 = up to the start
}

// Enabled reports whether the window is configured (MaxLead or MinLead is set).
func (w DrawWindow) Enabled() bool { return w.MaxLead > 0 || w.MinLead > 0 }

// ErrDrawWindow is wrapped (through an *Error with code "draw-too-early" or "draw-too-late")
// when a request is drawn outside the county's draw window (Rules.DrawWindow).
var ErrDrawWindow = errors.New("selection: draw outside the draw window")

func (w DrawWindow) validate() error {
	var errs []error
	if w.MaxLead < 0 || w.MinLead < 0 {
		errs = append(errs, refuse(ErrInvalidRequest, "", "Art. 14(2)", "draw-window", "抽取时段的提前量不能为负数", "draw window lead time is negative"))
	}
	if w.MaxLead > 0 && w.MinLead > w.MaxLead {
		errs = append(errs, refuse(ErrInvalidRequest, "", "Art. 14(2)", "draw-window",
			fmt.Sprintf("抽取时段设置矛盾：最早可在活动开始前 %s抽取，最晚须在开始前 %s抽取，后者不能大于前者", cnDuration(w.MaxLead), cnDuration(w.MinLead)),
			"draw window min_lead exceeds max_lead"))
	}
	return errors.Join(errs...)
}

// CheckWindow checks Request.DrawnAt against Rules.DrawWindow: nil when no window is
// configured or the draw time is inside it; an *Error wrapping ErrInvalidRequest (code
// "drawn-at") when a window is configured and DrawnAt is zero; an *Error wrapping
// ErrDrawWindow (code "draw-too-early" or "draw-too-late") whose Chinese message states the
// window and both times otherwise. Draw and NewCampaign call it before screening; the
// Service can call it to refuse early.
func (p *Prepared) CheckWindow() error {
	w, q := p.rules.DrawWindow, &p.req
	if !w.Enabled() {
		return nil
	}
	if q.DrawnAt.IsZero() {
		return refuse(ErrInvalidRequest, "", "Art. 14(2)", "drawn-at", "本地规定了抽取时段，抽取申请须写明抽取时间", "draw window configured but the request has no draw time")
	}
	latest := q.At.Add(-w.MinLead)
	var earliest time.Time
	var window string
	switch start := cnTime(q.At); {
	case w.MaxLead > 0 && w.MinLead > 0:
		earliest = q.At.Add(-w.MaxLead)
		window = fmt.Sprintf("须在活动开始（北京时间 %s）前 %s至前 %s之间抽取，即北京时间 %s 至 %s",
			start, cnDuration(w.MaxLead), cnDuration(w.MinLead), cnTime(earliest), cnTime(latest))
	case w.MaxLead > 0:
		earliest = q.At.Add(-w.MaxLead)
		window = fmt.Sprintf("须在活动开始（北京时间 %s）前 %s以内、活动开始之前抽取，即北京时间 %s 至 %s",
			start, cnDuration(w.MaxLead), cnTime(earliest), start)
	default:
		window = fmt.Sprintf("须在活动开始（北京时间 %s）前至少 %s抽取，即不晚于北京时间 %s",
			start, cnDuration(w.MinLead), cnTime(latest))
	}
	switch {
	case !earliest.IsZero() && q.DrawnAt.Before(earliest):
		return refuse(ErrDrawWindow, "", "Art. 14(2)", "draw-too-early",
			fmt.Sprintf("抽取时间（北京时间 %s）早于允许的抽取时段：%s；请在时段内再抽取", cnTime(q.DrawnAt), window),
			fmt.Sprintf("drawn at %s, before the window opens at %s", q.DrawnAt.UTC().Format(time.RFC3339), earliest.UTC().Format(time.RFC3339)))
	case q.DrawnAt.After(latest):
		return refuse(ErrDrawWindow, "", "Art. 14(2)", "draw-too-late",
			fmt.Sprintf("抽取时间（北京时间 %s）晚于允许的抽取时段：%s；请调整活动时间后重新申请", cnTime(q.DrawnAt), window),
			fmt.Sprintf("drawn at %s, after the window closed at %s", q.DrawnAt.UTC().Format(time.RFC3339), latest.UTC().Format(time.RFC3339)))
	}
	return nil
}

// availability returns the exclusion of e for a declared unavailable period or a booking
// overlapping the activity (Art. 8(2)), or nil. The declared reason of a period is personal
// (Art. 7(2)) and the other activity of a booking is confidential (Art. 8(6), 9(7)): the
// exclusion names only the time.
func (p *Prepared) availability(e *admission.Expert, bookings []Booking) *Exclusion {
	span := p.span
	if !p.rules.IgnoreUnavailable {
		for _, u := range e.Unavailable {
			if s := (Span{From: u.From, To: u.To}); s.Overlaps(span) {
				return &Exclusion{e.ID, "Art. 8(2)", "unavailable",
					fmt.Sprintf("专家已申报%s不能参加活动，与本次活动时间（%s）重叠", cnSpan(s), cnSpan(span))}
			}
		}
	}
	if !p.rules.IgnoreBookings {
		for _, b := range bookings {
			if b.ActivityID == p.req.ID {
				continue
			}
			if s := b.Span(); s.Overlaps(span) {
				return &Exclusion{e.ID, "Art. 8(2)", "booked",
					fmt.Sprintf("专家已接受另一项评审（咨询）活动的邀请，该活动时间为%s，与本次活动时间（%s）重叠，原则上不得缺席已接受的活动", cnSpan(s), cnSpan(span))}
			}
		}
	}
	return nil
}

// countyExclusion evaluates Rules.Exclusions on env and returns the exclusion of the first
// rule that does not hold (or fails to evaluate: fail closed), or nil.
func (p *Prepared) countyExclusion(id string, env *Env) (*Exclusion, error) {
	if p.exclusions == nil {
		return nil, nil
	}
	for i, prog := range p.exclusions.Programs {
		r := p.exclusions.Rules[i]
		art := r.Article
		if art == "" {
			art = "Art. 13"
		}
		ok, err := prog.EvalWith(env, env.meter, env.scratch)
		if err != nil {
			if errors.Is(err, rule.ErrBudget) {
				return nil, budgetError(err)
			}
			return &Exclusion{id, art, "expression-error", fmt.Sprintf("排除规则 %q 无法对该专家求值，按排除处理：%v", r.Name, err)}, nil
		}
		if !ok {
			msg := r.Message
			if strings.TrimSpace(msg) == "" {
				msg = fmt.Sprintf("不符合本地使用细则的排除规则 %q", r.Name)
			}
			return &Exclusion{id, art, r.Name, msg}, nil
		}
	}
	return nil, nil
}

// CoolingOffRule returns a county exclusion rule (for Rules.Exclusions) named
// "cooling-off": an expert who reviewed a project of the same applicant unit within months
// months of the activity, before or after it, is excluded. Its expression is
//
//	!reviewedUnitWithin(project.Unit, <months>)
//
// Source: bid-evaluation and public-procurement expert systems keep experts from reviewing
// the same applicant again and again (回避期); the Measures leave "other circumstances that
// may affect a fair evaluation" to recusal (Art. 15(5)) and county rules (Art. 13). It is
// not part of DefaultRules.
func CoolingOffRule(months int) rule.Rule {
	return rule.Rule{
		Name:    "cooling-off",
		Article: "Art. 15(5)",
		Expr:    fmt.Sprintf("!reviewedUnitWithin(project.Unit, %d)", months),
		Message: fmt.Sprintf("专家在本次活动前后 %d 个月内评审过同一申报单位的项目，按本地使用细则回避", months),
	}
}

// ProjectView is what draw expressions see as `project`: the project's ID, the applicant
// unit (the project leader's unit: Unit, its unified social credit code UnitCode, its kind
// UnitKind), the region, and Units, the distinct units of the leader and the members in
// order. It carries no names or ID numbers of people.
type ProjectView struct {
	ID       string
	Unit     string
	UnitCode string
	UnitKind string
	Region   string
	Units    []string
}

func projectView(p conflict.Project) *ProjectView {
	v := &ProjectView{ID: p.ID, Unit: p.Leader.Affiliation.Org, UnitCode: p.Leader.Affiliation.OrgCode,
		UnitKind: string(p.Leader.Affiliation.Kind), Region: p.Region}
	seen := map[string]bool{}
	add := func(org string) {
		if org != "" && !seen[org] {
			seen[org] = true
			v.Units = append(v.Units, org)
		}
	}
	add(p.Leader.Affiliation.Org)
	for _, m := range p.Members {
		add(m.Affiliation.Org)
	}
	return v
}

// maxCoolingMonths bounds the months argument of reviewedUnitWithin (100 years).
const maxCoolingMonths = 1200

// neverReviewed is reviewedUnitWithin for an expert without history.
func neverReviewed(string, int) bool { return false }

// reviewedUnitWithin returns the helper of Env for an expert whose history is hist: whether
// a participation for the unit (compared with conflict.NormalizeName) lies within months
// calendar months of the activity (WithinMonths). Participations of this request's own ID
// do not count; a participation without a date counts (fail closed).
func (p *Prepared) reviewedUnitWithin(hist []Participation) func(string, int) bool {
	if len(hist) == 0 {
		return neverReviewed
	}
	at, self := p.req.At, p.req.ID
	return func(unit string, months int) bool {
		u := conflict.NormalizeName(unit)
		if u == "" || months <= 0 {
			return false
		}
		for _, h := range hist {
			if h.ActivityID == self || conflict.NormalizeName(h.ApplicantUnit) != u {
				continue
			}
			if h.At.IsZero() || WithinMonths(h.At, at, months) {
				return true
			}
		}
		return false
	}
}

// WithinMonths reports whether the calendar dates of a and b in China Standard Time lie
// less than months calendar months apart, in either order: with d the earlier date and e
// the later, e is before d plus months months, where a day that the target month lacks is
// clamped to its last day (31 August + 6 months = 28 or 29 February). So a review on
// 10 January is within 6 months of every date up to 9 July and not of 10 July. months ≤ 0
// is never within; months above 1200 count as 1200.
func WithinMonths(a, b time.Time, months int) bool {
	if months <= 0 {
		return false
	}
	months = min(months, maxCoolingMonths)
	da, db := civil(a), civil(b)
	if db.Before(da) {
		da, db = db, da
	}
	return db.Before(addMonthsClamped(da, months))
}

// civil returns the calendar date of t in China Standard Time, as midnight UTC of that date.
func civil(t time.Time) time.Time {
	y, m, d := t.In(cstZone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// addMonthsClamped adds n calendar months to the date d (midnight UTC), clamping the day to
// the last day of the target month.
func addMonthsClamped(d time.Time, n int) time.Time {
	y, m, day := d.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(day, last), 0, 0, 0, 0, time.UTC)
}

// cnTime writes t in China Standard Time to the minute (to the second when it has seconds).
func cnTime(t time.Time) string {
	c := t.In(cstZone)
	if c.Second() != 0 || c.Nanosecond() != 0 {
		return c.Format("2006-01-02 15:04:05")
	}
	return c.Format("2006-01-02 15:04")
}

// cnSpan writes a span in Chinese, in China Standard Time, saying that its end is excluded.
func cnSpan(s Span) string {
	switch {
	case s.From.IsZero() && s.To.IsZero():
		return "不限时间"
	case s.From.IsZero():
		return fmt.Sprintf("北京时间 %s 之前", cnTime(s.To))
	case s.To.IsZero():
		return fmt.Sprintf("北京时间 %s 起（结束时间未定）", cnTime(s.From))
	}
	return fmt.Sprintf("北京时间 %s 至 %s（不含结束时刻）", cnTime(s.From), cnTime(s.To))
}

// cnDuration writes a duration in Chinese in its largest exact unit.
func cnDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0 分钟"
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d 天", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%d 小时", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%d 分钟", d/time.Minute)
	}
	return d.String()
}
