package conflict

import (
	"encoding/json"

	"github.com/wzsti/expertdb/internal/wire"
)

// UnmarshalJSON reads a relation whose dates (since, until) are dates ("2026-03-02",
// midnight UTC) or RFC 3339 times.
func (r *Relation) UnmarshalJSON(b []byte) error {
	type plain Relation
	*r = Relation{}
	return json.Unmarshal(b, &struct {
		*plain
		Since wire.Time `json:"since"`
		Until wire.Time `json:"until"`
	}{(*plain)(r), wire.Time{P: &r.Since}, wire.Time{P: &r.Until}})
}
