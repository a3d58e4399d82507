package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/wzsti/expertdb"
	"github.com/wzsti/expertdb/admission"
	"github.com/wzsti/expertdb/internal/schemagen"
	"github.com/wzsti/expertdb/selection"
)

var updateSchema = flag.Bool("update", false, "rewrite schema/draw-request.schema.json from the request types")

const requestSchemaFile = "../../schema/draw-request.schema.json"

// RequestSchemaID is the $id of the draw request schema.
const requestSchemaID = "https://raw.githubusercontent.com/wzsti/expertdb/main/schema/draw-request.schema.json"

// Patterns of the request schema.
const (
	patternDateTime = `^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2}))?$`
	patternFileTime = `^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}(([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2})?)|([Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})))?\s*$`
	patternDuration = `^([0-9]+(\.[0-9]*)?(ns|us|µs|μs|ms|s|m|h))+$|^0$`
)

func enumOf[T any](xs ...T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// requestSchema generates the schema of both request forms from their Go types: the request
// file expertctl reads (yamlRequest, yaml tags) and the JSON wire format of
// expertdb.DrawRequest (json tags).
func requestSchema() []byte {
	orgKinds := enumOf[admission.OrgKind]("", admission.University, admission.Institute, admission.Enterprise,
		admission.Government, admission.Hospital, admission.Financial, admission.OtherOrg)
	roleNames := enumOf(selection.DivisionHead, selection.DeputyLeader, selection.MainLeader, selection.BureauMeeting)
	var titleNames []any
	for _, lv := range []admission.TitleLevel{admission.TitleNone, admission.Junior, admission.Intermediate, admission.AssociateSenior, admission.Senior} {
		b, _ := json.Marshal(lv)
		var code string
		_ = json.Unmarshal(b, &code)
		titleNames = append(titleNames, code)
	}
	// The file: yaml tags, its own time and duration forms, enums of the names it accepts.
	fileTitles := slices.Clone(titleNames)
	fileTitles = append([]any{""}, fileTitles...)
	file := schemagen.New(schemagen.Options{Tag: "yaml",
		Types: map[reflect.Type]map[string]any{
			reflect.TypeFor[yamlTime]():     {"type": "string", "pattern": patternFileTime, "description": "A date (2026-03-20), a date and time in China Standard Time (2026-03-20 09:00) or RFC 3339."},
			reflect.TypeFor[yamlDuration](): {"type": "string", "pattern": patternDuration, "description": "A Go duration, e.g. 24h or 90m."},
		},
		Required: map[reflect.Type][]string{reflect.TypeFor[yamlRequest](): {"id", "unit", "activity", "size"}},
		Titles: map[reflect.Type][2]string{reflect.TypeFor[yamlRequest](): {"expertctl 抽取申请文件",
			"The request file of `expertctl draw -request` (YAML): see `expertctl draw -h`."}},
	})
	file.Schema(reflect.TypeFor[yamlRequest]())
	// Enumerated names of the file: unit kinds, titles and approval roles.
	setProp(file.Defs, schemagen.DefName(reflect.TypeFor[yamlPerson]()), "kind", map[string]any{"enum": orgKinds})
	fileDef := file.Defs[schemagen.DefName(reflect.TypeFor[yamlInvitation]())].(map[string]any)
	props := fileDef["properties"].(map[string]any)
	ex := props["expert"].(map[string]any)["properties"].(map[string]any)
	ex["title"] = map[string]any{"enum": fileTitles}
	ex["kind"] = map[string]any{"enum": orgKinds}
	ap := props["approvals"].(map[string]any)["items"].(map[string]any)["properties"].(map[string]any)
	ap["role"] = map[string]any{"enum": roleNames}

	// The wire format: json tags, lenient dates, durations, enums as their codes.
	wire := schemagen.New(schemagen.Options{Tag: "json",
		Types: map[reflect.Type]map[string]any{
			reflect.TypeFor[time.Time]():            {"type": "string", "pattern": patternDateTime, "description": "A date (2026-03-02, midnight UTC) or an RFC 3339 time."},
			reflect.TypeFor[time.Duration]():        {"anyOf": []any{map[string]any{"type": "string", "pattern": patternDuration}, map[string]any{"type": "integer", "minimum": 0}}, "description": "A duration string (24h) or an integer of nanoseconds (the v0.1.0 form)."},
			reflect.TypeFor[admission.TitleLevel](): {"anyOf": []any{map[string]any{"enum": titleNames}, map[string]any{"type": "integer", "minimum": 0, "maximum": 4}}},
			reflect.TypeFor[selection.Mode]():       {"anyOf": []any{map[string]any{"enum": []any{"v1", "rfc3797"}}, map[string]any{"enum": []any{0, 1}}}},
			reflect.TypeFor[selection.Role]():       {"enum": roleNames},
			reflect.TypeFor[admission.OrgKind]():    {"enum": orgKinds},
		},
		Required: map[reflect.Type][]string{reflect.TypeFor[expertdb.DrawRequest](): {"id", "unit", "size", "at"}},
		Titles: map[reflect.Type][2]string{reflect.TypeFor[expertdb.DrawRequest](): {"DrawRequest（JSON）",
			"The JSON wire format of expertdb.DrawRequest (Service.Submit, Service.Draw): the fields of selection.Request and unit, labels, relations, entropy, window. The decoder ignores unknown keys; the schema refuses them, to catch misspellings."}},
	})
	wire.Schema(reflect.TypeFor[expertdb.DrawRequest]())
	defs := map[string]any{}
	for k, v := range file.Defs {
		defs[k] = v
	}
	for k, v := range wire.Defs {
		defs[k] = v
	}
	wire.Defs = defs
	doc := wire.Document(requestSchemaID, "抽取申请（第十三条）",
		"A draw request (Art. 13): either the YAML request file of expertctl (expertctl.yamlRequest) or the JSON wire format of expertdb.DrawRequest. Generated from the Go types by examples/expertctl/request_schema_test.go (go test ./examples/expertctl -run TestRequestSchemaIsCommitted -update).",
		map[string]any{"anyOf": []any{
			map[string]any{"$ref": "#/$defs/" + schemagen.DefName(reflect.TypeFor[yamlRequest]())},
			map[string]any{"$ref": "#/$defs/" + schemagen.DefName(reflect.TypeFor[expertdb.DrawRequest]())},
		}})
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

func setProp(defs map[string]any, def, prop string, s map[string]any) {
	defs[def].(map[string]any)["properties"].(map[string]any)[prop] = s
}

func TestRequestSchemaIsCommitted(t *testing.T) {
	got := requestSchema()
	if *updateSchema {
		require.NoError(t, os.WriteFile(requestSchemaFile, got, 0o644))
		return
	}
	want, err := os.ReadFile(requestSchemaFile)
	require.NoError(t, err)
	require.True(t, bytes.Equal(want, got), "%s differs from the request types: run go test ./examples/expertctl -run TestRequestSchemaIsCommitted -update", requestSchemaFile)
}

func compileRequestSchema(t *testing.T) *jsonschema.Schema {
	b, err := os.ReadFile(requestSchemaFile)
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource(requestSchemaID, doc))
	s, err := c.Compile(requestSchemaID)
	require.NoError(t, err)
	return s
}

// helpExample is the request file shown by expertctl draw -h.
func helpExample() []byte {
	var out []string
	for _, l := range strings.Split(requestHelp, "\n") {
		if strings.HasPrefix(l, "  ") {
			out = append(out, l[2:])
		}
	}
	return []byte(strings.Join(out, "\n"))
}

// TestRequestExamplesMatchTheSchema: the example request file and the example of -h are
// valid for both expertctl and the schema, and so is the JSON the library writes for them.
func TestRequestExamplesMatchTheSchema(t *testing.T) {
	s := compileRequestSchema(t)
	example, err := os.ReadFile("request.example.yaml")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(example), "# yaml-language-server: $schema="+requestSchemaID+"\n"), "the example starts with the editor line")
	for name, src := range map[string][]byte{"request.example.yaml": example, "expertctl draw -h": helpExample()} {
		t.Run(name, func(t *testing.T) {
			req, err := parseRequest(src)
			require.NoError(t, err)
			require.NoError(t, s.Validate(yamlValue(t, src)))
			wire, err := json.Marshal(req)
			require.NoError(t, err)
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(wire))
			require.NoError(t, err)
			require.NoError(t, s.Validate(inst), string(wire))
			var back expertdb.DrawRequest
			require.NoError(t, json.Unmarshal(wire, &back))
		})
	}
}

// TestRequestSchemaRefusesWhatExpertctlRefuses: an unknown key or a wrong name fails both
// the tool and the schema, in the file and in the JSON form.
func TestRequestSchemaRefusesWhatExpertctlRefuses(t *testing.T) {
	s := compileRequestSchema(t)
	base := string(helpExample())
	for _, tc := range []struct{ name, old, new string }{
		{"unknown key", "size: 7", "size: 7\nsiez: 8"},
		{"unknown nested key", "filed_with: 局机关纪委", "filed_wiht: 局机关纪委"},
		{"wrong title", "title: senior", "title: professor"},
		{"wrong role", "role: main-leader", "role: mayor"},
		{"wrong duration", "window: 24h", "window: a day"},
		{"wrong date", "filed_at: 2026-03-06", "filed_at: 6 March"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Contains(t, base, tc.old)
			src := []byte(strings.Replace(base, tc.old, tc.new, 1))
			_, err := parseRequest(src)
			assert.Error(t, err, "expertctl refuses it")
			assert.Error(t, s.Validate(yamlValue(t, src)), "the schema refuses it")
		})
	}
	for _, tc := range []struct{ name, in string }{
		{"unknown key", `{"id":"R1","unit":"u","size":5,"at":"2026-03-02","sise":5}`},
		{"wrong unit kind", `{"id":"R1","unit":"u","size":5,"at":"2026-03-02","project":{"id":"P","leader":{"id":"L","name":"李","affiliation":{"org":"o","kind":"school"}}}}`},
		{"wrong date", `{"id":"R1","unit":"u","size":5,"at":"2026/03/02"}`},
		{"wrong role", `{"id":"R1","unit":"u","size":5,"at":"2026-03-02","invited":[{"expert":{"id":"X"},"reason":"r","approvals":[{"role":"mayor","by":"x","at":"2026-03-01"}]}]}`},
	} {
		t.Run("wire "+tc.name, func(t *testing.T) {
			inst, err := jsonschema.UnmarshalJSON(strings.NewReader(tc.in))
			require.NoError(t, err)
			assert.Error(t, s.Validate(inst))
		})
	}
	ok, err := jsonschema.UnmarshalJSON(strings.NewReader(`{"id":"R1","unit":"u","size":5,"at":"2026-03-02","window":"24h","entropy":{"sources":[[1,2,3]]}}`))
	require.NoError(t, err)
	assert.NoError(t, s.Validate(ok))
}

// yamlValue reads YAML as yaml-language-server does: scalars by their YAML type,
// timestamps as written.
func yamlValue(t *testing.T, src []byte) any {
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal(src, &doc))
	b, err := json.Marshal(nodeValue(doc.Content[0]))
	require.NoError(t, err)
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err)
	return v
}

func nodeValue(n *yaml.Node) any {
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = nodeValue(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		out := []any{}
		for _, c := range n.Content {
			out = append(out, nodeValue(c))
		}
		return out
	}
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		return n.Value == "true"
	case "!!int":
		if i, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
			return i
		}
	case "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return f
		}
	}
	return n.Value
}
