package selection_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/evaluation"
	"github.com/wzsti/expertdb/rule"
	"github.com/wzsti/expertdb/selection"
)

func ids(ps []selection.Pick) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ExpertID
	}
	return out
}

func TestExclusions(t *testing.T) {
	p := pool(12, 12)
	p.Experts[1].Status = admission.Exited
	p.Experts[2].Status = admission.Pending
	p.Usage["E003"] = 10
	p.Experts[4].Fields = []string{"biology"}
	p.Experts[5].BirthDate = time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)
	req := request(3)
	req.Criteria = `"materials" in expert.Fields`
	req.Project.Leader.ID = "E006"
	res, err := selection.Draw(req, p, testEntropy, nil)
	require.NoError(t, err)
	got := map[string]selection.Exclusion{}
	for _, e := range res.Excluded {
		got[e.ExpertID] = e
	}
	tests := []struct {
		id, code, article string
	}{
		{"E001", "not-active", "Art. 10"},
		{"E002", "not-active", "Art. 6"},
		{"E003", "annual-cap", "Art. 14(1)"},
		{"E004", "criteria", "Art. 13"},
		{"E005", "not-eligible", "Art. 5(1)2"},
		{"E006", "", "Art. 15(1)"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			e, ok := got[tt.id]
			require.True(t, ok, "expected an exclusion")
			if tt.code != "" {
				assert.Equal(t, tt.code, e.Code)
			}
			assert.Equal(t, tt.article, e.Article)
			assert.NotEmpty(t, e.Reason)
			assert.NotContains(t, ids(res.Panel), tt.id)
		})
	}
	assert.Len(t, res.Excluded, len(tests))
	assert.Equal(t, 12-len(tests), res.Candidates)
	assert.True(t, slices.IsSortedFunc(res.Excluded, func(a, b selection.Exclusion) int { return cmpString(a.ExpertID, b.ExpertID) }))
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestBadExpressionNamesItsSiteAndPosition(t *testing.T) {
	tests := []struct {
		name string
		edit func(*selection.Request)
		rule string
	}{
		{"criteria", func(r *selection.Request) { r.Criteria = `expert.Title >= ` }, "criteria"},
		{"quota", func(r *selection.Request) {
			r.Quotas = []selection.Quota{{Name: "economic", Filter: `"economic" in expert.Categorys`, Min: 1}}
		}, "quota:economic"},
		{"group", func(r *selection.Request) {
			r.Groups = []selection.GroupCap{{Name: "unit", Key: `expert.Affiliation.Organisation`, Max: 1}}
		}, "group:unit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request(3)
			tt.edit(&req)
			_, err := selection.Draw(req, pool(10, 10), testEntropy, nil)
			require.ErrorIs(t, err, selection.ErrInvalidRequest)
			var ce *rule.CompileError
			require.True(t, errors.As(err, &ce))
			assert.Equal(t, tt.rule, ce.Rule)
			assert.Positive(t, ce.Line)
			assert.Positive(t, ce.Column)
			assert.Contains(t, err.Error(), tt.rule)
		})
	}
}

func TestInvalidRequests(t *testing.T) {
	tests := []struct {
		name string
		edit func(*selection.Request)
		code string
	}{
		{"no id", func(r *selection.Request) { r.ID = "" }, "request-id"},
		{"zero size", func(r *selection.Request) { r.Size = 0 }, "size"},
		{"no date", func(r *selection.Request) { r.At = time.Time{} }, "date"},
		{"max below min", func(r *selection.Request) {
			r.Quotas = []selection.Quota{{Name: "q", Filter: "true", Min: 3, Max: 2}}
		}, "quota"},
		{"group cap zero", func(r *selection.Request) {
			r.Groups = []selection.GroupCap{{Name: "g", Key: "expert.Region", Max: 0}}
		}, "group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request(3)
			tt.edit(&req)
			_, err := selection.Draw(req, pool(10, 10), testEntropy, nil)
			require.ErrorIs(t, err, selection.ErrInvalidRequest)
			var se *selection.Error
			require.True(t, errors.As(err, &se))
			assert.Equal(t, tt.code, se.Code)
			assert.NotEmpty(t, se.Article)
			assert.NotEmpty(t, se.Message)
		})
	}
	_, err := selection.Draw(request(3), pool(10, 10), selection.Entropy{}, nil)
	require.ErrorIs(t, err, selection.ErrNoEntropy)
	dup := pool(3, 3)
	dup.Experts = append(dup.Experts, dup.Experts[0])
	_, err = selection.Draw(request(2), dup, testEntropy, nil)
	require.ErrorIs(t, err, selection.ErrInvalidRequest)
}

func TestInfeasibleNamesTheConstraint(t *testing.T) {
	econ := selection.Quota{Name: "economic", Filter: `"economic" in expert.Categories`, Min: 5}
	tests := []struct {
		name        string
		size        int
		quotas      []selection.Quota
		groups      []selection.GroupCap
		constraints []string
	}{
		{"too few candidates", 11, nil, nil, []string{"size"}},
		{"quota min", 6, []selection.Quota{econ}, nil, []string{"quota:economic"}},
		{"group cap", 5, nil, []selection.GroupCap{{Name: "unit", Key: "expert.Affiliation.Org", Max: 1}}, []string{"group:unit"}},
		{"two quotas together", 4, []selection.Quota{
			{Name: "economic", Filter: `"economic" in expert.Categories`, Min: 3},
			{Name: "technical-only", Filter: `!("economic" in expert.Categories)`, Min: 2},
		}, nil, []string{"quota:economic", "quota:technical-only"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request(tt.size)
			req.Quotas, req.Groups = tt.quotas, tt.groups
			res, err := selection.Draw(req, pool(10, 4), testEntropy, nil) // 4 economic (E000, E003, E006, E009), 4 units
			require.ErrorIs(t, err, selection.ErrInfeasible)
			assert.Nil(t, res)
			var se *selection.Error
			require.True(t, errors.As(err, &se))
			assert.Equal(t, tt.constraints, se.Constraints)
			assert.Equal(t, "Art. 13", se.Article)
			assert.NotEmpty(t, se.Message)
		})
	}
}

func plan() *selection.Plan {
	return &selection.Plan{Reason: "需要资深评审专家", ApprovedBy: "分管领导 王*", FiledWith: "局机关纪委", At: planDate}
}

func excellent(id string) evaluation.Summary {
	return evaluation.Summary{ExpertID: id, Year: 2024, Total: 10, Excellent: 4, Good: 6}
}

func TestPreferentialPicks(t *testing.T) {
	base := func() (selection.Request, selection.Pool) {
		req := request(6)
		req.Preferred = []string{"E004", "E001"}
		req.Plan = plan()
		p := pool(12, 12)
		p.Last = map[string]evaluation.Summary{"E001": excellent("E001"), "E004": excellent("E004")}
		return req, p
	}
	t.Run("ok", func(t *testing.T) {
		req, p := base()
		res, err := selection.Draw(req, p, testEntropy, nil)
		require.NoError(t, err)
		require.Len(t, res.Panel, 6)
		assert.Equal(t, selection.Pick{ExpertID: "E001", Preferential: true, Round: -1}, res.Panel[0])
		assert.Equal(t, selection.Pick{ExpertID: "E004", Preferential: true, Round: -1}, res.Panel[1])
		for _, pk := range res.Panel[2:] {
			assert.False(t, pk.Preferential)
			assert.GreaterOrEqual(t, pk.Round, 0)
		}
		assert.NotContains(t, ids(res.Reserve), "E001")
	})
	tests := []struct {
		name    string
		edit    func(*selection.Request, *selection.Pool)
		expert  string
		code    string
		article string
	}{
		{"no plan", func(r *selection.Request, _ *selection.Pool) { r.Plan = nil }, "", "plan-missing", "Art. 14(1)"},
		{"plan not filed", func(r *selection.Request, _ *selection.Pool) { r.Plan.FiledWith = "" }, "", "plan-filing", "Art. 14(1)"},
		{"plan not approved", func(r *selection.Request, _ *selection.Pool) { r.Plan.ApprovedBy = " " }, "", "plan-approval", "Art. 14(1)"},
		{"plan after activity", func(r *selection.Request, _ *selection.Pool) { r.Plan.At = activity.Add(time.Hour) }, "", "plan-date", "Art. 14(1)"},
		{"more than a third", func(r *selection.Request, p *selection.Pool) {
			r.Preferred = append(r.Preferred, "E007")
			p.Last["E007"] = excellent("E007")
		}, "", "preferential-share", "Art. 14(1)"},
		{"rate exactly 30%", func(_ *selection.Request, p *selection.Pool) {
			p.Last["E004"] = evaluation.Summary{ExpertID: "E004", Year: 2024, Total: 10, Excellent: 3, Good: 7}
		}, "E004", "excellent-rate", "Art. 25"},
		{"no ratings", func(_ *selection.Request, p *selection.Pool) { delete(p.Last, "E001") }, "E001", "excellent-rate", "Art. 25"},
		// Attack (issue 16): an old year's excellent summary serves this year's pick.
		{"summary of an older year", func(_ *selection.Request, p *selection.Pool) {
			s := excellent("E001")
			s.Year -= 3
			p.Last["E001"] = s
		}, "E001", "summary-year", "Art. 25"},
		{"plan approved after the draw", func(r *selection.Request, _ *selection.Pool) {
			r.DrawnAt = r.Plan.At.Add(-time.Hour)
		}, "", "plan-date", "Art. 14(1)"},
		{"over cap", func(_ *selection.Request, p *selection.Pool) { p.Usage["E001"] = 10 }, "E001", "annual-cap", "Art. 14(1)"},
		{"conflicted", func(r *selection.Request, _ *selection.Pool) { r.Project.Leader.ID = "E004" }, "E004", "", "Art. 15(1)"},
		{"inactive", func(_ *selection.Request, p *selection.Pool) { p.Experts[1].Status = admission.Exited }, "E001", "not-active", "Art. 10"},
		{"not in pool", func(r *selection.Request, _ *selection.Pool) { r.Preferred[0] = "Z999" }, "Z999", "not-found", "Art. 14(1)"},
		{"duplicate", func(r *selection.Request, _ *selection.Pool) { r.Preferred[1] = "E004" }, "E004", "duplicate", "Art. 14(1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, p := base()
			tt.edit(&req, &p)
			_, err := selection.Draw(req, p, testEntropy, nil)
			require.ErrorIs(t, err, selection.ErrPreferential)
			var se *selection.Error
			require.True(t, errors.As(err, &se))
			assert.Equal(t, tt.expert, se.ExpertID)
			if tt.code != "" {
				assert.Equal(t, tt.code, se.Code)
			}
			assert.Equal(t, tt.article, se.Article)
			assert.NotEmpty(t, se.Message)
			if tt.expert != "" {
				assert.Contains(t, err.Error(), tt.expert)
			}
		})
	}
}

func invitation(id string) selection.Invitation {
	e := expert(id, "外省研究院")
	e.Status = ""
	d := func(day int) time.Time { return time.Date(2025, 5, day, 10, 0, 0, 0, time.UTC) }
	return selection.Invitation{
		Expert: e, Reason: "库内无量子测量领域专家",
		Approvals: []selection.Approval{
			{Role: selection.DivisionHead, By: "处室负责人 李*", At: d(2)},
			{Role: selection.MainLeader, By: "主要领导 陈*", At: d(4)},
			{Role: selection.DeputyLeader, By: "分管领导 王*", At: d(3)},
			{Role: selection.BureauMeeting, By: "局务会纪要 2025-07", At: d(6)},
		},
		FiledWith: "局机关纪委", FiledAt: d(7),
	}
}

func TestInvitations(t *testing.T) {
	t.Run("ok", func(t *testing.T) {
		req := request(4)
		req.Invited = []selection.Invitation{invitation("V01")}
		res, err := selection.Draw(req, pool(10, 10), testEntropy, nil)
		require.NoError(t, err)
		require.Len(t, res.Panel, 4)
		assert.Equal(t, selection.Pick{ExpertID: "V01", Invited: true, Round: -1}, res.Panel[0])
	})
	tests := []struct {
		name    string
		edit    func(*selection.Invitation, *selection.Request)
		code    string
		article string
	}{
		{"no reason", func(i *selection.Invitation, _ *selection.Request) { i.Reason = "" }, "invitation-reason", "Art. 28"},
		{"missing bureau meeting", func(i *selection.Invitation, _ *selection.Request) { i.Approvals = i.Approvals[:3] }, "approval-chain", "Art. 28"},
		{"leader before division head", func(i *selection.Invitation, _ *selection.Request) {
			i.Approvals[1].At = i.Approvals[0].At.Add(-time.Hour)
		}, "approval-chain", "Art. 28"},
		{"bureau meeting before leader", func(i *selection.Invitation, _ *selection.Request) {
			i.Approvals[3].At = i.Approvals[1].At.Add(-time.Hour)
		}, "approval-chain", "Art. 28"},
		{"division head not first", func(i *selection.Invitation, _ *selection.Request) {
			i.Approvals[0], i.Approvals[2] = i.Approvals[2], i.Approvals[0]
		}, "approval-chain", "Art. 28"},
		{"not filed", func(i *selection.Invitation, _ *selection.Request) { i.FiledWith = "" }, "filing", "Art. 28"},
		{"filed before meeting", func(i *selection.Invitation, _ *selection.Request) { i.FiledAt = i.Approvals[3].At.Add(-time.Hour) }, "filing", "Art. 28"},
		{"in database", func(i *selection.Invitation, _ *selection.Request) { i.Expert.ID = "E001" }, "invitee-in-database", "Art. 12"},
		{"conflicted", func(i *selection.Invitation, r *selection.Request) { r.Project.Leader.ID = i.Expert.ID }, "", "Art. 15(1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request(4)
			inv := invitation("V01")
			tt.edit(&inv, &req)
			req.Invited = []selection.Invitation{inv}
			_, err := selection.Draw(req, pool(10, 10), testEntropy, nil)
			require.ErrorIs(t, err, selection.ErrInvitation)
			var se *selection.Error
			require.True(t, errors.As(err, &se))
			if tt.code != "" {
				assert.Equal(t, tt.code, se.Code)
			}
			assert.Equal(t, tt.article, se.Article)
			assert.NotEmpty(t, se.Message)
		})
	}
}

func TestRFC3797ModeDrawFollowsSequence(t *testing.T) {
	r := selection.DefaultRules()
	r.Mode = selection.RFC3797
	p := pool(25, 25)
	res, err := selection.Draw(request(10), p, rfc3797Entropy, r)
	require.NoError(t, err)
	assert.Equal(t, rfc3797Entropy.Key(), res.Key)
	want := selection.Sequence(25, 10, res.Key, selection.RFC3797)
	for i, pk := range res.Panel {
		assert.Equal(t, p.Experts[want[i]].ID, pk.ExpertID) // pool(…) is already in ID order
		assert.Equal(t, i, pk.Round)
	}
	// The RFC's 11th selection is the first alternate.
	assert.Equal(t, "E021", res.Reserve[0].ExpertID)
}

func TestV1KeyBindsRequestAndPool(t *testing.T) {
	res, err := selection.Draw(request(3), pool(10, 10), testEntropy, nil)
	require.NoError(t, err)
	assert.Equal(t, selection.V1Key(res.RequestDigest, res.PoolDigest, testEntropy), res.Key)
	var idsList []string
	for i := range 10 {
		idsList = append(idsList, pool(10, 10).Experts[i].ID)
	}
	assert.Equal(t, selection.PoolDigest(idsList), res.PoolDigest)
	other := request(3)
	other.ID = "R-2"
	res2, err := selection.Draw(other, pool(10, 10), testEntropy, nil)
	require.NoError(t, err)
	assert.NotEqual(t, res.RequestDigest, res2.RequestDigest)
}

func TestGroupCapIgnoresEmptyKeys(t *testing.T) {
	p := pool(6, 6)
	for i := range p.Experts {
		p.Experts[i].Region = ""
	}
	req := request(6)
	req.Groups = []selection.GroupCap{{Name: "region", Key: "expert.Region", Max: 1}}
	res, err := selection.Draw(req, p, testEntropy, nil)
	require.NoError(t, err)
	assert.Len(t, res.Panel, 6)
}
