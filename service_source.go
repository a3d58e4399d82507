package expertdb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wzsti/expertdb/problem"
	"github.com/wzsti/expertdb/selection"
)

// AllowedSource names a public source a commitment may use (Art. 14(1), 22(5)): its kind
// ("lottery" or "beacon") and its exact name. Commit refuses every source not on the
// Service's list (Options.Sources), so that nobody names an obscure "public" value they
// could publish or choose themselves.
type AllowedSource struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// The names of the default sources (DefaultSources).
const (
	SourceShuangseqiu = "中国福利彩票双色球"      // 6 distinct red 1–33, then 1 blue 1–16
	SourceFucai3D     = "中国福利彩票福彩3D"     // 3 digits 0–9
	SourceDaletou     = "中国体育彩票超级大乐透"    // 5 distinct front 1–35, then 2 distinct back 1–12
	SourceQilecai     = "中国福利彩票七乐彩"      // 7 basic and 1 special number, all distinct 1–30
	SourceDrandQuick  = "drand quicknet" // League of Entropy, every 3 s since 2023-08-23T15:09:27Z
	SourceDrandLegacy = "drand default"  // League of Entropy mainnet, every 30 s since 2020-07-22T15:17:30Z
)

// DefaultSources is the list of sources a commitment may use when Options.Sources is empty:
// the national lotteries' draws 双色球, 福彩3D, 超级大乐透 and 七乐彩 (their published numbers,
// in published order), and the drand beacons "drand quicknet" and "drand default" (the
// round's 32-byte randomness as 4 big-endian 64-bit words, with its signature as proof).
func DefaultSources() []AllowedSource {
	return []AllowedSource{
		{"lottery", SourceShuangseqiu}, {"lottery", SourceFucai3D}, {"lottery", SourceDaletou}, {"lottery", SourceQilecai},
		{"beacon", SourceDrandQuick}, {"beacon", SourceDrandLegacy},
	}
}

// ErrEntropySource is wrapped by every SourceError: the entropy source of a commitment, or
// a value entered for it, was refused.
var ErrEntropySource = errors.New("expertdb: entropy source or public value refused")

// SourceError is a refused entropy source or public value: the article, a stable code and a
// Chinese message an operator can act on. Codes: "source-not-allowed", "source-count",
// "beacon-round", "beacon-round-published", "value-count", "value-range", "value-repeated",
// "beacon-proof", "value-mismatch", "committer-value", "value-entered".
type SourceError struct {
	Article string
	Code    string
	Message string
}

// Error returns the message with its article and code.
func (e *SourceError) Error() string {
	return "expertdb: " + e.Message + " [" + e.Article + " " + e.Code + "]"
}

// Unwrap returns ErrEntropySource.
func (e *SourceError) Unwrap() error { return ErrEntropySource }

// Problem implements problem.Problem.
func (e *SourceError) Problem() problem.Detail {
	return problem.Detail{Code: e.Code, Article: e.Article, Message: e.Message}
}

var _ problem.Problem = (*SourceError)(nil)

func sourceErr(code, msg string) *SourceError {
	return &SourceError{Article: "Art. 14(1), 22(5)", Code: code, Message: msg}
}

// ValueVerifier confirms a published value before a committed draw uses it (docs/draw-v1.md
// §13): for example by fetching the lottery's announcement or verifying a beacon's BLS
// signature against its group key. It returns nil to confirm, an error (a *SourceError
// reads best) to refuse. The Service always runs StructuralVerifier first, then the
// verifier of Options.ValueVerifier when there is one.
type ValueVerifier interface {
	VerifyValue(ctx context.Context, v PublicValue) error
}

// StructuralVerifier checks what can be checked of a published value without the network:
//
//   - the lotteries of DefaultSources: the count, the range of each number and that the
//     numbers drawn from one drum are distinct (双色球: 6 distinct red 1–33 and 1 blue 1–16;
//     福彩3D: 3 digits 0–9; 超级大乐透: 5 distinct 1–35 and 2 distinct 1–12; 七乐彩: 8
//     distinct 1–30);
//   - the drand beacons: the round is the one due at the source's time (genesis + (round −
//     1) × period, within one period), the proof is the round's signature (48 bytes for
//     quicknet, 96 for the default chain, hex) and the value is SHA-256(signature) as 4
//     big-endian words (selection.DrandSource).
//
// It does not verify the beacon's BLS signature against the League of Entropy's group key:
// that needs a pairing library the module does not depend on. A fabricated signature of the
// right length passes; a ValueVerifier that checks BLS signatures (or the public
// announcement) closes that gap, and anyone can check the record against the public source
// afterwards. Sources it does not know (a county's own list) get no structural check.
type StructuralVerifier struct{}

var _ ValueVerifier = StructuralVerifier{}

// lotteryFormat is how a lottery's draw is published: drums of numbers, in order.
type lotteryFormat []drum

// drum is one group of numbers drawn from min..max (distinct when drawn without replacement).
type drum struct {
	n, min, max int
	distinct    bool
	label       string
}

var lotteryFormats = map[string]lotteryFormat{
	SourceShuangseqiu: {{6, 1, 33, true, "红球"}, {1, 1, 16, true, "蓝球"}},
	SourceFucai3D:     {{3, 0, 9, false, "号码"}},
	SourceDaletou:     {{5, 1, 35, true, "前区"}, {2, 1, 12, true, "后区"}},
	SourceQilecai:     {{8, 1, 30, true, "基本号码和特别号码"}},
}

func (f lotteryFormat) count() int {
	n := 0
	for _, d := range f {
		n += d.n
	}
	return n
}

// beacon is a drand chain: when each round is published and how long its signature is.
type beacon struct {
	genesis time.Time
	period  time.Duration
	sigLen  int
}

var beacons = map[string]beacon{
	SourceDrandQuick:  {time.Unix(1692803367, 0).UTC(), 3 * time.Second, 48},
	SourceDrandLegacy: {time.Unix(1595431050, 0).UTC(), 30 * time.Second, 96},
}

// roundTime is when round r is published.
func (b beacon) roundTime(r uint64) time.Time {
	return b.genesis.Add(time.Duration(r-1) * b.period)
}

// beaconRound parses a beacon source's round (canonical decimal, from 1) and checks that it
// is the round due at the source's publication time.
func beaconRound(b beacon, src EntropySource) (uint64, time.Time, *SourceError) {
	r, err := strconv.ParseUint(src.Round, 10, 64)
	if err != nil || r == 0 || strconv.FormatUint(r, 10) != src.Round || r > uint64(math.MaxInt64/int64(b.period)) {
		return 0, time.Time{}, sourceErr("beacon-round", "随机信标的轮次须为正整数（十进制，无前导零）")
	}
	at := b.roundTime(r)
	if d := at.Sub(src.At); d > b.period || d < -b.period {
		return 0, time.Time{}, sourceErr("beacon-round", fmt.Sprintf("%s 第 %d 轮于 %s 公布，与承诺的公布时间 %s 不符",
			src.Name, r, at.Format(time.RFC3339), src.At.UTC().Format(time.RFC3339)))
	}
	return r, at, nil
}

// VerifyValue implements ValueVerifier.
func (StructuralVerifier) VerifyValue(_ context.Context, v PublicValue) error {
	src := v.Source
	if len(v.Values) != src.Count {
		return sourceErr("value-count", fmt.Sprintf("%s 第 %s 期应有 %d 个号码，录入了 %d 个", src.Name, src.Round, src.Count, len(v.Values)))
	}
	if f, ok := lotteryFormats[src.Name]; ok && src.Kind == "lottery" {
		return f.check(src, v.Values)
	}
	if b, ok := beacons[src.Name]; ok && src.Kind == "beacon" {
		r, _, serr := beaconRound(b, src)
		if serr != nil {
			return serr
		}
		sig, err := hex.DecodeString(strings.TrimSpace(v.Proof))
		if err != nil || len(sig) != b.sigLen {
			return sourceErr("beacon-proof", fmt.Sprintf("%s 的数值须附该轮的签名（%d 字节，十六进制）作为证明", src.Name, b.sigLen))
		}
		sum := sha256.Sum256(sig)
		words, err := selection.DrandSource(r, hex.EncodeToString(sum[:]))
		if err != nil || !slices.Equal(words[1:], v.Values) {
			return sourceErr("beacon-proof", fmt.Sprintf("%s 第 %d 轮的随机数须为其签名的 SHA-256，录入的数值与签名不符", src.Name, r))
		}
	}
	return nil
}

func (f lotteryFormat) check(src EntropySource, values []uint64) error {
	if len(values) != f.count() {
		return sourceErr("value-count", fmt.Sprintf("%s 每期开出 %d 个号码，录入了 %d 个", src.Name, f.count(), len(values)))
	}
	i := 0
	for _, d := range f {
		seen := map[uint64]bool{}
		for _, n := range values[i : i+d.n] {
			if n < uint64(d.min) || n > uint64(d.max) {
				return sourceErr("value-range", fmt.Sprintf("%s 的%s为 %d–%d，录入了 %d：不是该彩票可能开出的号码", src.Name, d.label, d.min, d.max, n))
			}
			if d.distinct && seen[n] {
				return sourceErr("value-repeated", fmt.Sprintf("%s 的%s不会重复开出，录入的 %d 出现了两次", src.Name, d.label, n))
			}
			seen[n] = true
		}
		i += d.n
	}
	return nil
}

// checkSource refuses, at the commit, a source not on the Service's list, a count that is
// not the lottery's, and a beacon round that is not due at the source's time or is already
// published (now).
func (s *Service) checkSource(src EntropySource, now time.Time) *SourceError {
	allowed := s.sources
	if len(allowed) == 0 {
		allowed = DefaultSources()
	}
	if !slices.Contains(allowed, AllowedSource{Kind: src.Kind, Name: src.Name}) {
		names := make([]string, len(allowed))
		for i, a := range allowed {
			names[i] = a.Name
		}
		return sourceErr("source-not-allowed", fmt.Sprintf("随机数来源 %q 不在允许的公开来源之列（%s）", src.Name, strings.Join(names, "、")))
	}
	if f, ok := lotteryFormats[src.Name]; ok && src.Kind == "lottery" && src.Count != f.count() {
		return sourceErr("source-count", fmt.Sprintf("%s 每期开出 %d 个号码，承诺的个数须为 %d", src.Name, f.count(), f.count()))
	}
	if b, ok := beacons[src.Name]; ok && src.Kind == "beacon" {
		if src.Count != 4 {
			return sourceErr("source-count", src.Name+" 的随机数为 32 字节，承诺的个数须为 4（4 个 64 位数）")
		}
		r, at, serr := beaconRound(b, src)
		if serr != nil {
			return serr
		}
		if !at.After(now) {
			return sourceErr("beacon-round-published", fmt.Sprintf("%s 第 %d 轮已于 %s 公布，承诺只能指定承诺之后才公布的轮次",
				src.Name, r, at.Format(time.RFC3339)))
		}
	}
	return nil
}

// verifyValue asks the structural verifier, then the Service's ValueVerifier, to confirm v.
func (s *Service) verifyValue(ctx context.Context, v PublicValue) error {
	if err := (StructuralVerifier{}).VerifyValue(ctx, v); err != nil {
		return err
	}
	if s.valueVerifier != nil {
		if err := s.valueVerifier.VerifyValue(ctx, v); err != nil {
			return fmt.Errorf("expertdb: %s %s: the value verifier refused the value (Art. 14(1), 22(5)): %w", v.Source.Name, v.Source.Round, err)
		}
	}
	return nil
}
