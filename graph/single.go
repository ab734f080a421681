package graph

import (
	"slices"
)

// SingleFailures holds, for every node, which single failures take it down
// and which only degrade it: the result of evaluating every one-element
// failure set {k}, k in a universe of candidate failures, at once.
//
// It is computed in one pass over the graph in dependency order, instead of
// one evaluation per candidate: each node's sets are derived from the sets
// of what it needs, by counting, for each candidate k, how many members of
// each requirement group k takes down or degrades and how many replicas it
// costs. Inside a dependency cycle the sets are iterated to their least
// fixpoint, which is, candidate by candidate, the greatest fixpoint of
// the states that an evaluation computes. Cost: O(Σ over edges of the
// sizes of the sets that cross them), usually close to O(V+E).
type SingleFailures struct {
	m        *Model
	universe []int32
	uIndex   []int32 // node → index in universe, -1 if not a candidate
	down     [][]int32
	degraded [][]int32
}

// Universe returns the candidate failures, sorted.
func (s *SingleFailures) Universe() []int32 { return s.universe }

// Model returns the model s was computed on.
func (s *SingleFailures) Model() *Model { return s.m }

// Down returns the candidates whose failure alone takes v down, sorted.
func (s *SingleFailures) Down(v int32) []int32 { return s.down[v] }

// Degraded returns the candidates whose failure alone degrades v without
// taking it down, sorted.
func (s *SingleFailures) Degraded(v int32) []int32 { return s.degraded[v] }

// StateUnder returns v's state when candidate k alone fails.
func (s *SingleFailures) StateUnder(v, k int32) State {
	if _, ok := slices.BinarySearch(s.down[v], k); ok {
		return Down
	}
	if _, ok := slices.BinarySearch(s.degraded[v], k); ok {
		return Degraded
	}
	return Up
}

// scratch holds per-candidate counters for the node being computed,
// indexed by universe index, and reset through the touched lists.
type scratch struct {
	gDown, gNotUp    []int32 // per group being counted
	gTouched         []int32
	dDown, dDeg      []int32 // change in groups down / degraded
	lostAct, lostSby []int32
	viaDown          []bool
	seen             []bool
	touched          []int32
}

func newScratch(n int) *scratch {
	return &scratch{
		gDown: make([]int32, n), gNotUp: make([]int32, n),
		dDown: make([]int32, n), dDeg: make([]int32, n),
		lostAct: make([]int32, n), lostSby: make([]int32, n),
		viaDown: make([]bool, n), seen: make([]bool, n),
	}
}

func (sc *scratch) touch(k int32) {
	if !sc.seen[k] {
		sc.seen[k] = true
		sc.touched = append(sc.touched, k)
	}
}

// SingleFailures computes the single-failure sets of every node for the
// given candidates (components, services or features; duplicates
// ignored). Every node is taken to be up before the failure.
func (m *Model) SingleFailures(candidates []int32) *SingleFailures {
	n := len(m.ids)
	s := &SingleFailures{
		m:        m,
		universe: slices.Compact(slices.Sorted(slices.Values(candidates))),
		uIndex:   make([]int32, n),
		down:     make([][]int32, n),
		degraded: make([][]int32, n),
	}
	for i := range s.uIndex {
		s.uIndex[i] = -1
	}
	for i, k := range s.universe {
		s.uIndex[k] = int32(i)
	}
	sc := newScratch(len(s.universe))
	for _, scc := range m.SCCs() {
		if len(scc) == 1 && !m.selfLoop(scc[0]) {
			s.compute(scc[0], sc)
			continue
		}
		// Iterate the cycle to its least fixpoint: sets only grow.
		for changed := true; changed; {
			changed = false
			for _, v := range scc {
				before := len(s.down[v]) + len(s.degraded[v])
				beforeDown := len(s.down[v])
				s.compute(v, sc)
				if len(s.down[v]) != beforeDown || len(s.down[v])+len(s.degraded[v]) != before {
					changed = true
				}
			}
		}
	}
	// Sets hold universe indexes while computing; turn them into nodes.
	for v := range s.down {
		for i, k := range s.down[v] {
			s.down[v][i] = s.universe[k]
		}
		for i, k := range s.degraded[v] {
			s.degraded[v][i] = s.universe[k]
		}
	}
	return s
}

// selfLoop reports whether v needs itself (never in a valid inventory).
func (m *Model) selfLoop(v int32) bool {
	self := false
	m.eachInput(v, func(x int32) { self = self || x == v })
	return self
}

// compute derives v's sets from the current sets of what it needs. Sets
// hold universe indexes, sorted.
func (s *SingleFailures) compute(v int32, sc *scratch) {
	m := s.m
	// requirement groups
	for g := m.ngStart[v]; g < m.ngStart[v+1]; g++ {
		members := m.gmList[m.gmStart[g]:m.gmStart[g+1]]
		for _, x := range members {
			for _, k := range s.down[x] {
				if sc.gDown[k] == 0 && sc.gNotUp[k] == 0 {
					sc.gTouched = append(sc.gTouched, k)
				}
				sc.gDown[k]++
				sc.gNotUp[k]++
			}
			for _, k := range s.degraded[x] {
				if sc.gDown[k] == 0 && sc.gNotUp[k] == 0 {
					sc.gTouched = append(sc.gTouched, k)
				}
				sc.gNotUp[k]++
			}
		}
		size, need, soft := int32(len(members)), m.groupK[g], m.groupSoft[g]
		for _, k := range sc.gTouched {
			var verdict State
			switch {
			case size-sc.gDown[k] < need:
				verdict = Down
			case size-sc.gNotUp[k] < need:
				verdict = Degraded
			}
			if soft && verdict == Down {
				verdict = Degraded
			}
			switch verdict {
			case Down:
				sc.dDown[k]++
				sc.touch(k)
			case Degraded:
				sc.dDeg[k]++
				sc.touch(k)
			}
			sc.gDown[k], sc.gNotUp[k] = 0, 0
		}
		sc.gTouched = sc.gTouched[:0]
	}
	// replicas
	for p := m.npStart[v]; p < m.npStart[v+1]; p++ {
		for _, k := range s.down[m.plComp[p]] {
			if m.plStandby[p] {
				sc.lostSby[k] += m.plReplicas[p]
			} else {
				sc.lostAct[k] += m.plReplicas[p]
			}
			sc.touch(k)
		}
	}
	for _, x := range m.viaList[m.viaStart[v]:m.viaStart[v+1]] {
		for _, k := range s.down[x] {
			sc.viaDown[k] = true
			sc.touch(k)
		}
	}
	self := s.uIndex[v]
	if self >= 0 {
		sc.touch(self)
	}
	down, degraded := s.down[v][:0], s.degraded[v][:0]
	hasReplicas := m.npStart[v] != m.npStart[v+1]
	for _, k := range sc.touched {
		st := Up
		switch {
		case k == self || sc.dDown[k] > 0:
			st = Down
		default:
			if sc.dDeg[k] > 0 {
				st = Degraded
			}
			if hasReplicas {
				if r, _, _ := replicaRule(m.quorum[v], m.capacity[v],
					m.activePlaced[v]-sc.lostAct[k], m.standbyPlaced[v]-sc.lostSby[k], sc.viaDown[k]); r > st {
					st = r
				}
			}
		}
		switch st {
		case Down:
			down = append(down, k)
		case Degraded:
			degraded = append(degraded, k)
		}
		sc.dDown[k], sc.dDeg[k], sc.lostAct[k], sc.lostSby[k] = 0, 0, 0, 0
		sc.viaDown[k], sc.seen[k] = false, false
	}
	sc.touched = sc.touched[:0]
	slices.Sort(down)
	slices.Sort(degraded)
	s.down[v], s.degraded[v] = down, degraded
}

// replicaRule applies the quorum, failover and capacity rules to running
// replica counts: the state they impose, the replicas counted, and the
// failover outcome. Standby replicas count only when the active ones miss
// the quorum and no failover.via service is down.
func replicaRule(quorum, capacity, actRun, stbyRun int32, viaDown bool) (State, int32, Failover) {
	counted := actRun
	fo := FailoverNone
	if counted < quorum && stbyRun > 0 {
		if viaDown {
			fo = FailoverBlocked
		} else {
			counted += stbyRun
			fo = FailoverDone
		}
	}
	switch {
	case counted < quorum:
		return Down, counted, fo
	case fo == FailoverDone:
		return Degraded, counted, fo
	case capacity > 0 && counted < capacity:
		return Degraded, counted, fo
	}
	return Up, counted, fo
}
