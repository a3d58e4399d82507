package expertdb_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

var updateSchemas = flag.Bool("update", false, "rewrite the committed JSON Schemas in schema/ from the declarations")

// checkCommitted compares a generated file with its committed copy, or rewrites the copy
// with -update.
func checkCommitted(t *testing.T, path string, generated []byte) {
	t.Helper()
	if *updateSchemas {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, generated, 0o644))
		return
	}
	committed, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -run %s -update . to write it", t.Name())
	require.True(t, bytes.Equal(committed, generated),
		"%s differs from what the declaration generates: run go test -run %s -update . and commit the result", path, t.Name())
}

// compileSchema compiles a JSON Schema document under its $id.
func compileSchema(t testing.TB, doc []byte) *jsonschema.Schema {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	require.NoError(t, err)
	id, _ := v.(map[string]any)["$id"].(string)
	require.NotEmpty(t, id)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource(id, v))
	s, err := c.Compile(id)
	require.NoError(t, err)
	return s
}

// instance turns a Go value (maps, slices, strings, numbers, booleans) into a JSON Schema
// instance, through JSON as an editor would see it.
func instance(t require.TestingT, v any) any {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err)
	return inst
}

// yamlInstance reads a YAML document as yaml-language-server does for validation: scalars
// by their resolved YAML type, dates and other timestamps as the text written.
func yamlInstance(t testing.TB, src []byte) any {
	t.Helper()
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal(src, &doc))
	require.Equal(t, yaml.DocumentNode, doc.Kind)
	return instance(t, nodeValue(t, doc.Content[0]))
}

func nodeValue(t testing.TB, n *yaml.Node) any {
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = nodeValue(t, n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		out := []any{}
		for _, c := range n.Content {
			out = append(out, nodeValue(t, c))
		}
		return out
	case yaml.AliasNode:
		return nodeValue(t, n.Alias)
	}
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		require.NoError(t, n.Decode(&b))
		return b
	case "!!int":
		i, err := strconv.ParseInt(n.Value, 0, 64)
		if err != nil {
			return json.Number(n.Value)
		}
		return i
	case "!!float":
		var f float64
		require.NoError(t, n.Decode(&f))
		return f
	}
	return n.Value
}
