package expertdb

import (
	"bytes"
	"encoding/json"

	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/internal/wire"
	"github.com/wzsti/expertdb/selection"
)

// DrawRecordVersion names the format of the draw records this package writes
// (DrawRecord.Version): snake_case keys throughout, enums as stable strings ("mode": "v1"),
// the reply window as a duration string ("24h0m0s").
//
// Records of the v0.1.0 format ("expertdb-draw-record-v1": Go field names as keys in the
// request and its project, "mode" and "window" as integers) still decode, replay and rebuild
// their campaign: DrawRecord.UnmarshalJSON upgrades them. A decoded record keeps the version
// it was written with.
const DrawRecordVersion = "expertdb-draw-record-v2"

// drawRecordV1 is the format of v0.1.0.
const drawRecordV1 = "expertdb-draw-record-v1"

// knownRecordVersion reports whether v is a draw record format this package reads.
func knownRecordVersion(v string) bool { return v == DrawRecordVersion || v == drawRecordV1 }

// legacyKeys renames the keys of a v0.1.0 record whose Go field names did not match their
// new snake_case names case-insensitively (encoding/json matches the others by itself).
var legacyKeys = map[string]string{
	"IDNumber":        "id_number",
	"ExpertID":        "expert_id",
	"OrgCode":         "org_code",
	"DrawnAt":         "drawn_at",
	"RequestID":       "request_id",
	"MaskedName":      "masked_name",
	"UnfamiliarField": "unfamiliar_field",
	"ApprovedBy":      "approved_by",
}

// MarshalJSON writes the record in the DrawRecordVersion format (the window as a duration
// string).
func (r DrawRecord) MarshalJSON() ([]byte, error) {
	type plain DrawRecord
	return json.Marshal(struct {
		*plain
		Window wire.Duration `json:"window"`
	}{(*plain)(&r), wire.Duration{P: &r.Window}})
}

// UnmarshalJSON reads a record of the current format or of v0.1.0
// ("expertdb-draw-record-v1"), whose keys it upgrades first. The window is read from a
// duration string or an integer of nanoseconds.
func (r *DrawRecord) UnmarshalJSON(b []byte) error {
	var head struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return err
	}
	if head.Version == drawRecordV1 {
		up, err := wire.RenameKeys(b, legacyKeys)
		if err != nil {
			return err
		}
		b = up
	}
	type plain DrawRecord
	*r = DrawRecord{}
	return json.Unmarshal(b, &struct {
		*plain
		Window wire.Duration `json:"window"`
	}{(*plain)(r), wire.Duration{P: &r.Window}})
}

// drawRequestRest is the part of a DrawRequest outside its selection.Request.
type drawRequestRest struct {
	Unit      *string              `json:"unit"`
	Labels    *[]string            `json:"labels"`
	Relations *[]conflict.Relation `json:"relations"`
	Entropy   **selection.Entropy  `json:"entropy"`
	Window    wire.Duration        `json:"window"`
}

// MarshalJSON writes the request with its window as a duration string ("24h0m0s").
func (d DrawRequest) MarshalJSON() ([]byte, error) {
	type plain DrawRequest
	var w *wire.Duration
	if d.Window != 0 {
		w = &wire.Duration{P: &d.Window}
	}
	return json.Marshal(struct {
		*plain
		Window *wire.Duration `json:"window,omitempty"`
	}{(*plain)(&d), w})
}

// UnmarshalJSON reads a request: the fields of selection.Request (dates as "2026-03-02" or
// RFC 3339) and the unit, labels, relations, entropy and window (a duration string such as
// "24h", or an integer of nanoseconds).
func (d *DrawRequest) UnmarshalJSON(b []byte) error {
	*d = DrawRequest{}
	if err := json.Unmarshal(b, &d.Request); err != nil {
		return err
	}
	return json.Unmarshal(b, &drawRequestRest{Unit: &d.Unit, Labels: &d.Labels, Relations: &d.Relations,
		Entropy: &d.Entropy, Window: wire.Duration{P: &d.Window}})
}

// UnmarshalJSON reads an entropy source whose publication time (at) is a date
// ("2026-03-02", midnight UTC) or an RFC 3339 time.
func (e *EntropySource) UnmarshalJSON(b []byte) error {
	type plain EntropySource
	*e = EntropySource{}
	return json.Unmarshal(b, &struct {
		*plain
		At wire.Time `json:"at"`
	}{(*plain)(e), wire.Time{P: &e.At}})
}

// UnmarshalJSON implements json.Unmarshaler: ExpertFilter's dates accept "2026-03-02" as
// well as RFC 3339, and an unknown key is refused (a misspelt filter would otherwise widen
// the result without a word).
func (f *ExpertFilter) UnmarshalJSON(b []byte) error {
	type plain ExpertFilter
	*f = ExpertFilter{}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(&struct {
		*plain
		AdmittedSince wire.Time `json:"admitted_since"`
		UpdatedSince  wire.Time `json:"updated_since"`
	}{(*plain)(f), wire.Time{P: &f.AdmittedSince}, wire.Time{P: &f.UpdatedSince}})
}
