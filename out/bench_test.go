package out

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/inventory"
)

// bigInventory writes an inventory of about n nodes: 4 sites with a
// building and two power feeds each, racks, hosts, services on hosts and
// features on services.
func bigInventory(t testing.TB, n int) string {
	var b strings.Builder
	b.WriteString("apiVersion: blast/v1\nkind: Inventory\nmetadata: {name: big}\ncomponents:\n")
	count := 0
	racks, hosts := n/10, n/2
	for s := 0; s < 4; s++ {
		fmt.Fprintf(&b, "  - {id: s%d, kind: site}\n  - {id: b%d, kind: building, parent: s%d}\n", s, s, s)
		fmt.Fprintf(&b, "  - {id: p%da, kind: power, parent: b%d}\n  - {id: p%db, kind: power, parent: b%d}\n", s, s, s, s)
		count += 4
	}
	for r := 0; r < racks; r++ {
		fmt.Fprintf(&b, "  - {id: r%d, kind: rack, parent: b%d, power: [p%da, p%db]}\n", r, r%4, r%4, r%4)
	}
	for h := 0; h < hosts; h++ {
		fmt.Fprintf(&b, "  - {id: h%d, kind: host, parent: r%d}\n", h, h%racks)
	}
	count += racks + hosts
	svcs := (n - count) * 2 / 3
	b.WriteString("services:\n")
	for s := 0; s < svcs; s++ {
		fmt.Fprintf(&b, "  - {id: svc%d, placement: [{on: h%d, replicas: 2}, {on: h%d, replicas: 2}]", s, s%hosts, (s*7+1)%hosts)
		if s > 0 {
			fmt.Fprintf(&b, ", dependsOn: [svc%d]", s/2)
		}
		b.WriteString("}\n")
	}
	b.WriteString("features:\n")
	for f := 0; f < n-count-svcs; f++ {
		fmt.Fprintf(&b, "  - {id: f%d, users: %d, dependsOn: [svc%d]}\n", f, 1000+f, (f*13)%svcs)
	}
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func benchRender(b *testing.B, m *graph.Model, opt DiagramOptions) {
	d, err := NewDiagram(m, opt)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		d, _ := NewDiagram(m, opt)
		if _, err := RenderSVG(context.Background(), d.DOT, ""); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(d.Nodes), "nodes")
	b.ReportMetric(float64(d.Edges), "edges")
}

// BenchmarkDiagramSVG measures building the DOT graph and rendering it as
// SVG (Graphviz already loaded: one instance per process).
func BenchmarkDiagramSVG(b *testing.B) {
	kakao := loadModel(b, "../examples/kakao-2022.yaml")
	naver := loadModel(b, "../examples/naver-2022.yaml")
	big := loadModel(b, bigInventory(b, 2000))
	b.Run("kakao-pangyo", func(b *testing.B) { benchRender(b, kakao, DiagramOptions{Result: fail(b, kakao, "pangyo")}) })
	b.Run("naver-pangyo", func(b *testing.B) { benchRender(b, naver, DiagramOptions{Result: fail(b, naver, "pangyo")}) })
	b.Run("2000-nodes-focus", func(b *testing.B) { benchRender(b, big, DiagramOptions{Result: fail(b, big, "s0"), Focus: "f1"}) })
	// The generated medium estate (2,000 racks): one feature's cone, which
	// the limits collapse to sites; the largest accepted drawings.
	medium := generated(b, "medium")
	b.Run("medium-focus-site", func(b *testing.B) {
		benchRender(b, medium, DiagramOptions{Focus: "feature-00020", Level: "rack"})
	})
	b.Run("medium-focus-building", func(b *testing.B) {
		benchRender(b, medium, DiagramOptions{Focus: "feature-00010", Level: "rack"})
	})
}

// generated writes the estate "blast gen --size SIZE" writes and loads it.
func generated(t testing.TB, size string) *graph.Model {
	path := filepath.Join(t.TempDir(), size+".json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	spec := inventory.GenSizes[size]
	spec.Seed = 1 // as blast gen
	if err := inventory.Generate(f, spec, "json"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return loadModel(t, path)
}

// TestDiagramLimits checks that big inputs are collapsed or refused
// before Graphviz sees them: every accepted drawing is within both limits.
func TestDiagramLimits(t *testing.T) {
	m := generated(t, "medium")
	if _, err := NewDiagram(m, DiagramOptions{}); err == nil || !strings.Contains(err.Error(), "--focus") {
		t.Errorf("medium estate, whole: err = %v; want a refusal that asks for --focus", err)
	}
	for _, f := range []string{"feature-00000", "feature-00002", "feature-00010", "feature-00020", "feature-00100", "feature-00200"} {
		for _, level := range Levels {
			d, err := NewDiagram(m, DiagramOptions{Focus: f, Level: level})
			if err != nil {
				if !strings.Contains(err.Error(), "edges") || !strings.Contains(err.Error(), "--diagram-max-edges") {
					t.Errorf("%s at %s: %v; want a refusal that counts edges", f, level, err)
				}
				continue
			}
			if d.Nodes > DefaultMaxNodes || d.Edges > DefaultMaxEdges {
				t.Errorf("%s at %s: drew %d nodes and %d edges; limits %d and %d", f, level, d.Nodes, d.Edges, DefaultMaxNodes, DefaultMaxEdges)
			}
			// Drawn edges; the invisible ones only order the columns.
			if got := strings.Count(string(d.DOT), " -> ") - strings.Count(string(d.DOT), "[style=invis, weight=0]"); got != d.Edges {
				t.Errorf("%s at %s: DOT has %d edges; Diagram.Edges = %d", f, level, got, d.Edges)
			}
			if fast := strings.Contains(string(d.DOT), "mclimit"); fast != (d.Edges > fastLayoutEdges) {
				t.Errorf("%s at %s: fast layout %v with %d edges", f, level, fast, d.Edges)
			}
		}
	}
}

func TestBigInventoryCollapses(t *testing.T) {
	m := loadModel(t, bigInventory(t, 2000))
	if m.Len() < 1900 || m.Len() > 2100 {
		t.Fatalf("bigInventory(2000) has %d nodes", m.Len())
	}
	if _, err := NewDiagram(m, DiagramOptions{}); err == nil || !strings.Contains(err.Error(), "--focus") {
		t.Errorf("2000 nodes, whole: err = %v; want a refusal that asks for --focus", err)
	}
	d, err := NewDiagram(m, DiagramOptions{Focus: "f1"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Nodes > DefaultMaxNodes || d.Edges > DefaultMaxEdges {
		t.Errorf("2000 nodes, --focus f1: drawn %d nodes and %d edges; want at most %d and %d", d.Nodes, d.Edges, DefaultMaxNodes, DefaultMaxEdges)
	}
}
