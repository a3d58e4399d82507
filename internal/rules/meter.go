package rules

import (
	"github.com/wzsti/expertdb/rule"

	"reflect"
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

// ErrBudget is rule.ErrBudget, wrapped (with ErrEval) by an evaluation stopped by its meter.
var ErrBudget = rule.ErrBudget

// EvalError is rule.EvalError: an evaluation failure, its rule, article and cause.
type EvalError = rule.EvalError

// Meter is rule.Meter: a budget shared by many evaluations, e.g. every expression of a draw.
type Meter = rule.Meter

// Default totals of a Meter made by NewMeter(0, 0).
const (
	DefaultMeterSteps = rule.DefaultMeterSteps
	DefaultMeterBytes = rule.DefaultMeterBytes
)

// NewMeter is rule.NewMeter.
func NewMeter(steps, bytes int64) *Meter { return rule.NewMeter(steps, bytes) }

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
