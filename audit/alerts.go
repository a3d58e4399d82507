package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/wzsti/expertdb/internal/rules"
)

// AlertRule watches the event stream for a pattern an operator or the discipline office
// should look at (Art. 21, 22): it counts the events matching Match, per value of Key,
// within a sliding Window, and fires when the count exceeds Threshold.
//
// Match and Key are expressions over `event` (see AlertEnv). Count is "events" (the
// default: number of matching events) or "subjects" (number of distinct subjects among
// them, e.g. distinct experts viewed). A Window of 0 counts over the whole stream.
//
// A rule fires once when its count goes above the threshold, and again only after the
// count has fallen back to the threshold or below (so a burst gives one alert, not one per
// event).
type AlertRule struct {
	Name      string        `yaml:"name" json:"name"`
	Article   string        `yaml:"article" json:"article"`
	Message   string        `yaml:"message" json:"message"`
	Match     string        `yaml:"match" json:"match"`
	Key       string        `yaml:"key" json:"key"`
	Count     string        `yaml:"count" json:"count"`
	Window    time.Duration `yaml:"window" json:"window"`
	Threshold int           `yaml:"threshold" json:"threshold"`
}

// Count modes of an AlertRule.
const (
	CountEvents   = "events"
	CountSubjects = "subjects"
)

// EventView is what alert expressions see as `event`:
//
//	At        time.Time
//	Actor     Actor           ID, Name, Role, Unit, OnBehalfOf
//	Action    string          e.g. "view"
//	Subjects  []string
//	Data      map[string]any  the event's data when it is a JSON object (else nil)
//	Index     int             the event's index in the log
type EventView struct {
	At       time.Time
	Actor    Actor
	Action   string
	Subjects []string
	Data     map[string]any
	Index    int
}

// AlertEnv is the environment of alert expressions: `event`. Examples:
// `event.Action == "view" && event.Data.kind == "expert"`, key `event.Actor.ID`,
// key `event.Subjects[0]`.
type AlertEnv struct {
	Event EventView `expr:"event"`
}

// DefaultAlertRules returns the alerts this package proposes (a county may tune them):
//
//   - profile-views: one user viewing more than 50 distinct expert profiles within 24 hours
//     (Art. 21, 22(1): 私自访问、复制专家库信息);
//   - redraw: the same project (Data "project", else the first subject, the request ID)
//     drawn a second time, under any request ID: a re-roll to get a preferred panel
//     (Art. 14, 22(5)); commitments and failed draws do not count (a practice draw has no
//     project and counts under its request ID);
//   - bulk-export: one user exporting more than 200 distinct experts within 24 hours
//     (Art. 20, 22(1));
//   - repeated-denials: one user refused more than 10 times within an hour (Art. 18, 22(1));
//   - sealed-panel-probes: one user refused more than 3 times within 24 hours for naming
//     experts of a panel sealed for them (code "sealed-panel"): someone trying to find out
//     who was drawn (Art. 19–22, 9(7));
//   - reply-lockout: a notice's reply channel locked after repeated wrong reply codes (the
//     "wrong-code" respond event with locked true), keyed by request and expert: guessing, or a
//     clerk shutting an expert out on purpose (Art. 14(2), 21, 22);
//   - query-pages: one user reading more than 60 pages of queries (view events of kind
//     "expert-query", "expert-count" or "request-query") within an hour: browsing is a view,
//     not an export, but paging through the whole database is copying it (Art. 21, 22(1)).
func DefaultAlertRules() []AlertRule {
	return []AlertRule{
		{Name: "profile-views", Article: "Art. 21, 22(1)",
			Message: "同一用户24小时内查看专家信息超过50人，可能存在私自访问、留存专家库信息的行为",
			Match:   `event.Action == "view" && event.Data.kind == "expert"`, Key: `event.Actor.ID`,
			Count: CountSubjects, Window: 24 * time.Hour, Threshold: 50},
		{Name: "redraw", Article: "Art. 14, 22(5)",
			Message: "同一抽取申请被再次抽取，疑似重复抽取以选择专家，请核查",
			Match:   `event.Action == "draw" && len(event.Subjects) > 0 && !(event.Data.outcome in ["failed", "committed"])`,
			Key:     `event.Data.project ?? event.Subjects[0]`,
			Count:   CountEvents, Threshold: 1},
		{Name: "bulk-export", Article: "Art. 20, 22(1)",
			Message: "同一用户24小时内导出专家数据超过200人，疑似批量复制、下载专家库信息",
			Match:   `event.Action == "export"`, Key: `event.Actor.ID`,
			Count: CountSubjects, Window: 24 * time.Hour, Threshold: 200},
		{Name: "repeated-denials", Article: "Art. 18, 22(1)",
			Message: "同一用户1小时内被拒绝访问超过10次，疑似越权访问",
			Match:   `event.Action == "access-denied"`, Key: `event.Actor.ID`,
			Count: CountEvents, Window: time.Hour, Threshold: 10},
		{Name: "sealed-panel-probes", Article: "Art. 19-22",
			Message: "同一用户24小时内多次查询密封名单中的专家，疑似试探抽取结果，请核查",
			Match:   `event.Action == "access-denied" && event.Data.code == "sealed-panel"`, Key: `event.Actor.ID`,
			Count: CountEvents, Window: 24 * time.Hour, Threshold: 3},
		{Name: "reply-lockout", Article: "Art. 14(2), 21, 22",
			Message: "专家通知的回复码连续错误已锁定，疑似猜测回复码或故意锁定专家，请核查并经审批后解锁",
			Match:   `event.Action == "respond" && event.Data.outcome == "wrong-code" && event.Data.locked == true && len(event.Subjects) > 1`,
			Key:     `event.Subjects[0] + "/" + event.Subjects[1]`,
			Count:   CountEvents, Window: time.Hour, Threshold: 0},
		{Name: "query-pages", Article: "Art. 21, 22(1)",
			Message: "同一用户1小时内查询专家库超过60页，疑似批量遍历、复制专家库信息，请核查",
			Match:   `event.Action == "view" && event.Data.kind in ["expert-query", "expert-count", "request-query"]`, Key: `event.Actor.ID`,
			Count: CountEvents, Window: time.Hour, Threshold: 60},
	}
}

// Alert is a fired AlertRule.
type Alert struct {
	Rule    string    `json:"rule"`
	Article string    `json:"article"`
	Message string    `json:"message"`
	Key     string    `json:"key"`    // the group that crossed the threshold (masked if it held personal data)
	Count   int       `json:"count"`  // the count that crossed it
	Index   int64     `json:"index"`  // the event that crossed it
	At      time.Time `json:"at"`     // that event's time
	Events  []int64   `json:"events"` // the counted events still in the window (up to 1000, most recent); nil for Window 0
}

// Event returns the alert event to append (action "alert"), recorded by actor at time at.
// Its subjects are the group key, when set; its data is the alert.
func (a Alert) Event(at time.Time, actor Actor) Event {
	data, _ := json.Marshal(struct {
		Kind string `json:"kind"`
		Alert
	}{"alert", a})
	e := Event{At: at, Actor: actor, Action: ActionAlert, Data: data}
	if a.Key != "" {
		e.Subjects = []string{a.Key}
	}
	return e
}

// Alerter evaluates alert rules over a stream of events. It is safe for concurrent use;
// feed it events in log order (Observe or Scan). Memory: for a windowed rule, one entry
// per matching event in the window; for a whole-stream rule, one counter (and the set of
// subjects, when counting subjects) per key.
type Alerter struct {
	mu    sync.Mutex
	rules []*alertState
	seen  int
}

type alertState struct {
	AlertRule
	match  *rules.Bool[AlertEnv]
	key    *rules.Value[AlertEnv]
	groups map[string]*alertGroup
}

type alertGroup struct {
	entries  []alertEntry // matching events in the window, in arrival order (windowed rules)
	count    int          // events counted (whole-stream rules)
	subjects map[string]int
	fired    bool
	newest   int64
}

type alertEntry struct {
	at       int64
	index    int64
	subjects []string
}

// maxAlertEvents bounds Alert.Events.
const maxAlertEvents = 1000

// NewAlerter compiles rs. Every error (expression, duplicate name, bad count mode,
// negative window or threshold) is reported together.
func NewAlerter(rs []AlertRule) (*Alerter, error) {
	a := &Alerter{}
	var errs []error
	seen := map[string]bool{}
	for i, r := range rs {
		name := r.Name
		if name == "" {
			name = fmt.Sprintf("#%d", i+1)
			errs = append(errs, fmt.Errorf("audit: alert rule %s has no name", name))
		} else if seen[name] {
			errs = append(errs, fmt.Errorf("audit: alert rule %q defined twice", name))
		}
		seen[name] = true
		if r.Count == "" {
			r.Count = CountEvents
		}
		if r.Count != CountEvents && r.Count != CountSubjects {
			errs = append(errs, fmt.Errorf("audit: alert rule %q: count must be %q or %q", name, CountEvents, CountSubjects))
		}
		if r.Window < 0 || r.Threshold < 0 {
			errs = append(errs, fmt.Errorf("audit: alert rule %q: negative window or threshold", name))
		}
		st := &alertState{AlertRule: r, groups: map[string]*alertGroup{}}
		var err error
		if st.match, err = rules.CompileBool[AlertEnv](name, r.Match, rules.Options{}); err != nil {
			errs = append(errs, fmt.Errorf("audit: alert rule %q match: %w", name, err))
		}
		if r.Key != "" {
			if st.key, err = rules.CompileValue[AlertEnv](name+".key", r.Key, rules.Options{}); err != nil {
				errs = append(errs, fmt.Errorf("audit: alert rule %q key: %w", name, err))
			}
		}
		a.rules = append(a.rules, st)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return a, nil
}

// View returns the expression view of the event at index.
func (e Event) View(index int64) EventView {
	v := EventView{At: e.At, Actor: e.Actor, Action: string(e.Action), Subjects: e.Subjects, Index: int(index)}
	if len(e.Data) > 0 && e.Data[0] == '{' {
		_ = json.Unmarshal(e.Data, &v.Data)
	}
	return v
}

// Observe feeds the event at index to every rule and returns the alerts it fires. An
// expression that fails to evaluate skips that rule for this event; the failures are
// returned joined, alongside any alerts.
func (a *Alerter) Observe(index int64, e Event) ([]Alert, error) {
	env := &AlertEnv{Event: e.View(index)}
	at := e.At.UnixNano()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seen++
	var out []Alert
	var errs []error
	for _, st := range a.rules {
		if a.seen%4096 == 0 {
			st.sweep(at)
		}
		ok, err := st.match.Eval(env)
		if err != nil {
			errs = append(errs, scrubErr(err))
			continue
		}
		if !ok {
			continue
		}
		key := ""
		if st.key != nil {
			v, err := st.key.Eval(env)
			if err != nil {
				errs = append(errs, scrubErr(err))
				continue
			}
			if v == nil {
				continue
			}
			key = fmt.Sprint(v)
		}
		g := st.groups[key]
		if g == nil {
			g = &alertGroup{}
			if st.Count == CountSubjects {
				g.subjects = map[string]int{}
			}
			st.groups[key] = g
		}
		n := st.add(g, index, at, e.Subjects)
		if n <= st.Threshold {
			g.fired = false
			continue
		}
		if g.fired {
			continue
		}
		g.fired = true
		al := Alert{Rule: st.Name, Article: st.Article, Message: st.Message, Key: scrub(key), Count: n, Index: index, At: e.At}
		if st.Window > 0 {
			from := max(0, len(g.entries)-maxAlertEvents)
			for _, en := range g.entries[from:] {
				al.Events = append(al.Events, en.index)
			}
		}
		out = append(out, al)
	}
	return out, errors.Join(errs...)
}

// add counts one matching event in g and returns the group's count.
func (st *alertState) add(g *alertGroup, index, at int64, subjects []string) int {
	if at > g.newest {
		g.newest = at
	}
	var distinct []string
	if g.subjects != nil {
		for i, s := range subjects {
			if !slices.Contains(subjects[:i], s) {
				distinct = append(distinct, s)
			}
		}
	}
	if st.Window > 0 {
		cutoff := g.newest - int64(st.Window)
		if at <= cutoff { // a late event already outside the window
			return st.groupCount(g)
		}
		k := 0
		for k < len(g.entries) && g.entries[k].at <= cutoff {
			for _, s := range g.entries[k].subjects {
				if g.subjects[s]--; g.subjects[s] <= 0 {
					delete(g.subjects, s)
				}
			}
			k++
		}
		g.entries = append(g.entries[k:], alertEntry{at: at, index: index, subjects: distinct})
	} else {
		g.count++
	}
	for _, s := range distinct {
		g.subjects[s]++
	}
	return st.groupCount(g)
}

func (st *alertState) groupCount(g *alertGroup) int {
	switch {
	case g.subjects != nil:
		return len(g.subjects)
	case st.Window > 0:
		return len(g.entries)
	}
	return g.count
}

// sweep drops windowed groups whose every event is older than the window.
func (st *alertState) sweep(now int64) {
	if st.Window <= 0 {
		return
	}
	for k, g := range st.groups {
		if g.newest <= now-int64(st.Window) {
			delete(st.groups, k)
		}
	}
}

// Scan feeds the log's events from index start on to the alerter, in order, and returns
// the alerts fired and the index to start from next time.
func (a *Alerter) Scan(ctx context.Context, l *Log, start int64) ([]Alert, int64, error) {
	if err := l.Sync(ctx); err != nil {
		return nil, start, err
	}
	end := l.Size()
	var out []Alert
	for start < end {
		k := min(readBatch, end-start)
		evs, err := l.Events(ctx, start, k)
		if err != nil {
			return out, start, err
		}
		for i, e := range evs {
			al, err := a.Observe(start+int64(i), e)
			out = append(out, al...)
			if err != nil {
				return out, start + int64(i) + 1, fmt.Errorf("audit: alerts at event %d: %w", start+int64(i), err)
			}
		}
		start += k
	}
	return out, start, nil
}
