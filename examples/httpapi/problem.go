package main

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/problem"
)

// problemType is the base of the "type" URI of every problem this service answers; the code
// follows it ("…/problems/masked-filter").
const problemType = "https://expertdb.wzsti.example/problems/"

// Problem is an RFC 9457 problem details object (application/problem+json): type, title,
// status, detail (the library's Chinese message an operator can act on) and instance, with the
// library's problem.Detail as extension members: code, article, field, line, column and
// details.
type Problem struct {
	Type     string
	Title    string
	Status   int
	Instance string
	problem.Detail
}

// MarshalJSON writes the RFC 9457 members and the extension members side by side.
func (p Problem) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Type     string           `json:"type"`
		Title    string           `json:"title"`
		Status   int              `json:"status"`
		Detail   string           `json:"detail"`
		Instance string           `json:"instance,omitempty"`
		Code     string           `json:"code"`
		Article  string           `json:"article,omitempty"`
		Field    string           `json:"field,omitempty"`
		Line     int              `json:"line,omitempty"`
		Column   int              `json:"column,omitempty"`
		Details  []problem.Detail `json:"details,omitempty"`
	}{p.Type, p.Title, p.Status, p.Message, p.Instance, p.Code, p.Article, p.Field, p.Line, p.Column, p.Details})
}

// badRequest is an HTTP-level refusal: a body that is not JSON, an unknown field, a bad
// query parameter. It is a problem.Problem like every library error.
// kind is the sentinel it matches (errBadRequest when nil).
type badRequest struct {
	d    problem.Detail
	kind error
}

func (e *badRequest) Error() string {
	return "httpapi: " + e.d.Code + ": " + e.d.Field + ": " + e.d.Message
}
func (e *badRequest) Problem() problem.Detail { return e.d }
func (e *badRequest) Is(target error) bool {
	if e.kind != nil {
		return target == e.kind
	}
	return target == errBadRequest
}

var errBadRequest = errors.New("httpapi: bad request")

// statuses maps the library's sentinels to HTTP statuses, checked in order with errors.Is.
var statuses = []struct {
	err    error
	status int
}{
	{errUnauthenticated, http.StatusUnauthorized},
	{errBadRequest, http.StatusBadRequest},
	{expertdb.ErrInvalidQuery, http.StatusBadRequest},
	{audit.ErrDenied, http.StatusForbidden},
	{expertdb.ErrSealedPanel, http.StatusForbidden},
	{expertdb.ErrNotFound, http.StatusNotFound},
	{expertdb.ErrConflict, http.StatusConflict},
	{expertdb.ErrRequestState, http.StatusConflict},
	{expertdb.ErrActivityTaken, http.StatusConflict},
	{expertdb.ErrAlreadyDrawn, http.StatusConflict},
	{expertdb.ErrCampaignStarted, http.StatusConflict},
	{expertdb.ErrReplyLocked, http.StatusLocked},
}

// problemOf is the one mapping from an error to its problem details: the problem.Problem in
// the chain (errors.As, never a type switch) gives code, article, message, field and
// position; the sentinels give the status; a Service refusal at its validate step is 422; an
// error carrying no problem is 500 with nothing of its text (it may hold anything).
func problemOf(err error, instance string) Problem {
	d, ok := problem.Of(err)
	if !ok {
		d = problem.Detail{Code: "internal", Message: "系统内部错误，请联系运维人员"}
	}
	status := http.StatusInternalServerError
	for _, s := range statuses {
		if errors.Is(err, s.err) {
			status = s.status
			break
		}
	}
	var op *expertdb.OpError
	if status == http.StatusInternalServerError && errors.As(err, &op) && op.Step == expertdb.StepValidate {
		status = http.StatusUnprocessableEntity
	}
	if status == http.StatusInternalServerError {
		d = problem.Detail{Code: "internal", Message: d.Message}
	}
	return Problem{Type: problemType + d.Code, Title: http.StatusText(status), Status: status, Instance: instance, Detail: d}
}

// writeProblem answers err as application/problem+json.
func writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := problemOf(err, r.URL.Path)
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
