package audit_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/wzsti/expertdb/audit"
)

// benchEvent is a typical view event (about 230 bytes encoded).
func benchEvent(i int) audit.Event {
	return audit.Event{
		At:       t0.Add(time.Duration(i) * time.Second),
		Actor:    audit.Actor{ID: "u-division-17", Name: "李四", Role: audit.RoleDivision, Unit: "高新技术处"},
		Action:   audit.ActionView,
		Subjects: []string{"e-" + fmt.Sprint(i%5000)},
		Data:     json.RawMessage(`{"kind":"expert","fields":["name","unit","title"]}`),
	}
}

// baselineLog is the hand-written comparison: what an append-only hashed log does with no
// canonical encoding, no validation and no personal-data scan: encoding/json, the RFC 6962
// leaf hash and the stored hashes via tlog, records in a slice, under a mutex.
type baselineLog struct {
	mu      sync.Mutex
	records [][]byte
	hashes  []tlog.Hash
}

func (b *baselineLog) append(e audit.Event) (int64, error) {
	rec, err := json.Marshal(e)
	if err != nil {
		return 0, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	n := int64(len(b.records))
	hs, err := tlog.StoredHashes(n, rec, tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = b.hashes[x]
		}
		return out, nil
	}))
	if err != nil {
		return 0, err
	}
	b.hashes = append(b.hashes, hs...)
	b.records = append(b.records, rec)
	return n, nil
}

func perSecond(b *testing.B, events int) {
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkAppend(b *testing.B) {
	ctx := context.Background()
	evs := make([]audit.Event, 1000)
	for i := range evs {
		evs[i] = benchEvent(i)
	}
	b.Run("log/one-by-one", func(b *testing.B) {
		l, _, _ := newLog(b, 0)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := l.Append(ctx, evs[i%len(evs)]); err != nil {
				b.Fatal(err)
			}
		}
		perSecond(b, b.N)
	})
	b.Run("log/one-by-one/checkpoint-every-256", func(b *testing.B) {
		l, _, _ := newLog(b, 0)
		l.SetCheckpointEvery(256)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := l.Append(ctx, evs[i%len(evs)]); err != nil {
				b.Fatal(err)
			}
		}
		perSecond(b, b.N)
	})
	b.Run("log/one-by-one/plain-store", func(b *testing.B) {
		s, _ := keys(b, testOrigin)
		l, err := audit.NewLog(ctx, plainStore{audit.NewMemoryStore()}, s)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := l.Append(ctx, evs[i%len(evs)]); err != nil {
				b.Fatal(err)
			}
		}
		perSecond(b, b.N)
	})
	b.Run("log/batch-100", func(b *testing.B) {
		l, _, _ := newLog(b, 0)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			k := i % 10 * 100
			if _, err := l.AppendBatch(ctx, evs[k:k+100]...); err != nil {
				b.Fatal(err)
			}
		}
		perSecond(b, 100*b.N)
	})
	b.Run("log/parallel", func(b *testing.B) {
		l, _, _ := newLog(b, 0)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := l.Append(ctx, evs[i%len(evs)]); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
		perSecond(b, b.N)
	})
	b.Run("baseline/one-by-one", func(b *testing.B) {
		var bl baselineLog
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := bl.append(evs[i%len(evs)]); err != nil {
				b.Fatal(err)
			}
		}
		perSecond(b, b.N)
	})
}

// A log of one million events, built once for the verification and proof benchmarks.
var (
	millionOnce   sync.Once
	millionLog    *audit.Log
	millionStore  *audit.MemoryStore
	millionSigned []byte
	millionV      note.Verifier
)

const million = 1_000_000

func buildMillion(b *testing.B) {
	millionOnce.Do(func() {
		ctx := context.Background()
		millionLog, millionStore, millionV = newLog(b, 0)
		batch := make([]audit.Event, 0, 1000)
		for i := range million {
			batch = append(batch, benchEvent(i))
			if len(batch) == cap(batch) {
				if _, err := millionLog.AppendBatch(ctx, batch...); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
		var err error
		if millionSigned, err = millionLog.Checkpoint(ctx); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkVerify1M(b *testing.B) {
	buildMillion(b)
	ctx := context.Background()
	b.Run("Verify", func(b *testing.B) {
		for b.Loop() {
			if err := audit.Verify(ctx, millionStore, millionSigned, millionV); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/million, "ns/event")
	})
	// Baseline: the same hashing the obvious way with tlog (StoredHashes into a slice, then
	// TreeHash), without decoding or checking the records and without the signature.
	b.Run("baseline/tlog-hash-only", func(b *testing.B) {
		cp, err := audit.OpenCheckpoint(millionSigned, millionV)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			var hashes []tlog.Hash
			r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
				out := make([]tlog.Hash, len(idx))
				for i, x := range idx {
					out[i] = hashes[x]
				}
				return out, nil
			})
			for start := int64(0); start < million; start += 4096 {
				recs, err := millionStore.Read(ctx, start, min(4096, million-start))
				if err != nil {
					b.Fatal(err)
				}
				for i, rec := range recs {
					hs, err := tlog.StoredHashes(start+int64(i), rec, r)
					if err != nil {
						b.Fatal(err)
					}
					hashes = append(hashes, hs...)
				}
			}
			root, err := tlog.TreeHash(million, r)
			if err != nil || root != cp.Hash {
				b.Fatal("baseline root differs", err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/million, "ns/event")
	})
	// For scale: SHA-256 of every record alone.
	b.Run("baseline/sha256-only", func(b *testing.B) {
		recs, _ := millionStore.Read(ctx, 0, million)
		for b.Loop() {
			for _, rec := range recs {
				_ = sha256.Sum256(rec)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/million, "ns/event")
	})
}

func BenchmarkInclusionProof(b *testing.B) {
	buildMillion(b)
	ctx := context.Background()
	cp, err := audit.OpenCheckpoint(millionSigned, millionV)
	if err != nil {
		b.Fatal(err)
	}
	const idx = 654_321
	rec, _ := millionStore.Read(ctx, idx, 1)
	b.Run("ProveInclusion", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := millionLog.ProveInclusion(idx, million); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("CheckInclusion", func(b *testing.B) {
		p, _ := millionLog.ProveInclusion(idx, million)
		b.ReportAllocs()
		for b.Loop() {
			if err := audit.CheckInclusion(cp, p, rec[0]); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Baseline: tlog.ProveRecord over the same hashes kept in a plain slice.
	b.Run("baseline/tlog.ProveRecord", func(b *testing.B) {
		n := tlog.StoredHashCount(million)
		idxs := make([]int64, n)
		for i := range idxs {
			idxs[i] = int64(i)
		}
		hashes, err := millionStore.ReadHashes(ctx, idxs)
		if err != nil {
			b.Fatal(err)
		}
		r := tlog.HashReaderFunc(func(ix []int64) ([]tlog.Hash, error) {
			out := make([]tlog.Hash, len(ix))
			for i, x := range ix {
				out[i] = hashes[x]
			}
			return out, nil
		})
		b.ReportAllocs()
		for b.Loop() {
			if _, err := tlog.ProveRecord(million, idx, r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkQueryBySubject(b *testing.B) {
	ctx := context.Background()
	l, _, _ := newLog(b, 0)
	batch := make([]audit.Event, 0, 1000)
	for i := range 100_000 {
		batch = append(batch, benchEvent(i))
		if len(batch) == cap(batch) {
			if _, err := l.AppendBatch(ctx, batch...); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if _, err := l.Query(ctx, audit.Query{Subject: "warm-up"}); err != nil { // builds the index
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r, err := l.Query(ctx, audit.Query{Subject: "e-" + fmt.Sprint(i%5000)})
		if err != nil || len(r.Matches) != 20 {
			b.Fatal(err)
		}
	}
}
