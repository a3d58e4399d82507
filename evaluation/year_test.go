package evaluation_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb/evaluation"
)

// Attack (issue 16): a 2024-12-28 activity rated on 2025-01-03 counted for 2025, while its
// no-show would count for 2024. The rating counts in the activity's year.
func TestRatingCountsInTheActivityYear(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	r := evaluation.Rating{ExpertID: "E1", ActivityID: "A1", RaterUnit: "U", Grade: evaluation.Excellent,
		At: time.Date(2025, 1, 3, 10, 0, 0, 0, cst), ActivityAt: time.Date(2024, 12, 28, 9, 0, 0, 0, cst)}
	assert.Equal(t, 2024, r.Year())
	assert.Equal(t, 1, evaluation.Summarize([]evaluation.Rating{r}, 2024)["E1"].Excellent)
	assert.NotContains(t, evaluation.Summarize([]evaluation.Rating{r}, 2025), "E1")

	m := evaluation.NewMemoryStore()
	require.NoError(t, m.Add(context.Background(), r))
	in2024, err := m.ByYear(context.Background(), 2024)
	require.NoError(t, err)
	assert.Len(t, in2024, 1)
	in2025, err := m.ByYear(context.Background(), 2025)
	require.NoError(t, err)
	assert.Empty(t, in2025)

	// Without the activity date the rating's own time decides (compatibility).
	r.ActivityAt = time.Time{}
	assert.Equal(t, 2025, r.Year())
}
