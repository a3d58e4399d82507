package audit

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// ErrMismatch is wrapped when the records in a store do not hash to the root a checkpoint
// signs: some record was altered, removed, reordered or inserted.
var ErrMismatch = errors.New("audit: records do not match the checkpoint")

// Verify checks a store against a signed checkpoint, trusting nothing but the verifier key:
//
//  1. the checkpoint note is signed by v's key and its origin is v.Name() (else ErrCheckpoint);
//  2. the store holds at least the checkpoint's size in records (else ErrTruncated);
//  3. each of those records is the canonical encoding of a valid event (else ErrBadRecord,
//     naming the index);
//  4. the RFC 6962 Merkle root recomputed from the raw records equals the signed root
//     (else ErrMismatch).
//
// A flipped bit, a removed, reordered or inserted record, a truncated store and a forged or
// wrongly signed checkpoint each fail. Records appended after the checkpoint are not covered
// by it (the log may grow); to check them, verify a later checkpoint, and check that it is
// consistent with this one (Log.ProveConsistency, CheckConsistency).
//
// Verify reads the store in batches and keeps only O(log n) hashes in memory; it never reads
// the hashes of a HashStore.
func Verify(ctx context.Context, s Store, checkpoint []byte, v note.Verifier) error {
	cp, err := OpenCheckpoint(checkpoint, v)
	if err != nil {
		return err
	}
	if s == nil {
		return errors.New("audit: verify: nil store")
	}
	have, err := s.Len(ctx)
	if err != nil {
		return fmt.Errorf("audit: verify: %w", err)
	}
	if have < cp.Size {
		return fmt.Errorf("%w: store holds %d records, checkpoint signs %d", ErrTruncated, have, cp.Size)
	}
	var t treeBuilder
	var scratch []byte
	d := sha256.New()
	for start := int64(0); start < cp.Size; {
		k := min(readBatch, cp.Size-start)
		recs, err := s.Read(ctx, start, k)
		if err != nil {
			return fmt.Errorf("audit: verify: read records %d–%d: %w", start, start+k-1, err)
		}
		if int64(len(recs)) != k {
			return fmt.Errorf("%w: store returned %d records from %d, asked for %d", ErrTruncated, len(recs), start, k)
		}
		for i, r := range recs {
			if _, err := decodeRecord(r, &scratch); err != nil {
				return fmt.Errorf("%w: record %d: %v", ErrBadRecord, start+int64(i), err)
			}
			t.add(leafHash(d, r))
		}
		start += k
	}
	if root := t.root(); root != cp.Hash {
		return fmt.Errorf("%w: %d records hash to %s, the checkpoint signs %s", ErrMismatch, cp.Size, root, cp.Hash)
	}
	return nil
}

// treeBuilder computes an RFC 6962 Merkle tree hash over a stream of leaf hashes, keeping
// one hash per set bit of the leaf count (the roots of the complete subtrees so far, left
// to right).
type treeBuilder struct {
	n     int64
	stack []tlog.Hash
}

func (t *treeBuilder) add(h tlog.Hash) {
	t.stack = append(t.stack, h)
	for c := t.n; c&1 == 1; c >>= 1 {
		k := len(t.stack)
		t.stack[k-2] = tlog.NodeHash(t.stack[k-2], t.stack[k-1])
		t.stack = t.stack[:k-1]
	}
	t.n++
}

// root returns the tree hash of the leaves added so far.
func (t *treeBuilder) root() tlog.Hash {
	if len(t.stack) == 0 {
		return emptyTreeHash
	}
	h := t.stack[len(t.stack)-1]
	for j := len(t.stack) - 2; j >= 0; j-- {
		h = tlog.NodeHash(t.stack[j], h)
	}
	return h
}
