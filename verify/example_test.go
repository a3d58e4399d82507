package verify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/selection"
	"github.com/wzsti/expertdb/verify"
)

// ExampleCheck draws a panel, records the draw event with the public record's digest in a
// signed audit log, assembles the bundle an inspector receives, and checks it; then checks a
// copy whose panel was altered.
func ExampleCheck() {
	ctx := context.Background()
	skey, vkey, _ := note.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{1}, 64)), "wzkj.example/expertdb")
	signer, _ := note.NewSigner(skey)
	log, _ := audit.NewLog(ctx, audit.NewMemoryStore(), signer)

	pool := selection.Pool{}
	for i := range 8 {
		pool.Experts = append(pool.Experts, expert(fmt.Sprintf("E%02d", i), fmt.Sprintf("单位%d", i%3), "330302", i%2 == 0))
	}
	req := selection.Request{ID: "R-1", Size: 3, At: activity,
		Groups: []selection.GroupCap{{Name: "unit", Key: "expert.Affiliation.Org", Max: 1}}}
	prep, _ := selection.Prepare(req, nil)
	_, pub, err := prep.DrawPublic(pool, selection.Entropy{Sources: [][]uint64{{9319}, {2, 5, 12, 8, 10}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	data, _ := json.Marshal(map[string]any{"kind": "request", "public_digest": pub.Digest(),
		"request_digest": pub.RequestDigest, "pool_digest": pub.PoolDigest, "key": pub.Key, "mode": pub.Mode})
	subjects := []string{pub.RequestID}
	for _, p := range pub.Panel {
		subjects = append(subjects, p.ExpertID)
	}
	idx, _ := log.Append(ctx, audit.Event{At: activity.Add(-48 * time.Hour), Actor: clerk, Action: audit.ActionDraw, Subjects: subjects, Data: data})
	b, _ := verify.NewBundle(ctx, log, idx, pub, vkey)
	fmt.Println("panel:", subjects[1:], "failed:", verify.Failed(verify.Check(b)))

	b.Public.Panel[0].ExpertID = "E07" // E07 is not the expert drawn in round 0
	fmt.Println("altered, failed:", verify.Failed(verify.Check(b)))
	// Output:
	// panel: [E02 E03 E01] failed: []
	// altered, failed: [event panel]
}
