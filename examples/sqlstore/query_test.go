package sqlstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/internal/querygen"
)

// Property: for random experts and random filters, cursors and limits, the SQL store (each
// engine) returns the same pages and counts as the in-memory store, whose answers are
// expertdb.PageOf (the definition of ExpertFilter.Match).
func TestQueryExpertsAgreesWithMemory(t *testing.T) {
	for _, eng := range engines(t) {
		t.Run(eng.name, func(t *testing.T) {
			db := eng.fresh(t)(t)
			ctx := context.Background()
			rapid.Check(t, func(rt *rapid.T) {
				_, err := db.SQL().ExecContext(ctx, `DELETE FROM `+db.Table("experts"))
				require.NoError(rt, err)
				mem := expertdb.NewMemoryExpertStore()
				sqlExperts := db.Experts()
				querygen.Experts(rt, mem, sqlExperts)
				for range 4 {
					q := querygen.Query(rt)
					want, err := mem.QueryExperts(ctx, q)
					require.NoError(rt, err)
					got, err := sqlExperts.QueryExperts(ctx, q)
					require.NoError(rt, err)
					require.Equal(rt, expertIDs(want), expertIDs(got), "query %+v", q)
					for i := range want {
						require.Equal(rt, want[i].Name, got[i].Name)
					}
					n, err := mem.CountExperts(ctx, q.Filter)
					require.NoError(rt, err)
					m, err := sqlExperts.CountExperts(ctx, q.Filter)
					require.NoError(rt, err)
					require.Equal(rt, n, m, "count %+v", q.Filter)
				}
				// Walking every page with the cursor gives every match once, in order.
				f := querygen.Filter(rt)
				all, err := mem.QueryExperts(ctx, expertdb.ExpertQuery{Filter: f})
				require.NoError(rt, err)
				var walked []admission.Expert
				q := expertdb.ExpertQuery{Filter: f, Limit: 3}
				for {
					page, err := sqlExperts.QueryExperts(ctx, q)
					require.NoError(rt, err)
					walked = append(walked, page...)
					if len(page) < q.Limit {
						break
					}
					q.After = page[len(page)-1].ID
				}
				require.Equal(rt, expertIDs(all), expertIDs(walked))
			})
		})
	}
}

func expertIDs(es []admission.Expert) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}
