package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/examples/sqlstore"
)

// BenchmarkQueryExperts: one page of 50 experts of one unit (about 14 of 10,000 match) and
// one page of active economic experts from the middle of the ID order, on each engine:
//
//	querier   ExpertStore.QueryExperts: one SELECT with WHERE on the query columns, ORDER BY id, LIMIT
//	scan      the Service's fallback without ExpertQuerier, which is also what an integrator
//	          writes by hand: List every profile, then expertdb.PageOf (a Go filter) over them
func BenchmarkQueryExperts(b *testing.B) {
	for _, eng := range engines(b) {
		b.Run(eng.name, func(b *testing.B) { benchQueries(b, eng.fresh(b)(b)) })
	}
}

func benchQueries(b *testing.B, db *sqlstore.DB) {
	ctx := context.Background()
	const n = 10000
	experts := make([]admission.Expert, n)
	for i := range experts {
		experts[i] = benchExpert(i)
	}
	require.NoError(b, db.Experts().PutMany(ctx, experts))
	for _, tc := range []struct {
		name string
		q    expertdb.ExpertQuery
	}{
		{"unit", expertdb.ExpertQuery{Filter: expertdb.ExpertFilter{Unit: "单位123"}, Limit: 50}},
		{"category-page", expertdb.ExpertQuery{Filter: expertdb.ExpertFilter{Status: admission.Active, Category: admission.Economic},
			After: fmt.Sprintf("E%06d", n/2), Limit: 50}},
	} {
		want, err := db.Experts().QueryExperts(ctx, tc.q)
		require.NoError(b, err)
		b.Run(tc.name+"/querier", func(b *testing.B) {
			for b.Loop() {
				got, err := db.Experts().QueryExperts(ctx, tc.q)
				if err != nil || len(got) != len(want) {
					b.Fatal(err, len(got))
				}
			}
		})
		b.Run(tc.name+"/scan", func(b *testing.B) {
			for b.Loop() {
				all, err := db.Experts().List(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if got := expertdb.PageOf(all, tc.q); len(got) != len(want) {
					b.Fatal(len(got))
				}
			}
		})
	}
}
