package inventory

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v4"
)

// Mapping pairs ids of an imported layer with ids of the base inventory it
// is merged into: a Kubernetes node with a NetBox device, a Kubernetes zone
// with a NetBox site, a Backstage component with a Kubernetes workload.
//
//	apiVersion: blast/v1
//	kind: Mapping
//	components:            # layer component id: base component id
//	  kr-central-1a: pangyo
//	  ip-10-0-1-5: pg-k8s-01
//	services:              # layer service or feature id: base id
//	  payments: shop/payments
type Mapping struct {
	// Components pairs layer component ids with base component ids;
	// they rename the layer's components and its parent, power, network
	// and placement references.
	Components map[string]string
	// Services pairs layer service and feature ids with base ids; they
	// rename the layer's services and features and the dependency and
	// failover references to them.
	Services map[string]string
	// Pos holds where each pair was written, by section and layer id
	// (see posKey).
	Pos map[string]Pos
}

// posKey is the key of Mapping.Pos for the pair of id in section
// ("components" or "services").
func posKey(section, id string) string { return section + "\x00" + id }

func newMapping() *Mapping {
	return &Mapping{Components: map[string]string{}, Services: map[string]string{}, Pos: map[string]Pos{}}
}

// ParseMapping reads a mapping file. The error, when not nil, is
// Diagnostics.
func ParseMapping(f File) (*Mapping, error) {
	var diags Diagnostics
	m := newMapping()
	src := &source{file: f.Name, diags: &diags}
	docs := documents(f, &diags)
	if len(docs) > 1 {
		src.errorf(docs[1], "keep the whole mapping in one YAML document, without --- separators", "a mapping file holds one document")
	}
	for _, root := range docs[:min(len(docs), 1)] {
		if root.Kind != yaml.MappingNode {
			src.errorf(root, "start it with apiVersion: blast/v1 and kind: Mapping", "want a mapping, got %s", kindName(root))
			continue
		}
		if v := text(get(root, "apiVersion")); v != APIVersion {
			src.errorf(orNode(get(root, "apiVersion"), root), "write apiVersion: "+APIVersion, "unsupported apiVersion %q", v)
		}
		if k := text(get(root, "kind")); k != "Mapping" {
			src.errorf(orNode(get(root, "kind"), root), "write kind: Mapping", "unsupported kind %q", k)
		}
		pairs(root, func(k string, v *yaml.Node) {
			switch k {
			case "apiVersion", "kind":
			case "components", "services":
				if v.Kind != yaml.MappingNode {
					src.errorf(v, "write layer-id: base-id pairs", "%s must be a mapping, got %s", k, kindName(v))
					return
				}
				ids := m.Components
				if k == "services" {
					ids = m.Services
				}
				for i := 0; i+1 < len(v.Content); i += 2 {
					kn, vn := deref(v.Content[i]), deref(v.Content[i+1])
					from, to := text(kn), text(vn)
					if from == "" || to == "" || vn.Kind != yaml.ScalarNode {
						src.errorf(kn, "write layer-id: base-id", "a pair needs two ids")
						continue
					}
					if prev, dup := m.Pos[posKey(k, from)]; dup {
						src.errorf(kn, "map each layer id once", "%q is mapped twice in %s (first at %s)", from, k, prev)
						continue
					}
					ids[from], m.Pos[posKey(k, from)] = to, src.pos(kn)
				}
			default:
				src.errorf(root, "put each pair under components: or services:", "unknown field %q in a mapping; use components and services", k)
			}
		})
	}
	if err := diags.Err(); err != nil {
		diags.Sort()
		return nil, diags
	}
	return m, nil
}

func orNode(n, def *yaml.Node) *yaml.Node {
	if n != nil {
		return n
	}
	return def
}

// Merge adds an imported layer to base. Ids are first renamed by m (nil:
// none). A layer entity whose id the base has too is joined with it: the
// base's facts stand, the layer fills what the base leaves empty, and facts
// that disagree are conflicts. A layer component's parent must be the base
// component's parent or one of its ancestors. Dependencies are united.
// The error, when not nil, is Diagnostics: every conflict and every
// mapping entry that names nothing, at its position. O(size of both).
func Merge(base *Inventory, layer *Import, m *Mapping) (*Import, error) {
	var diags Diagnostics
	inv := layer.Inv
	mapped := map[string]bool{}
	m = withKubernetesIDs(base, inv, m)
	if m != nil {
		inv = renamed(inv, base, m, &diags)
		for _, to := range m.Components {
			mapped[to] = true
		}
	}
	out := &Inventory{APIVersion: APIVersion, Kind: "Inventory", Metadata: base.Metadata, Defaults: base.Defaults}
	out.Components = slices.Clone(base.Components)
	out.Services = slices.Clone(base.Services)
	out.Features = slices.Clone(base.Features)
	rep := *layer.Report
	rep.Joined = nil
	rep.skips = maps.Clone(layer.Report.skips)
	comps := map[string]int{}
	for i, c := range out.Components {
		comps[c.ID] = i
	}
	svcs := map[string]int{}
	for i, s := range out.Services {
		svcs[s.ID] = i
	}
	feats := map[string]int{}
	for i, f := range out.Features {
		feats[f.ID] = i
	}
	kindOf := func(id string) string {
		switch {
		case hasKey(comps, id):
			return "component"
		case hasKey(svcs, id):
			return "service"
		case hasKey(feats, id):
			return "feature"
		}
		return ""
	}
	parentOf := map[string]string{}
	inBase := map[string]bool{}
	for _, c := range base.Components {
		parentOf[c.ID] = c.Parent.ID
		inBase[c.ID] = true
	}
	isAncestor := func(anc, id string) bool {
		for i, p := 0, parentOf[id]; p != "" && i < len(parentOf)+1; i, p = i+1, parentOf[p] {
			if p == anc {
				return true
			}
		}
		return false
	}
	for _, c := range inv.Components {
		i, ok := comps[c.ID]
		if !ok {
			if k := kindOf(c.ID); k != "" {
				conflict(&diags, base, c.ID, k, "the %s takes id %q for a component; the base has a %s with that id", layer.Report.Source, c.ID, k)
				continue
			}
			comps[c.ID] = len(out.Components)
			out.Components = append(out.Components, c)
			continue
		}
		b := &out.Components[i]
		cf := func(format string, args ...any) {
			diags = append(diags, Diagnostic{Pos: b.Pos, Path: b.Path, Msg: fmt.Sprintf("component %q: ", b.ID) + fmt.Sprintf(format, args...), Hint: "fix the source, or pair the ids differently in the mapping"})
		}
		if c.Kind != b.Kind && !mapped[c.ID] {
			cf("%s says kind %s (%s), the base says %s", layer.Report.Source, c.Kind, c.Source, b.Kind)
		}
		switch p := c.Parent.ID; {
		case p == "" || p == b.Parent.ID:
		case b.Parent.ID == "":
			b.Parent = c.Parent
		case isAncestor(p, b.ID):
		case !hasKey(comps, p) || !inBase[p]:
			rep.note("%s puts %s in %s, which the base does not have: map %s to a base component to check that the two agree", layer.Report.Source, b.ID, p, p)
		default:
			cf("%s puts it in %q (%s), the base in %q, which %q does not contain", layer.Report.Source, p, c.Source, b.Parent.ID, p)
		}
		b.Power = joinFeeds(b.Power, c.Power, "power", cf)
		b.Network = joinFeeds(b.Network, c.Network, "network", cf)
		b.Failed = b.Failed || c.Failed
		fill(&b.Name, c.Name)
		fill(&b.Description, c.Description)
		b.Reliability = joinReliability(b.Reliability, c.Reliability, layer.Report.Source, cf)
		b.Labels = joinLabels(b.Labels, c.Labels, cf)
		rep.Joined = append(rep.Joined, Note{ID: c.ID, Why: c.Source + " is " + sourceOr(b.Source)})
		b.Source = joinSource(b.Source, c.Source)
	}
	if layer.JoinOnly {
		inv = joinOnly(inv, svcs, &rep)
	}
	for _, s := range inv.Services {
		i, ok := svcs[s.ID]
		if !ok {
			if k := kindOf(s.ID); k != "" {
				conflict(&diags, base, s.ID, k, "the %s takes id %q for a service; the base has a %s with that id", layer.Report.Source, s.ID, k)
				continue
			}
			svcs[s.ID] = len(out.Services)
			out.Services = append(out.Services, s)
			continue
		}
		b := &out.Services[i]
		cf := func(format string, args ...any) {
			diags = append(diags, Diagnostic{Pos: b.Pos, Path: b.Path, Msg: fmt.Sprintf("service %q: ", b.ID) + fmt.Sprintf(format, args...), Hint: "fix the source, or pair the ids differently in the mapping"})
		}
		switch {
		case len(s.Placement) == 0:
		case len(b.Placement) == 0:
			b.Placement = s.Placement
		case placementString(s.Placement) != placementString(b.Placement):
			cf("%s places it on %s, the base on %s", layer.Report.Source, placementString(s.Placement), placementString(b.Placement))
		}
		b.Quorum = joinQuantity(b.Quorum, s.Quorum, "quorum", cf)
		b.Capacity = joinQuantity(b.Capacity, s.Capacity, "capacity", cf)
		if s.Tier != 0 && b.Tier != 0 && s.Tier != b.Tier {
			cf("%s says tier %d, the base tier %d", layer.Report.Source, s.Tier, b.Tier)
		} else if b.Tier == 0 {
			b.Tier = s.Tier
		}
		fill(&b.Role, s.Role)
		fill(&b.Name, s.Name)
		fill(&b.Description, s.Description)
		switch {
		case s.Failover == nil:
		case b.Failover == nil:
			b.Failover = s.Failover
		case failoverString(s.Failover) != failoverString(b.Failover):
			cf("%s fails it over %s, the base %s", layer.Report.Source, failoverString(s.Failover), failoverString(b.Failover))
		}
		switch {
		case s.Restart == 0:
		case b.Restart == 0:
			b.Restart = s.Restart
		case s.Restart != b.Restart:
			cf("%s says restart %s, the base %s", layer.Report.Source, s.Restart, b.Restart)
		}
		b.Reliability = joinReliability(b.Reliability, s.Reliability, layer.Report.Source, cf)
		b.DependsOn = joinDeps(b.DependsOn, s.DependsOn, softHard(&rep, "service", b.ID, layer.Report.Source))
		b.Labels = joinLabels(b.Labels, s.Labels, cf)
		rep.Joined = append(rep.Joined, Note{ID: s.ID, Why: s.Source + " is " + sourceOr(b.Source)})
		b.Source = joinSource(b.Source, s.Source)
	}
	for _, f := range inv.Features {
		i, ok := feats[f.ID]
		if !ok {
			if k := kindOf(f.ID); k != "" {
				conflict(&diags, base, f.ID, k, "the %s takes id %q for a feature; the base has a %s with that id", layer.Report.Source, f.ID, k)
				continue
			}
			feats[f.ID] = len(out.Features)
			out.Features = append(out.Features, f)
			continue
		}
		b := &out.Features[i]
		cf := func(format string, args ...any) {
			diags = append(diags, Diagnostic{Pos: b.Pos, Path: b.Path, Msg: fmt.Sprintf("feature %q: ", b.ID) + fmt.Sprintf(format, args...), Hint: "fix the source, or pair the ids differently in the mapping"})
		}
		if f.Users != 0 && b.Users != 0 && f.Users != b.Users {
			cf("%s says %d users, the base %d", layer.Report.Source, f.Users, b.Users)
		} else if b.Users == 0 {
			b.Users = f.Users
		}
		if f.Tier != 0 && b.Tier != 0 && f.Tier != b.Tier {
			cf("%s says tier %d, the base tier %d", layer.Report.Source, f.Tier, b.Tier)
		} else if b.Tier == 0 {
			b.Tier = f.Tier
		}
		fill(&b.Name, f.Name)
		fill(&b.Description, f.Description)
		fill(&b.Product, f.Product)
		b.DependsOn = joinDeps(b.DependsOn, f.DependsOn, softHard(&rep, "feature", b.ID, layer.Report.Source))
		b.Labels = joinLabels(b.Labels, f.Labels, cf)
		rep.Joined = append(rep.Joined, Note{ID: f.ID, Why: f.Source + " is " + sourceOr(b.Source)})
		b.Source = joinSource(b.Source, f.Source)
	}
	if err := diags.Err(); err != nil {
		diags.Sort()
		return nil, diags
	}
	sortInventory(out)
	rep.Notes = slices.DeleteFunc(slices.Clone(rep.Notes), func(n string) bool { return strings.Contains(n, "this layer is not a whole inventory") })
	incomplete(out, &rep)
	rep.finish(out)
	return &Import{Inv: out, Report: &rep}, nil
}

// joinOnly returns inv without the services the base (svcs) lacks and
// without the dependencies on them, each call reported as not mapped.
func joinOnly(inv *Inventory, svcs map[string]int, rep *Report) *Inventory {
	out := *inv
	out.Services = nil
	for _, s := range inv.Services {
		if !hasKey(svcs, s.ID) {
			for _, d := range s.DependsOn {
				rep.skip("calls from services the base does not have", s.ID+" → "+depTargets(d))
			}
			continue
		}
		s.DependsOn = slices.DeleteFunc(slices.Clone(s.DependsOn), func(d Dep) bool {
			for _, r := range d.Of {
				if !hasKey(svcs, r.ID) {
					rep.skip("calls to services the base does not have", s.ID+" → "+r.ID)
					return true
				}
			}
			return false
		})
		out.Services = append(out.Services, s)
	}
	return &out
}

// softHard returns the note joinDeps gives when an entry is hard on one
// side and soft on the other.
func softHard(rep *Report, kind, id, source string) func(string, bool) {
	return func(on string, baseSoft bool) {
		hardIn, softIn := "the base", source
		if baseSoft {
			hardIn, softIn = source, "the base"
		}
		rep.note("%s %s: the dependency on %s is hard in %s, soft in %s: kept hard", kind, id, on, hardIn, softIn)
	}
}

func hasKey(m map[string]int, k string) bool { _, ok := m[k]; return ok }

func conflict(diags *Diagnostics, base *Inventory, id, kind, format string, args ...any) {
	pos := Pos{}
	for _, c := range base.Components {
		if c.ID == id {
			pos = c.Pos
		}
	}
	for _, s := range base.Services {
		if s.ID == id {
			pos = s.Pos
		}
	}
	for _, f := range base.Features {
		if f.ID == id {
			pos = f.Pos
		}
	}
	*diags = append(*diags, Diagnostic{Pos: pos, Msg: fmt.Sprintf(format, args...), Hint: "rename one of them in the mapping"})
}

func sourceOr(s string) string {
	if s == "" {
		return "the base entity"
	}
	return s
}

func fill(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// joinSource adds source b to the " + "-separated sources a, unless a
// holds it already as a whole part.
func joinSource(a, b string) string {
	switch {
	case b == "" || slices.Contains(strings.Split(a, " + "), b):
		return a
	case a == "":
		return b
	}
	return a + " + " + b
}

func joinLabels(a, b map[string]string, cf func(string, ...any)) map[string]string {
	if len(b) == 0 {
		return a
	}
	out := maps.Clone(a)
	if out == nil {
		out = map[string]string{}
	}
	for _, k := range sortedKeys(b) {
		if v, ok := out[k]; ok && v != b[k] {
			cf("label %s is %q in the import, %q in the base", k, b[k], v)
			continue
		}
		out[k] = b[k]
	}
	return out
}

func joinFeeds(a, b *Feeds, what string, cf func(string, ...any)) *Feeds {
	switch {
	case b == nil || len(b.Feeds) == 0:
		return a
	case a == nil || len(a.Feeds) == 0:
		return b
	}
	if feedString(a) != feedString(b) {
		cf("%s is %s in the import, %s in the base", what, feedString(b), feedString(a))
	}
	return a
}

func feedString(f *Feeds) string {
	ids := make([]string, len(f.Feeds))
	for i, r := range f.Feeds {
		ids[i] = r.ID
	}
	slices.Sort(ids)
	return fmt.Sprintf("[%s] need %d", strings.Join(ids, ", "), f.Required())
}

func joinQuantity(a, b *Quantity, what string, cf func(string, ...any)) *Quantity {
	switch {
	case b == nil:
		return a
	case a == nil:
		return b
	}
	if a.String() != b.String() {
		cf("%s is %s in the import, %s in the base", what, b, a)
	}
	return a
}

func placementString(ps []Placement) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = fmt.Sprintf("%s×%d", p.On.ID, p.Count())
		if p.Standby() {
			parts[i] += " standby"
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

// joinDeps unites two dependency lists, dropping entries b repeats.
// An entry both lists hold, hard in one and soft in the other, is kept
// once, hard, and reported to note with the one it names.
func joinDeps(a, b []Dep, note func(on string, baseSoft bool)) []Dep {
	seen := map[string][]int{}
	for i, d := range a {
		seen[depKey(d)] = append(seen[depKey(d)], i)
	}
	out := slices.Clone(a)
	for _, d := range b {
		k := depKey(d)
		at := seen[k]
		switch {
		case len(at) == 0:
			seen[k] = []int{len(out)}
			out = append(out, d)
		case !slices.ContainsFunc(at, func(i int) bool { return out[i].Soft == d.Soft }):
			note(depTargets(d), out[at[0]].Soft)
			out[at[0]].Soft = false
			out[at[0]].Calls = max(out[at[0]].Calls, d.Calls)
		default: // the same entry: observed calls join it
			i := at[slices.IndexFunc(at, func(i int) bool { return out[i].Soft == d.Soft })]
			out[i].Calls = max(out[i].Calls, d.Calls)
		}
	}
	return out
}

// depKey identifies a dependency entry by its kind, k and targets; soft
// is not part of it.
func depKey(d Dep) string {
	return fmt.Sprintf("%d/%d/%s", d.Kind, d.K, depTargets(d))
}

func depTargets(d Dep) string {
	ids := make([]string, len(d.Of))
	for i, r := range d.Of {
		ids[i] = r.ID
	}
	slices.Sort(ids)
	return strings.Join(ids, ", ")
}

// renamed returns a copy of inv with ids renamed by m. Pairs naming an id
// of the layer but none of the base are reported, and so is a mapping that
// pairs no id of the layer at all.
func renamed(inv *Inventory, base *Inventory, m *Mapping, diags *Diagnostics) *Inventory {
	comps, svcs := map[string]bool{}, map[string]bool{}
	for _, c := range inv.Components {
		comps[c.ID] = true
	}
	for _, s := range inv.Services {
		svcs[s.ID] = true
	}
	for _, f := range inv.Features {
		svcs[f.ID] = true
	}
	inBase := map[string]bool{}
	var baseIDs []string
	for _, c := range base.Components {
		inBase[c.ID] = true
		baseIDs = append(baseIDs, c.ID)
	}
	for _, s := range base.Services {
		inBase[s.ID] = true
		baseIDs = append(baseIDs, s.ID)
	}
	for _, f := range base.Features {
		inBase[f.ID] = true
		baseIDs = append(baseIDs, f.ID)
	}
	// One mapping file may serve several layers: pairs naming no id of
	// this layer are for another; a file pairing nothing of it is a mistake.
	used := 0
	for _, sec := range []struct {
		name string
		ids  map[string]string
		have map[string]bool
	}{{"components", m.Components, comps}, {"services", m.Services, svcs}} {
		into := map[string]string{} // base id → the layer id mapped to it
		for _, from := range sortedKeys(sec.ids) {
			to := sec.ids[from]
			if !sec.have[from] {
				continue
			}
			used++
			pos := m.Pos[posKey(sec.name, from)]
			if !inBase[to] {
				*diags = append(*diags, Diagnostic{Pos: pos, Msg: fmt.Sprintf("%q is mapped to %q, which the base does not have", from, to), Hint: DidYouMean(to, baseIDs)})
			}
			// Two layer entities folded into one base entity would
			// silently lose one of them.
			if prev, ok := into[to]; ok {
				*diags = append(*diags, Diagnostic{Pos: pos, Msg: fmt.Sprintf("%q and %q are both mapped to %q: one %s would take the place of two", prev, from, to, strings.TrimSuffix(sec.name, "s")),
					Hint: "map each layer id to its own base id"})
			} else if _, renamedAway := sec.ids[to]; sec.have[to] && !renamedAway {
				*diags = append(*diags, Diagnostic{Pos: pos, Msg: fmt.Sprintf("%q is mapped to %q, which the %s also has under that id: the two would become one", from, to, "import"),
					Hint: "map each layer id to its own base id"})
			}
			into[to] = from
		}
	}
	if used == 0 && len(m.Pos) > 0 {
		var firstPos Pos
		var first string
		for _, sec := range []struct {
			name string
			ids  map[string]string
		}{{"components", m.Components}, {"services", m.Services}} {
			if ks := sortedKeys(sec.ids); len(ks) > 0 && first == "" {
				first, firstPos = ks[0], m.Pos[posKey(sec.name, ks[0])]
			}
		}
		layerIDs := append(sortedKeys(comps), sortedKeys(svcs)...)
		*diags = append(*diags, Diagnostic{Pos: firstPos, Msg: fmt.Sprintf("the mapping pairs no id of this import (such as %q)", first), Hint: DidYouMean(first, layerIDs)})
	}
	cid := func(s string) string {
		if t, ok := m.Components[s]; ok {
			return t
		}
		return s
	}
	sid := func(s string) string {
		if t, ok := m.Services[s]; ok {
			return t
		}
		return s
	}
	ref := func(r Ref, id func(string) string) Ref {
		if r.ID != "" {
			r.ID = id(r.ID)
		}
		return r
	}
	refs := func(rs []Ref, id func(string) string) []Ref {
		out := make([]Ref, len(rs))
		for i, r := range rs {
			out[i] = ref(r, id)
		}
		return out
	}
	feeds := func(f *Feeds) *Feeds {
		if f == nil {
			return nil
		}
		g := *f
		g.Feeds = refs(f.Feeds, cid)
		return &g
	}
	deps := func(ds []Dep) []Dep {
		out := make([]Dep, len(ds))
		for i, d := range ds {
			d.Of = refs(d.Of, sid)
			out[i] = d
		}
		return out
	}
	out := &Inventory{APIVersion: inv.APIVersion, Kind: inv.Kind, Metadata: inv.Metadata}
	for _, c := range inv.Components {
		c.ID, c.Parent, c.Power, c.Network = cid(c.ID), ref(c.Parent, cid), feeds(c.Power), feeds(c.Network)
		out.Components = append(out.Components, c)
	}
	for _, s := range inv.Services {
		s.ID = sid(s.ID)
		s.Placement = slices.Clone(s.Placement)
		for i := range s.Placement {
			s.Placement[i].On = ref(s.Placement[i].On, cid)
		}
		if s.Failover != nil {
			f := *s.Failover
			f.Via = refs(f.Via, sid)
			s.Failover = &f
		}
		s.DependsOn = deps(s.DependsOn)
		out.Services = append(out.Services, s)
	}
	for _, f := range inv.Features {
		f.ID, f.DependsOn = sid(f.ID), deps(f.DependsOn)
		out.Features = append(out.Features, f)
	}
	return out
}

// withKubernetesIDs adds to m the pairs Backstage's own convention gives:
// a layer service and a base service labelled with the same
// backstage.io/kubernetes-id (one each) are the same service. Pairs m
// already names stand.
func withKubernetesIDs(base, inv *Inventory, m *Mapping) *Mapping {
	byLabel := func(ss []Service) map[string][]string {
		out := map[string][]string{}
		for _, s := range ss {
			if v := s.Labels[annotationK8sID]; v != "" {
				out[v] = append(out[v], s.ID)
			}
		}
		return out
	}
	inBase, inLayer := byLabel(base.Services), byLabel(inv.Services)
	for _, v := range sortedKeys(inLayer) {
		from, to := inLayer[v], inBase[v]
		if len(from) != 1 || len(to) != 1 || from[0] == to[0] {
			continue
		}
		if m == nil {
			m = newMapping()
		}
		if _, ok := m.Services[from[0]]; !ok {
			m.Services[from[0]] = to[0]
		}
	}
	return m
}

// joinReliability keeps the failure data one side gives; two sides that
// give different data are a conflict, not a guess.
func joinReliability(base, layer Reliability, source string, cf func(string, ...any)) Reliability {
	switch {
	case !layer.Given():
		return base
	case !base.Given():
		return layer
	}
	bu, _ := base.Value()
	lu, _ := layer.Value()
	if bu != lu || base.MTBF != layer.MTBF || base.MTTR != layer.MTTR {
		cf("%s gives failure data %s, the base %s", source, reliabilityString(layer), reliabilityString(base))
	}
	return base
}

func reliabilityString(r Reliability) string {
	if r.Unavailability != nil {
		return fmt.Sprintf("unavailability %g", *r.Unavailability)
	}
	return fmt.Sprintf("mtbf %s, mttr %s", r.MTBF, r.MTTR)
}

// failoverString writes a failover as its via list and rto.
func failoverString(f *Failover) string {
	var via []string
	for _, r := range f.Via {
		via = append(via, r.ID)
	}
	sort.Strings(via)
	return fmt.Sprintf("via [%s] rto %s", strings.Join(via, ", "), f.RTO)
}
