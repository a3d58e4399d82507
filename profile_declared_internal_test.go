package expertdb

import (
	"strings"
	"testing"
)

// mutateDeclared changes the declaration of one key for the length of a test.
func mutateDeclared(t *testing.T, path string, change func(f *profileField)) {
	t.Helper()
	f := profileAt(path)
	if f == nil {
		t.Fatalf("no declaration at %s", path)
	}
	saved := *f
	t.Cleanup(func() { *f = saved })
	change(f)
}

func loadErr(t *testing.T, src string) string {
	t.Helper()
	_, err := LoadPolicy([]byte(src))
	if err == nil {
		return ""
	}
	return err.Error()
}

const declaredBase = "name: 测试细则\nregion: \"330381\"\n"

// TestLoaderFollowsTheDeclaredKind changes a key's declared kind and checks that the loader
// reads the key with the reader of the new kind: the kinds are not written twice.
func TestLoaderFollowsTheDeclaredKind(t *testing.T) {
	for _, tc := range []struct {
		path, yaml, before, after string
		kind                      fieldKind
	}{
		{"selection.annual_cap", "selection:\n  annual_cap: 3\n", "", "应为 true 或 false", kindBool},
		{"evaluation.require_aspects", "evaluation:\n  require_aspects: false\n", "", "应为整数", kindInt},
		{"conflict.max_avoidances", "conflict:\n  max_avoidances: 3\n", "", "应为 0 到 1 之间的分数", kindFraction},
		{"filing", "filing: 3\n", "", "应为 true 或 false", kindBool},
		{"selection.draw_window.max_lead", "selection:\n  draw_window:\n    max_lead: 72h\n", "", "应为整数", kindInt},
		{"conflict.relations[].months", "conflict:\n  relations:\n    - {kinds: [spouse], label: 配偶, months: 3}\n", "", "应为 true 或 false", kindBool},
		{"admission.professional[].code", "admission:\n  professional:\n    technical: {code: x1}\n", "", "应为整数", kindInt},
	} {
		t.Run(tc.path, func(t *testing.T) {
			src := declaredBase + tc.yaml
			if got := loadErr(t, src); got != tc.before {
				t.Fatalf("as declared: %q, want %q", got, tc.before)
			}
			mutateDeclared(t, tc.path, func(f *profileField) { f.Kind = tc.kind })
			if got := loadErr(t, src); !strings.Contains(got, tc.after) || !strings.Contains(schemaPath(got), tc.path) {
				t.Errorf("declared %v: %q, want an error at %s containing %q", tc.kind, got, tc.path, tc.after)
			}
		})
	}
}

// TestLoaderFollowsTheDeclaredRequiredFlag changes which keys are declared required and
// checks that the loader's missing-field errors follow.
func TestLoaderFollowsTheDeclaredRequiredFlag(t *testing.T) {
	const nameMissing = "须填写使用细则名称（name）"
	if got := loadErr(t, "region: \"330381\"\n"); !strings.Contains(got, "line 1, column 1: name: missing: "+nameMissing) {
		t.Fatalf("without name: %q, want %q", got, nameMissing)
	}
	t.Run("not required", func(t *testing.T) {
		// Policy.Validate requires a name as well; only the loader's own error, placed at
		// the root mapping (line 1), goes with the declaration.
		mutateDeclared(t, "name", func(f *profileField) { f.Required = false })
		if got := loadErr(t, "region: \"330381\"\n"); strings.Contains(got, "line 1") {
			t.Errorf("name declared optional, the loader still requires it: %q", got)
		}
	})
	t.Run("required", func(t *testing.T) {
		const msg = "须填写备案文号（filing）"
		mutateDeclared(t, "filing", func(f *profileField) { f.Required, f.Missing = true, msg })
		if got := loadErr(t, declaredBase); !strings.Contains(got, msg) || !strings.Contains(got, "line 1, column 1: filing") {
			t.Errorf("filing declared required: %q, want %q", got, msg)
		}
		if got := loadErr(t, declaredBase+"filing: 温科〔2026〕1号\n"); got != "" {
			t.Errorf("filing given: %q", got)
		}
		mutateDeclared(t, "filing", func(f *profileField) { f.Required = false })
		if got := loadErr(t, declaredBase); got != "" {
			t.Errorf("filing declared optional again: %q", got)
		}
	})
	t.Run("list item", func(t *testing.T) {
		const msg = "每类重大利益关系须有中文名称（label）"
		src := declaredBase + "conflict:\n  relations:\n    - {kinds: [spouse]}\n"
		if got := loadErr(t, src); !strings.Contains(got, msg) {
			t.Fatalf("as declared: %q, want %q", got, msg)
		}
		mutateDeclared(t, "conflict.relations[].label", func(f *profileField) { f.Required = false })
		if got := loadErr(t, src); strings.Contains(got, msg) {
			t.Errorf("label declared optional, still: %q", got)
		}
	})
	t.Run("nested", func(t *testing.T) {
		const msg = "须填写年度参与次数上限（annual_cap）"
		mutateDeclared(t, "selection.annual_cap", func(f *profileField) { f.Required, f.Missing = true, msg })
		if got := loadErr(t, declaredBase+"selection:\n  reserve: 2\n"); !strings.Contains(got, msg) {
			t.Errorf("annual_cap declared required: %q, want %q", got, msg)
		}
	})
}
