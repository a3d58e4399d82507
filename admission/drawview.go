package admission

import (
	"time"

	"github.com/wzsti/expertdb/rule"
)

// DrawableView is Drawable for an expert whose expression view the caller has built already:
// v must be what e.ViewInto filled (a draw screening its pool builds one view per expert for
// its own rules and shares it with the admission rules, instead of building it twice). It
// returns exactly the findings of Drawable(*e, asOf, r). v is only read, and not kept. The
// evaluations are charged to m (the draw's meter; nil for none): a rule stopped by its
// budget fails closed like any rule that cannot be evaluated, and m says so (Exhausted).
func DrawableView(e *Expert, v *ExpertView, asOf time.Time, r *Rules, m *rule.Meter) []Finding {
	if r == nil {
		r = DefaultRules()
	}
	if r.c == nil {
		return notCompiled().Findings
	}
	s, _ := r.c.envs.Get().(*envSlot)
	if s == nil {
		s = newEnvSlot()
	}
	own := s.env.Expert // the slot's own (cleared) view, whose lists ViewInto reuses
	out := drawableIn(r.c, s, e, v, asOf, -1, m)
	s.env.Expert = own
	r.c.envs.Put(s)
	return out
}

// drawableIn evaluates DrawableView in slot s and clears s of the expert's data, except its
// view (a copy of *v). age is Age(e.BirthDate, asOf), or negative to have it computed.
func drawableIn(c *compiled, s *envSlot, e *Expert, v *ExpertView, asOf time.Time, age int, m *rule.Meter) []Finding {
	ay, am, ad := s.setDate(asOf)
	var out []Finding
	if e.Status != Active {
		out = append(out, Finding{Article: "Art. 12", Code: "not-active",
			Message: "专家不在库（未入库或已出库），不能抽取"})
	}
	s.creds, s.trainings = e.Credentials, e.Trainings
	copyFields(&s.env.Expert, v, c.view) // the rules read no other field
	if age < 0 {
		age = ageOn(e.BirthDate, ay, am, ad)
	}
	s.env.Age = age
	s.env.AsOf = asOf
	s.env.meter = m
	env := &s.env
	if !c.eligible(env, e.Categories) {
		if d := c.check(env, e.Categories); !d.Eligible {
			out = append(out, d.Findings...)
		}
	}
	out = appendFailed(out, c.drawable, env)
	s.creds, s.trainings = nil, nil
	s.env.Age, s.env.AsOf, s.env.meter = 0, time.Time{}, nil
	return out
}

// Screen evaluates DrawableView for one set of rules and one date, expert after expert (a
// draw screening its pool): the date's calendar day and one environment are set up once,
// instead of per expert. It returns exactly what DrawableView returns. A Screen is not safe
// for concurrent use; it keeps a reference to the last view it read until Close.
type Screen struct {
	c    *compiled // nil when the rules are not compiled
	slot *envSlot
	asOf time.Time
}

// NewScreen returns a Screen of r (nil means DefaultRules()) for an activity on asOf.
func NewScreen(r *Rules, asOf time.Time) *Screen {
	if r == nil {
		r = DefaultRules()
	}
	return &Screen{c: r.c, slot: newEnvSlot(), asOf: asOf}
}

// DrawableView is DrawableView(e, v, asOf, r, m) for the Screen's rules and date.
func (s *Screen) DrawableView(e *Expert, v *ExpertView, m *rule.Meter) []Finding {
	if s.c == nil {
		return notCompiled().Findings
	}
	return drawableIn(s.c, s.slot, e, v, s.asOf, -1, m)
}

// DrawableViewAged is DrawableView for an expert whose age on the Screen's date the caller
// has computed already: age must be Age(e.BirthDate, asOf), as a draw's screener computes it
// for its own expressions; the birth date is then not read again. A negative age is computed.
func (s *Screen) DrawableViewAged(e *Expert, v *ExpertView, age int, m *rule.Meter) []Finding {
	if s.c == nil {
		return notCompiled().Findings
	}
	return drawableIn(s.c, s.slot, e, v, s.asOf, age, m)
}

// Close drops the Screen's reference to the last view it read.
func (s *Screen) Close() {
	s.slot.env.Expert = ExpertView{}
	s.slot.scratch.Clear()
}
