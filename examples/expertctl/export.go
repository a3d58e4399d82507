package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/wzsti/expertdb/verify"
)

// runExport writes the verification bundle of a drawn request (docs/draw-v1.md §15) for an
// inspector: the public draw record, the draw, commit and export events with their inclusion
// proofs, the campaign's seat events and a checkpoint signed now.
func runExport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "export", "-request-id R -out bundle.json [flags]", `
Export the verification bundle of a drawn request for an inspector (Art. 17, 20, 22;
docs/draw-v1.md §15): the public draw record (expert IDs, exclusion codes and the
structure's signatures, no personal data), the draw event, the commitment event of a formal
draw, the campaign's seat events (who was notified, declined, did not answer, withdrew) and
the export event itself, each with its inclusion proof under a checkpoint signed now, and the
log's verifier key (<db>.pub). The export is recorded in the audit log.

The bundle is checked with nothing but a browser: open verify/index.html, load the file and
enter the verifier key the bureau published. The command checks it too (verify.Check) and
prints the verdict; exit 1 when a check fails (a practice draw fails the formal-draw check:
练习抽取，非正式抽取).

The command acts as the operator who made the draw on behalf of the drawing unit (-operator,
-role), read from the draw's audit event.`)
	var c campaignFlags
	c.register(fs)
	out := fs.String("out", "", "write the bundle (JSON) to this file; default standard output")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	_, vkey, err := c.d.verifier()
	if err != nil {
		return err
	}
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.db.Close()
	b, err := s.svc.ExportBundle(ctx, s.actor, c.requestID, vkey)
	if err != nil {
		return err
	}
	raw, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	raw = append(raw, '\n')
	report := e.stdout
	if *out == "" {
		if _, err := e.stdout.Write(raw); err != nil {
			return err
		}
		report = e.stderr
	} else if err := os.WriteFile(*out, raw, 0o644); err != nil {
		return fmt.Errorf("write bundle: %w", err)
	} else {
		fmt.Fprintf(report, "bundle of %s written to %s (open verify/index.html to check it in a browser)\n", c.requestID, *out)
	}
	failed := verify.Failed(verify.Check(b))
	switch {
	case verify.Practice(b):
		fmt.Fprintf(report, "verify: 练习抽取，非正式抽取 (practice draw); failed checks: %s\n", strings.Join(failed, ", "))
	case len(failed) > 0:
		fmt.Fprintf(report, "verify: FAILED checks: %s\n", strings.Join(failed, ", "))
	default:
		fmt.Fprintf(report, "verify: every check passes (formal draw, commitment, %d campaign events)\n", campaignEvents(b))
	}
	if len(failed) > 0 {
		return errNegative
	}
	return nil
}

func campaignEvents(b *verify.Bundle) int {
	if b.Campaign == nil {
		return 0
	}
	return len(b.Campaign.Events)
}
