//go:build !linux

package admission_test

import "time"

var start = time.Now()

// cpuNow falls back to the wall clock where the process CPU clock is not read.
func cpuNow() time.Duration { return time.Since(start) }
