package selection

import "context"

// Usage returns the participations of every expert in year (preloaded and reserved): the
// Pool.Usage of a draw in that year.
func (l *MemoryLedger) Usage(ctx context.Context, year int) (map[string]int, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]int{}
	for k, n := range l.base {
		if k.year == year && n > 0 {
			out[k.id] += n
		}
	}
	for k, acts := range l.acts {
		if k.year == year && len(acts) > 0 {
			out[k.id] += len(acts)
		}
	}
	return out, nil
}
