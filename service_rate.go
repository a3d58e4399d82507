package expertdb

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/wzsti/expertdb/audit"
)

// Served is one request an expert served on: the activity and the using unit.
type Served struct {
	RequestID string `json:"request_id"`
	Unit      string `json:"unit"`
	Practice  bool   `json:"practice,omitempty"`
}

// ServedOn lists the requests on which the expert accepted a seat (and did not withdraw),
// in the order the seats were accepted: when a violation is recorded against an expert,
// the reviews they took part in are reviewed again (Art. 24). Only a role that may view
// every request (the city bureau, the discipline office, leaders) may ask; the listing is
// recorded.
func (s *Service) ServedOn(ctx context.Context, actor audit.Actor, expertID string) ([]Served, error) {
	const op = "served on"
	now := s.clock()
	if err := s.authorize(ctx, op, now, actor, audit.ActionView, audit.Resource{Kind: audit.KindRequest, Owner: expertID}); err != nil {
		return nil, err
	}
	raw, err := s.events.Events(ctx, seatsStream)
	if err != nil {
		return nil, &OpError{Op: op, Step: StepLoad, Err: err}
	}
	held := map[string]bool{}
	var order []string
	for i, b := range raw {
		var r seatRecord
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, &OpError{Op: op, Step: StepLoad, Err: fmt.Errorf("expertdb: seat record %d: %w", i, err)}
		}
		if r.ExpertID != expertID {
			continue
		}
		if !slices.Contains(order, r.ActivityID) {
			order = append(order, r.ActivityID)
		}
		held[r.ActivityID] = !r.Released
	}
	var out []Served
	for _, id := range order {
		if !held[id] {
			continue
		}
		rec, err := s.loadDraw(ctx, id)
		if err != nil {
			return nil, &OpError{Op: op, Step: StepLoad, Err: err}
		}
		out = append(out, Served{RequestID: id, Unit: rec.Unit, Practice: rec.Practice})
	}
	ids := make([]string, len(out))
	for i, sv := range out {
		ids[i] = sv.RequestID
	}
	if _, err := s.record(ctx, now, actor, audit.ActionView, map[string]any{"kind": "request", "served_on": len(out),
		"article": "Art. 24"}, append([]string{expertID}, ids...)...); err != nil {
		return nil, &OpError{Op: op, Step: StepAudit, Err: err}
	}
	return out, nil
}
