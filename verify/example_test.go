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

// ExampleCheck commits a draw to a lottery draw that has not happened yet (docs/draw-v1.md
// §13), draws a panel with its numbers, records both events in a signed audit log, assembles
// the bundle an inspector receives, and checks it; then checks a copy whose panel was
// altered.
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
	// The commitment: request, candidates and a future public value (the lottery's 7 numbers).
	committed := activity.Add(-72 * time.Hour)
	src := verify.Source{Kind: "lottery", Name: "中国福利彩票七乐彩", Round: "2026031", At: committed.Add(30 * time.Hour), Count: 7}
	numbers := selection.Entropy{Sources: [][]uint64{{3, 17, 22, 28, 31, 9, 12}}}
	_, pub, err := prep.DrawPublic(pool, numbers)
	if err != nil {
		fmt.Println(err)
		return
	}
	digest := verify.CommitDigest(pub.RequestID, pub.RequestDigest, pub.PoolDigest, "温州市", "温科发〔2024〕2号", src)
	commit, _ := json.Marshal(map[string]any{"kind": "request", "outcome": "committed", "commit_digest": digest,
		"request_digest": pub.RequestDigest, "pool_digest": pub.PoolDigest, "policy": "温州市", "filing": "温科发〔2024〕2号", "source": src})
	ci, _ := log.Append(ctx, audit.Event{At: committed, Actor: clerk, Action: audit.ActionDraw, Subjects: []string{pub.RequestID}, Data: commit})
	// The draw, once the numbers are published.
	data, _ := json.Marshal(map[string]any{"kind": "request", "public_digest": pub.Digest(), "request_digest": pub.RequestDigest,
		"pool_digest": pub.PoolDigest, "key": pub.Key, "mode": pub.Mode, "commit_index": ci, "commit_digest": digest})
	subjects := []string{pub.RequestID}
	for _, p := range pub.Panel {
		subjects = append(subjects, p.ExpertID)
	}
	idx, _ := log.Append(ctx, audit.Event{At: src.At.Add(time.Hour), Actor: clerk, Action: audit.ActionDraw, Subjects: subjects, Data: data})
	b, _ := verify.NewBundleParts(ctx, log, idx, pub, vkey, verify.Parts{Commit: &verify.CommitRef{AuditIndex: ci, Digest: digest, Source: src}})
	fmt.Println("panel:", subjects[1:], "failed:", verify.Failed(verify.Check(b)))

	b.Public.Panel[0].ExpertID = "E07" // E07 is not the expert drawn in round 0
	fmt.Println("altered, failed:", verify.Failed(verify.Check(b)))
	// Output:
	// panel: [E02 E06 E01] failed: []
	// altered, failed: [event panel]
}
