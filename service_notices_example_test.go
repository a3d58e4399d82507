package expertdb_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/audit"
)

// ExampleService_DeliverNotices: the SMS gateway is down when the bureau admits an expert; the
// decision stands, its notice stays pending, and DeliverNotices sends it once the gateway is
// back (Art. 6(1) 及时告知).
func ExampleService_DeliverNotices() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, cst)
	gateway := &flakyGateway{down: true}
	svc, err := expertdb.NewService(ctx, expertdb.Options{Users: users(), Notifier: gateway, Clock: func() time.Time { return now }})
	if err != nil {
		fmt.Println(err)
		return
	}
	e, err := svc.Admit(ctx, admin, applicant(1))
	fmt.Println("admitted:", e.ID, e.Status, err)
	pending, _ := svc.PendingNotices(ctx, admin)
	for _, p := range pending {
		fmt.Println("pending:", p.ExpertID, p.Subject, p.Status, "attempts", p.Attempts)
	}
	gateway.setDown(false)
	res, _ := svc.DeliverNotices(ctx, admin)
	fmt.Println("sent:", res.Sent, "still pending:", len(res.Pending))
	fmt.Println("gateway got:", gateway.deliveredIDs())
	_, err = svc.DeliverNotices(ctx, clerk)
	fmt.Println("a division clerk:", errors.Is(err, audit.ErrDenied))
	// Output:
	// admitted: E0001 active <nil>
	// pending: E0001 专家入库申请审核结果：准予入库 failed attempts 1
	// sent: 1 still pending: 0
	// gateway got: [notices/E0001/0]
	// a division clerk: true
}
