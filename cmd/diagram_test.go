package cmd

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDiagramFlags(t *testing.T) {
	for _, tc := range []struct {
		name       string
		args       []string
		wantErr    string
		wantFormat string
	}{
		{"svg from extension", []string{"-f", "a.yaml", "-o", "x.svg"}, "", "svg"},
		{"dot from extension", []string{"-f", "a.yaml", "-o", "x.dot", "--fail", "pangyo", "--focus", "talk-send", "--level", "rack"}, "", "dot"},
		{"stdout is dot", []string{"-f", "a.yaml"}, "", "dot"},
		{"explicit format", []string{"-f", "a.yaml", "-o", "x.txt", "--format", "svg"}, "", "svg"},
		{"png refused", []string{"-f", "a.yaml", "-o", "x.png"}, "PNG is not offered", ""},
		{"unknown extension", []string{"-f", "a.yaml", "-o", "x.pdf"}, ".svg or .dot", ""},
		{"bad level", []string{"-f", "a.yaml", "--level", "room"}, `--level "room"`, ""},
		{"bad format", []string{"-f", "a.yaml", "--format", "png"}, `--format "png"`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got *DiagramOptions
			c := NewCmdDiagram(&IO{}, func(o *DiagramOptions) error { got = o; return nil })
			c.SetArgs(tc.args)
			c.SetOut(&bytes.Buffer{})
			c.SetErr(&bytes.Buffer{})
			err := c.Execute()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("diagram %v: error = %v; want one containing %q", tc.args, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("diagram %v: %v", tc.args, err)
			}
			if got.Format != tc.wantFormat {
				t.Errorf("diagram %v: format = %q; want %q", tc.args, got.Format, tc.wantFormat)
			}
		})
	}
}

func TestDiagramRunDOT(t *testing.T) {
	stdout, stderr, code := run(t, "", "diagram", "-f", "../examples/kakao-2022.yaml", "--fail", "pangyo", "--focus", "talk-send")
	if code != ExitOK {
		t.Fatalf("diagram: exit %d, stderr %s", code, stderr)
	}
	if !strings.HasPrefix(stdout, "digraph blast {") || !strings.Contains(stdout, `failover BLOCKED`) {
		t.Errorf("diagram DOT lacks the graph or the blocked failover:\n%s", stdout)
	}
	_, stderr, code = run(t, "", "diagram", "-f", "../examples/kakao-2022.yaml", "--focus", "nope")
	if code != ExitInput || !strings.Contains(stderr, `--focus "nope"`) {
		t.Errorf("diagram --focus nope: exit %d, stderr %q; want 2 and the flag named", code, stderr)
	}
	_, stderr, code = run(t, "", "diagram", "-f", "../examples/kakao-2022.yaml", "--diagram-max-nodes", "5")
	if code != ExitInput || !strings.Contains(stderr, "narrow it with --focus") {
		t.Errorf("diagram --diagram-max-nodes 5: exit %d, stderr %q; want a refusal", code, stderr)
	}
}

// TestDiagramSVGBinary builds blast and draws an SVG through it: the child
// process that loads Graphviz, the atomic write, the refusal to overwrite
// an input, and that commands that draw nothing do not load Graphviz.
func TestDiagramSVGBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the blast binary")
	}
	dir := t.TempDir()
	exe := filepath.Join(dir, "blast")
	if out, err := exec.Command("go", "build", "-o", exe, "./blast").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	svg := filepath.Join(dir, "pangyo.svg")
	cmd := exec.Command(exe, "diagram", "-f", "../examples/kakao-2022.yaml", "--fail", "pangyo", "-o", svg)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("blast diagram: %v\n%s", err, out)
	}
	data, err := os.ReadFile(svg)
	if err != nil || !bytes.Contains(data, []byte("<svg")) || !bytes.Contains(data, []byte("KakaoTalk")) {
		t.Fatalf("pangyo.svg: %v, %d bytes; want an SVG naming KakaoTalk", err, len(data))
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
	in := filepath.Join(dir, "in.yaml")
	small, _ := os.ReadFile("testdata/small.yaml")
	os.WriteFile(in, small, 0o644)
	out, err := exec.Command(exe, "diagram", "-f", in, "-o", in, "--format", "dot").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "is also an input file") {
		t.Errorf("diagram -o INPUT: %v, %s; want a refusal", err, out)
	}
	if after, _ := os.ReadFile(in); !bytes.Equal(after, small) {
		t.Errorf("diagram -o INPUT changed the input")
	}
	// render-svg refuses to run without Graphviz loaded: the flag that
	// loads it is not set in ordinary runs.
	c := exec.Command(exe, "render-svg")
	c.Stdin = strings.NewReader("digraph{}")
	if out, err := c.CombinedOutput(); err == nil || !strings.Contains(string(out), "BLAST_GRAPHVIZ") {
		t.Errorf("render-svg without BLAST_GRAPHVIZ: %v, %s; want an error", err, out)
	}
}

// svgSkeleton reads what an SVG draws, in document order: each group's id
// and class, and each text; coordinates are left out, so that it compares
// what is drawn rather than where Graphviz put it.
func svgSkeleton(t *testing.T, svg []byte) []string {
	t.Helper()
	var out []string
	d := xml.NewDecoder(bytes.NewReader(svg))
	d.Strict = false
	inText := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the SVG does not parse: %v", err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			inText = x.Name.Local == "text"
			if x.Name.Local == "g" {
				var id, class string
				for _, a := range x.Attr {
					switch a.Name.Local {
					case "id":
						id = a.Value
					case "class":
						class = a.Value
					}
				}
				out = append(out, "g "+id+" "+class)
			}
		case xml.CharData:
			if inText {
				out = append(out, "text "+string(x))
			}
		case xml.EndElement:
			inText = false
		}
	}
	return out
}

// TestDiagramDocs draws the diagram README.md shows with the command it
// gives and compares it with the committed docs/kakao-pangyo.svg: the same
// nodes, clusters, edges, classes and labels (not the same coordinates);
// -update rewrites it.
func TestDiagramDocs(t *testing.T) {
	t.Chdir("..")
	const doc = "docs/kakao-pangyo.svg"
	const cmdline = "blast diagram -f examples/kakao-2022.yaml --fail pangyo --level rack -o " + doc
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	got, want, ok := regenerateDoc(t, readme, cmdline, doc)
	if !ok {
		return
	}
	if g, w := svgSkeleton(t, got), svgSkeleton(t, want); !slices.Equal(g, w) {
		t.Errorf("%s is stale: %s draws something else now (go test ./cmd -run TestDiagramDocs -update rewrites it)", doc, cmdline)
	}
}
