package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/conflict"
	"github.com/wzsti/expertdb/examples/sqlstore"
	"github.com/wzsti/expertdb/selection"
)

// benchEngines opens each engine once for a benchmark.
func benchEngines(b *testing.B) map[string]func(testing.TB) *sqlstore.DB {
	out := map[string]func(testing.TB) *sqlstore.DB{}
	for _, e := range engines(b) {
		out[e.name] = e.fresh(b)
	}
	return out
}

// BenchmarkAuditAppend: audit.Log appends over the SQL store, one event per call and in
// batches of 100, on each engine.
func BenchmarkAuditAppend(b *testing.B) {
	for name, open := range benchEngines(b) {
		signer, _ := testKeys(b)
		db := open(b)
		ctx := context.Background()
		l, err := newLog(ctx, db, signer)
		require.NoError(b, err)
		b.Run(name+"/single", func(b *testing.B) {
			i := 0
			for b.Loop() {
				if _, err := l.Append(ctx, testEvent(0, i)); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
		b.Run(name+"/batch100", func(b *testing.B) {
			i := 0
			for b.Loop() {
				evs := make([]auditEvent, 100)
				for j := range evs {
					evs[j] = testEvent(1, i)
					i++
				}
				if _, err := l.AppendBatch(ctx, evs...); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// benchExpert is an eligible active technical expert; every third is also economic.
func benchExpert(i int) admission.Expert {
	e := admission.Expert{
		ID: fmt.Sprintf("E%06d", i), Name: "专家" + fmt.Sprint(i), Status: admission.Active,
		BirthDate:   time.Date(1960+i%30, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC),
		Affiliation: admission.Affiliation{Org: fmt.Sprintf("单位%03d", i%700), Kind: admission.Enterprise},
		Title:       admission.AssociateSenior,
		Categories:  []admission.Category{admission.Technical},
		Region:      fmt.Sprintf("3303%02d", 2+i%10),
		Credentials: []admission.Credential{{Kind: admission.CredPoliticalQuality}},
		UpdatedAt:   time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	if i%3 == 0 {
		e.Categories = append(e.Categories, admission.Economic)
		e.Credentials = append(e.Credentials, admission.Credential{Kind: admission.CredFundManagement},
			admission.Credential{Kind: admission.CredFinanceSeniorTitle})
	}
	return e
}

func benchRequest() selection.Request {
	members := make([]conflict.Person, 20)
	for i := range members {
		members[i] = conflict.Person{ID: fmt.Sprintf("P%02d", i), Name: "成员" + fmt.Sprint(i),
			Affiliation: admission.Affiliation{Org: fmt.Sprintf("单位%03d", i*7), Kind: admission.Enterprise}}
	}
	return selection.Request{
		ID: "BENCH", Size: 9, At: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC),
		Project:  conflict.Project{ID: "P", Leader: members[0], Members: members[1:]},
		Criteria: `"technical" in expert.Categories`,
		Quotas: []selection.Quota{{Name: "economic", Filter: `"economic" in expert.Categories`, Min: 2},
			{Name: "local", Filter: `expert.Region == "330302"`, Max: 3}},
		Groups: []selection.GroupCap{{Name: "unit", Key: "expert.Affiliation.Org", Max: 1}},
	}
}

// BenchmarkEndToEndDraw: load what a draw reads from the database and draw (criteria, two
// quotas, one-per-unit cap, 20-member recusal, proof), beside the common alternative
// "ORDER BY random() LIMIT 9" on the same table (no quotas, recusal, cap or proof). Each
// iteration runs every case once, interleaved, so that the ratios hold on a busy machine;
// the metrics are each case's median time per op and its median ratio to the naive query:
//
//	naive        SELECT id, data FROM experts WHERE status = 'active' ORDER BY random() LIMIT 9
//	warm         PoolSnapshot (one version query, the kept snapshot) + Pool + Draw
//	cold-ledger  after a ledger booking (not timed): PoolSnapshot (version, what changed: the
//	             year's usage and ratings, in one read-only transaction; the experts and
//	             their cache are the kept ones) + Pool + Draw
//	cold-expert  after one expert's row was updated through the store (not timed): likewise,
//	             plus that expert's row; the pool inherits the kept cache for the others
//	first        a fresh handle on the same database (opened, not timed): a process's first
//	             snapshot, every row read and decoded, nothing kept + Pool + Draw
//	load-first   the same load alone, without the draw
//	v0.1.0       List (JSON documents) + Usage + Draw, as every draw did before
//	draw         Draw on the decoded pool without its index (a plain selection.Pool): what
//	             every draw cost before snapshots were indexed
//
// The 100k case runs only with EXPERTDB_BENCH_LARGE=1 (loading it takes minutes).
func BenchmarkEndToEndDraw(b *testing.B) {
	sizes := []int{10_000}
	if os.Getenv("EXPERTDB_BENCH_LARGE") != "" {
		sizes = append(sizes, 100_000)
	}
	ctx := context.Background()
	entropy := selection.Entropy{Sources: [][]uint64{{1, 2, 3}}}
	writes := 0
	for _, e := range engines(b) {
		name, open := e.name, e.fresh(b)
		for _, n := range sizes {
			db := open(b)
			_, err := db.SQL().ExecContext(ctx, `DELETE FROM `+db.Table("experts"))
			require.NoError(b, err)
			experts := make([]admission.Expert, n)
			for i := range experts {
				experts[i] = benchExpert(i)
			}
			require.NoError(b, db.Experts().PutMany(ctx, experts))
			prepared, err := selection.Prepare(benchRequest(), selection.DefaultRules())
			require.NoError(b, err)
			// loaderOf loads, through d, what a draw reads, and returns its pool.
			loaderOf := func(d *sqlstore.DB) func(b *testing.B) selection.Pool {
				q := expertdb.SnapshotQuery{Year: 2026, Seats: "seats", Ledger: d.Ledger(), Ratings: d.Ratings(), Events: d.Events()}
				return func(b *testing.B) selection.Pool {
					snap, err := d.Experts().PoolSnapshot(ctx, q)
					if err != nil {
						b.Fatal(err)
					}
					pool, err := snap.Pool()
					if err != nil {
						b.Fatal(err)
					}
					return pool
				}
			}
			load := loaderOf(db)
			draw := func(b *testing.B, pool selection.Pool) {
				if _, err := prepared.Draw(pool, entropy); err != nil {
					b.Fatal(err)
				}
			}
			write := func(b *testing.B) {
				writes++
				if err := db.Ledger().Reserve(ctx, "BENCH-WRITER", 2026, fmt.Sprint("A", writes), 0); err != nil {
					b.Fatal(err)
				}
			}
			naive := func(b *testing.B) {
				rows, err := db.SQL().QueryContext(ctx, `SELECT id, data FROM `+db.Table("experts")+` WHERE status = $1 ORDER BY random() LIMIT 9`, "active")
				if err != nil {
					b.Fatal(err)
				}
				k := 0
				for rows.Next() {
					var id string
					var data []byte
					if err := rows.Scan(&id, &data); err != nil {
						b.Fatal(err)
					}
					k++
				}
				rows.Close()
				if k != 9 {
					b.Fatalf("got %d rows", k)
				}
			}
			old := func(b *testing.B) {
				pool, err := db.Experts().List(ctx)
				if err != nil {
					b.Fatal(err)
				}
				usage, err := db.Ledger().Usage(ctx, 2026)
				if err != nil {
					b.Fatal(err)
				}
				draw(b, selection.Pool{Experts: pool, Usage: usage})
			}
			updates := 0
			updateExpert := func(b *testing.B) {
				updates++
				e := benchExpert((updates * 7919) % n)
				e.Title = admission.Senior
				if updates%2 == 0 {
					e.Fields = []string{"materials"}
				}
				if err := db.Experts().Put(ctx, e); err != nil {
					b.Fatal(err)
				}
			}
			// fresh opens another handle on the same database: a process's first snapshot.
			fresh := func(b *testing.B) (*sqlstore.DB, func(b *testing.B) selection.Pool) {
				other := open(b)
				return other, loaderOf(other)
			}
			b.Run(fmt.Sprintf("%s/%d", name, n), func(b *testing.B) {
				cases := []string{"naive", "warm", "cold-ledger", "cold-expert", "first", "load-first", "v0.1.0", "draw"}
				times := make([][]time.Duration, len(cases))
				timed := func(c int, f func()) {
					t0 := time.Now()
					f()
					times[c] = append(times[c], time.Since(t0))
				}
				draw(b, load(b)) // warm up the snapshot
				for b.Loop() {
					timed(0, func() { naive(b) })
					timed(1, func() { draw(b, load(b)) })
					b.StopTimer()
					write(b)
					b.StartTimer()
					timed(2, func() { draw(b, load(b)) })
					b.StopTimer()
					updateExpert(b)
					b.StartTimer()
					// The first draw from this snapshot: the next iteration's warm draw follows
					// a draw with no write in between, as warm means.
					timed(3, func() { draw(b, load(b)) })
					b.StopTimer()
					first, firstLoad := fresh(b)
					b.StartTimer()
					timed(4, func() { draw(b, firstLoad(b)) })
					b.StopTimer()
					require.NoError(b, first.Close())
					second, secondLoad := fresh(b)
					b.StartTimer()
					var pool selection.Pool
					timed(5, func() { pool = secondLoad(b) })
					b.StopTimer()
					require.NoError(b, second.Close())
					b.StartTimer()
					timed(6, func() { old(b) })
					plain := selection.Pool{Experts: pool.Experts, Usage: pool.Usage, Last: pool.Last,
						Relations: pool.Relations, Bookings: pool.Bookings, History: pool.History}
					timed(7, func() { draw(b, plain) })
				}
				reportInterleaved(b, cases, times)
			})
		}
	}
}

// reportInterleaved reports each case's median time per op and the median, over iterations,
// of its ratio to case 0 measured in the same iteration (robust to load from other programs).
func reportInterleaved(b *testing.B, cases []string, times [][]time.Duration) {
	median := func(xs []float64) float64 {
		slices.Sort(xs)
		if len(xs) == 0 {
			return 0
		}
		return xs[len(xs)/2]
	}
	for c, name := range cases {
		ms := make([]float64, len(times[c]))
		ratios := make([]float64, len(times[c]))
		for i, d := range times[c] {
			ms[i] = float64(d.Nanoseconds()) / 1e6
			ratios[i] = float64(d) / float64(times[0][i])
		}
		b.ReportMetric(median(ms), name+"-ms")
		if c > 0 {
			b.ReportMetric(median(ratios), name+"/naive")
		}
	}
}

// BenchmarkServiceDraw: Service.Draw over the SQL store (authorise, snapshot, draw, audit
// event, record naming its profile manifest), each op a new request, beside the naive query
// in the same iteration (metrics as in BenchmarkEndToEndDraw):
//
//	naive          SELECT id, data FROM experts WHERE status = 'active' ORDER BY random() LIMIT 9
//	service-warm   a draw after a draw, with no write between: a draw writes nothing a draw
//	               reads, so the kept snapshot and its manifest are reused
//	service-cold   a draw after a write a draw reads (a ledger booking, not timed): a new
//	               snapshot is read, and its manifest computed (already stored: same experts)
//
// The 100k case runs only with EXPERTDB_BENCH_LARGE=1 (loading it takes minutes).
func BenchmarkServiceDraw(b *testing.B) {
	sizes := []int{10_000}
	if os.Getenv("EXPERTDB_BENCH_LARGE") != "" {
		sizes = append(sizes, 100_000)
	}
	ctx := context.Background()
	writes := 0
	for _, e := range engines(b) {
		for _, n := range sizes {
			db := e.fresh(b)(b)
			seedExperts(b, db, n)
			c := &clock{t: time.Date(2026, 5, 20, 9, 0, 0, 0, cst)}
			svc := service(b, db, nil, c, &expertdb.RecordingNotifier{}, 1)
			naive := db.Table("experts")
			i := 0
			draw := func(b *testing.B) {
				i++
				req := request(fmt.Sprint("B", i), 9)
				req.Request = benchRequest()
				req.Request.ID = fmt.Sprint("B", i)
				req.Request.Project.ID = req.Request.ID
				if _, err := svc.Draw(ctx, clerk, req); err != nil {
					b.Fatal(err)
				}
			}
			b.Run(fmt.Sprintf("%s/%d", e.name, n), func(b *testing.B) {
				cases := []string{"naive", "service-warm", "service-cold"}
				times := make([][]time.Duration, len(cases))
				timed := func(c int, f func()) {
					t0 := time.Now()
					f()
					times[c] = append(times[c], time.Since(t0))
				}
				draw(b) // the first draw keeps the snapshot and stores its manifest
				for b.Loop() {
					timed(0, func() {
						rows, err := db.SQL().QueryContext(ctx, `SELECT id, data FROM `+naive+` WHERE status = $1 ORDER BY random() LIMIT 9`, "active")
						if err != nil {
							b.Fatal(err)
						}
						for rows.Next() {
						}
						rows.Close()
					})
					timed(1, func() { draw(b) })
					b.StopTimer()
					writes++
					if err := db.Ledger().Reserve(ctx, "BENCH-WRITER", 2026, fmt.Sprint("A", writes), 0); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					timed(2, func() { draw(b) })
				}
				reportInterleaved(b, cases, times)
			})
		}
	}
}
