package expertdb_test

import (
	"context"
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
)

// Invariant (Art. 6 一人一档, Art. 11): whatever sequence of admissions, applications, reviews
// and exits is tried — with expert IDs and ID numbers (in any width) reused across people —
// the database never holds two records of one person, and a person exited never becomes
// Active again.
func TestPropertyOnePersonOneRecordArt6(t *testing.T) {
	p := expertdb.DefaultPolicy() // compiled once, shared by every run
	steps := 8
	if raceEnabled || testing.Short() {
		steps = 3 // the race detector makes each Service operation slow
	}
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		f := newLifeFixture(t, p)
		exited := map[string]bool{} // by normalised ID number
		for i := range rapid.IntRange(1, steps).Draw(rt, "steps") {
			person := rapid.IntRange(0, 3).Draw(rt, fmt.Sprint("person", i))
			app := applicant(person)
			app.Expert.ID = fmt.Sprintf("E%04d", rapid.IntRange(0, 5).Draw(rt, fmt.Sprint("id", i)))
			if rapid.Bool().Draw(rt, fmt.Sprint("wide", i)) {
				app.Expert.IDNumber = toFullWidth(app.Expert.IDNumber)
			}
			switch rapid.IntRange(0, 3).Draw(rt, fmt.Sprint("op", i)) {
			case 0:
				_, _ = f.svc.Admit(ctx, admin, app)
			case 1:
				_, _ = f.svc.SubmitApplication(ctx, admin, app)
			case 2:
				_, _ = f.svc.ReviewApplication(ctx, admin2, app.Expert.ID, admission.Review{Approve: true})
			case 3:
				if e, err := f.svc.Exit(ctx, admin, app.Expert.ID, admission.Exit{Reason: admission.ExitMisconduct,
					Note: "核查属实", Evidence: []string{"核查结论"}}); err == nil {
					id, _ := admission.NormalizeIDNumber(e.IDNumber)
					exited[id] = true
				}
			}
			all, err := f.experts.List(ctx)
			if err != nil {
				rt.Fatal(err)
			}
			seen := map[string]string{}
			for _, e := range all {
				id, ok := admission.NormalizeIDNumber(e.IDNumber)
				if !ok {
					rt.Fatalf("record %s without a valid ID number", e.ID)
				}
				if other, dup := seen[id]; dup {
					rt.Fatalf("two records of one person: %s and %s", other, e.ID)
				}
				seen[id] = e.ID
				if exited[id] && e.Status == admission.Active {
					rt.Fatalf("%s exited for misconduct and Active again", e.ID)
				}
			}
		}
	})
}
