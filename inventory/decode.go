package inventory

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/blast-dev/blast/internal/num"
	"go.yaml.in/yaml/v4"
)

// decoder turns a parsed YAML (or JSON) node tree into inventory types,
// recording every problem it meets instead of stopping at the first.
type decoder struct {
	file  string
	diags *Diagnostics
	// nodes counts the nodes written in the document.
	nodes int
	// visits counts nodes walked, aliases included; budget bounds it so that
	// an alias bomb is refused in time and memory proportional to the file.
	visits, budget int
	exceeded       bool
	aliases        bool // the document holds aliases
	// damaged, when not nil, collects the parts of entities, by position,
	// that decoding errors dropped (see parts).
	damaged map[Pos]parts
	// badKeys holds, by path, the objects with a key that was not read: an
	// unknown field, a merge key or a key that is not a plain name.
	badKeys map[string]*badKeys
	// stopAt is the number of diagnostics at which the file is no longer
	// read (see maxFileProblems; math.MaxInt for no limit); stopped tells
	// that it was reached.
	stopAt  int
	stopped bool
}

// badKeys tells what keys of one object were not read.
type badKeys struct {
	unknown []string // unknown field names
	other   bool     // a merge key or a key that is not a plain name
	seen    []string // the known fields the object gave
	fields  []string // the fields the object may have
}

// maxFileProblems bounds the problems reported in one file: past it the
// rest of the file is not read, so that a file of a million mistakes
// costs no more than its first thousand, and the list stays readable.
const maxFileProblems = 1000

// parts tells which parts of an entity decoding errors may have dropped, so
// that validation does not count what is missing (such as "has no
// dependencies" after a dependency was refused): that would only restate
// errors already reported.
type parts uint8

const (
	partPlacement parts = 1 << iota
	partDeps
	partFeeds
	partParent
	partAll = partPlacement | partDeps | partFeeds | partParent
)

// aliasFactor bounds how much aliases may expand a document: the decoder
// walks at most aliasFactor times the number of nodes written, plus
// aliasSlack, before it refuses the file.
const (
	aliasFactor = 10
	aliasSlack  = 10000
)

func newDecoder(file string, root *yaml.Node, diags *Diagnostics) *decoder {
	nodes, aliases := countNodes(root)
	return &decoder{file: file, diags: diags, nodes: nodes, budget: aliasFactor*nodes + aliasSlack, aliases: aliases > 0, stopAt: math.MaxInt}
}

// countNodes counts the nodes written in the document, not following
// aliases, and the aliases among them.
func countNodes(n *yaml.Node) (nodes, aliases int) {
	if n == nil {
		return 0, 0
	}
	nodes = 1
	if n.Kind == yaml.AliasNode {
		aliases = 1
	}
	for _, k := range n.Content {
		c, a := countNodes(k)
		nodes += c
		aliases += a
	}
	return nodes, aliases
}

// pos is where n was written; a node with no position (an empty document
// has none) is placed at the start of the file, so that every diagnostic
// has a line and column.
func (d *decoder) pos(n *yaml.Node) Pos {
	return Pos{File: d.file, Line: max(n.Line, 1), Col: max(n.Column, 1)}
}

func (d *decoder) errorf(n *yaml.Node, path, hint, format string, args ...any) {
	if d.stopped {
		return
	}
	if len(*d.diags) >= d.stopAt {
		d.stopped, d.exceeded = true, true // resolve then stops the walk
		*d.diags = append(*d.diags, Diagnostic{Pos: d.pos(n), Msg: fmt.Sprintf("stopped reading the file after %s problems", num.Count(maxFileProblems)),
			Hint: "fix these and run again"})
		return
	}
	*d.diags = append(*d.diags, Diagnostic{Pos: d.pos(n), Path: path, Msg: fmt.Sprintf(format, args...), Hint: hint})
}

// expansion returns how many nodes n stands for once its aliases are
// expanded, saturating just above the budget. memo keeps the count of each
// node, so the whole document costs O(nodes written).
func (d *decoder) expansion(n *yaml.Node, memo map[*yaml.Node]int) int {
	if n == nil {
		return 0
	}
	// Only anchored nodes can be reached twice (through aliases); the
	// others are counted once, from their one parent, without the memo.
	shared := n.Anchor != "" || n.Kind == yaml.AliasNode
	if shared {
		if c, ok := memo[n]; ok {
			return c
		}
		memo[n] = d.budget + 1 // a node that contains itself expands without end
	}
	c := 1
	if n.Kind == yaml.AliasNode {
		c = d.expansion(n.Alias, memo)
	} else {
		for _, k := range n.Content {
			c = min(c+d.expansion(k, memo), d.budget+1)
		}
	}
	if shared {
		memo[n] = c
	}
	return c
}

// hugeAlias returns the first alias written under n, in document order,
// that alone expands beyond the budget, or nil.
func (d *decoder) hugeAlias(n *yaml.Node, memo map[*yaml.Node]int) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		if memo[n] > d.budget {
			return n
		}
		return nil
	}
	for _, k := range n.Content {
		if a := d.hugeAlias(k, memo); a != nil {
			return a
		}
	}
	return nil
}

// refuseBomb reports a document whose aliases expand beyond the budget,
// wherever they sit, before anything of it is walked.
func (d *decoder) refuseBomb(root *yaml.Node) bool {
	if !d.aliases {
		return false // without aliases a document is as big as it is written
	}
	memo := make(map[*yaml.Node]int)
	if d.expansion(root, memo) <= d.budget {
		return false
	}
	at := d.hugeAlias(root, memo)
	if at == nil {
		at = root
		if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
			at = root.Content[0]
		}
	}
	d.exceeded = true
	d.errorf(at, "", "write the values out, or use fewer nested anchors", "excessive aliasing: the aliases in this file expand to more than %d nodes", d.budget)
	return true
}

// entity records in d.damaged the parts of the entity at pos and path that
// the errors reported since the diagnostics numbered before may have
// dropped. A key not read may have been any part, misspelt.
func (d *decoder) entity(before int, pos Pos, path string) {
	if d.damaged == nil {
		return
	}
	var p parts
	if bk := d.badKeys[path]; bk != nil {
		if bk.other {
			p = partAll // a merge key could have held anything
		}
		for _, k := range bk.unknown {
			p |= misspelt(k, bk.seen, bk.fields)
		}
	}
	for _, x := range (*d.diags)[before:] {
		if x.Severity != Error {
			continue
		}
		rel := strings.TrimPrefix(x.Path, path)
		switch {
		case rel == "": // the entity itself, such as a merge key
			p = partAll
		case strings.HasPrefix(rel, ".placement"):
			p |= partPlacement
		case strings.HasPrefix(rel, ".dependsOn"):
			p |= partDeps
		case strings.HasPrefix(rel, ".power"), strings.HasPrefix(rel, ".network"):
			p |= partFeeds
		case strings.HasPrefix(rel, ".parent"):
			p |= partParent
		}
	}
	if p != 0 {
		d.damaged[pos] |= p
	}
}

// entityFields are the fields of an entity whose absence makes validation
// report more than the one mistake: a service without placement, or a
// feature without dependencies, is an error of its own. Each comes with
// other names a writer may have used for it.
var entityFields = []struct {
	name  string
	part  parts
	alias []string
}{
	{"placement", partPlacement, []string{"placements", "replicas", "runson", "hosts"}},
	{"dependson", partDeps, []string{"depends", "deps", "dependencies", "requires", "needs", "uses"}},
	{"power", partFeeds, []string{"feeds", "powerfeeds", "psu"}},
	{"network", partFeeds, []string{"uplinks", "net"}},
	{"parent", partParent, []string{"in", "location", "site", "within"}},
}

// misspelt returns the parts of an entity that unknown key k plausibly
// stands for: one of the entity's fields, not given (it is not among
// seen), that k misspells, ignoring case, '-' and '_'. An unrelated key,
// such as colour, damages nothing, so that the rest of the entity is still
// checked.
func misspelt(k string, seen, fields []string) parts {
	norm := func(s string) string {
		return strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(s))
	}
	has := func(names []string, f string) bool {
		return slices.ContainsFunc(names, func(s string) bool { return norm(s) == f })
	}
	nk := norm(k)
	var p parts
	for _, f := range entityFields {
		if !has(fields, f.name) || has(seen, f.name) {
			continue // not a field of the entity, or given under its own name
		}
		if nk == f.name || slices.Contains(f.alias, nk) || Suggest(nk, []string{f.name}) != "" {
			p |= f.part
		}
	}
	return p
}

// resolve follows aliases and charges the walk budget. It returns nil once
// the budget is spent; callers then stop.
func (d *decoder) resolve(n *yaml.Node, path string) *yaml.Node {
	if d.exceeded {
		return nil
	}
	for depth := 0; n != nil && n.Kind == yaml.AliasNode; depth++ {
		if depth > 100 {
			d.errorf(n, path, "write the value out instead of the alias", "alias refers to itself")
			return nil
		}
		n = n.Alias
	}
	d.visits++
	if d.visits > d.budget {
		d.exceeded = true
		d.errorf(n, path, "write the values out, or use fewer nested anchors", "excessive aliasing: the aliases in this file expand to more than %d nodes", d.budget)
		return nil
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!int", "!!float":
			return "the number " + n.Value
		case "!!bool":
			return "the boolean " + n.Value
		}
		return fmt.Sprintf("the string %q", n.Value)
	}
	return "something else"
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// field handles the value of one key of a mapping.
type field struct {
	name string
	fn   func(v *yaml.Node, path string)
}

// object walks mapping n, calling the handler of each known key and
// reporting unknown and duplicate keys. what names the object in messages.
// It returns false when n is not a mapping.
func (d *decoder) object(n *yaml.Node, path, what string, fields ...field) bool {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, mappingHint(what), "%s must be a mapping, got %s", what, kindName(n))
		return false
	}
	// Objects have a handful of keys: a linear search for duplicates beats
	// a map allocated per object.
	var seenBuf [16]*yaml.Node
	seen := seenBuf[:0]
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := d.resolve(n.Content[i], path)
		if k == nil {
			return true
		}
		if k.Kind != yaml.ScalarNode {
			d.badKey(path, "")
			d.errorf(k, path, "write the key as a plain name, such as id", "keys must be plain names, got %s", kindName(k))
			continue
		}
		if k.Tag == "!!merge" {
			d.badKey(path, "")
			d.errorf(k, path, "write the fields out instead", "YAML merge keys (<<) are not supported")
			continue
		}
		sub := joinPath(path, k.Value)
		var prev *yaml.Node
		for _, x := range seen {
			if x.Value == k.Value {
				prev = x
				break
			}
		}
		if prev != nil {
			d.errorf(k, sub, "keep one of the two and remove the other", "duplicate key %q (first at line %d)", k.Value, prev.Line)
			continue
		}
		seen = append(seen, k)
		var h *field
		for j := range fields {
			if fields[j].name == k.Value {
				h = &fields[j]
				break
			}
		}
		if h == nil {
			names := make([]string, len(fields))
			for j, f := range fields {
				names[j] = f.name
			}
			d.badKey(path, k.Value)
			hint := DidYouMean(k.Value, names)
			if hint == "" {
				hint = "known fields: " + strings.Join(names, ", ")
			}
			d.errorf(k, sub, hint, "unknown field %q in %s", k.Value, what)
			continue
		}
		v := d.resolve(n.Content[i+1], sub)
		if v == nil {
			return true
		}
		h.fn(v, sub)
	}
	if bk := d.badKeys[path]; bk != nil {
		for _, f := range fields {
			bk.fields = append(bk.fields, f.name)
		}
		for _, k := range seen {
			if slices.ContainsFunc(fields, func(f field) bool { return f.name == k.Value }) {
				bk.seen = append(bk.seen, k.Value)
			}
		}
	}
	return true
}

// badKey records that the object at path has a key that was not read:
// unknown field name, or "" for a key that is not a field at all.
func (d *decoder) badKey(path, name string) {
	if d.badKeys == nil {
		d.badKeys = make(map[string]*badKeys)
	}
	bk := d.badKeys[path]
	if bk == nil {
		bk = &badKeys{}
		d.badKeys[path] = bk
	}
	if name == "" {
		bk.other = true
	} else {
		bk.unknown = append(bk.unknown, name)
	}
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// list walks sequence n, calling fn on each resolved element. A null value
// is an empty list.
func (d *decoder) list(n *yaml.Node, path, what string, fn func(i int, v *yaml.Node, path string)) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, path, "write a list, such as [a, b], or one \"- \" line per entry", "%s must be a list, got %s", what, kindName(n))
		return
	}
	for i, e := range n.Content {
		p := index(path, i)
		v := d.resolve(e, p)
		if v == nil {
			return
		}
		fn(i, v, p)
	}
}

// str reads a scalar as a string; numbers and booleans are taken as written.
func (d *decoder) str(n *yaml.Node, path string, out *string) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, path, "write text, in quotes if it holds special characters", "want a string, got %s", kindName(n))
		return
	}
	*out = n.Value
}

// id reads an identifier: a non-empty string without the characters that
// failure sets and selectors use (comma, equals sign) or control characters.
func (d *decoder) id(n *yaml.Node, path string, out *string) bool {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.errorf(n, path, "write an id, such as rack-1", "want an id, got %s", kindName(n))
		return false
	}
	if msg, hint := checkID(n.Value); msg != "" {
		d.errorf(n, path, hint, "%s", msg)
		return false
	}
	*out = n.Value
	return true
}

// checkID returns what is wrong with id s and how to mend it, or "", "".
func checkID(s string) (msg, hint string) {
	if s == "" {
		return "id must not be empty", "give a name, such as rack-1"
	}
	if strings.TrimSpace(s) != s {
		return fmt.Sprintf("id %q must not start or end with spaces", s), "remove the spaces around it"
	}
	for _, r := range s {
		switch {
		case r == ',' || r == '=':
			return fmt.Sprintf("id %q must not contain %q (it separates ids and selectors on the command line)", s, r),
				fmt.Sprintf("rename it, with \"-\" in place of \"%c\", here and wherever it is named", r)
		case r < 0x20 || r == 0x7f:
			return fmt.Sprintf("id %q must not contain control characters", s), "remove the control characters (a tab, perhaps)"
		}
	}
	return "", ""
}

// validID reports whether checkID accepts s.
func validID(s string) bool {
	msg, _ := checkID(s)
	return msg == ""
}

func (d *decoder) ref(n *yaml.Node, path string) (Ref, bool) {
	var r Ref
	if !d.id(n, path, &r.ID) {
		return r, false
	}
	r.Pos, r.Path = d.pos(n), path
	return r, true
}

func (d *decoder) refs(n *yaml.Node, path, what string) []Ref {
	var out []Ref
	d.list(n, path, what, func(_ int, v *yaml.Node, p string) {
		if r, ok := d.ref(v, p); ok {
			out = append(out, r)
		}
	})
	return out
}

func (d *decoder) integer(n *yaml.Node, path string, min int64, out *int64) bool {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		d.errorf(n, path, "write a whole number without quotes, such as 3", "want a whole number, got %s", kindName(n))
		return false
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
	if err != nil {
		d.errorf(n, path, "use a smaller number", "number %s is out of range", n.Value)
		return false
	}
	if v < min {
		d.errorf(n, path, fmt.Sprintf("use %d or more", min), "must be at least %d, got %d", min, v)
		return false
	}
	*out = v
	return true
}

func (d *decoder) smallInt(n *yaml.Node, path string, min int64, out *int) bool {
	var v int64
	if !d.integer(n, path, min, &v) {
		return false
	}
	if v > math.MaxInt32 {
		d.errorf(n, path, "use a smaller number", "number %d is too large (at most %d)", v, math.MaxInt32)
		return false
	}
	*out = int(v)
	return true
}

func (d *decoder) labels(n *yaml.Node, path string, out *map[string]string) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "write name: value pairs, such as {team: payments}", "labels must be a mapping of names to strings, got %s", kindName(n))
		return
	}
	m := make(map[string]string, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := d.resolve(n.Content[i], path)
		v := d.resolve(n.Content[i+1], path)
		if k == nil || v == nil {
			return
		}
		sub := joinPath(path, k.Value)
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, path, "write the label name as plain text", "label names must be strings, got %s", kindName(k))
			continue
		}
		if _, dup := m[k.Value]; dup {
			d.errorf(k, sub, "keep one of the two and remove the other", "duplicate label %q", k.Value)
			continue
		}
		var s string
		d.str(v, sub, &s)
		m[k.Value] = s
	}
	*out = m
}

func (d *decoder) quantity(n *yaml.Node, path string) *Quantity {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.errorf(n, path, "such as 2, majority or \"50%\"", "want a number, \"majority\" or a percentage such as \"50%%\", got %s", kindName(n))
		return nil
	}
	q, err := ParseQuantity(n.Value)
	if err != nil {
		hint := DidYouMean(n.Value, []string{"majority"})
		if hint == "" {
			hint = "write a whole number from 1, majority, or a percentage above 0% and at most 100%"
		}
		d.errorf(n, path, hint, "%v", err)
		return nil
	}
	q.Pos = d.pos(n)
	return &q
}

// document decodes one inventory document into inv, appending its entities.
func (d *decoder) document(root *yaml.Node, inv *Inventory) {
	if d.refuseBomb(root) {
		return
	}
	n := d.resolve(root, "")
	if n == nil {
		return
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return
		}
		if n = d.resolve(n.Content[0], ""); n == nil {
			return
		}
	}
	var apiVersion, kind string
	var haveAPI, haveKind bool
	ok := d.object(n, "", "the inventory",
		field{"apiVersion", func(v *yaml.Node, p string) {
			haveAPI = true
			d.str(v, p, &apiVersion)
			if apiVersion != APIVersion {
				d.errorf(v, p, "write apiVersion: "+APIVersion, "unsupported apiVersion %q", apiVersion)
			}
		}},
		field{"kind", func(v *yaml.Node, p string) {
			haveKind = true
			d.str(v, p, &kind)
			if kind != "Inventory" {
				d.errorf(v, p, "write kind: Inventory", "unsupported kind %q", kind)
			}
		}},
		field{"metadata", func(v *yaml.Node, p string) { d.metadata(v, p, inv) }},
		field{"defaults", func(v *yaml.Node, p string) { d.defaults(v, p, inv) }},
		field{"components", func(v *yaml.Node, p string) {
			inv.Components = slices.Grow(inv.Components, len(v.Content))
			d.list(v, p, "components", func(_ int, e *yaml.Node, ep string) { d.item("components", e, ep, inv) })
		}},
		field{"services", func(v *yaml.Node, p string) {
			inv.Services = slices.Grow(inv.Services, len(v.Content))
			d.list(v, p, "services", func(_ int, e *yaml.Node, ep string) { d.item("services", e, ep, inv) })
		}},
		field{"features", func(v *yaml.Node, p string) {
			inv.Features = slices.Grow(inv.Features, len(v.Content))
			d.list(v, p, "features", func(_ int, e *yaml.Node, ep string) { d.item("features", e, ep, inv) })
		}},
	)
	if !ok || d.exceeded {
		return
	}
	if !haveAPI {
		d.errorf(n, "", "add apiVersion: "+APIVersion+" at the top of the file", "missing apiVersion")
	}
	if !haveKind {
		d.errorf(n, "", "add kind: Inventory at the top of the file", "missing kind")
	}
	if inv.APIVersion == "" {
		inv.APIVersion, inv.Kind = apiVersion, kind
	}
}

func (d *decoder) metadata(n *yaml.Node, path string, inv *Inventory) {
	var m Metadata
	m.Pos = d.pos(n)
	d.object(n, path, "metadata",
		field{"name", func(v *yaml.Node, p string) { d.str(v, p, &m.Name) }},
		field{"description", func(v *yaml.Node, p string) { d.str(v, p, &m.Description) }},
		field{"labels", func(v *yaml.Node, p string) { d.labels(v, p, &m.Labels) }},
	)
	switch {
	case inv.Metadata.Name == "" && inv.Metadata.Description == "":
		inv.Metadata = m
	case m.Name != "" && inv.Metadata.Name != "" && m.Name != inv.Metadata.Name:
		*d.diags = append(*d.diags, Diagnostic{Pos: m.Pos, Path: path, Severity: Warning,
			Msg:  fmt.Sprintf("metadata.name %q differs from %q given first; using the first", m.Name, inv.Metadata.Name),
			Hint: "give metadata in one file only"})
	}
}

// mappingHint shows how an object named what in messages is written.
func mappingHint(what string) string {
	switch what {
	case "the inventory":
		return "start with apiVersion: " + APIVersion + " and kind: Inventory, one key a line"
	case "a component":
		return "write {id: rack-1, kind: rack, parent: site-a}"
	case "a service":
		return "write {id: auth, placement: [{on: rack-1, replicas: 3}]}"
	case "a feature":
		return "write {id: login, users: 1000, dependsOn: [auth]}"
	case "a placement":
		return "write {on: rack-1, replicas: 3}"
	case "a dependency":
		return "write an id, {on: id, soft: true}, {anyOf: [a, b]} or {atLeast: 2, of: [a, b, c]}"
	case "failover":
		return "write {via: [ops-tools], rto: 30m}"
	case "metadata":
		return "write {name: my-inventory, description: ...}"
	case "power", "network":
		return "write {feeds: [feed-a, feed-b], need: 2}"
	}
	return "write key: value pairs, one a line or as {key: value}"
}

// required reports a missing required key of an object at n.
func (d *decoder) required(n *yaml.Node, path, what, key string) {
	d.errorf(n, path, "add "+key+": ...", "%s has no %s", what, key)
}

func (d *decoder) component(n *yaml.Node, path string) (Component, bool) {
	c := Component{Pos: d.pos(n), Path: path}
	var sawID, haveID, haveKind bool
	ok := d.object(n, path, "a component",
		field{"id", func(v *yaml.Node, p string) { sawID, haveID = true, d.id(v, p, &c.ID) }},
		field{"kind", func(v *yaml.Node, p string) {
			d.str(v, p, &c.Kind)
			haveKind = c.Kind != ""
		}},
		field{"name", func(v *yaml.Node, p string) { d.str(v, p, &c.Name) }},
		field{"description", func(v *yaml.Node, p string) { d.str(v, p, &c.Description) }},
		field{"parent", func(v *yaml.Node, p string) {
			if !isNull(v) {
				c.Parent, _ = d.ref(v, p)
			}
		}},
		field{"power", func(v *yaml.Node, p string) { c.Power = d.feeds(v, p, "power") }},
		field{"network", func(v *yaml.Node, p string) { c.Network = d.feeds(v, p, "network") }},
		field{"failed", func(v *yaml.Node, p string) { d.boolean(v, p, &c.Failed) }},
		field{"unavailability", func(v *yaml.Node, p string) { d.unavailability(v, p, &c.Reliability) }},
		field{"mtbf", func(v *yaml.Node, p string) { d.duration(v, p, &c.MTBF); c.RelPos = d.pos(v) }},
		field{"mttr", func(v *yaml.Node, p string) { d.duration(v, p, &c.MTTR); c.RelPos = d.pos(v) }},
		field{"source", func(v *yaml.Node, p string) { d.str(v, p, &c.Source) }},
		field{"labels", func(v *yaml.Node, p string) { d.labels(v, p, &c.Labels) }},
	)
	d.checkReliability(n, path, c.Reliability)
	if !ok {
		return c, false
	}
	if !haveID {
		if !sawID {
			d.required(n, path, "component", "id")
		}
		return c, false
	}
	if !haveKind {
		d.errorf(n, path, "such as site, building, room, power, network, rack or host", "component %q has no kind", c.ID)
	}
	return c, true
}

// feeds reads a list of feeds (any one suffices) or {feeds: [...], need: N}.
func (d *decoder) feeds(n *yaml.Node, path, what string) *Feeds {
	f := &Feeds{Pos: d.pos(n)}
	switch n.Kind {
	case yaml.SequenceNode:
		f.Feeds = d.refs(n, path, what)
		f.FromList = true
	case yaml.MappingNode:
		var have bool
		d.object(n, path, what,
			field{"feeds", func(v *yaml.Node, p string) { have = true; f.Feeds = d.refs(v, p, what+" feeds") }},
			field{"need", func(v *yaml.Node, p string) {
				f.NeedPos = d.pos(v)
				d.smallInt(v, p, 1, &f.Need)
			}},
		)
		if !have {
			d.required(n, path, what, "feeds")
		}
	default:
		if isNull(n) {
			return nil
		}
		d.errorf(n, path, "write [feed-a, feed-b] or {feeds: [feed-a, feed-b], need: 2}", "%s must be a list of feeds or a mapping, got %s", what, kindName(n))
		return nil
	}
	return f
}

func (d *decoder) service(n *yaml.Node, path string) (Service, bool) {
	s := Service{Pos: d.pos(n), Path: path}
	var sawID, haveID bool
	ok := d.object(n, path, "a service",
		field{"id", func(v *yaml.Node, p string) { sawID, haveID = true, d.id(v, p, &s.ID) }},
		field{"name", func(v *yaml.Node, p string) { d.str(v, p, &s.Name) }},
		field{"description", func(v *yaml.Node, p string) { d.str(v, p, &s.Description) }},
		field{"tier", func(v *yaml.Node, p string) { d.smallInt(v, p, 1, &s.Tier) }},
		field{"role", func(v *yaml.Node, p string) {
			d.str(v, p, &s.Role)
			if s.Role != "" && s.Role != "operations" {
				*d.diags = append(*d.diags, Diagnostic{Pos: d.pos(v), Path: p, Severity: Warning,
					Msg:  fmt.Sprintf("unknown service role %q; the known role is operations", s.Role),
					Hint: cmp.Or(DidYouMean(s.Role, []string{"operations"}), "write role: operations for a control plane, or remove role")})
			}
		}},
		field{"placement", func(v *yaml.Node, p string) {
			d.list(v, p, "placement", func(_ int, e *yaml.Node, ep string) {
				if pl, ok := d.placement(e, ep); ok {
					s.Placement = append(s.Placement, pl)
				}
			})
		}},
		field{"quorum", func(v *yaml.Node, p string) { s.Quorum = d.quantity(v, p) }},
		field{"capacity", func(v *yaml.Node, p string) { s.Capacity = d.quantity(v, p) }},
		field{"failover", func(v *yaml.Node, p string) { s.Failover = d.failover(v, p) }},
		field{"dependsOn", func(v *yaml.Node, p string) { s.DependsOn = d.deps(v, p) }},
		field{"restart", func(v *yaml.Node, p string) { d.recoveryTime(v, p, &s.Restart) }},
		field{"unavailability", func(v *yaml.Node, p string) { d.unavailability(v, p, &s.Reliability) }},
		field{"mtbf", func(v *yaml.Node, p string) { d.duration(v, p, &s.MTBF); s.RelPos = d.pos(v) }},
		field{"mttr", func(v *yaml.Node, p string) { d.duration(v, p, &s.MTTR); s.RelPos = d.pos(v) }},
		field{"source", func(v *yaml.Node, p string) { d.str(v, p, &s.Source) }},
		field{"labels", func(v *yaml.Node, p string) { d.labels(v, p, &s.Labels) }},
	)
	d.checkReliability(n, path, s.Reliability)
	if !ok {
		return s, false
	}
	if !haveID {
		if !sawID {
			d.required(n, path, "service", "id")
		}
		return s, false
	}
	return s, true
}

func (d *decoder) placement(n *yaml.Node, path string) (Placement, bool) {
	pl := Placement{Pos: d.pos(n)}
	var sawOn, haveOn bool
	ok := d.object(n, path, "a placement",
		field{"on", func(v *yaml.Node, p string) { sawOn = true; pl.On, haveOn = d.ref(v, p) }},
		field{"replicas", func(v *yaml.Node, p string) {
			pl.ReplicasPos = d.pos(v)
			d.smallInt(v, p, 1, &pl.Replicas)
		}},
		field{"role", func(v *yaml.Node, p string) {
			d.str(v, p, &pl.Role)
			if pl.Role != RoleActive && pl.Role != RoleStandby {
				d.errorf(v, p, DidYouMean(pl.Role, []string{RoleActive, RoleStandby}), "placement role must be active or standby, got %q", pl.Role)
				pl.Role = ""
			}
		}},
	)
	if ok && !sawOn {
		d.errorf(n, path, "write {on: rack-id, replicas: N}", "placement has no on")
	}
	return pl, ok && haveOn
}

func (d *decoder) failover(n *yaml.Node, path string) *Failover {
	f := &Failover{Pos: d.pos(n)}
	ok := d.object(n, path, "failover",
		field{"via", func(v *yaml.Node, p string) { f.Via = d.refs(v, p, "failover.via") }},
		field{"rto", func(v *yaml.Node, p string) { d.recoveryTime(v, p, &f.RTO) }},
	)
	if !ok {
		return nil
	}
	return f
}

// deps reads a dependsOn list.
func (d *decoder) deps(n *yaml.Node, path string) []Dep {
	var out []Dep
	d.list(n, path, "dependsOn", func(_ int, e *yaml.Node, p string) {
		if dep, ok := d.dep(e, p); ok {
			out = append(out, dep)
		}
	})
	if out == nil && n.Kind == yaml.SequenceNode {
		out = []Dep{}
	}
	return out
}

func (d *decoder) dep(n *yaml.Node, path string) (Dep, bool) {
	dep := Dep{Pos: d.pos(n), Path: path, K: 1}
	if n.Kind == yaml.ScalarNode {
		r, ok := d.ref(n, path)
		if !ok {
			return dep, false
		}
		dep.Of = []Ref{r}
		return dep, true
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "write an id, {on: id, soft: true}, {anyOf: [a, b]} or {atLeast: 2, of: [a, b, c]}", "a dependency must be an id or a mapping, got %s", kindName(n))
		return dep, false
	}
	var on, anyOf, atLeast, of bool
	var kNode *yaml.Node
	written := 0 // members written, refused ones included
	ok := d.object(n, path, "a dependency",
		field{"on", func(v *yaml.Node, p string) {
			on, written = true, 1
			if r, ok := d.ref(v, p); ok {
				dep.Of = []Ref{r}
			}
		}},
		field{"anyOf", func(v *yaml.Node, p string) {
			anyOf = true
			dep.Kind = DepAnyOf
			dep.Of, written = d.refs(v, p, "anyOf"), members(v)
		}},
		field{"atLeast", func(v *yaml.Node, p string) {
			atLeast = true
			kNode = v
			d.smallInt(v, p, 1, &dep.K)
		}},
		field{"of", func(v *yaml.Node, p string) {
			of = true
			dep.Of, written = d.refs(v, p, "of"), members(v)
		}},
		field{"soft", func(v *yaml.Node, p string) {
			if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
				d.errorf(v, p, "write true or false, without quotes", "want true or false, got %s", kindName(v))
				return
			}
			dep.Soft = v.Value == "true" || v.Value == "True" || v.Value == "TRUE"
		}},
		field{"calls", func(v *yaml.Node, p string) { d.integer(v, p, 0, &dep.Calls) }},
	)
	if !ok {
		return dep, false
	}
	forms := 0
	for _, b := range []bool{on, anyOf, atLeast || of} {
		if b {
			forms++
		}
	}
	switch {
	case forms == 0:
		d.errorf(n, path, "write {on: id}, {anyOf: [a, b]} or {atLeast: 2, of: [a, b, c]}", "dependency names nothing")
		return dep, false
	case forms > 1:
		d.errorf(n, path, "split it into separate dependsOn entries", "dependency mixes on, anyOf and atLeast/of")
		return dep, false
	case atLeast != of:
		if atLeast {
			d.errorf(n, path, "write {atLeast: 2, of: [a, b, c]}", "atLeast needs of")
		} else {
			d.errorf(n, path, "write {atLeast: 2, of: [a, b, c]}, or use anyOf", "of needs atLeast")
		}
		return dep, false
	case atLeast:
		dep.Kind = DepAtLeast
		if kNode != nil && dep.K > len(dep.Of) && len(dep.Of) > 0 {
			// Keep the entry, so that its members are still checked.
			d.errorf(kNode, joinPath(path, "atLeast"), "lower atLeast or add members", "atLeast %d is more than the %d %s of the group",
				dep.K, len(dep.Of), num.Plural(len(dep.Of), "member", "members"))
		}
	}
	if len(dep.Of) == 0 {
		if written == 0 {
			d.errorf(n, path, "list at least one id", "dependency group is empty")
		}
		return dep, false
	}
	return dep, true
}

// members counts the entries written in a list of members; a value that is
// not a list counts as one, as it has been reported already.
func members(n *yaml.Node) int {
	switch {
	case isNull(n):
		return 0
	case n.Kind == yaml.SequenceNode:
		return len(n.Content)
	}
	return 1
}

func (d *decoder) feature(n *yaml.Node, path string) (Feature, bool) {
	f := Feature{Pos: d.pos(n), Path: path}
	var sawID, haveID bool
	ok := d.object(n, path, "a feature",
		field{"id", func(v *yaml.Node, p string) { sawID, haveID = true, d.id(v, p, &f.ID) }},
		field{"name", func(v *yaml.Node, p string) { d.str(v, p, &f.Name) }},
		field{"description", func(v *yaml.Node, p string) { d.str(v, p, &f.Description) }},
		field{"product", func(v *yaml.Node, p string) { d.str(v, p, &f.Product) }},
		field{"users", func(v *yaml.Node, p string) { f.UsersPos = d.pos(v); d.integer(v, p, 0, &f.Users) }},
		field{"tier", func(v *yaml.Node, p string) { d.smallInt(v, p, 1, &f.Tier) }},
		field{"dependsOn", func(v *yaml.Node, p string) { f.DependsOn = d.deps(v, p) }},
		field{"source", func(v *yaml.Node, p string) { d.str(v, p, &f.Source) }},
		field{"labels", func(v *yaml.Node, p string) { d.labels(v, p, &f.Labels) }},
	)
	if !ok {
		return f, false
	}
	if !haveID {
		if !sawID {
			d.required(n, path, "feature", "id")
		}
		return f, false
	}
	return f, true
}

// boolean reads true or false.
func (d *decoder) boolean(n *yaml.Node, path string, out *bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		d.errorf(n, path, "write true or false, without quotes", "want true or false, got %s", kindName(n))
		return
	}
	*out = strings.EqualFold(n.Value, "true")
}

// duration reads a duration such as 30m, 4h or 2d.
func (d *decoder) duration(n *yaml.Node, path string, out *Duration) {
	var s string
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.errorf(n, path, "write a number followed by s, m, h or d, such as 30m or 1h30m", "want a duration such as 30m, 4h or 2d, got %s", kindName(n))
		return
	}
	s = n.Value
	v, err := ParseDuration(s)
	if err != nil {
		d.errorf(n, path, "write a number followed by s, m, h or d, such as 30m or 1h30m", "%v", err)
		return
	}
	*out = v
}

// MaxRecoveryTime bounds a restart or failover time: a year. Longer
// times are mistakes, and sums of them along a recovery plan must not
// overflow.
const MaxRecoveryTime = Duration(365 * 24 * time.Hour)

// recoveryTime reads a restart or failover time: a duration of at most
// MaxRecoveryTime.
func (d *decoder) recoveryTime(n *yaml.Node, path string, out *Duration) {
	var v Duration
	d.duration(n, path, &v)
	if v > MaxRecoveryTime {
		d.errorf(n, path, "write at most 365d: a longer time is not a plan", "%s is more than a year", n.Value)
		return
	}
	*out = v
}

// unavailability reads a probability between 0 and 1.
func (d *decoder) unavailability(n *yaml.Node, path string, r *Reliability) {
	r.RelPos = d.pos(n)
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!float" && n.Tag != "!!int") {
		d.errorf(n, path, "such as 0.0001", "want a probability, got %s", kindName(n))
		return
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if err != nil || v < 0 || v > 1 || math.IsNaN(v) {
		d.errorf(n, path, "the probability of being down at a random moment, such as 0.0001", "unavailability must be between 0 and 1, got %s", n.Value)
		return
	}
	r.Unavailability = &v
}

// checkReliability reports failure data that does not add up: mtbf
// without mttr or the other way round, or both forms at once.
func (d *decoder) checkReliability(n *yaml.Node, path string, r Reliability) {
	switch {
	case r.Unavailability != nil && (r.MTBF > 0 || r.MTTR > 0):
		d.errorf(n, path, "keep one of them", "give either unavailability or mtbf and mttr, not both")
	case (r.MTBF > 0) != (r.MTTR > 0):
		d.errorf(n, path, "give both: unavailability = mttr / (mtbf + mttr)", "mtbf and mttr go together")
	}
}

// reliability reads {unavailability} or {mtbf, mttr}.
func (d *decoder) reliability(n *yaml.Node, path, what string) Reliability {
	var r Reliability
	d.object(n, path, what,
		field{"unavailability", func(v *yaml.Node, p string) { d.unavailability(v, p, &r) }},
		field{"mtbf", func(v *yaml.Node, p string) { d.duration(v, p, &r.MTBF) }},
		field{"mttr", func(v *yaml.Node, p string) { d.duration(v, p, &r.MTTR) }},
	)
	d.checkReliability(n, path, r)
	return r
}

func (d *decoder) defaults(n *yaml.Node, path string, inv *Inventory) {
	if inv.Defaults == nil {
		inv.Defaults = &Defaults{Pos: d.pos(n)}
	}
	def := inv.Defaults
	d.object(n, path, "defaults",
		field{"kinds", func(v *yaml.Node, p string) {
			d.mapping(v, p, "defaults.kinds", func(key string, e *yaml.Node, ep string) {
				if def.Kinds == nil {
					def.Kinds = map[string]Reliability{}
				}
				if _, dup := def.Kinds[key]; dup {
					d.errorf(e, ep, "give each kind once, in one file", "defaults for kind %q given twice", key)
					return
				}
				def.Kinds[key] = d.reliability(e, ep, "failure data")
			})
		}},
		field{"services", func(v *yaml.Node, p string) {
			if def.Services != nil {
				d.errorf(v, p, "give them once, in one file", "service defaults given twice")
				return
			}
			r := d.reliability(v, p, "failure data")
			def.Services = &r
		}},
		field{"tiers", func(v *yaml.Node, p string) {
			d.mapping(v, p, "defaults.tiers", func(key string, e *yaml.Node, ep string) {
				t, err := strconv.Atoi(key)
				if err != nil || t < 1 {
					d.errorf(e, ep, "such as 1: {restart: 15m, rto: 30m}", "tier %q must be a whole number from 1", key)
					return
				}
				raw := key
				key = strconv.Itoa(t) // "01" is tier 1
				if def.Tiers == nil {
					def.Tiers = map[string]TierDefaults{}
				}
				if _, dup := def.Tiers[key]; dup {
					hint := "give each tier once, in one file"
					if raw != key {
						hint = fmt.Sprintf("%q is tier %s; give each tier once, in one file", raw, key)
					}
					d.errorf(e, ep, hint, "defaults for tier %s given twice", key)
					return
				}
				var td TierDefaults
				d.object(e, ep, "tier defaults",
					field{"restart", func(v *yaml.Node, p string) { d.recoveryTime(v, p, &td.Restart) }},
					field{"rto", func(v *yaml.Node, p string) { d.recoveryTime(v, p, &td.RTO) }},
				)
				def.Tiers[key] = td
			})
		}},
	)
}

// mapping walks a mapping with free keys, calling fn for each.
func (d *decoder) mapping(n *yaml.Node, path, what string, fn func(key string, v *yaml.Node, path string)) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, mappingHint(what), "%s must be a mapping, got %s", what, kindName(n))
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := d.resolve(n.Content[i], path)
		v := d.resolve(n.Content[i+1], path)
		if k == nil || v == nil {
			return
		}
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, path, "write the key as a plain name", "keys must be plain names, got %s", kindName(k))
			continue
		}
		fn(k.Value, v, joinPath(path, k.Value))
	}
}

// item decodes one element of the components, services or features list
// and appends it to inv.
func (d *decoder) item(list string, e *yaml.Node, path string, inv *Inventory) {
	before := len(*d.diags)
	switch list {
	case "components":
		c, ok := d.component(e, path)
		d.entity(before, c.Pos, path)
		if ok {
			inv.Components = append(inv.Components, c)
		}
	case "services":
		s, ok := d.service(e, path)
		d.entity(before, s.Pos, path)
		if ok {
			inv.Services = append(inv.Services, s)
		}
	case "features":
		f, ok := d.feature(e, path)
		d.entity(before, f.Pos, path)
		if ok {
			inv.Features = append(inv.Features, f)
		}
	}
}

// streamItem decodes an element of a top-level list that the JSON parser
// hands over as soon as it is read, so that the whole document never
// needs to be held as a node tree.
func (d *decoder) streamItem(list string, i int, e *yaml.Node, inv *Inventory) {
	path := index(list, i)
	if e = d.resolve(e, path); e != nil {
		d.item(list, e, path, inv)
	}
}
