package admission_test

import (
	"time"

	"github.com/wzsti/expertdb/admission"
)

// day is a calendar date at midnight UTC.
func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// idNumber builds a valid ID number from a region code, a YYYYMMDD birth date and a
// three-digit sequence.
func idNumber(region, birth, seq string) string {
	first := region + birth + seq
	c, ok := admission.IDNumberCheckChar(first)
	if !ok {
		panic("bad id parts " + first)
	}
	return first + string(c)
}

// uscc completes 17 characters with their check character.
func uscc(first17 string) string {
	c, ok := admission.USCCCheckChar(first17)
	if !ok {
		panic("bad uscc " + first17)
	}
	return first17 + string(c)
}

var asOf = day(2026, 3, 1)

// technicalExpert is an eligible technical expert on asOf: born 1970-05-20, associate-senior
// title, political-quality declaration.
func technicalExpert() admission.Expert {
	return admission.Expert{
		ID:          "E001",
		Name:        "张三",
		IDNumber:    idNumber("330302", "19700520", "123"),
		Mobile:      "13812345678",
		BirthDate:   day(1970, 5, 20),
		Affiliation: admission.Affiliation{Org: "温州大学", OrgCode: uscc("12330000470053240"), Kind: admission.University, Department: "机电工程学院"},
		Title:       admission.AssociateSenior,
		Categories:  []admission.Category{admission.Technical},
		Region:      "330302",
		Credentials: []admission.Credential{{Kind: admission.CredPoliticalQuality, Date: day(2025, 1, 1)}},
		Status:      admission.Pending,
		UpdatedAt:   day(2026, 1, 10),
	}
}

func findingCodes(fs []admission.Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Code
	}
	return out
}

func creds(kinds ...string) []admission.Credential {
	out := make([]admission.Credential, len(kinds))
	for i, k := range kinds {
		out[i] = admission.Credential{Kind: k}
	}
	return out
}
