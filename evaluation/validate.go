package evaluation

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Attendance is whether an expert who accepted an invitation attended the activity.
type Attendance int

// Attendance values. The zero value is Attended.
const (
	Attended Attendance = iota // 出席
	NoShow                     // 无故缺席: absent without a reason the organiser accepted (Art. 8(2))
	Excused                    // 因故缺席: absent for a reason the organiser accepted
)

// String returns the stable code of a ("attended", "no-show", "excused").
func (a Attendance) String() string {
	switch a {
	case Attended:
		return "attended"
	case NoShow:
		return "no-show"
	case Excused:
		return "excused"
	}
	return "Attendance(" + strconv.Itoa(int(a)) + ")"
}

// Valid reports whether a is one of the attendance values.
func (a Attendance) Valid() bool { return a >= Attended && a <= Excused }

// Participation records that an expert accepted the invitation to an activity (and signed
// the pledge, Art. 8(4)), as the organiser holds it: who organised it, when it took place and
// whether the expert attended. Ratings are checked against it, and no-shows (Art. 8(2)) are
// counted from it.
type Participation struct {
	ActivityID    string     `json:"activity_id"`
	OrganizerUnit string     `json:"organizer_unit"` // the using unit (使用单位（处室）) that rates, Art. 25
	ExpertID      string     `json:"expert_id"`
	Date          time.Time  `json:"date"` // when the activity took place; its YearOf is the year of a no-show
	Attendance    Attendance `json:"attendance"`
	Reason        string     `json:"reason,omitempty"` // for an absence: what happened; required when Excused
}

// Length limits of identifiers, in characters: IDs as in admission.Expert, unit names as in
// admission.Affiliation.
const (
	MaxIDRunes   = 64
	MaxUnitRunes = 200
)

// MaxTextRunes bounds the length of a rating's comment and an absence reason, in characters.
const MaxTextRunes = 2000

// Problem is one reason a rating or a participation record is invalid.
type Problem struct {
	Field   string `json:"field"`   // Go field name, e.g. "Comment" or "Aspects.Quality"
	Article string `json:"article"` // e.g. "Art. 21"
	Code    string `json:"code"`    // stable machine code, e.g. "poor-without-reason"
	Message string `json:"message"` // Chinese, naming the field
}

// ErrInvalid is matched (errors.Is) by every [*ValidationError].
var ErrInvalid = errors.New("evaluation: invalid")

// ValidationError reports every problem of one rating or one participation record. Its
// message never contains the free text of the comment or the reason.
type ValidationError struct {
	Subject    string // "rating" or "participation"
	Index      int    // position in the batch given to ValidateRatings; -1 when validated alone
	ActivityID string
	ExpertID   string
	Problems   []Problem
}

// Error lists the problems in Chinese, each with its article and code.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("evaluation: ")
	if e.Subject == subjectParticipation {
		b.WriteString("参加记录无效（")
	} else {
		b.WriteString("履职评价无效（")
	}
	if e.Index >= 0 {
		b.WriteString("第 " + strconv.Itoa(e.Index+1) + " 条，")
	}
	b.WriteString("活动 " + quoteID(e.ActivityID) + "，专家 " + quoteID(e.ExpertID) + "）：")
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("；")
		}
		b.WriteString(p.Message + "（" + p.Article + "，" + p.Code + "）")
	}
	return b.String()
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// quoteID renders an identifier for a message: quoted, at most 64 bytes, "（空）" when empty.
func quoteID(s string) string {
	if s == "" {
		return "（空）"
	}
	if len(s) > 64 {
		s = strings.ToValidUTF8(s[:64], "") + "…"
	}
	return strconv.Quote(s)
}

const (
	subjectRating        = "rating"
	subjectParticipation = "participation"
)

// Problem codes of rating and participation validation.
const (
	CodeExpertRequired    = "expert-required"     // ExpertID empty
	CodeActivityRequired  = "activity-required"   // ActivityID empty
	CodeRaterRequired     = "rater-required"      // RaterUnit empty
	CodeOrganizerRequired = "organizer-required"  // OrganizerUnit empty
	CodeInvalidGrade      = "invalid-grade"       // Grade not one of the three grades
	CodeInvalidAspect     = "invalid-aspect"      // an aspect grade set but not a grade
	CodeAspectRequired    = "aspect-required"     // an aspect not rated while RequireAspects
	CodeTimeRequired      = "time-required"       // At or Date zero
	CodePoorWithoutReason = "poor-without-reason" // a 差 without a written reason (Art. 21)
	CodeTextTooLong       = "text-too-long"       // Comment or Reason longer than MaxTextRunes
	CodeTextNotUTF8       = "text-not-utf8"       // Comment or Reason not valid UTF-8
	CodeIDTooLong         = "id-too-long"         // an identifier or unit name longer than its limit
	CodeNotOnPanel        = "not-on-panel"        // no participation of this expert in this activity
	CodeRaterNotOrganizer = "rater-not-organizer" // the rater unit did not organise the activity
	CodeNotAttended       = "not-attended"        // the expert did not attend: record a no-show instead
	CodeBeforeActivity    = "before-activity"     // rated before the activity took place
	CodeDuplicate         = "duplicate"           // a second rating for the same activity and expert
	CodeInvalidAttendance = "invalid-attendance"  // Attendance not one of the values
	CodeExcuseRequired    = "excuse-required"     // Excused without a reason
)

// ValidateRating checks one rating against the participation record of its expert in its activity
// (see the package documentation for the rules). It returns nil or a [*ValidationError] with
// Index -1 listing every problem. A nil r means [DefaultRules].
func (r *Rules) ValidateRating(rt Rating, p Participation) error {
	probs := r.orDefault().ratingProblems(&rt)
	probs = append(probs, matchProblems(&rt, &p)...)
	if len(probs) == 0 {
		return nil
	}
	return &ValidationError{Subject: subjectRating, Index: -1, ActivityID: rt.ActivityID, ExpertID: rt.ExpertID, Problems: probs}
}

// ValidateRating checks one rating against its participation record under [DefaultRules].
func ValidateRating(rt Rating, p Participation) error { return DefaultRules().ValidateRating(rt, p) }

type ratingKey struct{ activity, expert string }

// ValidateRatings checks ratings against the participation records of their activities: each
// rating is matched with the participation of the same ActivityID and ExpertID (the first
// one, if the records repeat), and a second rating for the same activity and expert in the
// batch is a duplicate. It returns nil or the errors.Join of one [*ValidationError] per
// invalid rating, in batch order, with Index set. Ratings already stored are checked for
// duplicates by the [Store].
func (r *Rules) ValidateRatings(ratings []Rating, participations []Participation) error {
	r = r.orDefault()
	parts := make(map[ratingKey]*Participation, len(participations))
	for i := range participations {
		k := ratingKey{participations[i].ActivityID, participations[i].ExpertID}
		if _, dup := parts[k]; !dup {
			parts[k] = &participations[i]
		}
	}
	seen := make(map[ratingKey]bool, len(ratings))
	var errs []error
	for i := range ratings {
		rt := &ratings[i]
		probs := r.ratingProblems(rt)
		k := ratingKey{rt.ActivityID, rt.ExpertID}
		if p, ok := parts[k]; ok {
			probs = append(probs, matchProblems(rt, p)...)
		} else if rt.ActivityID != "" && rt.ExpertID != "" {
			probs = append(probs, Problem{Field: "ExpertID", Article: "Art. 25", Code: CodeNotOnPanel,
				Message: "专家编号：该专家没有参加该活动的记录，只能评价参加了活动的专家"})
		}
		if seen[k] {
			probs = append(probs, duplicateProblem())
		}
		seen[k] = true
		if len(probs) > 0 {
			errs = append(errs, &ValidationError{Subject: subjectRating, Index: i, ActivityID: rt.ActivityID, ExpertID: rt.ExpertID, Problems: probs})
		}
	}
	return errors.Join(errs...)
}

// ValidateRatings checks ratings against participation records under [DefaultRules]: see
// [Rules.ValidateRatings].
func ValidateRatings(ratings []Rating, participations []Participation) error {
	return DefaultRules().ValidateRatings(ratings, participations)
}

func duplicateProblem() Problem {
	return Problem{Field: "ActivityID", Article: "Art. 25", Code: CodeDuplicate,
		Message: "活动编号：同一活动对同一专家只能评价一次，如需更正请修改原评价"}
}

// requireText adds a problem when the text field is empty (code, missing) or longer than max
// runes (CodeIDTooLong, naming label).
func requireText(add func(field, article, code, msg string), field, value string, max int, code, missing, label string) {
	switch {
	case strings.TrimSpace(value) == "":
		add(field, "Art. 25", code, missing)
	case tooLong(value, max):
		add(field, "Art. 25", CodeIDTooLong, label+"过长：不能超过 "+strconv.Itoa(max)+" 个字符")
	}
}

// ratingProblems checks a rating on its own.
func (r *Rules) ratingProblems(rt *Rating) []Problem {
	var probs []Problem
	add := func(field, article, code, msg string) {
		probs = append(probs, Problem{Field: field, Article: article, Code: code, Message: msg})
	}
	requireText(add, "ExpertID", rt.ExpertID, MaxIDRunes, CodeExpertRequired, "专家编号不能为空", "专家编号")
	requireText(add, "ActivityID", rt.ActivityID, MaxIDRunes, CodeActivityRequired, "活动编号不能为空", "活动编号")
	requireText(add, "RaterUnit", rt.RaterUnit, MaxUnitRunes, CodeRaterRequired, "评价单位不能为空：应由组织活动的使用单位（处室）评价", "评价单位名称")
	if !rt.Grade.Valid() {
		add("Grade", "Art. 25", CodeInvalidGrade, "总体评价等级须为 优秀、良好 或 差")
	}
	for _, a := range [...]struct {
		field, label string
		g            Grade
	}{
		{"Aspects.Expertise", "业务水平", rt.Aspects.Expertise},
		{"Aspects.Attitude", "工作态度", rt.Aspects.Attitude},
		{"Aspects.Quality", "质量规范", rt.Aspects.Quality},
	} {
		switch {
		case a.g == 0 && r.RequireAspects:
			add(a.field, "Art. 25", CodeAspectRequired, a.label+"未评价：须从业务水平、工作态度、质量规范三方面评价")
		case a.g != 0 && !a.g.Valid():
			add(a.field, "Art. 25", CodeInvalidAspect, a.label+"评价等级须为 优秀、良好 或 差")
		}
	}
	if rt.At.IsZero() {
		add("At", "Art. 25", CodeTimeRequired, "评价时间不能为空")
	}
	switch {
	case !utf8.ValidString(rt.Comment):
		add("Comment", "Art. 25", CodeTextNotUTF8, "评价意见含有无效字符（须为 UTF-8 文本）")
	case utf8.RuneCountInString(rt.Comment) > MaxTextRunes:
		add("Comment", "Art. 25", CodeTextTooLong, "评价意见过长：不能超过 "+strconv.Itoa(MaxTextRunes)+" 字")
	case rt.hasPoor() && strings.TrimSpace(rt.Comment) == "":
		add("Comment", "Art. 21", CodePoorWithoutReason, "评价意见不能为空：评为“差”须写明书面理由，不得对专家进行恶意评价")
	}
	return probs
}

// tooLong reports whether s has more than n characters (bytes of invalid UTF-8 count one each).
func tooLong(s string, n int) bool { return len(s) > n && utf8.RuneCountInString(s) > n }

// matchProblems checks a rating against a participation record.
func matchProblems(rt *Rating, p *Participation) []Problem {
	var probs []Problem
	if rt.ExpertID != p.ExpertID || rt.ActivityID != p.ActivityID {
		return append(probs, Problem{Field: "ExpertID", Article: "Art. 25", Code: CodeNotOnPanel,
			Message: "专家编号：该专家没有参加该活动的记录，只能评价参加了活动的专家"})
	}
	if rt.RaterUnit != p.OrganizerUnit {
		probs = append(probs, Problem{Field: "RaterUnit", Article: "Art. 25", Code: CodeRaterNotOrganizer,
			Message: "评价单位：不是该活动的组织单位，只有组织活动的使用单位（处室）可以评价"})
	}
	if p.Attendance != Attended {
		probs = append(probs, Problem{Field: "ExpertID", Article: "Art. 8(2)", Code: CodeNotAttended,
			Message: "专家编号：该专家未出席该活动，不能评价履职情况，请按缺席登记"})
	}
	if !p.Date.IsZero() && !rt.At.IsZero() && rt.At.Before(p.Date) {
		probs = append(probs, Problem{Field: "At", Article: "Art. 25", Code: CodeBeforeActivity,
			Message: "评价时间：早于活动时间，须在活动结束后评价"})
	}
	return probs
}

// ValidateParticipation checks a participation record: activity, organiser, expert and date
// are required, the attendance is one of the values, and an excused absence states its
// reason. It returns nil or a [*ValidationError] with Index -1.
func ValidateParticipation(p Participation) error {
	var probs []Problem
	add := func(field, article, code, msg string) {
		probs = append(probs, Problem{Field: field, Article: article, Code: code, Message: msg})
	}
	requireText(add, "ActivityID", p.ActivityID, MaxIDRunes, CodeActivityRequired, "活动编号不能为空", "活动编号")
	requireText(add, "OrganizerUnit", p.OrganizerUnit, MaxUnitRunes, CodeOrganizerRequired, "组织单位不能为空", "组织单位名称")
	requireText(add, "ExpertID", p.ExpertID, MaxIDRunes, CodeExpertRequired, "专家编号不能为空", "专家编号")
	if p.Date.IsZero() {
		add("Date", "Art. 8(2)", CodeTimeRequired, "活动时间不能为空")
	}
	if !p.Attendance.Valid() {
		add("Attendance", "Art. 8(2)", CodeInvalidAttendance, "出席情况须为 出席、无故缺席 或 因故缺席")
	}
	switch {
	case !utf8.ValidString(p.Reason):
		add("Reason", "Art. 8(2)", CodeTextNotUTF8, "缺席原因含有无效字符（须为 UTF-8 文本）")
	case utf8.RuneCountInString(p.Reason) > MaxTextRunes:
		add("Reason", "Art. 8(2)", CodeTextTooLong, "缺席原因过长：不能超过 "+strconv.Itoa(MaxTextRunes)+" 字")
	case p.Attendance == Excused && strings.TrimSpace(p.Reason) == "":
		add("Reason", "Art. 8(2)", CodeExcuseRequired, "缺席原因不能为空：因故缺席须写明组织单位认可的原因，否则按无故缺席登记")
	}
	if len(probs) == 0 {
		return nil
	}
	return &ValidationError{Subject: subjectParticipation, Index: -1, ActivityID: p.ActivityID, ExpertID: p.ExpertID, Problems: probs}
}
