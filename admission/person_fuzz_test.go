package admission_test

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/admission"
)

// FuzzNormalizeIDNumber: the normaliser of untrusted ID numbers never panics, returns only
// valid canonical numbers, and is idempotent.
func FuzzNormalizeIDNumber(f *testing.F) {
	for _, s := range []string{"", "11010519491231002X", "11010519491231002x", " 110105194912310021 ",
		"１１０１０５１９４９１２３１００２ｘ", "11010519491231002Ｘ\u3000", "330302197005201234"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, ok := admission.NormalizeIDNumber(s)
		if !ok {
			if out != "" {
				t.Fatalf("a refused number returned %q", out)
			}
			return
		}
		if !admission.ValidIDNumber(out) {
			t.Fatalf("%q normalised to the invalid %q", s, out)
		}
		again, ok := admission.NormalizeIDNumber(out)
		if !ok || again != out {
			t.Fatalf("not idempotent: %q → %q → %q", s, out, again)
		}
	})
}

// Invariant (Art. 11): WithHistory adds every exit and record of the same person's records and
// nothing from anybody else's, whatever the order of the records.
func TestPropertyWithHistoryFollowsThePerson(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		me := technicalExpert()
		other := technicalExpert()
		other.IDNumber = idNumber("330302", "19800101", "456")
		reasons := []admission.ExitReason{admission.ExitOnRequest, admission.ExitMisconduct, admission.ExitLegal}
		var existing []admission.Expert
		mine, theirs := 0, 0
		for i := range rapid.IntRange(0, 6).Draw(t, "records") {
			x := other
			if rapid.Bool().Draw(t, "same person") {
				x = me
				mine++
			} else {
				theirs++
			}
			x.ID = "R" + string(rune('A'+i))
			x.Exits = []admission.Exit{{Reason: rapid.SampledFrom(reasons).Draw(t, "reason"), Date: day(2020+i, 1, 1)}}
			existing = append(existing, x)
		}
		got := admission.WithHistory(me, existing)
		if len(got.Exits) != mine {
			t.Fatalf("%d exits of the person, got %d (others %d)", mine, len(got.Exits), theirs)
		}
		if admission.ReentryBarred(got) != (mine > 0) {
			t.Fatalf("bar does not follow the person")
		}
	})
}
