package evaluation

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Store keeps ratings. Implementations enforce one rating per activity and expert: Add is
// atomic, and fails with an error matching [ErrDuplicate] (see [DuplicateError]) without
// storing anything when a rating repeats one already stored or another in the same call.
// Ratings are assigned to years by [YearOf] of their At. Validate ratings with
// [Rules.ValidateRatings] before adding them; a Store checks only uniqueness.
type Store interface {
	// Add stores ratings, all or none.
	Add(ctx context.Context, ratings ...Rating) error
	// ByExpert returns the ratings of one expert in one calendar year, in the order added.
	ByExpert(ctx context.Context, expertID string, year int) ([]Rating, error)
	// ByYear returns every rating of one calendar year, in the order added: the input of
	// [Summarize] for the preferential picks of the following year.
	ByYear(ctx context.Context, year int) ([]Rating, error)
}

// ErrDuplicate is matched (errors.Is) when a rating repeats the activity and expert of
// another.
var ErrDuplicate = errors.New("evaluation: duplicate rating")

// DuplicateError reports a second rating of one expert for one activity (Art. 25: one
// rating per activity and expert).
type DuplicateError struct {
	ActivityID, ExpertID string
}

// Error implements error.
func (e *DuplicateError) Error() string {
	return fmt.Sprintf("evaluation: 活动 %s 已对专家 %s 作出评价，同一活动对同一专家只能评价一次 (Art. 25, %s)",
		quoteID(e.ActivityID), quoteID(e.ExpertID), CodeDuplicate)
}

// Is makes errors.Is(err, ErrDuplicate) true.
func (e *DuplicateError) Is(target error) bool { return target == ErrDuplicate }

var _ Store = (*MemoryStore)(nil)

// MemoryStore is the in-memory [Store]. It is safe for concurrent use; the zero value is
// ready to use.
type MemoryStore struct {
	mu       sync.RWMutex
	ratings  []Rating
	keys     map[ratingKey]struct{}
	byExpert map[string][]int // indexes into ratings
	byYear   map[int][]int    // indexes into ratings
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

// Add implements [Store].
func (m *MemoryStore) Add(ctx context.Context, ratings ...Rating) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("evaluation: add ratings: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	batch := make(map[ratingKey]struct{}, len(ratings))
	for i := range ratings {
		k := ratingKey{ratings[i].ActivityID, ratings[i].ExpertID}
		_, stored := m.keys[k]
		_, repeated := batch[k]
		if stored || repeated {
			return &DuplicateError{ActivityID: k.activity, ExpertID: k.expert}
		}
		batch[k] = struct{}{}
	}
	if m.keys == nil {
		m.keys = make(map[ratingKey]struct{})
		m.byExpert = make(map[string][]int)
		m.byYear = make(map[int][]int)
	}
	for i := range ratings {
		n := len(m.ratings)
		m.ratings = append(m.ratings, ratings[i])
		m.keys[ratingKey{ratings[i].ActivityID, ratings[i].ExpertID}] = struct{}{}
		m.byExpert[ratings[i].ExpertID] = append(m.byExpert[ratings[i].ExpertID], n)
		y := ratings[i].Year()
		m.byYear[y] = append(m.byYear[y], n)
	}
	return nil
}

// ByExpert implements [Store].
func (m *MemoryStore) ByExpert(ctx context.Context, expertID string, year int) ([]Rating, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("evaluation: ratings by expert: %w", err)
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []Rating
	for _, i := range m.byExpert[expertID] {
		if m.ratings[i].Year() == year {
			out = append(out, m.ratings[i])
		}
	}
	return out, nil
}

// ByYear implements [Store].
func (m *MemoryStore) ByYear(ctx context.Context, year int) ([]Rating, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("evaluation: ratings by year: %w", err)
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	idx := m.byYear[year]
	if len(idx) == 0 {
		return nil, nil
	}
	out := make([]Rating, len(idx))
	for j, i := range idx {
		out[j] = m.ratings[i]
	}
	return out, nil
}
