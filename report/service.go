package report

import (
	"context"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/audit"
)

// YearlyStatistics computes a year's statistics through the Service (Art. 14, 17, 23, 25):
// svc.StatisticsInput (permissioned, audited as a view of aggregated data, experts
// de-identified) turned into a Yearly by Year. It lives here, not on the Service, because
// this package imports the root package.
func YearlyStatistics(ctx context.Context, svc *expertdb.Service, actor audit.Actor, year int) (*Yearly, error) {
	in, err := svc.StatisticsInput(ctx, actor, year)
	if err != nil {
		return nil, err
	}
	yi := YearInput{Year: in.Year, Experts: in.Experts, Ratings: in.Ratings, Participations: in.Participations, Rules: in.Rules}
	for _, d := range in.Draws {
		yi.Outcomes = append(yi.Outcomes, Outcomes(d.RequestID, d.Unit, d.Region, d.At, d.Seats)...)
	}
	return Year(yi), nil
}
