// Package rule declares the public types of expertdb's rule expressions: a Rule (a named
// boolean expression with the article it implements and the Chinese message shown when it
// fails), the errors a rule's compilation or evaluation returns, and the Meter that bounds
// the evaluations of one draw.
//
// A county's policy, an admission category, the recusal clause of Art. 7(5), a draw's county
// exclusions and the audit permissions are lists of Rule values. An importer writes them in
// YAML (the county profile) or in Go, with this package only: the expression language, its
// sandbox (a closed set of functions, no clock, no time zones, metered evaluation) and the
// compiler stay internal to expertdb. Expressions are compiled when they are loaded, so a
// mistake is a *CompileError naming the rule, the line and the column.
//
// Articles: Art. 5 and 6 (admission conditions), Art. 7(5) (recusal), Art. 13 and 14 (draw
// criteria and exclusions), Art. 17 and 18 (audit and permissions) of the Wenzhou Science and
// Technology Expert Database Management Measures (温科发〔2024〕2号).
package rule
