package selection

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Mode selects the hash, the counter width and the key of the draw sequence.
type Mode int

const (
	// V1 is the default mode: SHA-256, a 4-byte big-endian round counter, and the key
	// "expertdb-draw-v1/" + request digest + "/" + pool digest + "/" + RFC 3797 key string,
	// so that the sequence is bound to exactly one request and one candidate list.
	V1 Mode = iota
	// RFC3797 is the mode of RFC 3797 §4: MD5, a 2-byte big-endian round counter, and the
	// RFC 3797 key string alone. It reproduces the RFC 3797 §6 example. At most 65536 rounds.
	RFC3797
)

// String returns "v1" or "rfc3797".
func (m Mode) String() string {
	switch m {
	case V1:
		return "v1"
	case RFC3797:
		return "rfc3797"
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

// MaxRounds returns the number of rounds the mode's counter can number: 2^16 for RFC3797,
// 2^32 for V1.
func (m Mode) MaxRounds() int {
	if m == RFC3797 {
		return 1 << 16
	}
	return 1 << 32
}

func (m Mode) valid() bool { return m == V1 || m == RFC3797 }

// Entropy is the public randomness of a draw in RFC 3797 form: a list of sources, each a
// list of non-negative integers (a lottery result, a drand round converted to decimal, or
// 256 bits from a cryptographic generator).
type Entropy struct {
	Sources [][]uint64 `json:"sources"`
}

// Key returns the RFC 3797 key string: for each source in order, its numbers sorted
// ascending, each written in decimal without leading zeros and followed by ".", and the
// source ended by "/". For example {{9319}, {2, 5, 12, 8, 10}} gives "9319./2.5.8.10.12./".
func (e Entropy) Key() string {
	var b strings.Builder
	for _, src := range e.Sources {
		s := slices.Clone(src)
		slices.Sort(s)
		for _, n := range s {
			b.WriteString(strconv.FormatUint(n, 10))
			b.WriteByte('.')
		}
		b.WriteByte('/')
	}
	return b.String()
}

// ErrNoEntropy is returned when a draw is given no entropy source, or only empty ones.
var ErrNoEntropy = errors.New("selection: entropy has no numbers")

func (e Entropy) empty() bool {
	for _, s := range e.Sources {
		if len(s) > 0 {
			return false
		}
	}
	return true
}

// RandomEntropy reads 256 bits from r (the caller passes crypto/rand.Reader) and records them
// as one source of four 64-bit numbers. Sorting the four numbers in the key keeps more than
// 251 bits of entropy.
func RandomEntropy(r io.Reader) (Entropy, error) {
	var buf [32]byte
	if _, err := io.ReadFull(r, buf[:]); err != nil {
		return Entropy{}, fmt.Errorf("selection: reading entropy: %w", err)
	}
	src := make([]uint64, 4)
	for i := range src {
		src[i] = binary.BigEndian.Uint64(buf[8*i:])
	}
	return Entropy{Sources: [][]uint64{src}}, nil
}

// DrandSource converts the randomness of a published drand round (hex, as in the beacon's
// JSON "randomness" field, usually 64 hex digits) into one source: the round number followed
// by the randomness read as consecutive big-endian 64-bit numbers (a final short chunk is
// read as a smaller number). Announce the round number before the draw.
func DrandSource(round uint64, randomnessHex string) ([]uint64, error) {
	raw, err := hex.DecodeString(strings.TrimSpace(randomnessHex))
	if err != nil {
		return nil, fmt.Errorf("selection: drand randomness is not hex: %w", err)
	}
	if len(raw) < 16 {
		return nil, fmt.Errorf("selection: drand randomness has %d bytes, want at least 16", len(raw))
	}
	src := []uint64{round}
	for len(raw) > 0 {
		n := min(8, len(raw))
		var v uint64
		for _, b := range raw[:n] {
			v = v<<8 | uint64(b)
		}
		src = append(src, v)
		raw = raw[n:]
	}
	return src, nil
}

// LotterySource returns a lottery result as a source; the numbers are kept as published
// (Key sorts them). It exists so that call sites read as what they record.
func LotterySource(numbers ...uint64) []uint64 { return slices.Clone(numbers) }

// ParseSource parses one source as published: decimal numbers separated by spaces, commas,
// dots, semicolons, slashes or hyphens ("02 05 12 08 10", "9319"). Leading zeros are
// allowed (RFC 3797 drops them in the key). It rejects anything else, an empty source and
// numbers above 2^64-1.
func ParseSource(s string) ([]uint64, error) {
	var out []uint64
	for f := range strings.FieldsFuncSeq(s, func(r rune) bool {
		return r == ' ' || r == ',' || r == '.' || r == ';' || r == '/' || r == '-' || r == '\t' || r == '\n' || r == '\r'
	}) {
		for _, r := range f {
			if r < '0' || r > '9' {
				return nil, fmt.Errorf("selection: source %q: %q is not a decimal number", trimForError(s), trimForError(f))
			}
		}
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("selection: source %q: %w", trimForError(s), err)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("selection: source %q has no numbers", trimForError(s))
	}
	return out, nil
}

// ParseKey parses an RFC 3797 key string ("9319./2.5.8.10.12./") back into its sources. It
// accepts exactly the strings Key produces: ParseKey(e.Key()).Key() == e.Key().
func ParseKey(key string) (Entropy, error) {
	if key == "" {
		return Entropy{}, nil
	}
	if !strings.HasSuffix(key, "/") {
		return Entropy{}, fmt.Errorf("selection: key %q does not end with \"/\"", trimForError(key))
	}
	var e Entropy
	for part := range strings.SplitSeq(strings.TrimSuffix(key, "/"), "/") {
		src := []uint64{}
		if part != "" {
			if !strings.HasSuffix(part, ".") {
				return Entropy{}, fmt.Errorf("selection: key source %q does not end with \".\"", trimForError(part))
			}
			for num := range strings.SplitSeq(strings.TrimSuffix(part, "."), ".") {
				if num == "" || (len(num) > 1 && num[0] == '0') || strings.TrimLeft(num, "0123456789") != "" {
					return Entropy{}, fmt.Errorf("selection: key number %q is not canonical decimal", trimForError(num))
				}
				n, err := strconv.ParseUint(num, 10, 64)
				if err != nil {
					return Entropy{}, fmt.Errorf("selection: key number %q: %w", trimForError(num), err)
				}
				if len(src) > 0 && n < src[len(src)-1] {
					return Entropy{}, fmt.Errorf("selection: key source %q is not sorted", trimForError(part))
				}
				src = append(src, n)
			}
		}
		e.Sources = append(e.Sources, src)
	}
	return e, nil
}

func trimForError(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// rounder computes the round values of a sequence: the digest of counter ‖ key ‖ counter,
// read as a big-endian unsigned integer.
type rounder struct {
	mode Mode
	key  []byte
	h    hash.Hash
	buf  []byte
	sum  []byte
}

func newRounder(key string, m Mode) *rounder {
	r := &rounder{mode: m, key: []byte(key)}
	if m == RFC3797 {
		r.h = md5.New()
	} else {
		r.h = sha256.New()
	}
	w := r.width()
	r.buf = make([]byte, 0, 2*w+len(key))
	r.sum = make([]byte, 0, r.h.Size())
	return r
}

func (r *rounder) width() int {
	if r.mode == RFC3797 {
		return 2
	}
	return 4
}

// digest returns the digest of round i (0-based). The slice is reused by the next call.
func (r *rounder) digest(i int) []byte {
	b := r.buf[:0]
	if r.mode == RFC3797 {
		b = binary.BigEndian.AppendUint16(b, uint16(i))
		b = append(b, r.key...)
		b = binary.BigEndian.AppendUint16(b, uint16(i))
	} else {
		b = binary.BigEndian.AppendUint32(b, uint32(i))
		b = append(b, r.key...)
		b = binary.BigEndian.AppendUint32(b, uint32(i))
	}
	r.buf = b
	r.h.Reset()
	r.h.Write(b)
	r.sum = r.h.Sum(r.sum[:0])
	return r.sum
}

// mod returns the digest of round i, as a big-endian integer, modulo m (m > 0).
func (r *rounder) mod(i, m int) int {
	d := r.digest(i)
	mm := uint64(m)
	var rem uint64
	for _, b := range d {
		rem = (rem<<8 | uint64(b)) % mm
	}
	return int(rem)
}

// fenwick is a binary indexed tree over 0/1 weights, for selecting the j-th remaining
// position in O(log n).
type fenwick struct {
	t    []int32
	n    int
	step int
}

func newFenwick(n int) *fenwick {
	f := &fenwick{t: make([]int32, n+1), n: n}
	for i := 1; i <= n; i++ {
		f.t[i]++
		if j := i + i&-i; j <= n {
			f.t[j] += f.t[i]
		}
	}
	f.step = 1
	for f.step*2 <= n {
		f.step *= 2
	}
	return f
}

// remove clears position p (0-based).
func (f *fenwick) remove(p int) {
	for i := p + 1; i <= f.n; i += i & -i {
		f.t[i]--
	}
}

// find returns the position (0-based) of the j-th (0-based) remaining element.
func (f *fenwick) find(j int) int {
	pos := 0
	rem := int32(j + 1)
	for s := f.step; s > 0; s >>= 1 {
		if next := pos + s; next <= f.n && f.t[next] < rem {
			pos = next
			rem -= f.t[next]
		}
	}
	return pos
}

// stream is the continuing sequence over n positions: round i picks, among the positions not
// yet picked (in ascending order), the one at index digest(i) mod remaining.
type stream struct {
	r    *rounder
	f    *fenwick
	n    int
	out  []int
	left int
}

func newStream(n int, key string, m Mode) *stream {
	return &stream{r: newRounder(key, m), f: newFenwick(n), n: n, left: n}
}

// at returns the position picked in round i, computing rounds as needed; ok is false when
// i is beyond the last round (every position picked or the counter exhausted).
func (s *stream) at(i int) (int, bool) {
	for len(s.out) <= i {
		if s.left == 0 || len(s.out) >= s.r.mode.MaxRounds() {
			return 0, false
		}
		j := s.r.mod(len(s.out), s.left)
		p := s.f.find(j)
		s.f.remove(p)
		s.left--
		s.out = append(s.out, p)
	}
	return s.out[i], true
}

// RoundDigest returns the digest of round i (0-based) of the sequence under key and mode:
// MD5 or SHA-256 of counter(i) ‖ key ‖ counter(i), the counter big-endian on 2 or 4 bytes.
// It returns nil for an unknown mode or a round the counter cannot number.
func RoundDigest(i int, key string, m Mode) []byte {
	if !m.valid() || i < 0 || i >= m.MaxRounds() {
		return nil
	}
	return slices.Clone(newRounder(key, m).digest(i))
}

// Sequence returns the first k positions (0-based) drawn from n in order: round i (0-based)
// hashes counter(i) ‖ key ‖ counter(i), reads the digest as a big-endian unsigned integer,
// takes it modulo the number of positions not yet drawn and draws the position at that index
// (0-based) among them in ascending order. It returns min(k, n) positions (fewer in RFC3797
// mode past 65536 rounds), and nil for an unknown mode.
func Sequence(n, k int, key string, m Mode) []int {
	if n <= 0 || k <= 0 || !m.valid() {
		return nil
	}
	k = min(k, n, m.MaxRounds())
	s := newStream(n, key, m)
	out := make([]int, 0, k)
	for i := range k {
		p, _ := s.at(i)
		out = append(out, p)
	}
	return out
}
