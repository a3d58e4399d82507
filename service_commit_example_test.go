package expertdb_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/wzsti/expertdb"
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
