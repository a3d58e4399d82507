package selection_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/selection"
)

var badIDs = []string{"", "E\x00", "E1\nE2", strings.Repeat("专", 50), "专家1", "E 1", "-E1", "E\u200b1", strings.Repeat("a", 65), "13812345678"}

// Attack (issue 15, item 8): one expert whose ID held a control character or 50 CJK
// characters made every draw of every unit fail. Now such a record is excluded with a
// reason and the draw goes on, identical to the draw without it.
func TestBadExpertIDIsExcludedNotFatal(t *testing.T) {
	req := request(3)
	p := pool(10, 10)
	want, err := selection.Draw(req, p, testEntropy, nil)
	require.NoError(t, err)
	for _, id := range badIDs {
		t.Run(id, func(t *testing.T) {
			bad := p
			bad.Experts = append(append(bad.Experts[:0:0], p.Experts...), expert(id, "U99"))
			bad.Experts[len(bad.Experts)-1].ID = id
			got, err := selection.Draw(req, bad, testEntropy, nil)
			require.NoError(t, err)
			assert.Equal(t, want.Panel, got.Panel)
			assert.Equal(t, want.Reserve, got.Reserve)
			assert.Equal(t, want.PoolDigest, got.PoolDigest)
			require.Len(t, got.Excluded, len(want.Excluded)+1)
			var ex *selection.Exclusion
			for i := range got.Excluded {
				if got.Excluded[i].Code == "expert-id" {
					ex = &got.Excluded[i]
				}
			}
			require.NotNil(t, ex)
			assert.Equal(t, id, ex.ExpertID)
			assert.Equal(t, "Art. 17", ex.Article)
			assert.Contains(t, ex.Reason, "专家编号")
		})
	}
}

// A preferential pick whose record has a bad ID is refused by name, not reported missing.
func TestPreferentialPickWithBadID(t *testing.T) {
	req := request(6)
	req.Preferred = []string{"E 1"}
	req.Plan = plan()
	p := pool(12, 12)
	p.Experts[1].ID = "E 1"
	_, err := selection.Draw(req, p, testEntropy, nil)
	var se *selection.Error
	require.True(t, errors.As(err, &se), "%v", err)
	assert.Equal(t, "expert-id", se.Code)
}

// Adding one record with a bad ID to any pool never changes whether the draw succeeds, nor
// its panel, reserve or digests: it only adds one exclusion.
func TestBadRecordOnlyAddsAnExclusion(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genSmallCase(t, 8)
		want, werr := selection.Draw(c.req, c.pool, c.entropy, nil)
		e := genExpert(t, "X99")
		e.ID = rapid.SampledFrom(badIDs).Draw(t, "bad")
		at := rapid.IntRange(0, len(c.pool.Experts)).Draw(t, "at")
		bad := c.pool
		bad.Experts = append(append(append(bad.Experts[:0:0], c.pool.Experts[:at]...), e), c.pool.Experts[at:]...)
		got, gerr := selection.Draw(c.req, bad, c.entropy, nil)
		require.Equal(t, werr == nil, gerr == nil, "want %v, got %v", werr, gerr)
		if werr != nil {
			require.Equal(t, werr.Error(), gerr.Error())
			return
		}
		require.Equal(t, want.Panel, got.Panel)
		require.Equal(t, want.Reserve, got.Reserve)
		require.Equal(t, want.PoolDigest, got.PoolDigest)
		require.Equal(t, want.Key, got.Key)
		require.Len(t, got.Excluded, len(want.Excluded)+1)
	})
}
