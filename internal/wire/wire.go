// Package wire holds the helpers of expertdb's versioned JSON wire format: durations written
// as strings ("24h") that still accept nanosecond integers, dates that accept both
// "2026-03-02" and RFC 3339, enums that accept their stable code or their old integer, and
// the renaming of legacy keys when an archived record of an older format is decoded.
package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration on the wire: written as a Go duration string ("24h0m0s"),
// read from such a string or from an integer number of nanoseconds (the v0.1.0 form).
type Duration struct{ P *time.Duration }

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) {
	if d.P == nil {
		return []byte("null"), nil
	}
	return json.Marshal(d.P.String())
}

// UnmarshalJSON implements json.Unmarshaler.
func (d Duration) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("invalid duration %q (want e.g. \"24h\")", s)
		}
		*d.P = v
		return nil
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return errors.New("invalid duration: want a string such as \"24h\" or an integer of nanoseconds")
	}
	*d.P = time.Duration(n)
	return nil
}

// Time is a time.Time on the wire: written in RFC 3339, read from RFC 3339 or from a date
// ("2026-03-02", midnight UTC).
type Time struct{ P *time.Time }

// MarshalJSON implements json.Marshaler.
func (t Time) MarshalJSON() ([]byte, error) { return t.P.MarshalJSON() }

// UnmarshalJSON implements json.Unmarshaler.
func (t Time) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("invalid date: want a string \"2026-03-02\" or RFC 3339")
	}
	v, err := ParseTime(s)
	if err != nil {
		return err
	}
	*t.P = v
	return nil
}

// ParseTime parses a date ("2026-03-02", midnight UTC) or an RFC 3339 time.
func ParseTime(s string) (time.Time, error) {
	if len(s) == len(time.DateOnly) {
		if v, err := time.Parse(time.DateOnly, s); err == nil {
			return v, nil
		}
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid date %q: want \"2026-03-02\" or RFC 3339", s)
	}
	return v, nil
}

// Enum decodes an enum written as its stable code (any case; or one of its labels) or as
// its old integer: codes maps each accepted spelling to the value's integer.
func Enum(b []byte, what string, codes map[string]int) (int, error) {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return 0, err
		}
		s = strings.TrimSpace(s)
		if v, ok := codes[s]; ok {
			return v, nil
		}
		if v, ok := codes[strings.ToLower(s)]; ok {
			return v, nil
		}
		return 0, fmt.Errorf("unknown %s %q", what, s)
	}
	n, err := strconv.Atoi(string(b))
	if err != nil {
		return 0, fmt.Errorf("invalid %s: want a string code or an integer", what)
	}
	return n, nil
}

// RenameKeys rewrites every object key of the JSON value b found in names to its new name,
// at any depth, keeping numbers exactly. It upgrades an archived record of an older format
// whose keys were Go field names.
func RenameKeys(b []byte, names map[string]string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(rename(v, names))
}

func rename(v any, names map[string]string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if n, ok := names[k]; ok {
				k = n
			}
			out[k] = rename(e, names)
		}
		return out
	case []any:
		for i := range x {
			x[i] = rename(x[i], names)
		}
		return x
	}
	return v
}
