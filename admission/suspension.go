package admission

// CodeSuspended is the finding and proposal code of an expert suspended from draws while an
// integrity record is pending review (Art. 9, 26).
const CodeSuspended = "suspended-pending-review"

// Suspended reports whether e is suspended from draws: some integrity record is pending the
// bureau's review (Record.Pending). Every violation of Art. 9 is recorded (Art. 26); until
// the bureau decides — retain the expert (RecordReview with ReviewRetained) or an exit
// (Art. 10) — the expert is not drawn. Drawable honours it.
func Suspended(e Expert) bool {
	for i := range e.Records {
		if e.Records[i].Pending() {
			return true
		}
	}
	return false
}

// appendSuspensions appends one finding per pending record.
func appendSuspensions(out []Finding, recs []Record) []Finding {
	for i := range recs {
		r := &recs[i]
		if !r.Pending() {
			continue
		}
		msg := "专家科研诚信档案中有待审查的记录（" + truncate(r.Kind, 32) + "），审查结论作出前暂停抽取"
		if r.Serious {
			msg = "专家科研诚信档案中有严重失信记录（" + truncate(r.Kind, 32) + "），已提出出库建议，审查结论作出前暂停抽取"
		}
		out = append(out, Finding{Article: r.ArticleOr(), Code: CodeSuspended, Message: msg})
	}
	return out
}
