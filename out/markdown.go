package out

import (
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/internal/num"
)

// Mermaid's default limits, as GitHub renders charts: past either, a
// chart does not render at all.
const (
	MermaidMaxChars = 50000
	MermaidMaxEdges = 500
)

// MD escapes inventory text for Markdown, where it never starts a line:
// the punctuation that could open emphasis, code, a link, an image, a
// table cell, an HTML tag or entity, math or a mention is backslash-escaped;
// line breaks, other control characters and bidirectional formatting
// characters become spaces. Korean and other non-ASCII text is kept.
func MD(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unsafe(r):
			b.WriteByte(' ')
		case r < 0x80 && strings.ContainsRune("\\`*_[]<>#+!|~&$@", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// MermaidLabel quotes s as a Mermaid node label: ASCII letters, digits,
// spaces, "-.,:/()" and non-ASCII text are kept, every other character is written as
// Mermaid's numeric entity code (#34; for a quote), control characters as
// spaces. The label cannot end the string, open markup or a link.
func MermaidLabel(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case unsafe(r):
			b.WriteByte(' ')
		case r >= 0x80 || strings.ContainsRune(" -.,:/()", r) || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, "#%d;", r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// mermaid builds one flowchart within Mermaid's limits.
type mermaid struct {
	nodes     map[int32]bool
	nodeLines []string
	edgeLines []string
	chars     int
	dropped   int
}

func newMermaid() *mermaid { return &mermaid{nodes: map[int32]bool{}} }

// MermaidMaxLabel bounds a chart label, in characters: a longer name is
// cut with "…", so that no name can push a chart past MermaidMaxChars.
const MermaidMaxLabel = 80

// node declares v with a label and a class, once.
func (c *mermaid) node(m *graph.Model, v int32, class string) string {
	if !c.nodes[v] {
		c.nodes[v] = true
		label := m.Name(v)
		if m.Kind(v) == graph.Component {
			label = m.ComponentKind(v) + " " + label
		}
		line := fmt.Sprintf("  n%d[%s]", v, MermaidLabel(cut(label, MermaidMaxLabel)))
		if class != "" {
			line += ":::" + class
		}
		c.nodeLines = append(c.nodeLines, line)
		c.chars += len(line) + 1
	}
	return fmt.Sprintf("n%d", v)
}

// edge adds an edge from a to b unless the chart is full; it reports
// whether it did. Both nodes must have been declared with node.
func (c *mermaid) edge(a, b int32, arrow string) bool {
	line := fmt.Sprintf("  n%d %s n%d", a, arrow, b)
	if len(c.edgeLines)+1 > MermaidMaxEdges || c.chars+len(line)+1 > MermaidMaxChars-2000 {
		c.dropped++
		return false
	}
	c.edgeLines = append(c.edgeLines, line)
	c.chars += len(line) + 1
	return true
}

// full reports whether adding more would pass the limits.
func (c *mermaid) full() bool {
	return len(c.edgeLines) >= MermaidMaxEdges || c.chars > MermaidMaxChars-2000
}

func (c *mermaid) write(w io.Writer, classes bool) {
	fmt.Fprintln(w, "```mermaid")
	fmt.Fprintln(w, "flowchart LR")
	if classes {
		fmt.Fprintln(w, "  classDef failed fill:#000000,color:#ffffff,stroke:#000000,stroke-width:3px")
		fmt.Fprintln(w, "  classDef down fill:#D55E00,color:#000000,stroke:#000000,stroke-dasharray:4 2")
		fmt.Fprintln(w, "  classDef degraded fill:#E69F00,color:#000000,stroke:#000000,stroke-dasharray:1 2")
		fmt.Fprintln(w, "  classDef up fill:#FFFFFF,color:#000000,stroke:#000000")
	}
	for _, l := range c.nodeLines {
		fmt.Fprintln(w, l)
	}
	for _, l := range c.edgeLines {
		fmt.Fprintln(w, l)
	}
	fmt.Fprintln(w, "```")
}

// WriteMarkdown writes the report as GitHub-flavoured Markdown: an
// executive summary, tables, and Mermaid flowcharts kept within Mermaid's
// limits (past them a chart is truncated with a note that points at the
// SVG diagram). Inventory text is escaped everywhere (MD, MermaidLabel).
func WriteMarkdown(w io.Writer, r *Report) error {
	ew := &errWriter{w: w}
	p := func(format string, args ...any) { fmt.Fprintf(ew, format, args...) }
	m := r.m
	a := r.Audit
	p("# Blast report: %s\n\n", MD(r.Title))
	p("Generated %s by blast %s from %s.\n\n", r.Now.Format("2006-01-02 15:04 UTC"), MD(r.Version), mdCodeList(r.Inputs))

	p("## Executive summary\n\n")
	worst := r.worstDomains()
	p("- **%d %s** serve %s users in all.\n", a.Summary.Features, num.Plural(a.Summary.Features, "feature", "features"), Count(a.Summary.Users))
	if len(worst) > 0 {
		d := worst[0]
		p("- The worst single failure is the %s **%s**: %d %s down (%s users), %d degraded.\n",
			MD(d.Kind), MD(d.ID), len(d.FeaturesDown), num.Plural(len(d.FeaturesDown), "feature", "features"), Count(d.UsersDown), len(d.FeaturesDegraded))
	} else {
		p("- No single failure domain (%s) takes any feature down.\n", MD(strings.Join(a.Kinds, ", ")))
	}
	p("- %d of %d %s %s a single point of failure; for %d of them the redundancy is only on paper (standby replicas whose failover needs something that fails with the active ones).\n",
		a.Summary.FeaturesWithSPOF, a.Summary.Features, num.Plural(a.Summary.Features, "feature", "features"), num.Plural(a.Summary.FeaturesWithSPOF, "has", "have"), a.Summary.FeaturesPaper)
	if c := r.Check; c != nil {
		verdict := "passes"
		if !c.Passed {
			verdict = "fails"
		}
		p("- Policy **%s** %s: %d %s (%d %s, %d %s, %d %s).\n", MD(c.Policy), verdict, c.Summary.Findings, num.Plural(c.Summary.Findings, "finding", "findings"),
			c.Summary.Errors, num.Plural(c.Summary.Errors, "error", "errors"), c.Summary.Warnings, num.Plural(c.Summary.Warnings, "warning", "warnings"),
			c.Summary.Notes, num.Plural(c.Summary.Notes, "note", "notes"))
	}
	if s := r.Simulation; s != nil {
		p("- With %s failed: %d %s down (%s users), %d degraded (%s users).\n", mdCodeList(s.Failed),
			s.Summary.FeaturesDown, num.Plural(s.Summary.FeaturesDown, "feature", "features"), Count(s.Summary.UsersDown),
			s.Summary.FeaturesDegraded, Count(s.Summary.UsersDegraded))
	}
	p("\n")

	if s := r.Simulation; s != nil {
		p("## What fails with %s\n\n", mdCodeList(s.Failed))
		aff := r.affected()
		if len(aff) == 0 {
			p("Every feature stays up.\n\n")
		} else {
			p("| Feature | State | Users | Tier | Why |\n| --- | --- | ---: | ---: | --- |\n")
			for _, f := range aff {
				p("| %s | %s | %s | %s | %s |\n", mdName(f.ID, f.Name), strings.ToUpper(f.State), Count(f.Users), tierCell(f.Tier), mdWhy(m, f.Why, f.WhyTotal))
			}
			p("\n")
			r.writeFailureChart(ew, aff)
		}
	}

	p("## Worst single failures\n\n")
	if len(worst) == 0 {
		p("No single failure domain takes any feature down or degrades it.\n\n")
	} else {
		p("Each failure domain (%s) lost alone, ranked by users down.\n\n", MD(strings.Join(a.Kinds, ", ")))
		p("| # | Domain | Kind | Users down | Users degraded | Features down |\n| ---: | --- | --- | ---: | ---: | --- |\n")
		for i, d := range worst {
			p("| %d | %s | %s | %s | %s | %s |\n", i+1, mdName(d.ID, d.Name), MD(d.Kind), Count(d.UsersDown), Count(d.UsersDegraded), mdIDList(d.FeaturesDown, 8))
		}
		p("\n")
	}

	p("## Single points of failure\n\n")
	spof := r.spofFeatures()
	if len(spof) == 0 {
		p("No feature has a single point of failure.\n\n")
	} else {
		p("Redundancy *none*: nothing else could take over. *Paper*: standby replicas ran elsewhere, but their failover needed a service that fails with the active ones.\n\n")
		p("| Feature | Tier | Users | Redundancy | Single points of failure |\n| --- | ---: | ---: | --- | --- |\n")
		for _, f := range spof {
			red := f.Redundancy
			if red == "paper" {
				var blocked []string
				for _, pe := range f.Paper {
					blocked = append(blocked, pe.BlockedBy...)
				}
				slices.Sort(blocked)
				red = "**paper** (failover via " + mdIDList(slices.Compact(blocked), 4) + ")"
			}
			p("| %s | %s | %s | %s | %s |\n", mdName(f.ID, f.Name), tierCell(f.Tier), Count(f.Users), red, mdIDList(f.SPOF, 8))
		}
		p("\n")
	}

	if c := r.Check; c != nil {
		p("## Policy findings\n\n")
		if len(c.Findings) == 0 {
			p("Policy **%s**: no findings.\n\n", MD(c.Policy))
		} else {
			p("Policy **%s**.\n\n| Severity | Rule | Subject | Failure | Finding |\n| --- | --- | --- | --- | --- |\n", MD(c.Policy))
			for _, f := range c.Findings {
				failure := ""
				if f.Failure != "" {
					failure = mdCodeSpan(f.Failure)
				}
				p("| %s | %s | %s | %s | %s |\n", MD(f.Severity), MD(f.Rule), mdCodeSpan(f.Subject), failure, MD(f.Message))
			}
			p("\n")
		}
	}

	p("## Dependencies\n\n")
	p("Features, the services they need, and the sites their replicas run in.\n\n")
	r.writeDependencyChart(ew)
	return ew.err
}

// writeFailureChart draws the why-chains of the affected features.
func (r *Report) writeFailureChart(w io.Writer, aff []FeatureState) {
	m, res := r.m, r.Simulation.Result()
	c := newMermaid()
	seen := map[[2]int32]bool{}
	truncated := false
	for _, f := range aff {
		chains, _ := res.Why(f.node, MaxWhy)
		for _, ch := range chains {
			for i := 0; i+1 < len(ch); i++ {
				e := [2]int32{ch[i], ch[i+1]}
				if seen[e] {
					continue
				}
				if c.full() {
					truncated = true
					break
				}
				seen[e] = true
				c.node(m, e[0], stateClass(res, e[0]))
				c.node(m, e[1], stateClass(res, e[1]))
				c.edge(e[0], e[1], "-->")
			}
			if len(ch) == 1 {
				c.node(m, ch[0], stateClass(res, ch[0]))
			}
		}
	}
	fmt.Fprintf(w, "Why-chains: each arrow points from a feature or service to what it needed that failed; the failure set is black.\n\n")
	c.write(w, true)
	if truncated || c.dropped > 0 {
		r.truncNote(w)
	}
	fmt.Fprintln(w)
}

// writeDependencyChart draws features → services → sites.
func (r *Report) writeDependencyChart(w io.Writer) {
	m := r.m
	c := newMermaid()
	truncated := false
	site := func(v int32) int32 {
		x := v
		for ; x >= 0; x = m.Parent(x) {
			if k := m.ComponentKind(x); k == "site" {
				return x
			}
			if m.Parent(x) < 0 {
				return x
			}
		}
		return v
	}
	logical := append(m.Nodes(graph.Feature), m.Nodes(graph.Service)...)
	for _, v := range logical {
		var targets []int32
		for _, g := range m.Groups(v) {
			if g.Kind == graph.GroupDep {
				targets = append(targets, g.Members...)
			}
		}
		var sites []int32
		for _, p := range m.Placements(v) {
			sites = append(sites, site(p.On))
		}
		slices.Sort(targets)
		slices.Sort(sites)
		for _, list := range [][]int32{slices.Compact(targets), slices.Compact(sites)} {
			for _, x := range list {
				if c.full() {
					truncated = true
					break
				}
				c.node(m, v, "")
				c.node(m, x, "")
				c.edge(v, x, "-->")
			}
		}
	}
	c.write(w, false)
	if truncated || c.dropped > 0 {
		r.truncNote(w)
	}
}

// truncNote says that a chart was cut, and links the SVG of the whole
// diagram written next to the report, or gives the command that draws it.
func (r *Report) truncNote(w io.Writer) {
	r.Truncated = true
	fmt.Fprintf(w, "\n> **Truncated:** this chart stops at Mermaid's limits (%d edges, %d characters). ", MermaidMaxEdges, MermaidMaxChars)
	if r.DiagramTooLarge {
		fmt.Fprintf(w, "The whole estate is too large to draw in one picture; draw one feature at a time: %s\n", mdCodeSpan(r.DiagramCommand+" --focus FEATURE"))
		return
	}
	if r.DiagramLink != "" {
		fmt.Fprintf(w, "The whole picture: [%s](%s), drawn by %s.\n", MD(r.DiagramLink), mdLinkTarget(r.DiagramLink), mdCodeSpan(r.DiagramCommand))
		return
	}
	fmt.Fprintf(w, "For the whole picture, draw the SVG: %s\n", mdCodeSpan(r.DiagramCommand))
}

// mdLinkTarget writes a relative path as a Markdown link destination:
// each path segment percent-escaped, so that spaces, parentheses and
// brackets cannot end it.
func mdLinkTarget(path string) string {
	parts := strings.Split(filepath.ToSlash(path), "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	// PathEscape keeps these, which end or open a link in Markdown.
	return strings.NewReplacer("(", "%28", ")", "%29", "[", "%5B", "]", "%5D", "<", "%3C", ">", "%3E").Replace(strings.Join(parts, "/"))
}

// cut shortens s to at most n characters, the last one "…".
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func tierCell(t int) string {
	if t == 0 {
		return ""
	}
	return fmt.Sprint(t)
}

// mdCodeSpan writes s as a Markdown code span that shows it as written:
// fenced by one more backtick than its longest run of backticks, and
// padded with a space on each side (which CommonMark removes) when it
// holds any. Pipes (which end a table cell even there) and control
// characters become look-alikes, as in mdCode.
func mdCodeSpan(s string) string {
	s = mdCode(s)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	if longest == 0 {
		return "`" + s + "`"
	}
	fence := strings.Repeat("`", longest+1)
	return fence + " " + s + " " + fence
}

// mdCode makes s safe inside a Markdown code span written by mdCodeSpan:
// pipes (which end a table cell even there) and control characters
// become look-alikes.
func mdCode(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '|':
			return '¦'
		case r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || (r >= 0x80 && r < 0xa0):
			return ' '
		}
		return r
	}, s)
}

func mdCodeList(ss []string) string {
	var out []string
	for _, s := range ss {
		out = append(out, mdCodeSpan(s))
	}
	return strings.Join(out, ", ")
}

func mdIDList(ss []string, limit int) string {
	if len(ss) > limit {
		return mdCodeList(ss[:limit]) + fmt.Sprintf(" and %d more", len(ss)-limit)
	}
	return mdCodeList(ss)
}

func mdName(id, name string) string {
	if name == "" || name == id {
		return mdCodeSpan(id)
	}
	return MD(name) + " (" + mdCodeSpan(id) + ")"
}

func mdWhy(m *graph.Model, chains [][]string, total int) string {
	var parts []string
	for i, ch := range chains {
		if i == 2 {
			break
		}
		var ids []string
		for _, id := range ch {
			ids = append(ids, mdCodeSpan(id))
		}
		parts = append(parts, strings.Join(ids, " ← "))
	}
	n := max(total, len(chains))
	s := strings.Join(parts, "; ")
	if n > 2 {
		s += fmt.Sprintf("; %d causes in all", n)
	}
	return s
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
