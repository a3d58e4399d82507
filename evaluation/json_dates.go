package evaluation

import (
	"encoding/json"

	"github.com/wzsti/expertdb/internal/wire"
)

// Dates integrators send are read leniently: a date ("2026-03-02", midnight UTC) or an RFC 3339
// time. They are written in RFC 3339, as before.

// UnmarshalJSON reads a rating whose dates (at, activity_at) are a date ("2026-03-02", midnight UTC)
// or an RFC 3339 time.
func (r *Rating) UnmarshalJSON(b []byte) error {
	type plain Rating
	*r = Rating{}
	return json.Unmarshal(b, &struct {
		*plain
		At         wire.Time `json:"at"`
		ActivityAt wire.Time `json:"activity_at"`
	}{(*plain)(r), wire.Time{P: &r.At}, wire.Time{P: &r.ActivityAt}})
}

// UnmarshalJSON reads a participation whose date (date) is a date ("2026-03-02", midnight
// UTC) or an RFC 3339 time.
func (p *Participation) UnmarshalJSON(b []byte) error {
	type plain Participation
	*p = Participation{}
	return json.Unmarshal(b, &struct {
		*plain
		Date wire.Time `json:"date"`
	}{(*plain)(p), wire.Time{P: &p.Date}})
}
