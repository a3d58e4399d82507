package selection

import (
	"cmp"
	"slices"
)

// badIDExclusion excludes a pool record whose ID is not an admission.ValidExpertID (Art. 17:
// the ID names the expert in the pool digest, one ID per line, and in every audit record).
// Admission refuses such IDs; a record stored before that rule, or by another system, is
// left out of the draw with this reason instead of failing every draw (docs/draw-v1.md §2,
// row 0). The reason does not quote the ID, which may hold anything.
func badIDExclusion(id string) Exclusion {
	return Exclusion{ExpertID: id, Article: "Art. 17", Code: "expert-id",
		Reason: "专家编号不符合规定格式（1至64个字符，仅限英文字母、数字和 . _ : - ，以字母或数字开头，连续数字不超过10位），不能参加抽取；请先更正该专家的编号"}
}

// sortedBadIDs orders the bad-ID exclusions by ID (byte order), then by nothing else: equal
// IDs are equal exclusions.
func sortedBadIDs(xs []Exclusion) []Exclusion {
	slices.SortFunc(xs, func(a, b Exclusion) int { return cmp.Compare(a.ExpertID, b.ExpertID) })
	return xs
}
