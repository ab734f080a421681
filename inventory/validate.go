package inventory

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/blast-dev/blast/internal/num"
)

// EntityKind tells which list of an inventory an id belongs to.
type EntityKind int

// Entity kinds.
const (
	KindComponent EntityKind = iota
	KindService
	KindFeature
)

// String names k as written in messages.
func (k EntityKind) String() string {
	switch k {
	case KindComponent:
		return "component"
	case KindService:
		return "service"
	default:
		return "feature"
	}
}

// Entity locates an id in an inventory.
type Entity struct {
	Kind  EntityKind
	Index int // into Components, Services or Features
}

// Index maps every id of inv to its entity. With duplicate ids the first
// one wins. O(n).
func (inv *Inventory) Index() map[string]Entity {
	idx := make(map[string]Entity, len(inv.Components)+len(inv.Services)+len(inv.Features))
	add := func(id string, e Entity) {
		if _, dup := idx[id]; !dup {
			idx[id] = e
		}
	}
	for i, c := range inv.Components {
		add(c.ID, Entity{KindComponent, i})
	}
	for i, s := range inv.Services {
		add(s.ID, Entity{KindService, i})
	}
	for i, f := range inv.Features {
		add(f.ID, Entity{KindFeature, i})
	}
	return idx
}

type validator struct {
	inv   *Inventory
	idx   map[string]Entity
	diags Diagnostics
	// damaged holds, by position, the parts of entities that decoding
	// errors dropped; checks that count those parts skip them.
	damaged map[Pos]parts
	// dupIDs holds the ids that more than one entity has.
	dupIDs map[string]bool
	// ids by kind, sorted, for "did you mean"
	compIDs, svcIDs, allIDs []string
}

func (v *validator) errorf(pos Pos, path, hint, format string, args ...any) {
	v.diags = append(v.diags, Diagnostic{Pos: pos, Path: path, Msg: fmt.Sprintf(format, args...), Hint: hint})
}

func (v *validator) warnf(pos Pos, path, hint, format string, args ...any) {
	v.diags = append(v.diags, Diagnostic{Pos: pos, Path: path, Msg: fmt.Sprintf(format, args...), Hint: hint, Severity: Warning})
}

// Validate checks the references and rules that span entities: unique ids,
// known references of the right kind, parent chains without loops, feed and
// quorum counts that can be met, and features and services that depend on
// something. It also warns of likely mistakes, such as a tier-1 feature
// whose every replica sits in one site. The result is unsorted.
// O(n + e) plus the cost of suggestions for unknown ids.
func Validate(inv *Inventory) Diagnostics {
	return validate(inv, nil)
}

func validate(inv *Inventory, damaged map[Pos]parts) Diagnostics {
	v := &validator{inv: inv, idx: inv.Index(), damaged: damaged}
	v.ids()
	for i := range inv.Components {
		v.component(&inv.Components[i])
	}
	v.parentLoops()
	for i := range inv.Services {
		v.service(&inv.Services[i])
	}
	for i := range inv.Features {
		v.feature(&inv.Features[i])
	}
	v.usersTotal()
	v.singleSiteTier1()
	return v.diags
}

func (v *validator) ids() {
	type entry struct {
		id, path string
		pos      Pos
		kind     EntityKind
		index    int
	}
	// v.idx holds the first of each id in list order; an entity that is
	// not that one shares its id. Only such ids are looked at again.
	dups := map[string][]entry{}
	check := func(e entry) {
		if first := v.idx[e.id]; first.Kind != e.kind || first.Index != e.index {
			dups[e.id] = append(dups[e.id], e)
		}
	}
	for i, c := range v.inv.Components {
		check(entry{c.ID, c.Path, c.Pos, KindComponent, i})
	}
	for i, s := range v.inv.Services {
		check(entry{s.ID, s.Path, s.Pos, KindService, i})
	}
	for i, f := range v.inv.Features {
		check(entry{f.ID, f.Path, f.Pos, KindFeature, i})
	}
	for id, es := range dups {
		if v.dupIDs == nil {
			v.dupIDs = make(map[string]bool)
		}
		v.dupIDs[id] = true
		first := v.idx[id]
		var pos Pos
		var path string
		switch first.Kind {
		case KindComponent:
			pos, path = v.inv.Components[first.Index].Pos, v.inv.Components[first.Index].Path
		case KindService:
			pos, path = v.inv.Services[first.Index].Pos, v.inv.Services[first.Index].Path
		default:
			pos, path = v.inv.Features[first.Index].Pos, v.inv.Features[first.Index].Path
		}
		all := append([]entry{{id, path, pos, first.Kind, first.Index}}, es...)
		// The first by position is the original, whatever the load order.
		sort.SliceStable(all, func(i, j int) bool { return all[i].pos.Less(all[j].pos) })
		for _, e := range all[1:] {
			v.errorf(e.pos, e.path+".id", "ids are shared by components, services and features; rename one",
				"duplicate id %q (first defined at %s as a %s)", e.id, all[0].pos, all[0].kind)
		}
	}
}

// candidates returns the ids "did you mean" may suggest for a reference
// that wants one of the given kinds, sorted; built on first use, since
// only unknown references need them.
func (v *validator) candidates(want ...EntityKind) []string {
	if v.allIDs == nil {
		for id, e := range v.idx {
			v.allIDs = append(v.allIDs, id)
			switch e.Kind {
			case KindComponent:
				v.compIDs = append(v.compIDs, id)
			case KindService:
				v.svcIDs = append(v.svcIDs, id)
			}
		}
		sort.Strings(v.compIDs)
		sort.Strings(v.svcIDs)
		sort.Strings(v.allIDs)
	}
	switch {
	case len(want) == 1 && want[0] == KindComponent:
		return v.compIDs
	case len(want) == 1 && want[0] == KindService:
		return v.svcIDs
	}
	return v.allIDs
}

// resolve checks that r names an entity of one of the wanted kinds.
func (v *validator) resolve(r *Ref, what string, want ...EntityKind) (Entity, bool) {
	e, ok := v.idx[r.ID]
	if !ok {
		hint := DidYouMean(r.ID, v.candidates(want...))
		if hint == "" {
			hint = "no id is close to it: correct the reference, or define a " + kindNames(want) + " with this id"
		}
		v.errorf(r.Pos, r.Path, hint, "%s names unknown id %q", what, r.ID)
		return e, false
	}
	for _, k := range want {
		if e.Kind == k {
			r.Target, r.Resolved = e, true
			return e, true
		}
	}
	var hint string
	switch {
	case what == "parent":
		hint = "name the component that contains it (to depend on a service, use dependsOn)"
	case what == "placement":
		hint = "name the rack or host its replicas run on (to need a service, list it under dependsOn)"
	case what == "failover.via":
		hint = "name the service that performs the failover (where replicas run belongs in placement)"
	default:
		hint = "name a " + kindNames(want) + " here"
	}
	v.errorf(r.Pos, r.Path, hint, "%s must name a %s, but %q is a %s", what, kindNames(want), r.ID, e.Kind)
	return e, false
}

// kindNames joins entity kinds as in "component or service".
func kindNames(kinds []EntityKind) string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.String()
	}
	if len(names) > 2 {
		return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	}
	return strings.Join(names, " or ")
}

func (v *validator) component(c *Component) {
	if c.Parent.ID != "" {
		if c.Parent.ID == c.ID {
			v.errorf(c.Parent.Pos, c.Parent.Path, "name the component that contains it, or remove parent", "component %q is its own parent", c.ID)
		} else {
			v.resolve(&c.Parent, "parent", KindComponent)
		}
	}
	v.feeds(c, c.Power, "power", "power feed")
	v.feeds(c, c.Network, "network", "network uplink")
}

func (v *validator) feeds(c *Component, f *Feeds, field, what string) {
	if f == nil {
		return
	}
	for i := range f.Feeds {
		r := &f.Feeds[i]
		switch {
		case r.ID == c.ID:
			v.errorf(r.Pos, r.Path, "remove it from the feeds", "component %q cannot feed itself", c.ID)
		case listedBefore(f.Feeds, i):
			v.errorf(r.Pos, r.Path, "remove the second one", "%s %q listed twice", what, r.ID)
		default:
			v.resolve(r, what, KindComponent)
		}
	}
	if v.damaged[c.Pos]&partFeeds != 0 {
		return
	}
	if len(f.Feeds) == 0 {
		v.errorf(f.Pos, c.Path+"."+field, "list the feeds or remove the field", "%s lists no feeds", field)
	} else if f.Need > len(f.Feeds) {
		v.errorf(f.NeedPos, c.Path+"."+field+".need", "lower need or add feeds",
			"need %d is more than the %d %s given", f.Need, len(f.Feeds), num.Plural(len(f.Feeds), what, what+"s"))
	}
}

// parentLoops reports each loop of parent references once, at the entry of
// its smallest id.
func (v *validator) parentLoops() {
	comps := v.inv.Components
	parent := make(map[string]string, len(comps))
	byID := make(map[string]*Component, len(comps))
	for i := range comps {
		c := &comps[i]
		if _, dup := byID[c.ID]; dup {
			continue
		}
		byID[c.ID] = c
		if c.Parent.ID != "" && c.Parent.ID != c.ID {
			parent[c.ID] = c.Parent.ID
		}
	}
	const (
		unvisited = 0
		onPath    = 1
		done      = 2
	)
	state := make(map[string]int, len(comps))
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, start := range ids {
		var path []string
		id := start
		revisit := false
		for {
			if state[id] != unvisited {
				revisit = true
				break
			}
			state[id] = onPath
			path = append(path, id)
			p, ok := parent[id]
			if !ok || byID[p] == nil {
				break
			}
			id = p
		}
		if revisit && state[id] == onPath {
			// id is on the current path: the loop is path[i:] for its index i.
			i := 0
			for path[i] != id {
				i++
			}
			loop := path[i:]
			small := 0
			for j, x := range loop {
				if x < loop[small] {
					small = j
				}
			}
			rot := append(append([]string{}, loop[small:]...), loop[:small]...)
			c := byID[rot[0]]
			v.errorf(c.Parent.Pos, c.Parent.Path, "break the loop: a component cannot contain its own ancestor",
				"parent chain loops: %s → %s", strings.Join(rot, " → "), rot[0])
		}
		for _, x := range path {
			state[x] = done
		}
	}
}

// MaxReplicas bounds the replicas of one service, active and standby
// together: evaluation counts them in 32 bits.
const MaxReplicas = math.MaxInt32

func (v *validator) service(s *Service) {
	active, standby := 0, 0
	tooMany := false
	for pi := range s.Placement {
		p := &s.Placement[pi]
		if p.Standby() {
			standby += p.Count()
		} else {
			active += p.Count()
		}
		if !tooMany && active+standby > MaxReplicas {
			tooMany = true
			pos, path := p.Pos, index(s.Path+".placement", pi)
			if p.ReplicasPos.Line > 0 {
				pos, path = p.ReplicasPos, path+".replicas"
			}
			v.errorf(pos, path, "place fewer replicas: count instances, not requests or users",
				"service %q places %d replicas in all, more than the limit of %d", s.ID, active+standby, MaxReplicas)
		}
		v.resolve(&p.On, "placement", KindComponent)
	}
	if tooMany {
		// Quorum and capacity counts of such a service mean nothing.
		v.deps(s.ID, s.DependsOn)
		return
	}
	if s.Failover != nil {
		for ri := range s.Failover.Via {
			r := &s.Failover.Via[ri]
			if r.ID == s.ID {
				v.errorf(r.Pos, r.Path, "name the control plane that performs the failover", "service %q cannot fail over via itself", s.ID)
				continue
			}
			v.resolve(r, "failover.via", KindService)
		}
	}
	v.counts(s, active, standby, v.damaged[s.Pos])
	v.deps(s.ID, s.DependsOn)
}

// counts checks that the placements of s can meet its quorum, and that it
// has any placement or dependency at all, unless decoding errors dropped
// some of them.
func (v *validator) counts(s *Service, active, standby int, dropped parts) {
	if dropped&partPlacement != 0 {
		return
	}
	if len(s.Placement) == 0 && len(s.DependsOn) == 0 && dropped&partDeps == 0 {
		v.errorf(s.Pos, s.Path, "add a placement (where its replicas run) or dependsOn", "service %q has no placement and no dependencies", s.ID)
	}
	if len(s.Placement) > 0 {
		q := s.Quorum.Of(active, 1)
		pos := s.Pos
		if s.Quorum != nil {
			pos = s.Quorum.Pos
		}
		switch {
		case active == 0:
			v.errorf(s.Placement[0].Pos, s.Path+".placement", "mark at least one placement active; standby replicas count only after a failover",
				"service %q has only standby replicas", s.ID)
		case q > active && standby > 0:
			v.errorf(pos, s.Path+".quorum", "lower the quorum or place more active replicas",
				"quorum %d is more than the %d active %s placed (the %d standby %s only after a failover)",
				q, active, num.Plural(active, "replica", "replicas"), standby, num.Plural(standby, "replica counts", "replicas count"))
		case q > active:
			v.errorf(pos, s.Path+".quorum", "lower the quorum or place more replicas",
				"quorum %d is more than the %d %s placed", q, active, num.Plural(active, "replica", "replicas"))
		}
		if s.Capacity != nil && active > 0 {
			if c := s.Capacity.Of(active, 0); c > active {
				v.errorf(s.Capacity.Pos, s.Path+".capacity", "lower capacity or place more active replicas",
					"capacity %d is more than the %d active %s placed: the service would be degraded with nothing failed", c, active, num.Plural(active, "replica", "replicas"))
			}
		}
	} else if s.Quorum != nil || s.Capacity != nil {
		pos := s.Pos
		if s.Quorum != nil {
			pos = s.Quorum.Pos
		} else {
			pos = s.Capacity.Pos
		}
		v.errorf(pos, s.Path, "remove quorum and capacity, or add placements", "service %q has a quorum or capacity but no placement", s.ID)
	}
	if s.Failover != nil && standby == 0 && len(s.Placement) > 0 {
		v.warnf(s.Failover.Pos, s.Path+".failover", "add a placement with role: standby, or remove failover",
			"service %q has a failover but no standby replicas to fail over to", s.ID)
	}
}

func (v *validator) feature(f *Feature) {
	if len(f.DependsOn) == 0 && v.damaged[f.Pos]&partDeps == 0 {
		v.errorf(f.Pos, f.Path, "list the services it needs under dependsOn", "feature %q has no dependencies", f.ID)
	}
	v.deps(f.ID, f.DependsOn)
}

// usersTotal checks that the users of all features add up to less than
// math.MaxInt64, so that any sum of them (users down, degraded or
// affected) is exact. It reports the first feature, by position, whose
// users take the running total over the limit.
func (v *validator) usersTotal() {
	fs := v.inv.Features
	order := make([]int, len(fs))
	for i := range order {
		order[i] = i
	}
	// Position order does not depend on the order the files were given in.
	sort.SliceStable(order, func(a, b int) bool { return fs[order[a]].Pos.Less(fs[order[b]].Pos) })
	var total int64
	for _, i := range order {
		f := &fs[i]
		if f.Users > math.MaxInt64-total {
			pos := f.Pos
			if f.UsersPos.Line > 0 {
				pos = f.UsersPos
			}
			v.errorf(pos, f.Path+".users", "give the number of people who use the feature; the users of all features must add up to at most 2^63-1",
				"users of all features add up to more than %d", int64(math.MaxInt64))
			return
		}
		total += f.Users
	}
}

func (v *validator) deps(self string, deps []Dep) {
	for _, d := range deps {
		for i := range d.Of {
			r := &d.Of[i]
			switch {
			case r.ID == self:
				v.errorf(r.Pos, r.Path, "remove it from dependsOn", "%q cannot depend on itself", self)
			case listedBefore(d.Of, i):
				v.errorf(r.Pos, r.Path, "remove the second one", "%q listed twice in one dependency", r.ID)
			default:
				v.resolve(r, "dependency", KindComponent, KindService, KindFeature)
			}
		}
	}
}

// siteOf returns, for every component, the id of its site: the nearest
// ancestor (or itself) of kind site, else its topmost ancestor; and whether
// that answer can be trusted: no component on the way up is damaged by
// decoding errors, names an unknown parent, shares its id or sits in a
// parent loop. O(n).
func (v *validator) siteOf() (site []string, sound []bool) {
	inv := v.inv
	site = make([]string, len(inv.Components))
	sound = make([]bool, len(inv.Components))
	var find func(i int, depth int)
	find = func(i, depth int) {
		if site[i] != "" {
			return
		}
		c := &inv.Components[i]
		ok := v.damaged[c.Pos]&partParent == 0 && !v.dupIDs[c.ID]
		switch {
		case c.Kind == "site":
			site[i] = c.ID
		case c.Parent.ID == "":
			site[i] = c.ID
		case !c.Parent.Resolved || depth > len(inv.Components):
			site[i], ok = c.ID, false
		default:
			p := c.Parent.Target.Index
			find(p, depth+1)
			site[i], ok = site[p], ok && sound[p]
		}
		sound[i] = ok
	}
	for i := range inv.Components {
		find(i, 0)
	}
	return site, sound
}

// singleSiteTier1 warns of tier-1 features whose every replica, through all
// their dependencies, sits in one site. It propagates "the one site so far"
// (none, one site, several) over the dependency graph in O(n + e). It runs
// on inventories with errors too: a feature that reaches anything the
// errors make uncertain (an unknown reference, a damaged or duplicate
// entity) is not warned about.
func (v *validator) singleSiteTier1() {
	inv := v.inv
	sites, soundComp := v.siteOf()
	const none, many = -1, -2
	siteIdx := map[string]int{}
	var siteNames []string
	siteNum := func(s string) int {
		if i, ok := siteIdx[s]; ok {
			return i
		}
		siteIdx[s] = len(siteNames)
		siteNames = append(siteNames, s)
		return len(siteNames) - 1
	}
	// node numbering: components, then services, then features
	nc, ns := len(inv.Components), len(inv.Services)
	n := nc + ns + len(inv.Features)
	node := func(r Ref) int {
		e := r.Target
		switch e.Kind {
		case KindComponent:
			return e.Index
		case KindService:
			return nc + e.Index
		default:
			return nc + ns + e.Index
		}
	}
	val := make([]int, n)
	users := make([][]int, n) // reverse dependency edges
	for i := range val {
		val[i] = none
	}
	join := func(a, b int) int {
		switch {
		case a == none:
			return b
		case b == none || a == b:
			return a
		default:
			return many
		}
	}
	// An uncertain node counts as "several sites": nothing that reaches
	// it is warned about.
	for i := range inv.Components {
		val[i] = siteNum(sites[i])
		if !soundComp[i] {
			val[i] = many
		}
	}
	depsOf := func(self int, deps []Dep) bool {
		sound := true
		for _, d := range deps {
			for _, r := range d.Of {
				if !r.Resolved {
					sound = false
					continue
				}
				users[node(r)] = append(users[node(r)], self)
			}
		}
		return sound
	}
	for i, s := range inv.Services {
		sound := v.damaged[s.Pos]&(partPlacement|partDeps) == 0 && !v.dupIDs[s.ID]
		for _, p := range s.Placement {
			if !p.On.Resolved {
				sound = false
				continue
			}
			val[nc+i] = join(val[nc+i], val[node(p.On)])
		}
		if !depsOf(nc+i, s.DependsOn) || !sound {
			val[nc+i] = many
		}
	}
	for i, f := range inv.Features {
		if !depsOf(nc+ns+i, f.DependsOn) || v.damaged[f.Pos]&partDeps != 0 || v.dupIDs[f.ID] {
			val[nc+ns+i] = many
		}
	}
	queue := make([]int, 0, n)
	for i := 0; i < n; i++ {
		if val[i] != none {
			queue = append(queue, i)
		}
	}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		for _, u := range users[x] {
			if nv := join(val[u], val[x]); nv != val[u] {
				val[u] = nv
				queue = append(queue, u)
			}
		}
	}
	for i, f := range inv.Features {
		if f.Tier == 1 && val[nc+ns+i] >= 0 {
			v.warnf(f.Pos, f.Path, "place replicas of what it needs in a second site, then run blast audit",
				"tier-1 feature %q: every replica it depends on sits in site %q", f.ID, siteNames[val[nc+ns+i]])
		}
	}
}

// listedBefore reports whether refs[i] names an id already named before
// it. Lists are short; a linear search beats a map per list.
func listedBefore(refs []Ref, i int) bool {
	for _, r := range refs[:i] {
		if r.ID == refs[i].ID {
			return true
		}
	}
	return false
}
