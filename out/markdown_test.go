package out

import (
	"regexp"
	"strings"
	"testing"
	"time"
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
