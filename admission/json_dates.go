package admission

import (
	"encoding/json"

	"github.com/wzsti/expertdb/internal/wire"
)

// Dates integrators send are read leniently: a date ("2026-03-02", midnight UTC) or an RFC 3339
// time. They are written in RFC 3339, as before.

// UnmarshalJSON reads an admission entry whose date (date) is a date ("2026-03-02", midnight UTC)
// or an RFC 3339 time.
func (e *Entry) UnmarshalJSON(b []byte) error {
	type plain Entry
	*e = Entry{}
	return json.Unmarshal(b, &struct {
		*plain
		Date wire.Time `json:"date"`
	}{(*plain)(e), wire.Time{P: &e.Date}})
}

// UnmarshalJSON reads the evidence of a personal application whose date (pledge_signed_at) is a date ("2026-03-02", midnight UTC)
// or an RFC 3339 time.
func (p *PersonalEvidence) UnmarshalJSON(b []byte) error {
	type plain PersonalEvidence
	*p = PersonalEvidence{}
	return json.Unmarshal(b, &struct {
		*plain
		PledgeSignedAt wire.Time `json:"pledge_signed_at"`
	}{(*plain)(p), wire.Time{P: &p.PledgeSignedAt}})
}

// UnmarshalJSON reads a division's invitation whose date (approved_at) is a date ("2026-03-02", midnight UTC)
// or an RFC 3339 time.
func (d *DivisionInvitation) UnmarshalJSON(b []byte) error {
	type plain DivisionInvitation
	*d = DivisionInvitation{}
	return json.Unmarshal(b, &struct {
		*plain
		ApprovedAt wire.Time `json:"approved_at"`
	}{(*plain)(d), wire.Time{P: &d.ApprovedAt}})
}

// UnmarshalJSON reads a credential whose date (date) is a date ("2026-03-02", midnight UTC)
// or an RFC 3339 time.
func (c *Credential) UnmarshalJSON(b []byte) error {
	type plain Credential
	*c = Credential{}
	return json.Unmarshal(b, &struct {
		*plain
		Date wire.Time `json:"date"`
	}{(*plain)(c), wire.Time{P: &c.Date}})
}

// UnmarshalJSON reads an integrity record whose date (date) is a date ("2026-03-02", midnight UTC)
// or an RFC 3339 time.
func (r *Record) UnmarshalJSON(b []byte) error {
	type plain Record
	*r = Record{}
	return json.Unmarshal(b, &struct {
		*plain
		Date wire.Time `json:"date"`
	}{(*plain)(r), wire.Time{P: &r.Date}})
}

// UnmarshalJSON reads a record review whose date (at) is a date ("2026-03-02", midnight UTC)
// or an RFC 3339 time.
func (r *RecordReview) UnmarshalJSON(b []byte) error {
	type plain RecordReview
	*r = RecordReview{}
	return json.Unmarshal(b, &struct {
		*plain
		At wire.Time `json:"at"`
	}{(*plain)(r), wire.Time{P: &r.At}})
}

// UnmarshalJSON reads an exit whose date (date) is a date ("2026-03-02", midnight UTC)
// or an RFC 3339 time.
func (e *Exit) UnmarshalJSON(b []byte) error {
	type plain Exit
	*e = Exit{}
	return json.Unmarshal(b, &struct {
		*plain
		Date wire.Time `json:"date"`
	}{(*plain)(e), wire.Time{P: &e.Date}})
}

// UnmarshalJSON reads a period whose dates (from, to) are a date ("2026-03-02", midnight UTC)
// or an RFC 3339 time.
func (p *Period) UnmarshalJSON(b []byte) error {
	type plain Period
	*p = Period{}
	return json.Unmarshal(b, &struct {
		*plain
		From wire.Time `json:"from"`
		To   wire.Time `json:"to"`
	}{(*plain)(p), wire.Time{P: &p.From}, wire.Time{P: &p.To}})
}

// UnmarshalJSON reads a training whose date (date) is a date ("2026-03-02", midnight UTC)
// or an RFC 3339 time.
func (t *Training) UnmarshalJSON(b []byte) error {
	type plain Training
	*t = Training{}
	return json.Unmarshal(b, &struct {
		*plain
		Date wire.Time `json:"date"`
	}{(*plain)(t), wire.Time{P: &t.Date}})
}

// UnmarshalJSON reads a review whose date (at) is a date ("2026-03-02", midnight UTC)
// or an RFC 3339 time.
func (r *Review) UnmarshalJSON(b []byte) error {
	type plain Review
	*r = Review{}
	return json.Unmarshal(b, &struct {
		*plain
		At wire.Time `json:"at"`
	}{(*plain)(r), wire.Time{P: &r.At}})
}

// UnmarshalJSON reads an exit request whose date (requested_at) is a date ("2026-03-02", midnight UTC)
// or an RFC 3339 time.
func (e *ExitRequest) UnmarshalJSON(b []byte) error {
	type plain ExitRequest
	*e = ExitRequest{}
	return json.Unmarshal(b, &struct {
		*plain
		RequestedAt wire.Time `json:"requested_at"`
	}{(*plain)(e), wire.Time{P: &e.RequestedAt}})
}
