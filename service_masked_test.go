package expertdb_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb/rule"
	"github.com/wzsti/expertdb/selection"
)

// The birth-date oracle of issue 13 through the Service: a county user, who may not see
// personal data, cannot read the birth date in a request's criteria; a division clerk, who
// may, can.
func TestAttackServiceBirthDateOracle(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.admitN(t, 12)
	req := storyRequest()
	req.Criteria = `int(expert.BirthDate.YearDay() / 7) % 2 == 1`
	req.Quotas, req.Groups, req.Size = nil, nil, 1
	req.Unit = county.Unit
	req.ID = "R-COUNTY-1"
	_, err := f.svc.Draw(ctx, county, req)
	require.ErrorIs(t, err, selection.ErrInvalidRequest)
	var ce *rule.CompileError
	require.ErrorAs(t, err, &ce)
	require.Contains(t, ce.Msg, "BirthDate")

	req.Criteria = `age >= 30`
	req.ID = "R-COUNTY-2"
	_, err = f.svc.Draw(ctx, county, req)
	require.NoError(t, err)

	req = storyRequest()
	req.Criteria = `int(expert.BirthDate.YearDay() / 7) % 2 == 1 || true`
	req.Quotas, req.Groups, req.Size = nil, nil, 1
	req.ID = "R-CLERK-1"
	_, err = f.svc.Draw(ctx, clerk, req)
	require.NoError(t, err)
}
