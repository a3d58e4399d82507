package admission_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb/admission"
)

// Attack tests of issue 17: readings narrower than the text of the Measures.

// Art. 5(1)3: "不存在学术失范、学术道德问题，无违法违规等不良记录" — any adverse record bars entry,
// not only one marked serious: an applicant with a plagiarism record (Art. 9(8)) is refused.
func TestArt5_1_3AnyAdverseRecordBarsEntry(t *testing.T) {
	e := technicalExpert()
	e.Records = []admission.Record{{Kind: "plagiarism", Article: "Art. 9(8)", Date: day(2025, 5, 1)}}
	d := admission.Check(e, asOf, defaults)
	assert.False(t, d.Eligible)
	assert.Contains(t, findingCodes(d.Findings), "integrity-record")
	i := slices.IndexFunc(d.Findings, func(f admission.Finding) bool { return f.Code == "integrity-record" })
	assert.Equal(t, "Art. 5(1)3", d.Findings[i].Article)
}

// Art. 5(1)3, narrow option: only serious records bar entry (IntegritySeriousOnly).
func TestArt5_1_3NarrowReadingIsAnOption(t *testing.T) {
	r := admission.DefaultRules()
	require.NoError(t, r.SetIntegrityBar(admission.IntegritySeriousOnly))
	e := technicalExpert()
	e.Records = []admission.Record{{Kind: "plagiarism"}}
	assert.True(t, admission.Check(e, asOf, r).Eligible)
	e.Records[0].Serious = true
	assert.False(t, admission.Check(e, asOf, r).Eligible)
}

// Art. 5(1)3: a record the bureau reviewed and retained the expert for no longer bars (the
// review found it no 不良记录 within the meaning of Art. 5(1)3); one still pending does.
func TestArt5_1_3RetainedRecordDoesNotBar(t *testing.T) {
	e := technicalExpert()
	e.Records = []admission.Record{{Kind: "no-show", Article: "Art. 8(2)",
		Review: &admission.RecordReview{Outcome: admission.ReviewRetained, By: "市科技局 李审核", At: day(2025, 9, 1), Reason: "因病缺席，已补交证明"}}}
	assert.True(t, admission.Check(e, asOf, defaults).Eligible)
}

// Art. 11: "具有第十条所列情形而予以出库的专家，不得再次入库" — every Art. 10 exit bars re-entry,
// including an exit on request (10(1)) and for age (10(2)).
func TestArt11AnyExitBarsReentry(t *testing.T) {
	for _, reason := range []admission.ExitReason{admission.ExitOnRequest, admission.ExitNoLongerQualified,
		admission.ExitMisconduct, admission.ExitLegal, admission.ExitUnsuitable} {
		t.Run(string(reason), func(t *testing.T) {
			e := technicalExpert()
			e.Status = admission.Exited
			e.Exits = []admission.Exit{{Reason: reason, Date: day(2024, 1, 1)}}
			d := admission.Check(e, asOf, defaults)
			assert.False(t, d.Eligible)
			assert.Contains(t, findingCodes(d.Findings), "re-entry-barred")
			assert.True(t, admission.ReentryBarred(e))
		})
	}
}

// Art. 11, narrow option: only exits for Art. 10(3)–(5) bar re-entry (ReentryForCause).
func TestArt11NarrowReadingIsAnOption(t *testing.T) {
	r := admission.DefaultRules()
	require.NoError(t, r.SetReentryBar(admission.ReentryForCause))
	for _, reason := range []admission.ExitReason{admission.ExitOnRequest, admission.ExitNoLongerQualified,
		admission.ExitMisconduct, admission.ExitLegal, admission.ExitUnsuitable} {
		e := technicalExpert()
		e.Exits = []admission.Exit{{Reason: reason}}
		barred := slices.Contains(findingCodes(admission.Check(e, asOf, r).Findings), "re-entry-barred")
		assert.Equal(t, admission.ReentryForCause.Bars(reason), barred, reason)
		assert.Equal(t, reason != admission.ExitOnRequest && reason != admission.ExitNoLongerQualified, barred, reason)
	}
}

// Art. 11: the bar follows the person (the normalised ID number), not the expert record: a
// person who exited for misconduct as E001 cannot come back as E900 through the exchange
// channel, even with a lower-case x in the ID number.
func TestArt11BarFollowsThePerson(t *testing.T) {
	old := technicalExpert()
	old.IDNumber = idNumber("330302", "19700520", "123")
	old.Status = admission.Exited
	old.Exits = []admission.Exit{{Reason: admission.ExitMisconduct, Date: day(2024, 1, 1)}}

	applicant := technicalExpert()
	applicant.ID = "E900"
	applicant.IDNumber = old.IDNumber
	merged := admission.WithHistory(applicant, []admission.Expert{old})
	d := admission.Check(merged, asOf, defaults)
	assert.False(t, d.Eligible)
	assert.Contains(t, findingCodes(d.Findings), "re-entry-barred")

	// A record of somebody else never lends its history.
	other := old
	other.IDNumber = idNumber("330302", "19800101", "456")
	assert.True(t, admission.Check(admission.WithHistory(applicant, []admission.Expert{other}), asOf, defaults).Eligible)
}

// Art. 6, Art. 11: one person, one record — a second record of the same person under another
// expert ID is refused, however the ID number is written.
func TestArt6OnePersonOneRecord(t *testing.T) {
	id := idNumber("330302", "19700520", "123")
	existing := technicalExpert()
	existing.IDNumber = id
	existing.Status = admission.Active

	dup := technicalExpert()
	dup.ID = "E777"
	dup.IDNumber = id
	fs := admission.OnePersonOneRecord(dup, []admission.Expert{existing})
	require.Len(t, fs, 1)
	assert.Equal(t, "duplicate-person", fs[0].Code)
	assert.Equal(t, "Art. 6", fs[0].Article)
	assert.NotContains(t, fs[0].Message, id, "no ID number in messages")

	// The same record (same expert ID) is not a duplicate.
	assert.Empty(t, admission.OnePersonOneRecord(existing, []admission.Expert{existing}))
}

// GB 11643: the normalised ID number is upper-case X, without spaces, full-width folded.
func TestNormalizeIDNumber(t *testing.T) {
	base := idNumber("110105", "19491231", "002") // check character X
	require.Equal(t, byte('X'), base[17])
	lower := base[:17] + "x"
	wide := "１１０１０５１９４９１２３１００２ｘ"
	for _, in := range []string{base, lower, " " + lower + "\t", wide} {
		got, ok := admission.NormalizeIDNumber(in)
		assert.True(t, ok, in)
		assert.Equal(t, base, got)
	}
	for _, in := range []string{"", "11010519491231002", base[:17] + "1", "1101051949123100２Y"} {
		_, ok := admission.NormalizeIDNumber(in)
		assert.False(t, ok, in)
	}
}

// Art. 9, 26: a pending record of a violation that is not serious suspends the expert from
// draws until the bureau reviews it; Drawable says so with its own code.
func TestArt9SuspensionPendingReview(t *testing.T) {
	e := activeExpert()
	e.Records = []admission.Record{{Kind: "improper-opinion", Article: "Art. 9(6)", Date: day(2026, 1, 5)}}
	fs := admission.Drawable(e, asOf, defaults)
	assert.Contains(t, findingCodes(fs), admission.CodeSuspended)
	i := slices.IndexFunc(fs, func(f admission.Finding) bool { return f.Code == admission.CodeSuspended })
	assert.Equal(t, "Art. 9(6)", fs[i].Article)
	assert.True(t, admission.Suspended(e))

	// Even a county that admits with minor records (narrow reading) keeps the suspension.
	r := admission.DefaultRules()
	require.NoError(t, r.SetIntegrityBar(admission.IntegritySeriousOnly))
	assert.Equal(t, []string{admission.CodeSuspended}, findingCodes(admission.Drawable(e, asOf, r)))

	// Reviewed and retained: drawable again.
	e.Records[0].Review = &admission.RecordReview{Outcome: admission.ReviewRetained, By: "李审核", At: day(2026, 2, 1), Reason: "情节轻微"}
	assert.Empty(t, admission.Drawable(e, asOf, defaults))
	assert.False(t, admission.Suspended(e))
}

// Art. 9, 10(3), 26: Sweep proposes an exit for a serious pending record and a review (the
// suspension) for the others; nothing for a retained record.
func TestArt10_3SweepProposesForViolations(t *testing.T) {
	serious := activeExpert()
	serious.ID = "serious"
	serious.Records = []admission.Record{{Kind: "bribery", Article: "Art. 9(5)", Serious: true}}
	minor := activeExpert()
	minor.ID = "minor"
	minor.Records = []admission.Record{{Kind: "plagiarism", Article: "Art. 9(8)"}}
	retained := activeExpert()
	retained.ID = "retained"
	retained.Records = []admission.Record{{Kind: "plagiarism", Review: &admission.RecordReview{Outcome: admission.ReviewRetained, By: "x", Reason: "y"}}}
	var got [][3]string
	for _, p := range admission.Sweep([]admission.Expert{serious, minor, retained}, asOf, defaults) {
		got = append(got, [3]string{p.ExpertID, string(p.Action), p.Code})
	}
	assert.Equal(t, [][3]string{
		{"serious", "exit", "exit-misconduct"},
		{"minor", "review", admission.CodeSuspended},
	}, got)
}
