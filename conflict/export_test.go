package conflict

// NormalizeNameGeneral is NormalizeName without its fast path (width folding, NFKC and
// filtering until a fixed point), the reference the fast path is tested against.
func NormalizeNameGeneral(s string) string { return fixpoint(s, normalizePass) }

// EqualSimple is equalSimple, for the tests.
var EqualSimple = equalSimple

// MayBeIDNumber is mayBeIDNumber, and LooksLikeIDNumberGeneral is looksLikeIDNumber without
// it, for the tests.
var MayBeIDNumber = mayBeIDNumber

func LooksLikeIDNumberGeneral(s string) bool {
	n := NormalizeIDNumber(s)
	if len(n) != 15 && len(n) != 18 {
		return false
	}
	for i := 0; i < len(n); i++ {
		if c := n[i]; !('0' <= c && c <= '9' || c == 'X' && i == len(n)-1) {
			return false
		}
	}
	return true
}

// TrimID is trimID, for the tests.
var TrimID = trimID
