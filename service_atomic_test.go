package expertdb_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
)

// txKey marks the context of a transaction of fakeAtomic.
type txKey struct{}

// fakeAtomic is an Atomic back end that sees every unit of work: it checks that the stores
// are written with the transaction's context and can make the commit fail after fn
// succeeded (the database refused the commit).
type fakeAtomic struct {
	mu         sync.Mutex
	units      int
	failCommit bool
}

var errCommit = errors.New("commit refused")

func (a *fakeAtomic) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	a.mu.Lock()
	a.units++
	fail := a.failCommit
	a.mu.Unlock()
	if err := fn(context.WithValue(ctx, txKey{}, true)); err != nil {
		return err
	}
	if fail {
		return errCommit
	}
	return nil
}

// txExperts refuses writes outside a transaction of fakeAtomic.
type txExperts struct{ *expertdb.MemoryExpertStore }

func (s txExperts) Put(ctx context.Context, e admission.Expert) error {
	if ctx.Value(txKey{}) == nil {
		return errors.New("write outside the unit of work")
	}
	return s.MemoryExpertStore.Put(ctx, e)
}

// With an Atomic back end every state change runs in one Atomically call with the audit
// event, the stores are written with its context, and a refused commit leaves the audit log
// where it was (the staged event is aborted).
func TestAtomicBackEnd(t *testing.T) {
	ctx := context.Background()
	signer, _ := testSigner(t)
	a := &fakeAtomic{}
	store := audit.NewMemoryStore()
	svc, err := expertdb.NewService(ctx, expertdb.Options{Users: users(), Signer: signer, Audit: store,
		Experts: txExperts{expertdb.NewMemoryExpertStore()}, Atomic: a})
	require.NoError(t, err)
	_, err = svc.Admit(ctx, admin, applicant(1))
	require.NoError(t, err)
	assert.Equal(t, 1, a.units)
	size := svc.Log().Size()

	a.failCommit = true
	_, err = svc.Admit(ctx, admin, applicant(2))
	require.ErrorIs(t, err, errCommit)
	assert.Equal(t, size, svc.Log().Size(), "the log did not move")
	n, err := store.Len(ctx)
	require.NoError(t, err)
	assert.Equal(t, size, n, "the staged record is gone")

	a.failCommit = false // (this fake keeps the rolled-back write; a real back end would not)
	_, err = svc.Admit(ctx, admin, applicant(3))
	require.NoError(t, err)
	assert.Equal(t, size+1, svc.Log().Size())
	cp, err := svc.Checkpoint(ctx)
	require.NoError(t, err)
	_, v := testSigner(t)
	require.NoError(t, audit.Verify(ctx, store, cp, v))
}
