package graph

import (
	"slices"
	"sync"
)

// Result is the outcome of one evaluation, with the why-chains of every
// node that is not up. A Result from Evaluator.Result is detached from the
// evaluator; a view (used inside the package) shares its arrays and is
// valid until the evaluator runs again.
type Result struct {
	m *Model
	// Failed is the failure set, sorted, without duplicates.
	Failed []int32

	state   []State
	failed  []bool
	actRun  []int32
	stbyRun []int32
	// affected lists the nodes not up, in id order.
	affected []int32

	whyOnce sync.Once
	// Set by computeWhy, over the affected nodes: whyPos[v] is 1 + v's
	// place in affected (0: up); by place, next is the next node on a
	// shortest chain towards a failed node (-1: none), causes the causes.
	whyPos []int32
	next   []int32
	causes [][]int32
}

// Simulate evaluates the failure of the given nodes and returns the result.
// O(V+E).
func (m *Model) Simulate(failed []int32) *Result {
	e := m.NewEvaluator()
	e.Run(failed)
	return e.Result()
}

// Result snapshots the last run. O(V).
func (e *Evaluator) Result() *Result {
	r := &Result{
		m:       e.m,
		state:   slices.Clone(e.state),
		failed:  slices.Clone(e.failed),
		actRun:  slices.Clone(e.actRun),
		stbyRun: slices.Clone(e.stbyRun),
	}
	r.fill(e)
	return r
}

// view returns the last run as a Result that shares the evaluator's
// arrays: O(nodes affected), valid until the next Run.
func (e *Evaluator) view() *Result {
	r := &Result{m: e.m, state: e.state, failed: e.failed, actRun: e.actRun, stbyRun: e.stbyRun}
	r.fill(e)
	return r
}

// fill lists the failed and affected nodes of the last run, in id order.
func (r *Result) fill(e *Evaluator) {
	for _, v := range e.touchedN {
		if e.failed[v] {
			r.Failed = append(r.Failed, v)
		}
		if e.state[v] != Up {
			r.affected = append(r.affected, v)
		}
	}
	slices.Sort(r.Failed)
	slices.Sort(r.affected)
}

// Model returns the model r was computed on.
func (r *Result) Model() *Model { return r.m }

// State returns node v's state.
func (r *Result) State(v int32) State { return r.state[v] }

// IsFailed reports whether v is in the failure set.
func (r *Result) IsFailed(v int32) bool { return r.failed[v] }

// Replicas returns, for service v, the replicas counted toward its quorum
// and the failover outcome. Nodes without placements report 0, FailoverNone.
func (r *Result) Replicas(v int32) (counted int, fo Failover) {
	m := r.m
	if m.npStart[v] == m.npStart[v+1] {
		return 0, FailoverNone
	}
	_, c, f := replicaRule(m.quorum[v], m.capacity[v], r.actRun[v], r.stbyRun[v], r.viaDown(v))
	return int(c), f
}

// viaDown reports whether some failover.via service of v is down.
func (r *Result) viaDown(v int32) bool {
	for _, x := range r.m.Via(v) {
		if r.state[x] == Down {
			return true
		}
	}
	return false
}

// Running returns the active and standby replicas of service v that run
// (their component is up), whether or not they are counted.
func (r *Result) Running(v int32) (active, standby int) {
	return int(r.actRun[v]), int(r.stbyRun[v])
}

// BlockedBy returns the failover.via services of v that are down, in id
// order: what stopped v's failover, when it was blocked.
func (r *Result) BlockedBy(v int32) []int32 {
	var out []int32
	for _, x := range r.m.Via(v) {
		if r.state[x] == Down {
			out = append(out, x)
		}
	}
	return out
}

// groupVerdict recomputes group g's verdict from member states.
func (r *Result) groupVerdict(g int32) State {
	m := r.m
	members := m.gmList[m.gmStart[g]:m.gmStart[g+1]]
	notDown, up := int32(0), int32(0)
	for _, x := range members {
		if r.state[x] != Down {
			notDown++
		}
		if r.state[x] == Up {
			up++
		}
	}
	return groupRule(notDown, up, m.groupK[g], m.groupSoft[g])
}

// replicaState is the state the replica rules impose on service v.
func (r *Result) replicaState(v int32) State {
	m := r.m
	if m.npStart[v] == m.npStart[v+1] {
		return Up
	}
	st, _, _ := replicaRule(m.quorum[v], m.capacity[v], r.actRun[v], r.stbyRun[v], r.viaDown(v))
	return st
}

// Causes returns the direct causes of v's state, in id order: the members
// of its failing requirement groups (parent, feeds, dependencies) that are
// not up, the components whose loss cost it replicas, and the control plane
// that blocked its failover. A failed node, and an up node, has none.
func (r *Result) Causes(v int32) []int32 {
	return r.appendCauses(nil, v)
}

// appendCauses appends the direct causes of v's state (Causes) to out.
func (r *Result) appendCauses(out []int32, v int32) []int32 {
	s := r.state[v]
	if s == Up || r.failed[v] {
		return out
	}
	m := r.m
	n := len(out)
	for g := m.ngStart[v]; g < m.ngStart[v+1]; g++ {
		gv := r.groupVerdict(g)
		if gv != s {
			continue
		}
		for _, x := range m.gmList[m.gmStart[g]:m.gmStart[g+1]] {
			if (s == Down && r.state[x] == Down) || (s == Degraded && r.state[x] != Up) {
				out = append(out, x)
			}
		}
	}
	if r.replicaState(v) == s {
		counted, fo := r.Replicas(v)
		for p := m.npStart[v]; p < m.npStart[v+1]; p++ {
			if r.state[m.plComp[p]] != Down {
				continue
			}
			// Lost standby replicas matter only when a failover was needed.
			if !m.plStandby[p] || fo != FailoverNone || int32(counted) < m.quorum[v] {
				out = append(out, m.plComp[p])
			}
		}
		if fo == FailoverBlocked {
			out = append(out, r.BlockedBy(v)...)
		}
	}
	slices.Sort(out[n:])
	return out[:n+len(slices.Compact(out[n:]))]
}

// computeWhy finds, for every affected node, a shortest chain of causes to
// a failed node: a breadth-first search from the failure set along
// reversed cause edges. Frontiers are visited in id order, so among chains
// of equal length the one through the smallest id wins. O(affected nodes
// and their edges).
func (r *Result) computeWhy() {
	// Dense arrays over the affected nodes, not maps: a site's loss
	// affects a large part of the estate.
	r.whyPos = make([]int32, len(r.state))
	for i, v := range r.affected {
		r.whyPos[v] = int32(i + 1)
	}
	r.causes = make([][]int32, len(r.affected))
	for i, v := range r.affected {
		if !r.failed[v] {
			r.causes[i] = r.Causes(v)
		}
	}
	r.next = r.towardsFailure(r.affected, r.whyPos, r.causes)
}

// towardsFailure is the breadth-first search of computeWhy over a set of
// nodes closed under causes: nodes, pos (node → 1 + its place in nodes,
// 0 outside) and causes (by place). It returns, by place, the next node
// on a shortest chain towards a failed node, -1 for none, searching from
// the failure set along reversed cause edges with frontiers in id order,
// so that among chains of equal length the one through the smallest id
// wins.
func (r *Result) towardsFailure(nodes, pos []int32, causes [][]int32) []int32 {
	// reversed cause edges over places, CSR
	start := make([]int32, len(nodes)+1)
	for _, cs := range causes {
		for _, c := range cs {
			start[pos[c]]++
		}
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	rev := make([]int32, start[len(nodes)])
	fill := slices.Clone(start[:len(nodes)])
	for i, cs := range causes {
		for _, c := range cs {
			j := pos[c] - 1
			rev[fill[j]] = nodes[i]
			fill[j]++
		}
	}
	next := make([]int32, len(nodes))
	for i := range next {
		next[i] = -1
	}
	reached := make([]bool, len(nodes))
	var frontier []int32
	for _, v := range r.Failed {
		if pos[v] != 0 {
			frontier = append(frontier, v)
			reached[pos[v]-1] = true
		}
	}
	for len(frontier) > 0 {
		var nextFrontier []int32
		for _, c := range frontier {
			j := pos[c] - 1
			for _, v := range rev[start[j]:start[j+1]] {
				if k := pos[v] - 1; !reached[k] {
					reached[k] = true
					next[k] = c
					nextFrontier = append(nextFrontier, v)
				}
			}
		}
		slices.Sort(nextFrontier)
		frontier = nextFrontier
	}
	return next
}

// causesOf returns Causes(v) as computeWhy recorded them.
func (r *Result) causesOf(v int32) []int32 {
	if i := r.whyPos[v]; i > 0 {
		return r.causes[i-1]
	}
	return nil
}

// Chain returns a shortest chain of causes from v to a failed node: v
// first, the failed node last. A failed node's chain is itself; an up node
// has none.
func (r *Result) Chain(v int32) []int32 {
	if r.state[v] == Up {
		return nil
	}
	r.whyOnce.Do(r.computeWhy)
	return followChain(v, r.next, r.whyPos)
}

// followChain follows next (by place, pos giving a node's place plus one)
// from v to the end of its chain: v first. Chains of towardsFailure never
// loop, but the walk stops after as many steps as there are places anyway.
func followChain(v int32, next, pos []int32) []int32 {
	chain := []int32{v}
	for x := v; len(chain) <= len(next); {
		n := next[pos[x]-1]
		if n < 0 {
			break
		}
		chain = append(chain, n)
		x = n
	}
	return chain
}

// Why returns v's why-chains: one for each direct cause whose shortest
// chain does not lead back through v, v first and a failed node last,
// shortest first, ties in id order. A failed node gives
// the single chain [v]; an up node none. At most limit chains are
// returned (limit <= 0: all), with the total number of direct causes.
func (r *Result) Why(v int32, limit int) (chains [][]int32, total int) {
	if r.state[v] == Up {
		return nil, 0
	}
	if r.failed[v] {
		return [][]int32{{v}}, 1
	}
	r.whyOnce.Do(r.computeWhy)
	for _, c := range r.causesOf(v) {
		ch := r.Chain(c)
		if slices.Contains(ch, v) {
			continue // back through v itself: circular, explains nothing
		}
		chains = append(chains, append([]int32{v}, ch...))
	}
	slices.SortFunc(chains, func(a, b []int32) int {
		if len(a) != len(b) {
			return len(a) - len(b)
		}
		return slices.Compare(a, b)
	})
	total = len(chains)
	if limit > 0 && len(chains) > limit {
		chains = chains[:limit]
	}
	return chains, total
}

// coneScratch holds coneChains' per-node arrays, reused between calls.
type coneScratch struct {
	pos []int32 // node → 1 + its place in the cone; 0: not in it
}

// coneChains returns Chain(v) for each v of targets, computed from the
// targets' cone of causes alone (the nodes reachable from them through
// Causes) instead of from every affected node: the same breadth-first
// search from the failure set, restricted to the cone, which holds every
// cause of each of its nodes, so distances, the id order of frontiers and
// thus the chains are Chain's. It pays when some chains are wanted from a
// failure that affects much of the estate (the findings of blast check).
// O(the cone and its cause edges).
func (r *Result) coneChains(targets []int32, sc *coneScratch) [][]int32 {
	if len(sc.pos) < len(r.state) {
		sc.pos = make([]int32, len(r.state))
	}
	pos := sc.pos
	var cone []int32
	var causes [][]int32
	add := func(x int32) {
		if pos[x] == 0 {
			cone = append(cone, x)
			pos[x] = int32(len(cone))
		}
	}
	for _, v := range targets {
		if r.state[v] != Up {
			add(v)
		}
	}
	for i := 0; i < len(cone); i++ {
		cs := r.Causes(cone[i])
		causes = append(causes, cs)
		for _, c := range cs {
			add(c)
		}
	}
	defer func() {
		for _, x := range cone {
			pos[x] = 0
		}
	}()
	next := r.towardsFailure(cone, pos, causes)
	out := make([][]int32, len(targets))
	for i, v := range targets {
		if r.state[v] == Up {
			continue
		}
		out[i] = followChain(v, next, pos)
	}
	return out
}
