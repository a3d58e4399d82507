package expertdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/selection"
)

// ErrReplayInput is wrapped when a draw record cannot be replayed at all: no record, no
// result, or a record version this package does not know. A record that can be replayed but
// gives another outcome is not an error: it is a ReplayReport with Match false.
var ErrReplayInput = errors.New("expertdb: draw record cannot be replayed")

// ReplayReport is the outcome of replaying a recorded draw (Art. 14, 17: 可追溯): whether
// re-running the draw from the record gives the recorded result and, when the audit log was
// consulted, whether the record agrees with its draw event. Differences lists every
// disagreement; Match is true exactly when it is empty.
type ReplayReport struct {
	RequestID string `json:"request_id"`
	// Match reports that the replay gave the recorded result (and agreed with the audit event,
	// when it was checked).
	Match bool `json:"match"`
	// Replayed is the recomputed result; nil when the draw failed on replay.
	Replayed *selection.Result `json:"replayed,omitempty"`
	// AuditChecked reports that the record was compared with its draw event in the audit log.
	AuditChecked bool `json:"audit_checked"`
	// Differences lists each disagreement, in the order checked: the result's fields, then
	// the audit event.
	Differences []Difference `json:"differences,omitempty"`
}

// Difference is one disagreement found by a replay: which field, the recorded and the
// recomputed (or logged) values, and a Chinese message an operator or the discipline office
// can act on.
type Difference struct {
	// Field names what differs: "panel[2]", "reserve", "pool_digest", "request_digest", "key",
	// "mode", "candidates", "request_id", "excluded", "draw" (the draw failed on replay), or
	// "audit.<member>" for the draw event (e.g. "audit.entropy", "audit.subjects").
	Field    string `json:"field"`
	Recorded string `json:"recorded"`
	Replayed string `json:"replayed"`
	Message  string `json:"message"`
}

// String renders the difference on one line.
func (d Difference) String() string {
	return fmt.Sprintf("%s: recorded %s, replayed %s (%s)", d.Field, replayOrNone(d.Recorded), replayOrNone(d.Replayed), d.Message)
}

func replayOrNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// String renders the report for a terminal: the verdict, then one line per difference.
func (r *ReplayReport) String() string {
	var b strings.Builder
	if r.Match {
		fmt.Fprintf(&b, "draw %s: replay MATCHES the record (重放结果与记录一致)", r.RequestID)
		if r.AuditChecked {
			b.WriteString(" and its audit event")
		}
		b.WriteString("\n")
		return b.String()
	}
	fmt.Fprintf(&b, "draw %s: replay DOES NOT MATCH the record (重放结果与记录不一致): %d difference(s)\n", r.RequestID, len(r.Differences))
	for _, d := range r.Differences {
		b.WriteString("  - " + d.String() + "\n")
	}
	return b.String()
}

// ReplayDraw re-runs a recorded draw under p (nil = DefaultPolicy()) and compares the outcome
// with rec.Result: it prepares rec.Request (the request as drawn, after the county's request
// rules) with p.Selection, draws from rec.Pool with rec.Entropy, and compares the mode, the
// request ID, the request digest, the pool digest, the key, the number of candidates, the
// panel and the reserve (each pick with its round and flags), and that every exclusion the
// replay finds among the recorded pool was recorded.
//
// The policy must be the one the draw was made under: the annual cap and the preferential
// share are part of the request digest (docs/draw-v1.md §4), and the admission, conflict and
// evaluation rules decide the candidates. A different policy shows as differences.
//
// The record's pool is the snapshot the Service keeps (candidates and preferential picks);
// the experts excluded before the draw are named in rec.Result.Excluded but not kept, so the
// replay checks the candidate list through the pool digest rather than re-screening the whole
// database. ReplayDraw never fails on a record that replays differently: it returns a report
// with Match false. It returns an error wrapping ErrReplayInput only when rec cannot be
// replayed at all.
func ReplayDraw(rec *DrawRecord, p *Policy) (*ReplayReport, error) {
	if rec == nil || rec.Result == nil {
		return nil, fmt.Errorf("%w: no draw record or no recorded result", ErrReplayInput)
	}
	if !knownRecordVersion(rec.Version) {
		return nil, fmt.Errorf("%w: record version %q, want %q", ErrReplayInput, rec.Version, drawRecordVersion)
	}
	if (len(rec.Profiles) > 0 || rec.ProfileManifest != "") && len(rec.Pool.Experts) == 0 {
		return nil, fmt.Errorf("%w: the record references its profile versions (%d references, manifest %q); resolve them first (ResolveProfiles)", ErrReplayInput, len(rec.Profiles), rec.ProfileManifest)
	}
	if p == nil {
		p = DefaultPolicy()
	}
	rep := &ReplayReport{RequestID: rec.Request.ID}
	prepared, err := selection.Prepare(rec.Request, p.Selection)
	var got *selection.Result
	if err == nil {
		got, err = prepared.Draw(rec.Pool, rec.Entropy)
	}
	if err != nil {
		rep.add("draw", "drawn", strings.Join(strings.Fields(err.Error()), " "), "按记录的申请、专家快照和随机数重放抽取失败，记录可能被改动或规则不同")
		rep.Match = false
		return rep, nil
	}
	rep.Replayed = got
	rep.compareResult(rec.Result, got)
	rep.Match = len(rep.Differences) == 0
	return rep, nil
}

// EventReader reads events of an audit log; *audit.Log implements it.
type EventReader interface {
	Events(ctx context.Context, start, n int64) ([]audit.Event, error)
}

var _ EventReader = (*audit.Log)(nil)

// ReplayDrawAudited is ReplayDraw followed by CheckDrawEvent on the event at rec.AuditIndex
// of log: the record must agree with what the audit log recorded when the draw was made, so
// that a record whose entropy, pool or result were altered together (and so replays
// consistently) is still caught. Verify the log against a signed checkpoint first
// (audit.Verify): the comparison trusts the event it reads.
func ReplayDrawAudited(ctx context.Context, rec *DrawRecord, p *Policy, log EventReader) (*ReplayReport, error) {
	rep, err := ReplayDraw(rec, p)
	if err != nil {
		return nil, err
	}
	evs, err := log.Events(ctx, rec.AuditIndex, 1)
	if err != nil {
		return nil, fmt.Errorf("expertdb: replay draw %s: read audit event %d: %w", rec.Request.ID, rec.AuditIndex, err)
	}
	if len(evs) != 1 {
		return nil, fmt.Errorf("expertdb: replay draw %s: audit event %d: got %d events", rec.Request.ID, rec.AuditIndex, len(evs))
	}
	rep.Differences = append(rep.Differences, CheckDrawEvent(rec, evs[0])...)
	rep.AuditChecked = true
	rep.Match = len(rep.Differences) == 0 && rep.Replayed != nil
	return rep, nil
}

// CheckDrawEvent compares a draw record with the audit event the Service appended when it
// made the draw (Service.Draw: action "draw", subjects the request ID then the panel, data
// with the unit, size, entropy key string, mode, request and pool digests, key, number of
// candidates and the reserve), and returns every difference (Field "audit.<member>"). The
// actor and the time of the event must be the record's DrawnBy and DrawnAt.
func CheckDrawEvent(rec *DrawRecord, e audit.Event) []Difference {
	var out []Difference
	add := func(field, recorded, logged, msg string) {
		out = append(out, Difference{Field: "audit." + field, Recorded: recorded, Replayed: logged, Message: msg})
	}
	if e.Action != audit.ActionDraw {
		add("action", string(audit.ActionDraw), string(e.Action), fmt.Sprintf("审计日志第 %d 条不是抽取事件", rec.AuditIndex))
		return out
	}
	var data map[string]any
	if err := json.Unmarshal(e.Data, &data); err != nil || data == nil {
		add("data", "JSON object", "unreadable", "审计事件数据无法读取")
		return out
	}
	r := rec.Result
	if want := append([]string{rec.Request.ID}, pickIDs(r.Panel)...); !slices.Equal(want, e.Subjects) {
		add("subjects", strings.Join(want, " "), strings.Join(e.Subjects, " "), "审计事件记录的申请编号或入选专家与记录不一致")
	}
	if !e.At.Equal(rec.DrawnAt) {
		add("at", rec.DrawnAt.UTC().Format("2006-01-02T15:04:05Z07:00"), e.At.UTC().Format("2006-01-02T15:04:05Z07:00"), "抽取时间与审计日志不一致")
	}
	if e.Actor != rec.DrawnBy {
		add("actor", rec.DrawnBy.ID, e.Actor.ID, "抽取操作人与审计日志不一致")
	}
	str := func(k string) string {
		switch v := data[k].(type) {
		case string:
			return v
		case nil:
			return ""
		default:
			b, _ := json.Marshal(v)
			return string(b)
		}
	}
	checks := []struct{ member, recorded, msg string }{
		{"outcome", "drawn", "审计日志未记录本次抽取成功"},
		{"unit", rec.Unit, "使用单位与审计日志不一致"},
		{"size", strconv.Itoa(rec.Request.Size), "抽取人数与审计日志不一致"},
		{"entropy", rec.Entropy.Key(), "随机数（熵源）与审计日志公布的不一致"},
		{"mode", r.Mode.String(), "抽取算法模式与审计日志不一致"},
		{"request_digest", r.RequestDigest, "申请摘要与审计日志不一致：抽取条件被改动"},
		{"pool_digest", r.PoolDigest, "候选专家池摘要与审计日志不一致"},
		{"key", r.Key, "抽取密钥与审计日志不一致"},
		{"candidates", strconv.Itoa(r.Candidates), "候选人数与审计日志不一致"},
	}
	for _, c := range checks {
		if got := str(c.member); got != c.recorded {
			add(c.member, c.recorded, got, c.msg)
		}
	}
	var reserve []string
	if raw, ok := data["reserve"].([]any); ok {
		for _, x := range raw {
			s, _ := x.(string)
			reserve = append(reserve, s)
		}
	}
	if want := pickIDs(r.Reserve); !slices.Equal(want, reserve) {
		add("reserve", strings.Join(want, " "), strings.Join(reserve, " "), "递补顺序与审计日志不一致")
	}
	return out
}

func (r *ReplayReport) add(field, recorded, replayed, msg string) {
	r.Differences = append(r.Differences, Difference{Field: field, Recorded: recorded, Replayed: replayed, Message: msg})
}

// compareResult lists the differences between the recorded and the replayed result.
func (r *ReplayReport) compareResult(want, got *selection.Result) {
	if want.Mode != got.Mode {
		r.add("mode", want.Mode.String(), got.Mode.String(), "抽取算法模式不一致")
	}
	if want.RequestID != got.RequestID {
		r.add("request_id", want.RequestID, got.RequestID, "结果中的申请编号与申请不一致")
	}
	if want.RequestDigest != got.RequestDigest {
		r.add("request_digest", want.RequestDigest, got.RequestDigest, "申请摘要不一致：抽取条件、结构、回避要求或年度上限、择优比例不同")
	}
	if want.PoolDigest != got.PoolDigest {
		r.add("pool_digest", want.PoolDigest, got.PoolDigest, "候选专家池摘要不一致：专家快照被改动或筛选规则不同")
	}
	if want.Key != got.Key {
		r.add("key", want.Key, got.Key, "抽取密钥不一致：随机数、申请或专家池不同")
	}
	if want.Candidates != got.Candidates {
		r.add("candidates", strconv.Itoa(want.Candidates), strconv.Itoa(got.Candidates), "候选人数不一致")
	}
	r.comparePicks("panel", want.Panel, got.Panel, "入选专家不一致")
	r.comparePicks("reserve", want.Reserve, got.Reserve, "递补顺序不一致")
	recorded := make(map[string]selection.Exclusion, len(want.Excluded))
	for _, x := range want.Excluded {
		recorded[x.ExpertID] = x
	}
	for _, x := range got.Excluded {
		if w, ok := recorded[x.ExpertID]; !ok || w.Code != x.Code {
			r.add("excluded", w.ExpertID+" "+w.Code, x.ExpertID+" "+x.Code, "排除记录不一致")
		}
	}
}

func (r *ReplayReport) comparePicks(field string, want, got []selection.Pick, msg string) {
	if len(want) != len(got) {
		r.add(field, replayPicksText(want), replayPicksText(got), fmt.Sprintf("%s：记录 %d 人，重放 %d 人", msg, len(want), len(got)))
		return
	}
	for i := range want {
		if want[i] != got[i] {
			r.add(fmt.Sprintf("%s[%d]", field, i), replayPickText(want[i]), replayPickText(got[i]), msg)
		}
	}
}

func replayPickText(p selection.Pick) string {
	s := p.ExpertID + "@" + strconv.Itoa(p.Round)
	if p.Preferential {
		s += "(preferential)"
	}
	if p.Invited {
		s += "(invited)"
	}
	return s
}

func replayPicksText(ps []selection.Pick) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = replayPickText(p)
	}
	return strings.Join(out, " ")
}
