package graph

import (
	"container/heap"
	"context"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
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
// sizes of the sets that cross them), usually close to O(V+E); an element
// crossing a dependency that needs all of its members (most do) costs one
// bit operation, one crossing a counted group (anyOf, atLeast) or a
// placement a counter update.
type SingleFailures struct {
	m        *Model
	universe []int32
	inU      []bool
	down     [][]int32
	degraded [][]int32
	base     []State // states before any candidate fails

	sccOf  []int32 // node → position of its SCC in dependency order
	sccs   [][]int32
	cyclic []bool // per SCC: must be iterated

	// mayBlock marks the candidates whose failure alone may leave some
	// service down with its failover blocked (an over-approximation: a
	// candidate not marked blocks none); baseBlocked says a failover is
	// already blocked before any candidate fails.
	mayBlock    []bool
	baseBlocked bool
}

// MayBlockFailover reports whether the failure of candidate k alone may
// leave some service down because its failover's control plane failed
// too (or one already is). When it returns false, no service's failover
// is blocked once k fails.
func (s *SingleFailures) MayBlockFailover(k int32) bool {
	return s.baseBlocked || s.mayBlock[k]
}

// Universe returns the candidate failures, sorted.
func (s *SingleFailures) Universe() []int32 { return s.universe }

// Model returns the model s was computed on.
func (s *SingleFailures) Model() *Model { return s.m }

// Down returns the candidates whose failure alone takes v down when it
// was not down before, sorted.
func (s *SingleFailures) Down(v int32) []int32 { return s.down[v] }

// Degraded returns the candidates whose failure alone degrades v when it
// was up before, sorted.
func (s *SingleFailures) Degraded(v int32) []int32 { return s.degraded[v] }

// Base returns v's state before any candidate fails: up, unless the
// inventory marks components failed.
func (s *SingleFailures) Base(v int32) State { return s.base[v] }

// StateUnder returns v's state when candidate k alone fails.
func (s *SingleFailures) StateUnder(v, k int32) State {
	return max(s.base[v], stateIn(s.down[v], s.degraded[v], k))
}

func stateIn(down, degraded []int32, k int32) State {
	if _, ok := slices.BinarySearch(down, k); ok {
		return Down
	}
	if _, ok := slices.BinarySearch(degraded, k); ok {
		return Degraded
	}
	return Up
}

// scratch holds per-candidate counters for the node being computed,
// indexed by candidate, and reset through the touched lists. The counters
// of one candidate sit together (one cache line) since they are reached
// in random order.
type scratch struct {
	g        []groupCount // per group being counted
	gTouched []int32
	k        []kCount
	touched  []int32
	blocks   []bool  // when not nil: marks candidates that block a failover
	outD     []int32 // the sets being built
	outG     []int32

	// The node's states under each candidate, as bitmaps over candidate
	// ids (down, degraded), and the words in use. A group that needs all
	// of its members (most dependencies: one member) is applied here
	// directly, one OR per element, without counting; the counted
	// candidates are added once counted, and the sets read off in order.
	words     []stateWord
	wl        []int32
	wBuf      []int32
	wUnsorted bool
	arena     []int32 // where sets are copied out to (alloc)
}

// stateWord holds the states of 64 candidates: down, at least degraded.
type stateWord struct{ d, g uint64 }

// groupCount counts, for one candidate, the members of the group being
// counted that it takes down, and that it takes down or degrades.
type groupCount struct{ down, notUp int32 }

// kCount is what one candidate does to the node being computed.
type kCount struct {
	dDown, dDeg      int32 // change in groups down / degraded
	lostAct, lostSby int32 // replicas lost
	viaDown, seen    bool
}

func newScratch(n int) *scratch {
	return &scratch{g: make([]groupCount, n), k: make([]kCount, n), words: make([]stateWord, n/64+1)}
}

// word returns bitmap word w (candidates 64w to 64w+63), listing it
// when new.
func (sc *scratch) word(w int32) *stateWord {
	p := &sc.words[w]
	if p.d|p.g == 0 {
		sc.wUnsorted = sc.wUnsorted || (len(sc.wl) > 0 && w < sc.wl[len(sc.wl)-1])
		sc.wl = append(sc.wl, w)
	}
	return p
}

// markAll marks every candidate of ks (sorted) down (down) or degraded,
// a word at a time.
func (sc *scratch) markAll(ks []int32, down bool) {
	for i := 0; i < len(ks); {
		w := ks[i] >> 6
		var bits uint64
		for ; i < len(ks) && ks[i]>>6 == w; i++ {
			bits |= 1 << (ks[i] & 63)
		}
		if p := sc.word(w); down {
			p.d |= bits
		} else {
			p.g |= bits
		}
	}
}

func (sc *scratch) touch(k int32) {
	if !sc.k[k].seen {
		sc.k[k].seen = true
		sc.touched = append(sc.touched, k)
	}
}

// setsFunc returns the current down and degraded sets of a node.
type setsFunc func(x int32) (down, degraded []int32)

// SingleFailures computes the single-failure sets of every node for the
// given candidates (components, services or features; duplicates
// ignored), relative to the state in which only the components the
// inventory marks failed are down.
func (m *Model) SingleFailures(candidates []int32) *SingleFailures {
	s, _ := m.SingleFailuresContext(context.Background(), candidates)
	return s
}

// SingleFailuresContext is SingleFailures that stops, returning ctx's
// error and incomplete sets, when ctx is done; ctx is checked every 4096
// strongly connected components, which costs nothing measurable.
func (m *Model) SingleFailuresContext(ctx context.Context, candidates []int32) (*SingleFailures, error) {
	n := len(m.ids)
	s := &SingleFailures{
		m:        m,
		universe: slices.Compact(slices.Sorted(slices.Values(candidates))),
		inU:      make([]bool, n),
		down:     make([][]int32, n),
		degraded: make([][]int32, n),
	}
	for _, k := range s.universe {
		s.inU[k] = true
	}
	start, adj := m.inputs()
	s.sccs, s.sccOf = tarjan(start, adj)
	s.cyclic = make([]bool, len(s.sccs))
	for i, scc := range s.sccs {
		v := scc[0]
		s.cyclic[i] = len(scc) > 1 || slices.Contains(adj[start[v]:start[v+1]], v)
	}
	base := m.NewEvaluator()
	base.Run(nil) // only what the inventory marks failed
	s.base = slices.Clone(base.state)
	s.baseBlocked = len(base.blockedServices()) > 0
	// The SCCs of one level need only SCCs of lower levels, so each level
	// is shared out among the cores; a level's sets are complete before
	// the next level reads them.
	workers := make([]*scratch, max(1, runtime.GOMAXPROCS(0)))
	for i := range workers {
		workers[i] = newScratch(n)
		workers[i].blocks = make([]bool, n)
	}
	get := func(x int32) ([]int32, []int32) { return s.down[x], s.degraded[x] }
	done := 0
	for _, level := range s.levels(start, adj) {
		if err := ctx.Err(); err != nil {
			return s, err
		}
		s.level(level, workers, base, get)
		done += len(level)
		m.progress("single failures", done, len(s.sccs))
	}
	s.mayBlock = workers[0].blocks
	for _, w := range workers[1:] {
		for k, b := range w.blocks {
			s.mayBlock[k] = s.mayBlock[k] || b
		}
	}
	return s, nil
}

// levels groups the SCCs by depth: level 0 needs nothing outside itself,
// level i needs SCCs of levels below i and at least one of level i-1.
// The graph's edges are adj[start[v]:start[v+1]] (Model.inputs).
func (s *SingleFailures) levels(start, adj []int32) [][]int32 {
	depth := make([]int32, len(s.sccs))
	var out [][]int32
	for c, scc := range s.sccs {
		d := int32(0)
		for _, v := range scc {
			for _, x := range adj[start[v]:start[v+1]] {
				if xc := s.sccOf[x]; xc != int32(c) {
					d = max(d, depth[xc]+1)
				}
			}
		}
		depth[c] = d
		for int(d) >= len(out) {
			out = append(out, nil)
		}
		out[d] = append(out[d], int32(c))
	}
	return out
}

// levelChunk is how many SCCs a worker takes at a time.
const levelChunk = 256

// level computes the sets of the SCCs cs, which need only SCCs whose
// sets are complete, on as many workers as the level is worth.
func (s *SingleFailures) level(cs []int32, workers []*scratch, base *Evaluator, get setsFunc) {
	nw := min(len(workers), len(cs))
	// Chunks small enough to share even a narrow level (a level of a few
	// features can hold most of the work), large enough to keep the
	// shared counter cold on a wide one.
	chunk := max(1, min(levelChunk, len(cs)/(8*nw)))
	if nw <= 1 {
		for _, c := range cs {
			s.computeSCC(c, workers[0], base, get)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for _, sc := range workers[:nw] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(int64(chunk))) - chunk
				if i >= len(cs) {
					return
				}
				for _, c := range cs[i:min(i+chunk, len(cs))] {
					s.computeSCC(c, sc, base, get)
				}
			}
		}()
	}
	wg.Wait()
}

// computeSCC computes the sets of the members of SCC c; a cycle is
// iterated to its least fixpoint (sets only grow).
func (s *SingleFailures) computeSCC(c int32, sc *scratch, base *Evaluator, get setsFunc) {
	scc := s.sccs[c]
	if !s.cyclic[c] {
		v := scc[0]
		s.down[v], s.degraded[v] = s.compute(v, sc, base, -1, get, s.down[v][:0], s.degraded[v][:0])
		return
	}
	for changed := true; changed; {
		changed = false
		for _, v := range scc {
			nd, ng := len(s.down[v]), len(s.degraded[v])
			s.down[v], s.degraded[v] = s.compute(v, sc, base, -1, get, s.down[v][:0], s.degraded[v][:0])
			if len(s.down[v]) != nd || len(s.degraded[v]) != ng {
				changed = true
			}
		}
	}
}

// compute derives v's sets, relative to the state the evaluator base holds
// (nothing failed, or a failure already applied), from the current sets of
// what v needs. Candidate skip (or -1) is never reported. The sets are
// appended to down and degraded, sorted.
func (s *SingleFailures) compute(v int32, sc *scratch, base *Evaluator, skip int32, get setsFunc, down, degraded []int32) ([]int32, []int32) {
	m := s.m
	if base.state[v] == Down {
		if sc.blocks != nil && m.viaStart[v] != m.viaStart[v+1] {
			// Already down, but a failure of its replicas or of its
			// failover's control plane may block that failover too:
			// mark those failures (an over-approximation).
			for p := m.npStart[v]; p < m.npStart[v+1]; p++ {
				xDown, _ := get(m.plComp[p])
				for _, k := range xDown {
					sc.blocks[k] = true
				}
			}
			for _, x := range m.viaList[m.viaStart[v]:m.viaStart[v+1]] {
				xDown, _ := get(x)
				for _, k := range xDown {
					sc.blocks[k] = true
				}
			}
		}
		return down, degraded
	}
	// requirement groups
	for g := m.ngStart[v]; g < m.ngStart[v+1]; g++ {
		members := m.gmList[m.gmStart[g]:m.gmStart[g+1]]
		size, need, soft := int32(len(members)), m.groupK[g], m.groupSoft[g]
		if need >= size {
			// All members needed: any member down takes the group down
			// (a soft one degraded), any member degraded degrades it. The
			// group's state under k is at most the node's, and a state
			// already held before any failure is dropped below.
			for _, x := range members {
				xDown, xDeg := get(x)
				sc.markAll(xDown, !soft)
				sc.markAll(xDeg, false)
			}
			continue
		}
		for _, x := range members {
			xDown, xDeg := get(x)
			xUp := int32(b2i(base.state[x] == Up))
			for _, k := range xDown {
				c := &sc.g[k]
				if c.down == 0 && c.notUp == 0 {
					sc.gTouched = append(sc.gTouched, k)
				}
				c.down++
				c.notUp += xUp
			}
			for _, k := range xDeg {
				c := &sc.g[k]
				if c.down == 0 && c.notUp == 0 {
					sc.gTouched = append(sc.gTouched, k)
				}
				c.notUp++
			}
		}
		baseV := base.verdict(int32(g))
		upBase, okBase := size-base.gDown[g], size-base.gNotUp[g]
		for _, k := range sc.gTouched {
			c := &sc.g[k]
			verdict := groupRule(upBase-c.down, okBase-c.notUp, need, soft)
			if verdict != baseV {
				kc := &sc.k[k]
				kc.dDown += b2i(verdict == Down) - b2i(baseV == Down)
				kc.dDeg += b2i(verdict == Degraded) - b2i(baseV == Degraded)
				sc.touch(k)
			}
			*c = groupCount{}
		}
		sc.gTouched = sc.gTouched[:0]
	}
	// replicas
	for p := m.npStart[v]; p < m.npStart[v+1]; p++ {
		xDown, _ := get(m.plComp[p])
		standby, n := m.plStandby[p], m.plReplicas[p]
		for _, k := range xDown {
			if standby {
				sc.k[k].lostSby += n
			} else {
				sc.k[k].lostAct += n
			}
			sc.touch(k)
		}
	}
	for _, x := range m.viaList[m.viaStart[v]:m.viaStart[v+1]] {
		xDown, _ := get(x)
		for _, k := range xDown {
			sc.k[k].viaDown = true
			sc.touch(k)
		}
	}
	if s.inU[v] {
		sc.word(v >> 6).d |= 1 << (v & 63)
	}
	hasReplicas := m.npStart[v] != m.npStart[v+1]
	for _, k := range sc.touched {
		kc := &sc.k[k]
		st := Up
		switch {
		case base.nDownG[v]+kc.dDown > 0:
			st = Down
		case base.nDegG[v]+kc.dDeg > 0:
			st = Degraded
		}
		if hasReplicas {
			r, _, fo := replicaRule(m.quorum[v], m.capacity[v],
				base.actRun[v]-kc.lostAct, base.stbyRun[v]-kc.lostSby, base.viaDown[v] > 0 || kc.viaDown)
			st = max(st, r)
			if fo == FailoverBlocked && sc.blocks != nil {
				sc.blocks[k] = true
			}
		}
		switch st {
		case Down:
			sc.word(k >> 6).d |= 1 << (k & 63)
		case Degraded:
			sc.word(k >> 6).g |= 1 << (k & 63)
		}
		*kc = kCount{}
	}
	sc.touched = sc.touched[:0]
	// Read the sets off the bitmap in id order. Down wins over degraded;
	// a state the node held before any failure is not the candidate's
	// doing (the node is not down before, or it was returned above).
	wl := sc.wl
	if sc.wUnsorted {
		wl = sc.sortWords()
	}
	sc.wUnsorted = false
	keepDeg := base.state[v] == Up
	outD, outG := sc.outD[:0], sc.outG[:0]
	for _, w := range wl {
		p := &sc.words[w]
		d, g := p.d, p.g&^p.d
		*p = stateWord{}
		for ; d != 0; d &= d - 1 {
			if k := w<<6 | int32(bits.TrailingZeros64(d)); k != skip {
				outD = append(outD, k)
			}
		}
		for ; keepDeg && g != 0; g &= g - 1 {
			if k := w<<6 | int32(bits.TrailingZeros64(g)); k != skip {
				outG = append(outG, k)
			}
		}
	}
	sc.wl = sc.wl[:0]
	sc.outD, sc.outG = outD, outG
	if down == nil && degraded == nil {
		return sc.alloc(outD), sc.alloc(outG)
	}
	return append(down, outD...), append(degraded, outG...)
}

// sortWords returns the words in use in increasing order: the list
// sorted, or, when they fill most of their range, the range scanned.
func (sc *scratch) sortWords() []int32 {
	lo, hi := sc.wl[0], sc.wl[0]
	for _, w := range sc.wl {
		lo, hi = min(lo, w), max(hi, w)
	}
	if int(hi-lo) > 16*len(sc.wl) { // a sort costs some 16 word reads per word
		slices.Sort(sc.wl)
		return sc.wl
	}
	out := sc.wBuf[:0]
	for w := lo; w <= hi; w++ {
		if p := sc.words[w]; p.d|p.g != 0 {
			out = append(out, w)
		}
	}
	sc.wBuf = out
	return out
}

// alloc copies a set out of the scratch buffers into the worker's arena:
// sets live as long as the analysis, so they are cut from big blocks
// instead of allocated one by one. The copy's capacity is its length.
func (sc *scratch) alloc(xs []int32) []int32 {
	if len(xs) == 0 {
		return nil
	}
	if len(xs) > len(sc.arena) {
		sc.arena = make([]int32, max(arenaBlock, len(xs)))
	}
	out := sc.arena[:len(xs):len(xs)]
	copy(out, xs)
	sc.arena = sc.arena[len(xs):]
	return out
}

// arenaBlock is the size of the blocks sets are cut from.
const arenaBlock = 1 << 16

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
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

// Residual holds single-failure sets after a first failure: for each node,
// the candidates whose failure, on top of the first one, makes it worse
// than the first failure alone did.
type Residual struct {
	s       *SingleFailures
	first   int32
	e       *Evaluator
	overlay map[int32][2][]int32
}

// Down returns the candidates k (other than the first failure) such that
// v is down after both failures but was not after the first alone, sorted.
func (r *Residual) Down(v int32) []int32 {
	if o, ok := r.overlay[v]; ok {
		return o[0]
	}
	if r.e.state[v] == Down {
		return nil
	}
	return withoutK(r.s.down[v], r.first)
}

// State returns v's state after the first failure alone.
func (r *Residual) State(v int32) State { return r.e.state[v] }

func withoutK(set []int32, k int32) []int32 {
	if i, ok := slices.BinarySearch(set, k); ok {
		return slices.Delete(slices.Clone(set), i, i+1)
	}
	return set
}

// sccHeap orders dirty nodes by the dependency order of their SCCs.
type sccHeap struct {
	sccs []int32
}

func (h *sccHeap) Len() int           { return len(h.sccs) }
func (h *sccHeap) Less(i, j int) bool { return h.sccs[i] < h.sccs[j] }
func (h *sccHeap) Swap(i, j int)      { h.sccs[i], h.sccs[j] = h.sccs[j], h.sccs[i] }
func (h *sccHeap) Push(x any)         { h.sccs = append(h.sccs, x.(int32)) }
func (h *sccHeap) Pop() any {
	x := h.sccs[len(h.sccs)-1]
	h.sccs = h.sccs[:len(h.sccs)-1]
	return x
}

// After computes the residual single-failure sets once first has failed,
// reusing e (its previous run is replaced) and sc. Only the nodes whose
// state the first failure changed, and the nodes above them whose sets
// change in turn, are recomputed, in dependency order. O(the affected
// part of the graph and the sets crossing it).
func (s *SingleFailures) After(first int32, e *Evaluator, sc *scratch) *Residual {
	m := s.m
	if sc == nil {
		sc = newScratch(m.Len())
	}
	e.Run([]int32{first})
	r := &Residual{s: s, first: first, e: e, overlay: map[int32][2][]int32{}}
	get := func(x int32) ([]int32, []int32) {
		if o, ok := r.overlay[x]; ok {
			return o[0], o[1]
		}
		if e.state[x] == Down {
			return nil, nil
		}
		d, g := s.down[x], s.degraded[x]
		if e.state[x] == Degraded {
			// base degraded: only a move to down is worse
			return withoutK(d, first), nil
		}
		return withoutK(d, first), withoutK(g, first)
	}
	h := &sccHeap{}
	queued := map[int32]bool{}
	push := func(v int32) {
		c := s.sccOf[v]
		if !queued[c] {
			queued[c] = true
			heap.Push(h, c)
		}
	}
	for _, v := range e.touchedN {
		push(v)
	}
	for _, g := range e.touchedG { // counters changed, state maybe not
		push(m.groupOwner[g])
	}
	for h.Len() > 0 {
		c := heap.Pop(h).(int32)
		scc := s.sccs[c]
		for changed := true; changed; {
			changed = false
			for _, v := range scc {
				oldD, oldG := get(v)
				d, g := s.compute(v, sc, e, first, get, nil, nil)
				if !slices.Equal(d, oldD) || !slices.Equal(g, oldG) {
					r.overlay[v] = [2][]int32{d, g}
					changed = s.cyclic[c]
					for _, y := range m.dependents(v) {
						if s.sccOf[y] != c {
							push(y)
						}
					}
				}
			}
			if !s.cyclic[c] {
				break
			}
		}
	}
	return r
}
