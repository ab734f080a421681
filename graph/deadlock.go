package graph

import (
	"cmp"
	"slices"

	gonum "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/iterator"
	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/gonum/graph/topo"
	"gonum.org/v1/gonum/graph/traverse"
)

// waitGraph is the wait-for graph of a cold start, as a gonum
// graph.Directed: its nodes are the model's nodes that stay down, and an
// edge runs from a node to each node it waits for. Nodes and neighbours
// are listed in id order, so that gonum's searches over it are
// deterministic.
type waitGraph struct {
	nodes    []int32
	out, in  map[int32][]int32
	hasNodes map[int32]bool
}

var _ gonum.Directed = (*waitGraph)(nil)

func newWaitGraph(nodes []int32) *waitGraph {
	g := &waitGraph{nodes: nodes, out: map[int32][]int32{}, in: map[int32][]int32{}, hasNodes: map[int32]bool{}}
	for _, v := range nodes {
		g.hasNodes[v] = true
	}
	return g
}

// addEdges adds edges from v to each of to, which must be sorted and
// free of duplicates; edges to nodes not in the graph are dropped.
func (g *waitGraph) addEdges(v int32, to []int32) {
	for _, x := range to {
		if g.hasNodes[x] {
			g.out[v] = append(g.out[v], x)
			g.in[x] = append(g.in[x], v)
		}
	}
}

func orderedNodes(vs []int32) gonum.Nodes {
	if len(vs) == 0 {
		return gonum.Empty
	}
	ns := make([]gonum.Node, len(vs))
	for i, v := range vs {
		ns[i] = simple.Node(v)
	}
	return iterator.NewOrderedNodes(ns)
}

func (g *waitGraph) Node(id int64) gonum.Node {
	if !g.hasNodes[int32(id)] {
		return nil
	}
	return simple.Node(id)
}

func (g *waitGraph) Nodes() gonum.Nodes        { return orderedNodes(g.nodes) }
func (g *waitGraph) From(id int64) gonum.Nodes { return orderedNodes(g.out[int32(id)]) }
func (g *waitGraph) To(id int64) gonum.Nodes   { return orderedNodes(g.in[int32(id)]) }
func (g *waitGraph) HasEdgeFromTo(u, v int64) bool {
	_, ok := slices.BinarySearch(g.out[int32(u)], int32(v))
	return ok
}

func (g *waitGraph) HasEdgeBetween(x, y int64) bool {
	return g.HasEdgeFromTo(x, y) || g.HasEdgeFromTo(y, x)
}

func (g *waitGraph) Edge(u, v int64) gonum.Edge {
	if !g.HasEdgeFromTo(u, v) {
		return nil
	}
	return simple.Edge{F: simple.Node(u), T: simple.Node(v)}
}

// shortestCycle returns a shortest cycle of g through s, starting at s,
// found by gonum's breadth-first search (neighbours in id order), or nil
// when s is on no cycle.
func (g *waitGraph) shortestCycle(s int32) []int32 {
	parent := map[int64]int64{}
	closing := int64(-1)
	bfs := traverse.BreadthFirst{Traverse: func(e gonum.Edge) bool {
		from, to := e.From().ID(), e.To().ID()
		if to == int64(s) && closing < 0 {
			closing = from
		}
		if _, ok := parent[to]; !ok && to != int64(s) {
			parent[to] = from
		}
		return true
	}}
	bfs.Walk(g, simple.Node(s), func(gonum.Node, int) bool { return closing >= 0 })
	if closing < 0 {
		return nil
	}
	var cycle []int32
	for x := closing; x != int64(s); x = parent[x] {
		cycle = append(cycle, int32(x))
	}
	cycle = append(cycle, s)
	slices.Reverse(cycle)
	return cycle
}

// coldStart describes what stays down at the end of a cold start, for the
// deadlock finder.
type coldStart struct {
	// stuck are the nodes that may never come back, in id order (those
	// that can come back once others do are sorted out first).
	stuck []int32
	// up reports whether a node outside stuck is not down at the end.
	up func(x int32) bool
	// start reports whether node v must be started (a service that lost
	// its quorum of replicas or was failed by name); the others resume.
	start func(v int32) bool
	// base is the state before the failure: a service that ran only on
	// its standby replicas then needs its failover.via control plane.
	base *Result
}

// standby reports whether service v ran only on its standby replicas
// before the failure, so that it needs its failover.via control plane.
func (cs coldStart) standby(v int32) bool { return ranOnStandby(cs.base, v) }

// ranOnStandby reports whether service v runs on its standby replicas in
// base (its failover was done).
func ranOnStandby(base *Result, v int32) bool {
	_, fo := base.Replicas(v)
	return fo == FailoverDone
}

// takenDown evaluates the model before any failure (base) and with failed
// (hit), and returns the services and features the failure takes down, in
// id order: the nodes a recovery brings back.
func (m *Model) takenDown(failed []int32) (base, hit *Result, down []int32) {
	base, hit = m.Simulate(nil), m.Simulate(failed)
	for v := int32(0); v < int32(m.Len()); v++ {
		if m.kinds[v] != Component && hit.State(v) == Down && base.State(v) != Down {
			down = append(down, v)
		}
	}
	return base, hit, down
}

// needsStart reports whether node v, down in hit, must be started: a
// service failed by name or left without its quorum of replicas.
func (m *Model) needsStart(hit *Result, v int32) bool {
	return m.kinds[v] == Service && (hit.IsFailed(v) || hit.replicaState(v) == Down)
}

// deadlocks finds the cold-start deadlocks of cs: it reports a shortest
// cycle of the wait-for graph (through the smallest id of the strongly
// connected group with the smallest id), breaks it at its suggested edge
// (the dependency entries of From that name To become soft, or To leaves
// From's control plane), works out again what still cannot start, and
// repeats until everything can. Applying every suggested break thus lets
// every node of cs.stuck come back. The graph is a gonum graph.Directed;
// the groups come from gonum's topo.TarjanSCC and the cycles from its
// traverse.BreadthFirst. O(d·(V+E)) for d deadlocks, on the part of the
// model that stays down.
func (m *Model) deadlocks(cs coldStart) []Deadlock {
	if len(cs.stuck) == 0 {
		return nil
	}
	inStuck := make(map[int32]bool, len(cs.stuck))
	for _, v := range cs.stuck {
		inStuck[v] = true
	}
	soft := map[int32]bool{}   // groups made soft by a break
	cut := map[[2]int32]bool{} // via edges cut by a break
	var out []Deadlock
	for range len(cs.stuck) + len(m.groupOwner) + len(m.viaList) + 1 {
		back := m.comeBack(cs, inStuck, soft, cut)
		var left []int32
		for _, v := range cs.stuck {
			if !back[v] {
				left = append(left, v)
			}
		}
		if len(left) == 0 {
			break
		}
		up := func(x int32) bool {
			if inStuck[x] {
				return back[x]
			}
			return cs.up(x)
		}
		g := newWaitGraph(left)
		for _, v := range left {
			var to []int32
			for gi := m.ngStart[v]; gi < m.ngStart[v+1]; gi++ {
				if m.groupKind[gi] != GroupDep || m.groupSoft[gi] || soft[gi] || m.met(gi, up) {
					continue
				}
				to = append(to, m.gmList[m.gmStart[gi]:m.gmStart[gi+1]]...)
			}
			if m.kinds[v] == Service && cs.standby(v) {
				for _, x := range m.Via(v) {
					if !cut[[2]int32{v, x}] {
						to = append(to, x)
					}
				}
			}
			slices.Sort(to)
			g.addEdges(v, slices.Compact(to))
		}
		var cycle []int32
		for _, scc := range topo.TarjanSCC(g) {
			if len(scc) == 1 && !g.HasEdgeFromTo(scc[0].ID(), scc[0].ID()) {
				continue
			}
			first := int32(scc[0].ID())
			for _, n := range scc {
				first = min(first, int32(n.ID()))
			}
			if cycle == nil || first < cycle[0] {
				cycle = g.shortestCycle(first)
			}
		}
		if cycle == nil {
			break // cannot happen: what stays down waits on a cycle
		}
		best := 0
		for i := range cycle {
			if d, b := m.hardDependents(cycle[i]), m.hardDependents(cycle[best]); d > b || d == b && cycle[i] < cycle[best] {
				best = i
			}
		}
		d := Deadlock{Cycle: cycle, From: cycle[(best+len(cycle)-1)%len(cycle)], To: cycle[best]}
		out = append(out, d)
		for gi := m.ngStart[d.From]; gi < m.ngStart[d.From+1]; gi++ {
			if m.groupKind[gi] == GroupDep && slices.Contains(m.gmList[m.gmStart[gi]:m.gmStart[gi+1]], d.To) {
				soft[gi] = true
			}
		}
		cut[[2]int32{d.From, d.To}] = true
	}
	slices.SortFunc(out, func(a, b Deadlock) int {
		return cmp.Or(slices.Compare(a.Cycle, b.Cycle), cmp.Compare(a.From, b.From))
	})
	return out
}

// ColdStartDeadlocks returns the deadlocks of the recovery from the
// failure of the given nodes, as Recover reports them, without planning
// times or waves: what the failure took down comes back as soon as it
// can, whatever the order. With every service of a set failed, these are
// the dependency cycles among them that cannot start from nothing. Each
// cycle starts at its smallest id; applying every suggested break lets
// everything come back. O(V+E) plus O(d·(V+E)) for d deadlocks.
func (m *Model) ColdStartDeadlocks(failed []int32) []Deadlock {
	failed = slices.Compact(slices.Sorted(slices.Values(failed)))
	base, hit, down := m.takenDown(failed)
	return m.deadlocks(coldStart{
		stuck: down,
		up: func(x int32) bool {
			if m.kinds[x] == Component { // restored, unless down before
				return base.State(x) != Down
			}
			return hit.State(x) != Down
		},
		start: func(v int32) bool { return m.needsStart(hit, v) },
		base:  base,
	})
}

// hardDependents counts the hard dependency entries that name x.
func (m *Model) hardDependents(x int32) int {
	n := 0
	for _, g := range m.moList[m.moStart[x]:m.moStart[x+1]] {
		if m.groupKind[g] == GroupDep && !m.groupSoft[g] {
			n++
		}
	}
	return n
}

// met reports whether group g has at least K members that up accepts.
func (m *Model) met(g int32, up func(x int32) bool) bool {
	n := int32(0)
	for _, x := range m.gmList[m.gmStart[g]:m.gmStart[g+1]] {
		if up(x) {
			n++
		}
	}
	return n >= m.groupK[g]
}

// comeBack works out which nodes of cs.stuck come back once the groups
// in soft are soft and the via edges in cut are gone, in rounds as the
// waves of a plan: the starts not yet started are down; the other nodes
// are down only when that follows from them (the greatest fixpoint, so a
// cycle of nodes that resume is fine, as in the evaluator); then every
// start whose hard dependencies (and, on standby replicas, control plane)
// are up starts. O(r·(V+E)) on the stuck part, for r rounds.
func (m *Model) comeBack(cs coldStart, inStuck, soft map[int32]bool, cut map[[2]int32]bool) map[int32]bool {
	started := map[int32]bool{}
	for {
		down := map[int32]bool{}
		var work []int32
		for _, v := range cs.stuck {
			if !cs.start(v) {
				work = append(work, v)
			} else if !started[v] {
				down[v] = true
			}
		}
		up := func(x int32) bool {
			if inStuck[x] {
				return !down[x]
			}
			return cs.up(x)
		}
		ready := func(v int32) bool {
			for gi := m.ngStart[v]; gi < m.ngStart[v+1]; gi++ {
				if m.groupKind[gi] == GroupDep && !m.groupSoft[gi] && !soft[gi] && !m.met(gi, up) {
					return false
				}
			}
			if m.kinds[v] == Service && cs.standby(v) {
				for _, x := range m.Via(v) {
					if !cut[[2]int32{v, x}] && !up(x) {
						return false
					}
				}
			}
			return true
		}
		push := func(o int32) {
			if inStuck[o] && !down[o] && !cs.start(o) {
				work = append(work, o)
			}
		}
		for len(work) > 0 {
			v := work[len(work)-1]
			work = work[:len(work)-1]
			if down[v] || ready(v) {
				continue
			}
			down[v] = true
			for _, g := range m.moList[m.moStart[v]:m.moStart[v+1]] {
				push(m.groupOwner[g])
			}
			for _, o := range m.vwList[m.vwStart[v]:m.vwStart[v+1]] {
				push(o)
			}
		}
		progress := false
		for _, v := range cs.stuck {
			if cs.start(v) && !started[v] && ready(v) {
				started[v] = true
				progress = true
			}
		}
		if !progress {
			back := map[int32]bool{}
			for _, v := range cs.stuck {
				if !down[v] {
					back[v] = true
				}
			}
			return back
		}
	}
}
