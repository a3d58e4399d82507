package rules

// EvalBoth evaluates p with the closures (ok false when they bail out or p has none) and with
// the VM, under the default limits, for the equivalence tests.
func (p *Program[E, R]) EvalBoth(env *E) (fr R, ferr error, ok bool, vr R, verr error) {
	if p.Fast() {
		fr, _, ferr, ok = p.evalFast(env, p.limits, nil)
	}
	vr, _, verr = p.evalVM(env, p.limits)
	return
}

// Mismatch reports whether two outcomes differ (values, or failure and budget verdict).
var Mismatch = mismatch

// EvalVM evaluates p on the VM only, under the default limits.
func (p *Program[E, R]) EvalVM(env *E) (R, error) {
	r, _, err := p.evalVM(env, p.limits)
	return r, err
}

// CrossCheck is true under the build tag rulescheck (every evaluation also runs on the VM).
const CrossCheck = crossCheck

// IsPure reports whether p runs as pure closures (cnode.pure), for the tests.
func IsPure[E, R any](p *Program[E, R]) bool { return p.pure }
