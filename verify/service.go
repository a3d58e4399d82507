package verify

import (
	"context"
	"fmt"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/selection"
)

// FromDrawRecord assembles the bundle of a draw made by svc: it rebuilds the public record
// from the stored draw record (request, pool snapshot, entropy, result) under the Service's
// policy, checks that it is the record the draw event committed to, and proves the event in
// the audit log. rec must be the unsealed record (Service.DrawRecord for an actor who may
// see the panel); verifierKey is the log's note verifier key the bureau publishes. A policy
// changed since the draw gives another request digest and is refused.
func FromDrawRecord(ctx context.Context, svc *expertdb.Service, rec *expertdb.DrawRecord, verifierKey string) (*Bundle, error) {
	if rec == nil || rec.Result == nil {
		return nil, fmt.Errorf("verify: the draw record has no result")
	}
	prep, err := selection.Prepare(rec.Request, svc.Policy().Selection)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	if prep.RequestDigest() != rec.Result.RequestDigest {
		return nil, fmt.Errorf("verify: the policy now gives request digest %s, the draw had %s: the policy changed since the draw", prep.RequestDigest(), rec.Result.RequestDigest)
	}
	pub, err := selection.NewPublicRecord(prep, rec.Pool, rec.Entropy, rec.Result)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	b, err := NewBundle(ctx, svc.Log(), rec.AuditIndex, pub, verifierKey)
	if err != nil {
		return nil, err
	}
	if err := checkEvent(b); err != nil {
		return nil, fmt.Errorf("verify: the rebuilt public record is not the one the draw event committed to: %w", err)
	}
	return b, nil
}
