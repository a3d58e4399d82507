package expertdb_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wzsti/expertdb"
)

// benchService is a Service over 200 experts with a settable clock.
func benchService(b *testing.B) (*expertdb.Service, *fakeClock) {
	b.Helper()
	ctx := context.Background()
	c := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, cst)}
	svc, err := expertdb.NewService(ctx, expertdb.Options{Users: users(), Clock: c.Now,
		Random: bytes.NewReader(bytes.Repeat([]byte{9}, 1<<20))})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 200 {
		if _, err := svc.Admit(ctx, admin, applicant(i)); err != nil {
			b.Fatal(err)
		}
	}
	return svc, c
}

// BenchmarkRealDraw: submit, approve, commit and draw one request (issue 16), against the
// practice draw of the same request (BenchmarkPracticeDraw), the baseline.
func BenchmarkRealDraw(b *testing.B) {
	ctx := context.Background()
	svc, c := benchService(b)
	i := 0
	for b.Loop() {
		r := storyRequest()
		r.Entropy = nil
		r.ID, r.Project.ID = fmt.Sprintf("R-%d", i), fmt.Sprintf("P-%d", i)
		i++
		if _, err := svc.Submit(ctx, clerk, r); err != nil {
			b.Fatal(err)
		}
		if _, err := svc.Approve(ctx, leader, r.ID, expertdb.ApproveRequest); err != nil {
			b.Fatal(err)
		}
		src := testSource(c.t, r.ID)
		if _, err := svc.Commit(ctx, clerk, r.ID, src); err != nil {
			b.Fatal(err)
		}
		c.t = src.At.Add(time.Second)
		if _, err := svc.DrawCommitted(ctx, colleague, r.ID, expertdb.PublicValue{Source: src, Values: []uint64{3, 1, 4}}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPracticeDraw is the baseline: one Service.Draw of the same request.
func BenchmarkPracticeDraw(b *testing.B) {
	ctx := context.Background()
	svc, _ := benchService(b)
	i := 0
	for b.Loop() {
		r := storyRequest()
		r.ID, r.Project.ID = fmt.Sprintf("R-%d", i), fmt.Sprintf("P-%d", i)
		i++
		if _, err := svc.Draw(ctx, clerk, r); err != nil {
			b.Fatal(err)
		}
	}
}
