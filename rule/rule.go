package rule

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// Rule is a named boolean expression over a rule site's environment. Name is a stable machine
// code (e.g. "age"), Article the provision the rule implements (e.g. "Art. 5(1)2"), Expr the
// expression and Message the Chinese message an operator sees when the rule fails.
type Rule struct {
	Name    string `yaml:"name" json:"name"`       // stable machine code, e.g. "age"
	Article string `yaml:"article" json:"article"` // e.g. "Art. 5(1)2"
	Expr    string `yaml:"expr" json:"expr"`       // expression over the site's environment
	Message string `yaml:"message" json:"message"` // Chinese message shown when the rule fails
}

// CompileError reports an expression that does not compile, with its position: Line and
// Column are 1-based within the expression (0 when unknown), Snippet is the offending line
// with a caret under the column.
type CompileError struct {
	Rule    string // rule name
	Expr    string // the expression source
	Line    int    // 1-based line within the expression (0 when unknown)
	Column  int    // 1-based column within the line (0 when unknown)
	Snippet string // the offending line with a caret under the column
	Msg     string // what is wrong
}

// Error implements error.
func (e *CompileError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rules: rule %q: %s", e.Rule, e.Msg)
	if e.Line > 0 {
		fmt.Fprintf(&b, " (line %d, column %d)", e.Line, e.Column)
	}
	if e.Snippet != "" {
		b.WriteString(e.Snippet)
	}
	return b.String()
}

// ErrEval is wrapped by every evaluation failure (run-time error or budget exceeded).
var ErrEval = errors.New("rules: evaluation failed")

// ErrBudget is wrapped (with ErrEval) by an evaluation stopped by its meter: a limit of one
// evaluation or the total of a Meter.
var ErrBudget = errors.New("rules: budget exceeded")

// EvalError is an evaluation failure: the rule, its article and the cause. It wraps ErrEval,
// ErrBudget when the meter stopped the evaluation, and the cause.
type EvalError struct {
	Rule    string // rule name, e.g. "criteria" or "age"
	Article string // the article the rule implements, e.g. "Art. 13" ("" when not stated)
	Budget  bool   // stopped by the meter
	Err     error
}

// Error implements error.
func (e *EvalError) Error() string {
	var b strings.Builder
	b.WriteString(ErrEval.Error())
	fmt.Fprintf(&b, ": rule %q", e.Rule)
	if e.Article != "" {
		fmt.Fprintf(&b, " (%s)", e.Article)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns ErrEval, ErrBudget when the meter stopped the evaluation, and the cause.
func (e *EvalError) Unwrap() []error {
	out := []error{ErrEval}
	if e.Budget {
		out = append(out, ErrBudget)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// Hidden names fields an author may not read: Fields of struct type Type (pointers are
// followed). A rule that reads one is refused when it is loaded, whatever path leads there.
type Hidden struct {
	Type   reflect.Type
	Fields []string
	Why    string // shown in the compile error, e.g. "personal data"
}

// Meter is a budget shared by many evaluations, e.g. every expression of one draw. It is not
// safe for concurrent use: give each goroutine (each draw) its own.
type Meter struct {
	steps, bytes int64 // remaining
	used         int64
	stopped      string // the rule that exhausted it, once it has
}

// Default totals of a Meter made by NewMeter(0, 0): a plain rule costs one step per
// evaluation, so this is enough for every rule of a draw over a pool of 100,000 experts many
// times over, and bounds the worst draw to a second or two.
const (
	DefaultMeterSteps = 20_000_000
	DefaultMeterBytes = 1 << 30
)

// NewMeter returns a meter allowing steps steps (cells count as steps) and bytes bytes in
// total; 0 means the default.
func NewMeter(steps, bytes int64) *Meter {
	if steps <= 0 {
		steps = DefaultMeterSteps
	}
	if bytes <= 0 {
		bytes = DefaultMeterBytes
	}
	return &Meter{steps: steps, bytes: bytes}
}

// Used returns the steps, cells and bytes charged so far (bytes counted in 16-byte units).
func (m *Meter) Used() int64 { return m.used }

// Exhausted returns the name of the first rule whose evaluation under this meter was stopped
// by a budget (its own or the meter's total), or "": once set, the run should stop.
func (m *Meter) Exhausted() string { return m.stopped }

// Remaining returns the steps and bytes the meter still allows; an evaluation is refused once
// either is not positive.
func (m *Meter) Remaining() (steps, bytes int64) { return m.steps, m.bytes }

// Charge subtracts one evaluation of the named rule: steps (cells included) and bytes. When
// the meter runs out, or stop is true (the evaluation was stopped by its own budget), the
// rule is remembered as the one that exhausted it (Exhausted), unless one already was. The
// evaluator calls it; an importer has no reason to.
func (m *Meter) Charge(rule string, steps, bytes int64, stop bool) {
	m.steps -= steps
	m.bytes -= bytes
	m.used += steps + bytes/16
	if m.stopped == "" && (stop || m.steps <= 0 || m.bytes <= 0) {
		m.stopped = rule
	}
}
