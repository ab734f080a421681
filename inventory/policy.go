package inventory

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/invopop/jsonschema"
	"go.yaml.in/yaml/v4"
)

// Rule types of a policy.
const (
	RuleSurvive             = "survive"
	RuleMaxImpact           = "maxImpact"
	RuleIndependentFailover = "independentFailover"
	RuleSpread              = "spread"
	RuleNoCycles            = "noCycles"
)

// RuleTypes lists the rule types a policy may use.
var RuleTypes = []string{RuleIndependentFailover, RuleMaxImpact, RuleNoCycles, RuleSpread, RuleSurvive}

// RuleFields lists, per rule type, the fields the type uses besides id,
// type, severity, description and select; the other fields of
// TypedFields are an error on a rule of that type.
var RuleFields = map[string][]string{
	RuleSurvive:             {"kinds", "allow"},
	RuleMaxImpact:           {"kinds", "maxUsers", "maxPercent"},
	RuleIndependentFailover: {"kinds"},
	RuleSpread:              {"kinds", "min"},
	RuleNoCycles:            {},
}

// TypedFields are the rule fields that only some rule types use, in the
// order a rule lists them.
var TypedFields = []string{"kinds", "allow", "maxUsers", "maxPercent", "min"}

// Severities of a policy rule, from most to least severe.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
	SeverityNote    = "note"
)

// Policy is a set of rules an inventory must meet: the CI gate.
type Policy struct {
	APIVersion string         `json:"apiVersion" jsonschema:"enum=blast/v1"`
	Kind       string         `json:"kind" jsonschema:"enum=Policy"`
	Metadata   PolicyMetadata `json:"metadata,omitempty"`
	Rules      []Rule         `json:"rules"`

	File string `json:"-"`
}

// PolicyMetadata names a policy.
type PolicyMetadata struct {
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
}

// Rule is one rule of a policy. Which fields apply depends on Type:
//
//   - survive: the features Select picks must stay up (Allow: up, the
//     default) or not go down (Allow: degraded) after the loss of any
//     single component of Kinds.
//   - maxImpact: no single component of Kinds may take down more than
//     MaxUsers users or MaxPercent percent of all users.
//   - independentFailover: no component of Kinds may take down both some
//     active replicas of a service Select picks and its failover.via
//     control plane.
//   - spread: the replicas of each service Select picks must span at least
//     Min distinct components of kind Kinds[0].
//   - noCycles: no cold-start deadlock when the services Select picks are
//     all down at once: the deadlock finder of the recovery plan, run on a
//     start from nothing (hard dependencies, and the failover control
//     plane of services that run only on standby replicas; an anyOf or
//     atLeast with enough members outside the cycle is a way out).
type Rule struct {
	ID          string    `json:"id" jsonschema:"minLength=1"`
	Type        string    `json:"type" jsonschema:"enum=survive,enum=maxImpact,enum=independentFailover,enum=spread,enum=noCycles"`
	Severity    string    `json:"severity,omitempty" jsonschema:"enum=error,enum=warning,enum=note,description=Default error."`
	Description string    `json:"description,omitempty"`
	Select      *Selector `json:"select,omitempty" jsonschema:"description=Which features (survive) or services (other rules) the rule applies to; default all."`
	Kinds       []string  `json:"kinds,omitempty" jsonschema:"description=Component kinds whose single loss the rule considers."`
	Allow       string    `json:"allow,omitempty" jsonschema:"enum=up,enum=degraded,description=survive: the worst state allowed after the loss. Default up."`
	MaxUsers    int64     `json:"maxUsers,omitempty" jsonschema:"minimum=0"`
	MaxPercent  float64   `json:"maxPercent,omitempty" jsonschema:"minimum=0,maximum=100"`
	Min         int       `json:"min,omitempty" jsonschema:"minimum=1"`

	Pos Pos `json:"-"`
}

// Selector picks features or services. Every field given must match; a
// list matches when any element does. An empty selector picks everything.
// Each list field may also be written in the singular with one value or a
// list (tier: 1, product: KakaoTalk).
type Selector struct {
	IDs      []string          `json:"ids,omitempty"`
	Tiers    []int             `json:"tiers,omitempty"`
	Products []string          `json:"products,omitempty" jsonschema:"description=Features only."`
	Roles    []string          `json:"roles,omitempty" jsonschema:"description=Services only."`
	Labels   map[string]string `json:"labels,omitempty"`

	// IDPos and IDPath hold, for each of IDs, where the policy file names
	// it and its path (rules[0].select.ids[1]): what an error about an id
	// that names nothing points at.
	IDPos  []Pos    `json:"-"`
	IDPath []string `json:"-"`
}

// MatchFeature reports whether s picks feature f. A nil selector picks all.
func (s *Selector) MatchFeature(f *Feature) bool {
	if s == nil {
		return true
	}
	return s.match(f.ID, f.Tier, f.Labels) && (len(s.Products) == 0 || slices.Contains(s.Products, f.Product)) && len(s.Roles) == 0
}

// MatchService reports whether s picks service v. A nil selector picks all.
func (s *Selector) MatchService(v *Service) bool {
	if s == nil {
		return true
	}
	return s.match(v.ID, v.Tier, v.Labels) && (len(s.Roles) == 0 || slices.Contains(s.Roles, v.Role)) && len(s.Products) == 0
}

func (s *Selector) match(id string, tier int, labels map[string]string) bool {
	if len(s.IDs) > 0 && !slices.Contains(s.IDs, id) {
		return false
	}
	if len(s.Tiers) > 0 && !slices.Contains(s.Tiers, tier) {
		return false
	}
	for k, v := range s.Labels {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// String describes the selector, such as "tier 1, product KakaoTalk".
func (s *Selector) String() string {
	if s == nil {
		return "all"
	}
	var parts []string
	if len(s.IDs) > 0 {
		parts = append(parts, "ids "+strings.Join(s.IDs, ", "))
	}
	if len(s.Tiers) > 0 {
		var ts []string
		for _, t := range s.Tiers {
			ts = append(ts, fmt.Sprint(t))
		}
		parts = append(parts, "tier "+strings.Join(ts, " or "))
	}
	if len(s.Products) > 0 {
		parts = append(parts, "product "+strings.Join(s.Products, " or "))
	}
	if len(s.Roles) > 0 {
		parts = append(parts, "role "+strings.Join(s.Roles, " or "))
	}
	keys := make([]string, 0, len(s.Labels))
	for k := range s.Labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		parts = append(parts, k+"="+s.Labels[k])
	}
	if len(parts) == 0 {
		return "all"
	}
	return strings.Join(parts, ", ")
}

// LoadPolicy reads and checks a policy file (YAML or JSON). Every problem
// is reported, as for inventories.
func LoadPolicy(name string, r io.Reader) (*Policy, Diagnostics, error) {
	data, err := readLimited(r, name)
	if err != nil {
		return nil, nil, err
	}
	return ParsePolicy(File{Name: name, Data: data})
}

// ParsePolicy decodes and checks one policy file.
func ParsePolicy(f File) (*Policy, Diagnostics, error) {
	var diags Diagnostics
	p := &Policy{File: f.Name}
	if len(bytes.TrimSpace(f.Data)) == 0 {
		diags = append(diags, Diagnostic{Pos: Pos{File: f.Name, Line: 1, Col: 1}, Msg: "policy file is empty", Hint: "start it with apiVersion: " + APIVersion + " and kind: Policy"})
		return nil, diags, diags
	}
	if d := yamlTooBig(f.Name, f.Data); d != nil {
		diags = append(diags, *d)
		return nil, diags, diags
	}
	var root yaml.Node
	if err := yaml.Unmarshal(f.Data, &root); err != nil {
		diags = append(diags, syntaxDiagnostic(f.Name, err))
		return nil, diags, diags
	}
	if root.Kind == 0 || (root.Kind == yaml.DocumentNode && len(root.Content) == 0) {
		// Only comments: as good as empty.
		diags = append(diags, Diagnostic{Pos: Pos{File: f.Name, Line: 1, Col: 1}, Msg: "policy file holds no document", Hint: "start it with apiVersion: " + APIVersion + " and kind: Policy"})
		return nil, diags, diags
	}
	d := newDecoder(f.Name, &root, &diags)
	d.policy(&root, p)
	if len(p.Rules) == 0 && diags.Err() == nil {
		diags = append(diags, Diagnostic{Pos: Pos{File: f.Name, Line: 1, Col: 1}, Msg: "policy has no rules", Hint: "add rules: [...]"})
	}
	seen := map[string]Pos{}
	for _, r := range p.Rules {
		if prev, dup := seen[r.ID]; dup {
			diags = append(diags, Diagnostic{Pos: r.Pos, Path: "rules", Msg: fmt.Sprintf("duplicate rule id %q (first at %s)", r.ID, prev), Hint: "give each rule an id of its own: findings and baselines name rules by id"})
		}
		seen[r.ID] = r.Pos
	}
	diags.Sort()
	if err := diags.Err(); err != nil {
		return nil, diags, err
	}
	return p, diags, nil
}

func (d *decoder) policy(root *yaml.Node, p *Policy) {
	n := d.resolve(root, "")
	if n == nil {
		return
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		if n = d.resolve(n.Content[0], ""); n == nil {
			return
		}
	}
	var haveAPI, haveKind bool
	d.object(n, "", "the policy",
		field{"apiVersion", func(v *yaml.Node, path string) {
			haveAPI = true
			d.str(v, path, &p.APIVersion)
			if p.APIVersion != APIVersion {
				d.errorf(v, path, "write apiVersion: "+APIVersion, "unsupported apiVersion %q", p.APIVersion)
			}
		}},
		field{"kind", func(v *yaml.Node, path string) {
			haveKind = true
			d.str(v, path, &p.Kind)
			if p.Kind != "Policy" {
				d.errorf(v, path, "write kind: Policy", "unsupported kind %q", p.Kind)
			}
		}},
		field{"metadata", func(v *yaml.Node, path string) {
			d.object(v, path, "metadata",
				field{"name", func(v *yaml.Node, path string) { d.str(v, path, &p.Metadata.Name) }},
				field{"description", func(v *yaml.Node, path string) { d.str(v, path, &p.Metadata.Description) }},
			)
		}},
		field{"rules", func(v *yaml.Node, path string) {
			d.list(v, path, "rules", func(_ int, e *yaml.Node, ep string) {
				if r, ok := d.rule(e, ep); ok {
					p.Rules = append(p.Rules, r)
				}
			})
		}},
	)
	if n.Kind == yaml.MappingNode {
		if !haveAPI {
			d.errorf(n, "", "add apiVersion: "+APIVersion, "missing apiVersion")
		}
		if !haveKind {
			d.errorf(n, "", "add kind: Policy", "missing kind")
		}
	}
}

// strs reads a string or a list of strings.
func (d *decoder) strs(n *yaml.Node, path, what string) []string {
	out, _, _ := d.strsAt(n, path, what)
	return out
}

// strsAt is strs that also returns where each string is and its path.
func (d *decoder) strsAt(n *yaml.Node, path, what string) ([]string, []Pos, []string) {
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		return []string{n.Value}, []Pos{d.pos(n)}, []string{path}
	}
	var out, paths []string
	var pos []Pos
	d.list(n, path, what, func(_ int, v *yaml.Node, p string) {
		var s string
		d.str(v, p, &s)
		out, pos, paths = append(out, s), append(pos, d.pos(v)), append(paths, p)
	})
	return out, pos, paths
}

func (d *decoder) rule(n *yaml.Node, path string) (Rule, bool) {
	r := Rule{Pos: d.pos(n)}
	typed := false
	at := map[string]*yaml.Node{} // where each typed field is written
	ok := d.object(n, path, "a rule",
		field{"id", func(v *yaml.Node, p string) { d.id(v, p, &r.ID) }},
		field{"type", func(v *yaml.Node, p string) {
			typed = true
			d.str(v, p, &r.Type)
			if !slices.Contains(RuleTypes, r.Type) {
				hint := DidYouMean(r.Type, RuleTypes)
				if hint == "" {
					hint = "rule types: " + strings.Join(RuleTypes, ", ")
				}
				d.errorf(v, p, hint, "unknown rule type %q", r.Type)
				r.Type = ""
			}
		}},
		field{"severity", func(v *yaml.Node, p string) {
			d.str(v, p, &r.Severity)
			sev := []string{SeverityError, SeverityWarning, SeverityNote}
			if !slices.Contains(sev, r.Severity) {
				d.errorf(v, p, "use error, warning or note", "unknown severity %q", r.Severity)
			}
		}},
		field{"description", func(v *yaml.Node, p string) { d.str(v, p, &r.Description) }},
		field{"select", func(v *yaml.Node, p string) { r.Select = d.selector(v, p) }},
		field{"kinds", func(v *yaml.Node, p string) { at["kinds"] = v; r.Kinds = d.strs(v, p, "kinds") }},
		field{"allow", func(v *yaml.Node, p string) {
			at["allow"] = v
			d.str(v, p, &r.Allow)
			if r.Allow != "up" && r.Allow != "degraded" {
				d.errorf(v, p, "use up (the feature must stay fully up) or degraded (it must not go down)", "allow must be up or degraded, got %q", r.Allow)
			}
		}},
		field{"maxUsers", func(v *yaml.Node, p string) { at["maxUsers"] = v; d.integer(v, p, 0, &r.MaxUsers) }},
		field{"maxPercent", func(v *yaml.Node, p string) {
			at["maxPercent"] = v
			if v.Kind != yaml.ScalarNode || (v.Tag != "!!int" && v.Tag != "!!float") {
				d.errorf(v, p, "", "want a number, got %s", kindName(v))
				return
			}
			fmt.Sscan(v.Value, &r.MaxPercent)
			if r.MaxPercent < 0 || r.MaxPercent > 100 {
				d.errorf(v, p, "", "maxPercent must be between 0 and 100, got %s", v.Value)
			}
		}},
		field{"min", func(v *yaml.Node, p string) { at["min"] = v; d.smallInt(v, p, 1, &r.Min) }},
	)
	if !ok {
		return r, false
	}
	if r.ID == "" {
		d.errorf(n, path, "give each rule an id, such as tier1-survives-site", "rule has no id")
		return r, false
	}
	if r.Severity == "" {
		r.Severity = SeverityError
	}
	need := func(cond bool, what, hint string) {
		if !cond {
			d.errorf(n, path, hint, "%s rule %q needs %s", r.Type, r.ID, what)
		}
	}
	switch r.Type {
	case "":
		if !typed {
			d.errorf(n, path, "rule types: "+strings.Join(RuleTypes, ", "), "rule %q has no type", r.ID)
		}
		return r, false
	case RuleSurvive:
		need(len(r.Kinds) > 0, "kinds", "such as kinds: [site]")
	case RuleMaxImpact:
		need(len(r.Kinds) > 0, "kinds", "such as kinds: [rack]")
		need(r.MaxUsers > 0 || r.MaxPercent > 0, "maxUsers or maxPercent", "such as maxUsers: 1000000")
	case RuleIndependentFailover:
		need(len(r.Kinds) > 0, "kinds", "such as kinds: [site, building]")
	case RuleSpread:
		need(len(r.Kinds) == 1, "exactly one kind", "such as kinds: [site]")
		need(r.Min > 0, "min", "such as min: 2")
	}
	for _, name := range TypedFields {
		if v := at[name]; v != nil && !slices.Contains(RuleFields[r.Type], name) {
			uses := append([]string{"select"}, RuleFields[r.Type]...)
			d.errorf(v, path+"."+name, fmt.Sprintf("remove it; %s rules take %s", r.Type, strings.Join(uses, ", ")),
				"%s does not apply to %s rules", name, r.Type)
		}
	}
	if r.Type != RuleSurvive {
		r.Allow = ""
	}
	if r.Type == RuleSurvive && r.Allow == "" {
		r.Allow = "up"
	}
	if r.Select != nil && r.Type == RuleSurvive && len(r.Select.Roles) > 0 {
		d.errorf(n, path, "select features by ids, tiers, products or labels", "survive rules select features, which have no role")
	}
	if r.Select != nil && r.Type != RuleSurvive && r.Type != RuleMaxImpact && len(r.Select.Products) > 0 {
		d.errorf(n, path, "select services by ids, tiers, roles or labels", "%s rules select services, which have no product", r.Type)
	}
	return r, true
}

func (d *decoder) selector(n *yaml.Node, path string) *Selector {
	s := &Selector{}
	d.object(n, path, "select",
		field{"ids", func(v *yaml.Node, p string) { s.IDs, s.IDPos, s.IDPath = d.strsAt(v, p, "ids") }},
		field{"id", func(v *yaml.Node, p string) { s.IDs, s.IDPos, s.IDPath = d.strsAt(v, p, "id") }},
		field{"tiers", func(v *yaml.Node, p string) { s.Tiers = d.ints(v, p) }},
		field{"tier", func(v *yaml.Node, p string) { s.Tiers = d.ints(v, p) }},
		field{"products", func(v *yaml.Node, p string) { s.Products = d.strs(v, p, "products") }},
		field{"product", func(v *yaml.Node, p string) { s.Products = d.strs(v, p, "product") }},
		field{"roles", func(v *yaml.Node, p string) { s.Roles = d.strs(v, p, "roles") }},
		field{"role", func(v *yaml.Node, p string) { s.Roles = d.strs(v, p, "role") }},
		field{"labels", func(v *yaml.Node, p string) { d.labels(v, p, &s.Labels) }},
	)
	return s
}

// ints reads a whole number or a list of them.
func (d *decoder) ints(n *yaml.Node, path string) []int {
	var out []int
	if n.Kind == yaml.ScalarNode {
		var v int
		if d.smallInt(n, path, 1, &v) {
			out = append(out, v)
		}
		return out
	}
	d.list(n, path, "tiers", func(_ int, e *yaml.Node, p string) {
		var v int
		if d.smallInt(e, p, 1, &v) {
			out = append(out, v)
		}
	})
	return out
}

// PolicySchemaID is the $id of the policy JSON Schema.
const PolicySchemaID = "https://blast.invalid/schema/policy-v1.json"

// PolicySchema returns the JSON Schema of a policy file, generated from
// the Go types, indented, with a final newline.
func PolicySchema() []byte {
	return schemaOf(&Policy{}, PolicySchemaID, "blast policy ("+APIVersion+")", "Rules an inventory must meet: the pre-deploy gate.")
}

// JSONSchemaExtend adds to the generated rule schema what each rule type
// requires and forbids (see RuleFields): an if/then per type, requiring its
// fields and refusing the typed fields it does not use.
func (Rule) JSONSchemaExtend(s *jsonschema.Schema) {
	required := map[string][]string{
		RuleSurvive:             {"kinds"},
		RuleMaxImpact:           {"kinds"},
		RuleIndependentFailover: {"kinds"},
		RuleSpread:              {"kinds", "min"},
	}
	for _, t := range RuleTypes {
		cond := &jsonschema.Schema{Required: []string{"type"}, Properties: jsonschema.NewProperties()}
		cond.Properties.Set("type", &jsonschema.Schema{Const: t})
		then := &jsonschema.Schema{Required: required[t], Properties: jsonschema.NewProperties()}
		for _, f := range TypedFields {
			if !slices.Contains(RuleFields[t], f) {
				then.Properties.Set(f, jsonschema.FalseSchema)
			}
		}
		switch t {
		case RuleMaxImpact:
			then.AnyOf = []*jsonschema.Schema{{Required: []string{"maxUsers"}}, {Required: []string{"maxPercent"}}}
		case RuleSpread:
			then.Properties.Set("kinds", &jsonschema.Schema{MinItems: ptr(uint64(1)), MaxItems: ptr(uint64(1))})
		}
		s.AllOf = append(s.AllOf, &jsonschema.Schema{If: cond, Then: then})
	}
}
