package admission_test

import (
	"errors"
	"fmt"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wzsti/expertdb/admission"
)

// benchExperts returns n profiles cycling through eligible and refused cases.
func benchExperts(n int) []admission.Expert {
	out := make([]admission.Expert, n)
	for i := range out {
		e := technicalExpert()
		e.ID = fmt.Sprintf("E%05d", i)
		e.Status = admission.Active
		switch i % 4 {
		case 1:
			e.BirthDate = day(1955, 1, 1) // over age
		case 2:
			e.Categories = []admission.Category{admission.Economic, admission.Technical}
			e.Credentials = append(e.Credentials, admission.Credential{Kind: admission.CredFinanceDeptHead})
		case 3:
			e.Title = admission.Intermediate
			e.Credentials = append(e.Credentials, admission.Credential{Kind: admission.CredChiefTechnologist})
		}
		out[i] = e
	}
	return out
}

func BenchmarkCheck(b *testing.B) {
	experts := benchExperts(64)
	r := admission.DefaultRules()
	base := newBaseline()
	b.Run("rules", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_ = admission.Check(experts[i%len(experts)], asOf, r)
		}
	})
	b.Run("baseline", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_ = base.check(experts[i%len(experts)], asOf)
		}
	})
}

func BenchmarkSweep1000(b *testing.B) {
	experts := benchExperts(1000)
	for i := range experts {
		if i%10 == 0 {
			experts[i].UpdatedAt = asOf.AddDate(-2, 0, 0)
		}
	}
	r := admission.DefaultRules()
	base := newBaseline()
	b.Run("rules", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = admission.Sweep(experts, asOf, r)
		}
	})
	b.Run("baseline", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var out []admission.Proposal
			for _, e := range experts {
				d := base.check(e, asOf)
				for _, f := range d.Findings {
					switch f.Code {
					case "age":
						out = append(out, admission.Proposal{ExpertID: e.ID, Action: admission.ProposeExit, Reason: admission.ExitNoLongerQualified, Basis: []admission.Finding{f}})
					case "integrity-record":
						out = append(out, admission.Proposal{ExpertID: e.ID, Action: admission.ProposeExit, Reason: admission.ExitMisconduct, Basis: []admission.Finding{f}})
					}
				}
				if e.UpdatedAt.IsZero() || admission.DaysBetween(e.UpdatedAt, asOf) > admission.DefaultStaleAfterDays {
					out = append(out, admission.Proposal{ExpertID: e.ID, Action: admission.ProposeUpdate})
				}
			}
			_ = out
		}
	})
}

// baselineValidate checks by hand what Validate checks for a profile like technicalExpert
// (no past units, one credential, no records, exits, trainings or entries).
func baselineValidate(e admission.Expert) []string {
	var bad []string
	str := func(field, s string, required bool, max int) {
		if (required && s == "") || utf8.RuneCountInString(s) > max {
			bad = append(bad, field)
		}
	}
	str("ID", e.ID, true, 64)
	str("Name", e.Name, true, 50)
	if e.IDNumber != "" && !admission.ValidIDNumber(e.IDNumber) {
		bad = append(bad, "IDNumber")
	}
	if e.Mobile != "" && !admission.ValidMobile(e.Mobile) {
		bad = append(bad, "Mobile")
	}
	if e.RetirementAge < 0 || e.RetirementAge > 80 {
		bad = append(bad, "RetirementAge")
	}
	a := e.Affiliation
	str("Affiliation.Org", a.Org, true, 200)
	if a.OrgCode != "" && !admission.ValidUSCC(a.OrgCode) {
		bad = append(bad, "Affiliation.OrgCode")
	}
	switch a.Kind {
	case "", admission.University, admission.Institute, admission.Enterprise, admission.Government, admission.Hospital, admission.Financial, admission.OtherOrg:
	default:
		bad = append(bad, "Affiliation.Kind")
	}
	str("Affiliation.Department", a.Department, false, 200)
	str("Affiliation.Position", a.Position, false, 200)
	if e.Title < 0 || e.Title > 4 {
		bad = append(bad, "Title")
	}
	if e.Region != "" && len(e.Region) != 6 {
		bad = append(bad, "Region")
	}
	for i, c := range e.Credentials {
		str(fmt.Sprint("Credentials[", i, "].Kind"), c.Kind, true, 64)
		str(fmt.Sprint("Credentials[", i, "].Detail"), c.Detail, false, 500)
	}
	switch e.Status {
	case "", admission.Pending, admission.Active, admission.Exited:
	default:
		bad = append(bad, "Status")
	}
	if e.IDNumber != "" && !e.BirthDate.IsZero() {
		if born, ok := admission.IDBirthDate(e.IDNumber); ok && admission.DaysBetween(born, time.Date(e.BirthDate.Year(), e.BirthDate.Month(), e.BirthDate.Day(), 0, 0, 0, 0, time.UTC)) != 0 {
			bad = append(bad, "IDNumber")
		}
	}
	return bad
}

func BenchmarkValidate(b *testing.B) {
	good := technicalExpert()
	bad := technicalExpert()
	bad.Mobile = "1381234567"
	bad.Affiliation.OrgCode = "X"
	for _, c := range []struct {
		name string
		e    admission.Expert
	}{{"valid", good}, {"invalid", bad}} {
		b.Run(c.name+"/validator", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = admission.Validate(c.e)
			}
		})
		b.Run(c.name+"/baseline", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = baselineValidate(c.e)
			}
		})
	}
}

func BenchmarkChecksums(b *testing.B) {
	id := technicalExpert().IDNumber
	code := "91350100M000100Y43"
	b.Run("ValidIDNumber", func(b *testing.B) {
		for b.Loop() {
			_ = admission.ValidIDNumber(id)
		}
	})
	b.Run("ValidUSCC", func(b *testing.B) {
		for b.Loop() {
			_ = admission.ValidUSCC(code)
		}
	})
	b.Run("ValidMobile", func(b *testing.B) {
		for b.Loop() {
			_ = admission.ValidMobile("13812345678")
		}
	})
}

func TestBaselineValidateAgrees(t *testing.T) {
	good := technicalExpert()
	bad := technicalExpert()
	bad.Mobile = "1381234567"
	bad.Affiliation.OrgCode = "X"
	if got := baselineValidate(good); len(got) != 0 || admission.Validate(good) != nil {
		t.Fatalf("baseline %v, Validate %v", got, admission.Validate(good))
	}
	var ve *admission.ValidationError
	if err := admission.Validate(bad); !errors.As(err, &ve) || len(ve.Fields) != len(baselineValidate(bad)) {
		t.Fatalf("baseline %v, Validate %v", baselineValidate(bad), err)
	}
}
