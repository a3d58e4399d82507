package main

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/problem"
	"github.com/wzsti/expertdb/verify"
)

// maxBody bounds every request body.
const maxBody = 1 << 20

// server serves the Service over HTTP. Every body it reads or writes is a library wire type
// (admission.Application, expertdb.DrawRequest, expertdb.ExpertPage, …): no conversion types.
type server struct {
	svc         *expertdb.Service
	auth        Authenticator
	verifierKey string // the checkpoint key's verifier, as the bureau publishes it
	mux         *http.ServeMux
}

// newServer routes the API (Go 1.22 method and wildcard patterns).
func newServer(svc *expertdb.Service, auth Authenticator, verifierKey string) *server {
	s := &server{svc: svc, auth: auth, verifierKey: verifierKey, mux: http.NewServeMux()}
	// Admission (Art. 5, 6).
	s.handle("POST /v1/applications", s.submitApplication)
	s.handle("POST /v1/applications/{id}/review", s.reviewApplication)
	// Experts: list, search, count, view (Art. 17, 19, 20).
	s.handle("GET /v1/experts", s.listExperts)
	s.handle("POST /v1/experts/search", s.searchExperts)
	s.handle("POST /v1/experts/count", s.countExperts)
	s.handle("GET /v1/experts/{id}", s.viewExpert)
	// A request's life (Art. 13, 14, 25).
	s.handle("POST /v1/requests", s.submitRequest)
	s.handle("GET /v1/requests", s.listRequests)
	s.handle("GET /v1/requests/{id}", s.viewRequest)
	s.handle("POST /v1/requests/{id}/approvals", s.approve)
	s.handle("POST /v1/requests/{id}/commit", s.commit)
	s.handle("POST /v1/requests/{id}/value", s.publishValue)
	s.handle("POST /v1/requests/{id}/draw", s.draw)
	s.handle("GET /v1/requests/{id}/record", s.record)
	s.handle("POST /v1/requests/{id}/campaign", s.startCampaign)
	s.handle("GET /v1/requests/{id}/campaign", s.campaign)
	s.handle("POST /v1/requests/{id}/deliver", s.deliver)
	s.handle("POST /v1/requests/{id}/responses", s.respond)
	s.handle("POST /v1/requests/{id}/ratings", s.rate)
	s.handle("GET /v1/requests/{id}/bundle", s.bundle)
	// Anyone may check the log (Art. 17): no authentication.
	s.mux.HandleFunc("GET /v1/checkpoint", s.checkpoint)
	s.mux.HandleFunc("GET /v1/verifier-key", s.verifierKeyText)
	s.mux.HandleFunc("POST /v1/verify", s.verifyBundle)
	s.mux.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(openapiYAML)
	})
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, &badRequest{d: problem.Detail{Code: "no-route", Message: "没有这个接口，请查看 /openapi.yaml"}, kind: expertdb.ErrNotFound})
	})
	return s
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// handler is an authenticated operation: it returns the status and the body to write as
// JSON (nil body: no content), or an error to answer as problem details.
type handler func(r *http.Request, actor audit.Actor) (int, any, error)

func (s *server) handle(pattern string, h handler) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		actor, err := s.auth.Authenticate(r)
		if err != nil {
			writeProblem(w, r, &badRequest{d: problem.Detail{Code: "unauthenticated", Article: "Art. 18", Message: "未登录或用户未注册（实名制，第十八条）"}, kind: errUnauthenticated})
			return
		}
		status, body, err := h(r, actor)
		if err != nil {
			writeProblem(w, r, err)
			return
		}
		writeJSON(w, status, body)
	})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	if body == nil {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// decode reads the JSON body into v, refusing unknown fields and trailing data; a syntax
// error names its line and column.
func decode(r *http.Request, v any) error {
	data, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return &badRequest{d: problem.Detail{Code: "body-too-large", Message: "请求内容超过1 MiB"}}
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(data, err)
	}
	if dec.More() {
		return &badRequest{d: problem.Detail{Code: "bad-json", Message: "请求内容在一个 JSON 值之后还有多余内容"}}
	}
	return nil
}

// jsonProblem explains a decoding error with its position in the body.
func jsonProblem(data []byte, err error) error {
	d := problem.Detail{Code: "bad-json", Message: "请求内容不是有效的 JSON：" + err.Error()}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	offset := int64(-1)
	switch {
	case errors.As(err, &syn):
		offset = max(syn.Offset-1, 0) // the offending byte
	case errors.As(err, &typ):
		offset, d.Field = typ.Offset, typ.Field
		d.Code, d.Message = "bad-type", "字段 "+typ.Field+" 的类型应为 "+typ.Type.String()
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		d.Field = strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		d.Code, d.Message = "unknown-field", "未知字段 "+d.Field+"（字段名为 snake_case，见 /openapi.yaml）"
	default:
		if p, ok := problem.Of(err); ok { // a wire type's own refusal (an unknown enum code…)
			d = p
		}
	}
	if offset >= 0 && offset <= int64(len(data)) {
		d.Line, d.Column = 1, 1
		for _, c := range string(data[:offset]) {
			if c == '\n' {
				d.Line, d.Column = d.Line+1, 1
			} else {
				d.Column++
			}
		}
	}
	return &badRequest{d: d}
}

// --- admission ---

func (s *server) submitApplication(r *http.Request, actor audit.Actor) (int, any, error) {
	var app admission.Application
	if err := decode(r, &app); err != nil {
		return 0, nil, err
	}
	e, err := s.svc.SubmitApplication(r.Context(), actor, app)
	return http.StatusCreated, e, err
}

func (s *server) reviewApplication(r *http.Request, actor audit.Actor) (int, any, error) {
	var rev admission.Review
	if err := decode(r, &rev); err != nil {
		return 0, nil, err
	}
	d, err := s.svc.ReviewApplication(r.Context(), actor, r.PathValue("id"), rev)
	return http.StatusOK, d, err
}

// --- experts ---

// filterFromQuery reads the non-personal filters from the URL (personal ones — text,
// id_number — only in a POST body, so that they stay out of access logs).
func filterFromQuery(v url.Values) (expertdb.ExpertQuery, error) {
	var q expertdb.ExpertQuery
	for k := range v {
		switch k {
		case "status", "category", "field", "min_title", "unit", "region", "admitted_since", "updated_since", "after", "limit":
		default:
			field := k
			if field == "" {
				field = "query" // a parameter without a name ("?=x")
			}
			return q, &badRequest{d: problem.Detail{Code: "unknown-parameter", Field: field,
				Message: "未知的查询参数 " + k + "；按姓名或身份证号码检索请用 POST /v1/experts/search"}}
		}
	}
	f := &q.Filter
	f.Status, f.Category = admission.Status(v.Get("status")), admission.Category(v.Get("category"))
	f.Field, f.Unit, f.Region, q.After = v.Get("field"), v.Get("unit"), v.Get("region"), v.Get("after")
	if t := v.Get("min_title"); t != "" {
		if err := json.Unmarshal(strconv.AppendQuote(nil, t), &f.MinTitle); err != nil {
			return q, &badRequest{d: problem.Detail{Code: "bad-parameter", Field: "min_title", Message: "职称等级应为 none、junior、intermediate、associate-senior 或 senior"}}
		}
	}
	for _, p := range []struct {
		name string
		to   *time.Time
	}{{"admitted_since", &f.AdmittedSince}, {"updated_since", &f.UpdatedSince}} {
		if t := v.Get(p.name); t != "" {
			at, err := parseTime(t)
			if err != nil {
				return q, &badRequest{d: problem.Detail{Code: "bad-parameter", Field: p.name, Message: "日期应为 2026-03-02 或 RFC 3339 时间"}}
			}
			*p.to = at
		}
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil {
			return q, &badRequest{d: problem.Detail{Code: "bad-parameter", Field: "limit", Message: "每页条数应为整数"}}
		}
		q.Limit = n
	}
	return q, nil
}

// cst is China Standard Time, the zone of dates given without one.
var cst = time.FixedZone("CST", 8*3600)

func parseTime(s string) (time.Time, error) {
	if t, err := time.ParseInLocation("2006-01-02", s, cst); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

func (s *server) listExperts(r *http.Request, actor audit.Actor) (int, any, error) {
	q, err := filterFromQuery(r.URL.Query())
	if err != nil {
		return 0, nil, err
	}
	page, err := s.svc.ListExperts(r.Context(), actor, q)
	return http.StatusOK, page, err
}

func (s *server) searchExperts(r *http.Request, actor audit.Actor) (int, any, error) {
	var q expertdb.ExpertQuery
	if err := decode(r, &q); err != nil {
		return 0, nil, err
	}
	page, err := s.svc.ListExperts(r.Context(), actor, q)
	return http.StatusOK, page, err
}

// Count is the answer of POST /v1/experts/count.
type Count struct {
	Count int `json:"count"`
}

func (s *server) countExperts(r *http.Request, actor audit.Actor) (int, any, error) {
	var f expertdb.ExpertFilter
	if err := decode(r, &f); err != nil {
		return 0, nil, err
	}
	n, err := s.svc.CountExperts(r.Context(), actor, f)
	return http.StatusOK, Count{n}, err
}

func (s *server) viewExpert(r *http.Request, actor audit.Actor) (int, any, error) {
	e, err := s.svc.ViewExpert(r.Context(), actor, r.PathValue("id"))
	return http.StatusOK, e, err
}

// --- requests ---

func (s *server) submitRequest(r *http.Request, actor audit.Actor) (int, any, error) {
	var req expertdb.DrawRequest
	if err := decode(r, &req); err != nil {
		return 0, nil, err
	}
	st, err := s.svc.Submit(r.Context(), actor, req)
	return http.StatusCreated, st, err
}

func (s *server) listRequests(r *http.Request, actor audit.Actor) (int, any, error) {
	v := r.URL.Query()
	q := expertdb.RequestQuery{Status: expertdb.RequestStatus(v.Get("status")), Unit: v.Get("unit"), After: v.Get("after")}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil {
			return 0, nil, &badRequest{d: problem.Detail{Code: "bad-parameter", Field: "limit", Message: "每页条数应为整数"}}
		}
		q.Limit = n
	}
	page, err := s.svc.ListRequests(r.Context(), actor, q)
	return http.StatusOK, page, err
}

func (s *server) viewRequest(r *http.Request, actor audit.Actor) (int, any, error) {
	st, err := s.svc.Request(r.Context(), actor, r.PathValue("id"))
	return http.StatusOK, st, err
}

// Approval is the body of POST /v1/requests/{id}/approvals: the step the actor approves or
// files ("request", "plan", "plan-filing", "invitation/<id>/<role>", …).
type Approval struct {
	Step expertdb.ApprovalStep `json:"step"`
}

func (s *server) approve(r *http.Request, actor audit.Actor) (int, any, error) {
	var a Approval
	if err := decode(r, &a); err != nil {
		return 0, nil, err
	}
	st, err := s.svc.Approve(r.Context(), actor, r.PathValue("id"), a.Step)
	return http.StatusOK, st, err
}

func (s *server) commit(r *http.Request, actor audit.Actor) (int, any, error) {
	var src expertdb.EntropySource
	if err := decode(r, &src); err != nil {
		return 0, nil, err
	}
	c, err := s.svc.Commit(r.Context(), actor, r.PathValue("id"), src)
	return http.StatusOK, c, err
}

// publishValue enters the committed source's published value; the Service requires a
// person other than the committer (the two-person rule).
func (s *server) publishValue(r *http.Request, actor audit.Actor) (int, any, error) {
	var v expertdb.PublicValue
	if err := decode(r, &v); err != nil {
		return 0, nil, err
	}
	st, err := s.svc.PublishValue(r.Context(), actor, r.PathValue("id"), v)
	return http.StatusOK, st, err
}

func (s *server) draw(r *http.Request, actor audit.Actor) (int, any, error) {
	var v expertdb.PublicValue
	if err := decode(r, &v); err != nil {
		return 0, nil, err
	}
	rec, err := s.svc.DrawCommitted(r.Context(), actor, r.PathValue("id"), v)
	return http.StatusOK, rec, err
}

func (s *server) record(r *http.Request, actor audit.Actor) (int, any, error) {
	rec, err := s.svc.DrawRecord(r.Context(), actor, r.PathValue("id"))
	return http.StatusOK, rec, err
}

func (s *server) startCampaign(r *http.Request, actor audit.Actor) (int, any, error) {
	v, err := s.svc.StartCampaign(r.Context(), actor, r.PathValue("id"))
	return http.StatusOK, v, err
}

func (s *server) campaign(r *http.Request, actor audit.Actor) (int, any, error) {
	v, err := s.svc.Campaign(r.Context(), actor, r.PathValue("id"))
	return http.StatusOK, v, err
}

func (s *server) deliver(r *http.Request, actor audit.Actor) (int, any, error) {
	v, err := s.svc.Deliver(r.Context(), actor, r.PathValue("id"))
	return http.StatusOK, v, err
}

func (s *server) respond(r *http.Request, actor audit.Actor) (int, any, error) {
	var resp expertdb.Response
	if err := decode(r, &resp); err != nil {
		return 0, nil, err
	}
	v, err := s.svc.Respond(r.Context(), actor, r.PathValue("id"), resp)
	return http.StatusOK, v, err
}

func (s *server) rate(r *http.Request, actor audit.Actor) (int, any, error) {
	var rt evaluation.Rating
	if err := decode(r, &rt); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, s.svc.Rate(r.Context(), actor, r.PathValue("id"), rt)
}

// bundle is the verification bundle of a draw (verify.Bundle): the public record, the draw
// event with its inclusion proof, a signed checkpoint and the verifier key — everything an
// inspector needs, checked by POST /v1/verify or the offline page verify/index.html.
// The export itself is audited by the Service (Service.ExportBundle); a practice draw's
// bundle fails the "formal" check.
func (s *server) bundle(r *http.Request, actor audit.Actor) (int, any, error) {
	b, err := s.svc.ExportBundle(r.Context(), actor, r.PathValue("id"), s.verifierKey)
	return http.StatusOK, b, err
}

// --- public checks ---

func (s *server) checkpoint(w http.ResponseWriter, r *http.Request) {
	cp, err := s.svc.Checkpoint(r.Context())
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(cp)
}

func (s *server) verifierKeyText(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, s.verifierKey+"\n")
}

// Verification is the answer of POST /v1/verify: every check of verify.Check and whether all
// passed.
type Verification struct {
	OK      bool            `json:"ok"`
	Failed  []string        `json:"failed"`
	Results []verify.Result `json:"results"`
}

func (s *server) verifyBundle(w http.ResponseWriter, r *http.Request) {
	var b verify.Bundle
	if err := decode(r, &b); err != nil {
		writeProblem(w, r, err)
		return
	}
	rs := verify.Check(&b)
	failed := verify.Failed(rs)
	if failed == nil {
		failed = []string{}
	}
	writeJSON(w, http.StatusOK, Verification{OK: len(failed) == 0, Failed: failed, Results: rs})
}
