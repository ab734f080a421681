package cmd

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gonum.org/v1/gonum/graph/formats/dot"
)

// hostileNames are names that try to break out of the output they land
// in: markup, attribute quotes, ANSI escapes, newlines, GitHub workflow
// commands, template braces, Korean, the Unicode line separator and a
// right-to-left override. Ids cannot hold such characters (validation
// refuses them); names, descriptions and products can.
var hostileNames = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`,
	"\x1b[31mRED\x1b[0m",
	"line\nbreak",
	`%0A::error::forged`,
	`a"b'c`,
	`{curly} ${{ secrets.X }}`,
	"카카오톡 메시지",
	"sep\u2028arator",
	"bidi\u202Eevil",
}

// hostileInventory writes an inventory whose every name, description and
// product is one of hostileNames, failing at site s1, and returns its path.
func hostileInventory(t *testing.T) string {
	t.Helper()
	q := func(i int) string { b, _ := json.Marshal(hostileNames[i%len(hostileNames)]); return string(b) }
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: blast/v1\nkind: Inventory\nmetadata: {name: %s}\n", q(0))
	fmt.Fprintf(&b, "components:\n")
	fmt.Fprintf(&b, "  - {id: s1, kind: site, name: %s, description: %s}\n", q(1), q(2))
	fmt.Fprintf(&b, "  - {id: s2, kind: site, name: %s, description: %s}\n", q(3), q(4))
	fmt.Fprintf(&b, "  - {id: r1, kind: rack, parent: s1, name: %s}\n", q(5))
	fmt.Fprintf(&b, "  - {id: r2, kind: rack, parent: s2, name: %s}\n", q(6))
	fmt.Fprintf(&b, "services:\n")
	fmt.Fprintf(&b, "  - {id: api, name: %s, description: %s, placement: [{on: r1}]}\n", q(7), q(8))
	fmt.Fprintf(&b, "  - {id: db, name: %s, placement: [{on: r1}, {on: r2}]}\n", q(9))
	fmt.Fprintf(&b, "features:\n")
	for i := range hostileNames {
		fmt.Fprintf(&b, "  - {id: f%d, tier: 1, users: 10, name: %s, description: %s, product: %s, dependsOn: [api, db]}\n", i, q(i), q(i+1), q(i+2))
	}
	path := filepath.Join(t.TempDir(), "hostile.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A renderer is one output language, produced by a command, and the check
// that its output parses in that language and that no hostile name
// escaped its context. A new renderer (such as report's HTML, Markdown or
// Mermaid) is one more row in renderers.
type renderer struct {
	name  string
	args  func(inv string) []string
	check func(t *testing.T, out string)
}

func renderers() []renderer {
	return []renderer{
		{"simulate text", func(inv string) []string { return []string{"simulate", "-f", inv, "--fail", "s1"} }, checkTerminal},
		{"simulate json", func(inv string) []string { return []string{"simulate", "-f", inv, "--fail", "s1", "--format", "json"} }, checkJSON},
		{"audit text", func(inv string) []string { return []string{"audit", "-f", inv} }, checkTerminal},
		{"audit json", func(inv string) []string { return []string{"audit", "-f", inv, "--format", "json"} }, checkJSON},
		{"check text", func(inv string) []string { return []string{"check", "-f", inv} }, checkTerminal},
		{"check json", func(inv string) []string { return []string{"check", "-f", inv, "--format", "json"} }, checkJSON},
		{"check sarif", func(inv string) []string { return []string{"check", "-f", inv, "--format", "sarif"} }, checkJSON},
		{"check junit", func(inv string) []string { return []string{"check", "-f", inv, "--format", "junit"} }, checkXML},
		{"check github", func(inv string) []string { return []string{"check", "-f", inv, "--format", "github"} }, checkGitHub},
		{"diagram dot", func(inv string) []string { return []string{"diagram", "-f", inv, "--fail", "s1", "--format", "dot"} }, checkDOT},
		{"export openpsa", func(inv string) []string { return []string{"export", "openpsa", "-f", inv} }, checkXML},
		{"cuts text", func(inv string) []string { return []string{"cuts", "-f", inv, "--feature", "f0"} }, checkTerminal},
		{"availability text", func(inv string) []string {
			return []string{"availability", "-f", inv, "--default-unavailability", "0.001"}
		}, checkTerminal},
		{"validate text", func(inv string) []string { return []string{"validate", "-f", inv} }, checkTerminal},
		{"report md", func(inv string) []string {
			return []string{"report", "-f", inv, "--fail", "s1", "--format", "md", "--now", "2022-10-15T15:30:00Z", "-o", "-"}
		}, checkMarkdownReport},
		{"report html", func(inv string) []string {
			return []string{"report", "-f", inv, "--fail", "s1", "--format", "html", "--now", "2022-10-15T15:30:00Z", "-o", "-"}
		}, checkHTMLReport},
		{"recover text", func(inv string) []string { return []string{"recover", "-f", inv, "--fail", "s1"} }, checkTerminal},
		{"recover json", func(inv string) []string { return []string{"recover", "-f", inv, "--fail", "s1", "--format", "json"} }, checkJSON},
	}
}

// checkHTMLReport: the page's own two scripts (the model as JSON and the
// explorer) are its only ones; no element or event handler comes from the
// data, which stays escaped (the JSON escapes < and >).
func checkHTMLReport(t *testing.T, out string) {
	t.Helper()
	lower := strings.ToLower(out)
	if n := strings.Count(lower, "<script"); n != 2 {
		t.Errorf("the HTML report holds %d <script> elements; want the page's 2", n)
	}
	// The hostile text may show as text (escaped: &lt;img ... onerror=),
	// never as markup: no element it names, no event handler in a tag.
	for _, re := range []string{`<img`, `<iframe`, `<[^>]*\son[a-z]+\s*=`, `javascript:`} {
		if m := regexp.MustCompile(re).FindString(lower); m != "" {
			t.Errorf("the HTML report holds markup from the data: %q", m)
		}
	}
	checkNoControl(t, out)
}

// checkMarkdownReport: no raw HTML element from the data (GitHub would
// render it) and no control character.
func checkMarkdownReport(t *testing.T, out string) {
	t.Helper()
	// A backslash before < makes it text in Markdown; an unescaped < could
	// open an HTML element, which GitHub would render.
	if m := regexp.MustCompile(`(^|[^\\])<(script|img|a |iframe)`).FindString(strings.ToLower(out)); m != "" {
		t.Errorf("the Markdown report holds an HTML element from the data: %q", m)
	}
	checkNoControl(t, out)
}

// checkNoControl: no escape or other control character but newline, tab
// and carriage return.
func checkNoControl(t *testing.T, out string) {
	t.Helper()
	for _, r := range out {
		if (r < 0x20 && r != '\n' && r != '\t' && r != '\r') || r == 0x7f || r == '\u202e' {
			t.Errorf("output holds the control character %U", r)
			return
		}
	}
}

// TestHostileNames runs every renderer over the hostile inventory.
func TestHostileNames(t *testing.T) {
	inv := hostileInventory(t)
	for _, r := range renderers() {
		t.Run(r.name, func(t *testing.T) {
			out, stderr, code := run(t, "", r.args(inv)...)
			if code == ExitInput {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if out == "" {
				t.Fatalf("no output; stderr: %s", stderr)
			}
			checkTerminal(t, stderr)
			r.check(t, out)
		})
	}
}

// checkTerminal: no control character reaches the terminal but the
// newlines the renderer writes itself, and no name breaks a line.
func checkTerminal(t *testing.T, out string) {
	t.Helper()
	for i, r := range out {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' || (r >= '\u202a' && r <= '\u202e') {
			t.Fatalf("control character %U at byte %d: %q", r, i, around(out, i))
		}
	}
	if strings.Contains(out, "line\nbreak") {
		t.Errorf("a name broke a line: %q", around(out, strings.Index(out, "line\nbreak")))
	}
}

// checkJSON: the output is valid JSON and any name in it decodes intact.
func checkJSON(t *testing.T, out string) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	for {
		var v any
		err := dec.Decode(&v)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not JSON: %v", err)
		}
	}
	if strings.ContainsAny(out, "\x1b\u2028\u2029") {
		t.Errorf("raw control character or line separator in JSON")
	}
}

// checkXML: the output is well-formed XML and no markup came from a name.
func checkXML(t *testing.T, out string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(out))
	d.Strict = true
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && (se.Name.Local == "script" || se.Name.Local == "img") {
			t.Fatalf("a name became the element <%s>", se.Name.Local)
		}
	}
}

// checkGitHub: every line is one workflow command whose data carries no
// raw newline, carriage return or %-sequence that GitHub would decode
// into a new command.
func checkGitHub(t *testing.T, out string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if !strings.HasPrefix(line, "::") {
			t.Errorf("line is not a workflow command: %q", line)
		}
		if strings.Contains(line, "%0A::error") {
			t.Errorf("a name forged a workflow command: %q", line)
		}
		if strings.Count(line, "::") > 2 && !strings.Contains(line, "%3A%3A") {
			t.Errorf("more than one command separator: %q", line)
		}
	}
}

// checkDOT: the output parses as DOT, with every name inside a quoted
// string (none became a node, attribute or HTML label of its own).
func checkDOT(t *testing.T, out string) {
	t.Helper()
	if _, err := dot.ParseString(out); err != nil {
		t.Fatalf("not DOT: %v", err)
	}
	checkTerminal(t, out)
	for _, bad := range []string{"<script>", "<img", "onerror=alert(1)>"} {
		if strings.Contains(out, bad) && !insideQuotes(out, bad) {
			t.Errorf("%q outside a quoted string", bad)
		}
	}
}

// insideQuotes reports whether every occurrence of s in a DOT file is
// inside a double-quoted string.
func insideQuotes(out, s string) bool {
	for i := 0; ; {
		j := strings.Index(out[i:], s)
		if j < 0 {
			return true
		}
		j += i
		line := out[strings.LastIndexByte(out[:j], '\n')+1 : j]
		if strings.Count(strings.ReplaceAll(line, `\"`, ""), `"`)%2 == 0 {
			return false
		}
		i = j + len(s)
	}
}

func around(s string, i int) string {
	return s[max(0, i-40):min(len(s), i+40)]
}
