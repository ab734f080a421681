package out

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/internal/num"
)

// DefaultMaxNodes and DefaultMaxEdges bound what a diagram draws. Past
// either, NewDiagram collapses the physical tree one level at a time
// (host, rack, building, site); if even sites give too many, it refuses.
// Graphviz's layout time grows with edges far more than with nodes: on
// generated estates, diagrams within these bounds lay out in at most about
// five seconds (BenchmarkDiagramSVG), where 3,300 edges took 19 s and
// 7,100 edges more than five minutes.
const (
	DefaultMaxNodes = 800
	DefaultMaxEdges = 800
)

// fastLayoutEdges is the number of edges past which the layout trades
// polish for time: fewer crossing-minimisation and network-simplex
// iterations (mclimit, nslimit) and straight edges. Smaller diagrams, such
// as the examples', keep Graphviz's defaults.
const fastLayoutEdges = 200

// Okabe–Ito colours: distinguishable with the common colour-vision
// deficiencies. Every state also has its own line style and a word in the
// label, so a greyscale print still tells them apart.
const (
	colorFailed   = "#000000" // black fill, white text: in the failure set
	colorDown     = "#D55E00" // vermillion
	colorDegraded = "#E69F00" // orange
	colorUp       = "#FFFFFF"
	colorBlocked  = "#CC79A7" // reddish purple: a blocked failover
	colorPower    = "#0072B2" // blue: power feeds
	colorWhy      = "#000000"
)

// Levels are the --level values, coarsest first.
var Levels = []string{"site", "building", "rack", "host"}

// DiagramOptions choose what a diagram draws.
type DiagramOptions struct {
	// Result colours the diagram by a failure set's outcome; nil draws
	// the estate as it stands.
	Result *graph.Result
	// Focus, a feature id, prunes the diagram to what that feature
	// depends on; "" draws every feature.
	Focus string
	// Level collapses the physical tree to components of that kind (one
	// of Levels): what sits inside one is drawn as it. "" keeps all.
	Level string
	// MaxNodes and MaxEdges bound the drawing (0: DefaultMaxNodes,
	// DefaultMaxEdges).
	MaxNodes, MaxEdges int
}

// Diagram is a DOT graph built by NewDiagram.
type Diagram struct {
	// DOT is the graph in the DOT language, deterministic for a given
	// model and options.
	DOT []byte
	// Level is the level actually drawn ("" when not collapsed).
	Level string
	// Notes say what was collapsed to keep the drawing readable.
	Notes []string
	// Nodes and Edges count what is drawn.
	Nodes, Edges int
}

// NewDiagram draws model m as a DOT graph laid out left to right: features,
// services, the components their replicas run on, and the physical tree as
// nested clusters with power feeds as blue edges. Nodes are named n<id> (the
// model's dense id), so the output depends on the inventory only, never on
// map order. O(V+E).
func NewDiagram(m *graph.Model, opt DiagramOptions) (*Diagram, error) {
	maxNodes := opt.MaxNodes
	if maxNodes <= 0 {
		maxNodes = DefaultMaxNodes
	}
	maxEdges := opt.MaxEdges
	if maxEdges <= 0 {
		maxEdges = DefaultMaxEdges
	}
	var logical []int32
	if opt.Focus != "" {
		v, ok := m.Lookup(opt.Focus)
		if !ok || m.Kind(v) != graph.Feature {
			return nil, fmt.Errorf("--focus %q: no such feature", opt.Focus)
		}
		logical = cone(m, v)
	} else {
		logical = append(m.Nodes(graph.Feature), m.Nodes(graph.Service)...)
		slices.Sort(logical)
	}
	level := opt.Level
	if level != "" && !slices.Contains(Levels, level) {
		return nil, fmt.Errorf("--level %q: use %s", level, strings.Join(Levels, ", "))
	}
	var first *drawing // the drawing asked for, when it had to be collapsed
	for {
		d := layout(m, logical, level, opt.Result)
		if d.count() <= maxNodes && len(d.edges) <= maxEdges {
			var notes []string
			if first != nil {
				notes = append(notes, fmt.Sprintf("%d nodes and %d edges is more than the limits of %d and %d: physical tree collapsed to --level %s (%d nodes, %d edges)",
					first.count(), len(first.edges), maxNodes, maxEdges, level, d.count(), len(d.edges)))
			}
			var b bytes.Buffer
			d.write(&b, m, opt.Result)
			return &Diagram{DOT: b.Bytes(), Level: level, Notes: notes, Nodes: d.count(), Edges: len(d.edges)}, nil
		}
		if first == nil {
			first = d
		}
		next := coarser(level)
		if next == "" {
			hint := "narrow it with --focus FEATURE"
			if opt.Focus != "" {
				hint = "this feature needs too much to draw at once: write --format dot and lay it out elsewhere, or raise --diagram-max-edges and --render-timeout"
			}
			return nil, fmt.Errorf("the diagram would draw %d nodes and %d edges even with the physical tree collapsed to sites, more than the limits of %d nodes and %d edges; %s", d.count(), len(d.edges), maxNodes, maxEdges, hint)
		}
		level = next
	}
}

// coarser returns the level above l (host → rack → building → site).
func coarser(l string) string {
	switch l {
	case "":
		return "host"
	case "host":
		return "rack"
	case "rack":
		return "building"
	case "building":
		return "site"
	}
	return ""
}

// cone returns feature f and every service it depends on, directly or
// through other services or failover control planes, in id order.
func cone(m *graph.Model, f int32) []int32 {
	seen := map[int32]bool{f: true}
	stack := []int32{f}
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		next := m.Via(v)
		for _, g := range m.Groups(v) {
			if g.Kind == graph.GroupDep {
				next = append(slices.Clip(next), g.Members...)
			}
		}
		for _, x := range next {
			if !seen[x] && m.Kind(x) != graph.Component {
				seen[x] = true
				stack = append(stack, x)
			}
		}
	}
	out := make([]int32, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

type edgeKind uint8

const (
	edgeDep edgeKind = iota
	edgeSoft
	edgePlace
	edgeStandby
	edgeVia
	edgePower
	edgeNetwork
)

// edgeKindNames end the SVG ids of edges, e_nFROM_nTO_KIND, which tell
// apart the edges of different kinds between two nodes.
var edgeKindNames = [...]string{edgeDep: "dep", edgeSoft: "soft", edgePlace: "place", edgeStandby: "standby", edgeVia: "via", edgePower: "power", edgeNetwork: "network"}

type dotEdge struct {
	from, to int32
	kind     edgeKind
	label    string
}

// drawing is what a diagram holds before it is written.
type drawing struct {
	level    string            // the level the physical tree is collapsed to
	logical  []int32           // features and services
	comps    []int32           // drawn components, in id order
	drawn    map[int32]bool    // components drawn as nodes
	children map[int32][]int32 // cluster tree: parent → drawn components inside
	roots    []int32           // drawn components with no drawn parent
	anchored map[int32]bool    // components an edge points to or from
	edges    []dotEdge
}

func (d *drawing) count() int { return len(d.logical) + len(d.comps) }

// rep maps component v to the component that stands for it at level: its
// nearest ancestor-or-self of that kind, else itself.
func rep(m *graph.Model, v int32, level string) int32 {
	if level == "" {
		return v
	}
	for x := v; x >= 0; x = m.Parent(x) {
		if m.ComponentKind(x) == level {
			return x
		}
	}
	return v
}

func layout(m *graph.Model, logical []int32, level string, r *graph.Result) *drawing {
	d := &drawing{level: level, logical: logical, drawn: map[int32]bool{}, children: map[int32][]int32{}}
	in := map[int32]bool{}
	for _, v := range logical {
		in[v] = true
	}
	seen := map[[3]int32]bool{}
	addEdge := func(e dotEdge) {
		k := [3]int32{e.from, e.to, int32(e.kind)}
		if e.from == e.to || seen[k] {
			return
		}
		seen[k] = true
		d.edges = append(d.edges, e)
	}
	var queue []int32
	need := func(c int32) int32 {
		c = rep(m, c, level)
		if !d.drawn[c] {
			d.drawn[c] = true
			queue = append(queue, c)
		}
		return c
	}
	for _, v := range logical {
		for _, g := range m.Groups(v) {
			if g.Kind != graph.GroupDep {
				continue
			}
			kind, label := edgeDep, ""
			if g.Soft {
				kind = edgeSoft
			}
			if len(g.Members) > 1 {
				label = fmt.Sprintf("%d of %d", g.K, len(g.Members))
				if g.K == 1 {
					label = "any of"
				}
			}
			for _, x := range g.Members {
				if in[x] {
					addEdge(dotEdge{v, x, kind, label})
				}
			}
		}
		for _, p := range m.Placements(v) {
			kind := edgePlace
			if p.Standby {
				kind = edgeStandby
			}
			addEdge(dotEdge{v, need(p.On), kind, ""})
		}
		for _, x := range m.Via(v) {
			if in[x] {
				addEdge(dotEdge{v, x, edgeVia, "failover via"})
			}
		}
	}
	if r != nil {
		for _, c := range r.Failed {
			if m.Kind(c) == graph.Component {
				need(c)
			}
		}
	}
	// The physical closure: parents, power feeds and uplinks of what is drawn.
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		for _, g := range m.Groups(c) {
			for _, x := range g.Members {
				switch g.Kind {
				case graph.GroupParent:
					p := rep(m, x, level)
					if p == c {
						continue // collapsed into c
					}
					need(x)
				case graph.GroupPower:
					addEdge(dotEdge{c, need(x), edgePower, ""})
				case graph.GroupNetwork:
					addEdge(dotEdge{c, need(x), edgeNetwork, ""})
				}
			}
		}
	}
	for c := range d.drawn {
		d.comps = append(d.comps, c)
	}
	slices.Sort(d.comps)
	for _, c := range d.comps {
		p := m.Parent(c)
		if p >= 0 && rep(m, p, level) != c && d.drawn[rep(m, p, level)] {
			p = rep(m, p, level)
			d.children[p] = append(d.children[p], c)
		} else {
			d.roots = append(d.roots, c)
		}
	}
	d.anchored = map[int32]bool{}
	for _, e := range d.edges {
		d.anchored[e.from], d.anchored[e.to] = true, true
	}
	slices.SortFunc(d.edges, func(a, b dotEdge) int {
		if a.from != b.from {
			return int(a.from - b.from)
		}
		if a.to != b.to {
			return int(a.to - b.to)
		}
		return int(a.kind) - int(b.kind)
	})
	return d
}

// DOTString quotes s as a DOT string: backslashes (which Graphviz reads as
// escapes such as \N and \l) and quotes are escaped, newlines become \n and
// other control characters, line separators and bidirectional overrides
// (see unsafe) spaces. Any UTF-8 text is safe inside it.
func DOTString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case unsafe(r) || r == 0xfffd:
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func (d *drawing) write(b *bytes.Buffer, m *graph.Model, r *graph.Result) {
	title := m.Inv.Metadata.Name
	if r != nil && len(r.Failed) > 0 {
		var ids []string
		for _, v := range r.Failed {
			ids = append(ids, m.ID(v))
		}
		title += " — failed: " + strings.Join(ids, ", ")
	}
	b.WriteString("digraph blast {\n")
	fast := ""
	if len(d.edges) > fastLayoutEdges {
		fast = " mclimit=0.01, nslimit=1, splines=line,"
	}
	fmt.Fprintf(b, "  graph [rankdir=LR, newrank=true, compound=true,%s nodesep=0.25, ranksep=0.6, fontname=\"Helvetica\", label=%s, labelloc=t];\n", fast, DOTString(title))
	b.WriteString("  node [fontname=\"Helvetica\", fontsize=10, style=filled, fillcolor=\"#FFFFFF\"];\n")
	b.WriteString("  edge [fontname=\"Helvetica\", fontsize=8, color=\"#555555\"];\n")
	why := whyEdges(m, r, d.level)
	// Features and services, in id order.
	for _, kind := range []graph.NodeKind{graph.Feature, graph.Service} {
		fmt.Fprintf(b, "  subgraph %s {\n", kind)
		for _, v := range d.logical {
			if m.Kind(v) == kind {
				b.WriteString("    ")
				writeNode(b, m, r, v)
			}
		}
		b.WriteString("  }\n")
	}
	for _, c := range d.roots {
		d.writeComponent(b, m, r, c, "  ")
	}
	d.writeRanks(b, m, r)
	for _, e := range d.edges {
		attrs := edgeAttrs(e)
		if r != nil && e.kind == edgeVia && r.State(e.to) == graph.Down {
			if _, fo := r.Replicas(e.from); fo == graph.FailoverBlocked {
				attrs = []string{"label=\"failover BLOCKED\"", "color=\"" + colorBlocked + "\"", "fontcolor=\"" + colorBlocked + "\"", "penwidth=3", "style=bold", "arrowhead=tee"}
			}
		}
		if r != nil {
			if why[[2]int32{e.from, e.to}] {
				attrs = append(attrs, "penwidth=3", "color=\""+colorWhy+"\"")
			}
		}
		// The SVG keeps the id: the HTML report finds a why-chain's
		// edges by it.
		attrs = append([]string{fmt.Sprintf("id=\"e_n%d_n%d_%s\"", e.from, e.to, edgeKindNames[e.kind])}, attrs...)
		fmt.Fprintf(b, "  n%d -> n%d [%s];\n", e.from, e.to, strings.Join(attrs, ", "))
	}
	if r != nil {
		writeLegend(b)
	}
	b.WriteString("}\n")
}

func edgeAttrs(e dotEdge) []string {
	var a []string
	switch e.kind {
	case edgeSoft:
		a = append(a, "style=dashed")
	case edgeStandby:
		a = append(a, "style=dotted", "label=\"standby\"")
	case edgeVia:
		a = append(a, "style=dashed", "color=\""+colorBlocked+"\"")
	case edgePower:
		a = append(a, "color=\""+colorPower+"\"", "arrowhead=vee", "label=\"power\"", "fontcolor=\""+colorPower+"\"")
	case edgeNetwork:
		a = append(a, "color=\""+colorPower+"\"", "style=dashed", "label=\"network\"")
	}
	if e.label != "" && e.kind != edgeStandby {
		a = append(a, "label="+DOTString(e.label))
	}
	// A later label= wins in DOT; keep only the last one.
	return dedupLabel(a)
}

func dedupLabel(a []string) []string {
	last := -1
	for i, s := range a {
		if strings.HasPrefix(s, "label=") {
			last = i
		}
	}
	var out []string
	for i, s := range a {
		if strings.HasPrefix(s, "label=") && i != last {
			continue
		}
		out = append(out, s)
	}
	return out
}

func (d *drawing) writeComponent(b *bytes.Buffer, m *graph.Model, r *graph.Result, c int32, indent string) {
	kids := d.children[c]
	if len(kids) == 0 {
		b.WriteString(indent)
		writeNode(b, m, r, c)
		return
	}
	fmt.Fprintf(b, "%ssubgraph cluster_n%d {\n", indent, c)
	label := m.ComponentKind(c) + " " + m.Name(c)
	style, fill := "rounded", "#F7F7F7"
	if r != nil {
		switch {
		case r.IsFailed(c):
			style, fill = "rounded,bold", "#E0E0E0"
			label += " — FAILED"
		case r.State(c) == graph.Down:
			style, fill = "rounded,dashed", "#FBE3D6"
			label += " — DOWN"
		}
	}
	// Without a result the class stays Graphviz's own "cluster": the
	// page's style sheet tells nodes from clusters by it.
	class := ""
	if r != nil {
		class = " class=" + DOTString(stateClass(r, c)) + ";"
	}
	fmt.Fprintf(b, "%s  id=\"cluster_%s\";%s label=%s; style=%q; fillcolor=%q; fontsize=11;\n",
		indent, idAttr(m, c), class, DOTString(padWide(label)), "filled,"+style, fill)
	// The container itself, as a node, when an edge points to it or it
	// failed.
	if d.isNode(r, c) {
		b.WriteString(indent + "  ")
		writeNode(b, m, r, c)
	}
	for _, k := range kids {
		d.writeComponent(b, m, r, k, indent+"  ")
	}
	fmt.Fprintf(b, "%s}\n", indent)
}

// idAttr is the id a node carries in the SVG: its dense number, so the
// HTML report can find it whatever the inventory id holds.
func idAttr(m *graph.Model, v int32) string { return fmt.Sprintf("n%d", v) }

func stateClass(r *graph.Result, v int32) string {
	if r == nil {
		return "node"
	}
	switch {
	case r.IsFailed(v):
		return "failed"
	case r.State(v) == graph.Down:
		return "down"
	case r.State(v) == graph.Degraded:
		return "degraded"
	}
	return "up"
}

func writeNode(b *bytes.Buffer, m *graph.Model, r *graph.Result, v int32) {
	var label, shape string
	switch m.Kind(v) {
	case graph.Feature:
		f := m.Feature(v)
		shape = "box"
		label = m.Name(v) + "\n" + num.Count(f.Users) + " users"
		if f.Tier > 0 {
			label += fmt.Sprintf(" · tier %d", f.Tier)
		}
	case graph.Service:
		shape = "component"
		label = m.ID(v)
		if name := m.Name(v); name != "" && name != m.ID(v) {
			label = name + "\n" + m.ID(v)
		}
		if act, stby := m.Placed(v); act+stby > 0 {
			label += fmt.Sprintf("\n%d %s", act, num.Plural(act, "replica", "replicas"))
			if stby > 0 {
				label += fmt.Sprintf(" + %d standby", stby)
			}
		}
	default:
		shape = "box3d"
		switch m.ComponentKind(v) {
		case "power":
			shape = "cds"
		case "site", "building", "region":
			shape = "tab"
		case "host":
			shape = "box"
		}
		label = m.ComponentKind(v) + "\n" + m.Name(v)
	}
	attrs := []string{"id=" + DOTString(idAttr(m, v)), "shape=" + shape}
	fill, style, font := colorUp, "filled", "#000000"
	if r != nil {
		switch {
		case r.IsFailed(v):
			fill, style, font = colorFailed, "filled,bold", "#FFFFFF"
			label += "\nFAILED"
			attrs = append(attrs, "peripheries=2")
		case r.State(v) == graph.Down:
			fill, style = colorDown, "filled,dashed"
			label += "\nDOWN"
		case r.State(v) == graph.Degraded:
			fill, style = colorDegraded, "filled,dotted"
			label += "\nDEGRADED"
		}
		if _, fo := r.Replicas(v); fo == graph.FailoverBlocked {
			label += " · failover blocked"
		}
	}
	attrs = append(attrs, fmt.Sprintf("width=%.2f", nodeWidth(label, shape)), "class="+DOTString(stateClass(r, v)), "label="+DOTString(label),
		"tooltip="+DOTString(m.ID(v)), fmt.Sprintf("fillcolor=%q", fill), fmt.Sprintf("style=%q", style), fmt.Sprintf("fontcolor=%q", font))
	fmt.Fprintf(b, "n%d [%s];\n", v, strings.Join(attrs, ", "))
}

// whyEdges marks every edge on a why-chain of a feature that is not up.
// Components on a chain are first mapped to what stands for them at level
// (rep), as the drawing's edges are: a rack collapsed into its site makes
// the chain's last step the edge to the site.
func whyEdges(m *graph.Model, r *graph.Result, level string) map[[2]int32]bool {
	out := map[[2]int32]bool{}
	if r == nil {
		return out
	}
	for _, f := range m.Nodes(graph.Feature) {
		if r.State(f) == graph.Up {
			continue
		}
		chains, _ := r.Why(f, MaxWhy)
		for _, ch := range chains {
			for i := 0; i+1 < len(ch); i++ {
				a, b := ch[i], ch[i+1]
				if m.Kind(a) == graph.Component {
					a = rep(m, a, level)
				}
				if m.Kind(b) == graph.Component {
					b = rep(m, b, level)
				}
				if a != b {
					out[[2]int32{a, b}] = true
				}
			}
		}
	}
	return out
}

func writeLegend(b *bytes.Buffer) {
	// One column; Graphviz stacks a left-to-right rank bottom up, so the
	// entries are declared last first.
	b.WriteString(`  subgraph cluster_legend {
    id="cluster_legend"; label="Legend"; style="rounded"; fontsize=11;
    legend_c [label="blue: power feed", shape=plaintext, style=""];
    legend_b [label="tee, purple: failover BLOCKED", shape=plaintext, style=""];
    legend_a [label="bold edge: why-chain", shape=plaintext, style=""];
    legend_up [label="up", shape=box, style="filled", fillcolor="` + colorUp + `"];
    legend_degraded [label="DEGRADED", shape=box, style="filled,dotted", fillcolor="` + colorDegraded + `"];
    legend_down [label="DOWN", shape=box, style="filled,dashed", fillcolor="` + colorDown + `"];
    legend_failed [label="FAILED\n(in the failure set)", shape=box, style="filled,bold", peripheries=2, fillcolor="` + colorFailed + `", fontcolor="#FFFFFF"];
    { rank=same; legend_c; legend_b; legend_a; legend_up; legend_degraded; legend_down; legend_failed; }
  }
`)
}

// isNode reports whether component c is written as a node: a leaf of the
// drawn tree, or a container an edge points to or that failed.
func (d *drawing) isNode(r *graph.Result, c int32) bool {
	return len(d.children[c]) == 0 || d.anchored[c] || (r != nil && r.IsFailed(c))
}

// layers gives each drawn node a column, left to right: features in
// column 0; each service right of the features and services that need it;
// then every component right of every service, each right of what is
// placed on it, of the components inside it and of what it powers or
// links (hosts, racks, power feeds, buildings, sites). It returns the
// columns in order, each a sorted list of ids; a node on a cycle of edges
// gets no column. O(V+E).
func (d *drawing) layers(m *graph.Model) [][]int32 {
	layer := map[int32]int{}
	longest := func(nodes []int32, arcs map[int32][]int32, floor func(int32) int) {
		indeg := map[int32]int{}
		for _, v := range nodes {
			indeg[v] += 0
			for _, w := range arcs[v] {
				indeg[w]++
			}
		}
		for _, v := range nodes {
			layer[v] = max(layer[v], floor(v))
		}
		var queue []int32
		for _, v := range nodes {
			if indeg[v] == 0 {
				queue = append(queue, v)
			}
		}
		done := map[int32]bool{}
		for len(queue) > 0 {
			v := queue[0]
			queue = queue[1:]
			done[v] = true
			for _, w := range arcs[v] {
				layer[w] = max(layer[w], layer[v]+1)
				if indeg[w]--; indeg[w] == 0 {
					queue = append(queue, w)
				}
			}
		}
		for _, v := range nodes {
			if !done[v] {
				delete(layer, v) // on a cycle
			}
		}
	}
	logical, physical := map[int32][]int32{}, map[int32][]int32{}
	for _, e := range d.edges {
		switch {
		case m.Kind(e.from) != graph.Component && m.Kind(e.to) != graph.Component:
			logical[e.from] = append(logical[e.from], e.to)
		case m.Kind(e.from) == graph.Component:
			physical[e.from] = append(physical[e.from], e.to)
		}
	}
	for p, kids := range d.children {
		for _, c := range kids {
			physical[c] = append(physical[c], p)
		}
	}
	for _, arcs := range []map[int32][]int32{logical, physical} {
		for v := range arcs {
			slices.Sort(arcs[v])
		}
	}
	longest(d.logical, logical, func(v int32) int {
		if m.Kind(v) == graph.Feature {
			return 0
		}
		return 1
	})
	base := 1
	for _, v := range d.logical {
		if l, ok := layer[v]; ok {
			base = max(base, l+1)
		}
	}
	longest(d.comps, physical, func(int32) int { return base })
	var cols [][]int32
	for v, l := range layer {
		for len(cols) <= l {
			cols = append(cols, nil)
		}
		cols[l] = append(cols[l], v)
	}
	for _, c := range cols {
		slices.Sort(c)
	}
	return cols
}

// writeRanks lays the diagram out in columns (layers): each column's
// nodes on one rank, features on the first, and an invisible edge from
// each column to the next so that the columns keep their order even
// where no drawn edge joins them.
func (d *drawing) writeRanks(b *bytes.Buffer, m *graph.Model, r *graph.Result) {
	var prev int32 = -1
	for i, col := range d.layers(m) {
		var ids []string
		first := int32(-1) // the column's first drawn node
		for _, v := range col {
			if m.Kind(v) != graph.Component || d.isNode(r, v) {
				ids = append(ids, fmt.Sprintf("n%d", v))
				if first < 0 {
					first = v
				}
			}
		}
		if len(ids) == 0 {
			continue
		}
		rank := "same"
		if i == 0 {
			rank = "min"
		}
		fmt.Fprintf(b, "  { rank=%s; %s; }\n", rank, strings.Join(ids, "; "))
		if prev >= 0 {
			fmt.Fprintf(b, "  n%d -> %s [style=invis, weight=0];\n", prev, ids[0])
		}
		prev = first
	}
}

// Graphviz, running here without font metrics, takes an East Asian wide
// character (Hangul, CJK, kana) for about 0.83 em and a no-break space for
// about 0.55 em, where fonts draw the former 1 em wide: a long Korean name
// spilled out of its box.
const (
	nodeFontSize  = 10   // points, as the node default in write
	nodeMargin    = 0.22 // inches: Graphviz's default node margin, both sides
	gvWideEm      = 0.83
	gvNoBreakEm   = 0.55
	wideEm, narEm = 1.0, 0.6
)

// wideRune reports whether r is drawn about 1 em wide: East Asian wide
// and fullwidth characters (Unicode's East Asian Width W and F), and the
// common emoji.
func wideRune(r rune) bool {
	switch {
	case r >= 0x1100 && r <= 0x115F, r >= 0x2E80 && r <= 0x303E, r >= 0x3041 && r <= 0x33FF,
		r >= 0x3400 && r <= 0x4DBF, r >= 0x4E00 && r <= 0x9FFF, r >= 0xA000 && r <= 0xA4CF,
		r >= 0xA960 && r <= 0xA97F, r >= 0xAC00 && r <= 0xD7A3, r >= 0xF900 && r <= 0xFAFF,
		r >= 0xFE30 && r <= 0xFE4F, r >= 0xFF00 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6,
		r >= 0x1F300 && r <= 0x1F64F, r >= 0x1F900 && r <= 0x1F9FF, r >= 0x20000 && r <= 0x3FFFD:
		return true
	}
	return false
}

// LabelWidth estimates, in points, how wide text set at size points
// draws: its widest line, with East Asian wide characters at 1 em and
// others at 0.6 em. O(len(text)).
func LabelWidth(text string, size float64) float64 {
	widest := 0.0
	for _, line := range strings.Split(text, "\n") {
		w := 0.0
		for _, r := range line {
			if wideRune(r) {
				w += wideEm
			} else {
				w += narEm
			}
		}
		widest = max(widest, w*size)
	}
	return widest
}

// nodeWidth is the least width, in inches, of a node of shape that holds
// label: Graphviz widens a node past it when it measures more, never
// narrows it.
func nodeWidth(label, shape string) float64 {
	extra := 0.0
	switch shape {
	case "component", "tab":
		extra = 0.2 // the side tabs
	case "box3d":
		extra = 0.1 // the depth
	case "cds":
		extra = 0.4 // the arrow head
	}
	return LabelWidth(label, nodeFontSize)/72 + nodeMargin + extra
}

// padWide pads a cluster label that holds East Asian wide characters with
// no-break spaces on both sides, as many as make up what Graphviz
// underestimates, so that the cluster is drawn wide enough for it (a
// cluster has no width attribute).
func padWide(label string) string {
	wide := 0
	for _, line := range strings.Split(label, "\n") {
		n := 0
		for _, r := range line {
			if wideRune(r) {
				n++
			}
		}
		wide = max(wide, n)
	}
	if wide == 0 {
		return label
	}
	side := int(math.Ceil(float64(wide)*(wideEm-gvWideEm)/gvNoBreakEm/2)) + 1
	pad := strings.Repeat("\u00a0", side)
	return pad + label + pad
}
