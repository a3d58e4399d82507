// Package rules is the one place where expertdb compiles and runs rule expressions
// (github.com/expr-lang/expr).
//
// A rule site (admission conditions, recusal clause 5, draw criteria, quotas, group caps,
// audit alerts, permissions) declares an environment struct E whose fields carry `expr:"name"`
// tags. Expressions are compiled once against the zero value of E, so every identifier,
// field and function is type-checked at load time. Environments use plain Go types (string,
// int, bool, []string, time.Time) so that the natural forms a county clerk writes behave as
// read: `"economic" in expert.Categories`, `expert.Affiliation.Kind == "government"`.
// Named constants (such as AssociateSenior) are substituted at compile time.
//
// Every program is bounded: a node limit at compile time and a memory budget at run time.
// A compile failure is a *CompileError with the rule name, line, column and caret snippet;
// evaluation never panics (the VM turns run-time panics into errors).
package rules
