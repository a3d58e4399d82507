package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/audit"
)

// maxRecordFile bounds a draw record file.
const maxRecordFile = 256 << 20

func runReplay(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "replay", "[flags] record.json", `
Re-run a recorded draw from its record file (written by 'expertctl draw' or taken from the
Service) and compare the outcome with the recorded result: request digest, pool digest, key,
candidates, panel and reserve, pick by pick (docs/draw-v1.md §9). Use the policy the draw was
made under (-policy): the annual cap and the preferential share are part of the request digest.

With -db the record is also compared with its draw event in the audit log (entropy, digests,
key, panel, operator, time), so that a record altered consistently is still caught; with
-checkpoint the log is first verified against that signed checkpoint, which must cover the
draw event.

Exit code 0 when the replay matches, 1 when it does not (each difference is listed).`)
	var d dbFlags
	d.register(fs)
	dbSet := false
	policyPath := fs.String("policy", "", "county policy (使用细则) YAML the draw was made under; default the city rules")
	cpPath := fs.String("checkpoint", "", "signed checkpoint to verify the audit log against first (needs -db)")
	asJSON := fs.Bool("json", false, "print the replay report as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "db" {
			dbSet = true
		}
	})
	if fs.NArg() != 1 {
		return usagef("want exactly one record file, got %d arguments", fs.NArg())
	}
	if *cpPath != "" && !dbSet {
		return usagef("-checkpoint needs -db")
	}
	rec, err := readRecord(fs.Arg(0))
	if err != nil {
		return err
	}
	p, err := loadPolicy(*policyPath)
	if err != nil {
		return err
	}
	var rep *expertdb.ReplayReport
	if dbSet {
		db, err := d.open(ctx, false)
		if err != nil {
			return err
		}
		defer db.Close()
		if *cpPath != "" {
			cp, err := verifyLog(ctx, e, db.Audit(), d, *cpPath)
			if err != nil {
				return err
			}
			if rec.AuditIndex >= cp.Size {
				fmt.Fprintf(e.stdout, "NOT VERIFIED: the draw event %d is not covered by the checkpoint of %d events; use a later checkpoint\n",
					rec.AuditIndex, cp.Size)
				return errNegative
			}
		}
		rep, err = expertdb.ReplayDrawAudited(ctx, rec, p, storeEvents{db.Audit()})
		if err != nil {
			return err
		}
	} else {
		rep, err = expertdb.ReplayDraw(rec, p)
		if err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		fmt.Fprint(e.stdout, rep.String())
		for _, d := range rep.Differences {
			if d.Field == "request_digest" || d.Field == "draw" {
				fmt.Fprintln(e.stdout, "hint: the request digest and the screening depend on the policy: replay with the county policy the draw was made under (-policy) (请使用抽取时适用的使用细则)")
				break
			}
		}
		if !dbSet {
			fmt.Fprintln(e.stdout, "(not compared with the audit log: give -db to do so)")
		}
	}
	if !rep.Match {
		return errNegative
	}
	return nil
}

func readRecord(path string) (*expertdb.DrawRecord, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxRecordFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxRecordFile {
		return nil, fmt.Errorf("record %s: larger than %d MiB", path, maxRecordFile>>20)
	}
	var rec expertdb.DrawRecord
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		return nil, fmt.Errorf("record %s: %w", path, err)
	}
	return &rec, nil
}

// storeEvents reads decoded events straight from an audit store (no signing key needed).
type storeEvents struct{ s audit.Store }

func (r storeEvents) Events(ctx context.Context, start, n int64) ([]audit.Event, error) {
	recs, err := r.s.Read(ctx, start, n)
	if err != nil {
		return nil, err
	}
	out := make([]audit.Event, len(recs))
	for i, rec := range recs {
		if out[i], err = audit.Decode(rec); err != nil {
			return nil, fmt.Errorf("event %d: %w", start+int64(i), err)
		}
	}
	return out, nil
}
