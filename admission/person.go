package admission

import (
	"slices"
	"strings"

	"golang.org/x/text/width"
)

// NormalizeIDNumber returns the canonical form of a resident ID number (GB 11643-1999), and
// whether it is a valid one: surrounding white space removed, full-width characters folded to
// their ASCII forms (１ → 1, ｘ → x) and a lower-case check character x upper-cased to X. Only
// the canonical form identifies a person: one person, one record (OnePersonOneRecord), and the
// history and bars of Art. 11 follow it (WithHistory).
func NormalizeIDNumber(s string) (string, bool) {
	s = strings.TrimSpace(width.Narrow.String(strings.TrimSpace(s)))
	if len(s) == 18 && s[17] == 'x' {
		s = s[:17] + "X"
	}
	if !ValidIDNumber(s) {
		return "", false
	}
	return s, true
}

// SamePerson reports whether a and b are records of the same person: both carry a valid ID
// number and their canonical forms are equal. Records without a valid ID number are never the
// same person as anybody (the caller must require the ID number where it matters).
func SamePerson(a, b Expert) bool {
	x, ok := NormalizeIDNumber(a.IDNumber)
	if !ok {
		return false
	}
	y, ok := NormalizeIDNumber(b.IDNumber)
	return ok && x == y
}

// WithHistory returns e with the history of the same person taken from existing (the records
// the database holds, found by the normalised ID number; records of other people are
// ignored): their integrity records, exits, entries and trainings are put before e's own, so
// that Check, Drawable and ReentryBarred judge the person, not the record (Art. 5(1)3, 11).
// A record with e's own expert ID contributes too (it is e's stored history). The input is not
// modified.
//
// History the client sent is not trusted by the pure functions that record decisions
// (DecideAdmission drops e.Entries and e.Exits); WithHistory only adds what the database
// holds.
func WithHistory(e Expert, existing []Expert) Expert {
	out := cloneExpert(e)
	var recs []Record
	var exits []Exit
	var entries []Entry
	var trainings []Training
	for i := range existing {
		x := &existing[i]
		if !SamePerson(e, *x) {
			continue
		}
		recs = appendNew(recs, x.Records, func(a, b Record) bool {
			return a.Kind == b.Kind && a.Date.Equal(b.Date) && a.Detail == b.Detail
		})
		exits = appendNew(exits, x.Exits, func(a, b Exit) bool { return a.Reason == b.Reason && a.Date.Equal(b.Date) })
		entries = appendNew(entries, x.Entries, func(a, b Entry) bool { return a.Channel == b.Channel && a.Date.Equal(b.Date) })
		trainings = appendNew(trainings, x.Trainings, func(a, b Training) bool { return a.Kind == b.Kind && a.Date.Equal(b.Date) })
	}
	out.Records = appendNew(recs, out.Records, func(a, b Record) bool {
		return a.Kind == b.Kind && a.Date.Equal(b.Date) && a.Detail == b.Detail
	})
	out.Exits = appendNew(exits, out.Exits, func(a, b Exit) bool { return a.Reason == b.Reason && a.Date.Equal(b.Date) })
	out.Entries = appendNew(entries, out.Entries, func(a, b Entry) bool { return a.Channel == b.Channel && a.Date.Equal(b.Date) })
	out.Trainings = appendNew(trainings, out.Trainings, func(a, b Training) bool { return a.Kind == b.Kind && a.Date.Equal(b.Date) })
	return out
}

// appendNew appends the items of add that dst does not hold yet (by eq).
func appendNew[T any](dst, add []T, eq func(a, b T) bool) []T {
	for _, x := range add {
		if !slices.ContainsFunc(dst, func(y T) bool { return eq(x, y) }) {
			dst = append(dst, x)
		}
	}
	return dst
}

// OnePersonOneRecord checks that e would be the only record of its person (一人一档): it
// returns a finding "duplicate-person" (Art. 6) when existing holds a record of the same
// person (same normalised ID number) under another expert ID, whatever its status — a
// person who left is re-admitted on their old record, never on a new one, so that their
// history and the bars of Art. 11 stay with them —, "expert-id-in-use" (Art. 6) when a record
// with e's expert ID belongs to somebody else (or has no valid ID number: an application
// cannot take over another record), and "id-number-missing" (Art. 6) when e has no valid ID
// number, without which the person cannot be identified. Messages never contain the ID
// number.
func OnePersonOneRecord(e Expert, existing []Expert) []Finding {
	if _, ok := NormalizeIDNumber(e.IDNumber); !ok {
		return []Finding{{Article: "Art. 6", Code: "id-number-missing",
			Message: "缺少有效的公民身份号码，无法核实是否已有专家档案（一人一档），请补充"}}
	}
	for i := range existing {
		x := &existing[i]
		if x.ID == e.ID && !SamePerson(e, *x) {
			return []Finding{{Article: "Art. 6", Code: "expert-id-in-use",
				Message: "该专家编号已属于另一份档案（身份证号码不一致），不能用于本申请，请核对专家编号"}}
		}
		if x.ID != e.ID && SamePerson(e, *x) {
			return []Finding{{Article: "Art. 6", Code: "duplicate-person",
				Message: "该身份证号码已有专家档案（编号 " + truncate(x.ID, 64) + "，状态：" + statusLabel(x.Status) + "），一人只能有一份档案，请在原档案上办理"}}
		}
	}
	return nil
}

func statusLabel(s Status) string {
	switch s {
	case Pending:
		return "待审核"
	case Active:
		return "在库"
	case Exited:
		return "已出库"
	}
	return "未知"
}
