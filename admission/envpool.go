package admission

import (
	"time"

	"github.com/wzsti/expertdb/internal/rules"
)

// envSlot is an Env whose helper functions (hasCredential, hasRecentTraining, daysSince) are
// bound once to the slot's own fields, so that one slot evaluates expert after expert without
// allocating closures or view slices. NewEnv uses a fresh slot; Check, Drawable and Sweep
// take slots from the compiled rules' pool (one goroutine per slot at a time) and return
// them cleared.
type envSlot struct {
	env       Env
	scratch   rules.Scratch
	creds     []Credential
	trainings []Training
	today     int64 // civilDay(asOf)
	// the date last reset for and its calendar date: a pooled slot is mostly reset for the
	// same date again (a batch of checks on one day)
	dateOf     time.Time
	ay, ad     int
	am         time.Month
	dateCached bool
}

func newEnvSlot() *envSlot {
	s := &envSlot{}
	s.env.scratch = &s.scratch
	s.env.HasCredential = s.hasCredential
	s.env.HasRecentTraining = s.hasRecentTraining
	s.env.DaysSince = s.daysSince
	return s
}

// reset makes s the environment of e on asOf, with the view fields f filled (the others as
// clearView left them).
func (s *envSlot) reset(e *Expert, asOf time.Time, f ViewFields) {
	ay, am, ad := s.setDate(asOf)
	s.creds, s.trainings = e.Credentials, e.Trainings
	e.ViewIntoFields(&s.env.Expert, f)
	s.env.Age = ageOn(e.BirthDate, ay, am, ad)
	s.env.AsOf = asOf
}

// setDate sets s.today for asOf and returns asOf's calendar date, computed again only when
// asOf is not the date s was last set for.
func (s *envSlot) setDate(asOf time.Time) (int, time.Month, int) {
	if !s.dateCached || asOf != s.dateOf { // same instant and location: same calendar date
		s.ay, s.am, s.ad = asOf.Date()
		s.today = daysFromCivil(s.ay, s.am, s.ad)
		s.dateOf, s.dateCached = asOf, true
	}
	return s.ay, s.am, s.ad
}

// hasCredential: a credential of that kind dated on or before asOf (or undated).
func (s *envSlot) hasCredential(kind string) bool {
	for _, c := range s.creds {
		if c.Kind == kind && (c.Date.IsZero() || civilDay(c.Date) <= s.today) {
			return true
		}
	}
	return false
}

// hasRecentTraining: a training of that kind ("" = any kind) dated within the last days
// calendar days up to asOf.
func (s *envSlot) hasRecentTraining(kind string, days int) bool {
	for _, t := range s.trainings {
		if kind != "" && string(t.Kind) != kind {
			continue
		}
		if t.Date.IsZero() {
			continue
		}
		d := s.today - civilDay(t.Date)
		if d >= 0 && d <= int64(days) {
			return true
		}
	}
	return false
}

// daysSince: calendar days from t to asOf.
func (s *envSlot) daysSince(t time.Time) int { return int(s.today - civilDay(t)) }

// getEnv returns a pooled environment of e on asOf; give it back with putEnv once no
// result refers to it.
func (c *compiled) getEnv(e *Expert, asOf time.Time) *envSlot {
	s, _ := c.envs.Get().(*envSlot)
	if s == nil {
		s = newEnvSlot()
	}
	s.reset(e, asOf, c.view)
	return s
}

// putEnv clears s of the expert's data and returns it to the pool.
func (c *compiled) putEnv(s *envSlot) {
	s.creds, s.trainings = nil, nil
	clearView(&s.env.Expert)
	s.env.Age, s.env.AsOf = 0, time.Time{}
	c.envs.Put(s)
}
