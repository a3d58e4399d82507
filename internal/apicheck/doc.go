// Package apicheck guards the exported API of expertdb's public packages against
// accidental change. Its test lists every exported name of those packages, with its type,
// fields and methods, one declaration a line, and compares the list with the committed
// baseline in testdata/api.txt. A name removed or changed there breaks importers; a name
// added is harmless but must be reviewed. Either way the test fails until the baseline is
// rewritten on purpose:
//
//	go test ./internal/apicheck -update
//
// and the diff of testdata/api.txt is part of the change under review. Incompatible changes
// are also listed in CHANGELOG.md.
//
// The list is made by go/types from the packages' source, with the standard library only.
package apicheck
