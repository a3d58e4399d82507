// Package rules is the one place where expertdb compiles and runs rule expressions
// (github.com/expr-lang/expr).
//
// A rule site (admission conditions, recusal clause 5, draw criteria, quotas, group caps,
// county exclusions, audit alerts, permissions) declares an environment struct E whose fields
// carry `expr:"name"` tags. Expressions are compiled once against the zero value of E, so every
// identifier, field and function is type-checked at load time. Environments use plain Go types
// (string, int, bool, []string, time.Time) so that the natural forms a county clerk writes
// behave as read: `"economic" in expert.Categories`, `expert.Affiliation.Kind == "government"`.
// Named constants (such as AssociateSenior) are substituted at compile time.
//
// # The sandbox
//
// No expression can escape it, whoever wrote it:
//
//   - Closed functions. Only the builtins in Builtins and the methods in Methods may be
//     called, besides the helper functions the site's environment declares. The clock
//     (now), time zones, date with a computed argument, encoders and the functions whose
//     output may outgrow their input are refused at load time with their position, so every
//     rule is deterministic: a replay years later gives the same answer.
//   - Static bounds. Source length (MaxSourceLen), syntax nodes (DefaultMaxNodes), literal
//     sizes (MaxLiteral, MaxListLiteral), constant ranges (MaxRange), predicate nesting
//     (MaxNesting) and nested predicates over constant ranges (MaxStaticSteps) are checked at
//     load time, with line and column.
//   - A meter on every evaluation (Limits): steps, bytes of built strings and cells of lists,
//     woven into the checked syntax tree (not into the text) and counted by hidden
//     functions; a Meter adds a total over many evaluations (one draw). Whatever the
//     expression, an evaluation ends within milliseconds, allocating a few MiB at most, with
//     an *EvalError wrapping ErrEval and ErrBudget that names the rule and its article.
//     The expr VM's own MemoryBudget counts only ranges and list and map literals, not the
//     growth of strings (a reduce that doubles a string) nor the steps of nested loops,
//     which is why the meter is woven into the tree.
//   - Hidden fields (Options.Hidden). A site compiles an expression against what its author
//     may see: a hidden field is refused on every path to it (through let, #, ?. or
//     ["name"]), and fields may not be selected by a computed name.
//
// A compile failure is a *CompileError with the rule name, line, column and caret snippet;
// evaluation never panics (the VM turns run-time panics into errors).
package rules
