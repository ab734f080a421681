package out

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/inventory"
	"go.yaml.in/yaml/v4"
)

// mefName turns an id into an Open-PSA name: letters, digits and
// underscores, single dashes inside; anything else becomes an underscore.
// The caller keeps names unique.
func mefName(id string) string {
	var b strings.Builder
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		case r == '-' && b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteRune(r)
		case r > 0x7f:
			fmt.Fprintf(&b, "_u%X_", r)
		default:
			b.WriteByte('_')
		}
	}
	s := strings.TrimRight(b.String(), "-")
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		s = "n" + s
	}
	return s
}

func xmlAttr(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return strings.ReplaceAll(b.String(), `"`, "&#34;")
}

// WriteOpenPSA writes the forest ft (Model.Forest over features) as an
// Open-PSA MEF 2.0 document: one define-fault-tree holding a top gate per
// root named after it, a gate per model node and its parts, and the basic
// events in model-data with their probabilities (p[i] for ft.Events[i];
// has[i] false: no probability written). Names are made MEF-safe; the
// original id rides along as the blast-id attribute where it differs.
// A root whose down function is constant (it cannot go down, or is down
// already) gets an XML comment instead of a gate. Deterministic: gates in
// construction order, events in fault-tree order.
func WriteOpenPSA(w io.Writer, m *graph.Model, name string, ft *graph.FaultTree, p []float64, has []bool) error {
	bw := bufio.NewWriter(w)
	used := map[string]bool{}
	unique := func(base string) string {
		s := base
		for i := 2; used[s]; i++ {
			s = base + "_" + strconv.Itoa(i)
		}
		used[s] = true
		return s
	}
	idAttr := func(n, id string) string {
		if n == id || id == "" {
			return ""
		}
		return fmt.Sprintf("\n      <attributes><attribute name=\"%s\" value=\"%s\"/></attributes>", inventory.OpenPSAIDAttribute, xmlAttr(id))
	}
	// Roots first, so that feature names stay as they are.
	rootName := map[int32]string{}
	for i, r := range ft.Roots {
		if ft.Tops[i] != graph.True && ft.Tops[i] != graph.False {
			rootName[r] = unique(mefName(m.ID(r)))
		}
	}
	eventName := make([]string, len(ft.Events))
	for i, e := range ft.Events {
		eventName[i] = unique(mefName(e.ID))
	}
	gateName := make([]string, len(ft.Gates))
	part := map[int32]int{}
	named := map[int32]bool{}
	for i, g := range ft.Gates {
		if g.Named && !named[g.Owner] {
			named[g.Owner] = true
			if n, ok := rootName[g.Owner]; ok && ft.Tops[indexOf(ft.Roots, g.Owner)] == graph.GateArg(i) {
				gateName[i] = n
				continue
			}
			gateName[i] = unique(mefName(m.ID(g.Owner)) + "_down")
			continue
		}
		part[g.Owner]++
		gateName[i] = unique(mefName(m.ID(g.Owner)) + "_part" + strconv.Itoa(part[g.Owner]))
	}
	ref := func(a graph.Arg) string {
		if e, ok := a.Event(); ok {
			return fmt.Sprintf(`<basic-event name="%s"/>`, eventName[e])
		}
		if a == graph.True || a == graph.False {
			return fmt.Sprintf(`<constant value="%v"/>`, a == graph.True)
		}
		gi, _ := a.Gate()
		return fmt.Sprintf(`<gate name="%s"/>`, gateName[gi])
	}

	fmt.Fprintf(bw, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opsa-mef>\n  <define-fault-tree name=\"%s\">\n", xmlAttr(mefName(name)))
	for i, r := range ft.Roots {
		if _, ok := rootName[r]; !ok {
			state := "never goes down"
			if ft.Tops[i] == graph.True {
				state = "is down already"
			}
			fmt.Fprintf(bw, "    <!-- %s %s: no gate -->\n", strings.ReplaceAll(xmlAttr(m.ID(r)), "--", "- -"), state)
		}
	}
	for i, g := range ft.Gates {
		var id string // only top gates carry ids: they become features
		if _, root := rootName[g.Owner]; root && g.Named {
			id = m.ID(g.Owner)
		}
		fmt.Fprintf(bw, "    <define-gate name=\"%s\">%s\n", gateName[i], idAttr(gateName[i], id))
		switch g.Op {
		case graph.OpAtLeast:
			fmt.Fprintf(bw, "      <atleast min=\"%d\">\n", g.K)
		default:
			fmt.Fprintf(bw, "      <%s>\n", g.Op)
		}
		for _, a := range g.Args {
			fmt.Fprintf(bw, "        %s\n", ref(a))
		}
		fmt.Fprintf(bw, "      </%s>\n    </define-gate>\n", g.Op)
	}
	// Roots whose down function is an event or another node's gate.
	for i, r := range ft.Roots {
		n, ok := rootName[r]
		if !ok {
			continue
		}
		if gi, isGate := ft.Tops[i].Gate(); isGate && gateName[gi] == n {
			continue
		}
		fmt.Fprintf(bw, "    <define-gate name=\"%s\">%s\n      %s\n    </define-gate>\n", n, idAttr(n, m.ID(r)), ref(ft.Tops[i]))
	}
	fmt.Fprintf(bw, "  </define-fault-tree>\n  <model-data>\n")
	for i, e := range ft.Events {
		fmt.Fprintf(bw, "    <define-basic-event name=\"%s\">%s", eventName[i], idAttr(eventName[i], e.ID))
		if has[i] {
			fmt.Fprintf(bw, "\n      <float value=\"%s\"/>", strconv.FormatFloat(p[i], 'g', -1, 64))
		}
		fmt.Fprintf(bw, "\n    </define-basic-event>\n")
	}
	fmt.Fprintf(bw, "  </model-data>\n</opsa-mef>\n")
	return bw.Flush()
}

func indexOf(xs []int32, x int32) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	return -1
}

// WriteInventoryYAML writes an inventory read from Open-PSA (components
// with kind and unavailability, services and features with dependencies)
// as a blast/v1 YAML inventory, in the order the entities were read.
func WriteInventoryYAML(w io.Writer, inv *inventory.Inventory) error {
	type comp struct {
		ID             string   `yaml:"id"`
		Kind           string   `yaml:"kind"`
		Unavailability *float64 `yaml:"unavailability,omitempty"`
		Source         string   `yaml:"source,omitempty"`
	}
	type node struct {
		ID        string `yaml:"id"`
		DependsOn []any  `yaml:"dependsOn"`
		Source    string `yaml:"source,omitempty"`
	}
	deps := func(ds []inventory.Dep) []any {
		var out []any
		for _, d := range ds {
			ids := make([]string, len(d.Of))
			for i, r := range d.Of {
				ids[i] = r.ID
			}
			switch d.Kind {
			case inventory.DepHard:
				out = append(out, ids[0])
			case inventory.DepAnyOf:
				out = append(out, map[string]any{"anyOf": ids})
			default:
				out = append(out, struct {
					AtLeast int      `yaml:"atLeast"`
					Of      []string `yaml:"of"`
				}{d.K, ids})
			}
		}
		return out
	}
	doc := struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Components []comp `yaml:"components,omitempty"`
		Services   []node `yaml:"services,omitempty"`
		Features   []node `yaml:"features,omitempty"`
	}{APIVersion: inventory.APIVersion, Kind: "Inventory"}
	for _, c := range inv.Components {
		doc.Components = append(doc.Components, comp{c.ID, c.Kind, c.Unavailability, c.Source})
	}
	for _, s := range inv.Services {
		doc.Services = append(doc.Services, node{s.ID, deps(s.DependsOn), s.Source})
	}
	for _, f := range inv.Features {
		doc.Features = append(doc.Features, node{f.ID, deps(f.DependsOn), f.Source})
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	return enc.Close()
}
