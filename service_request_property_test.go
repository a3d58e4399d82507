package expertdb_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/conflict"
)

// Property (issue 16): whatever sequence of submissions, amendments and voids, an activity
// (project and date) never has two live requests; a submission for a taken activity is
// refused (ErrActivityTaken, or ErrRequestState for an ID that is not a draft).
func TestOneLiveRequestPerActivity(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		f := newFixture(&testing.T{})
		live := map[string]string{} // activity → request
		voided := map[string]bool{}
		n := rapid.IntRange(1, 15).Draw(rt, "ops")
		if raceEnabled {
			n = min(n, 4)
		}
		for i := range n {
			id := fmt.Sprintf("R-%d", rapid.IntRange(0, 5).Draw(rt, fmt.Sprint("id", i)))
			project := fmt.Sprintf("P-%d", rapid.IntRange(0, 1).Draw(rt, fmt.Sprint("project", i)))
			if rapid.Bool().Draw(rt, fmt.Sprint("void", i)) {
				_, err := f.svc.Void(ctx, clerk, leader, id, "调整")
				if err == nil {
					for a, r := range live {
						if r == id {
							delete(live, a)
						}
					}
					voided[id] = true
				}
				continue
			}
			r := storyRequest()
			r.Entropy, r.ID, r.Project = nil, id, conflict.Project{ID: project}
			_, err := f.svc.Submit(ctx, clerk, r)
			holder, taken := live[project]
			switch {
			case err == nil:
				if taken && holder != id {
					rt.Fatalf("two live requests for %s: %s and %s", project, holder, id)
				}
				live[project] = id
			case taken && holder != id && !errors.Is(err, expertdb.ErrActivityTaken) && !errors.Is(err, expertdb.ErrRequestState):
				rt.Fatalf("refusal for a taken activity: %v", err)
			}
		}
	})
}
