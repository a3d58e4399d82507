package selection

import (
	"encoding/json"

	"github.com/wzsti/expertdb/internal/wire"
)

// Dates integrators send are read leniently: a date ("2026-03-02", midnight UTC) or an RFC 3339
// time. They are written in RFC 3339, as before.

// UnmarshalJSON reads a plan whose date (at) is a date ("2026-03-02", midnight UTC)
// or an RFC 3339 time.
func (p *Plan) UnmarshalJSON(b []byte) error {
	type plain Plan
	*p = Plan{}
	return json.Unmarshal(b, &struct {
		*plain
		At wire.Time `json:"at"`
	}{(*plain)(p), wire.Time{P: &p.At}})
}

// UnmarshalJSON reads an approval whose date (at) is a date ("2026-03-02", midnight UTC)
// or an RFC 3339 time.
func (a *Approval) UnmarshalJSON(b []byte) error {
	type plain Approval
	*a = Approval{}
	return json.Unmarshal(b, &struct {
		*plain
		At wire.Time `json:"at"`
	}{(*plain)(a), wire.Time{P: &a.At}})
}

// UnmarshalJSON reads an invitation whose date (filed_at) is a date ("2026-03-02", midnight UTC)
// or an RFC 3339 time.
func (i *Invitation) UnmarshalJSON(b []byte) error {
	type plain Invitation
	*i = Invitation{}
	return json.Unmarshal(b, &struct {
		*plain
		FiledAt wire.Time `json:"filed_at"`
	}{(*plain)(i), wire.Time{P: &i.FiledAt}})
}

// UnmarshalJSON reads a span whose dates (from, to) are a date ("2026-03-02", midnight UTC)
// or an RFC 3339 time.
func (s *Span) UnmarshalJSON(b []byte) error {
	type plain Span
	*s = Span{}
	return json.Unmarshal(b, &struct {
		*plain
		From wire.Time `json:"from"`
		To   wire.Time `json:"to"`
	}{(*plain)(s), wire.Time{P: &s.From}, wire.Time{P: &s.To}})
}

// UnmarshalJSON reads a booking whose dates (from, to) are a date ("2026-03-02", midnight UTC)
// or an RFC 3339 time.
func (bk *Booking) UnmarshalJSON(b []byte) error {
	type plain Booking
	*bk = Booking{}
	return json.Unmarshal(b, &struct {
		*plain
		From wire.Time `json:"from"`
		To   wire.Time `json:"to"`
	}{(*plain)(bk), wire.Time{P: &bk.From}, wire.Time{P: &bk.To}})
}

// UnmarshalJSON reads a participation whose date (at) is a date ("2026-03-02", midnight UTC)
// or an RFC 3339 time.
func (p *Participation) UnmarshalJSON(b []byte) error {
	type plain Participation
	*p = Participation{}
	return json.Unmarshal(b, &struct {
		*plain
		At wire.Time `json:"at"`
	}{(*plain)(p), wire.Time{P: &p.At}})
}
