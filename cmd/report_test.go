package cmd

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/blast-dev/blast/internal/golden"
)

func TestReportFlags(t *testing.T) {
	for _, tc := range []struct {
		name       string
		args       []string
		wantErr    string
		wantFormat string
	}{
		{"html from extension", []string{"-f", "a.yaml", "-o", "r.html"}, "", "html"},
		{"md from extension", []string{"-f", "a.yaml", "-o", "r.md", "--fail", "pangyo", "--policy", "p.yaml", "--now", "2022-10-15T15:30:00Z"}, "", "md"},
		{"explicit format to stdout", []string{"-f", "a.yaml", "-o", "-", "--format", "md"}, "", "md"},
		{"no output", []string{"-f", "a.yaml", "--format", "md"}, "give the report's file with -o", ""},
		{"unknown extension", []string{"-f", "a.yaml", "-o", "r.pdf"}, "give --format md or html", ""},
		{"bad format", []string{"-f", "a.yaml", "-o", "r.html", "--format", "pdf"}, `--format "pdf"`, ""},
		{"bad now", []string{"-f", "a.yaml", "-o", "r.md", "--now", "yesterday"}, `--now "yesterday"`, ""},
		{"bad render timeout", []string{"-f", "a.yaml", "-o", "r.html", "--render-timeout", "0s"}, "--render-timeout 0s", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got *ReportOptions
			c := NewCmdReport(&IO{}, func(o *ReportOptions) error { got = o; return nil })
			c.SetArgs(tc.args)
			c.SetOut(&bytes.Buffer{})
			c.SetErr(&bytes.Buffer{})
			err := c.Execute()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("report %v: error = %v; want one containing %q", tc.args, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("report %v: %v", tc.args, err)
			}
			if got.Format != tc.wantFormat {
				t.Errorf("report %v: format = %q; want %q", tc.args, got.Format, tc.wantFormat)
			}
		})
	}
}

var svgElement = regexp.MustCompile(`(?s)<svg .*?</svg>`)

// maskSVG replaces the inline SVG, whose bytes depend on Graphviz's
// layout, with a marker; checkSVG checks what it holds instead.
func maskSVG(html []byte) []byte {
	return svgElement.ReplaceAll(html, []byte("<svg><!-- diagram: checked apart --></svg>"))
}

// checkSVG parses the report's inline SVG and checks it draws the node
// and cluster the explorer colours.
func checkSVG(t *testing.T, html []byte, ids ...string) {
	t.Helper()
	svg := svgElement.Find(html)
	if svg == nil {
		t.Fatal("the report has no inline SVG")
	}
	found := map[string]bool{}
	d := xml.NewDecoder(bytes.NewReader(svg))
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "g" {
			for _, a := range se.Attr {
				if a.Name.Local == "id" {
					found[a.Value] = true
				}
			}
		}
	}
	for _, id := range ids {
		if !found[id] {
			t.Errorf("the report's SVG has no <g id=%q>", id)
		}
	}
}

// TestReportGolden writes the Kakao Pangyo report in both formats with a
// fixed time: the same input gives the same bytes.
func TestReportGolden(t *testing.T) {
	for _, format := range []string{"md", "html"} {
		t.Run(format, func(t *testing.T) {
			args := []string{"report", "-f", "../examples/kakao-2022.yaml", "--fail", "pangyo", "--format", format, "-o", "-", "--now", "2022-10-15T15:30:00Z"}
			stdout, stderr, code := run(t, "", args...)
			if code != ExitOK {
				t.Fatalf("blast %v: exit %d, stderr %s", args, code, stderr)
			}
			got := []byte(stdout)
			if format == "html" {
				checkSVG(t, got, "cluster_n51", "n95", "n60")
				got = maskSVG(got)
			}
			golden.Check(t, "report/kakao-pangyo."+format, got)
			again, _, _ := run(t, "", args...)
			if format == "html" {
				again = string(maskSVG([]byte(again)))
			}
			if again != string(got) {
				t.Errorf("blast %v: two runs differ", args)
			}
		})
	}
}

// TestReportHostileNames checks that no inventory text reaches the
// Markdown or the HTML as markup.
func TestReportHostileNames(t *testing.T) {
	md, stderr, code := run(t, "", "report", "-f", "testdata/report/hostile.yaml", "--fail", "<script>alert(1)</script>", "--format", "md", "-o", "-", "--now", "2022-10-15T15:30:00Z")
	if code != ExitOK {
		t.Fatalf("report md: exit %d, stderr %s", code, stderr)
	}
	golden.Check(t, "report/hostile.md", []byte(md))
	// Outside code spans, every < and [ of inventory text is escaped.
	prose := regexp.MustCompile("(?s)```mermaid.*?```").ReplaceAllString(md, "")
	prose = regexp.MustCompile("`[^`\n]*`").ReplaceAllString(prose, "")
	if !strings.Contains(md, `\*\*bold\*\* \[link\](javascript:x)`) {
		t.Errorf("Markdown does not escape the emphasis and link of the inventory's name")
	}
	for _, c := range []string{"<", "[", "|"} {
		for i := strings.Index(prose, c); i >= 0; i = next(prose, c, i) {
			if i == 0 || prose[i-1] != '\\' {
				if c == "|" && (i == 0 || prose[i-1] == ' ' || prose[i-1] == '\n') {
					continue // a table's own cell separator
				}
				t.Errorf("Markdown has an unescaped %q: ...%s...", c, prose[max(0, i-30):min(len(prose), i+30)])
			}
		}
	}
	for _, chart := range regexp.MustCompile("(?s)```mermaid\n(.*?)```").FindAllStringSubmatch(md, -1) {
		for _, line := range strings.Split(chart[1], "\n") {
			if strings.Contains(line, "[") && strings.Count(line, `"`) != 2 {
				t.Errorf("Mermaid node line breaks its quotes: %s", line)
			}
			if strings.Contains(line, "[") && strings.ContainsAny(line, "<>") {
				t.Errorf("Mermaid line holds markup: %s", line)
			}
		}
	}

	html, stderr, code := run(t, "", "report", "-f", "testdata/report/hostile.yaml", "--fail", "<script>alert(1)</script>", "--format", "html", "-o", "-", "--now", "2022-10-15T15:30:00Z", "--diagram=false")
	if code != ExitOK {
		t.Fatalf("report html: exit %d, stderr %s", code, stderr)
	}
	golden.Check(t, "report/hostile.html", []byte(html))
	for _, bad := range []string{"<img", "<iframe", "<svg onload", "<!--end", "</title><script"} {
		if strings.Contains(html, bad) {
			t.Errorf("HTML report holds %q from the inventory", bad)
		}
	}
	if n := strings.Count(html, "<script"); n != 2 {
		t.Errorf("HTML report has %d <script elements; want 2 (the model's JSON and the page's script)", n)
	}
	if n := strings.Count(html, "</script"); n != 2 {
		t.Errorf("HTML report has %d </script; want 2", n)
	}
	model := regexp.MustCompile(`(?s)<script type="application/json" id="blast-model">(.*?)</script>`).FindStringSubmatch(html)
	if model == nil {
		t.Fatal("HTML report has no model")
	}
	if strings.ContainsAny(model[1], "<>&\u2028\u2029") {
		t.Errorf("the model's JSON holds a raw <, >, &, U+2028 or U+2029")
	}
	if !strings.Contains(model[1], `\u003cscript\u003ealert(1)\u003c/script\u003e`) || !strings.Contains(model[1], `\u2028\u2029`) {
		t.Errorf("the model's JSON lacks the escaped hostile id or line separators")
	}
}

func next(s, c string, i int) int {
	j := strings.Index(s[i+1:], c)
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// TestReportWrite checks the file written: atomic, never over an input,
// and a report without its diagram when asked.
func TestReportWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.md")
	_, stderr, code := run(t, "", "report", "-f", "testdata/small.yaml", "-o", path, "--now", "2022-10-15T15:30:00Z")
	if code != ExitOK {
		t.Fatalf("report -o r.md: exit %d, %s", code, stderr)
	}
	data, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(data, []byte("# Blast report: t\n")) {
		t.Errorf("r.md = %q, %v; want the report", data, err)
	}
	in := filepath.Join(dir, "in.yaml")
	small, _ := os.ReadFile("testdata/small.yaml")
	os.WriteFile(in, small, 0o644)
	_, stderr, code = run(t, "", "report", "-f", in, "-o", in, "--format", "md")
	if code != ExitInput || !strings.Contains(stderr, "is also an input file") {
		t.Errorf("report -o INPUT: exit %d, %q; want a refusal", code, stderr)
	}
	_, stderr, code = run(t, "", "report", "-f", "testdata/small.yaml", "-o", filepath.Join(dir, "r.html"), "--fail", "nope")
	if code != ExitInput || !strings.Contains(stderr, `"nope"`) {
		t.Errorf("report --fail nope: exit %d, %q; want 2 naming it", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "r.html")); err == nil {
		t.Errorf("a failed report left a file behind")
	}
}

// regenerateDoc runs cmdline, whose last argument is the committed file
// doc, writing to a temporary file instead, after checking that README.md
// gives the command and links doc. It returns what the command writes now
// and what doc holds; with -update it rewrites doc and returns ok false.
func regenerateDoc(t *testing.T, readme []byte, cmdline, doc string) (got, want []byte, ok bool) {
	t.Helper()
	if !bytes.Contains(readme, []byte(cmdline)) || !bytes.Contains(readme, []byte("("+doc+")")) {
		t.Errorf("README.md does not give %q and link %s", cmdline, doc)
	}
	tmp := filepath.Join(t.TempDir(), filepath.Base(doc))
	args := strings.Fields(strings.TrimPrefix(cmdline, "blast "))
	args[len(args)-1] = tmp
	var o, e bytes.Buffer
	if code := Main(args, &IO{In: strings.NewReader(""), Out: &o, ErrOut: &e}); code != ExitOK {
		t.Fatalf("%s: exit %d: %s", cmdline, code, e.String())
	}
	got, err := os.ReadFile(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if golden.Update() {
		if err := os.WriteFile(doc, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return nil, nil, false
	}
	want, err = os.ReadFile(doc)
	if err != nil {
		t.Fatalf("%s: %v (go test ./cmd -update writes it)", doc, err)
	}
	return got, want, true
}

// TestReportDocs regenerates the example reports that README.md links,
// with the commands the README gives, and compares them with the committed
// files (the inline SVG parsed, not compared); -update rewrites them.
func TestReportDocs(t *testing.T) {
	t.Chdir("..")
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{"docs/kakao-report.md", "docs/kakao-report.html"} {
		format := strings.TrimPrefix(filepath.Ext(doc), ".")
		cmdline := "blast report -f examples/kakao-2022.yaml --fail pangyo --format " + format + " --now 2022-10-15T15:30:00Z -o " + doc
		got, want, ok := regenerateDoc(t, readme, cmdline, doc)
		if !ok {
			continue
		}
		if format == "html" {
			checkSVG(t, want, "cluster_n51", "n95")
			got, want = maskSVG(got), maskSVG(want)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: %s writes something else now (go test ./cmd -run TestReportDocs -update rewrites it)", doc, cmdline)
		}
	}
}

// TestGlobalFlagsKeepTheirMeaning checks that diagram and report do not
// hide the global --timeout and --max-nodes behind flags of their own:
// --timeout stops the run (0: no limit) and --max-nodes bounds a YAML
// document, as for every command.
func TestGlobalFlagsKeepTheirMeaning(t *testing.T) {
	dir := t.TempDir()
	medium := filepath.Join(dir, "medium.yaml")
	if _, stderr, code := run(t, "", "gen", "--size", "medium", "-o", medium); code != ExitOK {
		t.Fatalf("gen --size medium: exit %d, %s", code, stderr)
	}
	html := filepath.Join(dir, "r.html")
	_, stderr, code := run(t, "", "report", "-f", medium, "--timeout", "1ms", "-o", html)
	if code != ExitInput || !strings.Contains(stderr, "timed out after 1ms; raise --timeout") {
		t.Errorf("report --timeout 1ms on the medium estate: exit %d, %q; want 2 and the timeout named", code, stderr)
	}
	if _, err := os.Stat(html); err == nil {
		t.Errorf("report --timeout 1ms left %s behind", html)
	}
	for _, args := range [][]string{
		{"diagram", "-f", "../examples/kakao-2022.yaml", "--focus", "talk-send", "--timeout", "0"},
		{"report", "-f", "testdata/small.yaml", "--format", "md", "-o", "-", "--timeout", "0"},
	} {
		if _, stderr, code := run(t, "", args...); code != ExitOK {
			t.Errorf("blast %v: exit %d, %s; want 0 (--timeout 0 is no limit)", args, code, stderr)
		}
	}
	_, stderr, code = run(t, "", "diagram", "-f", "../examples/kakao-2022.yaml", "--max-nodes", "5")
	if code != ExitInput || !strings.Contains(stderr, "raise --max-nodes") {
		t.Errorf("diagram --max-nodes 5: exit %d, %q; want the YAML node limit", code, stderr)
	}
}

// TestReportMarkdownLinksWholeDiagram writes the Markdown report of an
// estate whose dependency chart passes Mermaid's 500 edges: the whole
// diagram is written next to it as NAME-diagram.svg and the cut chart's
// note links it; written to standard output, the note gives the command.
func TestReportMarkdownLinksWholeDiagram(t *testing.T) {
	dir := t.TempDir()
	inv := fanInventory(t, dir, "wide", 520)
	md := filepath.Join(dir, "r.md")
	_, stderr, code := run(t, "", "report", "-f", inv, "-o", md, "--now", "2022-10-15T15:30:00Z")
	if code != ExitOK {
		t.Fatalf("report -o r.md: exit %d, %s", code, stderr)
	}
	text, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(text, []byte("The whole picture: [r-diagram.svg](r-diagram.svg)")) {
		t.Errorf("r.md does not link r-diagram.svg:\n%s", text)
	}
	svg, err := os.ReadFile(filepath.Join(dir, "r-diagram.svg"))
	if err != nil {
		t.Fatalf("r-diagram.svg: %v (stderr %s)", err, stderr)
	}
	if err := xml.Unmarshal(svg, new(struct{})); err != nil || !bytes.Contains(svg, []byte("f519")) {
		t.Errorf("r-diagram.svg does not parse (%v) or lacks feature f519", err)
	}
	if !strings.Contains(stderr, "r-diagram.svg") {
		t.Errorf("stderr %q does not say where the whole diagram went", stderr)
	}
	stdout, _, code := run(t, "", "report", "-f", inv, "--format", "md", "-o", "-", "--now", "2022-10-15T15:30:00Z")
	if code != ExitOK || !strings.Contains(stdout, "draw the SVG: `blast diagram -f "+inv+" -o diagram.svg`") || strings.Contains(stdout, "](") {
		t.Errorf("report -o -: exit %d; want the note to give the blast diagram command and no link", code)
	}
}

// TestReportDiagramTooLarge writes the HTML report of an estate too large
// to draw even with its physical tree collapsed to sites: the report is
// written without its diagram, and its note asks for --focus, not for
// the site level that was already too large.
func TestReportDiagramTooLarge(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: blast/v1\nkind: Inventory\nmetadata: {name: wide}\ncomponents:\n  - {id: s, kind: site}\n  - {id: b, kind: building, parent: s}\n  - {id: r, kind: rack, parent: b}\nservices:\n  - {id: svc, placement: [{on: r}]}\nfeatures:\n")
	for i := range 900 {
		fmt.Fprintf(&b, "  - {id: f%03d, users: 1, dependsOn: [svc]}\n", i)
	}
	inv := filepath.Join(t.TempDir(), "wide.yaml")
	if err := os.WriteFile(inv, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	html, stderr, code := run(t, "", "report", "-f", inv, "--format", "html", "-o", "-", "--now", "2022-10-15T15:30:00Z")
	if code != ExitOK {
		t.Fatalf("report: exit %d, %s", code, stderr)
	}
	if !strings.Contains(html, "even with the physical tree collapsed to sites") || !strings.Contains(html, "--focus FEATURE.") || strings.Contains(html, "--level site") {
		t.Errorf("the report's note does not ask for --focus alone:\n%s", regexp.MustCompile(`<p class="note">[^\n]*diagram[^\n]*`).FindString(html))
	}
}

// TestReportBuiltInPolicySkipsMissingKinds checks that a report without
// --policy on an inventory without racks skips the built-in policy's rack
// rules, as check does, instead of refusing to write the report.
func TestReportBuiltInPolicySkipsMissingKinds(t *testing.T) {
	stdout, stderr, code := run(t, "", "report", "-f", "testdata/no-racks.yaml", "--format", "md", "-o", "-", "--now", "2026-01-01T00:00:00Z", "--diagram=false")
	if code != 0 {
		t.Fatalf("report on an inventory without racks exits %d; want 0\n%s", code, stderr)
	}
	if !strings.Contains(stderr, `rule "tier2-survives-rack"`) || !strings.Contains(stderr, "rule skipped") {
		t.Errorf("report stderr = %q; want a warning that the rack rule is skipped", stderr)
	}
	if !strings.Contains(stdout, "# Blast report") {
		t.Errorf("report stdout does not hold the report:\n%s", stdout)
	}
	_, stderr, code = run(t, "", "report", "-f", "testdata/no-racks.yaml", "--policy", "testdata/policy-note.yaml", "--format", "md", "-o", "-", "--now", "2026-01-01T00:00:00Z", "--diagram=false")
	if code != ExitInput {
		t.Errorf("report with an own policy naming a missing kind exits %d; want %d (%s)", code, ExitInput, stderr)
	}
}

// TestReportMarkdownTooLargeToDraw: when a chart is cut and the whole
// diagram is too large to draw even collapsed to sites, the note asks for
// one feature at a time (a command that works) instead of linking or
// suggesting a drawing that would be refused, on a file and on stdout.
func TestReportMarkdownTooLargeToDraw(t *testing.T) {
	dir := t.TempDir()
	inv := fanInventory(t, dir, "huge", 900)
	want := "draw one feature at a time: `blast diagram -f " + inv
	md := filepath.Join(dir, "r.md")
	_, stderr, code := run(t, "", "report", "-f", inv, "-o", md, "--now", "2022-10-15T15:30:00Z")
	if code != ExitOK {
		t.Fatalf("report -o r.md: exit %d, %s", code, stderr)
	}
	text, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(text, []byte(want)) || !bytes.Contains(text, []byte("--focus FEATURE`")) || bytes.Contains(text, []byte("](r-diagram.svg)")) {
		t.Errorf("r.md note does not ask for --focus (or still links r-diagram.svg):\n%s", text[max(0, len(text)-600):])
	}
	if _, err := os.Stat(filepath.Join(dir, "r-diagram.svg")); err == nil {
		t.Error("r-diagram.svg written although the diagram is too large")
	}
	stdout, _, code := run(t, "", "report", "-f", inv, "--format", "md", "-o", "-", "--now", "2022-10-15T15:30:00Z")
	if code != ExitOK || !strings.Contains(stdout, want) || !strings.Contains(stdout, "--focus FEATURE`") {
		t.Errorf("report -o -: exit %d; want the note to ask for --focus", code)
	}
}

// fanInventory writes NAME.yaml in dir: one service on one rack of one
// building of one site, and n features that all need it (n edges into one
// node, which Mermaid and the drawing limits count), and returns its path.
func fanInventory(t *testing.T, dir, name string, n int) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: blast/v1\nkind: Inventory\nmetadata: {name: %s}\ncomponents:\n  - {id: s, kind: site}\n  - {id: b, kind: building, parent: s}\n  - {id: r, kind: rack, parent: b}\nservices:\n  - {id: svc, placement: [{on: r}]}\nfeatures:\n", name)
	for i := range n {
		fmt.Fprintf(&b, "  - {id: f%03d, users: 1, dependsOn: [svc]}\n", i)
	}
	path := filepath.Join(dir, name+".yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
