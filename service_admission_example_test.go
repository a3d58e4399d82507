package expertdb_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
)

// ExampleService_ReviewApplication: a clerk of the city bureau enters an application, another
// officer reviews it (the submitter may not), and the applicant is told the decision.
func ExampleService_ReviewApplication() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, cst)
	gateway := &expertdb.RecordingDecisionNotifier{}
	reviewer := audit.Actor{ID: "u-admin2", Name: "吴倩", Role: audit.RoleCityAdmin, Unit: "市科技局"}
	svc, err := expertdb.NewService(ctx, expertdb.Options{
		Users:    append(users(), audit.User{ID: reviewer.ID, Name: reviewer.Name, Role: reviewer.Role, Unit: reviewer.Unit}),
		Notifier: gateway, Clock: func() time.Time { return now },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	e, _ := svc.SubmitApplication(ctx, admin, applicant(1))
	fmt.Println("stored:", e.ID, e.Status)
	_, err = svc.ReviewApplication(ctx, admin, e.ID, admission.Review{Approve: true})
	var denied *audit.DeniedError
	if errors.As(err, &denied) {
		fmt.Println("submitter reviews:", denied.Code)
	}
	dec, _ := svc.ReviewApplication(ctx, reviewer, e.ID, admission.Review{Approve: true})
	fmt.Println("admitted:", dec.Admitted, "by", dec.Reviewer, "status:", dec.Expert.Status)
	fmt.Println("notice:", gateway.Decisions()[0].Subject)
	// Output:
	// stored: E0001 pending
	// submitter reviews: reviewer-is-submitter
	// admitted: true by 吴倩 status: active
	// notice: 专家入库申请审核结果：准予入库
}
