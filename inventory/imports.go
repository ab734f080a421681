package inventory

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/blast-dev/blast/internal/num"
	"go.yaml.in/yaml/v4"
)

// Import is what an importer built: a blast/v1 inventory layer and a report
// of what it took, inferred, found failed and could not map.
type Import struct {
	Inv    *Inventory
	Report *Report
	// JoinOnly marks a layer that only adds to what a base has (observed
	// calls): merged, its services the base lacks are not added, and its
	// dependencies on them are dropped, both reported as not mapped.
	JoinOnly bool
}

// Report says what an import did, so that nothing it dropped goes unseen.
type Report struct {
	Source     string `json:"source"`
	Components int    `json:"components"`
	Services   int    `json:"services"`
	Features   int    `json:"features"`
	// Failed lists components imported as already failed, by id.
	Failed []Note `json:"failed,omitempty"`
	// Inferred lists dependencies read from indirect evidence (such as an
	// environment variable naming another service).
	Inferred []Note `json:"inferred,omitempty"`
	// Unmapped groups what could not be mapped, with counts and examples.
	Unmapped []Skip `json:"unmapped,omitempty"`
	// Notes are assumptions the importer made and warnings about the
	// layer, such as services that have no placement of their own.
	Notes []string `json:"notes,omitempty"`
	// Joined lists entities a merge joined with the base, by id.
	Joined []Note `json:"joined,omitempty"`

	skips map[string]*Skip
}

// Note is one entity or edge and why it is listed.
type Note struct {
	ID  string `json:"id"`
	Why string `json:"why"`
}

// Skip is one kind of thing an importer could not map: a description, how
// many there were and up to MaxExamples of them.
type Skip struct {
	What     string   `json:"what"`
	Count    int      `json:"count"`
	Examples []string `json:"examples"`
}

// MaxListed bounds the joined, failed and inferred entries the text report
// lists of each; the JSON report holds them all.
const MaxListed = 20

// MaxExamples bounds the examples a Skip keeps.
const MaxExamples = 3

func newReport(source string) *Report { return &Report{Source: source, skips: map[string]*Skip{}} }

// skip records that example, of the kind what, was not mapped.
func (r *Report) skip(what, example string) {
	s := r.skips[what]
	if s == nil {
		s = &Skip{What: what}
		r.skips[what] = s
	}
	s.Count++
	s.Examples = append(s.Examples, example)
}

func (r *Report) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

// finish sorts the report and counts the entities of inv.
func (r *Report) finish(inv *Inventory) {
	r.Components, r.Services, r.Features = len(inv.Components), len(inv.Services), len(inv.Features)
	r.Unmapped = r.Unmapped[:0]
	for _, s := range r.skips {
		slices.Sort(s.Examples)
		s.Examples = slices.Compact(s.Examples)
		if len(s.Examples) > MaxExamples {
			s.Examples = s.Examples[:MaxExamples]
		}
		r.Unmapped = append(r.Unmapped, *s)
	}
	slices.SortFunc(r.Unmapped, func(a, b Skip) int { return strings.Compare(a.What, b.What) })
	byID := func(a, b Note) int { return cmp.Or(strings.Compare(a.ID, b.ID), strings.Compare(a.Why, b.Why)) }
	slices.SortFunc(r.Failed, byID)
	slices.SortFunc(r.Inferred, byID)
	slices.SortFunc(r.Joined, byID)
	r.Failed, r.Inferred, r.Joined = slices.Compact(r.Failed), slices.Compact(r.Inferred), slices.Compact(r.Joined)
	slices.Sort(r.Notes)
	r.Notes = slices.Compact(r.Notes)
}

// WriteText writes the report for people: counts, joined entities, failed
// components and inferred dependencies (the first MaxListed of each), what
// was not mapped, and notes.
func (r *Report) WriteText(w io.Writer) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s: %d %s, %d %s, %d %s\n", r.Source,
		r.Components, num.Plural(r.Components, "component", "components"),
		r.Services, num.Plural(r.Services, "service", "services"),
		r.Features, num.Plural(r.Features, "feature", "features"))
	list := func(what string, ns []Note) {
		for i, n := range ns {
			if i == MaxListed {
				fmt.Fprintf(&b, "  %s: … and %d more (--report FILE lists them all)\n", what, len(ns)-MaxListed)
				break
			}
			fmt.Fprintf(&b, "  %s: %s (%s)\n", what, n.ID, n.Why)
		}
	}
	list("joined", r.Joined)
	list("already failed", r.Failed)
	list("inferred", r.Inferred)
	for _, s := range r.Unmapped {
		fmt.Fprintf(&b, "  not mapped: %d %s, e.g. %s\n", s.Count, s.What, strings.Join(s.Examples, ", "))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "  note: %s\n", n)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// source is one input file being read as a node tree, with the diagnostics
// its problems go to.
type source struct {
	file  string
	diags *Diagnostics
}

func (s *source) pos(n *yaml.Node) Pos {
	if n == nil {
		return Pos{File: s.file, Line: 1, Col: 1}
	}
	return Pos{File: s.file, Line: max(n.Line, 1), Col: max(n.Column, 1)}
}

func (s *source) errorf(n *yaml.Node, hint, format string, args ...any) {
	*s.diags = append(*s.diags, Diagnostic{Pos: s.pos(n), Msg: fmt.Sprintf(format, args...), Hint: hint})
}

// nothingImported reports, at the start of the first input file, that an
// import found nothing to write (msg), with what to give instead (hint).
func nothingImported(files []File, diags *Diagnostics, msg, hint string) {
	if len(files) > 0 {
		(&source{file: files[0].Name, diags: diags}).errorf(nil, hint, "%s", msg)
	}
}

// documents parses every document of f (YAML, or JSON, which YAML reads
// too) and returns the root node of each non-empty one. Syntax errors and
// alias bombs are reported to diags and end the file.
func documents(f File, diags *Diagnostics) []*yaml.Node {
	if len(bytes.TrimSpace(f.Data)) == 0 {
		*diags = append(*diags, Diagnostic{Pos: Pos{File: f.Name, Line: 1, Col: 1}, Msg: "file is empty", Hint: "give the saved export, manifest or catalog file itself: an empty file holds nothing to import"})
		return nil
	}
	var out []*yaml.Node
	// JSON goes through the JSON parser: the YAML parser reads a large
	// one-line JSON document in time that grows much faster than its size.
	if looksJSON(f) {
		root, err := parseJSON(f.Data)
		if err == nil {
			if n := root.Content[0]; !isNull(n) {
				out = append(out, n)
			}
			return out
		}
		je := err.(*jsonError)
		if je.hint != "" {
			*diags = append(*diags, Diagnostic{Pos: Pos{File: f.Name, Line: je.line, Col: je.col}, Msg: je.msg, Hint: je.hint})
			return nil
		}
		if isJSONName(f.Name) {
			*diags = append(*diags, Diagnostic{Pos: Pos{File: f.Name, Line: je.line, Col: je.col}, Msg: "syntax error: " + je.msg,
				Hint: "check the JSON for a missing comma, quote or bracket, or save the response again: it may be cut short"})
			return nil
		}
	}
	if d := yamlTooBig(f.Name, f.Data); d != nil {
		*diags = append(*diags, *d)
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(f.Data))
	for {
		var root yaml.Node
		err := dec.Decode(&root)
		if err == io.EOF {
			return out
		}
		if err != nil {
			*diags = append(*diags, syntaxDiagnostic(f.Name, err))
			return out
		}
		if newDecoder(f.Name, &root, diags).refuseBomb(&root) {
			return out
		}
		n := deref(&root)
		if n.Kind == yaml.DocumentNode {
			if len(n.Content) == 0 {
				continue
			}
			n = deref(n.Content[0])
		}
		if isNull(n) {
			continue
		}
		out = append(out, n)
	}
}

// deref follows aliases (a bounded number of times).
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// get returns the value of key in mapping n, or nil.
func get(n *yaml.Node, key string) *yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := deref(n.Content[i]); k != nil && k.Kind == yaml.ScalarNode && k.Value == key {
			return deref(n.Content[i+1])
		}
	}
	return nil
}

// dig follows keys through nested mappings.
func dig(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		n = get(n, k)
	}
	return n
}

// text returns the value of scalar n, "" for null, missing or not scalar.
func text(n *yaml.Node) string {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

// items returns the elements of sequence n, nil if n is not a sequence.
func items(n *yaml.Node) []*yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = deref(c)
	}
	return out
}

// pairs calls fn for each key and value of mapping n, in written order.
func pairs(n *yaml.Node, fn func(k string, v *yaml.Node)) {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		fn(text(n.Content[i]), deref(n.Content[i+1]))
	}
}

// wholeNumber reads scalar n as an integer; ok is false for anything else.
func wholeNumber(n *yaml.Node) (int64, bool) {
	v, err := strconv.ParseInt(text(n), 10, 64)
	return v, err == nil
}

// uniqueIDs gives each key its short name unless another key wants the
// same one, then its qualified name. Both lists are indexed alike.
func uniqueIDs(short, qualified []string) []string {
	count := map[string]int{}
	for _, s := range short {
		count[s]++
	}
	out := make([]string, len(short))
	for i, s := range short {
		if count[s] > 1 {
			out[i] = qualified[i]
		} else {
			out[i] = s
		}
	}
	return out
}

// cleanID replaces the characters ids may not hold (see checkID).
func cleanID(s string) string {
	s = strings.TrimSpace(s)
	return strings.Map(func(r rune) rune {
		if r == ',' || r == '=' || r < 0x20 || r == 0x7f {
			return '-'
		}
		return r
	}, s)
}

// sortInventory orders the entities of inv by id, so output does not
// depend on input order.
func sortInventory(inv *Inventory) {
	slices.SortFunc(inv.Components, func(a, b Component) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(inv.Services, func(a, b Service) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(inv.Features, func(a, b Feature) int { return strings.Compare(a.ID, b.ID) })
}

// refs turns ids into Refs.
func refList(ids ...string) []Ref {
	out := make([]Ref, len(ids))
	for i, id := range ids {
		out[i] = Ref{ID: id}
	}
	return out
}

// hard is a hard dependency on id.
func hard(id string) Dep { return Dep{Kind: DepHard, Of: []Ref{{ID: id}}, K: 1} }

// incomplete notes the services of inv that have neither placement nor
// dependencies: valid only once merged with a layer that places them.
func incomplete(inv *Inventory, r *Report) {
	var ids []string
	for _, s := range inv.Services {
		if len(s.Placement) == 0 && len(s.DependsOn) == 0 {
			ids = append(ids, s.ID)
		}
	}
	if len(ids) > 0 {
		ex := ids
		if len(ex) > MaxExamples {
			ex = ex[:MaxExamples]
		}
		r.note("%d %s no placement and no dependencies (%s): this layer is not a whole inventory; merge it with a layer that places them (--merge)",
			len(ids), num.Plural(len(ids), "service has", "services have"), strings.Join(ex, ", "))
	}
}

// finishImport ends an import that builds an unsorted inventory: every
// error found, sorted, or the sorted inventory with its report completed.
func finishImport(inv *Inventory, r *Report, diags Diagnostics) (*Import, error) {
	if err := diags.Err(); err != nil {
		diags.Sort()
		return nil, diags
	}
	sortInventory(inv)
	incomplete(inv, r)
	r.finish(inv)
	return &Import{Inv: inv, Report: r}, nil
}

// CiteSources rewrites diagnostics about data, the encoded form of inv
// written under name, to cite the entity each is about by its source and
// id, such as netbox:dcim/locations/7 (component "ams1"), instead of a
// position in text nobody wrote. Diagnostics about nothing in particular
// keep their position. O(size of data + diagnostics).
func CiteSources(inv *Inventory, name string, data []byte, diags Diagnostics) Diagnostics {
	var ignore Diagnostics
	docs := documents(File{Name: name, Data: data}, &ignore)
	if len(docs) == 0 {
		return diags
	}
	type entity struct{ kind, id, source string }
	byLine := map[int]entity{}
	var lines []int
	sections := []struct {
		key, kind string
		n         int
		at        func(int) (string, string)
	}{
		{"components", "component", len(inv.Components), func(i int) (string, string) { return inv.Components[i].ID, inv.Components[i].Source }},
		{"services", "service", len(inv.Services), func(i int) (string, string) { return inv.Services[i].ID, inv.Services[i].Source }},
		{"features", "feature", len(inv.Features), func(i int) (string, string) { return inv.Features[i].ID, inv.Features[i].Source }},
	}
	for _, s := range sections {
		for i, n := range items(get(docs[0], s.key)) {
			if i >= s.n {
				break
			}
			id, src := s.at(i)
			if src == "" {
				src = "the base inventory"
			}
			byLine[n.Line] = entity{s.kind, id, src}
			lines = append(lines, n.Line)
		}
	}
	slices.Sort(lines)
	// at returns the entity whose text holds line.
	at := func(line int) (entity, bool) {
		i, found := slices.BinarySearch(lines, line)
		if !found {
			i--
		}
		if i < 0 {
			return entity{}, false
		}
		return byLine[lines[i]], true
	}
	cite := func(e entity) string { return fmt.Sprintf("%s (%s %q)", e.source, e.kind, e.id) }
	out := make(Diagnostics, len(diags))
	for i, d := range diags {
		if d.Pos.File == name {
			if e, ok := at(d.Pos.Line); ok {
				d.Pos = Pos{File: cite(e)}
				if j := strings.Index(d.Path, "."); j >= 0 {
					d.Path = d.Path[j+1:]
				} else {
					d.Path = ""
				}
			}
		}
		// Positions named in the message, such as "first defined at".
		for {
			j := strings.Index(d.Msg, name+":")
			if j < 0 {
				break
			}
			k := j + len(name) + 1
			end := k
			for end < len(d.Msg) && (d.Msg[end] >= '0' && d.Msg[end] <= '9' || d.Msg[end] == ':') {
				end++
			}
			line, _ := strconv.Atoi(strings.SplitN(d.Msg[k:end], ":", 2)[0])
			e, ok := at(line)
			if !ok {
				break
			}
			d.Msg = d.Msg[:j] + cite(e) + d.Msg[end:]
		}
		out[i] = d
	}
	return out
}
