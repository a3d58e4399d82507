package selection

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// PublicVersion is the version tag of a PublicRecord (docs/draw-v1.md §11).
const PublicVersion = "expertdb-public-draw-v1"

// PublicRecord is the public record of a draw (docs/draw-v1.md §11): what anyone needs to
// check the chance part of a draw without the expression engine and without personal data.
// It lists the candidates by ID with, for each, what the walk needs (the quotas the expert
// counts for and an opaque id per group value), the fixed members likewise, the excluded
// experts with article and code, the fields of the request digest, the entropy, the mode
// and the results. VerifyPublic checks it; verify/index.html checks it in a browser.
//
// The screening itself (who is a candidate, who is excluded and why, which quotas an
// expert matches, which experts share a unit) is stated, not proved: it can be disputed on
// its facts, while the digests, the sequence, the walk, the panel and the reserve follow
// from the record alone. The record carries no unit names, no expression results other
// than quota membership and group equality, and no personal data of experts.
type PublicRecord struct {
	Version   string `json:"version"`
	RequestID string `json:"request_id"`
	// Request lists the fields of the canonical request encoding (§4) in order, each as
	// [tag, value]; the request digest is SHA-256 of their encoding.
	Request    [][2]string       `json:"request"`
	Mode       string            `json:"mode"`    // "v1" or "rfc3797"
	Entropy    [][]string        `json:"entropy"` // sources, each number in decimal (as strings: JavaScript numbers lose precision above 2^53)
	Candidates []PublicMember    `json:"candidates"`
	Fixed      []PublicMember    `json:"fixed"` // preferential picks in ID order, then invited experts in request order
	Excluded   []PublicExclusion `json:"excluded"`
	// The claimed digests and key; VerifyPublic recomputes each.
	PoolDigest    string `json:"pool_digest"`
	RequestDigest string `json:"request_digest"`
	Key           string `json:"key"`
	Panel         []Pick `json:"panel"`
	ReserveSize   int    `json:"reserve_size"` // how many alternates were listed at most (Rules.Reserve, default the size)
	Reserve       []Pick `json:"reserve"`
}

// PublicMember is a candidate or a fixed member in a PublicRecord: its ID; for a fixed
// member its kind ("preferential" or "invited"); the quotas it counts for, as 0-based
// indexes into the request's quotas, ascending; and per group cap (request order) an opaque
// id of its group value: two experts have the same id exactly when their values are equal,
// and -1 means the cap does not apply to the expert (an empty or nil value).
type PublicMember struct {
	ID     string `json:"id"`
	Kind   string `json:"kind,omitempty"`
	Quotas []int  `json:"quotas"`
	Groups []int  `json:"groups"`
}

// PublicExclusion is an excluded expert in a PublicRecord: ID, article and code (the Chinese
// reason is left out: it may describe a relation or a period).
type PublicExclusion struct {
	ID      string `json:"id"`
	Article string `json:"article"`
	Code    string `json:"code"`
}

// DrawPublic draws like Draw and also returns the public record of the draw.
func (p *Prepared) DrawPublic(pool Pool, entropy Entropy) (*Result, *PublicRecord, error) {
	if entropy.empty() {
		return nil, nil, ErrNoEntropy
	}
	if err := p.CheckWindow(); err != nil {
		return nil, nil, err
	}
	b, err := p.newBase(pool)
	if err != nil {
		return nil, nil, err
	}
	res, err := b.draw(entropy)
	if err != nil {
		return nil, nil, err
	}
	return res, b.public(entropy, res), nil
}

// NewPublicRecord rebuilds the public record of a draw from its inputs and result, e.g. from
// a stored draw record whose pool is a snapshot of the candidates and preferential picks:
// the exclusions are taken from res, the candidates and their signatures from screening
// pool again. It fails when the screening does not give res's pool digest.
func NewPublicRecord(p *Prepared, pool Pool, entropy Entropy, res *Result) (*PublicRecord, error) {
	if res == nil {
		return nil, fmt.Errorf("selection: public record: no result")
	}
	b, err := p.newBase(pool)
	if err != nil {
		return nil, err
	}
	if b.poolDigest != res.PoolDigest {
		return nil, fmt.Errorf("selection: public record: the pool gives pool digest %s, the result has %s", b.poolDigest, res.PoolDigest)
	}
	return b.public(entropy, res), nil
}

func (b *base) public(e Entropy, res *Result) *PublicRecord {
	st := b.st
	sig := func(c int) ([]int, []int) {
		cl := st.class[c]
		qs := []int{}
		for q := range st.qmin {
			if cl.mask&(1<<q) != 0 {
				qs = append(qs, q)
			}
		}
		gs := make([]int, len(cl.vals))
		for g, v := range cl.vals {
			gs[g] = int(v)
		}
		return qs, gs
	}
	rec := &PublicRecord{
		Version: PublicVersion, RequestID: b.p.req.ID, Request: encodingFields(requestEncoding(&b.p.req, b.p.rules)),
		Mode: res.Mode.String(), PoolDigest: res.PoolDigest, RequestDigest: res.RequestDigest, Key: res.Key,
		Candidates: make([]PublicMember, len(b.ids)), Fixed: []PublicMember{}, Excluded: []PublicExclusion{},
		Panel: res.Panel, Reserve: res.Reserve, ReserveSize: b.p.rules.Reserve,
	}
	if rec.ReserveSize <= 0 {
		rec.ReserveSize = b.p.req.Size
	}
	if rec.Reserve == nil {
		rec.Reserve = []Pick{}
	}
	for _, src := range e.Sources {
		s := make([]string, len(src))
		for i, n := range src {
			s[i] = strconv.FormatUint(n, 10)
		}
		rec.Entropy = append(rec.Entropy, s)
	}
	for i, id := range b.ids {
		qs, gs := sig(b.cls[i])
		rec.Candidates[i] = PublicMember{ID: id, Quotas: qs, Groups: gs}
	}
	for _, m := range b.fixed {
		qs, gs := sig(m.class)
		kind := "preferential"
		if m.pick.Invited {
			kind = "invited"
		}
		rec.Fixed = append(rec.Fixed, PublicMember{ID: m.pick.ExpertID, Kind: kind, Quotas: qs, Groups: gs})
	}
	for _, x := range res.Excluded {
		rec.Excluded = append(rec.Excluded, PublicExclusion{ID: x.ExpertID, Article: x.Article, Code: x.Code})
	}
	return rec
}

// encodingFields splits a canonical encoding ("<tag> <len>:<value>\n" lines after the
// header line) into its fields. The encoding is the package's own, so it is well formed.
func encodingFields(enc []byte) [][2]string {
	s := string(enc)
	s = s[strings.IndexByte(s, '\n')+1:]
	var out [][2]string
	for s != "" {
		sp := strings.IndexByte(s, ' ')
		colon := sp + strings.IndexByte(s[sp:], ':')
		n, _ := strconv.Atoi(s[sp+1 : colon])
		out = append(out, [2]string{s[:sp], s[colon+1 : colon+1+n]})
		s = s[colon+2+n:]
	}
	return out
}

// appendField appends one line "<tag> <byte length>:<value>\n" of a canonical encoding; the
// value is a string or a byte slice.
func appendField[V string | []byte](b []byte, tag string, value V) []byte {
	b = append(b, tag...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(len(value)), 10)
	b = append(b, ':')
	b = append(b, value...)
	return append(b, '\n')
}

// Digest returns the public record's digest (lowercase hex SHA-256 of its canonical
// encoding, docs/draw-v1.md §11.2). The Service's draw event carries it, so that the
// inclusion proof of the event ties the record to the signed audit log.
func (r *PublicRecord) Digest() string {
	h := sha256.New()
	r.writeEncoding(h)
	return hex.EncodeToString(h.Sum(nil))
}

// writeEncoding writes the canonical encoding to w (a hash: it never fails) through a
// buffer of 32 KiB: at 100,000 candidates the encoding is ~9 MB, never held whole.
func (r *PublicRecord) writeEncoding(w io.Writer) {
	const flushAt = 32 << 10
	b := make([]byte, 0, flushAt+4096)
	flush := func(force bool) {
		if force || len(b) >= flushAt {
			_, _ = w.Write(b)
			b = b[:0]
		}
	}
	b = append(b, "expertdb-public-v1\n"...)
	var scratch []byte
	ints := func(xs []int) []byte {
		scratch = scratch[:0]
		for i, x := range xs {
			if i > 0 {
				scratch = append(scratch, ',')
			}
			scratch = strconv.AppendInt(scratch, int64(x), 10)
		}
		return scratch
	}
	b = appendField(b, "request-id", r.RequestID)
	b = appendField(b, "mode", r.Mode)
	b = appendField(b, "entropy", entropyKeyString(r.Entropy))
	b = appendField(b, "request-digest", r.RequestDigest)
	b = appendField(b, "pool-digest", r.PoolDigest)
	b = appendField(b, "key", r.Key)
	for _, m := range r.Candidates {
		flush(false)
		b = appendField(b, "candidate", m.ID)
		b = appendField(b, "candidate.quotas", ints(m.Quotas))
		b = appendField(b, "candidate.groups", ints(m.Groups))
	}
	for _, m := range r.Fixed {
		flush(false)
		b = appendField(b, "fixed", m.ID)
		b = appendField(b, "fixed.kind", m.Kind)
		b = appendField(b, "fixed.quotas", ints(m.Quotas))
		b = appendField(b, "fixed.groups", ints(m.Groups))
	}
	for _, x := range r.Excluded {
		flush(false)
		b = appendField(b, "excluded", x.ID)
		b = appendField(b, "excluded.article", x.Article)
		b = appendField(b, "excluded.code", x.Code)
	}
	for _, p := range r.Panel {
		flush(false)
		b = appendField(b, "panel", p.ExpertID)
		b = appendField(b, "panel.kind", pickKind(p))
		b = appendField(b, "panel.round", strconv.Itoa(p.Round))
	}
	b = appendField(b, "reserve-size", strconv.Itoa(r.ReserveSize))
	for _, p := range r.Reserve {
		flush(false)
		b = appendField(b, "reserve", p.ExpertID)
		b = appendField(b, "reserve.kind", pickKind(p))
		b = appendField(b, "reserve.round", strconv.Itoa(p.Round))
	}
	flush(true)
}

func pickKind(p Pick) string {
	switch {
	case p.Preferential && p.Invited:
		return "preferential+invited"
	case p.Preferential:
		return "preferential"
	case p.Invited:
		return "invited"
	}
	return "drawn"
}

// entropyKeyString is the RFC 3797 key string of sources written in decimal; a number that
// is not canonical decimal in [0, 2^64) is written as given (VerifyPublic refuses it).
func entropyKeyString(sources [][]string) string {
	e, err := parseEntropy(sources)
	if err != nil {
		var b strings.Builder
		for _, s := range sources {
			for _, n := range s {
				b.WriteString(n)
				b.WriteByte('.')
			}
			b.WriteByte('/')
		}
		return b.String()
	}
	return e.Key()
}

// parseEntropy parses sources of decimal numbers: digits only, no leading zero, at most
// 2^64-1.
func parseEntropy(sources [][]string) (Entropy, error) {
	var e Entropy
	for i, s := range sources {
		src := make([]uint64, len(s))
		for j, n := range s {
			if n == "" || (len(n) > 1 && n[0] == '0') || strings.TrimLeft(n, "0123456789") != "" {
				return Entropy{}, fmt.Errorf("source %d number %d %q is not canonical decimal", i+1, j+1, trimForError(n))
			}
			v, err := strconv.ParseUint(n, 10, 64)
			if err != nil {
				return Entropy{}, fmt.Errorf("source %d number %d %q is not below 2^64", i+1, j+1, trimForError(n))
			}
			src[j] = v
		}
		e.Sources = append(e.Sources, src)
	}
	return e, nil
}
