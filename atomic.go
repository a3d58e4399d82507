package expertdb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/selection"
)

// Atomic is the optional capability of a storage back end whose writes can be made one unit
// of work: every write made through the stores with the ctx passed to fn commits together
// when fn returns nil, none otherwise (a SQL store carries its transaction in ctx).
//
// A Service given an Atomic (Options.Atomic, or an Options.Experts that implements it) runs
// each operation's state change and its audit event in one call of Atomically, so both
// commit or neither does. Without one, the Service gives the same guarantee for its
// in-memory stores by itself (see Service).
type Atomic interface {
	Atomically(ctx context.Context, fn func(ctx context.Context) error) error
}

// undoTimeout bounds the undo of a failed unit of work. Undo never uses the caller's
// context: a cancelled request must not leave half its writes behind.
const undoTimeout = 10 * time.Second

// journal collects the undo of every write made in a unit of work without an Atomic back
// end, to run in reverse order when the unit fails.
type journal struct {
	undo []func(ctx context.Context) error
}

type journalKey struct{}

func journalOf(ctx context.Context) *journal {
	j, _ := ctx.Value(journalKey{}).(*journal)
	return j
}

// onUndo registers the undo of a write just made in ctx's unit of work (if any).
func onUndo(ctx context.Context, f func(ctx context.Context) error) {
	if j := journalOf(ctx); j != nil {
		j.undo = append(j.undo, f)
	}
}

func (j *journal) rollback(ctx context.Context) error {
	c, cancel := context.WithTimeout(context.WithoutCancel(ctx), undoTimeout)
	defer cancel()
	var errs []error
	for i := len(j.undo) - 1; i >= 0; i-- {
		if err := j.undo[i](c); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("expertdb: undo of a failed operation: %w", errors.Join(errs...))
	}
	return nil
}

// unit is one unit of work in progress: the writes made through its ctx and the audit
// events it records commit together.
type unit struct {
	s        *Service
	pending  *audit.Pending
	deferred []audit.Event // with an Atomic back end: staged after the unit's other writes
}

// auditError marks a failure to write the audit event, for the OpError step.
type auditError struct{ err error }

func (e auditError) Error() string { return e.err.Error() }
func (e auditError) Unwrap() error { return e.err }

// record makes events part of the unit. Without an Atomic back end they are staged at once
// (so that a later write that cannot be undone, such as a rating, comes after them); with
// one they are staged as the unit's last write, so that the audit log is held only for the
// end of the transaction and never while it waits for a database lock. It is called at
// most once per unit; nothing that reads the audit log may run in the unit after it.
func (u *unit) record(ctx context.Context, events ...audit.Event) error {
	if u.s.atomic != nil {
		if u.pending != nil || u.deferred != nil {
			return errors.New("expertdb: internal error: two audit records in one unit of work")
		}
		for _, e := range events {
			if _, err := e.Encode(); err != nil {
				return auditError{err}
			}
		}
		u.deferred = events
		return nil
	}
	_, err := u.recordNow(ctx, events...)
	return err
}

// recordNow stages events in the audit log at once and returns the index of the first (for
// a write that must name its event, such as the draw record).
func (u *unit) recordNow(ctx context.Context, events ...audit.Event) (int64, error) {
	if u.pending != nil || u.deferred != nil {
		return -1, errors.New("expertdb: internal error: two audit records in one unit of work")
	}
	p, err := u.s.log.Stage(ctx, events...)
	if err != nil {
		return -1, auditError{err}
	}
	u.pending = p
	return p.Start(), nil
}

// atomically runs fn as one unit of work: with the Atomic back end, in one transaction;
// otherwise under the Service's unit lock, with every write journaled and undone (with a
// context of its own) when fn or the audit append fails. The audit log moves only when the
// unit commits.
func (s *Service) atomically(ctx context.Context, fn func(ctx context.Context, u *unit) error) error {
	u := &unit{s: s}
	defer func() {
		if u.pending != nil { // a panic: never leave the log waiting
			u.pending.Abort()
		}
	}()
	if s.atomic != nil {
		err := s.atomic.Atomically(ctx, func(ctx context.Context) error {
			if u.pending != nil { // the back end runs fn again after a failed attempt
				u.pending.Abort()
				u.pending = nil
			}
			u.deferred = nil
			if err := fn(ctx, u); err != nil {
				return err
			}
			if u.deferred != nil {
				p, err := s.log.Stage(ctx, u.deferred...)
				if err != nil {
					return auditError{err}
				}
				u.pending = p
			}
			return nil
		})
		if u.pending != nil {
			if err != nil {
				u.pending.Abort()
			} else {
				u.pending.Commit()
			}
			u.pending = nil
		}
		return err
	}
	s.unitMu.Lock()
	defer s.unitMu.Unlock()
	j := &journal{}
	err := fn(context.WithValue(ctx, journalKey{}, j), u)
	if err != nil {
		if u.pending != nil {
			u.pending.Abort()
			u.pending = nil
		}
		if uerr := j.rollback(ctx); uerr != nil {
			err = errors.Join(err, uerr)
		}
		return err
	}
	if u.pending != nil {
		u.pending.Commit()
		u.pending = nil
	}
	return nil
}

// retryConflict runs fn as a unit of work again (up to 20 times) while it fails because
// another process appended to the same stream first (ErrConflict): each attempt reads the
// stream afresh.
func (s *Service) retryConflict(ctx context.Context, fn func(ctx context.Context, u *unit) error) error {
	for attempt := 0; ; attempt++ {
		err := s.atomically(ctx, fn)
		if err == nil || !errors.Is(err, ErrConflict) || attempt >= 20 {
			return err
		}
	}
}

// stepOf is the OpError step of an error from a unit of work.
func stepOf(err error) string {
	var ae auditError
	if errors.As(err, &ae) {
		return StepAudit
	}
	return StepPersist
}

// event builds an audit event whose Data is the JSON of data and checks that the log will
// take it (canonical form, no personal data), before anything is written.
func (s *Service) event(at time.Time, actor audit.Actor, action audit.Action, data any, subjects ...string) (audit.Event, error) {
	raw, err := s.eventData(data)
	if err != nil {
		return audit.Event{}, err
	}
	ev := audit.Event{At: at, Actor: actor, Action: action, Subjects: subjects, Data: raw}
	if _, err := ev.Encode(); err != nil {
		return audit.Event{}, err
	}
	return ev, nil
}

// putExpert stores e in the unit of work of ctx.
func (s *Service) putExpert(ctx context.Context, e admission.Expert) error {
	if journalOf(ctx) != nil {
		prev, err := s.experts.Get(ctx, e.ID)
		switch {
		case err == nil:
			onUndo(ctx, func(c context.Context) error { return s.experts.Put(c, prev) })
		case errors.Is(err, ErrNotFound):
			onUndo(ctx, func(c context.Context) error {
				if d, ok := s.experts.(ExpertDeleter); ok {
					return d.Delete(c, e.ID)
				}
				return fmt.Errorf("expertdb: store cannot delete expert %q (give the Service an Atomic store)", e.ID)
			})
		default:
			return err
		}
	}
	return s.experts.Put(ctx, e)
}

// eventUndoer is implemented by MemoryEventStore: it removes the last event of a stream, to
// undo an append whose unit of work failed.
type eventUndoer interface {
	undoAppend(stream string, seq int64) error
}

// appendEvent appends to the EventStore in the unit of work of ctx.
func (s *Service) appendEvent(ctx context.Context, stream string, seq int64, record []byte) error {
	if err := s.events.AppendEvent(ctx, stream, seq, record); err != nil {
		return err
	}
	onUndo(ctx, func(context.Context) error {
		if u, ok := s.events.(eventUndoer); ok {
			return u.undoAppend(stream, seq)
		}
		return fmt.Errorf("expertdb: event store cannot undo event %d of %q (give the Service an Atomic store)", seq, stream)
	})
	return nil
}

// undoAppend removes event seq of stream when it is the last.
func (m *MemoryEventStore) undoAppend(stream string, seq int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	evs := m.streams[stream]
	if int64(len(evs)) != seq+1 {
		return fmt.Errorf("expertdb: undo event %d of %q: the stream holds %d", seq, stream, len(evs))
	}
	m.streams[stream] = slices.Clip(evs[:seq])
	return nil
}

// journaledLedger is the Ledger of a unit of work: each reservation or release is undone
// when the unit fails.
type journaledLedger struct {
	selection.Ledger
	ctx context.Context
}

// Reserve implements selection.Ledger.
func (l journaledLedger) Reserve(ctx context.Context, expertID string, year int, activityID string, cap int) error {
	if err := l.Ledger.Reserve(ctx, expertID, year, activityID, cap); err != nil {
		return err
	}
	onUndo(l.ctx, func(c context.Context) error { return l.Ledger.Release(c, expertID, year, activityID) })
	return nil
}

// Release implements selection.Ledger.
func (l journaledLedger) Release(ctx context.Context, expertID string, year int, activityID string) error {
	if err := l.Ledger.Release(ctx, expertID, year, activityID); err != nil {
		return err
	}
	onUndo(l.ctx, func(c context.Context) error { return l.Ledger.Reserve(c, expertID, year, activityID, 0) })
	return nil
}

// ledgerIn returns the ledger to use in the unit of work of ctx.
func (s *Service) ledgerIn(ctx context.Context) selection.Ledger {
	if journalOf(ctx) == nil {
		return s.ledger
	}
	return journaledLedger{Ledger: s.ledger, ctx: ctx}
}
