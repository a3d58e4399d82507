package selection

import (
	"fmt"
	"slices"

	"golang.org/x/exp/stats"
)

// Probability is the estimated chance of one candidate to be drawn onto the panel.
type Probability struct {
	ExpertID    string  `json:"expert_id"`
	Count       int     `json:"count"`       // trials in which the candidate was drawn
	Probability float64 `json:"probability"` // Count / trials
}

// Fairness is the result of Simulate: how equal the chances of the candidates are under the
// request's structure. Without quotas or group caps every candidate has the same chance,
// Equal; quotas make the chances unequal (cf. Flanigan et al., Nature 596, 2021), and this
// report shows by how much.
type Fairness struct {
	Trials     int           `json:"trials"`
	Seats      int           `json:"seats"`      // seats filled by the random rounds
	Equal      float64       `json:"equal"`      // Seats / candidates: every chance without structure
	Candidates []Probability `json:"candidates"` // canonical order
	Min        float64       `json:"min"`
	Max        float64       `json:"max"`
	Mean       float64       `json:"mean"`
	StdDev     float64       `json:"std_dev"`   // sample standard deviation over candidates
	Quantiles  []float64     `json:"quantiles"` // at QuantilePoints
	Gini       float64       `json:"gini"`      // 0 = all equal
}

// QuantilePoints are the quantiles Fairness reports.
var QuantilePoints = []float64{0, 0.1, 0.25, 0.5, 0.75, 0.9, 1}

// Simulate draws req trials times with entropy derived from seed (trial t uses the sources
// {seed} and {t}) and estimates each candidate's chance to be drawn. Preferential picks and
// invited experts are fixed and not counted. The descriptive statistics come from
// golang.org/x/exp/stats.
func Simulate(req Request, pool Pool, r *Rules, trials int, seed uint64) (*Fairness, error) {
	if trials < 1 {
		return nil, fmt.Errorf("%w: simulate needs at least one trial", ErrInvalidRequest)
	}
	p, err := Prepare(req, r)
	if err != nil {
		return nil, err
	}
	b, err := p.newBase(pool)
	if err != nil {
		return nil, err
	}
	n := len(b.ids)
	counts := make([]int, n)
	pos := make(map[string]int, n)
	for i, id := range b.ids {
		pos[id] = i
	}
	for t := range trials {
		e := Entropy{Sources: [][]uint64{{seed}, {uint64(t)}}}
		w := b.newWalk(b.key(e))
		if err := w.fill(); err != nil {
			return nil, fmt.Errorf("selection: trial %d: %w", t, err)
		}
		for _, round := range w.drawn {
			q, _ := w.seq.at(round)
			counts[q]++
		}
	}
	f := &Fairness{Trials: trials, Seats: req.Size - len(b.fixed)}
	if n == 0 {
		return f, nil
	}
	f.Equal = float64(f.Seats) / float64(n)
	probs := make([]float64, n)
	for i, id := range b.ids {
		probs[i] = float64(counts[i]) / float64(trials)
		f.Candidates = append(f.Candidates, Probability{ExpertID: id, Count: counts[i], Probability: probs[i]})
	}
	f.Min, f.Max = slices.Min(probs), slices.Max(probs)
	if n > 1 {
		f.Mean, f.StdDev = stats.MeanAndStdDev(probs)
	} else {
		f.Mean = probs[0]
	}
	f.Quantiles = stats.Quantiles(probs, QuantilePoints...)
	f.Gini = gini(probs)
	return f, nil
}

// gini is the Gini coefficient of non-negative values: the mean absolute difference over
// twice the mean (0 when every value is equal or all are 0).
func gini(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	var sum, weighted float64
	for i, x := range s {
		sum += x
		weighted += float64(i+1) * x
	}
	n := float64(len(s))
	if sum == 0 || n == 0 {
		return 0
	}
	return 2*weighted/(n*sum) - (n+1)/n
}
