// Package schemagen derives JSON Schemas (draft 2020-12) from Go types, reading their json or
// yaml struct tags, so that a schema committed for integrators is generated from the very
// types the library and its tools decode (schema/draw-request.schema.json). Named struct
// types become $defs entries ("selection.Request"); types with a text form of their own
// (time.Time, enums, durations) take the schema given in Options.Types.
package schemagen

import (
	"reflect"
	"strings"
)

// Options control a generation.
type Options struct {
	// Tag is the struct tag that names the keys: "json" or "yaml". A field without one is
	// named as encoding/json names it (the field name) or as yaml.v3 does (lower case).
	Tag string
	// Types fixes the schema of types with their own text form.
	Types map[reflect.Type]map[string]any
	// Required lists, per struct type, the keys an instance must have.
	Required map[reflect.Type][]string
	// Titles gives, per struct type, a title and description.
	Titles map[reflect.Type][2]string
	// Open lets the listed struct types have keys that are not declared (their decoder
	// ignores them); every other object refuses unknown keys.
	Open map[reflect.Type]bool
}

// Generator accumulates the $defs of the named types it meets.
type Generator struct {
	o    Options
	Defs map[string]any
}

// New returns a generator.
func New(o Options) *Generator { return &Generator{o: o, Defs: map[string]any{}} }

// DefName is the $defs key of a named type: "selection.Request", "main.yamlRequest".
func DefName(t reflect.Type) string {
	pkg := t.PkgPath()
	return pkg[strings.LastIndexByte(pkg, '/')+1:] + "." + t.Name()
}

// Schema returns the schema of t: a $ref for a named struct type (its definition added to
// Defs), or the schema itself.
func (g *Generator) Schema(t reflect.Type) map[string]any {
	if s, ok := g.o.Types[t]; ok {
		return s
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.Schema(t.Elem())
	case reflect.Struct:
		if t.Name() == "" {
			return g.object(t)
		}
		name := DefName(t)
		if _, ok := g.Defs[name]; !ok {
			g.Defs[name] = map[string]any{} // a placeholder, for recursive types
			g.Defs[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/$defs/" + name}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": []string{"array", "null"}, "items": g.Schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": []string{"object", "null"}, "additionalProperties": g.Schema(t.Elem())}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer", "minimum": 0}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	}
	return map[string]any{}
}

// object returns the schema of a struct type.
func (g *Generator) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	g.fields(t, props)
	s := map[string]any{"type": "object", "properties": props}
	if !g.o.Open[t] {
		s["additionalProperties"] = false
	}
	if req := g.o.Required[t]; len(req) > 0 {
		s["required"] = req
	}
	if tt, ok := g.o.Titles[t]; ok {
		s["title"], s["description"] = tt[0], tt[1]
	}
	return s
}

// fields adds the keys of t's fields to props, flattening embedded structs (encoding/json)
// and inline fields (yaml).
func (g *Generator) fields(t reflect.Type, props map[string]any) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, hasTag := f.Tag.Lookup(g.o.Tag)
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" && opts == "" {
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		inline := g.o.Tag == "yaml" && strings.Contains(","+opts+",", ",inline,") ||
			g.o.Tag == "json" && f.Anonymous && name == "" && ft.Kind() == reflect.Struct
		if inline {
			if _, fixed := g.o.Types[ft]; !fixed {
				g.fields(ft, props)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" || !hasTag {
			name = f.Name
			if g.o.Tag == "yaml" {
				name = strings.ToLower(name)
			}
		}
		if _, dup := props[name]; dup {
			continue // a shallower field of the same name wins, as in encoding/json
		}
		props[name] = g.Schema(f.Type)
	}
}

// Document returns a complete schema document: root (usually a $ref or a combination) with
// the $schema, $id, title and description given and every definition met.
func (g *Generator) Document(id, title, description string, root map[string]any) map[string]any {
	doc := map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         id,
		"title":       title,
		"description": description,
		"$defs":       g.Defs,
	}
	for k, v := range root {
		doc[k] = v
	}
	return doc
}
