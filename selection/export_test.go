package selection

import "time"

// AgeOn exposes ageOn (the age an indexed pool computes from kept calendar dates) to the
// black-box tests.
func AgeOn(birth, at time.Time) int { return ageOn(civilOf(birth), civilOf(at)) }

// SortIDs sorts ids as a pool index does (sortIDs on their 8-byte prefixes), for the
// black-box tests.
func SortIDs(ids []string) []string {
	es := make([]idEntry, len(ids))
	for i, id := range ids {
		es[i] = idEntry{idPrefix(id), int32(i)}
	}
	var s idSorter
	es = s.sort(es, ids)
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = ids[e.i]
	}
	return out
}

// FullView makes the draws of p fill every field of each expert's view, as before the
// fields its expressions read were known: the reference the partial view is tested against.
func FullView(p *Prepared) { p.unread = 0 }

// ReadsEveryField reports whether the draws of p fill every field of the view.
func ReadsEveryField(p *Prepared) bool { return p.unread == 0 }
