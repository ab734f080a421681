package inventory

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
	"pgregory.net/rapid"
)

func TestParseJSONErrors(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"missing comma", "{\"a\": 1\n \"b\": 2}", "line 2, column 2: unexpected character '\"' in an object, expecting ',' or '}' (a missing comma?)"},
		{"trailing comma", "[1, 2,]", "line 1, column 7: unexpected character ']', expecting a value"},
		{"unquoted key", "{a: 1}", "line 1, column 2: unexpected character 'a', expecting a quoted key"},
		{"truncated", "{\"a\": [1, 2", "line 1, column 12: unexpected end of file in a list, expecting ',' or ']'"},
		{"bad escape", `{"a": "x\q"}`, `line 1, column 10: unknown escape \q`},
		{"control char", "[\"a\tb\"]", `line 1, column 4: control character '\t' in a string; escape it`},
		{"leading zero", "[012]", "line 1, column 5: bad number: leading zero"},
		{"garbage after", "{} x", "line 1, column 4: unexpected character 'x' after the top-level value"},
		{"korean column", "{\"이름\": 1 2}", "line 1, column 10: unexpected character '2' in an object, expecting ',' or '}' (a missing comma?)"},
		{"too deep", strings.Repeat("[", maxJSONDepth+2), fmt.Sprintf("line 1, column %d: nesting deeper than %d levels", maxJSONDepth+2, maxJSONDepth)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseJSON([]byte(tc.doc))
			if err == nil || err.Error() != tc.want {
				t.Errorf("parseJSON(%q) error = %v; want %q", tc.doc, err, tc.want)
			}
		})
	}
}

// sameTree compares the JSON parser's tree with the YAML parser's on the
// same document: kinds, tags, values and positions.
func sameTree(t *rapid.T, got, want *yaml.Node, path string) {
	if got.Kind != want.Kind || got.Value != want.Value || got.Line != want.Line || got.Column != want.Column || len(got.Content) != len(want.Content) {
		t.Fatalf("%s: JSON parser node {kind %v value %q at %d:%d, %d children}; YAML parser {kind %v value %q at %d:%d, %d children}",
			path, got.Kind, got.Value, got.Line, got.Column, len(got.Content), want.Kind, want.Value, want.Line, want.Column, len(want.Content))
	}
	if got.Kind == yaml.ScalarNode && got.ShortTag() != want.ShortTag() {
		t.Fatalf("%s: tag %s; YAML parser %s", path, got.ShortTag(), want.ShortTag())
	}
	for i := range got.Content {
		sameTree(t, got.Content[i], want.Content[i], fmt.Sprintf("%s/%d", path, i))
	}
}

// TestParseJSONMatchesYAML draws random JSON values, writes them indented
// as encoding/json does, and expects the same tree and positions as the
// YAML parser gives (JSON is YAML, slowly).
func TestParseJSONMatchesYAML(t *testing.T) {
	var value func(depth int) *rapid.Generator[any]
	value = func(depth int) *rapid.Generator[any] {
		return rapid.Custom(func(t *rapid.T) any {
			kind := rapid.IntRange(0, 6).Draw(t, "kind")
			if depth > 3 && kind >= 5 {
				kind = 0
			}
			switch kind {
			case 0:
				return rapid.StringMatching(`[a-z가-힣 "\\/<>]{0,8}`).Draw(t, "s")
			case 1:
				return rapid.IntRange(-1_000_000, 1_000_000).Draw(t, "i")
			case 2:
				return rapid.Float64Range(-1e6, 1e6).Draw(t, "f") + 0.5
			case 3:
				return rapid.Bool().Draw(t, "b")
			case 4:
				return nil
			case 5:
				return rapid.SliceOfN(value(depth+1), 0, 4).Draw(t, "list")
			default:
				return rapid.MapOfN(rapid.StringMatching(`[a-z]{1,6}`), value(depth+1), 0, 4).Draw(t, "map")
			}
		})
	}
	rapid.Check(t, func(t *rapid.T) {
		v := rapid.MapOfN(rapid.StringMatching(`[a-z]{1,6}`), value(1), 0, 5).Draw(t, "doc")
		data, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got, err := parseJSON(data)
		if err != nil {
			t.Fatalf("parseJSON(%s): %v", data, err)
		}
		var want yaml.Node
		if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&want); err != nil {
			t.Fatalf("YAML parser on %s: %v", data, err)
		}
		sameTree(t, got.Content[0], want.Content[0], "")
	})
}

// TestParseJSONRejectsWhatEncodingJSONRejects cross-checks validity with
// encoding/json on random mutations of a valid document.
func TestParseJSONRejectsWhatEncodingJSONRejects(t *testing.T) {
	base := []byte(`{"a": [1, -2.5e3, "x\u00e9\n", true, null], "b": {"c": {}}, "d": []}`)
	rapid.Check(t, func(t *rapid.T) {
		doc := bytes.Clone(base)
		for range rapid.IntRange(1, 3).Draw(t, "edits") {
			i := rapid.IntRange(0, len(doc)-1).Draw(t, "at")
			switch rapid.IntRange(0, 2).Draw(t, "op") {
			case 0:
				doc = append(doc[:i], doc[i+1:]...)
			case 1:
				c := rapid.SampledFrom([]byte(`{}[],:"\ 0-e.atn`)).Draw(t, "byte")
				doc = append(doc[:i], append([]byte{c}, doc[i:]...)...)
			default:
				doc[i] = rapid.SampledFrom([]byte(`{}[],:"\ 0-e.atn`)).Draw(t, "byte")
			}
			if len(doc) == 0 {
				return
			}
		}
		_, err := parseJSON(doc)
		if (err == nil) != json.Valid(doc) {
			t.Fatalf("parseJSON(%q) error = %v; encoding/json says valid = %v", doc, err, json.Valid(doc))
		}
	})
}

// TestJSONStreamingMatchesYAML loads the same generated estate written as
// YAML and as JSON (whose lists are decoded while streaming) and expects
// the same inventory, field by field.
func TestJSONStreamingMatchesYAML(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		spec := GenSizes["small"]
		spec.Seed = seed
		var y, j bytes.Buffer
		if err := Generate(&y, spec, "yaml"); err != nil {
			t.Fatal(err)
		}
		if err := Generate(&j, spec, "json"); err != nil {
			t.Fatal(err)
		}
		fromYAML, _, err := LoadFiles([]File{{Name: "x.yaml", Data: y.Bytes()}})
		if err != nil {
			t.Fatal(err)
		}
		fromJSON, _, err := LoadFiles([]File{{Name: "x.json", Data: j.Bytes()}})
		if err != nil {
			t.Fatal(err)
		}
		fromYAML.Files, fromJSON.Files = nil, nil
		a, _ := json.Marshal(fromYAML)
		b, _ := json.Marshal(fromJSON)
		if !bytes.Equal(a, b) {
			t.Errorf("seed %d: the JSON inventory differs from the YAML one", seed)
		}
		if len(fromJSON.Services) != spec.Services || len(fromJSON.Features) != spec.Features {
			t.Errorf("seed %d: JSON gave %d services, %d features; want %d, %d", seed, len(fromJSON.Services), len(fromJSON.Features), spec.Services, spec.Features)
		}
	}
}
