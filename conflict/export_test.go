package conflict

// NormalizeNameGeneral is NormalizeName without its fast path (width folding, NFKC and
// filtering until a fixed point), the reference the fast path is tested against.
func NormalizeNameGeneral(s string) string { return fixpoint(s, normalizePass) }

// EqualSimple is equalSimple, for the tests.
var EqualSimple = equalSimple

// MayBeIDNumber is mayBeIDNumber, and LooksLikeIDNumberGeneral is looksLikeIDNumber without
// it, for the tests.
var MayBeIDNumber = mayBeIDNumber

func LooksLikeIDNumberGeneral(s string) bool { return idNumberShaped(NormalizeIDNumber(s)) }

// TrimID is trimID, for the tests.
var TrimID = trimID
