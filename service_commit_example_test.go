package expertdb_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/audit"
)

// vectorCommitment is the test vector of docs/draw-v1.md §13.
func vectorCommitment() *expertdb.Commitment {
	return &expertdb.Commitment{RequestID: "R-2026-0315",
		RequestDigest: "f2ebbaef81af72da3e9b7473e1e3ed41b9210055cb7dfeeebbdef07a23140d2f",
		PoolDigest:    "1b7f17de981d0157dc9e5b26bedfad0febdcb4e9655225433df8031ebb2f1fbf",
		Policy:        "温州市", Filing: "温科发〔2024〕2号",
		Source: expertdb.EntropySource{Kind: "lottery", Name: "中国福利彩票七乐彩", Round: "2026031",
			At: time.Date(2026, 3, 9, 13, 30, 0, 0, time.UTC), Count: 7}}
}

// The commitment digest of a draw: published in the commit event before the lottery draw.
func ExampleCommitment_Digest() {
	c := vectorCommitment()
	fmt.Printf("%q\n", c.Source.Key())
	fmt.Println(c.Digest())
	// Output:
	// "expertdb-entropy-source-v1\nlottery\n中国福利彩票七乐彩\n2026031\n2026-03-09T13:30:00Z\n7\n"
	// b8b3663d10c25a5069316300b4bd8c3020186abf659e9f6a295bc630ba68861e
}

// TestCommitmentDigestFollowsTheSpec recomputes the digest from the text of §13.
func TestCommitmentDigestFollowsTheSpec(t *testing.T) {
	c := vectorCommitment()
	text := "expertdb-draw-commit-v1\nR-2026-0315\n" + c.RequestDigest + "\n" + c.PoolDigest + "\n温州市\n温科发〔2024〕2号\n" +
		"expertdb-entropy-source-v1\nlottery\n中国福利彩票七乐彩\n2026031\n2026-03-09T13:30:00Z\n7\n"
	sum := sha256.Sum256([]byte(text))
	assert.Equal(t, hex.EncodeToString(sum[:]), c.Digest())
	d := *c
	d.Source.Round = "2026032"
	assert.NotEqual(t, c.Digest(), d.Digest(), "another source is another commitment")
}

// ExampleService_DrawCommitted: a request is submitted, approved by a leader, committed to a
// lottery draw that has not happened yet, and drawn once its numbers are published and
// entered by the discipline office (the committer never enters them alone).
func ExampleService_DrawCommitted() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, cst)
	svc, err := expertdb.NewService(ctx, expertdb.Options{Users: users(), Clock: func() time.Time { return now },
		Random: bytes.NewReader(bytes.Repeat([]byte{7}, 4096))})
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
	req.Entropy = nil
	st, err := svc.Submit(ctx, clerk, req)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("submitted:", st.Status)
	if st, err = svc.Approve(ctx, leader, req.ID, expertdb.ApproveRequest); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("approved:", st.Status)
	src := expertdb.EntropySource{Kind: "lottery", Name: expertdb.SourceFucai3D, Round: "2026055", At: now.Add(12 * time.Hour), Count: 3}
	c, err := svc.Commit(ctx, clerk, req.ID, src)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("committed to:", c.Source.Name, c.Source.Round)
	_, err = svc.DrawCommitted(ctx, clerk, req.ID, expertdb.PublicValue{Source: src, Values: []uint64{5, 0, 8}})
	fmt.Println("too early:", errors.Is(err, expertdb.ErrTooEarly))
	now = src.At.Add(time.Hour)
	value := expertdb.PublicValue{Source: src, Values: []uint64{5, 0, 8}}
	_, err = svc.DrawCommitted(ctx, clerk, req.ID, value)
	fmt.Println("committer alone:", errors.Is(err, audit.ErrDenied))
	if _, err := svc.PublishValue(ctx, inspector, req.ID, value); err != nil {
		fmt.Println(err)
		return
	}
	rec, err := svc.DrawCommitted(ctx, clerk, req.ID, value)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("panel:", len(rec.Result.Panel), "entropy:", rec.Entropy.Key(), "practice:", rec.Practice)
	// Output:
	// submitted: submitted
	// approved: approved
	// committed to: 中国福利彩票福彩3D 2026055
	// too early: true
	// committer alone: true
	// panel: 5 entropy: 0.5.8./ practice: false
}
