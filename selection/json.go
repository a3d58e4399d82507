package selection

import (
	"encoding/json"
	"strconv"

	"github.com/wzsti/expertdb/internal/wire"
)

// MarshalJSON writes m as "v1" or "rfc3797"; an unknown mode is written as its integer.
func (m Mode) MarshalJSON() ([]byte, error) {
	if m != V1 && m != RFC3797 {
		return []byte(strconv.Itoa(int(m))), nil
	}
	return json.Marshal(m.String())
}

// UnmarshalJSON reads a mode from "v1" or "rfc3797" (any case) or its integer (the v0.1.0
// form: 0 v1, 1 rfc3797).
func (m *Mode) UnmarshalJSON(b []byte) error {
	v, err := wire.Enum(b, "selection: mode", map[string]int{"v1": int(V1), "rfc3797": int(RFC3797)})
	if err != nil {
		return err
	}
	*m = Mode(v)
	return nil
}

// UnmarshalJSON reads a request whose dates (at, until, drawn_at) are either dates
// ("2026-03-02", midnight UTC) or RFC 3339 times.
func (r *Request) UnmarshalJSON(b []byte) error {
	type plain Request
	*r = Request{}
	return json.Unmarshal(b, &struct {
		*plain
		At      wire.Time `json:"at"`
		Until   wire.Time `json:"until"`
		DrawnAt wire.Time `json:"drawn_at"`
	}{(*plain)(r), wire.Time{P: &r.At}, wire.Time{P: &r.Until}, wire.Time{P: &r.DrawnAt}})
}
