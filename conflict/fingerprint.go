package conflict

import (
	"strings"
	"unicode/utf8"

	"github.com/wzsti/expertdb/admission"
)

// Fingerprint is what a Checker matches an expert on (the trimmed ID, the normalised resident
// ID number, and each unit's normalised credit code and name), hashed: computed once per
// expert (FingerprintOf) by a caller that checks the same experts for many projects, so that
// MayConflict rules most of them out without reading the expert again. It depends on the
// expert alone, not on a project, rules or date. The zero Fingerprint is unknown: MayConflict
// then always answers true.
type Fingerprint struct {
	keys [fingerprintKeys]uint32
	n    uint8 // 0: unknown; 1+k: k keys; fingerprintFull: too many keys to hold
}

const (
	fingerprintKeys = 8
	fingerprintFull = 255

	keyID     = 'i' // strings.TrimSpace of an expert ID (byID, rel, avoidByID)
	keyIDNum  = 'n' // NormalizeIDNumber (byIDNum)
	keyCode   = 'c' // NormalizeCode of a unit's credit code (byUnitCode, avoidByUnitCode)
	keyUnitNm = 'u' // NormalizeName of a unit's name before aliases (mentioned)
)

// FingerprintOf returns e's Fingerprint. units, when not nil, are UnitNames(e) computed
// before (as Known.Units); nil means compute them. e is only read.
func FingerprintOf(e *admission.Expert, units []string) Fingerprint {
	if len(units) != 1+len(e.Past) {
		units = nil
	}
	var f Fingerprint
	f.n = 1
	if id := trimID(e.ID); id != "" {
		f.add(keyID, id)
	}
	if e.IDNumber != "" {
		if n := NormalizeIDNumber(e.IDNumber); n != "" {
			f.add(keyIDNum, n)
		}
	}
	f.addUnit(e.Affiliation, units, 0)
	for k := range e.Past {
		f.addUnit(e.Past[k], units, 1+k)
	}
	return f
}

func (f *Fingerprint) addUnit(a admission.Affiliation, units []string, k int) {
	if a.OrgCode != "" {
		if code := NormalizeCode(a.OrgCode); code != "" {
			f.add(keyCode, code)
		}
	}
	// The name is always a key, empty or not: checkUnit looks every raw name up in mentioned.
	if units != nil {
		f.add(keyUnitNm, units[k])
	} else {
		f.add(keyUnitNm, NormalizeName(a.Org))
	}
}

func (f *Fingerprint) add(kind byte, s string) {
	if f.n == fingerprintFull {
		return
	}
	if int(f.n) > fingerprintKeys {
		f.n = fingerprintFull
		return
	}
	f.keys[f.n-1] = keyHash(kind, s)
	f.n++
}

// trimID is strings.TrimSpace(id), without the call for the usual ID that starts and ends
// with a printable ASCII character.
func trimID(id string) string {
	if n := len(id); n > 0 && ' ' < id[0] && id[0] < utf8.RuneSelf && ' ' < id[n-1] && id[n-1] < utf8.RuneSelf {
		return id
	}
	return strings.TrimSpace(id)
}

// keyHash is FNV-1a (64 bits, folded to 32) over kind and s. It need not resist collisions:
// a collision only makes MayConflict answer true, and the full check decides.
func keyHash(kind byte, s string) uint32 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	h = (h ^ uint64(kind)) * prime
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * prime
	}
	return uint32(h>>32) ^ uint32(h)
}

// keySet is a Bloom-like bit set of a Checker's keys (one bit per key).
type keySet struct {
	bits []uint64
	mask uint32 // len(bits)*64 - 1
}

func (s *keySet) set(h uint32) {
	h &= s.mask
	s.bits[h>>6] |= 1 << (h & 63)
}

func (s *keySet) has(h uint32) bool {
	h &= s.mask
	return s.bits[h>>6]&(1<<(h&63)) != 0
}

// buildKeys fills c.keys from the checker's indexes: every key report can match an expert on.
func (c *Checker) buildKeys() {
	n := len(c.byID) + len(c.rel) + len(c.avoidByID) + len(c.byIDNum) + len(c.byUnitCode) +
		len(c.avoidByUnitCode) + len(c.mentioned)
	size := 1 << 12 // bits: at most 1 in 64 set for up to 64 keys
	for size < 64*n && size < 1<<24 {
		size <<= 1
	}
	c.keys = keySet{bits: make([]uint64, size/64), mask: uint32(size - 1)}
	setKeys(&c.keys, keyID, c.byID)
	setKeys(&c.keys, keyID, c.rel)
	setKeys(&c.keys, keyID, c.avoidByID)
	setKeys(&c.keys, keyIDNum, c.byIDNum)
	setKeys(&c.keys, keyCode, c.byUnitCode)
	setKeys(&c.keys, keyCode, c.avoidByUnitCode)
	setKeys(&c.keys, keyUnitNm, c.mentioned)
}

// setKeys sets the bit of every key of m, as a key of the given kind.
func setKeys[V any](ks *keySet, kind byte, m map[string]V) {
	for k := range m {
		ks.set(keyHash(kind, k))
	}
}

// Selective reports whether MayConflict can rule out any expert: false when the checker
// fails closed or has county rules, which see every expert (MayConflict is then always true,
// and a caller need not compute fingerprints).
func (c *Checker) Selective() bool {
	return c != nil && c.built && c.err == nil && len(c.progs) == 0
}

// MayConflict reports whether ReportWith might return a conflict for an expert whose
// Fingerprint is f: when it is false, ReportWith (and so CheckWith and Excluding) returns no
// conflict for that expert, whatever Known holds. It is true for an unknown fingerprint, for a
// checker that fails closed, and whenever county rules (clause 5) are set, which must see
// every expert. A true answer says only that the full check must be made.
func (c *Checker) MayConflict(f *Fingerprint) bool {
	if !c.Selective() || f.n == 0 || f.n == fingerprintFull {
		return true
	}
	for _, h := range f.keys[:f.n-1] {
		if c.keys.has(h) {
			return true
		}
	}
	return false
}
