package graph

import (
	"fmt"
	"math"
	"slices"
)

// Op is the operator of a fault tree gate.
type Op uint8

// Gate operators. Every gate is coherent: more failures never bring a
// gate back up.
const (
	OpOr      Op = iota // down when any argument is down
	OpAnd               // down when every argument is down
	OpAtLeast           // down when at least K arguments are down
)

// String returns or, and or atleast.
func (o Op) String() string {
	switch o {
	case OpAnd:
		return "and"
	case OpAtLeast:
		return "atleast"
	}
	return "or"
}

// Arg is an argument of a gate or the top of a fault tree: a gate, a basic
// event or a constant.
type Arg int32

// Constant arguments.
const (
	True  Arg = math.MaxInt32     // always down
	False Arg = math.MaxInt32 - 1 // never down
)

// EventArg returns the Arg of basic event i.
func EventArg(i int) Arg { return Arg(-1 - i) }

// GateArg returns the Arg of gate i.
func GateArg(i int) Arg { return Arg(i) }

// Event returns the basic event a is, and whether a is one.
func (a Arg) Event() (int, bool) { return int(-1 - a), a < 0 }

// Gate returns the gate a is, and whether a is one.
func (a Arg) Gate() (int, bool) { return int(a), a >= 0 && a < False }

// BasicEvent is a leaf of a fault tree: a component failing, or with
// services included a service failing in software.
type BasicEvent struct {
	Node int32
	ID   string
	Kind NodeKind
}

// Gate is an inner node of a fault tree. Args name earlier gates only, so
// gates are in topological order. Owner is the model node whose rules
// produced the gate; Named is set on the gate that is the owner's whole
// down function (the others are its parts, or earlier rounds of a
// dependency cycle).
type Gate struct {
	Op    Op
	K     int // for OpAtLeast
	Args  []Arg
	Owner int32
	Named bool
}

// FaultTree is a feature's "down" function as a coherent fault tree over
// basic events. Events are in the BDD variable order orderEvents gives
// (depth first from the feature, biggest argument first). Top is the feature's
// down function: a gate, an event, or a constant when the feature cannot
// go down (False) or is down already (True).
type FaultTree struct {
	Feature int32
	Events  []BasicEvent
	Gates   []Gate
	Top     Arg
	// Roots and Tops are the nodes of a forest (Forest) and their down
	// functions; for a single tree, Roots[0] is Feature and Tops[0] Top.
	Roots []int32
	Tops  []Arg
}

// FaultTreeOptions says what the basic events are.
type FaultTreeOptions struct {
	// Services makes every service a basic event too (a software failure).
	Services bool
}

// FaultTree translates MODEL.md's rules for feature (or any node) v into
// a fault tree. Components are basic events, except those the inventory
// marks failed (constants); with opt.Services, services are too.
//
// A component is down when it fails, its parent is down or more feeds are
// down than it can spare; a service when it fails, fewer counted replicas
// than its quorum run (replicas weighted by count, standby replicas counted
// only when the active ones fall short and no failover.via service is
// down) or a hard dependency group is down; soft dependencies never make
// anything down. Dependency cycles are evaluated as the model's greatest
// fixpoint: a strongly connected component of s nodes is unrolled s rounds
// from "all up", after which every assignment of the basic events has
// reached its fixpoint (each round that changes anything adds a down node).
// Cost: O(V+E) outside cycles, O(s·(V+E)) per cycle of s nodes.
func (m *Model) FaultTree(v int32, opt FaultTreeOptions) *FaultTree {
	ft := m.Forest([]int32{v}, opt)
	ft.Feature, ft.Top = v, ft.Tops[0]
	return ft
}

// Forest is FaultTree for several nodes at once, sharing gates and
// events: ft.Tops[i] is the down function of roots[i]. Feature and Top
// are left zero.
func (m *Model) Forest(roots []int32, opt FaultTreeOptions) *FaultTree {
	ft := &FaultTree{Roots: roots}
	n := int32(m.Len())
	// Cone of v and events in depth-first preorder.
	inCone := make([]bool, n)
	event := make([]int32, n)
	for i := range event {
		event[i] = -1
	}
	failed := make([]bool, n)
	for _, x := range m.alreadyFailed {
		failed[x] = true
	}
	stack := slices.Clone(roots)
	slices.Reverse(stack)
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if inCone[x] {
			continue
		}
		inCone[x] = true
		if (m.kinds[x] == Component && !failed[x]) || (opt.Services && m.kinds[x] == Service) {
			event[x] = int32(len(ft.Events))
			ft.Events = append(ft.Events, BasicEvent{Node: x, ID: m.ids[x], Kind: m.kinds[x]})
		}
		var ins []int32
		m.eachInput(x, func(y int32) { ins = append(ins, y) })
		for i := len(ins) - 1; i >= 0; i-- {
			if !inCone[ins[i]] {
				stack = append(stack, ins[i])
			}
		}
	}

	b := &ftBuilder{m: m, ft: ft, down: make([]Arg, n), failed: failed, event: event}
	for _, scc := range m.SCCs() {
		if !inCone[scc[0]] {
			continue
		}
		cyclic := len(scc) > 1
		if !cyclic {
			m.eachInput(scc[0], func(y int32) { cyclic = cyclic || y == scc[0] })
		}
		if !cyclic {
			b.down[scc[0]] = b.node(scc[0])
			continue
		}
		for _, x := range scc {
			b.down[x] = False
		}
		next := make([]Arg, len(scc))
		for round := len(scc); round >= 1; round-- {
			for i, x := range scc {
				next[i] = b.node(x)
			}
			same := true
			for i, x := range scc {
				same = same && b.down[x] == next[i]
				b.down[x] = next[i]
			}
			if same {
				break // nothing refers to the cycle any more
			}
		}
	}
	for x, a := range b.down {
		if gi, ok := a.Gate(); ok && inCone[x] && ft.Gates[gi].Owner == int32(x) {
			ft.Gates[gi].Named = true
		}
	}
	for _, r := range roots {
		ft.Tops = append(ft.Tops, b.down[r])
	}
	ft.orderEvents()
	return ft
}

// orderEvents numbers the events in the order a depth-first walk from the
// tops meets them, taking at each gate the argument with the most events
// below it first: a good BDD variable order for most trees (the analyses
// still race it against others, orderedBDD).
func (ft *FaultTree) orderEvents() {
	if len(ft.Events) == 0 {
		return
	}
	r := ft.renumber(ft.dfsOrder(biggestFirst))
	ft.Events, ft.Gates, ft.Tops = r.Events, r.Gates, r.Tops
}

type ftBuilder struct {
	m      *Model
	ft     *FaultTree
	down   []Arg
	failed []bool
	event  []int32
	owner  int32
}

// node builds node x's down function from the current down functions of
// its inputs.
func (b *ftBuilder) node(x int32) Arg {
	m := b.m
	b.owner = x
	var any []Arg
	if b.failed[x] {
		return True
	}
	if e := b.event[x]; e >= 0 {
		any = append(any, EventArg(int(e)))
	}
	for g := m.ngStart[x]; g < m.ngStart[x+1]; g++ {
		if m.groupSoft[g] {
			continue
		}
		members := m.gmList[m.gmStart[g]:m.gmStart[g+1]]
		args := make([]Arg, len(members))
		w := make([]int, len(members))
		for i, y := range members {
			args[i], w[i] = b.down[y], 1
		}
		// down when fewer than K members are not down
		any = append(any, b.atLeast(len(members)-int(m.groupK[g])+1, args, w))
	}
	if m.npStart[x] != m.npStart[x+1] {
		any = append(any, b.replicas(x))
	}
	return b.or(any)
}

// replicas is the replica rule: down when the running active replicas
// fall short of the quorum and either a failover.via service is down or
// the running standby replicas do not make up for it.
func (b *ftBuilder) replicas(x int32) Arg {
	m := b.m
	q := int(m.quorum[x])
	var act, all []Arg
	var actW, allW []int
	for p := m.npStart[x]; p < m.npStart[x+1]; p++ {
		a, w := b.down[m.plComp[p]], int(m.plReplicas[p])
		if !m.plStandby[p] {
			act, actW = append(act, a), append(actW, w)
		}
		all, allW = append(all, a), append(allW, w)
	}
	A, S := int(m.activePlaced[x]), int(m.standbyPlaced[x])
	actLow := b.atLeast(A-q+1, act, actW)
	if S == 0 {
		return actLow
	}
	var blocked []Arg
	for _, y := range m.Via(x) {
		blocked = append(blocked, b.down[y])
	}
	blocked = append(blocked, b.atLeast(A+S-q+1, all, allW))
	return b.and([]Arg{actLow, b.or(blocked)})
}

func (b *ftBuilder) gate(op Op, k int, args []Arg) Arg {
	b.ft.Gates = append(b.ft.Gates, Gate{Op: op, K: k, Args: args, Owner: b.owner})
	return GateArg(len(b.ft.Gates) - 1)
}

// or folds constants and duplicates away.
func (b *ftBuilder) or(args []Arg) Arg {
	var out []Arg
	for _, a := range args {
		switch {
		case a == True:
			return True
		case a == False || slices.Contains(out, a):
		default:
			out = append(out, a)
		}
	}
	switch len(out) {
	case 0:
		return False
	case 1:
		return out[0]
	}
	return b.gate(OpOr, 0, out)
}

// and folds constants and duplicates away.
func (b *ftBuilder) and(args []Arg) Arg {
	var out []Arg
	for _, a := range args {
		switch {
		case a == False:
			return False
		case a == True || slices.Contains(out, a):
		default:
			out = append(out, a)
		}
	}
	switch len(out) {
	case 0:
		return True
	case 1:
		return out[0]
	}
	return b.gate(OpAnd, 0, out)
}

// atLeast is "the down arguments weigh at least k": constants are folded,
// equal arguments merged, equal weights turned into a plain atleast gate
// and unequal ones expanded into coherent and/or gates (a shared
// decomposition of the threshold, O(len(args)·k) gates).
func (b *ftBuilder) atLeast(k int, args []Arg, w []int) Arg {
	var xs []Arg
	var ws []int
	for i, a := range args {
		switch {
		case a == True:
			k -= w[i]
		case a == False:
		default:
			if j := slices.Index(xs, a); j >= 0 {
				ws[j] += w[i]
			} else {
				xs, ws = append(xs, a), append(ws, w[i])
			}
		}
	}
	total := 0
	for _, x := range ws {
		total += x
	}
	switch {
	case k <= 0:
		return True
	case total < k:
		return False
	}
	equal := true
	for _, x := range ws {
		equal = equal && x == ws[0]
	}
	if equal {
		kk := (k + ws[0] - 1) / ws[0]
		switch kk {
		case 1:
			return b.or(xs)
		case len(xs):
			return b.and(xs)
		}
		return b.gate(OpAtLeast, kk, xs)
	}
	// T(i, need): the arguments from i on weigh at least need.
	suffix := make([]int, len(xs)+1)
	for i := len(xs) - 1; i >= 0; i-- {
		suffix[i] = suffix[i+1] + ws[i]
	}
	memo := map[[2]int]Arg{}
	var t func(i, need int) Arg
	t = func(i, need int) Arg {
		switch {
		case need <= 0:
			return True
		case suffix[i] < need:
			return False
		}
		key := [2]int{i, need}
		if a, ok := memo[key]; ok {
			return a
		}
		a := b.or([]Arg{b.and([]Arg{xs[i], t(i+1, need-ws[i])}), t(i+1, need)})
		memo[key] = a
		return a
	}
	return t(0, k)
}

// String describes a for debugging: a constant, e<i> or g<i>.
func (a Arg) String() string {
	switch {
	case a == True:
		return "true"
	case a == False:
		return "false"
	case a < 0:
		return fmt.Sprintf("e%d", -1-int(a))
	}
	return fmt.Sprintf("g%d", int(a))
}
