package expertdb_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// innerErrors are the functions whose errors never reach an integrator as they are: each is
// wrapped, with the package's prefix, by the function named. Their messages have no prefix
// of their own, so that the wrapped message names the package once.
var innerErrors = map[string]string{
	"audit/event.go:decodeRecord":                          `Decode: "%w: %w" with ErrBadRecord`,
	"audit/log.go:(*Log).verifyOpenLocked":                 `NewLog: "audit: NewLog: %w"`,
	"audit/query.go:(*queryIndex).catchUp":                 `Log.Query: "audit: query: index: %w"`,
	"profile_manifest.go:readVerified":                     `readManifest and ResolveProfiles: "expertdb: resolve profiles of draw %q: %w"`,
	"profile_manifest.go:readManifest":                     `resolveManifest, wrapped by ResolveProfiles: "expertdb: resolve profiles of draw %q: %w"`,
	"profile_manifest.go:strictJSON":                       `readManifest: "profile manifest %s: %w"`,
	"profile_manifest.go:resolveManifest":                  `ResolveProfiles: "expertdb: resolve profiles of draw %q: %w"`,
	"snapshot.go:resolveRefs":                              `ResolveProfiles: "expertdb: resolve profiles of draw %q: %w"`,
	"selection/env.go:groupValue":                          `(*Prepared).groupToken`,
	"conflict/rules.go:resolveAliases":                     `Rules.plainErrors: a *ConfigError's detail ("%v")`,
	"examples/sqlstore/codec.go:":                          `errShort, wrapped by decodeDraw`,
	"examples/sqlstore/codec.go:(*decoder).time":           `decodeDraw, wrapped by loadExperts: "sqlstore: expert #%d: %w"`,
	"examples/sqlstore/codec.go:decodeDraw":                `loadExperts: "sqlstore: expert #%d: %w"`,
	"examples/sqlstore/migrate.go:(*DB).applied":           `migrate: "sqlstore: migrate to version %d (%s): %w"`,
	"examples/sqlstore/migrate.go:migrationsOf":            `MigrationSQL and migrate: "sqlstore: migrations of %q: %w", "sqlstore: migrate: %w"`,
	"selection/candidates.go:(*screener).screen":           `the cause of a *rule.EvalError, wrapped by budgetError with ErrInvalidRequest`,
	"selection/candidates.go:(*Prepared).checkInvitations": `the cause of a *rule.EvalError, wrapped by budgetError with ErrInvalidRequest`,
	"selection/candidates.go:(*Prepared).groupToken":       `budgetError, or the detail of a refusal of the preferential pick`,
	"selection/env.go:PrepareWith":                         `wrap: "%w: %w" with ErrInvalidRequest`,
	"selection/public.go:parseEntropy":                     `a *PublicError's detail ("entropy: %v")`,
	"selection/public_verify.go:parseRequestFields":        `a *PublicError's detail ("request fields: %v")`,
}

// TestErrorMessagesStartWithThePackage: every message literal of fmt.Errorf and errors.New
// in the packages an integrator calls starts with the package's name and a colon, or with
// %w (the wrapped error names its package), unless its function is listed in innerErrors.
func TestErrorMessagesStartWithThePackage(t *testing.T) {
	used := map[string]bool{}
	for _, dir := range []string{".", "admission", "selection", "audit", "conflict", "evaluation", "examples/sqlstore"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		require.NoError(t, err)
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			fset := token.NewFileSet()
			file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
			require.NoError(t, err)
			pkg := file.Name.Name
			for _, decl := range file.Decls {
				fn := funcName(decl)
				ast.Inspect(decl, func(n ast.Node) bool {
					call, ok := n.(*ast.CallExpr)
					if !ok || len(call.Args) == 0 {
						return true
					}
					sel, ok := call.Fun.(*ast.SelectorExpr)
					if !ok {
						return true
					}
					x, ok := sel.X.(*ast.Ident)
					if !ok || !(x.Name == "fmt" && sel.Sel.Name == "Errorf" || x.Name == "errors" && sel.Sel.Name == "New") {
						return true
					}
					msg, ok := leadingLiteral(call.Args[0])
					where := filepath.ToSlash(f) + ":" + fn
					if !ok {
						t.Errorf("%s: %s.%s with a message that is not a literal", fset.Position(call.Pos()), x.Name, sel.Sel.Name)
						return true
					}
					if strings.HasPrefix(msg, pkg+": ") || strings.HasPrefix(msg, "%w") {
						return true
					}
					_, inner := innerErrors[where]
					used[where] = true
					assert.True(t, inner, "%s (%s): %q does not start with %q", fset.Position(call.Pos()), where, msg, pkg+": ")
					return true
				})
			}
		}
	}
	for where := range innerErrors {
		assert.True(t, used[where], "innerErrors lists %s, which makes no unprefixed error: remove it", where)
	}
}

// funcName names a declaration: "F", "(*T).M", or "" outside functions.
func funcName(d ast.Decl) string {
	fd, ok := d.(*ast.FuncDecl)
	if !ok {
		return ""
	}
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	var recv string
	switch r := fd.Recv.List[0].Type.(type) {
	case *ast.StarExpr:
		if id, ok := r.X.(*ast.Ident); ok {
			recv = "(*" + id.Name + ")"
		}
	case *ast.Ident:
		recv = r.Name
	}
	return recv + "." + fd.Name.Name
}

// leadingLiteral returns the string literal a message starts with ("a" + b starts with "a").
func leadingLiteral(e ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		s, err := strconv.Unquote(x.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		return leadingLiteral(x.X)
	case *ast.ParenExpr:
		return leadingLiteral(x.X)
	}
	return "", false
}
