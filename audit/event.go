package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Actor is the real-name user behind an event (实名制, Art. 18): who they are, their role, their
// unit, and on whose authority they act (谁授权、谁负责, Art. 21). OnBehalfOf names the user
// who granted or approved the authority being used (for example the approver of a permission
// change, or the division head a clerk draws for); empty when the actor acts on their own role.
type Actor struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Role       string `json:"role"`
	Unit       string `json:"unit"`
	OnBehalfOf string `json:"on_behalf_of"`
}

// Action is what an event records. The list is closed: Append refuses any other value, so
// that a query for "every draw" or "every view" is complete.
type Action string

// The actions. Art. 17 names draw, viewing information, SMS notice, review, recusal and
// rating; the others cover the rest of the expert database's life cycle.
const (
	ActionDraw             Action = "draw"              // 专家抽（选）取, Art. 14(1), 17
	ActionView             Action = "view"              // 信息查看, Art. 17
	ActionNotify           Action = "notify"            // 短信通知, Art. 14(2), 17
	ActionRespond          Action = "respond"           // expert's reply to a notice (accept, decline), Art. 8(2), 14(2)
	ActionReview           Action = "review"            // 专家评审, Art. 17
	ActionRecusal          Action = "recusal"           // 专家回避, Art. 15, 17
	ActionRating           Action = "rating"            // 专家评价, Art. 17, 25
	ActionRequest          Action = "request"           // draw request submitted, Art. 13
	ActionApprove          Action = "approve"           // approval or filing of a request, plan or invitation, Art. 13, 14(1), 28
	ActionInvite           Action = "invite"            // invited expert from outside the database, Art. 12, 28
	ActionAdmission        Action = "admission"         // 入库, Art. 6
	ActionUpdate           Action = "update"            // profile update, Art. 8(1), 17
	ActionExit             Action = "exit"              // 出库, Art. 10, 11
	ActionIntegrity        Action = "integrity-record"  // 科研诚信档案 entry, Art. 9, 26
	ActionTraining         Action = "training"          // 专家培训, Art. 14(3)
	ActionAppeal           Action = "appeal"            // 申诉, Art. 17
	ActionExport           Action = "export"            // data provided out of the database, Art. 20, 22
	ActionPermissionChange Action = "permission-change" // 用户权限变更, Art. 18, 20, 21
	ActionAccessDenied     Action = "access-denied"     // a refused operation, Art. 18
	ActionAlert            Action = "alert"             // an alert rule fired, Art. 17, 22
)

var actionInfo = map[Action]struct{ article, label string }{
	ActionDraw:             {"Art. 14(1), 17", "专家抽取"},
	ActionView:             {"Art. 17", "信息查看"},
	ActionNotify:           {"Art. 14(2), 17", "短信通知"},
	ActionRespond:          {"Art. 14(2)", "专家答复"},
	ActionReview:           {"Art. 17", "专家评审"},
	ActionRecusal:          {"Art. 15, 17", "专家回避"},
	ActionRating:           {"Art. 17, 25", "专家评价"},
	ActionRequest:          {"Art. 13", "抽取申请"},
	ActionApprove:          {"Art. 13, 14(1), 28", "审批备案"},
	ActionInvite:           {"Art. 12, 28", "特邀专家"},
	ActionAdmission:        {"Art. 6", "专家入库"},
	ActionUpdate:           {"Art. 8(1), 17", "信息更新"},
	ActionExit:             {"Art. 10, 11", "专家出库"},
	ActionIntegrity:        {"Art. 9, 26", "诚信记录"},
	ActionTraining:         {"Art. 14(3)", "专家培训"},
	ActionAppeal:           {"Art. 17", "申诉"},
	ActionExport:           {"Art. 20, 22", "数据导出"},
	ActionPermissionChange: {"Art. 18, 20, 21", "权限变更"},
	ActionAccessDenied:     {"Art. 18", "拒绝访问"},
	ActionAlert:            {"Art. 17, 22", "异常告警"},
}

// Actions returns every action, in a fixed order.
func Actions() []Action {
	out := make([]Action, 0, len(actionInfo))
	for a := range actionInfo {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// Valid reports whether a is in the closed list.
func (a Action) Valid() bool { _, ok := actionInfo[a]; return ok }

// Article returns the articles the action implements, e.g. "Art. 17".
func (a Action) Article() string { return actionInfo[a].article }

// Label returns the Chinese name of the action, e.g. "信息查看".
func (a Action) Label() string { return actionInfo[a].label }

// Event is one operation in the audit trail (全程留痕, Art. 17). At is set by the caller (the
// library never reads the clock); Subjects are the IDs the operation concerns (experts, draw
// requests, users), in the caller's order; Data is any JSON value, stored in canonical form.
//
// Conventions the package's own helpers follow and the default alert rules rely on:
//   - a draw event lists the request ID first, then the drawn experts;
//   - Data is a JSON object; its member "kind" names the kind of resource (e.g. "expert",
//     "request", "audit"), as in Resource.Kind.
type Event struct {
	At       time.Time       `json:"at"`
	Actor    Actor           `json:"actor"`
	Action   Action          `json:"action"`
	Subjects []string        `json:"subjects"`
	Data     json.RawMessage `json:"data"`
}

// Limits on one event.
const (
	MaxRecordSize = 1 << 20 // bytes in one encoded event
	MaxSubjects   = 10_000  // subjects of one event
)

// Sentinel errors of the event encoding and the log.
var (
	// ErrInvalidEvent is wrapped by every refusal of an event that cannot be recorded.
	ErrInvalidEvent = errors.New("audit: invalid event")
	// ErrPersonalData is wrapped when an event carries what looks like an unmasked mobile or
	// ID number (Art. 20): the log is append-only, so personal data written into it could
	// never be removed. Mask it first (MaskMobile, MaskIDNumber, Redact).
	ErrPersonalData = errors.New("audit: unmasked personal data")
	// ErrBadRecord is wrapped when stored bytes are not the canonical encoding of an event.
	ErrBadRecord = errors.New("audit: record is not a canonical event")
)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidEvent, scrub(fmt.Sprintf(format, args...)))
}

// Encode returns the canonical record of e: the bytes that are stored and hashed. The same
// event always gives the same bytes (At is written in UTC with nanoseconds, Data in canonical
// JSON, see below); different events give different bytes. The record is one JSON object
// with members in this fixed order:
//
//	{"v":1,"at":"2024-05-06T01:02:03.5Z","actor":{"id":…,"name":…,"role":…,"unit":…,"on_behalf_of":…},
//	 "action":"draw","subjects":["r-1","e-7"],"data":{…}}
//
// No data (nil or JSON null) is written as null; no subjects as []. Canonical JSON means no
// white space, object members sorted by name, duplicate names refused, minimal string
// escapes, numbers as written.
//
// Encode refuses (ErrInvalidEvent) a zero At or a year outside 1–9999, an actor without ID,
// name or role (real-name use, Art. 18), an action outside the closed list, an empty subject,
// invalid UTF-8 or JSON, and records over MaxRecordSize; and (ErrPersonalData) any string
// that looks like an unmasked mobile or ID number.
func (e Event) Encode() ([]byte, error) {
	return e.appendRecord(make([]byte, 0, 256+len(e.Data)))
}

func (e Event) appendRecord(dst []byte) ([]byte, error) {
	if e.At.IsZero() {
		return nil, invalid("no time")
	}
	at := e.At.UTC()
	if y := at.Year(); y < 1 || y > 9999 {
		return nil, invalid("year %d out of range", y)
	}
	if e.Actor.ID == "" || e.Actor.Name == "" || e.Actor.Role == "" {
		return nil, invalid("actor needs an ID, a real name and a role (Art. 18)")
	}
	if !e.Action.Valid() {
		return nil, invalid("unknown action %q", truncate(string(e.Action), 40))
	}
	if len(e.Subjects) > MaxSubjects {
		return nil, invalid("%d subjects, more than %d", len(e.Subjects), MaxSubjects)
	}
	for _, f := range [...]struct{ name, v string }{{"actor ID", e.Actor.ID}, {"actor name", e.Actor.Name},
		{"actor role", e.Actor.Role}, {"actor unit", e.Actor.Unit}, {"actor on_behalf_of", e.Actor.OnBehalfOf}} {
		if err := checkText(f.name, f.v); err != nil {
			return nil, err
		}
	}
	for i, s := range e.Subjects {
		if s == "" {
			return nil, invalid("subject %d is empty", i)
		}
		if err := checkText(fmt.Sprintf("subject %d", i), s); err != nil {
			return nil, err
		}
	}
	b := append(dst, `{"v":1,"at":"`...)
	b = at.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","actor":{"id":`...)
	b = appendJSONString(b, e.Actor.ID)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, e.Actor.Name)
	b = append(b, `,"role":`...)
	b = appendJSONString(b, e.Actor.Role)
	b = append(b, `,"unit":`...)
	b = appendJSONString(b, e.Actor.Unit)
	b = append(b, `,"on_behalf_of":`...)
	b = appendJSONString(b, e.Actor.OnBehalfOf)
	b = append(b, `},"action":`...)
	b = appendJSONString(b, string(e.Action))
	b = append(b, `,"subjects":[`...)
	for i, s := range e.Subjects {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	b = append(b, `],"data":`...)
	if len(bytes.TrimSpace(e.Data)) == 0 {
		b = append(b, "null"...)
	} else {
		start := len(b)
		var err error
		b, err = canonicalJSON(b, e.Data)
		if err != nil {
			return nil, fmt.Errorf("%w: data: %w", ErrInvalidEvent, scrubErr(err))
		}
		if k, i, j := scanJSONStringsPII(b[start:]); k != piiNone {
			return nil, piiError("data", k, string(b[start:][i:j]))
		}
	}
	b = append(b, '}')
	if len(b)-len(dst) > MaxRecordSize {
		return nil, invalid("record of %d bytes, more than %d", len(b)-len(dst), MaxRecordSize)
	}
	return b, nil
}

func checkText(field, s string) error {
	if !utf8.ValidString(s) {
		return invalid("%s is not valid UTF-8", field)
	}
	if k, i, j := scanPII(s); k != piiNone {
		return piiError(field, k, s[i:j])
	}
	return nil
}

func piiError(field string, k piiKind, v string) error {
	if k == piiMobile {
		return fmt.Errorf("%w: %s contains a mobile number (%s); mask it with MaskMobile (Art. 20)",
			ErrPersonalData, field, maskPII(k, v))
	}
	return fmt.Errorf("%w: %s contains an ID number (%s); mask it with MaskIDNumber (Art. 20)",
		ErrPersonalData, field, maskPII(k, v))
}

// scanJSONStringsPII runs scanPII over the contents of every string in the canonical JSON b
// (numbers are not scanned: entropy and counts are numbers, personal numbers are strings).
func scanJSONStringsPII(b []byte) (piiKind, int, int) {
	for i := 0; i < len(b); i++ {
		if b[i] != '"' {
			continue
		}
		j := i + 1
		for j < len(b) && b[j] != '"' {
			if b[j] == '\\' {
				j++
			}
			j++
		}
		if k, x, y := scanPII(string(b[i+1 : min(j, len(b))])); k != piiNone {
			return k, i + 1 + x, i + 1 + y
		}
		i = j
	}
	return piiNone, 0, 0
}

// Decode parses a record produced by Encode. It accepts only the canonical encoding: any
// other bytes, even a JSON object with the same meaning, fail with ErrBadRecord, so that a
// stored record has exactly one reading. Decode(Encode(e)) returns e normalized: At in UTC
// without monotonic reading, nil Subjects for none, nil Data for null, Data in canonical form.
func Decode(record []byte) (Event, error) {
	e, err := decodeRecord(record, nil)
	if err != nil {
		return Event{}, fmt.Errorf("%w: %w", ErrBadRecord, err)
	}
	return e, nil
}

// decodeRecord parses and checks record. With scratch non-nil, the re-encoding reuses
// *scratch and Data aliases record (for Verify, which only checks).
func decodeRecord(record []byte, scratch *[]byte) (Event, error) {
	if len(record) > MaxRecordSize {
		return Event{}, errors.New("record too large")
	}
	p := jsonParser{src: record}
	var e Event
	expect := func(lit string) error {
		if !bytes.HasPrefix(p.src[p.i:], []byte(lit)) {
			return fmt.Errorf("expected %s at byte %d", lit, p.i)
		}
		p.i += len(lit)
		return nil
	}
	str := func(lit string) (string, error) {
		if err := expect(lit); err != nil {
			return "", err
		}
		if p.i >= len(p.src) || p.src[p.i] != '"' {
			return "", fmt.Errorf("expected string at byte %d", p.i)
		}
		return p.str()
	}
	at, err := str(`{"v":1,"at":`)
	if err != nil {
		return e, err
	}
	if e.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
		return e, errors.New("bad time")
	}
	fields := []*string{&e.Actor.ID, &e.Actor.Name, &e.Actor.Role, &e.Actor.Unit, &e.Actor.OnBehalfOf}
	for i, lit := range []string{`,"actor":{"id":`, `,"name":`, `,"role":`, `,"unit":`, `,"on_behalf_of":`} {
		if *fields[i], err = str(lit); err != nil {
			return e, err
		}
	}
	act, err := str(`},"action":`)
	if err != nil {
		return e, err
	}
	e.Action = Action(act)
	if err := expect(`,"subjects":[`); err != nil {
		return e, err
	}
	if p.i < len(p.src) && p.src[p.i] != ']' {
		for {
			if p.i >= len(p.src) || p.src[p.i] != '"' {
				return e, fmt.Errorf("expected subject at byte %d", p.i)
			}
			s, err := p.str()
			if err != nil {
				return e, err
			}
			e.Subjects = append(e.Subjects, s)
			if p.i < len(p.src) && p.src[p.i] == ',' {
				p.i++
				continue
			}
			break
		}
	}
	if err := expect(`],"data":`); err != nil {
		return e, err
	}
	if len(p.src)-p.i < 1 || p.src[len(p.src)-1] != '}' {
		return e, errors.New("record does not end with }")
	}
	data := p.src[p.i : len(p.src)-1]
	if !bytes.Equal(data, []byte("null")) {
		if scratch != nil {
			e.Data = json.RawMessage(data)
		} else {
			e.Data = json.RawMessage(bytes.Clone(data))
		}
	}
	// The record is canonical iff encoding what was read gives it back byte for byte; this
	// also re-checks every rule Encode applies (and canonical Data).
	var buf []byte
	if scratch != nil {
		buf = (*scratch)[:0]
	}
	again, err := e.appendRecord(buf)
	if scratch != nil {
		*scratch = again
	}
	if err != nil {
		return e, err
	}
	if !bytes.Equal(again, record) {
		return e, errors.New("not in canonical form")
	}
	if len(e.Subjects) == 0 {
		e.Subjects = nil
	}
	return e, nil
}

// String describes the event for logs and messages, with no personal data: the actor by ID
// and role, the action, and the number of subjects.
func (e Event) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s(%s) %s", e.At.UTC().Format(time.RFC3339), e.Actor.ID, e.Actor.Role, e.Action)
	if len(e.Subjects) > 0 {
		fmt.Fprintf(&b, " %d subject(s)", len(e.Subjects))
	}
	return scrub(b.String())
}
