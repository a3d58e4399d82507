package admission_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/admission"
)

// sweepDatabaseOracle is the algorithm SweepDatabase replaced (the Service's sweep before
// issue 17's last round): every record given the history of its person by a scan of every
// record, O(n²).
func sweepDatabaseOracle(all []admission.Expert, asOf time.Time, r *admission.Rules) []admission.Proposal {
	withHistory := make([]admission.Expert, len(all))
	for i, e := range all {
		withHistory[i] = admission.WithHistory(e, all)
	}
	return admission.Sweep(withHistory, asOf, r)
}

// Art. 5(1)3, 10, 11: the indexed sweep proposes exactly what the quadratic one did, for
// databases where persons hold several records (the same ID number written in half-width,
// full-width or lower-case x), records without a valid ID number, and every status.
func TestSweepDatabaseAgreesWithQuadraticOracle(t *testing.T) {
	r := admission.DefaultRules()
	ids := []string{
		idNumber("330302", "19700101", "123"),
		idNumber("330381", "19800505", "456"),
		idNumber("330302", "19620303", "078"),
		"", "not-an-id",
	}
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 12).Draw(t, "n")
		all := make([]admission.Expert, n)
		for i := range all {
			e := genExpert(t, asOf)
			e.ID = fmt.Sprintf("E%03d", i)
			id := rapid.SampledFrom(ids).Draw(t, "id-number")
			switch rapid.IntRange(0, 3).Draw(t, "spelling") {
			case 1:
				id = " " + id + " "
			case 2:
				id = toFullWidth(id)
			case 3:
				id = strings.ToLower(id)
			}
			e.IDNumber = id
			all[i] = e
		}
		require.Equal(t, sweepDatabaseOracle(all, asOf, r), admission.SweepDatabase(all, asOf, r))
	})
}

// toFullWidth writes ASCII digits and X as full-width characters (１２３Ｘ).
func toFullWidth(s string) string {
	out := []rune(s)
	for i, c := range out {
		if c >= '0' && c <= '9' || c == 'X' {
			out[i] = c - '0' + '０'
			if c == 'X' {
				out[i] = 'Ｘ'
			}
		}
	}
	return string(out)
}

// benchDatabase: n records, every tenth person with a second (exited) record under the same
// ID number written in full width, a tenth of the profiles stale.
func benchDatabase(n int) []admission.Expert {
	all := benchExperts(n)
	for i := range all {
		all[i].IDNumber = idNumber(fmt.Sprintf("33%04d", i/1000), "19700101", fmt.Sprintf("%03d", i%1000))
		if i%10 == 0 {
			all[i].UpdatedAt = asOf.AddDate(-2, 0, 0)
		}
		if i%10 == 5 {
			all[i].IDNumber = toFullWidth(all[i-1].IDNumber)
			all[i].Status = admission.Exited
			all[i].Exits = []admission.Exit{{Reason: admission.ExitOnRequest, Date: asOf.AddDate(-1, 0, 0)}}
		}
	}
	return all
}

// BenchmarkSweepDatabase: the whole database swept with each person's history; "indexed" is
// SweepDatabase, "quadratic" the algorithm it replaced, "baseline" a hand-written Go pass
// that only groups the records by ID number (the lower bound of the indexing itself).
func BenchmarkSweepDatabase(b *testing.B) {
	r := admission.DefaultRules()
	for _, n := range []int{1000, 10000} {
		all := benchDatabase(n)
		b.Run(fmt.Sprintf("indexed/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = admission.SweepDatabase(all, asOf, r)
			}
		})
		b.Run(fmt.Sprintf("quadratic/%d", n), func(b *testing.B) {
			if n > 1000 && os.Getenv("EXPERTDB_BENCH_QUADRATIC") == "" {
				b.Skip("quadratic at 10,000 records: minutes per op; set EXPERTDB_BENCH_QUADRATIC=1")
			}
			b.ReportAllocs()
			for b.Loop() {
				_ = sweepDatabaseOracle(all, asOf, r)
			}
		})
		b.Run(fmt.Sprintf("baseline/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				groups := make(map[string]int, len(all))
				for i := range all {
					if id, ok := admission.NormalizeIDNumber(all[i].IDNumber); ok {
						groups[id]++
					}
				}
				_ = groups
			}
		})
	}
}
