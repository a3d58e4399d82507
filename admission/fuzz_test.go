package admission_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wzsti/expertdb/admission"
)

var (
	mobileRe = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	usccRe   = regexp.MustCompile(`^[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}$`)
	idRe     = regexp.MustCompile(`^[0-9]{17}[0-9X]$`)
	digits6  = regexp.MustCompile(`[0-9]{6,}`)
)

func FuzzValidIDNumber(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "11010519491231002x", "110105194902290021", "", "1", "１１０１０５"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ok := admission.ValidIDNumber(s)
		if !idRe.MatchString(s) {
			if ok {
				t.Fatalf("%q accepted but not 17 digits and a check character", s)
			}
			return
		}
		c, _ := admission.IDNumberCheckChar(s[:17])
		_, dateOK := admission.IDBirthDate(s)
		if want := c == s[17] && dateOK; ok != want {
			t.Fatalf("ValidIDNumber(%q) = %v, want %v", s, ok, want)
		}
	})
}

func FuzzValidMobile(f *testing.F) {
	for _, s := range []string{"13812345678", "12812345678", "+8613812345678", "", "1381234567８"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := admission.ValidMobile(s), mobileRe.MatchString(s); got != want {
			t.Fatalf("ValidMobile(%q) = %v, want %v", s, got, want)
		}
	})
}

func FuzzValidUSCC(f *testing.F) {
	for _, s := range []string{"91350100M000100Y43", "9144030071526726XG", "91350100m000100y43", "", "91350100M000100Z43"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ok := admission.ValidUSCC(s)
		if !usccRe.MatchString(s) {
			if ok {
				t.Fatalf("%q accepted but malformed", s)
			}
			return
		}
		c, _ := admission.USCCCheckChar(s[:17])
		if want := c == s[17]; ok != want {
			t.Fatalf("ValidUSCC(%q) = %v, want %v", s, ok, want)
		}
	})
}

func FuzzValidate(f *testing.F) {
	f.Add("张三", "11010519491231002X", "13812345678", "91350100M000100Y43", "330302", "political-quality", "misconduct", int64(0))
	f.Add("", "x", "1", "I", "+33030", "", "", int64(-1<<40))
	f.Fuzz(func(t *testing.T, name, id, mobile, orgCode, region, kind, reason string, birth int64) {
		e := admission.Expert{ID: "E1", Name: name, IDNumber: id, Mobile: mobile, Region: region,
			BirthDate:   time.Unix(birth, 0).UTC(),
			Affiliation: admission.Affiliation{Org: "单位", OrgCode: orgCode},
			Past:        []admission.Affiliation{{Org: name, OrgCode: orgCode}},
			Credentials: []admission.Credential{{Kind: kind, Detail: name}},
			Exits:       []admission.Exit{{Reason: admission.ExitReason(reason), Note: name}},
			Categories:  []admission.Category{admission.Category(kind)},
		}
		err := admission.Validate(e)
		if err == nil {
			if !admission.ValidIDNumber(id) && id != "" || !admission.ValidMobile(mobile) && mobile != "" {
				t.Fatalf("accepted a bad ID number or mobile")
			}
			return
		}
		var ve *admission.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) == 0 {
			t.Fatalf("error %v is not a *ValidationError with fields", err)
		}
		msg := err.Error()
		for _, s := range []string{id, mobile} {
			for _, run := range digits6.FindAllString(s, -1) {
				if strings.Contains(msg, run) {
					t.Fatalf("error echoes %q: %s", run, msg)
				}
			}
		}
		// Check must not panic either, whatever the profile holds.
		_ = admission.Check(e, time.Unix(birth, 0).AddDate(50, 0, 0), defaults)
	})
}
