package selection_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/rule"
	"github.com/wzsti/expertdb/selection"
)

// The statements of docs/draw-v1.md §12, one test each.

func fieldsOf(t *testing.T, req selection.Request, r *selection.Rules, p selection.Pool) map[string][]string {
	t.Helper()
	prep, err := selection.Prepare(req, r)
	require.NoError(t, err)
	_, pub, err := prep.DrawPublic(p, testEntropy)
	require.NoError(t, err)
	out := map[string][]string{}
	for _, f := range pub.Request {
		out[f[0]] = append(out[f[0]], f[1])
	}
	return out
}

// §12.1: group values compare by type and value: "1" and 1 differ, 1 and 1.0 are one group,
// 0 and false differ, "" and nil are no group, a list is an expression error.
func TestSpecGroupValues(t *testing.T) {
	p := pool(4, 4)
	for i := range p.Experts {
		p.Experts[i].Region = fmt.Sprint(i)
	}
	// Size 2 with cap 1: feasible exactly when E000 and E001 are in different groups (or
	// one has none); E002 and E003 are given values no one else has.
	tests := []struct {
		key      string
		distinct bool
	}{
		{`expert.Region == "0" ? "1" : (expert.Region == "1" ? 1 : expert.Region)`, true},
		{`expert.Region == "0" ? 1 : (expert.Region == "1" ? 1.0 : expert.Region)`, false},
		{`expert.Region == "0" ? 0 : (expert.Region == "1" ? false : expert.Region)`, true},
		{`expert.Region == "0" ? 2.5 : (expert.Region == "1" ? 2.5 : expert.Region)`, false},
		{`expert.Region == "0" ? 2.5 : (expert.Region == "1" ? 2 : expert.Region)`, true},
		{`expert.Region == "0" ? "" : (expert.Region == "1" ? "" : expert.Region)`, true},
		{`expert.Region == "0" ? nil : (expert.Region == "1" ? nil : expert.Region)`, true},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			q := request(3)
			q.Groups = []selection.GroupCap{{Name: "g", Key: tt.key, Max: 1}}
			// Three seats, four experts: E002 and E003 take two, so E000 and E001 must
			// both fit unless they share a group.
			q.Size = 4
			_, err := selection.Draw(q, p, testEntropy, nil)
			if tt.distinct {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, selection.ErrInfeasible)
			}
		})
	}
	q := request(1)
	q.Groups = []selection.GroupCap{{Name: "g", Key: `expert.Fields`, Max: 1}}
	res, err := selection.Draw(q, pool(2, 2), testEntropy, nil)
	require.ErrorIs(t, err, selection.ErrInfeasible)
	assert.Nil(t, res)
}

// §12.2: times in the encoding are UTC RFC 3339 with the fraction only when non-zero; a
// plan without preferential picks is encoded too, and a zero time is an empty value.
func TestSpecTimes(t *testing.T) {
	q := request(2)
	q.At = time.Date(2025, 6, 10, 9, 0, 0, 500_000_000, time.FixedZone("CST", 8*3600))
	q.Plan = &selection.Plan{Reason: "r", ApprovedBy: "a", FiledWith: "f"}
	f := fieldsOf(t, q, nil, pool(4, 4))
	assert.Equal(t, []string{"2025-06-10T01:00:00.5Z"}, f["at"])
	assert.Equal(t, []string{""}, f["plan.at"])
	q.Plan.At = time.Date(2025, 6, 1, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))
	f = fieldsOf(t, q, nil, pool(4, 4))
	assert.Equal(t, []string{"2025-06-01T00:00:00Z"}, f["plan.at"])
}

// §12.3: an empty project ID or leader ID is written as an empty value, never left out, and
// matches no expert.
func TestSpecEmptyProject(t *testing.T) {
	q := request(2)
	q.Project.ID, q.Project.Leader.ID = "", ""
	f := fieldsOf(t, q, nil, pool(4, 4))
	assert.Equal(t, []string{""}, f["project"])
	assert.Equal(t, []string{""}, f["project.leader"])
	assert.Equal(t, []string{"0"}, f["project.avoid"])
}

// §12.5, §12.6: exclusions are in ascending ID order whatever the order of the pool, one per
// expert, with the reasons' fixed wording.
func TestSpecExclusionOrderProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := pool(rapid.IntRange(3, 20).Draw(t, "n"), 4)
		for i := range p.Experts {
			switch rapid.IntRange(0, 3).Draw(t, "kind") {
			case 0:
				p.Experts[i].Status = admission.Pending
			case 1:
				p.Usage[p.Experts[i].ID] = 10
			}
		}
		perm := rapid.Permutation(p.Experts).Draw(t, "order")
		shuffled := p
		shuffled.Experts = perm
		a, errA := selection.Draw(request(1), p, testEntropy, nil)
		b, errB := selection.Draw(request(1), shuffled, testEntropy, nil)
		if (errA == nil) != (errB == nil) {
			t.Fatalf("order changed the outcome: %v / %v", errA, errB)
		}
		if errA != nil {
			return
		}
		if !slices.IsSortedFunc(a.Excluded, func(x, y selection.Exclusion) int { return strings.Compare(x.ExpertID, y.ExpertID) }) {
			t.Fatalf("exclusions not in ID order")
		}
		if !slices.Equal(a.Excluded, b.Excluded) {
			t.Fatalf("exclusions depend on the pool order")
		}
	})
}

func TestSpecExclusionWording(t *testing.T) {
	p := pool(6, 6)
	p.Experts[1].Status = admission.Pending
	p.Usage["E002"] = 10
	p.Experts[3].Fields = []string{"biology"}
	q := request(1)
	q.Criteria = `"materials" in expert.Fields`
	r := selection.DefaultRules()
	r.Exclusions = []rule.Rule{{Name: "no-e4", Expr: `expert.Fields[0] == "materials" && usage < 0 || expert.Region != "X"`}}
	p.Experts[4].Region = "X"
	res, err := selection.Draw(q, p, testEntropy, r)
	require.NoError(t, err)
	want := []selection.Exclusion{
		{ExpertID: "E001", Article: "Art. 6", Code: "not-active", Reason: `专家状态为 "pending"，不是在库专家，不能抽取`},
		{ExpertID: "E002", Article: "Art. 14(1)", Code: "annual-cap", Reason: "本年度已参加 10 次评审（咨询）活动，达到每年 10 次的上限"},
		{ExpertID: "E003", Article: "Art. 13", Code: "criteria", Reason: "不符合本次抽取申请的专家条件"},
		{ExpertID: "E004", Article: "Art. 13", Code: "no-e4", Reason: `不符合本地使用细则的排除规则 "no-e4"`},
	}
	assert.Equal(t, want, res.Excluded)
}

// §12.7: refused inputs.
func TestSpecRefusedInputs(t *testing.T) {
	long := strings.Repeat("x", 129)
	reqs := []struct {
		name string
		edit func(*selection.Request)
		code string
	}{
		{"request id over 128 bytes", func(q *selection.Request) { q.ID = long }, "request-id"},
		{"request id with a line break", func(q *selection.Request) { q.ID = "R\n1" }, "request-id"},
		{"request id with DEL", func(q *selection.Request) { q.ID = "R\x7f" }, "request-id"},
		{"request id not UTF-8", func(q *selection.Request) { q.ID = "R\xff" }, "request-id"},
		{"duplicate quota names", func(q *selection.Request) {
			q.Quotas = []selection.Quota{{Name: "a", Filter: "true"}, {Name: "a", Filter: "true"}}
		}, "quota"},
		{"duplicate group names", func(q *selection.Request) {
			q.Groups = []selection.GroupCap{{Name: "a", Key: "expert.Region", Max: 1}, {Name: "a", Key: "expert.Region", Max: 1}}
		}, "group"},
	}
	for _, tt := range reqs {
		t.Run(tt.name, func(t *testing.T) {
			q := request(1)
			tt.edit(&q)
			_, err := selection.Prepare(q, nil)
			require.ErrorIs(t, err, selection.ErrInvalidRequest)
			assert.Equal(t, tt.code, selErr(t, err).Code)
		})
	}
	t.Run("a quota and a group may share a name", func(t *testing.T) {
		q := request(1)
		q.Quotas = []selection.Quota{{Name: "a", Filter: "true"}}
		q.Groups = []selection.GroupCap{{Name: "a", Key: "expert.Region", Max: 1}}
		_, err := selection.Prepare(q, nil)
		require.NoError(t, err)
	})
	t.Run("a C1 control character is allowed in a request ID", func(t *testing.T) {
		q := request(1)
		q.ID = "R\u0085"
		_, err := selection.Prepare(q, nil)
		require.NoError(t, err)
	})
	// A pool record whose ID is not a valid expert ID is not refused: it is excluded by row 0
	// (§2) and the draw goes on (issue 15: one odd record must not stop every draw).
	for _, tt := range []struct{ name, id string }{
		{"expert id over 128 bytes", long},
		{"expert id not UTF-8", "E\xfe"},
		{"empty expert id", ""},
		{"expert id with a tab", "E\t1"},
		{"expert id with a C1 control", "E\u0085"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := pool(3, 3)
			p.Experts[0].ID = tt.id
			res, err := selection.Draw(request(1), p, testEntropy, nil)
			require.NoError(t, err)
			require.NotEmpty(t, res.Excluded)
			var codes []string
			for _, x := range res.Excluded {
				codes = append(codes, x.Code)
			}
			assert.Contains(t, codes, "expert-id")
		})
	}
	t.Run("duplicate expert id", func(t *testing.T) {
		p := pool(3, 3)
		p.Experts[0].ID = "E001"
		_, err := selection.Draw(request(1), p, testEntropy, nil)
		require.ErrorIs(t, err, selection.ErrInvalidRequest)
		assert.Equal(t, "duplicate-expert", selErr(t, err).Code)
	})
	t.Run("duplicate preferential pick", func(t *testing.T) {
		q := request(6)
		q.Preferred = []string{"E001", "E001"}
		q.Plan = &selection.Plan{Reason: "r", ApprovedBy: "a", FiledWith: "f", At: planDate}
		_, err := selection.Draw(q, pool(8, 8), testEntropy, nil)
		require.ErrorIs(t, err, selection.ErrPreferential)
		var codes []string
		for _, e := range unjoin(err) {
			codes = append(codes, selErr(t, e).Code)
		}
		assert.Contains(t, codes, "duplicate")
	})
	t.Run("duplicate invitee", func(t *testing.T) {
		q := request(4)
		q.Invited = []selection.Invitation{invitation("X1"), invitation("X1")}
		_, err := selection.Draw(q, pool(8, 8), testEntropy, nil)
		require.ErrorIs(t, err, selection.ErrInvitation)
		assert.Equal(t, "invitee-in-database", selErr(t, err).Code)
	})
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// §12.8: in mode rfc3797 the sequence stops after 65,536 rounds; a walk that needs more
// fails with ErrExhausted, and the reserve stops there too.
func TestSpecRFC3797RoundLimit(t *testing.T) {
	const n = 70_000
	seq := selection.Sequence(n, n, "9319./", selection.RFC3797)
	require.Len(t, seq, 1<<16)
	assert.Nil(t, selection.RoundDigest(1<<16, "9319./", selection.RFC3797))
	assert.Len(t, selection.Sequence(n, 10, "9319./", selection.V1), 10)

	// Size 1 and a quota only the last expert meets: every other candidate is closed. Find
	// an entropy whose sequence draws that expert after round 65,535.
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("E%05d", i)
	}
	var key string
	for s := uint64(0); ; s++ {
		key = selection.Entropy{Sources: [][]uint64{{s}}}.Key()
		if !slices.Contains(selection.Sequence(n, n, key, selection.RFC3797), n-1) {
			break
		}
		require.Less(t, s, uint64(200), "no entropy found")
	}
	e, err := selection.ParseKey(key)
	require.NoError(t, err)
	p := selection.Pool{}
	for _, id := range ids {
		p.Experts = append(p.Experts, expert(id, "U"))
	}
	q := request(1)
	q.Quotas = []selection.Quota{{Name: "last", Filter: fmt.Sprintf(`expert.ID == %q`, ids[n-1]), Min: 1}}
	r := selection.DefaultRules()
	r.Mode = selection.RFC3797
	_, err = selection.Draw(q, p, e, r)
	require.ErrorIs(t, err, selection.ErrExhausted)
	assert.Equal(t, "exhausted", selErr(t, err).Code)
	var se *selection.Error
	require.True(t, errors.As(err, &se))
	assert.Equal(t, "Art. 14(2)", se.Article)
}
