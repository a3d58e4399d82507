package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/audit"
	"github.com/wzsti/expertdb/internal/synth"
)

// decision is the outcome of reviewing one application, as -json prints it.
type decision struct {
	ExpertID   string               `json:"expert_id"`
	Name       string               `json:"name"` // masked
	Channel    admission.Channel    `json:"channel"`
	Eligible   bool                 `json:"eligible"`
	Admitted   bool                 `json:"admitted,omitempty"`
	Categories []admission.Category `json:"categories,omitempty"`
	Findings   []admission.Finding  `json:"findings,omitempty"`
}

func runCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "check", "[flags] pool.json|pool.csv", `
Review every application of a pool file as the city bureau does (Art. 5 conditions, Art. 6
channel evidence, Art. 11 re-entry ban) and print one decision per application with its
findings (article, code, Chinese message). Names are printed masked.

With -admit the eligible applicants are admitted into the database through the Service
(each admission and refusal is recorded in the audit log). Exit code 1 when any application
is refused.

`+csvHelp)
	var d dbFlags
	var op operator
	var asOf clockFlag
	d.register(fs)
	op.register(fs, "")
	fs.Var(&asOf, "asof", "review date of a review without -admit (2006-01-02 or RFC 3339; default now)")
	format := fs.String("format", "", "pool file format: json or csv (default: guessed from the content)")
	policyPath := fs.String("policy", "", "county policy (使用细则) YAML; default the city rules")
	admit := fs.Bool("admit", false, "admit the eligible applicants into -db")
	asJSON := fs.Bool("json", false, "print the decisions as JSON")
	quiet := fs.Bool("q", false, "print only the refusals and the summary")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want exactly one pool file, got %d arguments", fs.NArg())
	}
	if *format != "" && *format != "json" && *format != "csv" {
		return usagef("-format must be json or csv")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	apps, err := readPool(f, *format)
	f.Close()
	if err != nil {
		return err
	}
	p, err := loadPolicy(*policyPath)
	if err != nil {
		return err
	}
	if *admit && !asOf.t.IsZero() {
		return usagef("-asof is for a review without -admit: admissions are recorded on the system clock (Art. 17, 22(5))")
	}
	at := asOf.now()
	admitFn := func(app admission.Application) (admission.Expert, error) {
		return admission.Admit(app, op.name, at, p.Admission)
	}
	if *admit {
		db, err := d.open(ctx, true)
		if err != nil {
			return err
		}
		defer db.Close()
		signer, err := d.signer(true)
		if err != nil {
			return err
		}
		svc, err := service(ctx, db, signer, p, op.admin())
		if err != nil {
			return err
		}
		admitFn = func(app admission.Application) (admission.Expert, error) { return svc.Admit(ctx, op.admin(), app) }
	}
	var out []decision
	refused := 0
	for _, app := range apps {
		dec := decision{ExpertID: app.Expert.ID, Name: audit.MaskName(app.Expert.Name), Channel: app.Channel}
		ex, err := admitFn(app)
		var re *admission.RefusalError
		var ve *admission.ValidationError
		switch {
		case err == nil:
			dec.Eligible, dec.Admitted, dec.Categories = true, *admit, ex.Categories
		case errors.As(err, &re):
			dec.Findings = re.Findings
			dec.Categories = admission.Check(app.Expert, at, p.Admission).Categories
		case errors.As(err, &ve):
			for _, fe := range ve.Fields {
				dec.Findings = append(dec.Findings, admission.Finding{Article: "Art. 6", Code: "invalid-" + fe.Code, Message: fe.Message})
			}
		default:
			return fmt.Errorf("admit %s: %w", app.Expert.ID, err)
		}
		if !dec.Eligible {
			refused++
		}
		out = append(out, dec)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		for _, dec := range out {
			if *quiet && dec.Eligible {
				continue
			}
			printDecision(e, dec)
		}
		verb := "eligible"
		if *admit {
			verb = "admitted"
		}
		fmt.Fprintf(e.stdout, "%d applications reviewed on %s: %d %s, %d refused\n", len(out), at.In(cst).Format("2006-01-02"),
			len(out)-refused, verb, refused)
	}
	if refused > 0 {
		return errNegative
	}
	return nil
}

func printDecision(e *env, d decision) {
	var cats []string
	for _, c := range d.Categories {
		cats = append(cats, c.Label())
	}
	verdict := "可以入库 eligible"
	if d.Admitted {
		verdict = "已入库 admitted"
	}
	if !d.Eligible {
		verdict = "不予入库 refused"
	}
	fmt.Fprintf(e.stdout, "%s %s [%s] %s %s\n", d.ExpertID, d.Name, d.Channel.Label(), verdict, strings.Join(cats, "、"))
	for _, f := range d.Findings {
		fmt.Fprintf(e.stdout, "    %s %s: %s\n", f.Article, f.Code, f.Message)
	}
}

func runSynth(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "synth", "[flags]", `
Write a deterministic synthetic pool of applications (realistic but fictional experts of
Wenzhou units, every channel of Art. 6) as JSON or CSV, for trying the other commands. Every
application is eligible on -asof.`)
	n := fs.Int("n", synth.DefaultSize, "number of applications")
	seed := fs.Uint64("seed", 1, "seed: the same seed gives the same pool")
	var asOf clockFlag
	fs.Var(&asOf, "asof", "review date the applicants are eligible on (default 2026-03-02)")
	format := fs.String("format", "json", "json or csv")
	outPath := fs.String("o", "", "output file (default stdout)")
	force := fs.Bool("force", false, "overwrite -o")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if *n < 1 || *n > 1_000_000 {
		return usagef("-n must be between 1 and 1000000")
	}
	p := synth.Generate(synth.Options{Seed: *seed, Size: *n, AsOf: asOf.t})
	var buf strings.Builder
	switch *format {
	case "json":
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", " ")
		if err := enc.Encode(p.Applications); err != nil {
			return err
		}
	case "csv":
		if err := writeCSV(&buf, p.Applications); err != nil {
			return err
		}
	default:
		return usagef("-format must be json or csv")
	}
	if *outPath == "" {
		_, err := fmt.Fprint(e.stdout, buf.String())
		return err
	}
	// The pool holds (fictional) ID numbers and mobiles: keep it private like real data.
	if err := writeFile(*outPath, []byte(buf.String()), 0o600, *force); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %d applications to %s\n", len(p.Applications), *outPath)
	return nil
}
