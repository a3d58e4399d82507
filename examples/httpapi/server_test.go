package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/examples/sqlstore"
	"github.com/wzsti/expertdb/examples/sqlstore/postgres"
	"github.com/wzsti/expertdb/examples/sqlstore/sqlite"
	"github.com/wzsti/expertdb/selection"
)

// loadSpec loads openapi.yaml and validates it as an OpenAPI 3.1 document.
func loadSpec(t testing.TB) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openapiYAML)
	require.NoError(t, err)
	require.True(t, doc.IsOpenAPI31OrLater(), "an OpenAPI 3.1 document")
	require.NoError(t, doc.Validate(context.Background()))
	return doc
}

// The OpenAPI document is valid, and every route the server serves is in it and vice versa.
func TestOpenAPIDocument(t *testing.T) {
	doc := loadSpec(t)
	src, err := os.ReadFile("server.go")
	require.NoError(t, err)
	var served []string
	for _, line := range strings.Split(string(src), "\n") {
		for _, prefix := range []string{`s.handle("`, `s.mux.HandleFunc("`} {
			if i := strings.Index(line, prefix); i >= 0 {
				pat := line[i+len(prefix):]
				pat = pat[:strings.IndexByte(pat, '"')]
				if pat != "/" && pat != "GET /openapi.yaml" {
					served = append(served, pat)
				}
			}
		}
	}
	var documented []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	assert.ElementsMatch(t, documented, served)
}

// fakeClock is the story's settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// client calls the server and checks every request and response against openapi.yaml.
type client struct {
	t      *testing.T
	base   string
	router routers.Router
}

func newClient(t *testing.T, base string) *client {
	doc := loadSpec(t)
	doc.Servers = openapi3.Servers{{URL: base}}
	router, err := legacy.NewRouter(doc)
	require.NoError(t, err)
	return &client{t: t, base: base, router: router}
}

// call sends body (JSON, or raw bytes) as user; checkRequest false skips the request's
// validation (for the tests of malformed requests), never the response's.
func (c *client) call(user, method, path string, body any, checkRequest bool) (int, []byte) {
	c.t.Helper()
	var data []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		data = b
	default:
		var err error
		data, err = json.Marshal(b)
		require.NoError(c.t, err)
	}
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(data))
	require.NoError(c.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set(devUserHeader, user)
	}
	route, params, err := c.router.FindRoute(req)
	require.NoError(c.t, err, "%s %s is in openapi.yaml", method, path)
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if checkRequest {
		require.NoError(c.t, openapi3filter.ValidateRequest(context.Background(), in), "request %s %s", method, path)
	}
	req.Body = io.NopCloser(bytes.NewReader(data))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header, Body: io.NopCloser(bytes.NewReader(out)),
		Options: &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true}})
	require.NoError(c.t, err, "response of %s %s (%d): %s", method, path, resp.StatusCode, out)
	return resp.StatusCode, out
}

// ok calls and requires the status, decoding the body into v (when not nil).
func (c *client) ok(want int, user, method, path string, body, v any) {
	c.t.Helper()
	status, out := c.call(user, method, path, body, true)
	require.Equal(c.t, want, status, "%s %s: %s", method, path, out)
	if v != nil {
		require.NoError(c.t, json.Unmarshal(out, v))
	}
}

// problem calls and requires a problem with the status and code.
func (c *client) problem(want int, code, user, method, path string, body any, checkRequest bool) Problem {
	c.t.Helper()
	status, out := c.call(user, method, path, body, checkRequest)
	require.Equal(c.t, want, status, "%s %s: %s", method, path, out)
	var p struct {
		Type, Title, Detail, Code, Article, Field string
		Status, Line, Column                      int
	}
	require.NoError(c.t, json.Unmarshal(out, &p))
	if code != "" {
		require.Equal(c.t, code, p.Code, "%s", out)
	}
	require.NotEmpty(c.t, p.Code)
	require.Equal(c.t, want, p.Status)
	require.NotEmpty(c.t, p.Detail)
	return Problem{Type: p.Type, Title: p.Title, Status: p.Status}.with(p.Code, p.Article, p.Detail, p.Field, p.Line, p.Column)
}

func (p Problem) with(code, article, msg, field string, line, col int) Problem {
	p.Code, p.Article, p.Message, p.Field, p.Line, p.Column = code, article, msg, field, line, col
	return p
}

// applicant i is an eligible technical expert (every fourth also economic).
func applicant(i int) admission.Application {
	birth := time.Date(1965+i%25, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
	first := fmt.Sprintf("330302%s%03d", birth.Format("20060102"), i)
	c, _ := admission.IDNumberCheckChar(first)
	orgs := []string{"温州大学", "温州医科大学", "正泰集团股份有限公司", "温州市人民医院", "浙江瓯江实验室", "中国科学院大学温州研究院"}
	kinds := []admission.OrgKind{admission.University, admission.University, admission.Enterprise, admission.Hospital, admission.Institute, admission.Institute}
	e := admission.Expert{
		ID: fmt.Sprintf("E%04d", i), Name: []string{"王伟", "李芳", "张敏", "刘洋", "陈静", "杨磊"}[i%6] + []string{"", "华", "明"}[i%3],
		IDNumber: first + string(c), Mobile: fmt.Sprintf("138%08d", 10000000+i), BirthDate: birth,
		Affiliation: admission.Affiliation{Org: orgs[i%len(orgs)], Kind: kinds[i%len(orgs)], Department: "第" + fmt.Sprint(i%3) + "研究室"},
		Title:       admission.AssociateSenior + admission.TitleLevel(i%2),
		Categories:  []admission.Category{admission.Technical},
		Fields:      []string{[]string{"机械工程", "材料", "医药"}[i%3]},
		Region:      "330302",
		Credentials: []admission.Credential{{Kind: admission.CredPoliticalQuality, Date: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}},
	}
	if i%4 == 0 {
		e.Categories = append(e.Categories, admission.Economic)
		e.Credentials = append(e.Credentials,
			admission.Credential{Kind: admission.CredFundManagement, Date: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)},
			admission.Credential{Kind: admission.CredFinanceSeniorTitle, Date: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)})
	}
	return admission.Application{Channel: admission.ChannelApplication, Expert: e,
		Personal: &admission.PersonalEvidence{FormStampedBy: e.Affiliation.Org, Proofs: []string{"file-" + e.ID},
			PledgeSignedAt: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)}}
}

// TestStory walks a request's whole life over HTTP on SQLite (and PostgreSQL when
// EXPERTDB_TEST_POSTGRES is set), every call checked against openapi.yaml.
func TestStory(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "story.sqlite"), sqlstore.Options{})
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		story(t, db)
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv("EXPERTDB_TEST_POSTGRES")
		if dsn == "" {
			t.Skip("EXPERTDB_TEST_POSTGRES is unset")
		}
		raw, err := sql.Open("pgx", dsn)
		require.NoError(t, err)
		t.Cleanup(func() { raw.Close() })
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		schema := "httpapi_" + hex.EncodeToString(b)
		_, err = raw.Exec(`CREATE SCHEMA ` + schema)
		require.NoError(t, err)
		t.Cleanup(func() { _, _ = raw.Exec(`DROP SCHEMA ` + schema + ` CASCADE`) })
		db, err := postgres.Open(context.Background(), dsn, sqlstore.Options{Schema: schema})
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		story(t, db)
	})
}

func story(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	cst := time.FixedZone("CST", 8*3600)
	clock := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, cst)}
	notifier := &expertdb.RecordingNotifier{}
	keys := t.TempDir()
	svc, vkey, err := newService(ctx, db, keys, expertdb.DefaultPolicy(), devUsers, notifier, clock.Now)
	require.NoError(t, err)
	ts := httptest.NewServer(newServer(svc, DevHeaderAuthenticator{Users: svc.Users}, vkey))
	defer ts.Close()
	c := newClient(t, ts.URL)

	// Admission: the city bureau submits, a second officer reviews (Art. 5, 6).
	for i := range 24 {
		var e admission.Expert
		c.ok(http.StatusCreated, "u-admin", "POST", "/v1/applications", applicant(i), &e)
		require.Equal(t, admission.Pending, e.Status)
		var d admission.AdmissionDecision
		c.ok(http.StatusOK, "u-admin2", "POST", "/v1/applications/"+e.ID+"/review", admission.Review{Approve: true}, &d)
		require.True(t, d.Admitted, "%+v", d.Findings)
	}
	// The submitter may not review their own application.
	var e admission.Expert
	c.ok(http.StatusCreated, "u-admin", "POST", "/v1/applications", applicant(40), &e)
	c.problem(http.StatusForbidden, "reviewer-is-submitter", "u-admin", "POST", "/v1/applications/E0040/review", admission.Review{Approve: true}, true)

	// Listing: a county user pages through masked profiles.
	var page expertdb.ExpertPage
	c.ok(http.StatusOK, "u-county", "GET", "/v1/experts?status=active&limit=10", nil, &page)
	require.Len(t, page.Experts, 10)
	require.True(t, page.Masked)
	require.Equal(t, "E0009", page.Next)
	assert.Equal(t, "138****0000", page.Experts[0].Mobile)
	c.ok(http.StatusOK, "u-county", "GET", "/v1/experts?status=active&limit=10&after="+page.Next, nil, &page)
	require.Equal(t, "E0010", page.Experts[0].ID)
	c.ok(http.StatusOK, "u-county", "GET", "/v1/experts?category=economic&min_title=associate-senior&region=3303&unit=%E6%B8%A9%E5%B7%9E%E5%A4%A7%E5%AD%A6", nil, &page)
	require.Len(t, page.Experts, 2) // E0000 and E0012: 温州大学 and economic
	// … but may not search by name or ID number (no oracle), and a personal filter in a URL is refused.
	p := c.problem(http.StatusForbidden, "masked-filter", "u-county", "POST", "/v1/experts/search",
		expertdb.ExpertQuery{Filter: expertdb.ExpertFilter{IDNumber: applicant(3).Expert.IDNumber}}, true)
	assert.Equal(t, "Art. 19, 20", p.Article)
	c.problem(http.StatusBadRequest, "unknown-parameter", "u-county", "GET", "/v1/experts?text=%E7%8E%8B", nil, false)
	// A division clerk may search by name and sees the profiles in full.
	c.ok(http.StatusOK, "u-clerk", "POST", "/v1/experts/search", expertdb.ExpertQuery{Filter: expertdb.ExpertFilter{Text: "李芳", Status: admission.Active}}, &page)
	require.NotEmpty(t, page.Experts)
	assert.False(t, page.Masked)
	assert.Equal(t, applicant(1).Expert.IDNumber, page.Experts[0].IDNumber)
	var count Count
	c.ok(http.StatusOK, "u-clerk", "POST", "/v1/experts/count", expertdb.ExpertFilter{Status: admission.Active}, &count)
	assert.Equal(t, 24, count.Count)
	c.problem(http.StatusBadRequest, "invalid-query", "u-clerk", "POST", "/v1/experts/count", expertdb.ExpertFilter{Region: "33x"}, false)
	c.ok(http.StatusOK, "u-county", "GET", "/v1/experts/E0001", nil, &e)
	assert.Equal(t, admission.Active, e.Status)

	// A request's life: submit, approve, commit, draw (Art. 13, 14).
	activity := time.Date(2026, 3, 20, 9, 0, 0, 0, cst)
	req := map[string]any{
		"id": "R-2026-001", "size": 3, "at": activity.Format(time.RFC3339), "unit": "高新技术处",
		"project": map[string]any{"id": "P-1", "leader": map[string]any{"id": "L1", "name": "孙立新",
			"affiliation": map[string]any{"org": "温州大学", "kind": "university", "department": "机电工程学院"}}},
		"quotas": []any{map[string]any{"name": "economic", "filter": `"economic" in expert.Categories`, "min": 1}},
	}
	var st expertdb.RequestState
	c.ok(http.StatusCreated, "u-clerk", "POST", "/v1/requests", req, &st)
	require.Equal(t, expertdb.RequestSubmitted, st.Status)
	var rp expertdb.RequestPage
	c.ok(http.StatusOK, "u-clerk", "GET", "/v1/requests?status=submitted", nil, &rp)
	require.Len(t, rp.Requests, 1)
	c.ok(http.StatusOK, "u-county", "GET", "/v1/requests", nil, &rp)
	require.Empty(t, rp.Requests, "a county sees its own unit's requests only")
	c.problem(http.StatusConflict, "", "u-clerk", "POST", "/v1/requests/R-2026-001/commit",
		expertdb.EntropySource{Kind: "lottery", Name: expertdb.SourceFucai3D, Round: "2026070", At: clock.Now().Add(time.Hour), Count: 3}, true)
	c.problem(http.StatusForbidden, "no-grant", "u-clerk", "POST", "/v1/requests/R-2026-001/approvals", Approval{Step: expertdb.ApproveRequest}, true)
	c.ok(http.StatusOK, "u-leader", "POST", "/v1/requests/R-2026-001/approvals", Approval{Step: expertdb.ApproveRequest}, &st)
	require.Equal(t, expertdb.RequestApproved, st.Status)
	src := expertdb.EntropySource{Kind: "lottery", Name: expertdb.SourceFucai3D, Round: "2026070", At: clock.Now().Add(time.Hour), Count: 3}
	var cm expertdb.Commitment
	c.ok(http.StatusOK, "u-clerk", "POST", "/v1/requests/R-2026-001/commit", src, &cm)
	require.NotEmpty(t, cm.PoolDigest)
	c.problem(http.StatusUnprocessableEntity, "", "u-clerk", "POST", "/v1/requests/R-2026-001/draw",
		expertdb.PublicValue{Source: src, Values: []uint64{3, 1, 4}}, true) // before the value exists
	clock.Set(src.At.Add(time.Minute))
	value := expertdb.PublicValue{Source: src, Values: []uint64{3, 1, 4}}
	c.problem(http.StatusForbidden, "committer-value", "u-clerk", "POST", "/v1/requests/R-2026-001/value", value, true) // the committer alone
	c.ok(http.StatusOK, "u-disc", "POST", "/v1/requests/R-2026-001/value", value, &st)
	require.NotNil(t, st.Value, "the discipline office entered the value")
	var rec expertdb.DrawRecord
	c.ok(http.StatusOK, "u-clerk", "POST", "/v1/requests/R-2026-001/draw", value, &rec)
	require.Len(t, rec.Result.Panel, 3)
	c.ok(http.StatusOK, "u-disc", "GET", "/v1/requests/R-2026-001/record", nil, &rec)

	// Notify, deliver, reply (Art. 14(2)): the first declines, the others (and the
	// replacement) accept.
	var view expertdb.CampaignView
	c.ok(http.StatusOK, "u-clerk", "POST", "/v1/requests/R-2026-001/campaign", nil, &view)
	require.Len(t, view.Panel, 3)
	c.ok(http.StatusOK, "u-clerk", "POST", "/v1/requests/R-2026-001/deliver", nil, &view)
	codeFor := func(id string) string {
		sent := notifier.Sent()
		for i := len(sent) - 1; i >= 0; i-- {
			if sent[i].ExpertID == id {
				return sent[i].Code
			}
		}
		t.Fatalf("no notice to %s", id)
		return ""
	}
	first := view.Panel[0].ExpertID
	c.problem(http.StatusUnprocessableEntity, "", "u-clerk", "POST", "/v1/requests/R-2026-001/responses",
		expertdb.Response{ExpertID: first, Code: "000000", Accept: true, Pledge: "pledge-1"}, true)
	c.ok(http.StatusOK, "u-clerk", "POST", "/v1/requests/R-2026-001/responses",
		expertdb.Response{ExpertID: first, Code: codeFor(first), Accept: false, Reason: "出差"}, &view)
	var accepted string
	for !view.Complete {
		progress := false
		for _, seat := range view.Panel {
			if seat.Status != selection.SeatPending {
				continue
			}
			c.ok(http.StatusOK, "u-clerk", "POST", "/v1/requests/R-2026-001/responses",
				expertdb.Response{ExpertID: seat.ExpertID, Code: codeFor(seat.ExpertID), Accept: true, Pledge: "pledge-" + seat.ExpertID}, &view)
			accepted, progress = seat.ExpertID, true
			break
		}
		require.True(t, progress, "a seat awaits a reply: %+v", view)
	}
	c.ok(http.StatusOK, "u-clerk", "GET", "/v1/requests/R-2026-001/campaign", nil, &view)
	require.True(t, view.Complete)

	// Rate after the activity (Art. 25).
	c.problem(http.StatusUnprocessableEntity, "", "u-clerk", "POST", "/v1/requests/R-2026-001/ratings",
		map[string]any{"expert_id": accepted, "grade": "excellent"}, true)
	clock.Set(activity.Add(24 * time.Hour))
	c.ok(http.StatusNoContent, "u-clerk", "POST", "/v1/requests/R-2026-001/ratings", map[string]any{"expert_id": accepted, "grade": "excellent",
		"aspects": map[string]any{"expertise": "excellent", "attitude": "excellent", "quality": "good"}}, nil)

	// Checkpoint, bundle and verification (Art. 17): anyone can check.
	status, cp := c.call("", "GET", "/v1/checkpoint", nil, true)
	require.Equal(t, http.StatusOK, status)
	v, err := note.NewVerifier(vkey)
	require.NoError(t, err)
	_, err = note.Open(cp, note.VerifierList(v))
	require.NoError(t, err, "the checkpoint is signed with the persisted key")
	status, key := c.call("", "GET", "/v1/verifier-key", nil, true)
	require.Equal(t, http.StatusOK, status)
	pub, err := os.ReadFile(filepath.Join(keys, "checkpoint.pub"))
	require.NoError(t, err)
	assert.Equal(t, strings.TrimSpace(string(pub)), strings.TrimSpace(string(key)))
	var bundle json.RawMessage
	c.ok(http.StatusOK, "u-clerk", "GET", "/v1/requests/R-2026-001/bundle", nil, &bundle)
	var verdict Verification
	c.ok(http.StatusOK, "", "POST", "/v1/verify", bundle, &verdict)
	require.True(t, verdict.OK, "%+v", verdict)
	tampered := bytes.Replace(bundle, []byte(`"R-2026-001"`), []byte(`"R-2026-999"`), 1)
	c.ok(http.StatusOK, "", "POST", "/v1/verify", tampered, &verdict)
	require.False(t, verdict.OK)

	// The key persists: a second Service over the same database and keys signs with it.
	svc2, vkey2, err := newService(ctx, db, keys, expertdb.DefaultPolicy(), devUsers, notifier, clock.Now)
	require.NoError(t, err)
	assert.Equal(t, vkey, vkey2)
	cp2, err := svc2.Checkpoint(ctx)
	require.NoError(t, err)
	_, err = note.Open(cp2, note.VerifierList(v))
	require.NoError(t, err)
}

// Malformed and unauthenticated requests are problem details too, with the position of a
// JSON error.
func TestProblems(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.sqlite"), sqlstore.Options{})
	require.NoError(t, err)
	defer db.Close()
	svc, vkey, err := newService(ctx, db, t.TempDir(), expertdb.DefaultPolicy(), devUsers, nil, nil)
	require.NoError(t, err)
	ts := httptest.NewServer(newServer(svc, DevHeaderAuthenticator{Users: svc.Users}, vkey))
	defer ts.Close()
	c := newClient(t, ts.URL)

	p := c.problem(http.StatusBadRequest, "bad-json", "u-clerk", "POST", "/v1/requests", []byte("{\n  \"id\": \"R-1\",\n  \"size\": ,\n}"), false)
	assert.Equal(t, 3, p.Line)
	assert.Equal(t, 11, p.Column)
	p = c.problem(http.StatusBadRequest, "unknown-field", "u-clerk", "POST", "/v1/experts/search", []byte(`{"filter": {"name": "王"}}`), false)
	assert.Equal(t, "name", p.Field)
	p = c.problem(http.StatusBadRequest, "bad-type", "u-clerk", "POST", "/v1/experts/search", []byte(`{"limit": "ten"}`), false)
	assert.Equal(t, "limit", p.Field)
	c.problem(http.StatusUnauthorized, "unauthenticated", "", "GET", "/v1/experts", nil, false)
	c.problem(http.StatusUnauthorized, "unauthenticated", "u-nobody", "GET", "/v1/experts", nil, false)
	c.problem(http.StatusNotFound, "not-found", "u-clerk", "GET", "/v1/experts/E9999", nil, true)
	c.problem(http.StatusForbidden, "no-grant", "u-ops", "POST", "/v1/requests",
		map[string]any{"id": "R-1", "size": 1, "at": "2026-03-20", "unit": "温州市科技信息研究院", "project": map[string]any{"id": "P-1"}}, true)
}

// problemOf maps every library error through problem.Problem, without a type switch: a
// refusal keeps its code, article and message; an error without a problem is 500 and says
// nothing of its text.
func TestProblemOf(t *testing.T) {
	p := problemOf(&expertdb.OpError{Op: "draw", Step: expertdb.StepLoad, Err: fmt.Errorf("disk full at /var/secret 13812345678")}, "/x")
	assert.Equal(t, http.StatusInternalServerError, p.Status)
	assert.Equal(t, "internal", p.Code)
	assert.NotContains(t, p.Message, "13812345678")
	p = problemOf(fmt.Errorf("wrapped: %w", &expertdb.OpError{Op: "submit", Step: expertdb.StepValidate, Err: expertdb.ErrActivityTaken}), "/x")
	assert.Equal(t, http.StatusConflict, p.Status)
	b, err := json.Marshal(problemOf(&expertdb.QueryError{}, "/y"))
	require.NoError(t, err)
	assert.Contains(t, string(b), `"status":400`)
}
