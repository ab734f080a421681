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
	scope   string // the component path it is defined in: "" or "c.d."
}

type mefRef struct {
	kind  string // gate, basic-event, event, house-event, nested or constant
	name  string
	pos   Pos
	value bool // of a constant
}

// mefArg is a resolved gate argument: a gate, a basic event, or a
// constant (a house event or <constant>).
type mefArg struct {
	gate, event int // index, or -1
	konst       int // 0 variable, 1 false, 2 true
	ref         mefRef
}

// ParseOpenPSA reads Open-PSA MEF 2.0 files holding coherent fault trees
// into one inventory: every basic event becomes a component of kind
// basic-event with its probability as unavailability, every gate a
// service whose dependencies are its formula (or: each argument a hard
// dependency; and: anyOf; atleast k of n: down when k are down), and every
// gate no other gate names (a top gate) a feature. Gates, basic events,
// house events and parameters may be spread over the files; elements of a
// private define-component are named by their path ("c.g"). Formulas
// nested in a gate become services of their own named after it.
//
// A probability is a point-value expression: float, int, bool,
// parameter, exponential (1 - exp(-λt)), system-mission-time (MissionTime
// hours) and arithmetic. House events are constants: a true one makes an
// or gate true and drops out of an and, a false one the reverse, and the
// importer simplifies them away. Non-coherent operators (not, xor, nand,
// nor, iff, imply), uncertainty distributions, time-dependent models,
// CCF groups, substitutions and event trees are refused. Every problem is
// reported with its position.
func ParseOpenPSA(files []File) (*Inventory, Diagnostics) {
	inv := &Inventory{APIVersion: APIVersion, Kind: "Inventory"}
	var diags Diagnostics
	errf := func(pos Pos, hint, format string, args ...any) {
		diags = append(diags, Diagnostic{Pos: pos, Msg: fmt.Sprintf(format, args...), Hint: hint})
	}
	var gates []*mefGate
	type event struct {
		id    string
		name  string
		expr  *xnode
		p     *float64
		pos   Pos
		label string
	}
	type house struct {
		name  string
		value bool
		pos   Pos
	}
	var events []event
	var houses []house
	eventNames := map[string]int{}
	gateNames := map[string]int{}
	houseNames := map[string]int{}
	ev := &evaluator{params: map[string]*mefParam{}, errf: errf}
	ccfMembers := map[string]bool{}
	taken := map[string]bool{}

	idOf := func(n *xnode, full string) string {
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
		return full
	}
	meta := func(name string) bool { return name == "label" || name == "attributes" }
	// register names a definition: by its path, and by its name alone
	// when it is public inside a component.
	register := func(names map[string]int, i int, path, name string, private bool) bool {
		keys := []string{path + name}
		if path != "" && !private {
			keys = append(keys, name)
		}
		for _, k := range keys {
			if _, dup := names[k]; dup {
				return false
			}
		}
		for _, k := range keys {
			names[k] = i
		}
		return true
	}

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
				case "gate", "basic-event", "event", "house-event":
					g.args = append(g.args, mefRef{kind: k.name, name: k.attr("name"), pos: k.pos})
				case "constant":
					formula(k, g, gateName)
				case "or", "and", "atleast":
					nested++
					sub := &mefGate{id: fmt.Sprintf("%s.%d", g.id, nested), pos: k.pos, nested: true, display: gateName, scope: g.scope}
					gates = append(gates, sub)
					formula(k, sub, gateName)
					g.args = append(g.args, mefRef{kind: "nested", name: sub.id, pos: k.pos})
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
		case "gate", "basic-event", "event", "house-event":
			g.args = append(g.args, mefRef{kind: n.name, name: n.attr("name"), pos: n.pos})
		case "constant":
			switch n.attr("value") {
			case "true", "false":
				g.args = append(g.args, mefRef{kind: "constant", name: n.attr("value"), pos: n.pos, value: n.attr("value") == "true"})
			default:
				errf(n.pos, `write value="true" or value="false"`, "gate %q: constant %q is not a Boolean", gateName, n.attr("value"))
			}
		case "not", "xor", "nand", "nor", "iff", "imply":
			errf(n.pos, "blast reads coherent fault trees only (and, or, atleast)", "gate %q: %s is not coherent", gateName, n.name)
		default:
			errf(n.pos, "use and, or, atleast, gate, basic-event, house-event or constant", "gate %q: unknown formula element <%s>", gateName, n.name)
		}
	}

	basicEvent := func(n *xnode, path string, private bool) {
		name := n.attr("name")
		if name == "" {
			errf(n.pos, `add name="..."`, "define-basic-event without a name")
			return
		}
		e := event{id: idOf(n, path+name), name: path + name, pos: n.pos}
		for _, k := range n.kids {
			switch {
			case meta(k.name):
			case e.expr != nil:
				errf(k.pos, "give one expression", "basic event %q: a second expression <%s>", path+name, k.name)
			default:
				e.expr = k
			}
		}
		if ok := register(eventNames, len(events), path, name, private); !ok {
			errf(n.pos, "", "basic event %q defined twice (first at %s)", path+name, events[eventNames[path+name]].pos)
			return
		}
		events = append(events, e)
	}

	houseEvent := func(n *xnode, path string, private bool) {
		name := n.attr("name")
		if name == "" {
			errf(n.pos, `add name="..."`, "define-house-event without a name")
			return
		}
		h := house{name: path + name, pos: n.pos} // false unless it says true
		for _, k := range n.kids {
			switch {
			case meta(k.name):
			case k.name == "constant" || k.name == "bool":
				switch k.attr("value") {
				case "true", "false":
					h.value = k.attr("value") == "true"
				default:
					errf(k.pos, `write value="true" or value="false"`, "house event %q: %s %q is not a Boolean", path+name, k.name, k.attr("value"))
				}
			default:
				errf(k.pos, `give its state as <constant value="true"/> or "false"`, "house event %q: <%s> is not supported", path+name, k.name)
			}
		}
		if ok := register(houseNames, len(houses), path, name, private); !ok {
			errf(n.pos, "", "house event %q defined twice (first at %s)", path+name, houses[houseNames[path+name]].pos)
			return
		}
		houses = append(houses, h)
	}

	parameter := func(n *xnode, path string) {
		name := n.attr("name")
		if name == "" {
			errf(n.pos, `add name="..."`, "define-parameter without a name")
			return
		}
		p := &mefParam{name: path + name, pos: n.pos}
		for _, k := range n.kids {
			switch {
			case meta(k.name):
			case p.expr != nil:
				errf(k.pos, "give one expression", "parameter %q: a second expression <%s>", path+name, k.name)
			default:
				p.expr = k
			}
		}
		if q, dup := ev.params[path+name]; dup {
			errf(n.pos, "", "parameter %q defined twice (first at %s)", path+name, q.pos)
			return
		}
		ev.params[path+name] = p
		if path != "" {
			if _, dup := ev.params[name]; !dup {
				ev.params[name] = p
			}
		}
	}

	var element func(k *xnode, path string, private bool)
	container := func(n *xnode, path string, private bool) {
		for _, k := range n.kids {
			element(k, path, private)
		}
	}
	element = func(k *xnode, path string, private bool) {
		{
			switch k.name {
			case "label", "attributes":
			case "define-basic-event":
				basicEvent(k, path, private || k.attr("role") == "private")
			case "define-house-event":
				houseEvent(k, path, private || k.attr("role") == "private")
			case "define-parameter":
				parameter(k, path)
			case "define-component":
				name := k.attr("name")
				if name == "" {
					errf(k.pos, `add name="..."`, "define-component without a name")
					return
				}
				container(k, path+name+".", k.attr("role") == "private" || private && k.attr("role") != "public")
			case "define-gate":
				name := k.attr("name")
				if name == "" {
					errf(k.pos, `add name="..."`, "define-gate without a name")
					return
				}
				g := &mefGate{id: idOf(k, path+name), pos: k.pos, display: path + name, scope: path}
				if ok := register(gateNames, len(gates), path, name, private || k.attr("role") == "private"); !ok {
					first := gateNames[path+name]
					if _, full := gateNames[path+name]; !full {
						first = gateNames[name]
					}
					errf(k.pos, "", "gate %q defined twice (first at %s)", path+name, gates[first].pos)
					return
				}
				gates = append(gates, g)
				var f []*xnode
				for _, c := range k.kids {
					if !meta(c.name) {
						f = append(f, c)
					}
				}
				if len(f) != 1 {
					errf(k.pos, "give it exactly one formula", "gate %q has %d formulas", path+name, len(f))
					return
				}
				nested = 0
				formula(f[0], g, path+name)
			case "define-CCF-group":
				for _, m := range k.kids {
					if m.name == "members" {
						for _, b := range m.kids {
							ccfMembers[b.attr("name")] = true
							ccfMembers[path+b.attr("name")] = true
						}
					}
				}
				errf(k.pos, "model common-cause failures as basic events (one per combination) under an or gate", "<define-CCF-group> %q is not supported", k.attr("name"))
			case "define-substitution", "define-event-tree", "define-initiating-event", "define-functional-event", "define-sequence", "define-rule", "define-branch", "define-alignment", "define-extern-function":
				errf(k.pos, "blast reads fault trees: gates, basic events, house events and parameters", "<%s> is not supported", k.name)
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
				container(k, "", false)
			default:
				element(k, "", false)
			}
		}
	}

	// Probabilities, now that every parameter is known.
	for i := range events {
		e := &events[i]
		if e.expr == nil {
			continue
		}
		what := fmt.Sprintf("basic event %q", e.name)
		v, ok := ev.eval(e.expr, what)
		if !ok {
			continue
		}
		if v < 0 || v > 1 {
			errf(e.expr.pos, "give a probability between 0 and 1", "%s: value %s is not a probability", what, strconv.Quote(strconv.FormatFloat(v, 'g', -1, 64)))
			continue
		}
		e.p = &v
	}

	// Resolve references: from inside a component, its own names first.
	referenced := map[string]bool{}
	lookup := func(names map[string]int, scope, name string) (int, bool) {
		for s := scope; ; {
			if i, ok := names[s+name]; ok {
				return i, true
			}
			if s == "" {
				return 0, false
			}
			j := strings.LastIndex(strings.TrimSuffix(s, "."), ".")
			s = s[:j+1]
		}
	}
	resolve := func(g *mefGate, r mefRef) (mefArg, bool) {
		a := mefArg{gate: -1, event: -1, ref: r}
		switch r.kind {
		case "nested":
			a.gate = gateNames[r.name]
			return a, true
		case "constant":
			a.konst = map[bool]int{false: 1, true: 2}[r.value]
			return a, true
		}
		gi, isGate := lookup(gateNames, g.scope, r.name)
		ei, isEvent := lookup(eventNames, g.scope, r.name)
		hi, isHouse := lookup(houseNames, g.scope, r.name)
		switch {
		case (r.kind == "gate" || r.kind == "event") && isGate:
			referenced[gates[gi].id] = true
			a.gate = gi
			return a, true
		case (r.kind == "basic-event" || r.kind == "event") && isEvent:
			a.event = ei
			return a, true
		case (r.kind == "house-event" || r.kind == "event") && isHouse:
			a.konst = map[bool]int{false: 1, true: 2}[houses[hi].value]
			return a, true
		}
		if ccfMembers[r.name] || ccfMembers[g.scope+r.name] {
			return a, false // the CCF group is reported
		}
		what := map[string]string{"gate": "gate", "basic-event": "basic event", "event": "event", "house-event": "house event"}[r.kind]
		errf(r.pos, "define it in one of the files", "gate %q refers to undefined %s %q", g.display, what, r.name)
		return a, false
	}
	for i, g := range gates {
		if g.nested {
			gateNames[g.id] = i
		}
	}
	args := make([][]mefArg, len(gates))
	for i, g := range gates {
		for _, r := range g.args {
			if a, ok := resolve(g, r); ok {
				args[i] = append(args[i], a)
				if r.kind == "nested" {
					referenced[r.name] = true
				}
			}
		}
	}
	if len(diags) > 0 {
		return nil, sortDiags(diags)
	}

	// Simplify house events and constants away: a gate left with no
	// variable argument is a constant itself.
	konst := make([]int, len(gates)) // 0 unknown, 1 false, 2 true, 3 variable, 4 in progress
	ops := make([]string, len(gates))
	mins := make([]int, len(gates))
	var simplify func(i int) int
	simplify = func(i int) int {
		if konst[i] != 0 {
			return min(konst[i], 3) // a cycle counts as variable here
		}
		konst[i] = 4
		g := gates[i]
		var live []mefArg
		trues, falses := 0, 0
		for _, a := range args[i] {
			k := a.konst
			if a.gate >= 0 {
				if k = simplify(a.gate); k == 3 {
					k = 0
				}
			}
			switch k {
			case 1:
				falses++
			case 2:
				trues++
			default:
				live = append(live, a)
			}
		}
		args[i] = live
		op, need := g.op, 1 // need: how many true arguments make it true
		switch op {
		case "", "or":
			op = "or"
		case "and":
			need = len(live) + trues + falses
		case "atleast":
			need = g.min
		}
		need -= trues
		switch {
		case need <= 0:
			konst[i] = 2
		case need > len(live):
			konst[i] = 1
		default:
			konst[i] = 3
			switch {
			case need == 1:
				op = "or"
			case need == len(live):
				op = "and"
			default:
				op = "atleast"
			}
		}
		ops[i], mins[i] = op, need
		return konst[i]
	}
	for i := range gates {
		simplify(i)
	}

	type resolved struct {
		deps []Dep
	}
	res := make([]resolved, len(gates))
	for i, g := range gates {
		var refs []Ref
		seen := map[string]bool{}
		for _, a := range args[i] {
			id := ""
			if a.gate >= 0 {
				id = gates[a.gate].id
			} else {
				id = events[a.event].id
			}
			if seen[id] {
				errf(a.ref.pos, "list each argument once", "gate %q lists %q twice", g.display, a.ref.name)
				continue
			}
			seen[id] = true
			refs = append(refs, Ref{ID: id, Pos: a.ref.pos})
		}
		switch ops[i] {
		case "or":
			for _, r := range refs {
				res[i].deps = append(res[i].deps, Dep{Kind: DepHard, Of: []Ref{r}, K: 1, Pos: r.Pos})
			}
		case "and":
			res[i].deps = []Dep{{Kind: DepAnyOf, Of: refs, K: 1, Pos: g.pos}}
		case "atleast":
			res[i].deps = []Dep{{Kind: DepAtLeast, Of: refs, K: len(refs) - mins[i] + 1, Pos: g.pos}}
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
		top := !referenced[g.id]
		if konst[i] != 3 {
			if top {
				state := map[int]string{1: "can never fail", 2: "has always failed"}[konst[i]]
				errf(g.pos, "set the house events so that the top gate depends on basic events", "top gate %q %s: its house events and constants decide it", g.display, state)
			}
			continue // simplified away
		}
		if top {
			inv.Features = append(inv.Features, Feature{ID: g.id, DependsOn: res[i].deps, Source: "openpsa", Pos: g.pos})
		} else {
			inv.Services = append(inv.Services, Service{ID: g.id, DependsOn: res[i].deps, Source: "openpsa", Pos: g.pos})
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
