package selection

import (
	"cmp"
	"slices"
)

// ExclusionCount is the number of experts excluded for one reason (article and code).
type ExclusionCount struct {
	Article string `json:"article"`
	Code    string `json:"code"`
	Count   int    `json:"count"`
}

// CountExclusions returns the number of exclusions per article and code, sorted by code then
// article: what a user without the right to see personal data learns of a draw's exclusions
// (Art. 20). The list itself says who matched the request's expressions, which over a few
// draws would disclose what the masked view hides (e.g. birth dates); the counts do not name
// anyone.
func CountExclusions(ex []Exclusion) []ExclusionCount {
	idx := map[[2]string]int{}
	var out []ExclusionCount
	for _, e := range ex {
		k := [2]string{e.Article, e.Code}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, ExclusionCount{Article: e.Article, Code: e.Code})
		}
		out[i].Count++
	}
	slices.SortFunc(out, func(a, b ExclusionCount) int {
		return cmp.Or(cmp.Compare(a.Code, b.Code), cmp.Compare(a.Article, b.Article))
	})
	return out
}
