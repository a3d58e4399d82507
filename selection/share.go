package selection

import "math/bits"

// Allows reports whether part of whole stays within the share f: part/whole ≤ Num/Den,
// compared as part × Den ≤ whole × Num in exact 128-bit integer arithmetic, so that no
// product can overflow whatever the int values (Art. 14(1): 选取的专家比例不能超过专家组总人数的
// 三分之一, with the default share 1/3 "picks × 3 ≤ panel size"). A negative part or whole,
// or a fraction with Den ≤ 0 or Num < 0, allows nothing but a part of 0 of a non-negative
// whole.
func (f Fraction) Allows(part, whole int) bool {
	if part < 0 || whole < 0 {
		return false
	}
	if f.Den <= 0 || f.Num < 0 {
		return part == 0
	}
	lh, ll := bits.Mul64(uint64(part), uint64(f.Den))
	rh, rl := bits.Mul64(uint64(whole), uint64(f.Num))
	return lh < rh || lh == rh && ll <= rl
}
