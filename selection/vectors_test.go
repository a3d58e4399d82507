package selection_test

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb/selection"
)

// The vectors of docs/draw-v1.md; a change here is a change of the draw algorithm.
func TestDocVectors(t *testing.T) {
	pd := selection.PoolDigest([]string{"E000", "E001", "E002"})
	assert.Equal(t, "390eb811c6c482fdb853012f86be7c18559f3f7fe844c469d02e08947d6760eb", pd)

	res, err := selection.Draw(exampleRequest(), examplePool(), selection.Entropy{Sources: [][]uint64{{3, 17, 22, 29, 31, 35, 12}}}, nil)
	require.NoError(t, err)
	assert.Equal(t, "8053a432f9781c7256c29409c73227491676c84d42bc7d2ccf278cd3e880202e", res.RequestDigest)
	assert.Equal(t, "bfbae75bfadc4e4b4c7c8b527b358d3838a3471d387eb47caf8c5fb1aedda9ec", res.PoolDigest)
	assert.Equal(t, 10, res.Candidates)

	key := selection.V1Key("8053a432f9781c7256c29409c73227491676c84d42bc7d2ccf278cd3e880202e", "bfbae75bfadc4e4b4c7c8b527b358d3838a3471d387eb47caf8c5fb1aedda9ec", selection.Entropy{Sources: [][]uint64{{3, 17, 22, 29, 31, 35, 12}}})
	assert.Equal(t, res.Key, key)
	assert.Equal(t, "4997b27ed1c4741169732f77f008f41906969aa7779a180f204c28f3135fced8", hex.EncodeToString(selection.RoundDigest(0, key, selection.V1)))
	assert.Equal(t, []int{0, 2, 4, 6, 9, 8}, selection.Sequence(10, 6, key, selection.V1))

	v := selection.Sequence(10, 5, "expertdb-draw-v1/test/", selection.V1)
	assert.Equal(t, []int{1, 2, 4, 5, 8}, v)
	assert.Equal(t, "ddf9635dbe56a0f5dacd1b9c9867c7d1a142bf2fce74be2d784a9d0408dd5d52", hex.EncodeToString(selection.RoundDigest(1, "expertdb-draw-v1/test/", selection.V1)))
}
