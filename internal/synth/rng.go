package synth

import (
	"hash/fnv"
	"math/bits"
)

// rng is a SplitMix64 generator: tiny, fast, and its output is fixed by its definition, so a
// seed gives the same pool on every platform and Go version (the package never uses math/rand,
// whose global state and algorithms are not ours to pin).
type rng struct{ s uint64 }

// newRNG returns a generator for one named stream of a seed. Streams are independent, so
// adding draws to one part of the generator does not shift the others.
func newRNG(seed uint64, stream string, index int) *rng {
	h := fnv.New64a()
	_, _ = h.Write([]byte(stream))
	r := &rng{s: seed ^ h.Sum64() ^ (uint64(index) * 0x9e3779b97f4a7c15)}
	r.next() // decorrelate nearby seeds
	return r
}

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n) (n > 0) by multiply-shift; the bias is below 2^-50 for
// every n this package uses.
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.next(), uint64(n))
	return int(hi)
}

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// chance reports true with probability num/den.
func (r *rng) chance(num, den int) bool { return r.intn(den) < num }

// pick returns a random element of xs (which must not be empty).
func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }

// weighted returns an index of ws with probability proportional to its weight.
func (r *rng) weighted(ws []int) int {
	total := 0
	for _, w := range ws {
		total += w
	}
	x := r.intn(total)
	for i, w := range ws {
		if x < w {
			return i
		}
		x -= w
	}
	return len(ws) - 1
}
