package selection_test

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb/selection"
)

// rfc3797Entropy is the entropy of the RFC 3797 §6 example: the Alphaland lottery daily
// number, the Betastani lottery six numbers as published, and the Gamma Ray numbers.
var rfc3797Entropy = selection.Entropy{Sources: [][]uint64{
	{9319},
	{2, 5, 12, 8, 10},
	{9, 18, 26, 34, 41, 45},
}}

func TestEntropyKeyRFC3797Example(t *testing.T) {
	assert.Equal(t, "9319./2.5.8.10.12./9.18.26.34.41.45./", rfc3797Entropy.Key())
}

// TestSequenceReproducesRFC3797Section6 checks the published numbers of RFC 3797 §6: the
// MD5 values of the first rounds and the volunteers selected, numbered from 1 in the RFC.
func TestSequenceReproducesRFC3797Section6(t *testing.T) {
	key := rfc3797Entropy.Key()
	// RFC 3797 §6, "index / hex value of MD5" column (the first 16 rounds).
	published := []string{
		"990DD0A5692A029A98B5E01AA28F3459",
		"3691E55CB63FCC37914430B2F70B5EC6",
		"FE814EDF564C190AC1D25753979990FA",
		"1863CCACEB568C31D7DDBDF1D4E91387",
		"F4AB33DF4889F0AF29C513905BE1D758",
		"13EAEB529F61ACFB9A29D0BA3A60DE4A",
		"992DB77C382CA2BDB9727001F3CDCCD9",
		"63AB4258ECA922976811C7F55C383CE7",
		"DFBC5AC97CED01B3A6E348E3CC63F40D",
		"31CB111C4A4EBE9287CEAE16FE51B909",
		"07FA46C122F164C215BBC72793B189A3",
		"AC52F8D75CCBE2E61AFEB3387637D501",
		"53306F73E14FC0B2FBF434218D25948E",
		"B5D1403501A81F9A47318BE7893B347C",
		"85B10B356AA06663EF1B1B407765100A",
		"3269E6CE559ABD57E2BA6AAB495EB9BD",
	}
	for i, want := range published {
		assert.Equal(t, want, strings.ToUpper(hex.EncodeToString(selection.RoundDigest(i, key, selection.RFC3797))), "round %d", i)
	}
	// RFC 3797 §6: the selected volunteers in order (1-based): Lee 17, Doc 7, Mary 2,
	// Charity 16, Kasczynski 25, Envy 23, Sneazy 8, Anger 24, Chastity 19, Pandora 13, then
	// the alternate Sloth 22.
	selected := []int{17, 7, 2, 16, 25, 23, 8, 24, 19, 13, 22}
	got := selection.Sequence(25, len(selected), key, selection.RFC3797)
	require.Len(t, got, len(selected))
	for i, s := range selected {
		assert.Equal(t, s-1, got[i], "round %d", i)
	}
}

func TestSequenceIsAPermutationPrefix(t *testing.T) {
	tests := []struct {
		n, k int
		mode selection.Mode
		want int
	}{
		{0, 3, selection.V1, 0},
		{5, 0, selection.V1, 0},
		{5, 9, selection.V1, 5},
		{100, 100, selection.V1, 100},
		{100, 30, selection.RFC3797, 30},
		{5, 3, selection.Mode(9), 0},
	}
	for _, tt := range tests {
		got := selection.Sequence(tt.n, tt.k, "k", tt.mode)
		require.Len(t, got, tt.want)
		seen := map[int]bool{}
		for _, p := range got {
			require.True(t, p >= 0 && p < tt.n)
			require.False(t, seen[p])
			seen[p] = true
		}
	}
	// A prefix of a longer sequence is the shorter sequence.
	assert.Equal(t, selection.Sequence(50, 10, "abc", selection.V1), selection.Sequence(50, 50, "abc", selection.V1)[:10])
}

func TestEntropyHelpers(t *testing.T) {
	src, err := selection.DrandSource(1000, "8d1a8e6b4c1f1f2a0f3c7a1e2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e")
	require.NoError(t, err)
	assert.Equal(t, []uint64{1000, 0x8d1a8e6b4c1f1f2a, 0x0f3c7a1e2b3c4d5e, 0x6f708192a3b4c5d6, 0xe7f8091a2b3c4d5e}, src)
	_, err = selection.DrandSource(1, "zz")
	require.Error(t, err)
	_, err = selection.DrandSource(1, "abcd")
	require.Error(t, err)

	e, err := selection.RandomEntropy(strings.NewReader(strings.Repeat("\x01", 32)))
	require.NoError(t, err)
	assert.Equal(t, [][]uint64{{0x0101010101010101, 0x0101010101010101, 0x0101010101010101, 0x0101010101010101}}, e.Sources)
	_, err = selection.RandomEntropy(strings.NewReader("short"))
	require.Error(t, err)

	assert.Equal(t, []uint64{2, 5, 12}, selection.LotterySource(2, 5, 12))

	tests := []struct {
		in   string
		want []uint64
		ok   bool
	}{
		{"02 05 12 08 10", []uint64{2, 5, 12, 8, 10}, true},
		{"9319", []uint64{9319}, true},
		{"1,2;3/4-5.6", []uint64{1, 2, 3, 4, 5, 6}, true},
		{"", nil, false},
		{"1 x 2", nil, false},
		{"18446744073709551616", nil, false},
	}
	for _, tt := range tests {
		got, err := selection.ParseSource(tt.in)
		if !tt.ok {
			assert.Error(t, err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got)
	}
}

func TestParseKeyRoundTrip(t *testing.T) {
	e, err := selection.ParseKey("9319./2.5.8.10.12./9.18.26.34.41.45./")
	require.NoError(t, err)
	assert.Equal(t, rfc3797Entropy.Key(), e.Key())
	for _, bad := range []string{"1.", "1/", "01./", "2.1./", "a./", "1..2./"} {
		_, err := selection.ParseKey(bad)
		assert.Error(t, err, bad)
	}
}

func FuzzParseSource(f *testing.F) {
	for _, s := range []string{"02 05 12 08 10", "9319", "1,2;3", "", "x", "18446744073709551615"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		src, err := selection.ParseSource(s)
		if err != nil {
			return
		}
		require.NotEmpty(t, src)
		key := selection.Entropy{Sources: [][]uint64{src}}.Key()
		back, err := selection.ParseKey(key)
		require.NoError(t, err)
		require.Equal(t, key, back.Key())
	})
}

func FuzzParseKey(f *testing.F) {
	for _, s := range []string{"9319./2.5.8.10.12./9.18.26.34.41.45./", "/", "1./", "", "0./1.2./"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := selection.ParseKey(s)
		if err != nil {
			return
		}
		require.Equal(t, s, e.Key(), "ParseKey accepts only canonical keys")
	})
}
