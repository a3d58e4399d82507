//go:build rulescheck

package rules

// crossCheck is true under the build tag rulescheck: every evaluation the closures answer is
// answered by the VM as well, and a disagreement panics.
const crossCheck = true
