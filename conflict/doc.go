// Package conflict decides recusal (回避) as Art. 15 of the Wenzhou Measures requires: an
// expert must not review a project when
//
//	(1) the expert is the project leader or a project member;
//	(2) the expert has a major interest relation with a member;
//	(3) the expert belongs to the same department (院系) of the same university, the same
//	    research institute or the same enterprise as a member;
//	(4) the expert conflicts directly with the avoidance list the project leader declared
//	    before review;
//	(5) anything else that may affect a fair evaluation.
//
// "Member" includes the leader throughout. Art. 8(3) makes recusal the expert's duty too; this
// package is the system's side of it.
//
// # Use
//
// Build one Checker per project and check date, then call Check for every candidate:
//
//	c, err := conflict.New(project, relations, asOf, rules) // or NewChecker, which fails closed
//	for _, e := range experts {
//		if cs := c.Check(e); len(cs) > 0 { /* exclude e, record cs */ }
//	}
//
// New precomputes hash indexes of the project's people (by ID, by resident ID number, by
// unit), of the relations touching them and of the avoidance list, so Check costs a few map
// look-ups per expert independent of the number of members. Each Conflict names the clause
// and article, a stable code, what it concerns (a member or an avoidance entry, never by ID
// number) and a Chinese reason. Report also returns dismissed conflicts.
//
// A caller that checks a whole pool (a draw) passes what it computed once in Known to
// CheckWith: the experts' normalised unit names, their expression views, the draw's meter,
// and a Memo that keeps, for that caller, each unit's comparison form and reasons for the
// next experts of the same unit. Excluding returns only the first excluding conflict. A caller
// that keeps a pool between draws computes each expert's Fingerprint once (FingerprintOf: the
// hashed ID, ID number and units); MayConflict then rules out, without reading the expert, every
// expert the project cannot concern (it never rules out one Report would find a conflict for,
// and with county rules it rules out nobody).
//
// # Identity of people and units
//
// People match on their ID (expert ID or person ID) and on the resident ID number when both
// sides have one (NormalizeIDNumber: width folded, upper-case X, 15-digit numbers converted to
// 18 digits). A match on name and unit alone is a possible conflict (Definite false); it
// excludes by default (Rules.ExcludePossible). When both sides carry different ID numbers they
// are different people and a name match is not reported under clause (1).
//
// Units match on the unified social credit code when both sides have one; otherwise on
// NormalizeName of the name — invisible (default-ignorable) code points removed, width and
// NFKC folding, decorating combining marks removed, Cyrillic, Greek and katakana look-alikes
// mapped to one skeleton letter, lower case, spaces and punctuation removed — followed by the
// alias table (Rules.UnitAliases, e.g. 温医大 → 温州医科大学). Departments and people's names
// likewise (Rules.DepartmentAliases). So 正泰\ufe0f集团 or a Cyrillic "АВВ" cannot escape
// recusal (Art. 15). Equal names under different credit codes are a possible conflict
// (Definite false; a relabelled or mistyped code, or a branch): the codes say two units, the
// names one, and an operator checks. Nothing else is folded, so distinct institutes of one
// academy never match.
//
// # Interpretations
//
// The article does not define its terms; these are the choices made here, each configurable
// in Rules or by a clause (5) expression:
//
//   - Clause (1) covers the leader and every listed member; a definite clause (1) conflict can
//     never be dismissed.
//   - Clause (2) "major interest relation" (重大利益关系) is a recorded Relation between the
//     expert and a member (either direction). Advisor/advisee and family relations count with
//     no time limit; collaborators and co-authors until 48 full months after the relation
//     ended; business and financial interests until 12 full months after; any other kind by
//     the Rules.OtherRelations expression (default: ongoing or ended less than 12 full months
//     ago). Months are full calendar months like full years of age: a collaboration that ended
//     on 2020-01-15 counts through 2024-01-14. A relation with a zero Until, or an Until on or
//     after the check date, is ongoing. Since is informational: a relation recorded with a
//     future start still counts (fail closed).
//   - Clause (3): for a university only the same department conflicts; for a research
//     institute or an enterprise the same unit does. When the two sides record different kinds
//     for one unit, the broader reading wins (institute, then enterprise, then university).
//     When either side of a same-university pair has no department, the conflict is possible
//     (Definite false), not absent. Other unit kinds (government, hospital, financial, other,
//     or no kind) are not named by the article: the same unit is reported as code "same-unit"
//     under clause (5) by default (Rules.OtherUnitClause, which may also be 3 or 0). A former
//     unit (Affiliation.To before the check date) still counts until Rules.FormerUnitMonths
//     full months after leaving (default 12); a past unit without an end date counts. A
//     Person's Affiliation is the unit they represent on the project and always counts.
//   - Clause (4): an avoidance entry names an expert ID, a name and a unit, a unit and a
//     department, or a unit (see Avoidance); the expert's current unit and former units within
//     the window are compared. A name-and-unit entry matches anyone of that name in that unit
//     (definite: it is exactly what the leader declared). A unit-and-department entry against
//     an expert with no department recorded is a possible conflict. The list may hold at most
//     Rules.MaxAvoidances entries (default 10; the Measures set no number — NSFC practice is
//     three persons); a longer list refuses the project (*ProjectError, code
//     "avoidance-limit"). The leader's free-text Reason is never copied into a Conflict.
//   - Clause (5): county rules are boolean expressions over Env (`expert`, `project`,
//     `member`), compiled by internal/rules; true means conflict. A rule that fails at run
//     time excludes the expert (fail closed) with a reason saying the rule could not be
//     evaluated.
//   - A false positive is set aside only by a Dismissal on the Project naming the conflict
//     exactly (expert ID, code, Concerns), with a reason and an approver; incomplete
//     dismissals refuse the project. Dismissed conflicts no longer exclude and are reported
//     with their Dismissal by Report.
//   - NewChecker has no error result. It fails closed: on an invalid project or invalid rules
//     every expert gets one excluding "check-failed" conflict (clause 0) whose reason says what
//     to fix, so a draw can never proceed silently without recusal. New returns the error.
//
// Reasons mask names (张*, 欧阳**) and never contain ID numbers or mobiles.
//
// The package is pure: no I/O, no clock, no randomness; the check date comes in as an argument.
package conflict
