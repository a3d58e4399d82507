// Command expertctl is a command-line tool over the expert database kept in SQLite
// (examples/sqlstore): admission review of a pool file, draws from a request and a county
// policy written in YAML, replay of a recorded draw, and verification of the audit log.
//
//	expertctl synth  -n 200 -o pool.json                      # a synthetic pool to try things with
//	expertctl check  -admit pool.json                        # review (Art. 5, 6); -admit stores the eligible
//	expertctl draw   -practice -request req.yaml -entropy "9319/2.5.8.10.12" -html draw.html
//	expertctl campaign start   -request-id R-2026-0315     # notify the panel; prints the reply codes
//	expertctl campaign respond -request-id R-2026-0315 -expert E00012 -code 12345678 -accept -pledge CN-17
//	expertctl campaign expire  -request-id R-2026-0315   # closes the notices past their deadline now
//	expertctl campaign status  -request-id R-2026-0315
//	expertctl replay R-2026-0315.json                         # exit 0 match, 1 mismatch
//	expertctl audit checkpoint -o checkpoint.txt
//	expertctl audit verify -checkpoint checkpoint.txt
//	expertctl audit prove  -checkpoint checkpoint.txt -index 2001
//
// Every audited step (admission, draw, request, campaign) runs on the system clock: no flag
// sets the time of an audit event (Art. 14(1), 17, 22(5)). Every command takes -db (default
// expertdb.sqlite). The audit log's signing key is kept next
// to the database (<db>.key, private; <db>.pub, the verifier key to hand out); it is created on
// first use.
//
// Exit codes, for scripts:
//
//	0  success (the review found everyone eligible; the replay matches; the log verifies)
//	1  a negative answer: an applicant refused (check), a replay that does not match, a log
//	   or proof that does not verify
//	2  usage error (bad flags or arguments)
//	3  runtime error (a file or the database cannot be read, the draw is refused, a reply
//	   code is wrong …)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
)

// Exit codes.
const (
	exitOK       = 0
	exitNegative = 1
	exitUsage    = 2
	exitRuntime  = 3
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// command is one subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, env *env, args []string) error
}

// env is what a command writes to.
type env struct {
	stdout, stderr io.Writer
}

// usageError is a mistake in the command line (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// negative is a negative answer (exit 1): the message is already printed.
var errNegative = errors.New("negative answer")

func commands() []command {
	return []command{
		{"synth", "write a synthetic pool of applications (JSON or CSV) to try things with", runSynth},
		{"check", "review applications from a JSON or CSV pool file (Art. 5, 6); -admit stores the eligible", runCheck},
		{"draw", "draw a panel from a request file (YAML) under the city rules or a county policy (Art. 13–15)", runDraw},
		{"request", "the real draw: submit, approve, commit to a future public value, draw (Art. 13, 14, 28)", runRequest},
		{"campaign", "notify the drawn panel and record the replies: start, respond, expire, status (Art. 14(2))", runCampaign},
		{"replay", "re-run a recorded draw and say whether it matches its record (and audit event)", runReplay},
		{"audit", "audit log: checkpoint, verify, prove (Art. 17)", runAudit},
		{"export", "export a draw's verification bundle for an inspector (verify/index.html; Art. 17, 22)", runExport},
	}
}

func run(args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		topUsage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(context.Background(), e, args[1:])
		var ue *usageError
		switch {
		case err == nil:
			return exitOK
		case errors.Is(err, flag.ErrHelp):
			return exitOK
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "expertctl %s: %s\nRun 'expertctl %s -h' for help.\n", c.name, ue.msg, c.name)
			return exitUsage
		case errors.Is(err, errNegative):
			return exitNegative
		default:
			fmt.Fprintf(stderr, "expertctl %s: %v\n", c.name, err)
			return exitRuntime
		}
	}
	fmt.Fprintf(stderr, "expertctl: unknown command %q\n\n", args[0])
	topUsage(stderr)
	return exitUsage
}

func topUsage(w io.Writer) {
	fmt.Fprint(w, `expertctl — the Wenzhou science and technology expert database from the command line
(温州市科技专家库管理办法, 温科发〔2024〕2号), over an embedded SQLite file.

Usage: expertctl <command> [flags] [arguments]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run 'expertctl <command> -h' for the flags of a command.

Exit codes: 0 success; 1 negative answer (applicant refused, replay mismatch, verification
failure); 2 usage error; 3 runtime error.
`)
}

// runSubcommand runs the subcommand args[0] of the command name from sub, or prints usage
// (the command's help) for no subcommand (a usage error) or -h.
func runSubcommand(ctx context.Context, e *env, name string, args []string, sub map[string]func(context.Context, *env, []string) error, usage string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		fmt.Fprint(e.stderr, usage)
		if len(args) == 0 {
			return usagef("missing subcommand")
		}
		return flag.ErrHelp
	}
	f, ok := sub[args[0]]
	if !ok {
		names := slices.Sorted(maps.Keys(sub))
		return usagef("unknown %s subcommand %q (%s)", name, args[0], strings.Join(names, ", "))
	}
	return f(ctx, e, args[1:])
}

// newFlags returns a flag set whose -h prints the command's description and flags.
func newFlags(e *env, name, usage, description string) *flag.FlagSet {
	fs := flag.NewFlagSet("expertctl "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fs.SetOutput(e.stderr)
		fmt.Fprintf(e.stderr, "Usage: expertctl %s %s\n\n%s\n\nFlags:\n", name, usage, strings.TrimSpace(description))
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, turning flag errors into usage errors (the flag package has printed them).
func parse(fs *flag.FlagSet, args []string) error {
	// The flag package prints the usage itself on -h and on every error; print it only for -h.
	usage := fs.Usage
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.Usage = usage
	if errors.Is(err, flag.ErrHelp) {
		usage()
		return flag.ErrHelp
	}
	if err != nil {
		return usagef("%v", err)
	}
	return nil
}
