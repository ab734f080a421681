package inventory

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
	"pgregory.net/rapid"
)

// yamlPieces are what random documents are made of: every indicator, a
// scalar, blanks, line breaks, comments and document markers.
var yamlPieces = []string{"a", "bc", " ", " ", "\n", "\n", "\n  ", "- ", "-", "? ", "?", ": ", ":", ",", "[", "]", "{", "}",
	"&x ", "*x", "!t ", "!!str ", `"q"`, `'q'`, "|\n  t\n", ">\n  t\n", "# c\n", "---\n", "--- ", "...\n", "\r\n", "\t"}

// checkNodeBound parses data document by document and fails when a
// document holds more nodes than yamlNodeBound gives for the stretch of
// data, between document markers, that holds it. Inputs the library
// refuses say nothing: it builds no tree of them.
func checkNodeBound(t interface{ Fatalf(string, ...any) }, data []byte) {
	type stretch struct{ line, bound int }
	var stretches []stretch
	for start, line := 0, 1; ; {
		end, next := docEnd(data, start)
		b, lines := yamlNodeBound(data[start:end])
		stretches = append(stretches, stretch{line, b})
		if next < 0 {
			break
		}
		start, line = next, line+lines
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var root yaml.Node
		err := dec.Decode(&root)
		if err == io.EOF {
			return
		}
		if err != nil {
			return
		}
		line := root.Line
		if len(root.Content) > 0 {
			line = root.Content[0].Line
		}
		i := 0
		for i+1 < len(stretches) && stretches[i+1].line <= line {
			i++
		}
		if n := countAll(&root); n > stretches[i].bound {
			t.Fatalf("the document at line %d of %q holds %d nodes; yamlNodeBound gives at most %d", line, data, n, stretches[i].bound)
		}
	}
}

// countAll counts the nodes of a tree, aliases as one node each.
func countAll(n *yaml.Node) int {
	c := 1
	for _, k := range n.Content {
		c += countAll(k)
	}
	return c
}

// TestYAMLNodeBound holds yamlNodeBound to the parser: on random documents
// made of every indicator, and on every example inventory and policy.
func TestYAMLNodeBound(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		parts := rapid.SliceOfN(rapid.SampledFrom(yamlPieces), 0, 40).Draw(t, "pieces")
		checkNodeBound(t, []byte(strings.Join(parts, "")))
	})
	eachYAMLFile(t, "testdata/*.yaml", func(_ string, data []byte) { checkNodeBound(t, data) })
}

// eachYAMLFile calls fn with the name and contents of every example
// (../examples/*.yaml) and of the files matching more.
func eachYAMLFile(t *testing.T, more string, fn func(name string, data []byte)) {
	t.Helper()
	files, _ := filepath.Glob("../examples/*.yaml")
	others, _ := filepath.Glob(more)
	for _, name := range append(files, others...) {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		fn(name, data)
	}
}
