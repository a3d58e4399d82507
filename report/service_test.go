package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/internal/synth"
	"github.com/wzsti/expertdb/report"
	"github.com/wzsti/expertdb/selection"
)

// Art. 14, 17, 20, 25: the yearly statistics through the Service count the year's admissions
// and every notice of every draw, carry no personal data, are denied to unregistered actors,
// and their viewing is recorded.
func TestYearlyStatisticsThroughTheServiceArt17(t *testing.T) {
	ctx := context.Background()
	pool := synth.Generate(synth.Options{Seed: 8, Size: 80})
	now := pool.AsOf
	ops := audit.Actor{ID: "u-ops", Name: "钱八", Role: audit.RoleMaintainer, Unit: "温州市科技信息研究院"}
	svc, err := expertdb.NewService(ctx, expertdb.Options{
		Users: []audit.User{{ID: admin.ID, Name: admin.Name, Role: admin.Role, Unit: admin.Unit},
			{ID: clerk.ID, Name: clerk.Name, Role: clerk.Role, Unit: clerk.Unit},
			{ID: ops.ID, Name: ops.Name, Role: ops.Role, Unit: ops.Unit}},
		Clock: func() time.Time { return now }, Random: bytes.NewReader(bytes.Repeat([]byte{5, 9, 2, 7}, 1<<12)),
	})
	require.NoError(t, err)
	admitted := 0
	for _, app := range pool.Applications {
		if _, err := svc.Admit(ctx, admin, app); err == nil {
			admitted++
		}
	}
	require.Positive(t, admitted)
	req := expertdb.DrawRequest{Request: selection.Request{ID: "R-Y-1", Size: 4, At: time.Date(pool.AsOf.Year(), 6, 1, 9, 0, 0, 0, cst),
		Project: pool.Project("R-Y-1")}, Unit: clerk.Unit,
		Entropy: &selection.Entropy{Sources: [][]uint64{{1}, {2, 3, 4, 5, 6, 7}}}}
	_, err = svc.Draw(ctx, clerk, req)
	require.NoError(t, err)
	_, err = svc.StartCampaign(ctx, clerk, req.ID)
	require.NoError(t, err)

	y, err := report.YearlyStatistics(ctx, svc, admin, pool.AsOf.Year())
	require.NoError(t, err)
	assert.Equal(t, 4, y.Totals.Notified)
	assert.Len(t, y.Admissions, admitted)
	raw, err := json.Marshal(y)
	require.NoError(t, err)
	for _, app := range pool.Applications {
		assert.NotContains(t, string(raw), app.Expert.IDNumber)
		assert.NotContains(t, string(raw), app.Expert.Mobile)
	}

	_, err = report.YearlyStatistics(ctx, svc, audit.Actor{ID: "u-x", Name: "冒名", Role: audit.RoleCityAdmin, Unit: "市科技局"}, 2026)
	require.ErrorIs(t, err, audit.ErrDenied)
	_, err = report.YearlyStatistics(ctx, svc, ops, pool.AsOf.Year())
	require.NoError(t, err, "aggregated, de-identified data: the maintainer may view it")

	res, err := svc.Log().Query(ctx, audit.Query{Action: audit.ActionView})
	require.NoError(t, err)
	var stats int
	for _, m := range res.Matches {
		var d map[string]any
		require.NoError(t, json.Unmarshal(m.Event.Data, &d))
		if d["kind"] == expertdb.KindStatistics {
			stats++
		}
	}
	assert.Equal(t, 2, stats)
}
