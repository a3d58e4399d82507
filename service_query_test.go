package expertdb_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/internal/querygen"
	"github.com/wzsti/expertdb/problem"
)

// The attack: a county user, who sees profiles only de-identified, searches by ID-number
// prefix or by name to learn who is in the database (an oracle on what the view masks). The
// search is refused before the store is read, the same whether the person is in the database
// or not, and the refusal is recorded.
func TestAttackQueryMaskedFilterOracle(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.admitN(t, 12)
	present := applicant(3).Expert
	absent := applicant(300).Expert

	for _, filter := range []expertdb.ExpertFilter{
		{IDNumber: present.IDNumber}, {IDNumber: absent.IDNumber},
		{IDNumber: present.IDNumber[:6]}, // a prefix
		{Text: present.Name}, {Text: absent.Name}, {Text: present.Name[:3]},
		{Text: present.Name, Status: admission.Active},
	} {
		_, err := f.svc.ListExperts(ctx, county, expertdb.ExpertQuery{Filter: filter})
		require.ErrorIs(t, err, audit.ErrDenied, "%+v", filter)
		d, ok := problem.Of(err)
		require.True(t, ok)
		assert.Equal(t, "masked-filter", d.Code)
		assert.Equal(t, "Art. 19, 20", d.Article)
		for _, secret := range []string{present.IDNumber, present.Name, absent.Name} {
			assert.NotContains(t, err.Error(), secret)
		}
		_, err2 := f.svc.CountExperts(ctx, county, filter)
		require.ErrorIs(t, err2, audit.ErrDenied)
		assert.Equal(t, err.Error(), strings.Replace(err2.Error(), "count experts", "list experts", 1), "the same answer for a count")
	}
	// Every refusal is in the log, and no query event leaked the searched values.
	res, err := f.svc.Log().Query(ctx, audit.Query{Actor: county.ID, Action: audit.ActionAccessDenied})
	require.NoError(t, err)
	assert.Len(t, res.Matches, 14)
	all, err := f.svc.Log().Query(ctx, audit.Query{})
	require.NoError(t, err)
	for _, m := range all.Matches {
		assert.NotContains(t, string(m.Record), present.IDNumber[:14])
	}

	// A maintainer neither; a division clerk may.
	_, err = f.svc.ListExperts(ctx, maintainer, expertdb.ExpertQuery{Filter: expertdb.ExpertFilter{Text: "王"}})
	require.ErrorIs(t, err, audit.ErrDenied)
	page, err := f.svc.ListExperts(ctx, clerk, expertdb.ExpertQuery{Filter: expertdb.ExpertFilter{IDNumber: present.IDNumber}})
	require.NoError(t, err)
	require.Len(t, page.Experts, 1)
	assert.Equal(t, present.ID, page.Experts[0].ID)
	assert.Equal(t, present.IDNumber, page.Experts[0].IDNumber)
	assert.False(t, page.Masked)
	// The clerk's search by ID number is recorded without the number.
	last, err := f.svc.Log().Query(ctx, audit.Query{Actor: clerk.ID, Action: audit.ActionView})
	require.NoError(t, err)
	rec := last.Matches[len(last.Matches)-1]
	assert.NotContains(t, string(rec.Record), present.IDNumber)
	assert.Contains(t, string(rec.Event.Data), `"id_number":true`)
	// A text search is recorded masked like a name.
	_, err = f.svc.ListExperts(ctx, clerk, expertdb.ExpertQuery{Filter: expertdb.ExpertFilter{Text: present.Name}})
	require.NoError(t, err)
	last, err = f.svc.Log().Query(ctx, audit.Query{Actor: clerk.ID, Action: audit.ActionView})
	require.NoError(t, err)
	rec = last.Matches[len(last.Matches)-1]
	assert.NotContains(t, string(rec.Event.Data), present.Name)
	assert.Contains(t, string(rec.Event.Data), audit.MaskName(present.Name))
}

// Results are masked per role exactly as ViewExpert shows them.
func TestListExpertsViewsByRole(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.admitN(t, 30)
	for _, actor := range []audit.Actor{admin, clerk, county, inspector, maintainer} {
		page, err := f.svc.ListExperts(ctx, actor, expertdb.ExpertQuery{Limit: 7})
		require.NoError(t, err, actor.Role)
		require.Len(t, page.Experts, 7)
		for _, e := range page.Experts {
			one, err := f.svc.ViewExpert(ctx, actor, e.ID)
			require.NoError(t, err)
			assert.Equal(t, one, e, "%s sees %s as ViewExpert shows it", actor.Role, e.ID)
		}
		if actor.Role == audit.RoleCounty || actor.Role == audit.RoleMaintainer {
			assert.True(t, page.Masked)
			assert.NotEqual(t, applicant(0).Expert.IDNumber, page.Experts[0].IDNumber)
			assert.Equal(t, audit.MaskName(applicant(0).Expert.Name), page.Experts[0].Name)
		}
	}
	// An expert may not list the database.
	self := audit.Actor{ID: "E0001", Name: applicant(1).Expert.Name, Role: audit.RoleExpert}
	_, err := f.svc.ListExperts(ctx, self, expertdb.ExpertQuery{})
	require.ErrorIs(t, err, audit.ErrDenied)
}

// Paging walks every match exactly once, in ID order; the count agrees; the filters select.
func TestListExpertsPagingAndFilters(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.admitN(t, 45)
	var seen []string
	q := expertdb.ExpertQuery{Filter: expertdb.ExpertFilter{Category: admission.Economic}, Limit: 4}
	pages := 0
	for {
		page, err := f.svc.ListExperts(ctx, county, q)
		require.NoError(t, err)
		pages++
		for _, e := range page.Experts {
			require.Contains(t, e.Categories, admission.Economic)
			seen = append(seen, e.ID)
		}
		if page.Next == "" {
			break
		}
		q.After = page.Next
	}
	var want []string
	for i := range 45 {
		if i%4 == 0 {
			want = append(want, fmt.Sprintf("E%04d", i))
		}
	}
	assert.Equal(t, want, seen)
	assert.Equal(t, 3, pages)
	n, err := f.svc.CountExperts(ctx, county, expertdb.ExpertFilter{Category: admission.Economic})
	require.NoError(t, err)
	assert.Equal(t, len(want), n)

	for _, tc := range []struct {
		name string
		f    expertdb.ExpertFilter
		want func(e admission.Expert) bool
	}{
		{"unit", expertdb.ExpertFilter{Unit: "温州大学"}, func(e admission.Expert) bool { return e.Affiliation.Org == "温州大学" }},
		{"title", expertdb.ExpertFilter{MinTitle: admission.Senior}, func(e admission.Expert) bool { return e.Title == admission.Senior }},
		{"region city", expertdb.ExpertFilter{Region: "3303"}, func(admission.Expert) bool { return true }},
		{"region other", expertdb.ExpertFilter{Region: "3304"}, func(admission.Expert) bool { return false }},
		{"status", expertdb.ExpertFilter{Status: admission.Pending}, func(admission.Expert) bool { return false }},
		{"admitted since", expertdb.ExpertFilter{AdmittedSince: f.clock.t}, func(admission.Expert) bool { return true }},
		{"admitted later", expertdb.ExpertFilter{AdmittedSince: f.clock.t.Add(1e9)}, func(admission.Expert) bool { return false }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, err := f.svc.ListExperts(ctx, clerk, expertdb.ExpertQuery{Filter: tc.f, Limit: 200})
			require.NoError(t, err)
			n := 0
			for i := range 45 {
				if tc.want(applicant(i).Expert) {
					n++
				}
			}
			assert.Len(t, page.Experts, n)
		})
	}

	// Invalid filters and pages are refused with the field named.
	for _, bad := range []expertdb.ExpertQuery{
		{Filter: expertdb.ExpertFilter{Region: "33a"}}, {Filter: expertdb.ExpertFilter{Status: "gone"}},
		{Limit: -1}, {Filter: expertdb.ExpertFilter{IDNumber: "330302"}}, {Filter: expertdb.ExpertFilter{Text: "a\x00b"}},
	} {
		_, err := f.svc.ListExperts(ctx, clerk, bad)
		require.ErrorIs(t, err, expertdb.ErrInvalidQuery, "%+v", bad)
		var qe *expertdb.QueryError
		require.True(t, errors.As(err, &qe))
		d, _ := problem.Of(err)
		assert.Equal(t, "invalid-query", d.Code)
		assert.Equal(t, "Art. 17", d.Article)
		assert.NotEmpty(t, d.Field)
	}
	// The page size is bounded.
	page, err := f.svc.ListExperts(ctx, clerk, expertdb.ExpertQuery{Limit: 100000})
	require.NoError(t, err)
	assert.Len(t, page.Experts, 45)
}

// Browsing is a view, not an export: 30 pages of 200 distinct experts do not raise the
// bulk-export or profile-views alerts, but paging past 60 pages an hour raises query-pages.
func TestListExpertsAlerts(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.admitN(t, 60)
	alerts := func() map[string]int {
		res, err := f.svc.Log().Query(ctx, audit.Query{Action: audit.ActionAlert})
		require.NoError(t, err)
		out := map[string]int{}
		for _, m := range res.Matches {
			var a audit.Alert
			require.NoError(t, json.Unmarshal(m.Event.Data, &a))
			out[a.Rule]++
		}
		return out
	}
	for i := range 60 {
		q := expertdb.ExpertQuery{Limit: 1, After: fmt.Sprintf("E%04d", i-1)}
		if i == 0 {
			q.After = ""
		}
		_, err := f.svc.ListExperts(ctx, clerk, q)
		require.NoError(t, err)
	}
	got := alerts()
	assert.Zero(t, got["bulk-export"])
	assert.Zero(t, got["profile-views"])
	assert.Zero(t, got["query-pages"], "60 pages in an hour is the threshold, not above")
	_, err := f.svc.CountExperts(ctx, clerk, expertdb.ExpertFilter{})
	require.NoError(t, err)
	assert.Equal(t, 1, alerts()["query-pages"])
	// Each page names the experts shown: who saw whom stays traceable.
	res, err := f.svc.Log().Query(ctx, audit.Query{Subject: "E0042", Action: audit.ActionView})
	require.NoError(t, err)
	require.Len(t, res.Matches, 1)
	assert.Equal(t, clerk.ID, res.Matches[0].Event.Actor.ID)
}

// Requests by status and unit: a county user sees its own unit's only.
func TestListRequests(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.admitN(t, 20)
	submit := func(actor audit.Actor, id, project string) {
		req := storyRequest()
		req.ID, req.Unit, req.Project.ID, req.Entropy = id, actor.Unit, project, nil
		_, err := f.svc.Submit(ctx, actor, req)
		require.NoError(t, err)
	}
	submit(clerk, "R-A", "P-A")
	submit(clerk, "R-B", "P-B")
	submit(county, "R-C", "P-C")
	submit(clerk, "R-D", "P-D")
	_, err := f.svc.Approve(ctx, leader, "R-B", expertdb.ApproveRequest)
	require.NoError(t, err)

	ids := func(p *expertdb.RequestPage) []string {
		var out []string
		for _, r := range p.Requests {
			out = append(out, r.ID)
		}
		return out
	}
	page, err := f.svc.ListRequests(ctx, admin, expertdb.RequestQuery{})
	require.NoError(t, err)
	assert.Equal(t, []string{"R-A", "R-B", "R-C", "R-D"}, ids(page))
	page, err = f.svc.ListRequests(ctx, admin, expertdb.RequestQuery{Status: expertdb.RequestApproved})
	require.NoError(t, err)
	assert.Equal(t, []string{"R-B"}, ids(page))
	page, err = f.svc.ListRequests(ctx, clerk, expertdb.RequestQuery{Status: expertdb.RequestSubmitted, Limit: 1})
	require.NoError(t, err)
	assert.Equal(t, []string{"R-A"}, ids(page))
	assert.Equal(t, "R-A", page.Next)
	page, err = f.svc.ListRequests(ctx, clerk, expertdb.RequestQuery{Status: expertdb.RequestSubmitted, Limit: 1, After: page.Next})
	require.NoError(t, err)
	assert.Equal(t, []string{"R-D"}, ids(page))
	assert.Empty(t, page.Next)
	page, err = f.svc.ListRequests(ctx, county, expertdb.RequestQuery{})
	require.NoError(t, err)
	assert.Equal(t, []string{"R-C"}, ids(page))
	_, err = f.svc.ListRequests(ctx, county, expertdb.RequestQuery{Unit: clerk.Unit})
	require.ErrorIs(t, err, audit.ErrDenied)
	_, err = f.svc.ListRequests(ctx, clerk, expertdb.RequestQuery{Status: "lost"})
	require.ErrorIs(t, err, expertdb.ErrInvalidQuery)
}

// Property: the in-memory store's QueryExperts, the Service's fallback scan (a store without
// ExpertQuerier) and a plain filter of every expert agree on every page.
func TestQueryFallbackAgrees(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ctx := context.Background()
		mem := expertdb.NewMemoryExpertStore()
		all := querygen.Experts(t, mem)
		q := querygen.Query(t)
		got, err := mem.QueryExperts(ctx, q)
		require.NoError(t, err)
		want := expertdb.PageOf(all, q)
		require.Equal(t, ids(want), ids(got))
		n, err := mem.CountExperts(ctx, q.Filter)
		require.NoError(t, err)
		require.Equal(t, len(expertdb.PageOf(all, expertdb.ExpertQuery{Filter: q.Filter})), n)
	})
}

func ids(es []admission.Expert) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

// FuzzListExpertsFilter: whatever filter a county user sends (untrusted input), ListExperts
// never panics, refuses a personal filter as masked-filter, an invalid one as invalid-query,
// and never returns an unmasked ID number or mobile.
func FuzzListExpertsFilter(f *testing.F) {
	f.Add("", "", "", "3303", "", "active", "economic", 5, "")
	f.Add("王", "", "", "", "", "", "", 0, "E0003")
	f.Add("", "330302197001010011", "机械", "33x", "温州大学", "gone", "x", -1, "")
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, cst)
	svc, err := expertdb.NewService(context.Background(), expertdb.Options{Users: users(), Clock: func() time.Time { return now }})
	require.NoError(f, err)
	for i := range 8 {
		_, err := svc.Admit(context.Background(), admin, applicant(i))
		require.NoError(f, err)
	}
	f.Fuzz(func(t *testing.T, text, idn, field, region, unit, status, category string, limit int, after string) {
		q := expertdb.ExpertQuery{Filter: expertdb.ExpertFilter{Text: text, IDNumber: idn, Field: field, Region: region, Unit: unit,
			Status: admission.Status(status), Category: admission.Category(category)}, Limit: limit, After: after}
		page, err := svc.ListExperts(context.Background(), county, q)
		if q.Filter.Personal() {
			require.ErrorIs(t, err, audit.ErrDenied)
			d, _ := problem.Of(err)
			require.Equal(t, "masked-filter", d.Code)
			return
		}
		if err != nil {
			require.ErrorIs(t, err, expertdb.ErrInvalidQuery)
			return
		}
		require.LessOrEqual(t, len(page.Experts), expertdb.MaxPageSize)
		for _, e := range page.Experts {
			require.True(t, q.Filter.Match(e), "a shown expert matches the filter (Redact keeps every non-personal field)")
			require.Equal(t, audit.MaskIDNumber(e.IDNumber), e.IDNumber)
			require.Equal(t, audit.MaskMobile(e.Mobile), e.Mobile)
			require.Greater(t, e.ID, after)
		}
	})
}
