package expertdb

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/wzsti/expertdb/selection"
)

// seatsStream is the EventStore stream of accepted seats across all activities: the source
// of Pool.Bookings (date clashes, Art. 8(2)) and Pool.History (county exclusion rules such
// as the cooling-off rule). The campaigns' own streams remain the record; this stream is an
// index over them that a draw can read in one call.
const seatsStream = "seats"

// seatRecord is one accepted seat, or its release after a withdrawal.
type seatRecord struct {
	ExpertID      string    `json:"expert_id"`
	ActivityID    string    `json:"activity_id"`
	From          time.Time `json:"from"`
	To            time.Time `json:"to"`
	ApplicantUnit string    `json:"applicant_unit,omitempty"`
	At            time.Time `json:"at"`
	Released      bool      `json:"released,omitempty"`
}

// appendSeat appends r to the seats stream, retrying when another writer got there first.
func (s *Service) appendSeat(ctx context.Context, r seatRecord) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		evs, err := s.events.Events(ctx, seatsStream)
		if err != nil {
			return err
		}
		err = s.appendEvent(ctx, seatsStream, int64(len(evs)), raw)
		if err == nil || !errors.Is(err, ErrConflict) || attempt >= 20 {
			return err
		}
	}
}

// seatOf is the seat record of expert id on the activity of rec.
func seatOf(rec *DrawRecord, id string, released bool) seatRecord {
	span := rec.Request.Span()
	return seatRecord{ExpertID: id, ActivityID: rec.Request.ID, From: span.From, To: span.To,
		ApplicantUnit: rec.Request.Project.Leader.Affiliation.Org, At: rec.Request.At, Released: released}
}

// loadSeats folds the seats stream into the bookings and history of every expert.
func (s *Service) loadSeats(ctx context.Context) (map[string][]selection.Booking, map[string][]selection.Participation, error) {
	raw, err := s.events.Events(ctx, seatsStream)
	if err != nil {
		return nil, nil, err
	}
	return foldSeats(raw)
}
