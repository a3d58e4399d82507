package expertdb_test

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/selection"
)

// ExampleNewService admits experts, draws a panel with public entropy, and verifies the audit
// log that recorded every step.
func ExampleNewService() {
	ctx := context.Background()
	skey, vkey, _ := note.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{1}, 64)), "expertdb.example")
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	store := audit.NewMemoryStore()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, cst)

	svc, err := expertdb.NewService(ctx, expertdb.Options{
		Users: users(), Audit: store, Signer: signer,
		Clock:  func() time.Time { return now },
		Random: bytes.NewReader(bytes.Repeat([]byte{7}, 4096)),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range 24 {
		if _, err := svc.Admit(ctx, admin, applicant(i)); err != nil {
			fmt.Println(err)
			return
		}
	}
	req := storyRequest()
	req.Entropy = &selection.Entropy{Sources: [][]uint64{{9319}, {2, 5, 12, 8, 10}}}
	rec, err := svc.Draw(ctx, clerk, req)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("panel:", len(rec.Result.Panel), "candidates:", rec.Result.Candidates, "excluded:", len(rec.Result.Excluded))
	fmt.Println("entropy key:", rec.Entropy.Key())
	for _, x := range rec.Result.Excluded[:1] {
		fmt.Println("excluded:", x.ExpertID, x.Article, x.Code)
	}
	cp, _ := svc.Checkpoint(ctx)
	fmt.Println("events:", svc.Log().Size(), "verified:", audit.Verify(ctx, store, cp, verifier) == nil)
	// Output:
	// panel: 5 candidates: 21 excluded: 3
	// entropy key: 9319./2.5.8.10.12./
	// excluded: E0000 Art. 15(3) same-department
	// events: 25 verified: true
}

// failingGateway refuses the notice to one expert, as an SMS gateway might.
type failingGateway struct {
	expertdb.RecordingNotifier
	refuse string
}

func (g *failingGateway) Notify(ctx context.Context, n expertdb.Notification) error {
	if n.ExpertID == g.refuse {
		g.refuse = "" // the next attempt goes through
		return fmt.Errorf("gateway busy")
	}
	return g.RecordingNotifier.Notify(ctx, n)
}

// ExampleService_Deliver: a notice the gateway refused does not stop the campaign; Deliver
// sends it again with a fresh reply code.
func ExampleService_Deliver() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, cst)
	gateway := &failingGateway{refuse: "E0013"}
	svc, _ := expertdb.NewService(ctx, expertdb.Options{Users: users(), Notifier: gateway,
		Clock: func() time.Time { return now }})
	for i := range 24 {
		_, _ = svc.Admit(ctx, admin, applicant(i))
	}
	rec, _ := svc.Draw(ctx, clerk, storyRequest())
	gateway.refuse = rec.Result.Panel[2].ExpertID
	v, err := svc.StartCampaign(ctx, clerk, rec.Request.ID)
	fmt.Println("started:", err == nil, "sent:", len(gateway.Sent()), "undelivered:", v.Undelivered)
	v, err = svc.Deliver(ctx, clerk, rec.Request.ID)
	fmt.Println("delivered:", err == nil, "sent:", len(gateway.Sent()), "undelivered:", v.Undelivered)
	// Output:
	// started: true sent: 4 undelivered: 1
	// delivered: true sent: 5 undelivered: 0
}
