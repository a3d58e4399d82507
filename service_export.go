package expertdb

import (
	"context"
	"encoding/json"
	"fmt"

	"golang.org/x/mod/sumdb/note"

	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/selection"
	"github.com/wzsti/expertdb/verify"
)

// ExportBundle hands out the verification bundle of a drawn request (docs/draw-v1.md §15):
// the public draw record rebuilt from the stored draw record, the draw event, the commit
// event the draw names (none for a practice draw), the campaign's seat events, and the
// export event itself, each with its inclusion proof under one checkpoint signed now.
// verifierKey is the log's note verifier key as the bureau publishes it; a key that does not
// verify the Service's checkpoints is refused. An inspector checks the bundle with
// verify.Check or verify/index.html.
//
// Who may export (Art. 17, 20, 22): the using unit (division or county, the request's own
// unit) and the city administrator, through the export permission (audit.ActionExport on
// the request); the discipline office, which may only view, through the view permission —
// handing it the means to check a draw is supervision (Art. 14(1), 27), not a change. While
// the panel is sealed for the actor (Art. 8(6), 22(3)) the export is refused like any view
// of the panel. The export is recorded as an audit event (action export) naming the public
// digest and the campaign digest; the bundle proves that event too.
//
// The bundle carries no personal data of experts (no names, ID numbers, mobiles, units or
// reasons): expert IDs, signatures as quota indexes and opaque group ids, exclusion codes,
// and the audit records of the draw, the commitment and the export, whose actors are the
// bureau's own real-name users (Art. 18).
func (s *Service) ExportBundle(ctx context.Context, actor audit.Actor, requestID, verifierKey string) (*verify.Bundle, error) {
	const op = "export bundle"
	now := s.clock()
	rec, err := s.loadDraw(ctx, requestID)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	res := audit.Resource{Kind: audit.KindRequest, ID: requestID, Unit: rec.Unit}
	action := audit.ActionExport
	if actor.Role == audit.RoleDiscipline {
		action = audit.ActionView
	}
	if err := s.authorize(ctx, op, now, actor, action, res); err != nil {
		return nil, err
	}
	sealed, err := s.sealedFor(ctx, rec, actor, now)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	if sealed {
		err := s.deny(ctx, op, now, audit.Decision{Rule: "sealed-panel", Article: "Art. 8(6), 9(7), 22(3)", Code: "sealed-panel",
			Message: "名单密封期间不能导出核验文件（其中含专家组名单）", Actor: actor, Action: action, Resource: res})
		s.raiseAlerts(ctx, now)
		return nil, fmt.Errorf("%w: %w", ErrSealedPanel, err)
	}
	// A key that does not verify the log's checkpoints gives a bundle nobody can check:
	// refused before anything is recorded.
	v, err := note.NewVerifier(verifierKey)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepValidate, Err: fmt.Errorf("expertdb: verifier key: %w", err)}
	}
	signed, err := s.log.Checkpoint(ctx)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	if _, err := audit.OpenCheckpoint(signed, v); err != nil {
		return nil, &OpError{Op: op, Step: StepValidate, Err: fmt.Errorf("expertdb: the verifier key does not verify the log's checkpoint: %w", err)}
	}
	pub, err := s.publicRecord(ctx, rec)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	raw, err := s.events.Events(ctx, campaignStream(requestID))
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	data := map[string]any{"kind": "request", "outcome": "bundle", "draw_index": rec.AuditIndex, "public_digest": pub.Digest()}
	parts := verify.Parts{HasExport: true}
	if len(raw) > 0 {
		evs := make([]selection.Event, len(raw))
		for i, r := range raw {
			if err := json.Unmarshal(r, &evs[i]); err != nil {
				return nil, &OpError{Op: op, Step: StepLoad, Err: fmt.Errorf("expertdb: campaign %q event %d: %w", requestID, i, err)}
			}
		}
		parts.Campaign = selection.NewPublicCampaign(requestID, evs)
		data["campaign_digest"] = parts.Campaign.Digest()
	}
	if c := rec.Commit; c != nil {
		parts.Commit = &verify.CommitRef{AuditIndex: c.AuditIndex, Digest: c.Digest, Source: verify.Source{Kind: c.Source.Kind,
			Name: c.Source.Name, Round: c.Source.Round, At: c.Source.At, Count: c.Source.Count}}
	}
	if rec.Practice {
		data["practice"] = true
	}
	if parts.Export, err = s.record(ctx, now, actor, audit.ActionExport, data, requestID); err != nil {
		return nil, &OpError{Op: op, Step: StepAudit, Err: err}
	}
	b, err := verify.NewBundleParts(ctx, s.log, rec.AuditIndex, pub, verifierKey, parts)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepValidate, Err: err}
	}
	return b, nil
}

// publicRecord rebuilds the public record of a stored draw under the Service's policy and
// checks that it is the record the draw event committed to (its public digest).
func (s *Service) publicRecord(ctx context.Context, rec *DrawRecord) (*selection.PublicRecord, error) {
	if rec.Result == nil {
		return nil, fmt.Errorf("expertdb: the draw record has no result")
	}
	var pub *selection.PublicRecord
	if rec.Commit != nil {
		// A committed draw replays from the frozen pool and the committed request, as
		// DrawCommitted drew it.
		st, err := s.loadRequest(ctx, rec.Request.ID)
		if err != nil {
			return nil, err
		}
		c := st.Commitment
		if c == nil {
			return nil, fmt.Errorf("expertdb: the draw of %q names a commitment its request does not hold", rec.Request.ID)
		}
		prep, err := selection.PrepareWith(c.Request, s.policy.Selection, selection.PrepareOptions{Masked: c.Masked})
		if err != nil {
			return nil, err
		}
		if _, pub, err = prep.DrawPublic(c.Pool, rec.Entropy); err != nil {
			return nil, err
		}
	} else {
		// A practice draw: the public record is rebuilt from the pool snapshot. The draw
		// screened with the expressions masked when its actor may not see personal data;
		// the record does not say so, so both are tried.
		for _, m := range []bool{false, true} {
			prep, err := selection.PrepareWith(rec.Request, s.policy.Selection, selection.PrepareOptions{Masked: m})
			if err != nil {
				return nil, err
			}
			if prep.RequestDigest() != rec.Result.RequestDigest {
				return nil, fmt.Errorf("expertdb: the policy now gives request digest %s, the draw had %s: the policy changed since the draw", prep.RequestDigest(), rec.Result.RequestDigest)
			}
			if pub, err = selection.NewPublicRecord(prep, rec.Pool, rec.Entropy, rec.Result); err == nil {
				break
			} else if m {
				return nil, err
			}
		}
	}
	events, err := s.log.Events(ctx, rec.AuditIndex, 1)
	if err != nil {
		return nil, err
	}
	var data struct {
		PublicDigest string `json:"public_digest"`
	}
	if len(events) != 1 || json.Unmarshal(events[0].Data, &data) != nil || data.PublicDigest != pub.Digest() {
		return nil, fmt.Errorf("expertdb: the rebuilt public record of %q is not the one its draw event committed to", rec.Request.ID)
	}
	return pub, nil
}
