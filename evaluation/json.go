package evaluation

import (
	"encoding/json"
	"strconv"

	"github.com/wzsti/expertdb/internal/wire"
)

// MarshalJSON writes g as its stable code ("excellent", "good", "poor"); a value that is not
// a grade (such as the zero value) is written as its integer.
func (g Grade) MarshalJSON() ([]byte, error) {
	if !g.Valid() {
		return []byte(strconv.Itoa(int(g))), nil
	}
	return json.Marshal(g.String())
}

// UnmarshalJSON reads a grade from its code (any case), its Chinese name (优秀, 良好, 差) or
// its integer (the v0.1.0 form: 1 poor, 2 good, 3 excellent).
func (g *Grade) UnmarshalJSON(b []byte) error {
	codes := map[string]int{}
	for _, x := range Grades() {
		codes[x.String()], codes[x.Label()] = int(x), int(x)
	}
	v, err := wire.Enum(b, "evaluation: grade", codes)
	if err != nil {
		return err
	}
	*g = Grade(v)
	return nil
}

// MarshalJSON writes a as its stable code ("attended", "no-show", "excused"); a value that
// is not an attendance is written as its integer.
func (a Attendance) MarshalJSON() ([]byte, error) {
	if !a.Valid() {
		return []byte(strconv.Itoa(int(a))), nil
	}
	return json.Marshal(a.String())
}

// UnmarshalJSON reads an attendance from its code (any case) or its integer (the v0.1.0
// form: 0 attended, 1 no-show, 2 excused).
func (a *Attendance) UnmarshalJSON(b []byte) error {
	codes := map[string]int{}
	for _, x := range []Attendance{Attended, NoShow, Excused} {
		codes[x.String()] = int(x)
	}
	v, err := wire.Enum(b, "evaluation: attendance", codes)
	if err != nil {
		return err
	}
	*a = Attendance(v)
	return nil
}
