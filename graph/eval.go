package graph

import "slices"

// State is the state of a node after an evaluation. States are ordered:
// a larger State is worse.
type State uint8

// States.
const (
	Up State = iota
	Degraded
	Down
)

// String returns up, degraded or down.
func (s State) String() string {
	switch s {
	case Up:
		return "up"
	case Degraded:
		return "degraded"
	default:
		return "down"
	}
}

// Failover tells what happened to a service's standby replicas.
type Failover uint8

// Failover outcomes.
const (
	FailoverNone    Failover = iota // not needed, or nothing to fail over to
	FailoverDone                    // standby replicas are counted
	FailoverBlocked                 // needed, standby running, control plane down
)

// String returns none, done or blocked.
func (f Failover) String() string {
	switch f {
	case FailoverDone:
		return "done"
	case FailoverBlocked:
		return "blocked"
	default:
		return "none"
	}
}

// Evaluator evaluates failure sets against a Model. It keeps counters
// between runs and resets only what the previous run touched, so a run
// costs time proportional to the part of the graph the failure reaches
// (O(V+E) at worst), not to the whole model. An Evaluator is not safe for
// concurrent use; make one per goroutine.
type Evaluator struct {
	m      *Model
	state  []State
	failed []bool

	gDown   []int32 // per group: members down
	gNotUp  []int32 // per group: members not up
	nDownG  []int32 // per node: groups whose verdict is down
	nDegG   []int32 // per node: groups whose verdict is degraded
	actRun  []int32 // per service: active replicas running
	stbyRun []int32 // per service: standby replicas running
	viaDown []int32 // per service: failover.via services down

	touchedN []int32
	nTouched []bool
	touchedG []int32
	gTouched []bool
	queue    []change

	paper *paperScratch // paperRedundancy's, kept between runs
}

type change struct {
	v        int32
	from, to State
}

// NewEvaluator returns an Evaluator for m with every node up. O(V+E).
func (m *Model) NewEvaluator() *Evaluator {
	n, ng := len(m.ids), len(m.groupOwner)
	e := &Evaluator{
		m:        m,
		state:    make([]State, n),
		failed:   make([]bool, n),
		gDown:    make([]int32, ng),
		gNotUp:   make([]int32, ng),
		nDownG:   make([]int32, n),
		nDegG:    make([]int32, n),
		actRun:   append([]int32(nil), m.activePlaced...),
		stbyRun:  append([]int32(nil), m.standbyPlaced...),
		viaDown:  make([]int32, n),
		nTouched: make([]bool, n),
		gTouched: make([]bool, ng),
	}
	return e
}

// Model returns the model e evaluates.
func (e *Evaluator) Model() *Model { return e.m }

// reset undoes the previous run: O(nodes and groups it touched).
func (e *Evaluator) reset() {
	m := e.m
	for _, v := range e.touchedN {
		e.state[v] = Up
		e.failed[v] = false
		e.nDownG[v], e.nDegG[v] = 0, 0
		e.actRun[v], e.stbyRun[v] = m.activePlaced[v], m.standbyPlaced[v]
		e.viaDown[v] = 0
		e.nTouched[v] = false
	}
	for _, g := range e.touchedG {
		e.gDown[g], e.gNotUp[g] = 0, 0
		e.gTouched[g] = false
	}
	e.touchedN = e.touchedN[:0]
	e.touchedG = e.touchedG[:0]
}

func (e *Evaluator) touchN(v int32) {
	if !e.nTouched[v] {
		e.nTouched[v] = true
		e.touchedN = append(e.touchedN, v)
	}
}

func (e *Evaluator) touchG(g int32) {
	if !e.gTouched[g] {
		e.gTouched[g] = true
		e.touchedG = append(e.touchedG, g)
	}
}

// Run evaluates the failure of the given nodes (components, services or
// features; duplicates are ignored), and of the components the inventory
// marks failed, replacing the previous run's result.
// It computes the greatest fixpoint of MODEL.md's rules: starting from
// everything up, states only worsen, each node at most twice, and every
// change is pushed to what depends on it through counters, so a run is
// linear in the size of the affected subgraph.
func (e *Evaluator) Run(failed []int32) {
	e.reset()
	for _, v := range slices.Concat(e.m.alreadyFailed, failed) {
		if e.failed[v] {
			continue
		}
		e.touchN(v)
		e.failed[v] = true
		e.set(v, Down)
	}
	for i := 0; i < len(e.queue); i++ {
		e.propagate(e.queue[i])
	}
	e.queue = e.queue[:0]
}

// set moves v to state s if that is worse than its current state.
func (e *Evaluator) set(v int32, s State) {
	old := e.state[v]
	if s <= old {
		return
	}
	e.touchN(v)
	e.state[v] = s
	e.queue = append(e.queue, change{v, old, s})
}

// verdict is what group g imposes on its owner given its counters.
func (e *Evaluator) verdict(g int32) State {
	m := e.m
	size := m.gmStart[g+1] - m.gmStart[g]
	return groupRule(size-e.gDown[g], size-e.gNotUp[g], m.groupK[g], m.groupSoft[g])
}

// groupRule is MODEL.md's rule for a requirement group ("at least need of
// these"): down when fewer than need members are not down, degraded when
// fewer than need are fully up; a soft group can only degrade. Every
// analysis applies a group through this one function.
func groupRule(notDown, up, need int32, soft bool) State {
	var s State
	switch {
	case notDown < need:
		s = Down
	case up < need:
		s = Degraded
	default:
		return Up
	}
	if soft {
		return Degraded
	}
	return s
}

func (e *Evaluator) propagate(c change) {
	m := e.m
	v := c.v
	for _, g := range m.moList[m.moStart[v]:m.moStart[v+1]] {
		before := e.verdict(g)
		e.touchG(g)
		if c.from == Up {
			e.gNotUp[g]++
		}
		if c.to == Down {
			e.gDown[g]++
		}
		after := e.verdict(g)
		if after == before {
			continue
		}
		owner := m.groupOwner[g]
		e.touchN(owner)
		switch before {
		case Down:
			e.nDownG[owner]--
		case Degraded:
			e.nDegG[owner]--
		}
		switch after {
		case Down:
			e.nDownG[owner]++
		case Degraded:
			e.nDegG[owner]++
		}
		e.set(owner, e.compute(owner))
	}
	if c.to == Down && m.kinds[v] == Component {
		for _, p := range m.hoList[m.hoStart[v]:m.hoStart[v+1]] {
			s := m.plService[p]
			e.touchN(s)
			if m.plStandby[p] {
				e.stbyRun[s] -= m.plReplicas[p]
			} else {
				e.actRun[s] -= m.plReplicas[p]
			}
			e.set(s, e.compute(s))
		}
	}
	if c.to == Down {
		for _, s := range m.vwList[m.vwStart[v]:m.vwStart[v+1]] {
			e.touchN(s)
			e.viaDown[s]++
			e.set(s, e.compute(s))
		}
	}
}

// compute derives v's state from its counters in O(1).
func (e *Evaluator) compute(v int32) State {
	if e.failed[v] || e.nDownG[v] > 0 {
		return Down
	}
	s := Up
	if e.nDegG[v] > 0 {
		s = Degraded
	}
	if e.m.npStart[v] != e.m.npStart[v+1] {
		if r, _, _ := e.replicas(v); r > s {
			s = r
		}
	}
	return s
}

// replicas applies the replica rules (replicaRule) to service v's counters.
func (e *Evaluator) replicas(v int32) (State, int32, Failover) {
	return replicaRule(e.m.quorum[v], e.m.capacity[v], e.actRun[v], e.stbyRun[v], e.viaDown[v] > 0)
}

// State returns node v's state after the last run.
func (e *Evaluator) State(v int32) State { return e.state[v] }

// Failed reports whether v was in the last run's failure set.
func (e *Evaluator) Failed(v int32) bool { return e.failed[v] }

// Affected returns the nodes the last run left degraded or down, in the
// order they first changed (not sorted), failed nodes included.
func (e *Evaluator) Affected() []int32 {
	out := e.touchedN[:0:0]
	for _, v := range e.touchedN {
		if e.state[v] != Up {
			out = append(out, v)
		}
	}
	return out
}
