package audit_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb/audit"
)

// encodeText puts s into every string place of an event in turn and returns the errors.
func encodeText(s string) []error {
	var errs []error
	for where := range 4 {
		e := ev(1)
		switch where {
		case 0:
			e.Actor.Unit = s
		case 1:
			e.Subjects = []string{s}
		case 2:
			e.Data, _ = json.Marshal(map[string]any{"kind": "expert", "note": s})
		default:
			e.Data, _ = json.Marshal(map[string]any{s: 1})
		}
		_, err := e.Encode()
		errs = append(errs, err)
	}
	return errs
}

// Attack (issue 15, item 7): mobiles and ID numbers written the way people write them were
// stored unmasked. Each must be refused wherever it appears, and the refusal must show only
// the masked form.
func TestPersonalDataInCommonFormats(t *testing.T) {
	cases := []struct {
		name, text, secret, masked string
	}{
		{"mobile hyphens", "联系电话 139-1234-5678", "1234", "139****5678"},
		{"mobile spaces", "电话：139 1234 5678。", "1234", "139****5678"},
		{"mobile +86", "+8613912345678", "13912345678", "139****5678"},
		{"mobile +86 spaced", "tel +86 139 1234 5678", "1234", "139****5678"},
		{"mobile 86-", "86-139-1234-5678", "1234", "139****5678"},
		{"mobile 0086", "008613912345678", "13912345678", "139****5678"},
		{"mobile full-width", "手机１３９１２３４５６７８", "１３９１２３４５６７８", "139****5678"},
		{"mobile full-width hyphens", "１３９－１２３４－５６７８", "１２３４", "139****5678"},
		{"mobile ideographic space", "139　1234　5678", "1234", "139****5678"},
		{"mobile zero-width", "139\u200b1234\u200b5678", "1234", "139****5678"},
		{"mobile en dash", "139–1234–5678", "1234", "139****5678"},
		{"mobile after a number", "第2组 138 1234 5678", "1234", "138****5678"},
		{"mobile math digits", "𝟏𝟑𝟗𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖", "𝟏𝟐𝟑𝟒", "139****5678"},
		{"ID spaces", "身份证 330302 19900101 1234", "19900101", "********"},
		{"ID hyphens", "330302-19900101-123X", "19900101", "********"},
		{"ID lower-case x", "33030219900101123x", "19900101", "********"},
		{"ID spaced lower-case x", "330302 1990 0101 123x", "1990 0101", "330302"},
		{"ID full-width", "３３０３０２１９９００１０１１２３Ｘ", "１９９００１０１", "********"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for i, err := range encodeText(c.text) {
				require.ErrorIs(t, err, audit.ErrPersonalData, "place %d: %q stored", i, c.text)
				assert.NotContains(t, err.Error(), c.secret, "place %d", i)
				assert.Contains(t, err.Error(), c.masked, "place %d", i)
			}
		})
	}
}

// No false positives: digests, timestamps, request and expert IDs, draw keys, dates and
// numbers of other lengths are recorded.
func TestNotPersonalData(t *testing.T) {
	sum := sha256.Sum256([]byte("x"))
	for _, s := range []string{
		hex.EncodeToString(sum[:]),
		"9f3a13812345678b" + strings.Repeat("0a", 16),
		"expertdb-draw-v1/" + hex.EncodeToString(sum[:]) + "/" + hex.EncodeToString(sum[:]) + "/9319./2.5.8.10.12./",
		"13./5678./81234./",
		"2026-03-01T13:45:00.123456789Z", "2026-03-01 13:45:00", "2026年3月1日 13:45",
		"R-2026-001", "R-2026-13812", "E-2024-0001", "P-2025-001", "330302", "20260301",
		"138123456789", "1381234567", "138****5678", "330302********1234", "330302 ******** 1234",
		"202403150000012345", "12345678901", "共 13 人，其中 8 人到场", "1 2 3 4 5",
		"第 1 轮 第 2 轮 第 3 轮", "0577-88886666", "(0577) 8888 6666",
	} {
		for i, err := range encodeText(s) {
			require.NoError(t, err, "place %d: %q", i, s)
		}
	}
}

// Any mobile or ID number, written with any of the separators people use (spaces,
// hyphens, dashes, ideographic spaces, zero-width characters), with or without the country
// prefix, in ASCII or full-width digits, is refused, and the error shows none of its middle
// digits.
func TestPersonalDataGuardProperty(t *testing.T) {
	seps := []string{"", " ", "-", "  ", " - ", "\u3000", "\u2013", "\u200b", "\uff0d", "\u00a0"}
	rapid.Check(t, func(t *rapid.T) {
		var digits, hidden, shown string
		isID := rapid.Bool().Draw(t, "id")
		if isID {
			digits = rapid.StringMatching(`[1-9][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9])[0-9]{3}[0-9Xx]`).Draw(t, "idnum")
			hidden = digits[6:14]
		} else {
			digits = rapid.StringMatching(`1[3-9][0-9]{9}`).Draw(t, "mobile")
			hidden, shown = digits, digits[:3]+"****"+digits[7:]
		}
		full := rapid.Bool().Draw(t, "fullwidth")
		var b strings.Builder
		if !isID {
			b.WriteString(rapid.SampledFrom([]string{"", "+86", "+86 ", "86-", "0086", "+86-"}).Draw(t, "prefix"))
		}
		for i, r := range digits {
			if i > 0 && rapid.IntRange(0, 3).Draw(t, "sepHere") == 0 {
				b.WriteString(rapid.SampledFrom(seps).Draw(t, "sep"))
			}
			if full {
				r += 0xFF10 - '0'
				if r == 'X'+0xFF10-'0' || r == 'x'+0xFF10-'0' {
					r = r - (0xFF10 - '0') + 0xFF21 - 'A'
				}
			}
			b.WriteRune(r)
		}
		text := rapid.SampledFrom([]string{"", "电话", "x", "编号 R-1 ", "。"}).Draw(t, "before") + b.String() +
			rapid.SampledFrom([]string{"", "。", " 转 8", "y", "，谢谢"}).Draw(t, "after")
		for i, err := range encodeText(text) {
			if err == nil {
				t.Fatalf("place %d: %q stored", i, text)
			}
			require.ErrorIs(t, err, audit.ErrPersonalData)
			require.NotContains(t, err.Error(), hidden)
			// The message shows at most the first three (six) and the last four digits.
			msg := err.Error()
			msg = msg[strings.Index(msg, " number (")+1 : strings.LastIndex(msg, "); mask")]
			shownDigits := 0
			for _, r := range msg {
				if unicode.IsDigit(r) {
					shownDigits++
				}
			}
			require.LessOrEqual(t, shownDigits, map[bool]int{true: 10, false: 7}[isID], msg)
			if shown != "" && b.Len() == len(text) && strings.Contains(text, digits) {
				require.Contains(t, msg, shown)
			}
		}
	})
}

// The guard never panics, refuses only with ErrPersonalData (for valid UTF-8), and masking
// an error message leaves no refused text in it.
func FuzzPersonalDataGuard(f *testing.F) {
	for _, s := range []string{"139-1234-5678", "+86 139 1234 5678", "１３９１２３４５６７８", "330302 19900101 123x",
		"R-2026-001", "2026-03-01 13:45:00", "9f3a13812345678b0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a", "", "1", "-", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		for _, err := range encodeText(s) {
			if err == nil {
				continue
			}
			if !errors.Is(err, audit.ErrPersonalData) {
				// Other refusals concern the event, not personal data (e.g. an empty subject).
				require.ErrorIs(t, err, audit.ErrInvalidEvent)
				continue
			}
			// The masked error, scanned again, holds nothing more to refuse.
			e := ev(1)
			e.Data, _ = json.Marshal(map[string]any{"kind": "expert", "note": err.Error()})
			_, err2 := e.Encode()
			require.NoError(t, err2, "error message %q still holds personal data", err.Error())
		}
		// MaskMobile and MaskIDNumber are idempotent on anything.
		require.Equal(t, audit.MaskMobile(s), audit.MaskMobile(audit.MaskMobile(s)))
		require.Equal(t, audit.MaskIDNumber(s), audit.MaskIDNumber(audit.MaskIDNumber(s)))
	})
}

// BenchmarkPersonalDataGuard: encoding a typical draw event (digests, key, IDs, reasons),
// against a baseline that only looks for a plain 11-digit mobile with a regular expression.
//
//	go test -run=NONE -bench=BenchmarkPersonalDataGuard -benchmem ./audit/
func BenchmarkPersonalDataGuard(b *testing.B) {
	sum := sha256.Sum256([]byte("pool"))
	d := hex.EncodeToString(sum[:])
	data := map[string]any{"kind": "request", "pool_digest": d, "request_digest": d,
		"key": "expertdb-draw-v1/" + d + "/" + d + "/9319./2.5.8.10.12./"}
	var excluded []map[string]string
	for i := range 40 {
		excluded = append(excluded, map[string]string{"expert_id": fmt.Sprintf("E%04d", i), "article": "Art. 15(3)",
			"code": "same-department", "reason": "专家与项目负责人张*同属高校温州大学的同一院系机电工程学院，应当回避"})
	}
	data["excluded"] = excluded
	e := ev(1)
	e.Data, _ = json.Marshal(data)
	b.Run("guard", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.Encode(); err != nil {
				b.Fatal(err)
			}
		}
	})
	re := regexp.MustCompile(`1[3-9][0-9]{9}`)
	b.Run("baseline-regexp", func(b *testing.B) {
		for b.Loop() {
			if re.Match(e.Data) {
				b.Fatal("match")
			}
		}
	})
}
