package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/report"
	"github.com/wzsti/expertdb/selection"
)

func runDraw(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "draw", "-request req.yaml [flags]", `
PRACTICE draw (required flag -practice): a real draw is submitted, approved by registered
people and committed to a public value that does not exist yet (Service.Submit, Approve,
Commit, DrawCommitted; docs/draw-v1.md §13), so no operator chooses its entropy or its time.
A practice draw is marked as such in its record and audit event and its seats cannot be rated.
It runs on the system clock like every audited step: there is no -at (Art. 14(1), 22(5)).

Draw a panel for a request (Art. 13, 14) from the experts in the database, under the city
rules or a county policy (-policy), with public random numbers announced before the draw
(-entropy) or, without them, 256 bits from crypto/rand. The draw is recorded in the audit log;
a request can be drawn only once.

Writes the draw record (JSON, everything needed to replay the draw, including the profiles of
the candidates: personal data, file mode 0600, for the discipline office) and, with -html, the
printable draw record page (抽取记录表, de-identified). The panel is printed with names masked.

-entropy takes sources separated by "/": "9319/2.5.8.10.12" (a lottery period and its numbers),
the RFC 3797 key string "9319./2.5.8.10.12./", or "drand:<round>:<randomness hex>".

`+requestHelp)
	var d dbFlags
	var op operator
	d.register(fs)
	op.register(fs, "unit")
	refuseAt(fs)
	reqPath := fs.String("request", "", "the request file (YAML, required)")
	policyPath := fs.String("policy", "", "county policy (使用细则) YAML; default the city rules")
	entropy := fs.String("entropy", "", `public random numbers, e.g. "9319/2.5.8.10.12" (default: crypto/rand)`)
	outPath := fs.String("out", "", "draw record file (default <request ID>.json)")
	htmlPath := fs.String("html", "", "also write the draw record page (HTML) to this file")
	cpPath := fs.String("checkpoint", "", "also write a signed checkpoint of the audit log after the draw to this file")
	force := fs.Bool("force", false, "overwrite the output files")
	practice := fs.Bool("practice", false, "acknowledge that this is a practice draw (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !*practice {
		return usagef("expertctl draw makes practice draws only: pass -practice (a real draw is committed to a future public value through the Service)")
	}
	if fs.NArg() != 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if *reqPath == "" {
		return usagef("-request is required")
	}
	if op.role != audit.RoleDivision && op.role != audit.RoleCounty {
		return usagef("-role must be division or county")
	}
	src, err := os.ReadFile(*reqPath)
	if err != nil {
		return err
	}
	req, err := parseRequest(src)
	if err != nil {
		return err
	}
	if *entropy != "" {
		ent, err := parseEntropy(*entropy)
		if err != nil {
			return usagef("%v", err)
		}
		req.Entropy = &ent
	}
	p, err := loadPolicy(*policyPath)
	if err != nil {
		return err
	}
	out := *outPath
	if out == "" {
		out = req.ID + ".json"
	}
	db, err := d.open(ctx, false)
	if err != nil {
		return fmt.Errorf("%w (admit experts first: expertctl check -admit pool.json)", err)
	}
	defer db.Close()
	signer, err := d.signer(true)
	if err != nil {
		return err
	}
	actor := op.drawer(req.Unit)
	svc, err := service(ctx, db, signer, p, op.admin(), actor)
	if err != nil {
		return err
	}
	rec, err := svc.Draw(ctx, actor, req)
	if err != nil {
		var se *selection.Error
		if errors.As(err, &se) {
			return fmt.Errorf("draw refused: %s %s: %s", se.Article, se.Code, se.Message)
		}
		return err
	}
	raw, err := json.MarshalIndent(rec, "", " ")
	if err != nil {
		return err
	}
	if err := writeFile(out, append(raw, '\n'), 0o600, *force); err != nil {
		return fmt.Errorf("the draw is recorded (audit event %d) but its record file could not be written: %w", rec.AuditIndex, err)
	}
	fmt.Fprintln(e.stdout, "PRACTICE DRAW — not a real draw (entropy chosen by the operator)")
	printDraw(e, rec)
	fmt.Fprintf(e.stdout, "record:   %s (replay: expertctl replay%s %s)\n", out, policyFlag(*policyPath), out)
	if *cpPath != "" || *htmlPath != "" {
		signed, err := svc.Checkpoint(ctx)
		if err != nil {
			return err
		}
		if *cpPath != "" {
			if err := writeFile(*cpPath, signed, 0o644, *force); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "checkpoint: %s\n", *cpPath)
		}
		if *htmlPath != "" {
			if err := writePage(ctx, svc, rec, signed, d, *policyPath, out, *cpPath, *htmlPath, *force); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "page:     %s\n", *htmlPath)
		}
	}
	return nil
}

// base is the file name of path ("" stays "").
func base(path string) string {
	if path == "" {
		return ""
	}
	return filepath.Base(path)
}

func policyFlag(path string) string {
	if path == "" {
		return ""
	}
	return " -policy " + path
}

func writePage(ctx context.Context, svc *expertdb.Service, rec *expertdb.DrawRecord, signed []byte, d dbFlags,
	policyPath, recordFile, cpPath, htmlPath string, force bool) error {
	ev, err := report.Evidence(ctx, svc.Log(), signed, rec.AuditIndex)
	if err != nil {
		return err
	}
	_, pub, err := d.verifier()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	page := report.Page{Record: rec, Audit: ev, Policy: svc.Policy().Name, PolicyFile: base(policyPath),
		RecordFile: base(recordFile), PublicKey: pub, Database: base(d.db), CheckpointFile: base(cpPath)}
	if err := report.Render(&buf, page); err != nil {
		return err
	}
	return writeFile(htmlPath, buf.Bytes(), 0o644, force)
}

// printDraw prints the outcome with names masked.
func printDraw(e *env, rec *expertdb.DrawRecord) {
	r := rec.Result
	experts := map[string]admission.Expert{}
	for _, x := range rec.Pool.Experts {
		experts[x.ID] = x
	}
	for _, inv := range rec.Request.Invited {
		experts[inv.Expert.ID] = inv.Expert
	}
	fmt.Fprintf(e.stdout, "draw %s for %s: %d candidates, %d excluded\n", rec.Request.ID, rec.Unit, r.Candidates, len(r.Excluded))
	fmt.Fprintf(e.stdout, "entropy:  %s\n", rec.Entropy.Key())
	fmt.Fprintf(e.stdout, "request:  %s\npool:     %s\nmode:     %s\naudit:    event %d\n", r.RequestDigest, r.PoolDigest, r.Mode, rec.AuditIndex)
	fmt.Fprintln(e.stdout, "panel:")
	for i, p := range r.Panel {
		x := experts[p.ExpertID]
		how := fmt.Sprintf("round %d", p.Round)
		if p.Preferential {
			how = "preferential (择优)"
		}
		if p.Invited {
			how = "invited (特邀)"
		}
		fmt.Fprintf(e.stdout, "  %d. %s %s %s (%s)\n", i+1, p.ExpertID, audit.MaskName(x.Name), x.Affiliation.Org, how)
	}
	var reserve []string
	for _, p := range r.Reserve {
		reserve = append(reserve, p.ExpertID)
	}
	fmt.Fprintf(e.stdout, "reserve:  %s\n", strings.Join(reserve, " "))
}
