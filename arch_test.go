package expertdb_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/wzsti/expertdb"

// forbidden lists what a pure package (admission, conflict, evaluation, selection) may not
// import, directly or through the module's own packages: I/O, clocks and randomness come in as
// arguments, and the audit log and root package sit above them.
var forbidden = map[string]string{
	"os": "I/O", "os/exec": "I/O", "io/fs": "I/O", "io/ioutil": "I/O", "net": "I/O", "net/http": "I/O",
	"database/sql": "I/O", "log": "I/O", "log/slog": "I/O", "syscall": "I/O",
	"math/rand": "randomness", "math/rand/v2": "randomness", "crypto/rand": "randomness",
	module: "the root package", module + "/audit": "the audit package",
}

// imports parses the non-test Go files of dir and returns their imports, and whether
// time.Now is called.
func imports(t *testing.T, dir string) (map[string]bool, []string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	var clock []string
	fset := token.NewFileSet()
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.ImportsOnly|parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		timeName := ""
		for _, im := range f.Imports {
			p := strings.Trim(im.Path.Value, `"`)
			out[p] = true
			if p == "time" {
				timeName = "time"
				if im.Name != nil {
					timeName = im.Name.Name
				}
			}
		}
		if timeName == "" {
			continue
		}
		full, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(full, func(node ast.Node) bool {
			if sel, ok := node.(*ast.SelectorExpr); ok && (sel.Sel.Name == "Now" || sel.Sel.Name == "Since" || sel.Sel.Name == "Until") {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == timeName {
					clock = append(clock, fset.Position(sel.Pos()).String())
				}
			}
			return true
		})
	}
	return out, clock
}

func TestPurePackagesStayPure(t *testing.T) {
	for _, pure := range []string{"admission", "conflict", "evaluation", "selection"} {
		t.Run(pure, func(t *testing.T) {
			if _, err := os.Stat(pure); err != nil {
				t.Skipf("%s not present", pure)
			}
			// Walk the package and every package of this module it reaches.
			seen := map[string]bool{}
			queue := []string{pure}
			for len(queue) > 0 {
				dir := queue[0]
				queue = queue[1:]
				if seen[dir] {
					continue
				}
				seen[dir] = true
				imps, clock := imports(t, dir)
				for _, c := range clock {
					t.Errorf("%s reads the clock at %s; time must come in as an argument", pure, c)
				}
				for p := range imps {
					if why, bad := forbidden[p]; bad {
						t.Errorf("%s reaches %s (%s) via %s", pure, p, why, dir)
					}
					if rest, ok := strings.CutPrefix(p, module+"/"); ok {
						queue = append(queue, filepath.FromSlash(rest))
					}
				}
			}
		})
	}
}
