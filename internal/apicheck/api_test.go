package apicheck_test

import (
	"flag"
	"fmt"
	"go/importer"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/api.txt from the current source")

// packages are the import paths whose exported API importers rely on.
var packages = []string{
	"github.com/wzsti/expertdb",
	"github.com/wzsti/expertdb/admission",
	"github.com/wzsti/expertdb/audit",
	"github.com/wzsti/expertdb/conflict",
	"github.com/wzsti/expertdb/examples/sqlstore",
	"github.com/wzsti/expertdb/examples/sqlstore/postgres",
	"github.com/wzsti/expertdb/examples/sqlstore/sqlite",
	"github.com/wzsti/expertdb/evaluation",
	"github.com/wzsti/expertdb/problem",
	"github.com/wzsti/expertdb/report",
	"github.com/wzsti/expertdb/rule",
	"github.com/wzsti/expertdb/selection",
	"github.com/wzsti/expertdb/verify",
}

// qualifier writes other packages by their import path, the module's own shortened.
func qualifier(p *types.Package) string {
	return strings.TrimPrefix(p.Path(), "github.com/wzsti/")
}

// describe lists one package's exported API, one declaration a line, sorted.
func describe(pkg *types.Package) []string {
	var out []string
	prefix := qualifier(pkg) + ": "
	add := func(s string) { out = append(out, prefix+s) }
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		switch o := obj.(type) {
		case *types.TypeName:
			named, _ := o.Type().(*types.Named)
			if o.IsAlias() || named == nil {
				add("type " + name + " = " + types.TypeString(o.Type(), qualifier))
				continue
			}
			under := named.Underlying()
			if st, ok := under.(*types.Struct); ok {
				add("type " + name + " struct")
				for f := range st.Fields() {
					if f.Exported() {
						add(fmt.Sprintf("type %s struct, %s %s", name, f.Name(), types.TypeString(f.Type(), qualifier)))
					}
				}
			} else if it, ok := under.(*types.Interface); ok {
				add("type " + name + " interface")
				for m := range it.Methods() {
					add(fmt.Sprintf("type %s interface, %s", name, strings.TrimPrefix(types.TypeString(m.Type(), qualifier), "func")))
				}
			} else {
				add("type " + name + " " + types.TypeString(under, qualifier))
			}
			for _, t := range []types.Type{named, types.NewPointer(named)} {
				ms := types.NewMethodSet(t)
				for sel := range ms.Methods() {
					m := sel.Obj()
					if !m.Exported() || len(sel.Index()) > 1 {
						continue // promoted methods are listed with their own type
					}
					recv := name
					if _, ok := t.(*types.Pointer); ok {
						recv = "*" + name
					}
					if _, isPtr := t.(*types.Pointer); isPtr && types.NewMethodSet(named).Lookup(pkg, m.Name()) != nil {
						continue // value methods are listed once
					}
					add(fmt.Sprintf("method (%s) %s%s", recv, m.Name(), strings.TrimPrefix(types.TypeString(m.Type(), qualifier), "func")))
				}
			}
		default:
			add(types.ObjectString(obj, qualifier))
		}
	}
	slices.Sort(out)
	return out
}

func TestAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks every public package from source")
	}
	imp := importer.ForCompiler(token.NewFileSet(), "source", nil)
	var lines []string
	for _, path := range packages {
		pkg, err := imp.Import(path)
		if err != nil {
			t.Fatalf("apicheck: type-check %s: %v", path, err)
		}
		lines = append(lines, describe(pkg)...)
	}
	got := strings.Join(lines, "\n") + "\n"
	file := filepath.Join("testdata", "api.txt")
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("apicheck: %v (write it with go test ./internal/apicheck -update)", err)
	}
	want := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	have := map[string]bool{}
	for _, l := range lines {
		have[l] = true
	}
	base := map[string]bool{}
	for _, l := range want {
		base[l] = true
	}
	var removed, added []string
	for _, l := range want {
		if !have[l] {
			removed = append(removed, l)
		}
	}
	for _, l := range lines {
		if !base[l] {
			added = append(added, l)
		}
	}
	if len(removed) > 0 {
		t.Errorf("apicheck: %d declarations of the committed API are gone or changed (incompatible: record them in CHANGELOG.md, then run go test ./internal/apicheck -update):\n  %s",
			len(removed), strings.Join(removed, "\n  "))
	}
	if len(added) > 0 {
		t.Errorf("apicheck: %d new declarations are not in the baseline (review them, then run go test ./internal/apicheck -update):\n  %s",
			len(added), strings.Join(added, "\n  "))
	}
}
