package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/audit"
)

// runRequest is the real draw (issue 16): submit, approve, commit, draw. Every subcommand
// runs on the system clock: no flag sets the time of an audit event, and the entropy is the
// committed public value, published after the commit.
func runRequest(ctx context.Context, e *env, args []string) error {
	sub := map[string]func(context.Context, *env, []string) error{
		"submit": runRequestSubmit, "approve": runRequestApprove, "commit": runRequestCommit, "publish": runRequestPublish,
		"draw": runRequestDraw,
	}
	return runSubcommand(ctx, e, "request", args, sub, `Usage: expertctl request <submit|approve|commit|publish|draw> [flags]

The real draw (Art. 13, 14(1), 28; docs/draw-v1.md §13), on the system clock:

  submit   store a request file (YAML) of the operator's unit, validated completely
  approve  record one approval step by a registered approver (-step request, plan,
           plan-filing, invitation/<id>/<role>, invitation/<id>/filing); not the submitter
  commit   freeze the pool and name the entropy source: a public value published after now
           (a source on the allowed list: 中国福利彩票双色球, 中国福利彩票福彩3D, 中国体育彩票超级大乐透,
           中国福利彩票七乐彩, drand quicknet, drand default)
  publish  enter the published numbers, as a registered user other than the committer (a
           colleague of the unit, or the discipline office): the two-person rule
  draw     draw with the committed source's published numbers, after their publication;
           the committer draws only with numbers someone else entered

Run 'expertctl request <subcommand> -h' for the flags.
`)
}

type requestFlags struct {
	d          dbFlags
	op         operator
	policyPath string
	unit       string
}

func (r *requestFlags) register(fs *flag.FlagSet) {
	r.d.register(fs)
	r.op.register(fs, "unit")
	fs.StringVar(&r.policyPath, "policy", "", "county policy (使用细则) YAML; default the city rules")
	fs.StringVar(&r.unit, "unit", "", "the using unit (default: the request file's)")
}

// open opens the database and a Service on the system clock with the given users.
func (r *requestFlags) open(ctx context.Context, users ...audit.Actor) (*expertdb.Service, func(), error) {
	p, err := loadPolicy(r.policyPath)
	if err != nil {
		return nil, nil, err
	}
	db, err := r.d.open(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	signer, err := r.d.signer(true)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	svc, err := service(ctx, db, signer, p, append(users, r.op.admin())...)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return svc, func() { db.Close() }, nil
}

func runRequestSubmit(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "request submit", "-request req.yaml [flags]", `
Submit a draw request of the operator's unit (Art. 13). It is validated completely and stored;
a draft can be submitted again (amended) until the first approval. The request file must not
carry entropy or approvals: approvals are recorded by 'request approve'.`)
	var r requestFlags
	r.register(fs)
	reqPath := fs.String("request", "", "the request file (YAML, required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *reqPath == "" {
		return usagef("-request is required")
	}
	src, err := os.ReadFile(*reqPath)
	if err != nil {
		return err
	}
	req, err := parseRequest(src)
	if err != nil {
		return err
	}
	actor := r.op.drawer(req.Unit)
	svc, done, err := r.open(ctx, actor)
	if err != nil {
		return err
	}
	defer done()
	st, err := svc.Submit(ctx, actor, req)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "request %s %s by %s (%s); needs approval steps: %s\n", st.ID, st.Status, actor.Name, actor.Unit,
		strings.Join(steps(st), ", "))
	return nil
}

func steps(st *expertdb.RequestState) []string {
	var out []string
	out = append(out, string(expertdb.ApproveRequest))
	if len(st.Request.Preferred) > 0 {
		out = append(out, string(expertdb.ApprovePlan), string(expertdb.FilePlan))
	}
	for _, inv := range st.Request.Invited {
		out = append(out, "invitation/"+inv.Expert.ID+"/{division-head,deputy-leader,main-leader,bureau-meeting,filing}")
	}
	return out
}

func runRequestApprove(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "request approve", "-request-id R -step STEP -approver NAME -approver-id ID -approver-role ROLE [flags]", `
Record one approval step of a request by a registered approver (Art. 13, 14(1), 28). The
approver's role must be one the policy names for the step (leader; the bureau meeting's
secretary: city-admin; filings: discipline), and is not the submitter.`)
	var r requestFlags
	r.register(fs)
	id := fs.String("request-id", "", "the request ID (required)")
	step := fs.String("step", "", "the approval step (required)")
	name := fs.String("approver", "", "the approver's real name (required)")
	aid := fs.String("approver-id", "", "the approver's user ID (required)")
	role := fs.String("approver-role", audit.RoleLeader, "the approver's role")
	aunit := fs.String("approver-unit", "市科技局", "the approver's unit")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *id == "" || *step == "" || *name == "" || *aid == "" {
		return usagef("-request-id, -step, -approver and -approver-id are required")
	}
	approver := audit.Actor{ID: *aid, Name: *name, Role: *role, Unit: *aunit}
	svc, done, err := r.open(ctx, approver)
	if err != nil {
		return err
	}
	defer done()
	st, err := svc.Approve(ctx, approver, *id, expertdb.ApprovalStep(*step))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "request %s: %s approved by %s; status %s\n", st.ID, *step, approver.Name, st.Status)
	return nil
}

func runRequestCommit(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "request commit", "-request-id R -unit U -source-name N -round R -published TIME -count K [flags]", `
Commit an approved request before its chance exists: the pool is frozen and the entropy
source named — a public value published after now (-kind lottery or beacon). Prints the
commitment digest and writes a signed checkpoint (-checkpoint) for the discipline office.`)
	var r requestFlags
	r.register(fs)
	id := fs.String("request-id", "", "the request ID (required)")
	kind := fs.String("kind", "lottery", "lottery or beacon")
	name := fs.String("source-name", "", "the public source, e.g. 中国福利彩票双色球 (required; see 'expertctl request -h')")
	round := fs.String("round", "", "the draw number or beacon round (required)")
	var published clockFlag
	fs.Var(&published, "published", "when the value is published (after now; required)")
	count := fs.Int("count", 0, "how many numbers the value has (required)")
	cpPath := fs.String("checkpoint", "", "write the signed checkpoint covering the commitment to this file")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *id == "" || *name == "" || *round == "" || published.t.IsZero() || *count == 0 || r.unit == "" {
		return usagef("-request-id, -unit, -source-name, -round, -published and -count are required")
	}
	actor := r.op.drawer(r.unit)
	svc, done, err := r.open(ctx, actor)
	if err != nil {
		return err
	}
	defer done()
	c, err := svc.Commit(ctx, actor, *id, expertdb.EntropySource{Kind: *kind, Name: *name, Round: *round, At: published.t, Count: *count})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "request %s committed (audit event %d): commitment %s\n", *id, c.AuditIndex, c.Digest())
	if *cpPath != "" {
		if err := writeFile(*cpPath, c.Checkpoint, 0o644, true); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "checkpoint: %s\n", *cpPath)
	}
	return nil
}

// valueFlags name the committed source and its published value.
type valueFlags struct {
	id, kind, name, round, values, proof string
	published                            clockFlag
}

func (v *valueFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&v.id, "request-id", "", "the request ID (required)")
	fs.StringVar(&v.kind, "kind", "lottery", "lottery or beacon")
	fs.StringVar(&v.name, "source-name", "", "the committed source (required)")
	fs.StringVar(&v.round, "round", "", "the committed round (required)")
	fs.Var(&v.published, "published", "the committed publication time (required)")
	fs.StringVar(&v.values, "values", "", "the published numbers in published order, e.g. 3.7.11 (required)")
	fs.StringVar(&v.proof, "proof", "", "for a drand beacon: the round's signature (hex)")
}

// value reads the flags as the published value (after parse).
func (v *valueFlags) value() (expertdb.PublicValue, error) {
	if v.id == "" || v.name == "" || v.round == "" || v.published.t.IsZero() || v.values == "" {
		return expertdb.PublicValue{}, usagef("-request-id, -source-name, -round, -published and -values are required")
	}
	var nums []uint64
	for _, f := range strings.FieldsFunc(v.values, func(r rune) bool { return r == '.' || r == ',' || r == ' ' }) {
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return expertdb.PublicValue{}, usagef("-values: %q is not a number", f)
		}
		nums = append(nums, n)
	}
	src := expertdb.EntropySource{Kind: v.kind, Name: v.name, Round: v.round, At: v.published.t, Count: len(nums)}
	return expertdb.PublicValue{Source: src, Values: nums, Proof: v.proof}, nil
}

func runRequestPublish(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "request publish", "-request-id R -source-name N -round R -published TIME -values 1.2.3 -by NAME -by-id ID [flags]", `
Enter the published numbers of a committed request's source (two-person rule, Art. 14(1), 21,
22(5)): by a registered user other than the one who committed — a colleague of the using unit
(-by-role division or county, -by-unit the unit) or the discipline office (the default role).
The numbers are checked against the source's format (a drand value against its signature,
-proof) and against any value already recorded for the source. A value is entered once.`)
	var r requestFlags
	r.register(fs)
	var v valueFlags
	v.register(fs)
	name := fs.String("by", "", "the real name of the user entering the value (required)")
	id := fs.String("by-id", "", "their user ID (required)")
	role := fs.String("by-role", audit.RoleDiscipline, "their role")
	unit := fs.String("by-unit", "局机关纪委", "their unit")
	if err := parse(fs, args); err != nil {
		return err
	}
	pv, err := v.value()
	if err != nil {
		return err
	}
	if *name == "" || *id == "" {
		return usagef("-by and -by-id are required")
	}
	entrant := audit.Actor{ID: *id, Name: *name, Role: *role, Unit: *unit}
	svc, done, err := r.open(ctx, entrant)
	if err != nil {
		return err
	}
	defer done()
	st, err := svc.PublishValue(ctx, entrant, v.id, pv)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "request %s: %s %s value %s entered by %s (audit event %d)\n", st.ID, pv.Source.Name, pv.Source.Round,
		v.values, entrant.Name, st.Value.AuditIndex)
	return nil
}

func runRequestDraw(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "request draw", "-request-id R -unit U -source-name N -round R -published TIME -values 1.2.3 [flags]", `
Draw a committed request with its source's published numbers (in published order), once
they are published. The source must be the committed one. The numbers must have been entered
by someone other than the committer ('request publish'), or the operator must not be the
committer (two-person rule).`)
	var r requestFlags
	r.register(fs)
	var v valueFlags
	v.register(fs)
	out := fs.String("out", "", "draw record file (default <request ID>.json)")
	if err := parse(fs, args); err != nil {
		return err
	}
	pv, err := v.value()
	if err != nil {
		return err
	}
	if r.unit == "" {
		return usagef("-unit is required")
	}
	actor := r.op.drawer(r.unit)
	svc, done, err := r.open(ctx, actor)
	if err != nil {
		return err
	}
	defer done()
	rec, err := svc.DrawCommitted(ctx, actor, v.id, pv)
	if err != nil {
		return err
	}
	path := *out
	if path == "" {
		path = v.id + ".json"
	}
	raw, err := json.MarshalIndent(rec, "", " ")
	if err != nil {
		return err
	}
	if err := writeFile(path, append(raw, '\n'), 0o600, true); err != nil {
		return fmt.Errorf("the draw is recorded (audit event %d) but its record file could not be written: %w", rec.AuditIndex, err)
	}
	printDraw(e, rec)
	fmt.Fprintf(e.stdout, "record:   %s\n", path)
	return nil
}
