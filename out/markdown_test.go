package out

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/inventory"
)

// TestMarkdownMermaidLimits writes the report of a generated estate of
// 2,000 racks: every Mermaid chart stays within Mermaid's limits, and a
// cut chart says so and gives the command that draws the SVG.
func TestMarkdownMermaidLimits(t *testing.T) {
	m := generated(t, "medium")
	failed, err := m.SelectAll([]string{"kind=site"})
	if err != nil {
		t.Fatal(err)
	}
	r := NewReport(m, auditOf(m), ReportOptions{Title: "medium", Version: "test", Now: time.Unix(0, 0),
		Result: m.Simulate(failed[:3]), DiagramCommand: "blast diagram -f medium.yaml -o diagram.svg"})
	var b strings.Builder
	if err := WriteMarkdown(&b, r); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	charts := regexp.MustCompile("(?s)```mermaid\n(.*?)```").FindAllStringSubmatch(md, -1)
	if len(charts) != 2 {
		t.Fatalf("%d Mermaid charts; want 2 (why-chains and dependencies)", len(charts))
	}
	for i, c := range charts {
		if len(c[1]) > MermaidMaxChars {
			t.Errorf("chart %d has %d characters; Mermaid's limit is %d", i, len(c[1]), MermaidMaxChars)
		}
		if edges := strings.Count(c[1], " --> "); edges > MermaidMaxEdges || edges == 0 {
			t.Errorf("chart %d has %d edges; want 1 to %d", i, edges, MermaidMaxEdges)
		}
		if strings.Contains(c[1], " end") || strings.Contains(c[1], "\n  end") {
			t.Errorf("chart %d uses the keyword end as a node id", i)
		}
	}
	if n := strings.Count(md, "**Truncated:**"); n < 1 || !strings.Contains(md, "`blast diagram -f medium.yaml -o diagram.svg`") {
		t.Errorf("%d truncation notes, or no blast diagram command; want a note for the cut dependency chart", n)
	}
}

func TestMDCodeSpan(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "`plain`"},
		{"a`b", "`` a`b ``"},
		{"``x`", "``` ``x` ```"},
		{"`", "`` ` ``"},
		{"a|b", "`a¦b`"},
		{"line\nbreak", "`line break`"},
	} {
		if got := mdCodeSpan(tc.in); got != tc.want {
			t.Errorf("mdCodeSpan(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

// TestMarkdownLongNamesAndNote writes the report of an inventory whose
// names are 40,000 characters long and whose file name holds a backtick:
// every chart stays within Mermaid's limits with its labels cut, and the
// truncation note's code span and link hold as written.
func TestMarkdownLongNamesAndNote(t *testing.T) {
	long := strings.Repeat("가", 40000)
	var b strings.Builder
	b.WriteString("apiVersion: blast/v1\nkind: Inventory\nmetadata: {name: long}\ncomponents:\n  - {id: s, kind: site, name: " + long + "}\nservices:\n")
	for i := range 3 {
		fmt.Fprintf(&b, "  - {id: svc%d, name: %s%d, placement: [{on: s}]}\n", i, long, i)
	}
	b.WriteString("features:\n")
	for i := range 600 {
		fmt.Fprintf(&b, "  - {id: f%d, name: %s%d, users: 1, dependsOn: [svc%d]}\n", i, long, i, i%3)
	}
	inv, _, err := inventory.LoadFiles([]inventory.File{{Name: "long.yaml", Data: []byte(b.String())}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := graph.Build(inv)
	if err != nil {
		t.Fatal(err)
	}
	site, _ := m.Lookup("s")
	for _, link := range []string{"", "my report (1)-diagram.svg"} {
		r := NewReport(m, auditOf(m), ReportOptions{Title: "long", Version: "test", Now: time.Unix(0, 0),
			Result: m.Simulate([]int32{site}), DiagramCommand: "blast diagram -f we`ird.yaml -o diagram.svg", DiagramLink: link})
		var out strings.Builder
		if err := WriteMarkdown(&out, r); err != nil {
			t.Fatal(err)
		}
		md := out.String()
		charts := regexp.MustCompile("(?s)```mermaid\n(.*?)```").FindAllStringSubmatch(md, -1)
		if len(charts) != 2 {
			t.Fatalf("%d Mermaid charts; want 2", len(charts))
		}
		for i, c := range charts {
			if len(c[1]) > MermaidMaxChars {
				t.Errorf("chart %d has %d characters; Mermaid's limit is %d", i, len(c[1]), MermaidMaxChars)
			}
			if !strings.Contains(c[1], strings.Repeat("가", MermaidMaxLabel-1)+"…") || strings.Contains(c[1], strings.Repeat("가", MermaidMaxLabel)) {
				t.Errorf("chart %d does not cut its labels at %d characters", i, MermaidMaxLabel)
			}
		}
		if !r.Truncated {
			t.Errorf("600 feature edges: Truncated = false")
		}
		if !strings.Contains(md, "`` blast diagram -f we`ird.yaml -o diagram.svg ``") {
			t.Errorf("the truncation note does not hold the command in a code span as written")
		}
		wantLink := "[my report (1)-diagram.svg](my%20report%20%281%29-diagram.svg)"
		if link != "" && !strings.Contains(md, wantLink) {
			t.Errorf("the truncation note does not link %s", wantLink)
		}
		if link == "" && strings.Contains(md, "](") {
			t.Errorf("without a link, the note links something")
		}
	}
}

// auditOf audits every component kind but host, as blast report does.
func auditOf(m *graph.Model) *AuditReport {
	kinds := slices.DeleteFunc(m.ComponentKinds(), func(k string) bool { return k == "host" })
	var domains, candidates []int32
	for _, v := range m.Nodes(graph.Component) {
		candidates = append(candidates, v)
		if slices.Contains(kinds, m.ComponentKind(v)) {
			domains = append(domains, v)
		}
	}
	return NewAuditReport(m.Inv.Metadata.Name, kinds, m.NewAudit(domains, candidates, graph.AuditOptions{Paper: true}))
}
