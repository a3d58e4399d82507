package expertdb

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/problem"
)

// Page sizes of the Service's queries (ListExperts, ListRequests).
const (
	// DefaultPageSize is the page size of a query that gives none.
	DefaultPageSize = 50
	// MaxPageSize bounds every page: a larger Limit is cut to it.
	MaxPageSize = 200
)

// ExpertFilter selects experts. Every set field must hold (AND); the zero filter selects
// every expert. Match is the definition every store follows.
//
// Fields marked personal read data that a role without personal-data rights sees only
// de-identified (audit.Redact: names, ID numbers; Art. 19, 20): the Service refuses them
// to such a role, whatever the data holds, so that a filter is never an oracle for what the
// view masks.
type ExpertFilter struct {
	// Status is the admission status ("pending", "active", "exited").
	Status admission.Status `json:"status,omitempty"`
	// Category is one of the expert's categories (Art. 5).
	Category admission.Category `json:"category,omitempty"`
	// Field is one of the expert's professional fields, exactly.
	Field string `json:"field,omitempty"`
	// MinTitle is the lowest title level (Title >= MinTitle); TitleNone selects any.
	MinTitle admission.TitleLevel `json:"min_title,omitempty"`
	// Unit is the current unit's name (Affiliation.Org), exactly.
	Unit string `json:"unit,omitempty"`
	// Region is a GB/T 2260 division code or its prefix: "33" the province, "3303" the city
	// of Wenzhou, "330381" the county of Rui'an.
	Region string `json:"region,omitempty"`
	// Text is a substring of the name or of the current unit's name. Personal: it reads names.
	Text string `json:"text,omitempty"`
	// IDNumber is a resident ID number, matched in its canonical form (one person, one
	// record). Personal.
	IDNumber string `json:"id_number,omitempty"`
	// AdmittedSince selects experts whose latest entry (Entries, Art. 6) is dated at or
	// after it, to the second.
	AdmittedSince time.Time `json:"admitted_since,omitzero"`
	// UpdatedSince selects experts whose profile was updated (UpdatedAt) at or after it, to
	// the second.
	UpdatedSince time.Time `json:"updated_since,omitzero"`
}

// Personal reports whether f reads personal data (Text, IDNumber).
func (f ExpertFilter) Personal() bool { return f.Text != "" || f.IDNumber != "" }

// AdmittedAt is the date of e's latest entry into the database (the last of Entries), and
// false when e has none: what ExpertFilter.AdmittedSince compares.
func AdmittedAt(e admission.Expert) (time.Time, bool) {
	if len(e.Entries) == 0 {
		return time.Time{}, false
	}
	return e.Entries[len(e.Entries)-1].Date, true
}

// Match reports whether e passes every set field of f.
func (f ExpertFilter) Match(e admission.Expert) bool {
	switch {
	case f.Status != "" && e.Status != f.Status,
		f.Category != "" && !slices.Contains(e.Categories, f.Category),
		f.Field != "" && !slices.Contains(e.Fields, f.Field),
		f.MinTitle > 0 && e.Title < f.MinTitle,
		f.Unit != "" && e.Affiliation.Org != f.Unit,
		f.Region != "" && !strings.HasPrefix(e.Region, f.Region),
		f.Text != "" && !strings.Contains(e.Name, f.Text) && !strings.Contains(e.Affiliation.Org, f.Text),
		!f.UpdatedSince.IsZero() && e.UpdatedAt.Unix() < f.UpdatedSince.Unix():
		return false
	}
	if f.IDNumber != "" {
		want, ok := admission.NormalizeIDNumber(f.IDNumber)
		got, gok := admission.NormalizeIDNumber(e.IDNumber)
		if !ok || !gok || got != want {
			return false
		}
	}
	if !f.AdmittedSince.IsZero() {
		at, ok := AdmittedAt(e)
		if !ok || at.Unix() < f.AdmittedSince.Unix() {
			return false
		}
	}
	return true
}

// ExpertQuery is one page of a query: the experts matching Filter whose ID is after After
// (byte order; "" = from the start), ordered by ID, at most Limit of them.
type ExpertQuery struct {
	Filter ExpertFilter `json:"filter"`
	After  string       `json:"after,omitempty"`
	Limit  int          `json:"limit,omitempty"`
}

// ExpertPage is one page of experts as the actor may see them. Next, when not empty, is
// the After of the following page.
type ExpertPage struct {
	Experts []admission.Expert `json:"experts"`
	Next    string             `json:"next,omitempty"`
	// Masked is true when the profiles are de-identified for the actor (audit.Redact).
	Masked bool `json:"masked"`
}

// ErrInvalidQuery is the errors.Is target of every *QueryError.
var ErrInvalidQuery = errors.New("expertdb: invalid query")

// QueryError is an invalid filter or page: every bad field, each with its Chinese message
// (code "invalid-query", article Art. 17: queries are views of the database it manages).
type QueryError struct {
	Fields []problem.Detail // code "invalid-query", Field the JSON name of the filter field
}

// Error implements error.
func (e *QueryError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + "：" + f.Message
	}
	return "expertdb: invalid query: " + strings.Join(parts, "；")
}

// Is makes errors.Is(err, ErrInvalidQuery) hold.
func (e *QueryError) Is(target error) bool { return target == ErrInvalidQuery }

// Problem implements problem.Problem: the first bad field, with every one in Details.
func (e *QueryError) Problem() problem.Detail { return problem.List(e.Fields) }

func queryError(fields ...string) error {
	e := &QueryError{}
	for i := 0; i+1 < len(fields); i += 2 {
		e.Fields = append(e.Fields, problem.Detail{Code: "invalid-query", Article: "Art. 17", Field: fields[i], Message: fields[i+1]})
	}
	return e
}

func (f ExpertFilter) validate() error {
	var bad []string
	if f.Status != "" && !slices.Contains([]admission.Status{admission.Pending, admission.Active, admission.Exited}, f.Status) {
		bad = append(bad, "status", "入库状态应为 pending、active 或 exited")
	}
	if f.MinTitle < 0 || f.MinTitle > admission.Senior {
		bad = append(bad, "min_title", "职称等级无效")
	}
	if f.Region != "" && (len(f.Region) > 6 || strings.Trim(f.Region, "0123456789") != "") {
		bad = append(bad, "region", "行政区划代码应为不超过6位的数字（如 3303、330381）")
	}
	if f.IDNumber != "" {
		if _, ok := admission.NormalizeIDNumber(f.IDNumber); !ok {
			bad = append(bad, "id_number", "身份证号码无效，须为完整的18位号码")
		}
	}
	for _, s := range []struct{ name, v string }{{"text", f.Text}, {"field", f.Field}, {"unit", f.Unit}, {"category", string(f.Category)}} {
		if utf8.RuneCountInString(s.v) > 100 || !utf8.ValidString(s.v) || strings.ContainsFunc(s.v, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			bad = append(bad, s.name, "检索文字过长或含控制字符（不超过100字）")
		}
	}
	if len(bad) > 0 {
		return queryError(bad...)
	}
	return nil
}

// pageLimit is the page size of limit: DefaultPageSize for 0, at most MaxPageSize.
func pageLimit(limit int) (int, error) {
	switch {
	case limit < 0:
		return 0, queryError("limit", "每页条数不能为负数")
	case limit == 0:
		return DefaultPageSize, nil
	}
	return min(limit, MaxPageSize), nil
}

// summary is the filter as the audit event records it: what was asked, never personal data
// (the text is masked like a name, an ID number only noted).
func (f ExpertFilter) summary() map[string]any {
	m := map[string]any{}
	add := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	add("status", string(f.Status))
	add("category", string(f.Category))
	add("field", f.Field)
	add("unit", f.Unit)
	add("region", f.Region)
	add("text", audit.MaskName(f.Text))
	if f.MinTitle > 0 {
		m["min_title"] = f.MinTitle
	}
	if f.IDNumber != "" {
		m["id_number"] = true
	}
	if !f.AdmittedSince.IsZero() {
		m["admitted_since"] = f.AdmittedSince.UTC().Format(time.RFC3339)
	}
	if !f.UpdatedSince.IsZero() {
		m["updated_since"] = f.UpdatedSince.UTC().Format(time.RFC3339)
	}
	return m
}

// queryExperts asks the store, through ExpertQuerier when it has it, else by scanning List.
func (s *Service) queryExperts(ctx context.Context, q ExpertQuery) ([]admission.Expert, error) {
	if qs, ok := s.experts.(ExpertQuerier); ok {
		return qs.QueryExperts(ctx, q)
	}
	all, err := s.experts.List(ctx)
	if err != nil {
		return nil, err
	}
	return PageOf(all, q), nil
}

// PageOf is the page q selects from experts (in any order): the fallback of a store without
// ExpertQuerier, and the reference every ExpertQuerier must agree with.
func PageOf(experts []admission.Expert, q ExpertQuery) []admission.Expert {
	var out []admission.Expert
	for _, e := range experts {
		if e.ID > q.After && q.Filter.Match(e) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b admission.Expert) int { return cmp.Compare(a.ID, b.ID) })
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out
}

// checkExpertQuery authorizes a query of experts and refuses personal filters to a role
// that may not read personal data; it returns whether the actor sees profiles in full.
func (s *Service) checkExpertQuery(ctx context.Context, op string, now time.Time, actor audit.Actor, f ExpertFilter, count int) (bool, error) {
	personal := s.personalFor(actor)
	res := audit.Resource{Kind: audit.KindExpert, Personal: personal, Count: count}
	if err := s.authorize(ctx, op, now, actor, audit.ActionView, res); err != nil {
		return false, err
	}
	// Refused before the store is read and whatever it holds: the refusal says nothing
	// about the data (no oracle), and it is recorded like every denial.
	if f.Personal() && !personal {
		return false, s.deny(ctx, op, now, audit.Decision{Rule: "masked-filter", Article: "Art. 19, 20", Code: "masked-filter",
			Message: "您的角色只能查看脱敏的专家信息，不能按姓名、身份证号码等个人信息检索；请按单位、地区、类别、领域或职称检索",
			Actor:   actor, Action: audit.ActionView, Resource: res})
	}
	if err := f.validate(); err != nil {
		return false, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	return personal, nil
}

// ListExperts returns one page of the experts matching q.Filter, ordered by expert ID, as
// the actor may see them: in full for a role with personal-data rights, de-identified
// (audit.Redact) otherwise, exactly like ViewExpert (Art. 19, 20). A filter on personal
// data (Text, IDNumber) by a role that may not see it is refused (code "masked-filter")
// before anything is read. q.Limit is cut to MaxPageSize (0 = DefaultPageSize); page on
// with q.After = the returned Next.
//
// Browsing is a view, not an export (Art. 17, 20): each page is one audit event (action
// "view", data kind "expert-query" with the filter — a text search masked like a name, an
// ID number only noted — the cursor, the count and whether the profiles were in full),
// listing the IDs shown as its subjects, so who saw whom stays traceable. It neither counts
// as a bulk export nor as profile views one by one (the "bulk-export" and "profile-views"
// alerts); mass enumeration is bounded by the page size and watched by the "query-pages"
// alert (more than 60 query pages by one user within an hour, audit.DefaultAlertRules).
//
// The store answers through ExpertQuerier when it implements it, else the Service reads
// every expert (List) and filters them itself (PageOf).
func (s *Service) ListExperts(ctx context.Context, actor audit.Actor, q ExpertQuery) (*ExpertPage, error) {
	const op = "list experts"
	now := s.clock()
	limit, lerr := pageLimit(q.Limit)
	personal, err := s.checkExpertQuery(ctx, op, now, actor, q.Filter, limit)
	if err != nil {
		return nil, err
	}
	if lerr != nil {
		return nil, &OpError{Op: op, Step: StepValidate, Err: lerr}
	}
	q.Limit = limit + 1 // one more, to know whether a next page exists
	found, err := s.queryExperts(ctx, q)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	page := &ExpertPage{Experts: make([]admission.Expert, 0, min(len(found), limit)), Masked: !personal}
	if len(found) > limit {
		found = found[:limit]
		page.Next = found[limit-1].ID
	}
	ids := make([]string, len(found))
	for i, e := range found {
		ids[i] = e.ID
		if personal {
			page.Experts = append(page.Experts, e)
		} else {
			page.Experts = append(page.Experts, audit.Redact(e))
		}
	}
	data := map[string]any{"kind": "expert-query", "filter": q.Filter.summary(), "count": len(found), "personal": personal}
	if q.After != "" {
		data["after"] = q.After
	}
	if _, err := s.record(ctx, now, actor, audit.ActionView, data, ids...); err != nil {
		return nil, &OpError{Op: op, Step: StepAudit, Err: err}
	}
	return page, nil
}

// CountExperts returns how many experts match f, under the same rules as ListExperts (a
// personal filter is refused to a role that may not read personal data); the count is
// recorded (action "view", data kind "expert-count", counted by the "query-pages" alert).
func (s *Service) CountExperts(ctx context.Context, actor audit.Actor, f ExpertFilter) (int, error) {
	const op = "count experts"
	now := s.clock()
	if _, err := s.checkExpertQuery(ctx, op, now, actor, f, 0); err != nil {
		return 0, err
	}
	var n int
	if qs, ok := s.experts.(ExpertQuerier); ok {
		c, err := qs.CountExperts(ctx, f)
		if err != nil {
			return 0, &OpError{Op: op, Step: StepLoad, Err: err}
		}
		n = c
	} else {
		all, err := s.experts.List(ctx)
		if err != nil {
			return 0, &OpError{Op: op, Step: StepLoad, Err: err}
		}
		n = len(PageOf(all, ExpertQuery{Filter: f}))
	}
	if _, err := s.record(ctx, now, actor, audit.ActionView, map[string]any{"kind": "expert-count", "filter": f.summary(), "count": n}); err != nil {
		return 0, &OpError{Op: op, Step: StepAudit, Err: err}
	}
	return n, nil
}

// RequestQuery is one page of draw requests: those of Status (any when "") and of Unit (the
// using unit; any the actor may view when ""), whose ID is after After, ordered by ID, at
// most Limit (0 = DefaultPageSize, cut to MaxPageSize).
type RequestQuery struct {
	Status RequestStatus `json:"status,omitempty"`
	Unit   string        `json:"unit,omitempty"`
	After  string        `json:"after,omitempty"`
	Limit  int           `json:"limit,omitempty"`
}

// RequestPage is one page of requests as the actor may see them (RequestState views, the
// frozen pool left out, invitees de-identified for a role without personal-data rights).
type RequestPage struct {
	Requests []*RequestState `json:"requests"`
	Next     string          `json:"next,omitempty"`
}

// requestIDs lists the IDs of every request ever submitted, in order, from the verified
// audit log (the request events name the request as their subject).
func (s *Service) requestIDs(ctx context.Context) ([]string, error) {
	res, err := s.log.Query(ctx, audit.Query{Action: audit.ActionRequest})
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var ids []string
	for _, m := range res.Matches {
		if len(m.Event.Subjects) > 0 && !seen[m.Event.Subjects[0]] {
			seen[m.Event.Subjects[0]] = true
			ids = append(ids, m.Event.Subjects[0])
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// ListRequests returns one page of draw requests by status and unit (Art. 13, 17): only
// those the actor may view (a county user sees its own unit's), each as Request returns it.
// Naming a unit the actor may not view is refused and recorded. The page is one audit event
// (action "view", data kind "request-query") listing the requests shown.
//
// The requests are found from the verified audit log (every submission is an event naming
// its request) and each is read from its stream, so a page costs one read per request
// examined.
func (s *Service) ListRequests(ctx context.Context, actor audit.Actor, q RequestQuery) (*RequestPage, error) {
	const op = "list requests"
	now := s.clock()
	limit, lerr := pageLimit(q.Limit)
	unit := q.Unit
	if unit == "" {
		unit = actor.Unit
	}
	if err := s.authorize(ctx, op, now, actor, audit.ActionView, audit.Resource{Kind: audit.KindRequest, Unit: unit, Count: limit}); err != nil {
		return nil, err
	}
	if lerr != nil {
		return nil, &OpError{Op: op, Step: StepValidate, Err: lerr}
	}
	if q.Status != "" && !slices.Contains([]RequestStatus{RequestSubmitted, RequestApproved, RequestCommitted, RequestDrawn, RequestVoided}, q.Status) {
		return nil, &OpError{Op: op, Step: StepValidate, Err: queryError("status", "申请状态应为 submitted、approved、committed、drawn 或 voided")}
	}
	ids, err := s.requestIDs(ctx)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	page := &RequestPage{Requests: []*RequestState{}}
	var shown []string
	for _, id := range ids {
		if id <= q.After {
			continue
		}
		st, err := s.loadRequestView(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue // a refused submission: an event, no request
		}
		if err != nil {
			return nil, err
		}
		if q.Status != "" && st.Status != q.Status || q.Unit != "" && st.Request.Unit != q.Unit {
			continue
		}
		if d, _ := s.perms.Authorize(actor, audit.ActionView, audit.Resource{Kind: audit.KindRequest, ID: id, Unit: st.Request.Unit}); !d.Allowed {
			continue
		}
		if len(shown) == limit {
			page.Next = shown[limit-1]
			break
		}
		shown = append(shown, id)
		page.Requests = append(page.Requests, s.viewState(actor, st))
	}
	data := map[string]any{"kind": "request-query", "count": len(shown)}
	if q.Status != "" {
		data["status"] = string(q.Status)
	}
	if q.Unit != "" {
		data["unit"] = q.Unit
	}
	if q.After != "" {
		data["after"] = q.After
	}
	if _, err := s.record(ctx, now, actor, audit.ActionView, data, shown...); err != nil {
		return nil, &OpError{Op: op, Step: StepAudit, Err: err}
	}
	return page, nil
}
