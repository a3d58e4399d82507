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
	var out []Finding
	if e.Status != Active {
		out = append(out, Finding{Article: "Art. 12", Code: "not-active",
			Message: "专家不在库（未入库或已出库），不能抽取"})
	}
	s, _ := r.c.envs.Get().(*envSlot)
	if s == nil {
		s = newEnvSlot()
	}
	own := s.env.Expert // the slot's own (cleared) view, whose lists ViewInto reuses
	ay, am, ad := asOf.Date()
	s.today = daysFromCivil(ay, am, ad)
	s.creds, s.trainings = e.Credentials, e.Trainings
	s.env.Expert = *v
	s.env.Age = ageOn(e.BirthDate, ay, am, ad)
	s.env.AsOf = asOf
	s.env.meter = m
	env := &s.env
	if !r.c.eligible(env, e.Categories) {
		if d := r.c.check(env, e.Categories); !d.Eligible {
			out = append(out, d.Findings...)
		}
	}
	out = appendFailed(out, r.c.drawable, env)
	s.creds, s.trainings = nil, nil
	s.env.Expert = own
	s.env.Age, s.env.AsOf, s.env.meter = 0, time.Time{}, nil
	r.c.envs.Put(s)
	return out
}
