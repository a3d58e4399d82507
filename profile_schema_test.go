package expertdb_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
	"pgregory.net/rapid"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
)

// schemaHeader is the editor line every example profile starts with.
const schemaHeader = "# yaml-language-server: $schema=" + expertdb.ProfileSchemaID

func TestProfileSchemaIsCommitted(t *testing.T) {
	checkCommitted(t, "schema/county-profile.schema.json", expertdb.ProfileSchema())
}

// documentedProfile is the example profile of LoadPolicy's documentation, read from the source.
func documentedProfile(t testing.TB) []byte {
	src, err := os.ReadFile("policy_load.go")
	require.NoError(t, err)
	var out []string
	in := false
	for _, l := range strings.Split(string(src), "\n") {
		switch {
		case strings.HasPrefix(l, "//\tname: 瑞安市"):
			in = true
		case in && l == "// # Rules":
			in = false
		}
		if in {
			out = append(out, strings.TrimPrefix(strings.TrimPrefix(l, "//"), "\t"))
		}
	}
	require.Greater(t, len(out), 80)
	return []byte(strings.Join(out, "\n"))
}

// exampleProfiles are every profile the project ships as an example.
func exampleProfiles(t testing.TB) map[string][]byte {
	out := map[string][]byte{"LoadPolicy documentation": documentedProfile(t)}
	files, err := os.ReadDir("examples/county")
	require.NoError(t, err)
	for _, f := range files {
		if strings.HasSuffix(f.Name(), ".yaml") {
			b, err := os.ReadFile("examples/county/" + f.Name())
			require.NoError(t, err)
			out["examples/county/"+f.Name()] = b
		}
	}
	return out
}

func TestExampleProfilesMatchTheSchema(t *testing.T) {
	s := compileSchema(t, expertdb.ProfileSchema())
	for name, src := range exampleProfiles(t) {
		t.Run(name, func(t *testing.T) {
			_, err := expertdb.LoadPolicy(src)
			require.NoError(t, err)
			require.NoError(t, s.Validate(yamlInstance(t, src)))
			if strings.HasPrefix(name, "examples/") {
				assert.True(t, strings.HasPrefix(string(src), schemaHeader+"\n"), "the file starts with the editor line")
			}
		})
	}
}

func TestProfileSchemaRefusesWhatTheLoaderRefuses(t *testing.T) {
	s := compileSchema(t, expertdb.ProfileSchema())
	for _, tc := range []struct {
		name, src, code string
	}{
		{"unknown top-level key", "selction: {annual_cap: 8}\n", "unknown-key"},
		{"unknown nested key", "selection:\n  annual_cpa: 8\n", "unknown-key"},
		{"unknown rule field", "conflict:\n  clause5:\n    - {name: x, expr: 'true', messge: m}\n", "unknown-key"},
		{"wrong mode", "selection: {mode: v2}\n", "value"},
		{"wrong reading", "admission: {integrity_bar: some-records}\n", "value"},
		{"wrong count", "alerts: [{name: redraw, count: users}]\n", "value"},
		{"wrong clause", "conflict: {other_unit_clause: 4}\n", "value"},
		{"wrong violation", "evaluation: {serious_violations: [solicitation, spam]}\n", "value"},
		{"wrong exit reason", "admission: {sweep_exits: {age: retired}}\n", "value"},
		{"quoted integer", "selection: {annual_cap: \"8\"}\n", "type"},
		{"string for bool", "conflict: {exclude_possible: yes}\n", "type"},
		{"negative integer", "conflict: {former_unit_months: -1}\n", "value"},
		{"group cap zero", "request_rules: [{name: r, message: m, groups: [{name: g, key: expert.Region, max: 0}]}]\n", "value"},
		{"bad date", "effective: 2026/01/01\n", "value"},
		{"bad region", "region2: x\n", "unknown-key"},
		{"bad fraction", "selection: {preferential_share: half}\n", "value"},
		{"bad duration", "selection: {draw_window: {max_lead: 3d}}\n", "value"},
		{"empty roles", "permissions: {roles: []}\n", "missing"},
		{"mapping for list", "conflict: {clause5: {name: x}}\n", "type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := header + tc.src
			codes := loadCodes(t, []byte(src))
			assert.Contains(t, codes, tc.code)
			assert.Error(t, s.Validate(yamlInstance(t, []byte(src))), "the schema refuses it too")
		})
	}
}

// loadCodes loads a profile and returns the codes of its errors.
func loadCodes(t testing.TB, src []byte) []string {
	_, err := expertdb.LoadPolicy(src)
	if err == nil {
		return nil
	}
	var codes []string
	for _, e := range flattenJoined(err) {
		var pe *expertdb.PolicyError
		require.True(t, errors.As(e, &pe), "%v", e)
		codes = append(codes, pe.Code)
	}
	return codes
}

func loadErrorsOf(src []byte) []*expertdb.PolicyError {
	_, err := expertdb.LoadPolicy(src)
	var out []*expertdb.PolicyError
	for _, e := range flattenJoined(err) {
		var pe *expertdb.PolicyError
		if errors.As(e, &pe) {
			out = append(out, pe)
		}
	}
	return out
}

func flattenJoined(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flattenJoined(e)...)
		}
		return out
	}
	return []error{err}
}

// structural are the error codes of a profile's form, which the schema checks too.
var structural = []string{"unknown-key", "type", "value", "alias", "syntax"}

// profileGen generates profiles from the JSON Schema of ProfileSchema, which is generated
// from the loader's declaration: valid in form, and unique where the loader wants names
// unique, so that the loader reads every part of them.
type profileGen struct {
	t    *rapid.T
	seq  int
	city bool
}

func (g *profileGen) next(prefix string) string { g.seq++; return fmt.Sprintf("%s%d", prefix, g.seq) }

func (g *profileGen) value(s map[string]any, path string) any {
	if any_, ok := s["anyOf"].([]any); ok { // durations
		if rapid.Bool().Draw(g.t, path) {
			return 0
		}
		_ = any_
		if strings.HasSuffix(path, "min_lead") { // at most max_lead
			return rapid.SampledFrom([]string{"2h", "90m", "1h30m"}).Draw(g.t, path)
		}
		return rapid.SampledFrom([]string{"72h", "100h"}).Draw(g.t, path)
	}
	if e, ok := s["enum"].([]any); ok {
		var vals []any
		for _, v := range e {
			if v != "" {
				vals = append(vals, v)
			}
		}
		return rapid.SampledFrom(vals).Draw(g.t, path)
	}
	typ := s["type"]
	if l, ok := typ.([]any); ok {
		typ = l[0]
	}
	switch typ {
	case "object":
		return g.object(s, path)
	case "array":
		return g.array(s, path)
	case "integer":
		lo := 0
		if m, ok := s["minimum"].(float64); ok {
			lo = int(m)
		}
		return rapid.IntRange(lo, lo+3).Draw(g.t, path)
	case "boolean":
		return rapid.Bool().Draw(g.t, path)
	case "string":
		switch p, _ := s["pattern"].(string); {
		case strings.Contains(p, "%"):
			return rapid.SampledFrom([]string{"1/4", "1/3", "30%", "1/2"}).Draw(g.t, path)
		case strings.Contains(p, "{4}-"):
			return "2026-01-01"
		case strings.HasPrefix(p, "^3303"):
			if g.city {
				return "330300"
			}
			return "330381"
		case strings.HasSuffix(path, ".name") || strings.HasSuffix(path, ".label"):
			return g.next("n")
		}
		return "true" // a text, and an expression that compiles at every site
	}
	g.t.Fatalf("no generator for %s: %v", path, s)
	return nil
}

func (g *profileGen) object(s map[string]any, path string) map[string]any {
	out := map[string]any{}
	if props, ok := s["properties"].(map[string]any); ok {
		req := map[string]bool{}
		for _, r := range asList(s["required"]) {
			req[r.(string)] = true
		}
		keys := sortedKeysOf(props)
		for _, k := range keys {
			// A new rule needs its expression and message, a new alert its match; disabled
			// would stop the loader before the other fields.
			force := req[k] || k == "expr" || k == "message" || k == "match" || k == "any_of" || k == "criteria" || k == "min"
			if k == "disabled" || k == "allow" && path == "" {
				continue
			}
			if force || rapid.Bool().Draw(g.t, path+"."+k) {
				out[k] = g.value(props[k].(map[string]any), strings.TrimPrefix(path+"."+k, "."))
			}
		}
		if path == "" && rapid.Bool().Draw(g.t, "city") {
			g.city = true
			out["region"] = "330300"
			out["allow"] = g.value(props["allow"].(map[string]any), "allow")
		}
		if lo, ok := out["min"].(int); ok { // a quota's max is not below its min
			if hi, ok := out["max"].(int); ok && hi > 0 {
				out["max"] = lo + hi
			}
		}
		return out
	}
	elem := s["additionalProperties"].(map[string]any)
	n := rapid.IntRange(0, 2).Draw(g.t, path+"#")
	var basic []string
	for _, r := range admission.DefaultBasicRules() {
		basic = append(basic, r.Name)
	}
	for i := 0; i < n; i++ {
		key := g.next("k")
		if strings.HasSuffix(path, "sweep_exits") {
			key = basic[i]
		}
		out[key] = g.value(elem, path+"["+key+"]")
	}
	return out
}

func (g *profileGen) array(s map[string]any, path string) []any {
	items := s["items"].(map[string]any)
	lo := 0
	if m, ok := s["minItems"].(float64); ok {
		lo = int(m)
	}
	n := rapid.IntRange(lo, lo+2).Draw(g.t, path+"#")
	var out []any
	seen := map[string]bool{}
	for i := 0; i < n; i++ {
		v := g.value(items, path+"[]")
		if str, ok := v.(string); ok {
			if _, enum := items["enum"]; !enum {
				v = g.next("v") // roles and relation kinds are unique
			} else if seen[str] {
				continue
			}
			seen[str] = true
		}
		out = append(out, v)
	}
	if out == nil {
		return []any{}
	}
	return out
}

func asList(v any) []any { l, _ := v.([]any); return l }

func sortedKeysOf(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// objects returns the path of every mapping with fixed keys in a generated profile, with its
// schema, and every enumerated value.
func walkInstance(v any, s map[string]any, at []any, visit func(at []any, v any, s map[string]any)) {
	visit(at, v, s)
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeysOf(x) {
			var cs map[string]any
			if props, ok := s["properties"].(map[string]any); ok {
				cs, _ = props[k].(map[string]any)
			} else {
				cs, _ = s["additionalProperties"].(map[string]any)
			}
			if cs != nil {
				walkInstance(x[k], cs, append(slices.Clone(at), k), visit)
			}
		}
	case []any:
		for i, e := range x {
			walkInstance(e, s["items"].(map[string]any), append(slices.Clone(at), i), visit)
		}
	}
}

func schemaDoc(t testing.TB) map[string]any {
	var s map[string]any
	require.NoError(t, json.Unmarshal(expertdb.ProfileSchema(), &s))
	return s
}

func toYAML(t require.TestingT, v any) []byte {
	b, err := yaml.Marshal(v)
	require.NoError(t, err)
	return b
}

// TestLoaderAgreesWithTheProfileSchema generates profiles from the declaration: the loader
// finds nothing wrong with their form and the schema accepts them; adding an unknown key to
// any mapping, or a wrong value to any enumerated setting, makes both refuse; and the keys
// the loader lists as valid are exactly the declared ones, at every mapping.
func TestLoaderAgreesWithTheProfileSchema(t *testing.T) {
	doc := schemaDoc(t)
	s := compileSchema(t, expertdb.ProfileSchema())
	runs := 0
	rapid.Check(t, func(rt *rapid.T) {
		if runs++; raceEnabled && runs > 10 { // 10–20× slower under the race detector: a sample
			return
		}
		g := &profileGen{t: rt}
		p := g.value(doc, "").(map[string]any)
		src := toYAML(rt, p)
		for _, pe := range loadErrorsOf(src) {
			if slices.Contains(structural, pe.Code) {
				rt.Fatalf("the loader refuses the form of a profile generated from its schema: %v\n%s", pe, src)
			}
		}
		if err := s.Validate(instance(rt, p)); err != nil {
			rt.Fatalf("the schema refuses a profile generated from it: %v\n%s", err, src)
		}

		// Mutations: one per profile, anywhere.
		type site struct {
			at   []any
			kind string
			s    map[string]any
		}
		var sites []site
		walkInstance(p, doc, nil, func(at []any, v any, cs map[string]any) {
			if _, ok := v.(map[string]any); ok && cs["additionalProperties"] == false {
				sites = append(sites, site{at, "key", cs})
			}
			if _, ok := cs["enum"]; ok {
				sites = append(sites, site{at, "enum", cs})
			}
			if _, ok := v.(map[string]any); !ok {
				if _, ok := v.([]any); !ok && len(at) > 0 {
					sites = append(sites, site{at, "type", cs})
				}
			}
		})
		m := rapid.SampledFrom(sites).Draw(rt, "mutation")
		mutated := deepCopy(p).(map[string]any)
		target := lookup(mutated, m.at)
		var want string
		switch m.kind {
		case "key":
			target.(map[string]any)["zz_unknown"] = 1
			want = "unknown-key"
		case "enum":
			setAt(mutated, m.at, "zz-not-a-value")
			want = "value"
			if _, ints := m.s["enum"].([]any)[0].(float64); ints {
				setAt(mutated, m.at, 4)
			}
		case "type":
			setAt(mutated, m.at, map[string]any{"a": "b"})
			want = "type"
		}
		msrc := toYAML(rt, mutated)
		pes := loadErrorsOf(msrc)
		if !slices.ContainsFunc(pes, func(pe *expertdb.PolicyError) bool { return pe.Code == want }) {
			rt.Fatalf("mutation %s at %v: the loader reports no %q error: %v\n%s", m.kind, m.at, want, pes, msrc)
		}
		if err := s.Validate(instance(rt, mutated)); err == nil {
			rt.Fatalf("mutation %s at %v: the schema accepts it\n%s", m.kind, m.at, msrc)
		}
		if m.kind == "key" {
			// The loader lists the valid keys: exactly the declared ones.
			var listed []string
			for _, pe := range pes {
				if pe.Code == "unknown-key" && strings.HasSuffix(pe.Path, "zz_unknown") {
					_, list, ok := strings.Cut(pe.Message, "可用的配置项：")
					if !ok {
						rt.Fatalf("no list of keys in %q", pe.Message)
					}
					listed = strings.Split(list, "、")
				}
			}
			declared := sortedKeysOf(m.s["properties"].(map[string]any))
			sort.Strings(listed)
			if !slices.Equal(listed, declared) {
				rt.Fatalf("at %v the loader accepts %v, the schema declares %v", m.at, listed, declared)
			}
		}
	})
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

func lookup(v any, at []any) any {
	for _, k := range at {
		switch x := v.(type) {
		case map[string]any:
			v = x[k.(string)]
		case []any:
			v = x[k.(int)]
		}
	}
	return v
}

func setAt(root any, at []any, val any) {
	parent := lookup(root, at[:len(at)-1])
	switch x := parent.(type) {
	case map[string]any:
		x[at[len(at)-1].(string)] = val
	case []any:
		x[at[len(at)-1].(int)] = val
	}
}

// TestDescribeTitlesEveryChange: the closing list of Describe names each change of the
// documented example (which uses every key) with its declared Chinese title.
func TestDescribeTitlesEveryChange(t *testing.T) {
	p, err := expertdb.LoadPolicy(documentedProfile(t))
	require.NoError(t, err)
	_, list, ok := strings.Cut(p.Describe(), "附：本地调整清单")
	require.True(t, ok)
	lines := strings.Split(strings.TrimSpace(list), "\n")[1:]
	require.Len(t, lines, len(p.Changes()))
	for i, c := range p.Changes() {
		_, numbered, _ := strings.Cut(strings.TrimSpace(lines[i]), ". ")
		title, rest, ok := strings.Cut(numbered, "：")
		require.True(t, ok, lines[i])
		assert.True(t, strings.HasPrefix(rest, c.Path+"〔"), "%q names %s after its title", lines[i], c.Path)
		assert.NotContains(t, title, ".", "%q: a Chinese title, not a path", lines[i])
	}
	assert.Contains(t, list, "每名专家年度参与次数上限：selection.annual_cap〔第十四条第（一）项〕市级规则 10 → 本地 8")
}

// TestProfileReferenceIsCurrent: the reference table of docs/county-profile.md is generated
// from ProfileSchema (so from the loader's declaration); -update rewrites it.
func TestProfileReferenceIsCurrent(t *testing.T) {
	const begin, end = "<!-- BEGIN generated from ProfileSchema: go test -run TestProfileReferenceIsCurrent -update . -->\n", "<!-- END generated -->"
	var b strings.Builder
	b.WriteString("| Key | Type | Default | 中文 | Description |\n|---|---|---|---|---|\n")
	var walk func(path string, s map[string]any)
	walk = func(path string, s map[string]any) {
		if path != "" {
			def := ""
			if d, ok := s["default"]; ok {
				def = "`" + fmt.Sprint(d) + "`"
			}
			title, _ := s["title"].(string)
			desc, _ := s["description"].(string)
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", path, schemaType(s), def, title, strings.ReplaceAll(desc, "|", "\\|"))
		}
		if props, ok := s["properties"].(map[string]any); ok {
			for _, k := range sortedKeysOf(props) {
				walk(strings.TrimPrefix(path+"."+k, "."), props[k].(map[string]any))
			}
		}
		if items, ok := s["items"].(map[string]any); ok {
			walk(path+"[]", items)
		}
		if elem, ok := s["additionalProperties"].(map[string]any); ok {
			walk(path+"[key]", elem)
		}
	}
	walk("", schemaDoc(t))
	const file = "docs/county-profile.md"
	doc, err := os.ReadFile(file)
	require.NoError(t, err)
	head, rest, ok := strings.Cut(string(doc), begin)
	require.True(t, ok, "the begin marker")
	_, tail, ok := strings.Cut(rest, end)
	require.True(t, ok, "the end marker")
	want := head + begin + b.String() + end + tail
	if *updateSchemas {
		require.NoError(t, os.WriteFile(file, []byte(want), 0o644))
		return
	}
	require.Equal(t, want, string(doc), "run go test -run TestProfileReferenceIsCurrent -update . and commit the result")
}

// schemaType names the type of a schema in the reference.
func schemaType(s map[string]any) string {
	if _, ok := s["anyOf"]; ok {
		return "duration (`72h`) or `0`"
	}
	if e, ok := s["enum"].([]any); ok {
		var vs []string
		for _, v := range e {
			vs = append(vs, fmt.Sprintf("`%v`", v))
		}
		return "one of " + strings.Join(vs, ", ")
	}
	typ := s["type"]
	if l, ok := typ.([]any); ok {
		typ = l[0]
	}
	switch typ {
	case "object":
		if _, ok := s["properties"]; ok {
			return "mapping"
		}
		return "mapping of free keys"
	case "array":
		return "list"
	case "integer":
		if m, ok := s["minimum"]; ok {
			return fmt.Sprintf("integer ≥ %v", m)
		}
		return "integer"
	case "boolean":
		return "`true` / `false`"
	}
	switch p, _ := s["pattern"].(string); {
	case strings.Contains(p, "%"):
		return "fraction (`1/3`, `30%`)"
	case strings.Contains(p, "{4}-"):
		return "date (`2026-01-01`)"
	case p == `\S`:
		return "text, not empty"
	case p != "":
		return "text matching `" + p + "`"
	}
	return "text"
}

// TestEveryDeclaredSettingTakesEffect: for each setting the schema gives a default, a profile
// that sets another valid value loads and records a change at exactly that setting's path,
// whose old value is the declared default. So each declared key reaches the setting it
// describes, and the defaults the schema shows are the city's.
func TestEveryDeclaredSettingTakesEffect(t *testing.T) {
	type setting struct {
		path string
		s    map[string]any
	}
	var settings []setting
	var walk func(path string, s map[string]any)
	walk = func(path string, s map[string]any) {
		if _, ok := s["default"]; ok {
			settings = append(settings, setting{path, s})
		}
		if props, ok := s["properties"].(map[string]any); ok {
			for _, k := range sortedKeysOf(props) {
				walk(strings.TrimPrefix(path+"."+k, "."), props[k].(map[string]any))
			}
		}
	}
	walk("", schemaDoc(t))
	require.Greater(t, len(settings), 20)
	// Another valid value, within the city limits.
	other := map[string]any{
		"evaluation.threshold":           "1/2",
		"selection.preferential_share":   "1/4",
		"selection.draw_window.max_lead": "72h",
		"selection.draw_window.min_lead": "2h",
		"conflict.other_relations":       "relation.Ongoing",
	}
	for _, st := range settings {
		t.Run(st.path, func(t *testing.T) {
			def := st.s["default"]
			v, ok := other[st.path]
			if !ok {
				switch d := def.(type) {
				case bool:
					v = !d
				case float64:
					def = int(d)
					n := int(d) - 1
					if m, ok := st.s["minimum"].(float64); ok && n < int(m) {
						n = int(d) + 1
					}
					if e, ok := st.s["enum"].([]any); ok {
						for _, x := range e {
							if x != d {
								n = int(x.(float64))
							}
						}
					}
					v = n
				case string:
					e, ok := st.s["enum"].([]any)
					require.True(t, ok, "a value for %s", st.path)
					for _, x := range e {
						if x != d {
							v = x
						}
					}
				}
			}
			doc := map[string]any{"name": "测试", "region": expertdb.CityRegion}
			// A city profile may loosen what it names in allow.
			doc["allow"] = []any{st.path}
			if !slices.Contains(expertdb.LimitSettings(), st.path) {
				doc["region"] = "330381"
				delete(doc, "allow")
			}
			at := doc
			parts := strings.Split(st.path, ".")
			for _, p := range parts[:len(parts)-1] {
				next := map[string]any{}
				at[p] = next
				at = next
			}
			at[parts[len(parts)-1]] = v
			if st.path == "evaluation.inclusive" { // exactly 30% is the city's limit only when not inclusive
				at["threshold"] = "1/2"
			}
			src := toYAML(t, doc)
			p, err := expertdb.LoadPolicy(src)
			require.NoError(t, err, "%s", src)
			var found []expertdb.Change
			for _, c := range p.Changes() {
				if c.Path == st.path {
					found = append(found, c)
				}
			}
			require.Len(t, found, 1, "%s: changes %v", src, p.Changes())
			if !strings.HasSuffix(st.path, "_bar") { // a reading's change shows the rule's expression
				assert.Equal(t, fmt.Sprint(def), found[0].Old, "the declared default is the city's")
				assert.Equal(t, fmt.Sprint(v), found[0].New)
			}
		})
	}
}
