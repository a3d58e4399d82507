package rules

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unsafe"

	"github.com/expr-lang/expr/vm"
)

// Limits bound one evaluation of a rule. Every evaluation runs under a meter: when a limit is
// reached the evaluation stops with an error wrapping ErrBudget (and ErrEval) that names the
// rule and its article. The zero value of a field means its default.
//
// The meter counts in three currencies:
//
//   - Steps: every iteration of a predicate (all, any, filter, map, reduce, …) costs the
//     number of syntax nodes of its body; membership and equality on lists and the
//     aggregates (max, min, sum, mean, median) cost the length of the list they scan.
//   - Bytes: every string the expression builds (+, upper, lower, trim…, split, string)
//     costs its length; a string longer than MaxString is refused before it is built.
//   - Cells: ranges (a..b), list and map literals and the lists map and filter return cost
//     one cell per element, counted by the expr VM's own memory budget.
//
// A Meter passed to EvalMeter adds a total over many evaluations (a whole draw).
type Limits struct {
	Steps     int64 // per evaluation; 0 = DefaultSteps
	Bytes     int64 // per evaluation; 0 = DefaultBytes
	Cells     uint  // per evaluation; 0 = DefaultMemoryBudget
	MaxString int   // longest string an expression may build; 0 = DefaultMaxString
}

// Default limits of one evaluation. They allow every rule a county or a using unit plausibly
// writes (a few hundred steps) a thousand times over, and stop any expression within
// milliseconds, with a few MiB allocated at most.
const (
	DefaultSteps     = 50_000
	DefaultBytes     = 4 << 20
	DefaultMaxString = 16 << 10
)

func (l Limits) orDefault() Limits {
	if l.Steps <= 0 {
		l.Steps = DefaultSteps
	}
	if l.Bytes <= 0 {
		l.Bytes = DefaultBytes
	}
	if l.Cells == 0 {
		l.Cells = DefaultMemoryBudget
	}
	if l.MaxString <= 0 {
		l.MaxString = DefaultMaxString
	}
	return l
}

// ErrBudget is wrapped (with ErrEval) by an evaluation stopped by its meter: a limit of one
// evaluation (Limits) or the total of a Meter.
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

// evalMeter is the meter of one evaluation; the instrumented expression reaches it through the
// hidden environment variable __m.
type evalMeter struct {
	steps, bytes int64 // remaining
	maxString    int
	over         string // what exceeded, once something has
}

func (m *evalMeter) step(n int64) {
	m.steps -= n
	if m.steps < 0 {
		m.fail("step")
	}
}

func (m *evalMeter) alloc(n int64) {
	m.bytes -= n
	if m.bytes < 0 {
		m.fail("byte")
	}
}

func (m *evalMeter) fail(what string) {
	if m.over == "" {
		m.over = what
	}
	panic(errBudget{what})
}

type errBudget struct{ what string }

func (e errBudget) Error() string { return "rules: " + e.what + " budget exceeded" }

// vmMemory reads the cells the VM charged in its last run (vm.VM.memory, unexported). The
// offset is found once by reflection; when a future expr renames the field the VM still
// enforces Cells per evaluation, only the Meter total stops counting cells.
var vmMemoryOffset = func() uintptr {
	f, ok := reflect.TypeFor[vm.VM]().FieldByName("memory")
	if !ok || f.Type.Kind() != reflect.Uint {
		return 0
	}
	return f.Offset
}()

func vmMemory(m *vm.VM) uint {
	if vmMemoryOffset == 0 {
		return 0
	}
	return *(*uint)(unsafe.Add(unsafe.Pointer(m), vmMemoryOffset))
}
