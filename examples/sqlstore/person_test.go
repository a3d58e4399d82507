package sqlstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/examples/sqlstore"
)

// One person, one record (Art. 6, 11): the SQL store finds a person's records by the
// canonical ID number, whatever their status and however the check letter was written, and
// agrees with the in-memory store.
func TestFindByIDNumber(t *testing.T) {
	const person = "11010519491231002X" // a valid GB 11643 number
	const other = "110105194912310037"
	experts := []admission.Expert{
		{ID: "E1", Name: "李娜", IDNumber: person, Status: admission.Exited},
		{ID: "E2", Name: "李娜", IDNumber: strings.ToLower(person), Status: admission.Pending}, // an old record, lower-case x
		{ID: "E3", Name: "王强", IDNumber: other, Status: admission.Active},
		{ID: "E4", Name: "赵敏", Status: admission.Active},
	}
	forEachEngine(t, func(t *testing.T, open func(testing.TB) *sqlstore.DB) {
		ctx := context.Background()
		s := open(t).Experts()
		mem := expertdb.NewMemoryExpertStore()
		for _, e := range experts {
			require.NoError(t, s.Put(ctx, e))
			require.NoError(t, mem.Put(ctx, e))
		}
		for _, q := range []string{person, strings.ToLower(person), other, "110105194912310038", "", "not a number"} {
			got, err := s.FindByIDNumber(ctx, q)
			require.NoError(t, err)
			want, err := mem.FindByIDNumber(ctx, q)
			require.NoError(t, err)
			assert.Equal(t, ids(want), ids(got), "query %q", q)
		}
		got, err := s.FindByIDNumber(ctx, person)
		require.NoError(t, err)
		assert.Equal(t, []string{"E1", "E2"}, ids(got), "both records of the person, exited included")
	})
}

func ids(es []admission.Expert) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}
