package out

import (
	"context"
	"encoding/xml"
	"fmt"
	"math"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/internal/golden"
	"github.com/blast-dev/blast/internal/graphviz"
	"github.com/blast-dev/blast/inventory"
)

// TestMain reruns the tests in a process with Graphviz loaded, so that the
// SVG tests render in process.
func TestMain(m *testing.M) {
	if !graphviz.Enabled() {
		cmd := exec.Command(os.Args[0], os.Args[1:]...)
		cmd.Env = append(os.Environ(), graphviz.EnvVar+"=1")
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			if ee, ok := err.(*exec.ExitError); ok {
				os.Exit(ee.ExitCode())
			}
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func loadModel(t testing.TB, path string) *graph.Model {
	t.Helper()
	inv, _, err := inventory.Load([]string{path}, nil)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	m, err := graph.Build(inv)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func fail(t testing.TB, m *graph.Model, terms ...string) *graph.Result {
	t.Helper()
	failed, err := m.SelectAll(terms)
	if err != nil {
		t.Fatal(err)
	}
	return m.Simulate(failed)
}

// unquoteDOT reverses DOTString, checking it is one well-formed DOT string.
func unquoteDOT(t *testing.T, q string) string {
	t.Helper()
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		t.Fatalf("DOTString gave %q: not quoted", q)
	}
	var b strings.Builder
	for i := 1; i < len(q)-1; i++ {
		c := q[i]
		switch {
		case c == '\n' || c == '\r':
			t.Fatalf("DOTString gave %q: raw newline", q)
		case c == '"':
			t.Fatalf("DOTString gave %q: unescaped quote", q)
		case c == '\\':
			i++
			switch q[i] {
			case 'n':
				b.WriteByte('\n')
			case '"', '\\':
				b.WriteByte(q[i])
			default:
				t.Fatalf("DOTString gave %q: escape \\%c that Graphviz would interpret", q, q[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func TestDOTString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`plain`, `plain`},
		{`say "hi"`, `say "hi"`},
		{`a\b`, `a\b`},
		{`\N \G \l \"`, `\N \G \l \"`},
		{"two\nlines", "two\nlines"},
		{"tab\there\r", "tab here "},
		{`{braces} [brackets]; -> n1`, `{braces} [brackets]; -> n1`},
		{`<b>html</b> & <script>`, `<b>html</b> & <script>`},
		{`"><img src=x onerror=alert(1)>`, `"><img src=x onerror=alert(1)>`},
		{`판교 데이터센터`, `판교 데이터센터`},
		{`trailing \`, `trailing \`},
		{"", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := unquoteDOT(t, DOTString(tc.in)); got != tc.want {
				t.Errorf("DOTString(%q) reads back as %q; want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestDiagramGolden(t *testing.T) {
	kakao := loadModel(t, "../examples/kakao-2022.yaml")
	hostile := loadModel(t, "testdata/hostile.yaml")
	for _, tc := range []struct {
		name string
		m    *graph.Model
		fail []string
		opt  DiagramOptions
	}{
		{"diagram-kakao.dot", kakao, nil, DiagramOptions{Level: "rack"}},
		{"diagram-kakao-pangyo.dot", kakao, []string{"pangyo"}, DiagramOptions{}},
		{"diagram-kakao-talk-send-building.dot", kakao, []string{"pangyo"}, DiagramOptions{Focus: "talk-send", Level: "building"}},
		{"diagram-hostile.dot", hostile, []string{"site-{a}"}, DiagramOptions{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.fail != nil {
				tc.opt.Result = fail(t, tc.m, tc.fail...)
			}
			d, err := NewDiagram(tc.m, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, tc.name, d.DOT)
			again, _ := NewDiagram(tc.m, tc.opt)
			if string(again.DOT) != string(d.DOT) {
				t.Errorf("NewDiagram is not deterministic")
			}
		})
	}
}

func TestDiagramFocusAndLevel(t *testing.T) {
	m := loadModel(t, "../examples/kakao-2022.yaml")
	d, err := NewDiagram(m, DiagramOptions{Focus: "bank-core-banking"})
	if err != nil {
		t.Fatal(err)
	}
	dot := string(d.DOT)
	for _, want := range []string{`tooltip="bank-core-banking"`} {
		if !strings.Contains(dot, want) {
			t.Errorf("focus bank-core-banking: DOT lacks %s", want)
		}
	}
	if strings.Contains(dot, `tooltip="talk-send"`) || strings.Contains(dot, `tooltip="talk-api"`) {
		t.Errorf("focus bank-core-banking draws KakaoTalk nodes outside its cone")
	}
	site, err := NewDiagram(m, DiagramOptions{Level: "site"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(site.DOT), `shape=box3d`) {
		t.Errorf("--level site still draws racks")
	}
	if _, err := NewDiagram(m, DiagramOptions{Focus: "talk-api"}); err == nil {
		t.Errorf("NewDiagram(Focus: a service) = nil error; want one")
	}
	if _, err := NewDiagram(m, DiagramOptions{Level: "room"}); err == nil {
		t.Errorf("NewDiagram(Level: room) = nil error; want one")
	}
}

func TestDiagramSizeLimit(t *testing.T) {
	m := loadModel(t, "../examples/kakao-2022.yaml")
	full, _ := NewDiagram(m, DiagramOptions{})
	d, err := NewDiagram(m, DiagramOptions{MaxNodes: full.Nodes - 1})
	if err != nil {
		t.Fatal(err)
	}
	if d.Level == "" || len(d.Notes) == 0 || d.Nodes >= full.Nodes {
		t.Errorf("over the limit: level %q, notes %v, %d nodes; want a collapse below %d", d.Level, d.Notes, d.Nodes, full.Nodes)
	}
	// Collapsed several levels at once: one note, with the final result.
	site, _ := NewDiagram(m, DiagramOptions{Level: "site"})
	building, _ := NewDiagram(m, DiagramOptions{Level: "building"})
	if building.Nodes <= site.Nodes {
		t.Fatalf("building level draws %d nodes, site level %d: the test needs fewer at site level", building.Nodes, site.Nodes)
	}
	d, err = NewDiagram(m, DiagramOptions{MaxNodes: site.Nodes})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%d nodes and %d edges is more than the limits of %d and %d: physical tree collapsed to --level site (%d nodes, %d edges)",
		full.Nodes, full.Edges, site.Nodes, DefaultMaxEdges, site.Nodes, site.Edges)
	if d.Level != "site" || len(d.Notes) != 1 || d.Notes[0] != want {
		t.Errorf("collapsed to %q with notes %q; want site and the one note %q", d.Level, d.Notes, want)
	}
	if _, err := NewDiagram(m, DiagramOptions{MaxNodes: 5}); err == nil || !strings.Contains(err.Error(), "--focus") {
		t.Errorf("NewDiagram(MaxNodes: 5) error = %v; want a refusal naming --focus", err)
	}
}

// svgDoc is the part of an SVG the tests look at.
type svgNode struct {
	ID    string    `xml:"id,attr"`
	Class string    `xml:"class,attr"`
	G     []svgNode `xml:"g"`
	A     []svgNode `xml:"a"`
	Poly  []struct {
		Fill   string `xml:"fill,attr"`
		Points string `xml:"points,attr"`
	} `xml:"polygon"`
	Path []struct {
		D string `xml:"d,attr"`
	} `xml:"path"`
	Text   []string `xml:"text"`
	Script []string `xml:"script"`
}

func walk(n svgNode, fn func(svgNode)) {
	fn(n)
	for _, c := range n.G {
		walk(c, fn)
	}
	for _, c := range n.A {
		walk(c, fn)
	}
}

func renderParse(t *testing.T, m *graph.Model, opt DiagramOptions) map[string]svgNode {
	t.Helper()
	d, err := NewDiagram(m, opt)
	if err != nil {
		t.Fatal(err)
	}
	svg, err := RenderSVG(context.Background(), d.DOT, "")
	if err != nil {
		t.Fatal(err)
	}
	var root svgNode
	if err := xml.Unmarshal(svg, &root); err != nil {
		t.Fatalf("the SVG does not parse: %v", err)
	}
	byID := map[string]svgNode{}
	walk(root, func(n svgNode) {
		if len(n.Script) > 0 {
			t.Errorf("the SVG holds a script element: %v", n.Script)
		}
		if n.ID != "" {
			byID[n.ID] = n
		}
	})
	return byID
}

func fills(n svgNode) []string {
	var out []string
	walk(n, func(x svgNode) {
		for _, p := range x.Poly {
			out = append(out, strings.ToUpper(p.Fill))
		}
	})
	return out
}

func texts(n svgNode) string {
	var out []string
	walk(n, func(x svgNode) { out = append(out, x.Text...) })
	return strings.Join(out, "\n")
}

func TestSVGKakaoPangyo(t *testing.T) {
	m := loadModel(t, "../examples/kakao-2022.yaml")
	res := fail(t, m, "pangyo")
	byID := renderParse(t, m, DiagramOptions{Result: res})
	node := func(id string) svgNode {
		v, _ := m.Lookup(id)
		n, ok := byID[fmt.Sprintf("n%d", v)]
		if !ok {
			t.Fatalf("the SVG has no node for %s", id)
		}
		return n
	}
	for _, tc := range []struct {
		id, class, fill, text string
	}{
		{"talk-send", "node down", colorDown, "DOWN"},
		{"talk-api", "node down", colorDown, "failover blocked"},
		{"bank-core-banking", "node up", colorUp, "users"},
		{"pangyo", "node failed", colorFailed, "FAILED"},
	} {
		n := node(tc.id)
		if n.Class != tc.class {
			t.Errorf("%s: class %q; want %q", tc.id, n.Class, tc.class)
		}
		if f := fills(n); len(f) == 0 || f[0] != tc.fill {
			t.Errorf("%s: fills %v; want %s", tc.id, f, tc.fill)
		}
		if !strings.Contains(texts(n), tc.text) {
			t.Errorf("%s: text %q lacks %q", tc.id, texts(n), tc.text)
		}
	}
	pangyo, _ := m.Lookup("pangyo-a")
	if c, ok := byID[fmt.Sprintf("cluster_n%d", pangyo)]; !ok || !strings.Contains(c.Class, "cluster") {
		t.Errorf("no cluster for building pangyo-a (got %+v)", c.Class)
	}
	if _, ok := byID["cluster_legend"]; !ok {
		t.Errorf("no legend")
	}
}

func TestSVGHostileNames(t *testing.T) {
	m := loadModel(t, "testdata/hostile.yaml")
	byID := renderParse(t, m, DiagramOptions{Result: fail(t, m, "site-{a}")})
	for _, id := range []string{"end", "<script>alert(document.domain)</script>", "rack<1>", "ups\\N", "r2"} {
		v, _ := m.Lookup(id)
		n, ok := byID[fmt.Sprintf("n%d", v)]
		if !ok {
			t.Errorf("no node for %q", id)
			continue
		}
		// Each line of the name comes back as written; services show their
		// id too.
		name := m.Name(v)
		if m.Kind(v) == graph.Service {
			name += "\n" + m.ID(v)
		}
		for _, line := range strings.Split(name, "\n") {
			if !strings.Contains(texts(n), line) {
				t.Errorf("node %q: text %q lacks %q", id, texts(n), line)
			}
		}
	}
}

// TestDiagramWhyChainCollapsed checks that why-chains stay bold when the
// physical tree is collapsed: the chain talk-api ← rack ← … ← pangyo ends
// on the edge talk-api → pangyo once racks are drawn as their site.
func TestDiagramWhyChainCollapsed(t *testing.T) {
	m := loadModel(t, "../examples/kakao-2022.yaml")
	res := fail(t, m, "pangyo")
	api, _ := m.Lookup("talk-api")
	site, _ := m.Lookup("pangyo")
	for _, level := range []string{"site", "building"} {
		d, err := NewDiagram(m, DiagramOptions{Result: res, Level: level})
		if err != nil {
			t.Fatal(err)
		}
		to := site
		if level == "building" {
			to = -1 // any building of pangyo
		}
		bold := false
		for _, line := range strings.Split(string(d.DOT), "\n") {
			var a, b int32
			if _, err := fmt.Sscanf(strings.TrimSpace(line), "n%d -> n%d", &a, &b); err != nil || a != api {
				continue
			}
			if (to >= 0 && b != to) || (to < 0 && (m.ComponentKind(b) != "building" || m.Parent(b) != site)) {
				continue
			}
			if strings.Contains(line, "penwidth=3") {
				bold = true
			}
		}
		if !bold {
			t.Errorf("--level %s: no bold edge from talk-api to pangyo's %s", level, level)
		}
	}
}

// span returns the left and right x of node n's outline (its polygons).
func span(t *testing.T, n svgNode) (float64, float64) {
	t.Helper()
	lo, hi := math.Inf(1), math.Inf(-1)
	walk(n, func(x svgNode) {
		for _, p := range x.Poly {
			for _, pt := range strings.Fields(p.Points) {
				var px, py float64
				if _, err := fmt.Sscanf(pt, "%g,%g", &px, &py); err == nil {
					lo, hi = min(lo, px), max(hi, px)
				}
			}
		}
	})
	if math.IsInf(lo, 0) {
		t.Fatalf("node %s has no outline", n.ID)
	}
	return lo, hi
}

// TestSVGLayers renders the Kakao diagram at every level and checks that
// it reads left to right in layers: every feature lies left of every
// service, and every service left of every component.
func TestSVGLayers(t *testing.T) {
	m := loadModel(t, "../examples/kakao-2022.yaml")
	res := fail(t, m, "pangyo")
	for _, level := range []string{"", "rack", "site"} {
		t.Run("level="+level, func(t *testing.T) {
			byID := renderParse(t, m, DiagramOptions{Result: res, Level: level})
			type edge struct {
				right float64
				id    string
			}
			var maxRight, minLeft [3]edge
			for i := range 3 {
				maxRight[i], minLeft[i] = edge{math.Inf(-1), ""}, edge{math.Inf(1), ""}
			}
			for v := int32(0); v < int32(m.Len()); v++ {
				n, ok := byID[fmt.Sprintf("n%d", v)]
				if !ok {
					continue
				}
				lo, hi := span(t, n)
				k := int(m.Kind(v))
				if hi > maxRight[k].right {
					maxRight[k] = edge{hi, m.ID(v)}
				}
				if lo < minLeft[k].right {
					minLeft[k] = edge{lo, m.ID(v)}
				}
			}
			for _, p := range [][2]graph.NodeKind{{graph.Feature, graph.Service}, {graph.Service, graph.Component}} {
				a, b := maxRight[p[0]], minLeft[p[1]]
				if a.id == "" || b.id == "" {
					t.Fatalf("no %s or no %s drawn", p[0], p[1])
				}
				if a.right >= b.right {
					t.Errorf("%s %s reaches x=%.0f, right of %s %s at x=%.0f; want every %s left of every %s",
						p[0], a.id, a.right, p[1], b.id, b.right, p[0], p[1])
				}
			}
		})
	}
}

const koreanInventory = `apiVersion: blast/v1
kind: Inventory
metadata: {name: korean}
components:
  - {id: pangyo, kind: site, name: "판교데이터센터판교데이터센터판교데이터센"}
  - {id: r1, kind: rack, parent: pangyo, name: "판교일번랙판교일번랙판교일번랙판교일번랙"}
services:
  - {id: talk-api, name: "카카오톡메시지전송서버카카오톡메시지전송", placement: [{on: r1, replicas: 1}]}
features:
  - {id: talk-send, name: "카카오톡메시지보내기카카오톡메시지보내기", users: 100, dependsOn: [talk-api]}
`

// pathSpan returns the left and right x of the points of node n's paths.
func pathSpan(n svgNode) (float64, float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range n.Path {
		for _, xy := range svgPoint.FindAllStringSubmatch(p.D, -1) {
			var x float64
			fmt.Sscan(xy[1], &x)
			lo, hi = min(lo, x), max(hi, x)
		}
	}
	return lo, hi
}

var svgPoint = regexp.MustCompile(`(-?[0-9.]+),(-?[0-9.]+)`)

// TestSVGKoreanLabelsFit draws 20-character Korean names and checks that
// each box, and the site's cluster, is at least as wide as the text drawn
// at 1 em a character; that a service shows its name above its id; and
// that one replica is "1 replica".
func TestSVGKoreanLabelsFit(t *testing.T) {
	inv, _, err := inventory.LoadFiles([]inventory.File{{Name: "korean.yaml", Data: []byte(koreanInventory)}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := graph.Build(inv)
	if err != nil {
		t.Fatal(err)
	}
	byID := renderParse(t, m, DiagramOptions{})
	for _, id := range []string{"talk-send", "talk-api", "r1"} {
		v, _ := m.Lookup(id)
		n, ok := byID[fmt.Sprintf("n%d", v)]
		if !ok {
			t.Fatalf("no node for %s", id)
		}
		lo, hi := span(t, n)
		if want := 20 * 10.0; hi-lo < want {
			t.Errorf("%s: box %.0f pt wide; its 20-character Korean name needs %.0f", id, hi-lo, want)
		}
		if want := LabelWidth(m.Name(v), 10); hi-lo < want {
			t.Errorf("%s: box %.0f pt wide; LabelWidth of its name is %.0f", id, hi-lo, want)
		}
	}
	api, _ := m.Lookup("talk-api")
	if got := texts(byID[fmt.Sprintf("n%d", api)]); got != m.Name(api)+"\ntalk-api\n1 replica" {
		t.Errorf("talk-api's label = %q; want its name, its id and \"1 replica\"", got)
	}
	site, _ := m.Lookup("pangyo")
	c, ok := byID[fmt.Sprintf("cluster_n%d", site)]
	if !ok {
		t.Fatal("no cluster for pangyo")
	}
	lo, hi := pathSpan(c)
	if want := LabelWidth("site "+m.Name(site), 11); hi-lo < want {
		t.Errorf("pangyo's cluster is %.0f pt wide; its label needs %.0f", hi-lo, want)
	}
}
