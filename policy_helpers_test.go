package expertdb_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/selection"
)

// header is the identity every test profile starts with (two lines).
const header = "name: 测试县科技专家库使用细则\nregion: \"330381\"\n"

// tb is what the helpers need of *testing.T and *rapid.T.
type tb interface {
	Helper()
	Errorf(format string, args ...any)
	FailNow()
}

// mustLoad loads header+body and fails the test on any error.
func mustLoad(t tb, body string) *expertdb.Policy {
	t.Helper()
	p, err := expertdb.LoadPolicy([]byte(header + body))
	require.NoError(t, err)
	require.NotNil(t, p)
	return p
}

// mustLoadWith loads header+body letting it loosen the named city limits (Art. 13).
func mustLoadWith(t tb, allow []string, body string) *expertdb.Policy {
	t.Helper()
	p, err := expertdb.LoadPolicyWith([]byte(header+body), expertdb.AllowDeviations(allow...))
	require.NoError(t, err)
	require.NotNil(t, p)
	return p
}

// loadErrors loads src, requires it to fail, and returns every *PolicyError in order.
func loadErrors(t tb, src string) []*expertdb.PolicyError {
	t.Helper()
	p, err := expertdb.LoadPolicy([]byte(src))
	require.Error(t, err)
	require.Nil(t, p)
	require.ErrorIs(t, err, expertdb.ErrInvalidPolicy)
	return policyErrors(t, err)
}

// policyErrors returns the *PolicyError leaves of err, requiring that every leaf is one.
func policyErrors(t tb, err error) []*expertdb.PolicyError {
	t.Helper()
	var leaves []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		leaves = j.Unwrap()
	} else {
		leaves = []error{err}
	}
	out := make([]*expertdb.PolicyError, 0, len(leaves))
	for _, e := range leaves {
		var pe *expertdb.PolicyError
		require.True(t, errors.As(e, &pe), "not a *PolicyError: %v", e)
		out = append(out, pe)
	}
	return out
}

// change returns the change at path.
func change(p *expertdb.Policy, path string) (expertdb.Change, bool) {
	for _, c := range p.Changes() {
		if c.Path == path {
			return c, true
		}
	}
	return expertdb.Change{}, false
}

var (
	activity = time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)
	entropy  = selection.Entropy{Sources: [][]uint64{{20260610}, {3, 17, 22, 28, 31}}}
)

// testExpert returns an active, eligible technical expert of the given region and unit kind.
func testExpert(id, region string, kind admission.OrgKind) admission.Expert {
	return admission.Expert{
		ID: id, Name: "专家" + id, BirthDate: time.Date(1972, 5, 1, 0, 0, 0, 0, time.UTC),
		Affiliation: admission.Affiliation{Org: "单位" + id, Kind: kind, Department: "部门"},
		Title:       admission.Senior, Categories: []admission.Category{admission.Technical},
		Credentials: []admission.Credential{{Kind: admission.CredPoliticalQuality}},
		Region:      region, Status: admission.Active,
	}
}

// testPool returns inside experts of region 330381 and outside experts of 330302.
func testPool(inside, outside int) selection.Pool {
	p := selection.Pool{Usage: map[string]int{}}
	for i := range inside {
		p.Experts = append(p.Experts, testExpert(fmt.Sprintf("RA%02d", i), "330381", admission.Enterprise))
	}
	for i := range outside {
		p.Experts = append(p.Experts, testExpert(fmt.Sprintf("WZ%02d", i), "330302", admission.University))
	}
	return p
}

func testRequest(size int) selection.Request {
	return selection.Request{ID: "R-2026-001", Size: size, At: activity,
		Project: conflict.Project{ID: "P-1", Region: "330381",
			Leader: conflict.Person{ID: "L1", Name: "项目负责人", Affiliation: admission.Affiliation{Org: "申报企业", Kind: admission.Enterprise}}}}
}
