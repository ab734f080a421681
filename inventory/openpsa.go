package inventory

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// KindBasicEvent is the component kind of basic events read from Open-PSA.
const KindBasicEvent = "basic-event"

// OpenPSAIDAttribute is the attribute blast writes on exported gates and
// basic events to carry an id that is not a valid MEF name; the importer
// takes the id from it when present.
const OpenPSAIDAttribute = "blast-id"

// IsOpenPSA reports whether f is an Open-PSA Model Exchange Format file:
// its name ends in .xml or its content starts with "<".
func IsOpenPSA(f File) bool {
	if strings.EqualFold(filepath.Ext(f.Name), ".xml") {
		return true
	}
	data := bytes.TrimPrefix(f.Data, []byte("\xef\xbb\xbf"))
	return bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("<"))
}

// xnode is one parsed XML element with where it starts.
type xnode struct {
	name  string
	attrs map[string]string
	kids  []*xnode
	pos   Pos
}

func (n *xnode) attr(k string) string { return n.attrs[k] }

// parseXML reads one document into a tree. The decoder is strict and
// knows no entities besides XML's five, so no entity expansion can blow
// up; the size is bounded by the caller (MaxFileSize) and the depth here.
func parseXML(f File) (*xnode, error) {
	d := xml.NewDecoder(bytes.NewReader(f.Data))
	d.Strict = true
	var stack []*xnode
	var root *xnode
	for {
		line, col := d.InputPos()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			pos := Pos{File: f.Name, Line: line, Col: col}
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				// The decoder stops where the problem is: take the column
				// from there when it is still on the line it names.
				pos.Line, pos.Col = se.Line, 1
				if l, c := d.InputPos(); l == se.Line {
					pos.Col = max(c, 1)
				}
				return nil, &xmlError{pos, se.Msg}
			}
			return nil, &xmlError{pos, err.Error()}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xnode{name: t.Name.Local, attrs: map[string]string{}, pos: Pos{File: f.Name, Line: line, Col: col}}
			for _, a := range t.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			} else {
				root = n
			}
			if len(stack) > 1000 {
				return nil, &xmlError{n.pos, "elements nested more than 1000 deep"}
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.Directive:
			if bytes.Contains(t, []byte("ENTITY")) {
				return nil, &xmlError{Pos{File: f.Name, Line: line, Col: col}, "entity declarations are not accepted"}
			}
		}
	}
	if root == nil {
		l, c := d.InputPos()
		return nil, &xmlError{Pos{File: f.Name, Line: max(l, 1), Col: max(c, 1)}, "no XML element"}
	}
	return root, nil
}

// xmlError is a problem reading XML, where it was found.
type xmlError struct {
	pos Pos
	msg string
}

func (e *xmlError) Error() string { return e.pos.String() + ": " + e.msg }

// mefGate is a gate (or a nested formula made into one) being read.
type mefGate struct {
	id      string
	op      string // or, and, atleast, or "" for a single reference
	min     int
	args    []mefRef
	pos     Pos
	nested  bool
	display string // the name as written, for messages
}

type mefRef struct {
	kind string // gate, basic-event or event
	name string
	pos  Pos
}

// ParseOpenPSA reads Open-PSA MEF 2.0 files holding coherent fault trees
// into one inventory: every basic event becomes a component of kind
// basic-event with its float probability as unavailability, every gate a
// service whose dependencies are its formula (or: each argument a hard
// dependency; and: anyOf; atleast k of n: down when k are down), and every
// gate no other gate names (a top gate) a feature. Gates and basic events
// may be spread over the files. Formulas nested in a gate become services
// of their own named after it. Non-coherent operators (not, xor, nand,
// nor, iff, imply), house events, parameters and non-constant
// probabilities are refused. Every problem is reported with its position.
func ParseOpenPSA(files []File) (*Inventory, Diagnostics) {
	inv := &Inventory{APIVersion: APIVersion, Kind: "Inventory"}
	var diags Diagnostics
	errf := func(pos Pos, hint, format string, args ...any) {
		diags = append(diags, Diagnostic{Pos: pos, Msg: fmt.Sprintf(format, args...), Hint: hint})
	}
	var gates []*mefGate
	type event struct {
		id    string
		p     *float64
		pos   Pos
		label string
	}
	var events []event
	eventNames := map[string]int{}
	gateNames := map[string]int{}
	taken := map[string]bool{}

	idOf := func(n *xnode) string {
		for _, k := range n.kids {
			if k.name != "attributes" {
				continue
			}
			for _, a := range k.kids {
				if a.name == "attribute" && a.attr("name") == OpenPSAIDAttribute {
					return a.attr("value")
				}
			}
		}
		return n.attr("name")
	}
	meta := func(name string) bool { return name == "label" || name == "attributes" }

	var formula func(n *xnode, g *mefGate, gateName string)
	var nested int
	formula = func(n *xnode, g *mefGate, gateName string) {
		switch n.name {
		case "or", "and", "atleast":
			g.op = n.name
			if n.name == "atleast" {
				k, err := strconv.Atoi(n.attr("min"))
				if err != nil || k < 1 {
					errf(n.pos, `write min="K" with K at least 1`, "gate %q: atleast needs a whole number min attribute, not %q", gateName, n.attr("min"))
				}
				g.min = k
			}
			for _, k := range n.kids {
				switch k.name {
				case "gate", "basic-event", "event":
					g.args = append(g.args, mefRef{k.name, k.attr("name"), k.pos})
				case "or", "and", "atleast":
					nested++
					sub := &mefGate{id: fmt.Sprintf("%s.%d", g.id, nested), pos: k.pos, nested: true, display: gateName}
					gates = append(gates, sub)
					formula(k, sub, gateName)
					g.args = append(g.args, mefRef{"nested", sub.id, k.pos})
				default:
					formula(k, &mefGate{}, gateName) // reports what it is
				}
			}
			if len(g.args) == 0 {
				errf(n.pos, "give it arguments", "gate %q: %s with no arguments", gateName, n.name)
			}
			if g.op == "atleast" && g.min > len(g.args) {
				errf(n.pos, "lower min", "gate %q: atleast min=%d of %d arguments can never fail", gateName, g.min, len(g.args))
			}
		case "gate", "basic-event", "event":
			g.args = append(g.args, mefRef{n.name, n.attr("name"), n.pos})
		case "not", "xor", "nand", "nor", "iff", "imply":
			errf(n.pos, "blast reads coherent fault trees only (and, or, atleast)", "gate %q: %s is not coherent", gateName, n.name)
		case "house-event", "constant":
			errf(n.pos, "replace it by a basic event with probability 0 or 1", "gate %q: %s is not supported", gateName, n.name)
		default:
			errf(n.pos, "use and, or, atleast, gate or basic-event", "gate %q: unknown formula element <%s>", gateName, n.name)
		}
	}

	var basicEvent func(n *xnode)
	basicEvent = func(n *xnode) {
		name := n.attr("name")
		if name == "" {
			errf(n.pos, `add name="..."`, "define-basic-event without a name")
			return
		}
		e := event{id: idOf(n), pos: n.pos}
		for _, k := range n.kids {
			switch {
			case meta(k.name):
			case k.name == "float" || k.name == "int":
				v, err := strconv.ParseFloat(strings.TrimSpace(k.attr("value")), 64)
				if err != nil || v < 0 || v > 1 {
					errf(k.pos, "give a probability between 0 and 1", "basic event %q: value %q is not a probability", name, k.attr("value"))
					continue
				}
				e.p = &v
			default:
				errf(k.pos, "give the probability as <float value=\"...\"/>", "basic event %q: <%s> is not supported", name, k.name)
			}
		}
		if i, dup := eventNames[name]; dup {
			errf(n.pos, "", "basic event %q defined twice (first at %s)", name, events[i].pos)
			return
		}
		eventNames[name] = len(events)
		events = append(events, e)
	}

	container := func(n *xnode) {
		for _, k := range n.kids {
			switch k.name {
			case "label", "attributes":
			case "define-basic-event":
				basicEvent(k)
			case "define-gate":
				name := k.attr("name")
				if name == "" {
					errf(k.pos, `add name="..."`, "define-gate without a name")
					continue
				}
				if i, dup := gateNames[name]; dup {
					errf(k.pos, "", "gate %q defined twice (first at %s)", name, gates[i].pos)
					continue
				}
				g := &mefGate{id: idOf(k), pos: k.pos, display: name}
				gateNames[name] = len(gates)
				gates = append(gates, g)
				var f []*xnode
				for _, c := range k.kids {
					if !meta(c.name) {
						f = append(f, c)
					}
				}
				if len(f) != 1 {
					errf(k.pos, "give it exactly one formula", "gate %q has %d formulas", name, len(f))
					continue
				}
				nested = 0
				formula(f[0], g, name)
			case "define-house-event", "define-parameter", "define-CCF-group", "define-component":
				errf(k.pos, "blast reads fault trees of gates and basic events with constant probabilities", "<%s> is not supported", k.name)
			default:
				errf(k.pos, "", "unknown element <%s>", k.name)
			}
		}
	}

	for _, f := range files {
		root, err := parseXML(f)
		if err != nil {
			xe := err.(*xmlError)
			errf(xe.pos, "", "%s", xe.msg)
			continue
		}
		if root.name != "opsa-mef" {
			errf(root.pos, "an Open-PSA file starts with <opsa-mef>", "root element is <%s>", root.name)
			continue
		}
		inv.Files = append(inv.Files, f.Name)
		for _, k := range root.kids {
			switch k.name {
			case "define-fault-tree", "model-data":
				container(k)
			case "label", "attributes":
			default:
				errf(k.pos, "blast reads define-fault-tree and model-data", "<%s> is not supported", k.name)
			}
		}
	}

	// Resolve references and find the top gates.
	referenced := map[string]bool{}
	resolve := func(g *mefGate, r mefRef) (string, bool) {
		if r.kind == "nested" {
			return r.name, true
		}
		gi, isGate := gateNames[r.name]
		ei, isEvent := eventNames[r.name]
		switch {
		case r.kind == "gate" && isGate, r.kind == "event" && isGate:
			referenced[gates[gi].id] = true
			return gates[gi].id, true
		case r.kind == "basic-event" && isEvent, r.kind == "event" && isEvent:
			return events[ei].id, true
		}
		what := map[string]string{"gate": "gate", "basic-event": "basic event", "event": "event"}[r.kind]
		errf(r.pos, "define it in one of the files", "gate %q refers to undefined %s %q", g.display, what, r.name)
		return "", false
	}
	type resolved struct {
		deps []Dep
	}
	res := make([]resolved, len(gates))
	for i, g := range gates {
		var refs []Ref
		seen := map[string]bool{}
		for _, a := range g.args {
			id, ok := resolve(g, a)
			if !ok {
				continue
			}
			if a.kind == "nested" {
				referenced[id] = true
			}
			if seen[id] {
				errf(a.pos, "list each argument once", "gate %q lists %q twice", g.display, a.name)
				continue
			}
			seen[id] = true
			refs = append(refs, Ref{ID: id, Pos: a.pos})
		}
		switch g.op {
		case "", "or":
			for _, r := range refs {
				res[i].deps = append(res[i].deps, Dep{Kind: DepHard, Of: []Ref{r}, K: 1, Pos: r.Pos})
			}
		case "and":
			res[i].deps = []Dep{{Kind: DepAnyOf, Of: refs, K: 1, Pos: g.pos}}
		case "atleast":
			res[i].deps = []Dep{{Kind: DepAtLeast, Of: refs, K: len(refs) - g.min + 1, Pos: g.pos}}
		}
	}
	if len(diags) > 0 {
		return nil, sortDiags(diags)
	}
	for _, e := range events {
		if taken[e.id] {
			errf(e.pos, "", "id %q used twice", e.id)
		}
		taken[e.id] = true
		c := Component{ID: e.id, Kind: KindBasicEvent, Source: "openpsa", Pos: e.pos}
		c.Unavailability = e.p
		inv.Components = append(inv.Components, c)
	}
	for i, g := range gates {
		if taken[g.id] {
			errf(g.pos, "", "id %q used twice", g.id)
		}
		taken[g.id] = true
		if referenced[g.id] {
			inv.Services = append(inv.Services, Service{ID: g.id, DependsOn: res[i].deps, Source: "openpsa", Pos: g.pos})
		} else {
			inv.Features = append(inv.Features, Feature{ID: g.id, DependsOn: res[i].deps, Source: "openpsa", Pos: g.pos})
		}
	}
	if len(diags) == 0 && len(inv.Features) == 0 && len(gates) > 0 {
		errf(gates[0].pos, "", "every gate is named by another: no top gate")
	}
	if len(diags) > 0 {
		return nil, sortDiags(diags)
	}
	if many := tooMany(inv); many != nil {
		return nil, many
	}
	return inv, Validate(inv)
}

func sortDiags(ds Diagnostics) Diagnostics {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		switch {
		case a.Pos.Less(b.Pos):
			return -1
		case b.Pos.Less(a.Pos):
			return 1
		}
		return 0
	})
	return ds
}
