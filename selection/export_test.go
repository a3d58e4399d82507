package selection

import (
	"cmp"
	"strings"
	"time"
)

// AgeOn exposes ageOn (the age an indexed pool computes from kept calendar dates) to the
// black-box tests.
func AgeOn(birth, at time.Time) int { return ageOn(civilOf(birth), civilOf(at)) }

// SortIDs sorts ids as a pool index does (sortByKey on their 8-byte prefixes), for the
// black-box tests.
func SortIDs(ids []string) []string {
	type entry struct {
		key uint64
		id  string
	}
	es := make([]entry, len(ids))
	for i, id := range ids {
		es[i] = entry{idPrefix(id), id}
	}
	es = sortByKey(es, func(e entry) uint64 { return e.key }, func(a, b entry) int {
		if a.key != b.key {
			return cmp.Compare(a.key, b.key)
		}
		return strings.Compare(a.id, b.id)
	})
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.id
	}
	return out
}
