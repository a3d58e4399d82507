package sqlstore_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// reached returns every import path the non-test files of the module package in dir reach,
// following the module's own packages (dir relative to the module root).
func reached(t *testing.T, dir string) map[string]bool {
	t.Helper()
	const module = "github.com/wzsti/expertdb"
	root := filepath.Join("..", "..")
	out := map[string]bool{}
	seen := map[string]bool{}
	queue := []string{dir}
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		if seen[d] {
			continue
		}
		seen[d] = true
		entries, err := os.ReadDir(filepath.Join(root, d))
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		for _, e := range entries {
			n := e.Name()
			if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join(root, d, n), nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, im := range f.Imports {
				p := strings.Trim(im.Path.Value, `"`)
				out[p] = true
				if rest, ok := strings.CutPrefix(p, module+"/"); ok {
					queue = append(queue, filepath.FromSlash(rest))
				}
			}
		}
	}
	return out
}

// TestDriversInSubPackages: the core links no driver, and each driver package links only its
// own engine, so an importer carries only the engine it uses.
func TestDriversInSubPackages(t *testing.T) {
	for _, tc := range []struct {
		dir       string
		forbidden []string
	}{
		{"examples/sqlstore", []string{"github.com/jackc/", "modernc.org/sqlite"}},
		{"examples/sqlstore/sqlite", []string{"github.com/jackc/"}},
		{"examples/sqlstore/postgres", []string{"modernc.org/sqlite"}},
	} {
		for p := range reached(t, tc.dir) {
			for _, f := range tc.forbidden {
				if strings.HasPrefix(p, f) {
					t.Errorf("%s reaches %s", tc.dir, p)
				}
			}
		}
	}
	// and each driver package does link its engine (the walk sees imports at all)
	if !reached(t, "examples/sqlstore/sqlite")["modernc.org/sqlite"] || !reached(t, "examples/sqlstore/postgres")["github.com/jackc/pgx/v5/stdlib"] {
		t.Error("a driver package does not import its driver")
	}
}
