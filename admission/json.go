package admission

import (
	"encoding/json"
	"strconv"

	"github.com/wzsti/expertdb/internal/wire"
)

// titleCodes are the stable wire codes of the title levels, in the order of the constants.
var titleCodes = []string{"none", "junior", "intermediate", "associate-senior", "senior"}

// titleLabels are the Chinese names of the title levels (职称), in the order of the constants.
var titleLabels = []string{"无", "初级", "中级", "副高级", "正高级"}

// MarshalJSON writes t as its stable code ("none", "junior", "intermediate",
// "associate-senior", "senior"); a value out of range is written as its integer.
func (t TitleLevel) MarshalJSON() ([]byte, error) {
	if t < TitleNone || t > Senior {
		return []byte(strconv.Itoa(int(t))), nil
	}
	return json.Marshal(titleCodes[t])
}

// UnmarshalJSON reads a title level from its code (any case), its Chinese name (初级, 中级,
// 副高级, 正高级) or its integer (the v0.1.0 form, 0 none … 4 senior).
func (t *TitleLevel) UnmarshalJSON(b []byte) error {
	codes := map[string]int{"associatesenior": int(AssociateSenior), "associate_senior": int(AssociateSenior)}
	for i := range titleCodes {
		codes[titleCodes[i]], codes[titleLabels[i]] = i, i
	}
	v, err := wire.Enum(b, "admission: title level", codes)
	if err != nil {
		return err
	}
	*t = TitleLevel(v)
	return nil
}

// UnmarshalJSON reads an affiliation whose dates (from, to) are dates ("2026-03-02",
// midnight UTC) or RFC 3339 times.
func (a *Affiliation) UnmarshalJSON(b []byte) error {
	type plain Affiliation
	*a = Affiliation{}
	return json.Unmarshal(b, &struct {
		*plain
		From wire.Time `json:"from"`
		To   wire.Time `json:"to"`
	}{(*plain)(a), wire.Time{P: &a.From}, wire.Time{P: &a.To}})
}

// UnmarshalJSON reads an expert whose birth date and update time are dates ("1970-01-01",
// midnight UTC) or RFC 3339 times.
func (e *Expert) UnmarshalJSON(b []byte) error {
	type plain Expert
	*e = Expert{}
	return json.Unmarshal(b, &struct {
		*plain
		BirthDate wire.Time `json:"birth_date"`
		UpdatedAt wire.Time `json:"updated_at"`
	}{(*plain)(e), wire.Time{P: &e.BirthDate}, wire.Time{P: &e.UpdatedAt}})
}
