package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/wzsti/expertdb/audit"
)

func runAudit(ctx context.Context, e *env, args []string) error {
	sub := map[string]func(context.Context, *env, []string) error{
		"checkpoint": runCheckpoint, "verify": runVerify, "prove": runProve,
	}
	return runSubcommand(ctx, e, "audit", args, sub, `Usage: expertctl audit <checkpoint|verify|prove> [flags]

The audit log (Art. 17) is an RFC 6962 Merkle tree over every recorded operation, with signed
checkpoints (C2SP tlog-checkpoint, Ed25519 note).

  checkpoint  sign and print a checkpoint of the log; hand it out (e.g. to the discipline
              office) and keep it: later checkpoints must be consistent with it
  verify      recompute the whole log from its records and check it against a checkpoint
  prove       print the inclusion proof of one event against a checkpoint, and check it

Run 'expertctl audit <subcommand> -h' for the flags.
`)
}

func runCheckpoint(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "audit checkpoint", "[flags]", `
Sign a checkpoint of the audit log as it is now (origin, number of events, root hash) with
the database's key and print it (or write it to -o).`)
	var d dbFlags
	d.register(fs)
	out := fs.String("o", "", "write the checkpoint to this file instead of stdout")
	force := fs.Bool("force", false, "overwrite -o")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	db, l, err := d.openLog(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	signed, err := l.Checkpoint(ctx)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err := e.stdout.Write(signed)
		return err
	}
	if err := writeFile(*out, signed, 0o644, *force); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "checkpoint of %d events written to %s\n", l.Size(), *out)
	return nil
}

// verifyLog checks the store against the checkpoint file with the verifier key; a failure is
// printed and returned as errNegative.
func verifyLog(ctx context.Context, e *env, s audit.Store, d dbFlags, cpPath string) (audit.Checkpoint, error) {
	signed, err := os.ReadFile(cpPath)
	if err != nil {
		return audit.Checkpoint{}, err
	}
	v, _, err := d.verifier()
	if err != nil {
		return audit.Checkpoint{}, err
	}
	cp, err := audit.OpenCheckpoint(signed, v)
	if err != nil {
		fmt.Fprintf(e.stdout, "FAILED: checkpoint %s: %v\n", cpPath, err)
		return audit.Checkpoint{}, errNegative
	}
	if err := audit.Verify(ctx, s, signed, v); err != nil {
		fmt.Fprintf(e.stdout, "FAILED: the audit log does not match checkpoint %s: %v\n", cpPath, err)
		return audit.Checkpoint{}, errNegative
	}
	fmt.Fprintf(e.stdout, "OK: the first %d events of the audit log match the checkpoint (origin %s, root %s)\n",
		cp.Size, cp.Origin, base64.StdEncoding.EncodeToString(cp.Hash[:]))
	return cp, nil
}

func runVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "audit verify", "-checkpoint checkpoint.txt [flags]", `
Verify the audit log against a signed checkpoint, trusting only the verifier key (-pub): the
checkpoint's signature, that the store holds at least its events, that each record is a
canonical event, and that the Merkle root recomputed from the raw records is the signed root.
A flipped bit, a removed, reordered or inserted record and a forged checkpoint all fail.

Exit code 0 when the log verifies, 1 when it does not.`)
	var d dbFlags
	d.register(fs)
	cpPath := fs.String("checkpoint", "", "the signed checkpoint to verify against (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if *cpPath == "" {
		return usagef("-checkpoint is required (make one with 'expertctl audit checkpoint')")
	}
	db, err := d.open(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = verifyLog(ctx, e, db.Audit(), d, *cpPath)
	return err
}

// proofOutput is what 'audit prove' prints.
type proofOutput struct {
	Index      int64    `json:"index"`
	Size       int64    `json:"size"`
	Origin     string   `json:"origin"`
	Root       string   `json:"root"`
	Record     string   `json:"record"`
	LeafHash   string   `json:"leaf_hash"`
	Proof      []string `json:"proof"`
	Verified   bool     `json:"verified"`
	Checkpoint string   `json:"checkpoint"`
}

func runProve(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "audit prove", "-index N [-checkpoint checkpoint.txt] [flags]", `
Print, as JSON, the RFC 6962 inclusion proof that event N is in the tree a signed checkpoint
covers, with the event's canonical record, its leaf hash and the root, and check it. Without
-checkpoint a fresh checkpoint is signed with the database's key.

Exit code 0 when the proof checks, 1 when it does not.`)
	var d dbFlags
	d.register(fs)
	index := fs.Int64("index", -1, "index of the event (0-based; the draw record's audit_index)")
	cpPath := fs.String("checkpoint", "", "the signed checkpoint to prove against (default: a fresh one)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if *index < 0 {
		return usagef("-index is required (a non-negative event index)")
	}
	db, l, err := d.openLog(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	var signed []byte
	if *cpPath != "" {
		if signed, err = os.ReadFile(*cpPath); err != nil {
			return err
		}
	} else if signed, err = l.Checkpoint(ctx); err != nil {
		return err
	}
	v, _, err := d.verifier()
	if err != nil {
		return err
	}
	cp, err := audit.OpenCheckpoint(signed, v)
	if err != nil {
		fmt.Fprintf(e.stdout, "FAILED: checkpoint: %v\n", err)
		return errNegative
	}
	if *index >= cp.Size {
		return usagef("event %d is not covered by the checkpoint of %d events", *index, cp.Size)
	}
	proof, err := l.ProveInclusion(*index, cp.Size)
	if err != nil {
		return err
	}
	evs, err := l.Events(ctx, *index, 1)
	if err != nil {
		return err
	}
	rec, err := evs[0].Encode()
	if err != nil {
		return err
	}
	leaf := tlog.RecordHash(rec)
	out := proofOutput{Index: *index, Size: cp.Size, Origin: cp.Origin, Root: base64.StdEncoding.EncodeToString(cp.Hash[:]),
		Record: string(rec), LeafHash: base64.StdEncoding.EncodeToString(leaf[:]), Checkpoint: string(signed)}
	for _, h := range proof.Path {
		out.Proof = append(out.Proof, base64.StdEncoding.EncodeToString(h[:]))
	}
	out.Verified = audit.CheckInclusion(cp, proof, rec) == nil
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	if !out.Verified {
		fmt.Fprintln(e.stderr, "FAILED: the inclusion proof does not check against the checkpoint")
		return errNegative
	}
	fmt.Fprintf(e.stderr, "OK: event %d is in the log of %d events signed by %s\n", *index, cp.Size, cp.Origin)
	return nil
}
