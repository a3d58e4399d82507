package admission

import (
	"fmt"
	"slices"

	"github.com/wzsti/expertdb/rule"
)

// IntegrityBar selects the reading of Art. 5(1)3 ("不存在学术失范、学术道德问题，无违法违规等
// 不良记录") the basic rule "integrity-record" implements.
type IntegrityBar string

// Readings of Art. 5(1)3.
const (
	// IntegrityAnyRecord (default, the text): any adverse record bars entry — every record
	// of the integrity file except one the bureau reviewed and retained the expert for
	// (Record.Adverse). Expression: expert.AdverseRecords == 0.
	IntegrityAnyRecord IntegrityBar = "any-record"
	// IntegritySeriousOnly (narrow option): only records marked Serious bar entry.
	// Expression: expert.SeriousRecords == 0.
	IntegritySeriousOnly IntegrityBar = "serious-only"
)

// IntegrityBars lists the readings of Art. 5(1)3, the default first.
func IntegrityBars() []IntegrityBar { return []IntegrityBar{IntegrityAnyRecord, IntegritySeriousOnly} }

// Valid reports whether b is one of the readings.
func (b IntegrityBar) Valid() bool { return slices.Contains(IntegrityBars(), b) }

// Rule returns the basic rule "integrity-record" (Art. 5(1)3) under reading b; the zero value
// means IntegrityAnyRecord.
func (b IntegrityBar) Rule() rule.Rule {
	if b == IntegritySeriousOnly {
		return rule.Rule{Name: RuleIntegrity, Article: "Art. 5(1)3", Expr: `expert.SeriousRecords == 0`,
			Message: "科研诚信档案中存在学术失范、违法违规等严重不良记录，不符合入库基本条件"}
	}
	return rule.Rule{Name: RuleIntegrity, Article: "Art. 5(1)3", Expr: `expert.AdverseRecords == 0`,
		Message: "科研诚信档案中存在学术失范、学术道德问题或违法违规等不良记录（未经审查保留），不符合入库基本条件"}
}

// ReentryBar selects the reading of Art. 11 ("具有第十条所列情形而予以出库的专家，不得再次入库")
// the basic rule "re-entry-barred" implements.
type ReentryBar string

// Readings of Art. 11.
const (
	// ReentryAnyExit (default, the text): an exit on any ground of Art. 10 bars re-entry,
	// including an exit on request (10(1)) and for age (10(2)). Expression:
	// len(expert.ExitReasons) == 0.
	ReentryAnyExit ReentryBar = "any-exit"
	// ReentryForCause (narrow option): only exits for Art. 10(3), (4) and (5) bar re-entry;
	// an expert who left on request or for age may re-apply once eligible.
	ReentryForCause ReentryBar = "for-cause"
)

// ReentryBars lists the readings of Art. 11, the default first.
func ReentryBars() []ReentryBar { return []ReentryBar{ReentryAnyExit, ReentryForCause} }

// Valid reports whether b is one of the readings.
func (b ReentryBar) Valid() bool { return slices.Contains(ReentryBars(), b) }

// Bars reports whether an exit for reason bars re-entry under reading b (the zero value means
// ReentryAnyExit). Invalid reasons never bar.
func (b ReentryBar) Bars(reason ExitReason) bool {
	if !reason.Valid() {
		return false
	}
	if b == ReentryForCause {
		return reason == ExitMisconduct || reason == ExitLegal || reason == ExitUnsuitable
	}
	return true
}

// Rule returns the basic rule "re-entry-barred" (Art. 11) under reading b; the zero value
// means ReentryAnyExit.
func (b ReentryBar) Rule() rule.Rule {
	if b == ReentryForCause {
		return rule.Rule{Name: RuleReentry, Article: "Art. 11", Expr: `none(expert.ExitReasons, # in ["misconduct", "legal", "unsuitable"])`,
			Message: "曾因第十条第（三）、（四）、（五）项情形出库，依第十一条不得再次入库"}
	}
	return rule.Rule{Name: RuleReentry, Article: "Art. 11", Expr: `len(expert.ExitReasons) == 0`,
		Message: "曾因第十条所列情形出库，依第十一条不得再次入库"}
}

// Names of the basic rules of DefaultRules that carry a reading of the Measures.
const (
	RuleIntegrity = "integrity-record" // Art. 5(1)3
	RuleReentry   = "re-entry-barred"  // Art. 11
)

// SetIntegrityBar replaces the basic rule "integrity-record" with the rule of reading b (adding
// it when missing) and compiles r.
func (r *Rules) SetIntegrityBar(b IntegrityBar) error {
	if !b.Valid() {
		return fmt.Errorf("admission: unknown reading of Art. 5(1)3 %q", b)
	}
	r.Basic = setBasic(r.Basic, b.Rule())
	return r.Compile()
}

// SetReentryBar replaces the basic rule "re-entry-barred" with the rule of reading b (adding it
// when missing) and compiles r.
func (r *Rules) SetReentryBar(b ReentryBar) error {
	if !b.Valid() {
		return fmt.Errorf("admission: unknown reading of Art. 11 %q", b)
	}
	r.Basic = setBasic(r.Basic, b.Rule())
	return r.Compile()
}

func setBasic(rs []rule.Rule, x rule.Rule) []rule.Rule {
	rs = slices.Clone(rs)
	if i := slices.IndexFunc(rs, func(b rule.Rule) bool { return b.Name == x.Name }); i >= 0 {
		rs[i] = x
		return rs
	}
	return append(rs, x)
}
