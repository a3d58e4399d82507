package conflict

import (
	"encoding/json"

	"github.com/wzsti/expertdb/internal/wire"
)

// Dates integrators send are read leniently: a date ("2026-03-02", midnight UTC) or an RFC 3339
// time. They are written in RFC 3339, as before.

// UnmarshalJSON reads a dismissal whose date (at) is a date ("2026-03-02", midnight UTC)
// or an RFC 3339 time.
func (d *Dismissal) UnmarshalJSON(b []byte) error {
	type plain Dismissal
	*d = Dismissal{}
	return json.Unmarshal(b, &struct {
		*plain
		At wire.Time `json:"at"`
	}{(*plain)(d), wire.Time{P: &d.At}})
}
