// Package problem is expertdb's one error model: every error an integrator maps to a
// response (a refused application, an invalid request, a denied permission, a county
// profile that does not load, an expression that does not compile…) implements Problem, so
// that one errors.As finds its stable code, the article of the Measures
// (温科发〔2024〕2号) it applies, a Chinese message an operator can act on, the field it
// concerns and, for a file or an expression, the line and column.
//
// The package has no dependencies, so that the pure domain packages (admission, conflict,
// evaluation, selection) and audit implement Problem without importing the root package.
package problem

import "errors"

// Detail is what an error tells an integrator: Code is stable (a program branches on it),
// Article the provision applied (e.g. "Art. 5(1)"; "" when none), Message the Chinese text
// for the operator (never personal data), Field the input the error is about (a JSON or YAML
// path, a Go field path or a rule name; "" when none), Line and Column the 1-based position
// in a file or expression (0 when unknown). An error with several reasons (every failed
// condition of an application) lists them all in Details, the first repeated at the top.
type Detail struct {
	Code    string   `json:"code"`
	Article string   `json:"article,omitempty"`
	Message string   `json:"message"`
	Field   string   `json:"field,omitempty"`
	Line    int      `json:"line,omitempty"`
	Column  int      `json:"column,omitempty"`
	Details []Detail `json:"details,omitempty"`
}

// Problem is implemented by every error type of expertdb that an integrator maps to a
// response. Find it with errors.As (or Of): wrapping errors such as the Service's OpError
// unwrap to it.
type Problem interface {
	error
	Problem() Detail
}

// Of returns the Detail of the first Problem in err's tree, and whether there is one.
func Of(err error) (Detail, bool) {
	var p Problem
	if errors.As(err, &p) {
		return p.Problem(), true
	}
	return Detail{}, false
}

// List returns a Detail whose top is the first of ds and whose Details are all of ds (none
// when there is only one).
func List(ds []Detail) Detail {
	if len(ds) == 0 {
		return Detail{}
	}
	top := ds[0]
	if len(ds) > 1 {
		top.Details = ds
	}
	return top
}
