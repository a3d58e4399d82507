package expertdb_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/evaluation"
)

// Property: whatever sequence of admissions, exits, ratings and draws runs, with any store
// failing at any call, the stores and the audit log agree: an expert is stored exactly when
// their admission is recorded, exited exactly when the exit is, a rating is stored exactly
// when it is recorded, and a draw record exists exactly when its draw event does.
func TestStateAndLogAlwaysAgree(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		w := newWorld(t)
		n := rapid.IntRange(1, 12).Draw(rt, "ops")
		if raceEnabled {
			n = min(n, 3)
		}
		for i := range n {
			if rapid.Bool().Draw(rt, fmt.Sprint("fault", i)) {
				w.in.arm(rapid.SampledFrom(sweepStores).Draw(rt, fmt.Sprint("store", i)), rapid.IntRange(1, 8).Draw(rt, fmt.Sprint("k", i)))
			}
			x := rapid.IntRange(0, 9).Draw(rt, fmt.Sprint("expert", i))
			switch rapid.IntRange(0, 3).Draw(rt, fmt.Sprint("op", i)) {
			case 0:
				_, _ = w.svc.Admit(ctx, admin, applicant(x))
			case 1:
				_, _ = w.svc.Exit(ctx, admin, fmt.Sprintf("E%04d", x), admission.Exit{Reason: admission.ExitUnsuitable,
					Date: time.Date(2026, 3, 2, 0, 0, 0, 0, cst), Note: "不再适合", Evidence: []string{"核查记录"}})
			case 2:
				id := fmt.Sprintf("E%04d", x)
				act := fmt.Sprintf("A-%d", rapid.IntRange(0, 2).Draw(rt, fmt.Sprint("activity", i)))
				_ = w.svc.Rate(ctx, clerk, act, evaluation.Rating{ExpertID: id, Grade: evaluation.Good,
					Aspects: evaluation.Aspects{Expertise: evaluation.Good, Attitude: evaluation.Good, Quality: evaluation.Good}})
			case 3:
				req := sweepRequest()
				req.Size = 1
				req.ID = fmt.Sprintf("R-%d", x%3)
				_, _ = w.svc.Draw(ctx, clerk, req)
			}
			w.in.disarm()
			checkAgreement(rt, w)
		}
	})
}

func checkAgreement(t *rapid.T, w *world) {
	ctx := context.Background()
	res, err := w.svc.Log().Query(ctx, audit.Query{})
	if err != nil {
		t.Fatal(err)
	}
	admitted, exited, rated, drawn := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	for _, m := range res.Matches {
		var d struct {
			Outcome string `json:"outcome"`
		}
		_ = json.Unmarshal(m.Event.Data, &d)
		switch {
		case m.Event.Action == audit.ActionAdmission && d.Outcome == "admitted":
			admitted[m.Event.Subjects[0]]++
		case m.Event.Action == audit.ActionExit:
			exited[m.Event.Subjects[0]]++
		case m.Event.Action == audit.ActionRating:
			rated[m.Event.Subjects[0]+"/"+m.Event.Subjects[1]]++
		case m.Event.Action == audit.ActionDraw && d.Outcome == "drawn":
			drawn[m.Event.Subjects[0]]++
		}
	}
	experts, err := w.experts.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range experts {
		if admitted[e.ID] != 1 {
			t.Fatalf("expert %s stored with %d admission events", e.ID, admitted[e.ID])
		}
		if exited[e.ID] != len(e.Exits) {
			t.Fatalf("expert %s has %d exits and %d exit events", e.ID, len(e.Exits), exited[e.ID])
		}
		delete(admitted, e.ID)
	}
	if len(admitted) > 0 {
		t.Fatalf("admission events without their expert: %v", admitted)
	}
	for y := 2025; y <= 2026; y++ {
		rs, err := w.ratings.ByYear(ctx, y)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			k := r.ExpertID + "/" + r.ActivityID
			if rated[k] != 1 {
				t.Fatalf("rating %s stored with %d events", k, rated[k])
			}
			delete(rated, k)
		}
	}
	if len(rated) > 0 {
		t.Fatalf("rating events without their rating: %v", rated)
	}
	for _, id := range []string{"R-0", "R-1", "R-2"} {
		evs, err := w.events.MemoryEventStore.Events(ctx, "draw/"+id)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != drawn[id] {
			t.Fatalf("draw %s: %d records, %d draw events", id, len(evs), drawn[id])
		}
	}
}
