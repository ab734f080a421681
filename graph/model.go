package graph

import (
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/blast-dev/blast/inventory"
	gonum "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/simple"
)

// NodeKind tells what a node of the model stands for.
type NodeKind uint8

// Node kinds.
const (
	Component NodeKind = iota
	Service
	Feature
)

// String names k: component, service or feature.
func (k NodeKind) String() string {
	switch k {
	case Component:
		return "component"
	case Service:
		return "service"
	default:
		return "feature"
	}
}

// GroupKind tells where a requirement group of a node came from.
type GroupKind uint8

// Group kinds.
const (
	GroupParent  GroupKind = iota // a component's parent
	GroupPower                    // a component's power feeds
	GroupNetwork                  // a component's network uplinks
	GroupDep                      // one dependsOn entry
)

// Model is an inventory compiled for evaluation. Nodes are dense integers
// 0..N-1 assigned in sorted-id order, so that iterating nodes in order is
// iterating ids in order. Everything a node needs is a requirement group:
// "at least K of these members are not down" (a parent is a group of one,
// power feeds a group with K = need, a dependsOn entry a group). Placements
// and failover control planes are kept apart, as replica counts.
//
// A Model is read-only after Build and safe for concurrent use; each
// goroutine evaluates with its own Evaluator.
type Model struct {
	Inv *inventory.Inventory

	ids   []string
	kinds []NodeKind
	ref   []int32 // index into Inv.Components, Inv.Services or Inv.Features
	byID  map[string]int32

	// requirement groups, in owner order
	groupOwner []int32
	groupK     []int32
	groupSoft  []bool
	groupKind  []GroupKind
	groupDep   []int32 // index into the owner's DependsOn, or -1
	gmStart    []int32 // members of group g: gmList[gmStart[g]:gmStart[g+1]]
	gmList     []int32
	ngStart    []int32 // groups owned by node v: ngStart[v]..ngStart[v+1]
	moStart    []int32 // groups node v is a member of: moList[moStart[v]:moStart[v+1]]
	moList     []int32

	// placements, in service order
	plService  []int32
	plComp     []int32
	plReplicas []int32
	plStandby  []bool
	npStart    []int32 // placements of service v: npStart[v]..npStart[v+1]
	hoStart    []int32 // placements hosted on component v: hoList[hoStart[v]:hoStart[v+1]]
	hoList     []int32

	// per service
	quorum        []int32 // counted replicas needed (0 for nodes without placements)
	capacity      []int32 // counted replicas for full load; 0 = no threshold
	activePlaced  []int32
	standbyPlaced []int32
	viaStart      []int32 // failover.via of v: viaList[viaStart[v]:viaStart[v+1]]
	viaList       []int32
	vwStart       []int32 // services whose failover goes via v: vwList[vwStart[v]:vwStart[v+1]]
	vwList        []int32

	// alreadyFailed are the components marked failed in the inventory:
	// part of every evaluation's failure set.
	alreadyFailed []int32

	// Progress, when set, is told how far long analyses have got: the
	// phase, the units done and the total. It may be called from several
	// goroutines at once, and with done == total when a phase ends.
	Progress func(phase string, done, total int)

	gOnce sync.Once
	g     *simple.DirectedGraph
}

// Build compiles a validated inventory. It returns an error only for an
// inventory that inventory.Validate would reject (an unknown or duplicate
// id). O(n + e log e) for the sorting of ids and lists.
func Build(inv *inventory.Inventory) (*Model, error) {
	m := &Model{Inv: inv}
	type entry struct {
		id   string
		kind NodeKind
		ref  int32
	}
	entries := make([]entry, 0, len(inv.Components)+len(inv.Services)+len(inv.Features))
	for i, c := range inv.Components {
		entries = append(entries, entry{c.ID, Component, int32(i)})
	}
	for i, s := range inv.Services {
		entries = append(entries, entry{s.ID, Service, int32(i)})
	}
	for i, f := range inv.Features {
		entries = append(entries, entry{f.ID, Feature, int32(i)})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].id < entries[j].id })
	n := len(entries)
	m.ids = make([]string, n)
	m.kinds = make([]NodeKind, n)
	m.ref = make([]int32, n)
	m.byID = make(map[string]int32, n)
	for i, e := range entries {
		if i > 0 && entries[i-1].id == e.id {
			return nil, fmt.Errorf("duplicate id %q", e.id)
		}
		m.ids[i], m.kinds[i], m.ref[i] = e.id, e.kind, e.ref
		m.byID[e.id] = int32(i)
	}
	// node of each entity, to follow references Validate resolved without
	// a map lookup
	nodeOf := [3][]int32{make([]int32, len(inv.Components)), make([]int32, len(inv.Services)), make([]int32, len(inv.Features))}
	for v, e := range entries {
		nodeOf[e.kind][e.ref] = int32(v)
	}
	lookup := func(r inventory.Ref) (int32, error) {
		if r.Resolved && r.Target.Index < len(nodeOf[r.Target.Kind]) {
			if v := nodeOf[r.Target.Kind][r.Target.Index]; m.ids[v] == r.ID {
				return v, nil
			}
		}
		v, ok := m.byID[r.ID]
		if !ok {
			return 0, fmt.Errorf("%s: unknown id %q", r.Pos, r.ID)
		}
		return v, nil
	}

	m.ngStart = make([]int32, n+1)
	m.npStart = make([]int32, n+1)
	m.viaStart = make([]int32, n+1)
	m.quorum = make([]int32, n)
	m.capacity = make([]int32, n)
	m.activePlaced = make([]int32, n)
	m.standbyPlaced = make([]int32, n)
	m.gmStart = []int32{0}
	addGroup := func(owner int32, kind GroupKind, dep int32, k int, soft bool, members []inventory.Ref) error {
		for _, r := range members {
			x, err := lookup(r)
			if err != nil {
				return err
			}
			m.gmList = append(m.gmList, x)
		}
		m.groupOwner = append(m.groupOwner, owner)
		m.groupK = append(m.groupK, int32(k))
		m.groupSoft = append(m.groupSoft, soft)
		m.groupKind = append(m.groupKind, kind)
		m.groupDep = append(m.groupDep, dep)
		m.gmStart = append(m.gmStart, int32(len(m.gmList)))
		return nil
	}
	addDeps := func(v int32, deps []inventory.Dep) error {
		for i, d := range deps {
			k := d.K
			if d.Kind != inventory.DepAtLeast || k < 1 {
				k = 1 // hard and anyOf entries need one member
			}
			if err := addGroup(v, GroupDep, int32(i), k, d.Soft, d.Of); err != nil {
				return err
			}
		}
		return nil
	}
	for v := int32(0); v < int32(n); v++ {
		m.ngStart[v] = int32(len(m.groupOwner))
		m.npStart[v] = int32(len(m.plService))
		m.viaStart[v] = int32(len(m.viaList))
		var err error
		switch m.kinds[v] {
		case Component:
			c := &inv.Components[m.ref[v]]
			if c.Failed {
				m.alreadyFailed = append(m.alreadyFailed, v)
			}
			if c.Parent.ID != "" {
				err = addGroup(v, GroupParent, -1, 1, false, []inventory.Ref{c.Parent})
			}
			if err == nil && c.Power != nil {
				err = addGroup(v, GroupPower, -1, c.Power.Required(), false, c.Power.Feeds)
			}
			if err == nil && c.Network != nil {
				err = addGroup(v, GroupNetwork, -1, c.Network.Required(), false, c.Network.Feeds)
			}
		case Service:
			s := &inv.Services[m.ref[v]]
			for _, p := range s.Placement {
				on, e := lookup(p.On)
				if e != nil {
					err = e
					break
				}
				m.plService = append(m.plService, v)
				m.plComp = append(m.plComp, on)
				m.plReplicas = append(m.plReplicas, int32(p.Count()))
				m.plStandby = append(m.plStandby, p.Standby())
				if p.Standby() {
					m.standbyPlaced[v] += int32(p.Count())
				} else {
					m.activePlaced[v] += int32(p.Count())
				}
			}
			if len(s.Placement) > 0 {
				m.quorum[v] = int32(s.Quorum.Of(int(m.activePlaced[v]), 1))
				m.capacity[v] = int32(s.Capacity.Of(int(m.activePlaced[v]), 0))
			}
			if err == nil && s.Failover != nil {
				for _, r := range s.Failover.Via {
					x, e := lookup(r)
					if e != nil {
						err = e
						break
					}
					m.viaList = append(m.viaList, x)
				}
			}
			if err == nil {
				err = addDeps(v, s.DependsOn)
			}
		case Feature:
			err = addDeps(v, inv.Features[m.ref[v]].DependsOn)
		}
		if err != nil {
			return nil, err
		}
	}
	m.ngStart[n] = int32(len(m.groupOwner))
	m.npStart[n] = int32(len(m.plService))
	m.viaStart[n] = int32(len(m.viaList))

	// reverse indexes
	m.moStart, m.moList = invert(n, len(m.groupOwner), func(g int, emit func(int32)) {
		for _, x := range m.gmList[m.gmStart[g]:m.gmStart[g+1]] {
			emit(x)
		}
	})
	m.hoStart, m.hoList = invert(n, len(m.plComp), func(p int, emit func(int32)) { emit(m.plComp[p]) })
	m.vwStart, m.vwList = invertNodes(n, func(v int, emit func(int32)) {
		for _, x := range m.viaList[m.viaStart[v]:m.viaStart[v+1]] {
			emit(x)
		}
	})
	return m, nil
}

// invert builds, for every node, the list of items (0..items-1) that name
// it, as a CSR pair of start offsets and a flat list. Items come out in
// increasing order.
func invert(n, items int, names func(item int, emit func(int32))) ([]int32, []int32) {
	start := make([]int32, n+1)
	for it := 0; it < items; it++ {
		names(it, func(x int32) { start[x+1]++ })
	}
	for i := 1; i <= n; i++ {
		start[i] += start[i-1]
	}
	list := make([]int32, start[n])
	fill := slices.Clone(start[:n])
	for it := 0; it < items; it++ {
		names(it, func(x int32) {
			list[fill[x]] = int32(it)
			fill[x]++
		})
	}
	return start, list
}

// invertNodes is invert where the items are the nodes themselves.
func invertNodes(n int, names func(v int, emit func(int32))) ([]int32, []int32) {
	return invert(n, n, names)
}

// progress reports to Progress, if set.
func (m *Model) progress(phase string, done, total int) {
	if m.Progress != nil {
		m.Progress(phase, done, total)
	}
}

// AlreadyFailed returns the components the inventory marks failed, in id
// order: every evaluation fails them too.
func (m *Model) AlreadyFailed() []int32 { return m.alreadyFailed }

// Len returns the number of nodes.
func (m *Model) Len() int { return len(m.ids) }

// ID returns the inventory id of node v.
func (m *Model) ID(v int32) string { return m.ids[v] }

// Kind returns what node v stands for.
func (m *Model) Kind(v int32) NodeKind { return m.kinds[v] }

// Lookup returns the node of an inventory id.
func (m *Model) Lookup(id string) (int32, bool) {
	v, ok := m.byID[id]
	return v, ok
}

// Component returns the inventory entry of component node v.
func (m *Model) Component(v int32) *inventory.Component {
	return &m.Inv.Components[m.ref[v]]
}

// Service returns the inventory entry of service node v.
func (m *Model) Service(v int32) *inventory.Service {
	return &m.Inv.Services[m.ref[v]]
}

// Feature returns the inventory entry of feature node v.
func (m *Model) Feature(v int32) *inventory.Feature {
	return &m.Inv.Features[m.ref[v]]
}

// ComponentKind returns the kind (site, rack, ...) of component node v, or
// "" for other nodes.
func (m *Model) ComponentKind(v int32) string {
	if m.kinds[v] != Component {
		return ""
	}
	return m.Component(v).Kind
}

// Name returns the display name of node v, falling back to its id.
func (m *Model) Name(v int32) string {
	var name string
	switch m.kinds[v] {
	case Component:
		name = m.Component(v).Name
	case Service:
		name = m.Service(v).Name
	default:
		name = m.Feature(v).Name
	}
	if name == "" {
		return m.ids[v]
	}
	return name
}

// Nodes returns every node of kind k in id order.
func (m *Model) Nodes(k NodeKind) []int32 {
	var out []int32
	for v := range m.kinds {
		if m.kinds[v] == k {
			out = append(out, int32(v))
		}
	}
	return out
}

// Placed returns the active and standby replicas placed for service v.
func (m *Model) Placed(v int32) (active, standby int) {
	return int(m.activePlaced[v]), int(m.standbyPlaced[v])
}

// Quorum returns the counted replicas service v needs to be up, and the
// capacity threshold below which it is degraded (0: none).
func (m *Model) Quorum(v int32) (quorum, capacity int) {
	return int(m.quorum[v]), int(m.capacity[v])
}

// Via returns the failover control plane of service v, in id order.
func (m *Model) Via(v int32) []int32 { return m.viaList[m.viaStart[v]:m.viaStart[v+1]] }

// Graph returns the model as a gonum directed graph whose node IDs are the
// model's nodes and whose edges run from each node to what it needs: a
// component to its parent and feeds, a service to the components its
// replicas run on, its failover control plane and its dependencies, a
// feature to its dependencies. It is built on first use.
func (m *Model) Graph() gonum.Directed {
	m.gOnce.Do(func() {
		g := simple.NewDirectedGraph()
		for v := range m.ids {
			g.AddNode(simple.Node(v))
		}
		edge := func(from, to int32) {
			if from != to && !g.HasEdgeFromTo(int64(from), int64(to)) {
				g.SetEdge(simple.Edge{F: simple.Node(from), T: simple.Node(to)})
			}
		}
		for gi, owner := range m.groupOwner {
			for _, x := range m.gmList[m.gmStart[gi]:m.gmStart[gi+1]] {
				edge(owner, x)
			}
		}
		for p, s := range m.plService {
			edge(s, m.plComp[p])
		}
		for v := range m.ids {
			for _, x := range m.Via(int32(v)) {
				edge(int32(v), x)
			}
		}
		m.g = g
	})
	return m.g
}

// Pos returns where node v is defined in the inventory files.
func (m *Model) Pos(v int32) inventory.Pos {
	switch m.kinds[v] {
	case Component:
		return m.Component(v).Pos
	case Service:
		return m.Service(v).Pos
	default:
		return m.Feature(v).Pos
	}
}
