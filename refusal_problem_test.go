package expertdb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/problem"
	"github.com/wzsti/expertdb/selection"
)

// TestRefusalsAreProblems: the Service's refusals of an integrator's input and its sentinels
// are problems with a code other than "internal", a Chinese message and, for a refusal of a
// request, the article it applies.
func TestRefusalsAreProblems(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := rpService(t)
	req := func(f func(*expertdb.DrawRequest)) expertdb.DrawRequest {
		r := rpRequest("R-REF")
		r.Entropy = nil
		f(&r)
		return r
	}
	for name, r := range map[string]expertdb.DrawRequest{
		"no ID":              req(func(r *expertdb.DrawRequest) { r.ID = "" }),
		"no project":         req(func(r *expertdb.DrawRequest) { r.Project.ID = "" }),
		"no activity date":   req(func(r *expertdb.DrawRequest) { r.At = time.Time{} }),
		"own entropy":        req(func(r *expertdb.DrawRequest) { r.Entropy = &selection.Entropy{Sources: [][]uint64{{1}}} }),
		"preferred, no plan": req(func(r *expertdb.DrawRequest) { r.Preferred = []string{"E1"} }),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := svc.Submit(ctx, rpClerk, r)
			require.Error(t, err)
			var p problem.Problem
			require.True(t, errors.As(err, &p), "%v", err)
			d := p.Problem()
			assert.NotEqual(t, "internal", d.Code, "%v", err)
			assert.Regexp(t, `\p{Han}`, d.Message)
			assert.Regexp(t, `^Art\. 1[34]`, d.Article, "%v", err)
		})
	}
	for _, s := range []error{expertdb.ErrNotFound, expertdb.ErrConflict, expertdb.ErrAlreadyDrawn, expertdb.ErrSealedPanel,
		expertdb.ErrCampaignStarted, expertdb.ErrReplyLocked, expertdb.ErrReplayInput, expertdb.ErrRequestState,
		expertdb.ErrActivityTaken, expertdb.ErrTooEarly, expertdb.ErrNotRateable} {
		d := (&expertdb.OpError{Op: "x", Step: expertdb.StepValidate, Err: s}).Problem()
		assert.NotEqual(t, "internal", d.Code, s.Error())
		assert.Regexp(t, `\p{Han}`, d.Message, s.Error())
	}
}
