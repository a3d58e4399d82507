package expertdb_test

import (
	"errors"
	"os"
	"testing"

	"github.com/wzsti/expertdb"
)

// FuzzLoadPolicy feeds arbitrary bytes to LoadPolicy: it must never panic, and must return
// either a compiled policy or only *PolicyError values with a code, a message and a line
// inside the file.
func FuzzLoadPolicy(f *testing.F) {
	if src, err := os.ReadFile("examples/county/ruian.yaml"); err == nil {
		f.Add(src)
	}
	for _, s := range []string{
		"",
		header,
		header + keyProject,
		header + "selection: {annual_cap: 8, preferential_share: 1/4}\n",
		header + "admission:\n  basic:\n    - {name: age, expr: age <= 63}\n    - {name: political-quality, disabled: true}\n",
		header + "conflict:\n  clause5:\n    - name: x\n      expr: |\n        expert.Region ==\n          project.Regio\n      message: m\n",
		header + "alerts: [{name: redraw, window: 12h, threshold: 2}]\n",
		header + "conflict: {unit_aliases: {甲: 乙, 乙: 甲}}\n",
		header + "selection: &a {annual_cap: 8}\nconflict: *a\n",
		header + "selection: {ignore_unavailable: true, ignore_bookings: false}\n",
		header + "selection:\n  draw_window: {max_lead: 72h, min_lead: 2h}\n",
		header + "selection:\n  draw_window:\n    max_lead: 1h\n    min_lead: -90m\n",
		header + "selection: {draw_window: {max_lead: 3d, min_lead: 0}}\n",
		header + coolingOffYAML,
		header + "selection:\n  exclusions:\n    - name: x\n      expr: |\n        usage < 5\n          && !(expert.Affiliation.Org in project.Units)\n      message: m\n",
		header + "selection:\n  exclusions:\n    - {name: cooling-off, disabled: true}\n    - {name: booked, expr: !reviewedUnitWithin(project.Unit, 6), message: m}\n",
		header + "selection: {annual_cap: 0, preferential_share: 1/1}\nevaluation: {threshold: 0%, inclusive: true}\n",
		header + "admission: {integrity_bar: serious-only, reentry_bar: for-cause}\n",
		header + "admission:\n  basic:\n    - {name: integrity-record, expr: 'true'}\n",
		"name: 市级\nregion: \"330300\"\nallow: [selection.annual_cap, admission.basic[age]]\nselection: {annual_cap: 12}\n",
		header + "allow: [selection.annual_cap]\n",
		"name: [\nregion: {",
		"---\n---\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		p, err := expertdb.LoadPolicy(src)
		if err == nil {
			if p == nil || p.Compile() != nil || p.Describe() == "" {
				t.Fatalf("a loaded policy must be compiled and describable")
			}
			if err := p.CheckLimits(); err != nil {
				t.Fatalf("a loaded policy must keep the city limits (Art. 13): %v", err)
			}
			return
		}
		if p != nil {
			t.Fatalf("policy and error both returned")
		}
		if !errors.Is(err, expertdb.ErrInvalidPolicy) {
			t.Fatalf("error is not ErrInvalidPolicy: %v", err)
		}
		lines := 1 // every character YAML may count as a line break, so an upper bound
		for _, r := range string(src) {
			if r == '\n' || r == '\r' || r == '\u0085' || r == '\u2028' || r == '\u2029' {
				lines++
			}
		}
		leaves := []error{err}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			leaves = j.Unwrap()
		}
		for _, e := range leaves {
			var pe *expertdb.PolicyError
			if !errors.As(e, &pe) {
				t.Fatalf("not a *PolicyError: %v", e)
			}
			if pe.Code == "" || pe.Message == "" || pe.Line < 0 || pe.Line > lines+1 || pe.Column < 0 {
				t.Fatalf("malformed error: %#v", pe)
			}
		}
	})
}
