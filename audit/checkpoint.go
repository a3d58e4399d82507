package audit

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Checkpoint is the body of a signed checkpoint in the C2SP tlog-checkpoint format
// (https://c2sp.org/tlog-checkpoint): the log's origin, its size and its RFC 6962 root hash.
// Its text form is three lines:
//
//	<origin>
//	<size in decimal>
//	<root hash in standard base64>
//
// The Log signs it as a note (golang.org/x/mod/sumdb/note) with Ed25519. The origin is the
// signer's key name, so a checkpoint of one log can never pass for another's.
type Checkpoint struct {
	Origin string
	Size   int64
	Hash   tlog.Hash
}

// ErrCheckpoint is wrapped by every failure to parse or authenticate a checkpoint: bad
// syntax, a missing, unknown or invalid signature, or an origin other than the verifier's.
var ErrCheckpoint = errors.New("audit: bad checkpoint")

// maxCheckpointSize bounds a signed checkpoint note.
const maxCheckpointSize = 16 << 10

// Text returns the checkpoint body in C2SP form.
func (c Checkpoint) Text() []byte {
	return fmt.Appendf(nil, "%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Hash[:]))
}

// String returns the checkpoint on one line, for messages.
func (c Checkpoint) String() string {
	return fmt.Sprintf("%s@%d:%s", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Hash[:]))
}

// ParseCheckpoint parses an (unsigned) checkpoint body. It is strict: the origin must be a
// non-empty line of printable text, the size a canonical non-negative decimal (no sign, no
// leading zero), the hash exactly 32 bytes in padded standard base64, every line ended by a
// newline. Extension lines after the hash are allowed by the format; they must be non-empty
// and are ignored.
func ParseCheckpoint(text []byte) (Checkpoint, error) {
	var c Checkpoint
	if len(text) > maxCheckpointSize {
		return c, fmt.Errorf("%w: body too large", ErrCheckpoint)
	}
	if !utf8.Valid(text) {
		return c, fmt.Errorf("%w: body is not UTF-8", ErrCheckpoint)
	}
	if len(text) == 0 || text[len(text)-1] != '\n' {
		return c, fmt.Errorf("%w: body must end with a newline", ErrCheckpoint)
	}
	lines := strings.Split(string(text[:len(text)-1]), "\n")
	if len(lines) < 3 {
		return c, fmt.Errorf("%w: want origin, size and hash lines, got %d line(s)", ErrCheckpoint, len(lines))
	}
	c.Origin = lines[0]
	if c.Origin == "" || strings.IndexFunc(c.Origin, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return c, fmt.Errorf("%w: bad origin line", ErrCheckpoint)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || lines[1] != strconv.FormatInt(size, 10) {
		return c, fmt.Errorf("%w: bad size line", ErrCheckpoint)
	}
	c.Size = size
	h, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(h) != tlog.HashSize {
		return c, fmt.Errorf("%w: bad root hash line", ErrCheckpoint)
	}
	copy(c.Hash[:], h)
	for _, ext := range lines[3:] {
		if ext == "" {
			return c, fmt.Errorf("%w: empty extension line", ErrCheckpoint)
		}
	}
	return c, nil
}

// OpenCheckpoint authenticates a signed checkpoint note with v and parses its body. The note
// must carry a valid signature by v's key, and the checkpoint's origin must equal v.Name().
// Every failure wraps ErrCheckpoint.
func OpenCheckpoint(signed []byte, v note.Verifier) (Checkpoint, error) {
	if v == nil {
		return Checkpoint{}, fmt.Errorf("%w: no verifier", ErrCheckpoint)
	}
	if len(signed) > maxCheckpointSize {
		return Checkpoint{}, fmt.Errorf("%w: note too large", ErrCheckpoint)
	}
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: %w", ErrCheckpoint, err)
	}
	c, err := ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("%w: origin %q is not the verifier's %q", ErrCheckpoint, scrub(c.Origin), v.Name())
	}
	return c, nil
}

// signCheckpoint signs c with s.
func signCheckpoint(c Checkpoint, s note.Signer) ([]byte, error) {
	out, err := note.Sign(&note.Note{Text: string(c.Text())}, s)
	if err != nil {
		return nil, fmt.Errorf("audit: sign checkpoint: %w", err)
	}
	return out, nil
}

// ---- proofs ----

// InclusionProof proves that the record at Index is in the tree of Size records (RFC 6962
// audit path, as produced by tlog.ProveRecord).
type InclusionProof struct {
	Index int64            `json:"index"`
	Size  int64            `json:"size"`
	Path  tlog.RecordProof `json:"path"`
}

// ConsistencyProof proves that the tree of Old records is a prefix of the tree of New
// records (RFC 6962 consistency proof, as produced by tlog.ProveTree): nothing recorded
// before was changed, removed or reordered.
type ConsistencyProof struct {
	Old  int64          `json:"old"`
	New  int64          `json:"new"`
	Path tlog.TreeProof `json:"path"`
}

// ErrProof is wrapped when an inclusion or consistency proof does not check.
var ErrProof = errors.New("audit: proof does not verify")

// CheckInclusion checks that record is at p.Index in the log whose checkpoint is cp. Use
// a checkpoint obtained from OpenCheckpoint.
func CheckInclusion(cp Checkpoint, p InclusionProof, record []byte) error {
	if p.Size != cp.Size {
		return fmt.Errorf("%w: proof is for size %d, checkpoint has %d", ErrProof, p.Size, cp.Size)
	}
	if p.Index < 0 || p.Index >= p.Size {
		return fmt.Errorf("%w: index %d outside a log of %d records", ErrProof, p.Index, p.Size)
	}
	if err := tlog.CheckRecord(p.Path, p.Size, cp.Hash, p.Index, tlog.RecordHash(record)); err != nil {
		return fmt.Errorf("%w: record %d: %w", ErrProof, p.Index, err)
	}
	return nil
}

// CheckConsistency checks that the log at checkpoint newer extends the log at checkpoint
// older without rewriting it. Both must have the same origin.
func CheckConsistency(older, newer Checkpoint, p ConsistencyProof) error {
	if older.Origin != newer.Origin {
		return fmt.Errorf("%w: checkpoints of different logs", ErrProof)
	}
	if p.Old != older.Size || p.New != newer.Size {
		return fmt.Errorf("%w: proof is for sizes %d→%d, checkpoints are %d→%d", ErrProof, p.Old, p.New, older.Size, newer.Size)
	}
	switch {
	case older.Size > newer.Size:
		return fmt.Errorf("%w: log shrank from %d to %d records", ErrProof, older.Size, newer.Size)
	case older.Size == 0:
		if older.Hash != emptyTreeHash || len(p.Path) != 0 {
			return fmt.Errorf("%w: bad empty tree", ErrProof)
		}
		return nil
	case older.Size == newer.Size:
		if older.Hash != newer.Hash || len(p.Path) != 0 {
			return fmt.Errorf("%w: two different trees of %d records", ErrProof, older.Size)
		}
		return nil
	}
	if err := tlog.CheckTree(p.Path, newer.Size, newer.Hash, older.Size, older.Hash); err != nil {
		return fmt.Errorf("%w: %d→%d: %w", ErrProof, older.Size, newer.Size, err)
	}
	return nil
}

// emptyTreeHash is the RFC 6962 hash of the empty tree (SHA-256 of nothing).
var emptyTreeHash = func() tlog.Hash {
	h, _ := tlog.TreeHash(0, nil)
	return h
}()
