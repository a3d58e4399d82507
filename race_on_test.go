//go:build race

package expertdb_test

// raceEnabled reports that the tests run under the race detector (10–20× slower): the
// single-threaded fault-injection sweep then runs a sample of its cases.
const raceEnabled = true
