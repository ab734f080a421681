package inventory

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"
	"pgregory.net/rapid"
)

// valuePieces add to yamlPieces scalars that span lines, in every style,
// long words, the other line breaks and characters that start like them.
var valuePieces = append(append([]string(nil), yamlPieces...),
	"word word", "\n    more", "\n more words", `"long\n  text"`, `"x\n\ny"`, `'it''s'`, "'a\n b'", `"\L\P"`, `"\"q\\"`,
	"|\n    x\n     y\n", ">-\n  z\n\n  w\n", "|2\n   k\n", "key: ", "- ", "  ", "\n- ", "\n  - ", "abcdefghij", "#x",
	"\u2028", "\u0085", "\u2029 ", "—", "°", "\r")

// offsetOf returns the byte offset of a 1-based line and column (counted
// in characters) of doc.
func offsetOf(doc []byte, line, col int) int {
	i := 0
	for l := 1; l < line && i < len(doc); l++ {
		_, i = lineEnd(doc, i)
	}
	for c := 1; c < col && i < len(doc); c++ {
		_, w := utf8.DecodeRune(doc[i:])
		i += w
	}
	return i
}

// skipProperties returns where the scalar whose node starts at i starts:
// after its tag and anchor, and the blanks, line breaks and comments after
// them (the library places a node at its first property).
func skipProperties(doc []byte, i int) int {
	for i < len(doc) && (doc[i] == '!' || doc[i] == '&') {
		for i < len(doc) && !isBlankByte(doc[i]) {
			i++
		}
		for i < len(doc) {
			if end, next := lineEnd(doc, i); end == i {
				i = next // a line break
			} else if doc[i] == '#' {
				i = end
			} else if isBlankByte(doc[i]) {
				i++
			} else {
				break
			}
		}
	}
	return i
}

// checkValueBound parses data document by document and fails when a
// scalar is not covered by a span yamlValues reports: one starting at or
// before it and running at least two thirds of the scalar's length past
// its start (a value decodes to at most 1.5 times its bytes in the file).
// Inputs the library refuses say nothing: it builds no tree of them.
func checkValueBound(t interface{ Fatalf(string, ...any) }, data []byte) {
	type span struct{ start, end int }
	var spans []span
	for start := 0; ; {
		end, next := docEnd(data, start)
		yamlValues(data[start:end], func(s, n int) { spans = append(spans, span{start + s, start + s + n}) })
		if next < 0 {
			break
		}
		start = next
	}
	var check func(n *yaml.Node)
	check = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode && n.Value != "" {
			off := skipProperties(data, offsetOf(data, n.Line, n.Column))
			need := off + (2*len(n.Value)+2)/3
			ok := false
			for _, s := range spans {
				if s.start <= off && s.end >= need {
					ok = true
					break
				}
			}
			if !ok {
				t.Fatalf("the scalar %q at line %d, column %d of %q is longer than every span yamlValues reports from before it: %v",
					n.Value, n.Line, n.Column, data, spans)
			}
		}
		for _, k := range n.Content {
			check(k)
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var root yaml.Node
		if err := dec.Decode(&root); err != nil {
			if err != io.EOF {
				return
			}
			return
		}
		check(&root)
	}
}

// TestYAMLValueBound holds yamlValues to the parser, on random documents
// made of every indicator and scalars of every style, and on every example
// inventory and policy; and checks that no example comes near the limit.
func TestYAMLValueBound(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		parts := rapid.SliceOfN(rapid.SampledFrom(valuePieces), 0, 40).Draw(t, "pieces")
		checkValueBound(t, []byte(strings.Join(parts, "")))
	})
	eachYAMLFile(t, "testdata/*/*.yaml", func(name string, data []byte) {
		checkValueBound(t, data)
		longest := 0
		yamlValues(data, func(_, n int) { longest = max(longest, n) })
		if longest > 64<<10 {
			t.Errorf("%s: yamlValues gives a value of %d bytes; want a bound near the truth, under 64 KiB", name, longest)
		}
	})
}

// TestGeneratedValues: every document of the large generated estate is
// well under the value limit, in YAML and in JSON.
func TestGeneratedValues(t *testing.T) {
	if testing.Short() {
		t.Skip("generates the large estate")
	}
	for _, format := range []string{"yaml", "json"} {
		var b bytes.Buffer
		if err := Generate(&b, GenSizes["large"], format); err != nil {
			t.Fatal(err)
		}
		name := "large." + format
		if d := yamlTooBig(name, b.Bytes()); format == "yaml" && d != nil {
			t.Errorf("%s: %v; want no refusal", name, d)
		}
		if _, err := parseJSON(b.Bytes()); format == "json" && err != nil {
			t.Errorf("%s: %v; want no refusal", name, err)
		}
	}
}
