package selection

import "time"

// AgeOn exposes ageOn (the age an indexed pool computes from kept calendar dates) to the
// black-box tests.
func AgeOn(birth, at time.Time) int { return ageOn(civilOf(birth), civilOf(at)) }
