package expertdb_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/evaluation"
)

// ExampleService_RecordAttendance: after the activity the using unit records who attended
// (Art. 8(2), 25). A no-show enters the integrity file and is not rated; a second record of
// the same seat is a correction and must say why.
func ExampleService_RecordAttendance() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, cst)
	gateway := &expertdb.RecordingNotifier{}
	svc, err := expertdb.NewService(ctx, expertdb.Options{Users: users(), Notifier: gateway, Clock: func() time.Time { return now },
		Random: bytes.NewReader(bytes.Repeat([]byte{7}, 4096))})
	if err != nil {
		fmt.Println(err)
		return
	}
	step := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	for i := range 24 {
		_, err := svc.Admit(ctx, admin, applicant(i))
		step(err)
	}
	req := storyRequest()
	req.Entropy = nil
	_, err = svc.Submit(ctx, clerk, req)
	step(err)
	_, err = svc.Approve(ctx, leader, req.ID, expertdb.ApproveRequest)
	step(err)
	src := expertdb.EntropySource{Kind: "lottery", Name: expertdb.SourceFucai3D, Round: "2026055", At: now.Add(12 * time.Hour), Count: 3}
	_, err = svc.Commit(ctx, clerk, req.ID, src)
	step(err)
	now = src.At.Add(time.Hour)
	value := expertdb.PublicValue{Source: src, Values: []uint64{5, 0, 8}}
	_, err = svc.PublishValue(ctx, inspector, req.ID, value) // not the committer (two-person rule)
	step(err)
	_, err = svc.DrawCommitted(ctx, clerk, req.ID, value)
	step(err)
	view, err := svc.StartCampaign(ctx, clerk, req.ID)
	step(err)
	first := view.Seats[0].ExpertID
	sent := gateway.Sent()
	_, err = svc.Respond(ctx, clerk, req.ID, expertdb.Response{ExpertID: first, Code: sent[0].Code, Accept: true, Pledge: "PL-1"})
	step(err)

	_, err = svc.RecordAttendance(ctx, clerk, req.ID, expertdb.AttendanceEntry{ExpertID: first, Attendance: evaluation.NoShow})
	fmt.Println("before the activity:", errors.Is(err, expertdb.ErrAttendance))
	now = req.Request.At.Add(24 * time.Hour)
	p, err := svc.RecordAttendance(ctx, clerk, req.ID, expertdb.AttendanceEntry{ExpertID: first, Attendance: evaluation.NoShow})
	step(err)
	fmt.Println("recorded:", p.Attendance, "year", evaluation.YearOf(p.Date))
	e, _ := svc.ViewExpert(ctx, admin, first)
	fmt.Println("integrity file:", e.Records[0].Kind, e.Records[0].Article, "suspended:", admission.Suspended(e))
	err = svc.Rate(ctx, clerk, req.ID, evaluation.Rating{ExpertID: first, Grade: evaluation.Good,
		Aspects: evaluation.Aspects{Expertise: evaluation.Good, Attitude: evaluation.Good, Quality: evaluation.Good}})
	fmt.Println("rate a no-show:", errors.Is(err, evaluation.ErrInvalid))
	_, err = svc.RecordAttendance(ctx, clerk, req.ID, expertdb.AttendanceEntry{ExpertID: first, Attendance: evaluation.Attended})
	fmt.Println("again without a reason:", errors.Is(err, expertdb.ErrAttendance))
	p, err = svc.RecordAttendance(ctx, clerk, req.ID, expertdb.AttendanceEntry{ExpertID: first, Attendance: evaluation.Excused,
		Reason: "突发疾病", Correction: "专家补交病假证明"})
	step(err)
	e, _ = svc.ViewExpert(ctx, admin, first)
	fmt.Println("corrected:", p.Attendance, "records:", len(e.Records))
	// Output:
	// before the activity: true
	// recorded: no-show year 2026
	// integrity file: no-show Art. 8(2) suspended: true
	// rate a no-show: true
	// again without a reason: true
	// corrected: excused records: 0
}
