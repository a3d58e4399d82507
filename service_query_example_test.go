package expertdb_test

import (
	"context"
	"fmt"
	"time"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/problem"
)

// ExampleService_ListExperts: a county user pages through the economic experts, seen
// de-identified, and may not search by name; a division clerk may.
func ExampleService_ListExperts() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, cst)
	svc, err := expertdb.NewService(ctx, expertdb.Options{Users: users(), Clock: func() time.Time { return now }})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range 12 {
		if _, err := svc.Admit(ctx, admin, applicant(i)); err != nil {
			fmt.Println(err)
			return
		}
	}
	q := expertdb.ExpertQuery{Filter: expertdb.ExpertFilter{Category: admission.Economic, Status: admission.Active}, Limit: 2}
	for {
		page, err := svc.ListExperts(ctx, county, q)
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, e := range page.Experts {
			fmt.Println(e.ID, e.Name, e.IDNumber, e.Affiliation.Org)
		}
		if page.Next == "" {
			break
		}
		q.After = page.Next
	}
	n, _ := svc.CountExperts(ctx, county, q.Filter)
	fmt.Println("count:", n)

	_, err = svc.ListExperts(ctx, county, expertdb.ExpertQuery{Filter: expertdb.ExpertFilter{Text: "王伟"}})
	d, _ := problem.Of(err)
	fmt.Println("county searches a name:", d.Code, d.Article)
	page, _ := svc.ListExperts(ctx, clerk, expertdb.ExpertQuery{Filter: expertdb.ExpertFilter{Text: "王伟"}})
	fmt.Println("clerk searches a name:", page.Experts[0].ID, page.Experts[0].Name, page.Masked)
	// Output:
	// E0000 王* 330302********0008 温州大学
	// E0004 陈* 330302********0049 正泰集团股份有限公司
	// E0008 吴* 330302********0081 温州大学
	// count: 3
	// county searches a name: masked-filter Art. 19, 20
	// clerk searches a name: E0000 王伟 false
}
