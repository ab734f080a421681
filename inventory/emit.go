package inventory

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// Encode writes inv as a blast/v1 inventory in format "yaml" or "json".
// Fields come in the order of the schema, labels and defaults in key order,
// entities in the order given (importers sort them by id), so the same
// inventory always gives the same bytes. Strings are quoted wherever YAML
// would otherwise read them as something else. O(size of inv).
func Encode(inv *Inventory, format string) ([]byte, error) {
	root := inventoryNode(inv)
	switch format {
	case "yaml":
		var b bytes.Buffer
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if err := enc.Encode(root); err != nil {
			return nil, err
		}
		if err := enc.Close(); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	case "json":
		var b bytes.Buffer
		if err := writeJSON(&b, root, ""); err != nil {
			return nil, err
		}
		b.WriteByte('\n')
		return b.Bytes(), nil
	}
	return nil, fmt.Errorf("unknown format %q: use yaml or json", format)
}

// obj builds a YAML mapping in the order fields are added.
type obj struct{ n *yaml.Node }

func newObj() obj { return obj{&yaml.Node{Kind: yaml.MappingNode}} }

func (o obj) add(key string, v *yaml.Node) {
	if v == nil {
		return
	}
	o.n.Content = append(o.n.Content, strNode(key), v)
}

func (o obj) str(key, v string) {
	if v != "" {
		o.add(key, strNode(v))
	}
}

func (o obj) int(key string, v int64) {
	if v != 0 {
		o.add(key, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(v, 10)})
	}
}

func (o obj) bool(key string, v bool) {
	if v {
		o.add(key, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
	}
}

func (o obj) duration(key string, d Duration) {
	if d > 0 {
		o.str(key, d.String())
	}
}

func (o obj) labels(key string, m map[string]string) {
	if len(m) == 0 {
		return
	}
	l := newObj()
	for _, k := range sortedKeys(m) {
		l.add(k, strNode(m[k]))
	}
	o.add(key, l.n)
}

func (o obj) reliability(r Reliability) {
	if r.Unavailability != nil {
		o.add("unavailability", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(*r.Unavailability, 'g', -1, 64)})
	}
	o.duration("mtbf", r.MTBF)
	o.duration("mttr", r.MTTR)
}

func strNode(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if strings.Contains(s, "\n") {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

func seq(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Content: items}
}

func refsNode(refs []Ref) *yaml.Node {
	s := seq()
	for _, r := range refs {
		s.Content = append(s.Content, strNode(r.ID))
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func inventoryNode(inv *Inventory) *yaml.Node {
	o := newObj()
	o.str("apiVersion", APIVersion)
	o.str("kind", "Inventory")
	if m := inv.Metadata; m.Name != "" || m.Description != "" || len(m.Labels) > 0 {
		mo := newObj()
		mo.str("name", m.Name)
		mo.str("description", m.Description)
		mo.labels("labels", m.Labels)
		o.add("metadata", mo.n)
	}
	if len(inv.Components) > 0 {
		s := seq()
		for i := range inv.Components {
			s.Content = append(s.Content, componentNode(&inv.Components[i]))
		}
		o.add("components", s)
	}
	if len(inv.Services) > 0 {
		s := seq()
		for i := range inv.Services {
			s.Content = append(s.Content, serviceNode(&inv.Services[i]))
		}
		o.add("services", s)
	}
	if len(inv.Features) > 0 {
		s := seq()
		for i := range inv.Features {
			s.Content = append(s.Content, featureNode(&inv.Features[i]))
		}
		o.add("features", s)
	}
	if d := inv.Defaults; d != nil {
		do := newObj()
		if len(d.Kinds) > 0 {
			ko := newObj()
			for _, k := range sortedKeys(d.Kinds) {
				r := newObj()
				r.reliability(d.Kinds[k])
				ko.add(k, r.n)
			}
			do.add("kinds", ko.n)
		}
		if d.Services != nil {
			r := newObj()
			r.reliability(*d.Services)
			do.add("services", r.n)
		}
		if len(d.Tiers) > 0 {
			to := newObj()
			for _, k := range sortedKeys(d.Tiers) {
				t := newObj()
				t.duration("restart", d.Tiers[k].Restart)
				t.duration("rto", d.Tiers[k].RTO)
				to.add(k, t.n)
			}
			do.add("tiers", to.n)
		}
		if len(do.n.Content) > 0 {
			o.add("defaults", do.n)
		}
	}
	return o.n
}

func componentNode(c *Component) *yaml.Node {
	o := newObj()
	o.str("id", c.ID)
	o.str("kind", c.Kind)
	o.str("name", c.Name)
	o.str("description", c.Description)
	o.str("parent", c.Parent.ID)
	o.add("power", feedsNode(c.Power))
	o.add("network", feedsNode(c.Network))
	o.bool("failed", c.Failed)
	o.reliability(c.Reliability)
	o.str("source", c.Source)
	o.labels("labels", c.Labels)
	return o.n
}

// feedsNode writes a list when any one feed suffices, else {feeds, need}.
func feedsNode(f *Feeds) *yaml.Node {
	if f == nil || len(f.Feeds) == 0 {
		return nil
	}
	if f.Required() == 1 {
		return refsNode(f.Feeds)
	}
	o := newObj()
	o.add("feeds", refsNode(f.Feeds))
	o.int("need", int64(f.Need))
	return o.n
}

func serviceNode(s *Service) *yaml.Node {
	o := newObj()
	o.str("id", s.ID)
	o.str("name", s.Name)
	o.str("description", s.Description)
	o.int("tier", int64(s.Tier))
	o.str("role", s.Role)
	if len(s.Placement) > 0 {
		ps := seq()
		for _, p := range s.Placement {
			po := newObj()
			po.str("on", p.On.ID)
			po.int("replicas", int64(p.Replicas))
			po.str("role", p.Role)
			ps.Content = append(ps.Content, po.n)
		}
		o.add("placement", ps)
	}
	o.add("quorum", quantityNode(s.Quorum))
	o.add("capacity", quantityNode(s.Capacity))
	if f := s.Failover; f != nil {
		fo := newObj()
		if len(f.Via) > 0 {
			fo.add("via", refsNode(f.Via))
		}
		fo.duration("rto", f.RTO)
		o.add("failover", fo.n)
	}
	if len(s.DependsOn) > 0 {
		o.add("dependsOn", depsNode(s.DependsOn))
	}
	o.duration("restart", s.Restart)
	o.reliability(s.Reliability)
	o.str("source", s.Source)
	o.labels("labels", s.Labels)
	return o.n
}

func quantityNode(q *Quantity) *yaml.Node {
	if q == nil {
		return nil
	}
	if q.Kind == QuantityCount {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: q.String()}
	}
	return strNode(q.String())
}

func depsNode(deps []Dep) *yaml.Node {
	s := seq()
	for _, d := range deps {
		s.Content = append(s.Content, depNode(d))
	}
	return s
}

func depNode(d Dep) *yaml.Node {
	if d.Kind == DepHard && !d.Soft && d.Calls == 0 && len(d.Of) == 1 {
		return strNode(d.Of[0].ID)
	}
	o := newObj()
	switch d.Kind {
	case DepAnyOf:
		o.add("anyOf", refsNode(d.Of))
	case DepAtLeast:
		o.int("atLeast", int64(d.K))
		o.add("of", refsNode(d.Of))
	default:
		o.str("on", d.Of[0].ID)
	}
	o.bool("soft", d.Soft)
	o.int("calls", d.Calls)
	return o.n
}

func featureNode(f *Feature) *yaml.Node {
	o := newObj()
	o.str("id", f.ID)
	o.str("name", f.Name)
	o.str("description", f.Description)
	o.str("product", f.Product)
	o.int("users", f.Users)
	o.int("tier", int64(f.Tier))
	o.add("dependsOn", depsNode(f.DependsOn))
	o.str("source", f.Source)
	o.labels("labels", f.Labels)
	return o.n
}

// writeJSON writes the node tree built above as indented JSON.
func writeJSON(b *bytes.Buffer, n *yaml.Node, indent string) error {
	in := indent + "  "
	switch n.Kind {
	case yaml.MappingNode:
		if len(n.Content) == 0 {
			b.WriteString("{}")
			return nil
		}
		b.WriteString("{\n")
		for i := 0; i+1 < len(n.Content); i += 2 {
			b.WriteString(in)
			if err := writeJSON(b, n.Content[i], in); err != nil {
				return err
			}
			b.WriteString(": ")
			if err := writeJSON(b, n.Content[i+1], in); err != nil {
				return err
			}
			if i+2 < len(n.Content) {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "}")
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteString("[\n")
		for i, c := range n.Content {
			b.WriteString(in)
			if err := writeJSON(b, c, in); err != nil {
				return err
			}
			if i+1 < len(n.Content) {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "]")
	case yaml.ScalarNode:
		if n.Tag == "!!str" {
			s, err := json.Marshal(n.Value)
			if err != nil {
				return err
			}
			b.Write(s)
			return nil
		}
		b.WriteString(n.Value)
	default:
		return fmt.Errorf("cannot write a YAML node of kind %v as JSON", n.Kind)
	}
	return nil
}
