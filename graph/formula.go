package graph

import (
	"cmp"
	"math/bits"
	"slices"
)

// Building a gate's BDD argument by argument (r = r ∨ f₁, r ∨ f₂, ...)
// makes every partial result and every argument's own BDD, and on the
// large Open-PSA trees those are most of the nodes ever made: edf9204's
// top gate is an or of twenty and gates over a dozen shared subsystems,
// each and of two subsystems a BDD of about 100,000 nodes, while the or
// of them all has 205,000; building gate by gate made 2.3 million nodes.
//
// So a gate is built from a formula instead: the gate and the gates below
// it that it alone uses (up to formulaMax nodes), over leaves whose BDDs
// are built first (events, and gates used by several gates or left out
// of the formula). The formula's BDD is made by one Shannon expansion on
// all its leaves at once: at each step every leaf is cofactored on the
// first variable of any leaf still live, the formula is evaluated on
// the leaves that became constant, and the step is memoized on what
// still matters, the live leaf occurrences and the counts of atleast
// nodes still open. Only nodes of the gate's own BDD are made.

// formulaMax bounds the nodes of one formula (operators and leaf
// occurrences); gates with more than formulaWide arguments are built
// argument by argument, since each expansion step evaluates the whole
// formula; so are gates whose formula would have more than formulaGates
// gates as leaves. (Variables for the tests.)
var (
	formulaMax   = 192
	formulaGates = 32
)

const formulaWide = 64

// fnode is an operator of a formula, or an occurrence of a leaf.
type fnode struct {
	op   Op
	k    int     // atleast threshold
	leaf int32   // ≥ 0: this is an occurrence of leaf leaf
	kids []int32 // an operator's arguments, nodes before it
}

// formulaBDD expands one formula at a time; its buffers are reused.
type formulaBDD struct {
	d      *BDD
	nodes  []fnode // arguments before operators; the root last
	leaves []int32 // each leaf's BDD
	event  []bool  // each leaf: an event (its BDD one variable)

	// Derived from nodes by prepare:
	parent  []int32  // each node's operator; −1 for the root
	need    []int8   // each operator: true arguments that decide it true
	under   []uint32 // words per node: the leaf occurrences below it
	occs    []uint32 // words per leaf: its occurrences
	gates   []int32  // the leaves that are not events
	atleast []int32  // the atleast operators
	evOccs  []int32  // the occurrences of events, by variable
	varLeaf []int32  // per variable: the event leaf it is, or −1
	words   int

	// The expansion's state, changed on the way down and restored on the
	// way back from log: node values (0, 1, or 2: not decided), the
	// operators' counts of true and undecided arguments, the live leaf
	// occurrences (undecided, and so is every operator above them), and
	// the BDDs of the leaves that are not events with their top variables
	// (a live event is its own variable still).
	val, ones, open []int8
	live            []uint32
	gleaf, gtop     []int32
	log             []undo

	key  []int32
	memo formulaMemo
}

// undo is one change of the expansion's state: what to put back where.
type undo struct {
	what uint8 // 0 val, 1 ones, 2 open, 3 live, 4 gleaf, 5 gtop
	at   int32
	old  int32
}

// build returns the BDD of the formula, its leaves' BDDs being leaves, or
// −1 when d went over its work limit. After −1, build(true) goes on with
// the same formula: the results of the expansion steps that finished are
// kept.
func (fb *formulaBDD) build(resume bool) int32 {
	if !resume {
		fb.memo.reset()
	}
	fb.prepare()
	n := len(fb.nodes)
	fb.val, fb.ones, fb.open = grow(fb.val, n), grow(fb.ones, n), grow(fb.open, n)
	fb.live = grow(fb.live, fb.words)
	clear(fb.ones)
	clear(fb.open)
	clear(fb.live)
	for i := range fb.nodes {
		fb.val[i] = 2
		if p := fb.parent[i]; p >= 0 {
			fb.open[p]++
		}
		if fb.nodes[i].leaf >= 0 {
			fb.live[i/32] |= 1 << (i % 32)
		}
	}
	fb.gleaf, fb.gtop = grow(fb.gleaf, len(fb.leaves)), grow(fb.gtop, len(fb.leaves))
	for _, l := range fb.gates {
		x := fb.leaves[l]
		fb.gleaf[l], fb.gtop[l] = x, fb.d.nodes[x].v
		if x < 2 {
			fb.settle(l, int8(x))
		}
	}
	fb.log = fb.log[:0]
	return fb.expand(0)
}

// prepare derives parent, need, under, occs, gates, atleast, evOccs and
// varLeaf from the formula.
func (fb *formulaBDD) prepare() {
	n := len(fb.nodes)
	fb.words = (n + 31) / 32
	w := fb.words
	fb.parent = grow(fb.parent, n)
	fb.need = grow(fb.need, n)
	fb.under = grow(fb.under, n*w)
	fb.occs = grow(fb.occs, len(fb.leaves)*w)
	clear(fb.under)
	clear(fb.occs)
	fb.gates, fb.atleast, fb.evOccs = fb.gates[:0], fb.atleast[:0], fb.evOccs[:0]
	fb.parent[n-1] = -1
	for i := range fb.nodes {
		nd := &fb.nodes[i]
		if nd.leaf >= 0 {
			fb.under[i*w+i/32] |= 1 << (i % 32)
			fb.occs[int(nd.leaf)*w+i/32] |= 1 << (i % 32)
			if fb.event[nd.leaf] {
				fb.evOccs = append(fb.evOccs, int32(i))
			}
			continue
		}
		switch nd.op {
		case OpOr:
			fb.need[i] = 1
		case OpAnd:
			fb.need[i] = int8(len(nd.kids))
		default:
			fb.need[i] = int8(nd.k)
			fb.atleast = append(fb.atleast, int32(i))
		}
		for _, c := range nd.kids {
			fb.parent[c] = int32(i)
			for j := range w {
				fb.under[i*w+j] |= fb.under[int(c)*w+j]
			}
		}
	}
	for l, e := range fb.event {
		if !e {
			fb.gates = append(fb.gates, int32(l))
		}
	}
	d := fb.d
	slices.SortFunc(fb.evOccs, func(x, y int32) int {
		return cmp.Compare(d.nodes[fb.leaves[fb.nodes[x].leaf]].v, d.nodes[fb.leaves[fb.nodes[y].leaf]].v)
	})
	for _, l := range fb.leaves {
		if v := d.nodes[l].v; v < bddTerminal {
			for len(fb.varLeaf) <= int(v) {
				fb.varLeaf = append(fb.varLeaf, -1)
			}
		}
	}
	for i := range fb.varLeaf {
		fb.varLeaf[i] = -1
	}
	for l, x := range fb.leaves {
		if fb.event[l] {
			fb.varLeaf[d.nodes[x].v] = int32(l)
		}
	}
}

func (fb *formulaBDD) set(what uint8, at int32, old int32) {
	fb.log = append(fb.log, undo{what, at, old})
}

// undoTo puts the state back as it was when the log had mark entries.
func (fb *formulaBDD) undoTo(mark int) {
	for i := len(fb.log) - 1; i >= mark; i-- {
		u := fb.log[i]
		switch u.what {
		case 0:
			fb.val[u.at] = int8(u.old)
		case 1:
			fb.ones[u.at] = int8(u.old)
		case 2:
			fb.open[u.at] = int8(u.old)
		case 3:
			fb.live[u.at] = uint32(u.old)
		case 4:
			fb.gleaf[u.at] = u.old
		case 5:
			fb.gtop[u.at] = u.old
		}
	}
	fb.log = fb.log[:mark]
}

// settle makes leaf l the constant c: its occurrences are decided, and
// so, upwards, every operator they decide; what is below a decided
// operator is no longer live. Every change is logged.
func (fb *formulaBDD) settle(l int32, c int8) {
	w := fb.words
	for j, word := range fb.occs[int(l)*w : int(l+1)*w] {
		for word != 0 {
			b := bits.TrailingZeros32(word)
			word &^= 1 << b
			i := int32(j*32 + b)
			if fb.val[i] != 2 {
				continue
			}
			fb.set(0, i, 2)
			fb.val[i] = c
			fb.clearLive(j, 1<<b)
			up := c
			for p := fb.parent[i]; p >= 0 && fb.val[p] == 2; p = fb.parent[p] {
				fb.set(2, p, int32(fb.open[p]))
				fb.open[p]--
				if up == 1 {
					fb.set(1, p, int32(fb.ones[p]))
					fb.ones[p]++
				}
				switch {
				case fb.ones[p] >= fb.need[p]:
					up = 1
				case fb.ones[p]+fb.open[p] < fb.need[p]:
					up = 0
				default:
					up = 2
				}
				if up == 2 {
					break
				}
				fb.set(0, p, 2)
				fb.val[p] = up
				for k, u := range fb.under[int(p)*w : int(p+1)*w] {
					fb.clearLive(k, u)
				}
			}
		}
	}
}

func (fb *formulaBDD) clearLive(j int, bits uint32) {
	if old := fb.live[j]; old&bits != 0 {
		fb.set(3, int32(j), int32(old))
		fb.live[j] = old &^ bits
	}
}

// isLive reports whether some occurrence in the words mask is live.
func (fb *formulaBDD) isLive(mask []uint32) bool {
	for j, u := range mask {
		if u&fb.live[j] != 0 {
			return true
		}
	}
	return false
}

// expand returns the BDD of the formula in the current state; ev is where
// the live event occurrences may start in evOccs (those before are not).
func (fb *formulaBDD) expand(ev int) int32 {
	d := fb.d
	root := len(fb.nodes) - 1
	if fb.val[root] != 2 {
		return int32(fb.val[root])
	}
	if d.over || d.stop.stop() {
		return -1
	}
	w := fb.words
	// The first variable of a live leaf, and one live leaf.
	for ev < len(fb.evOccs) && fb.live[fb.evOccs[ev]/32]>>(fb.evOccs[ev]%32)&1 == 0 {
		ev++
	}
	v, one := bddTerminal, int32(-1)
	if ev < len(fb.evOccs) {
		one = fb.nodes[fb.evOccs[ev]].leaf
		v = d.nodes[fb.leaves[one]].v
	}
	key := fb.key[:0]
	for _, u := range fb.live {
		key = append(key, int32(u))
	}
	for _, l := range fb.gates {
		if fb.isLive(fb.occs[int(l)*w : int(l+1)*w]) {
			key = append(key, fb.gleaf[l])
			if fb.gtop[l] < v {
				v, one = fb.gtop[l], l
			}
		}
	}
	// When every live occurrence is of one leaf, the formula (undecided,
	// monotone) is that leaf.
	only := true
	for j, u := range fb.occs[int(one)*w : int(one+1)*w] {
		if fb.live[j]&^u != 0 {
			only = false
			break
		}
	}
	if only {
		if fb.event[one] {
			return fb.leaves[one]
		}
		return fb.gleaf[one]
	}
	for _, i := range fb.atleast {
		if fb.isLive(fb.under[int(i)*w : int(i+1)*w]) {
			key = append(key, int32(fb.ones[i]))
		}
	}
	fb.key = key
	h := hashKey(key)
	if r, ok := fb.memo.find(key, h); ok {
		return r
	}
	memoKey := fb.memo.store(key)
	var r [2]int32
	for branch := range 2 {
		mark := len(fb.log)
		if l := fb.eventLeaf(v); l >= 0 {
			fb.settle(l, int8(branch))
		}
		for _, l := range fb.gates {
			if fb.gtop[l] != v {
				continue
			}
			n := d.nodes[fb.gleaf[l]]
			x := n.lo
			if branch == 1 {
				x = n.hi
			}
			fb.set(4, l, fb.gleaf[l])
			fb.set(5, l, fb.gtop[l])
			fb.gleaf[l], fb.gtop[l] = x, d.nodes[x].v
			if x < 2 {
				fb.settle(l, int8(x))
			}
		}
		r[branch] = fb.expand(ev)
		fb.undoTo(mark)
		if r[branch] < 0 {
			return -1
		}
	}
	res := d.mk(v, r[0], r[1])
	fb.memo.insert(memoKey, h, res)
	return res
}

// eventLeaf returns the event leaf of variable v, or −1.
func (fb *formulaBDD) eventLeaf(v int32) int32 {
	if int(v) < len(fb.varLeaf) {
		return fb.varLeaf[v]
	}
	return -1
}

func hashKey(key []int32) uint32 {
	h := uint64(len(key)) * 0x9E3779B97F4A7C15
	for _, x := range key {
		h = (h ^ uint64(uint32(x))) * 0xC2B2AE3D27D4EB4F
		h ^= h >> 29
	}
	return uint32(h >> 32)
}

// formulaMemo maps keys (int32 sequences, kept one after another in
// arena) to results: open addressing, at most half full.
type formulaMemo struct {
	slots []memoSlot
	arena []int32
	n     int
}

type memoSlot struct {
	off, len, r int32 // len 0: empty
	h           uint32
}

func (m *formulaMemo) reset() {
	clear(m.slots)
	m.arena = m.arena[:0]
	m.n = 0
}

func (m *formulaMemo) find(key []int32, h uint32) (int32, bool) {
	if len(m.slots) == 0 {
		return 0, false
	}
	mask := uint32(len(m.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &m.slots[i]
		if s.len == 0 {
			return 0, false
		}
		if s.h == h && slices.Equal(m.arena[s.off:s.off+s.len], key) {
			return s.r, true
		}
	}
}

// store copies key into the arena (before the expansion below reuses the
// key buffer) and returns where it is.
func (m *formulaMemo) store(key []int32) [2]int32 {
	off := len(m.arena)
	m.arena = append(m.arena, key...)
	return [2]int32{int32(off), int32(len(key))}
}

func (m *formulaMemo) insert(k [2]int32, h uint32, r int32) {
	if 2*(m.n+1) > len(m.slots) {
		old := m.slots
		m.slots = make([]memoSlot, max(256, 2*len(old)))
		for _, s := range old {
			if s.len != 0 {
				m.put(s)
			}
		}
	}
	m.put(memoSlot{k[0], k[1], r, h})
	m.n++
}

func (m *formulaMemo) put(s memoSlot) {
	mask := uint32(len(m.slots) - 1)
	i := s.h & mask
	for m.slots[i].len != 0 {
		i = (i + 1) & mask
	}
	m.slots[i] = s
}

// FromFaultTree returns the BDD of ft's top event, with basic event i as
// variable i: each gate that several gates use (and the top) is built
// from its formula (see above) in one expansion, the others inside their
// one user's formula; gates below no top are skipped. Nodes made: about
// the sum of the sizes of the BDDs of the gates built.
func (d *BDD) FromFaultTree(ft *FaultTree) int32 {
	b := newTreeBuild(d, ft)
	b.run()
	return b.root
}

// treeBuild is FromFaultTree in steps: run builds until done or until d
// goes over its work limit, and may be called again after the limit is
// raised (goOn). A gate cut short keeps what its expansion finished (the
// memo holds only finished results), so nothing is built twice but the
// nodes above the cut.
type treeBuild struct {
	d      *BDD
	ft     *FaultTree
	built  []bool  // gates built apart
	plain  []bool  // of those, the gates built argument by argument
	owner  []int32 // for the other gates: whose formula they are in
	fn     []int32 // each built gate's BDD, once built
	next   int     // the next gate to build
	fb     *formulaBDD
	leafOf map[Arg]int32
	cut    bool // fb's memo belongs to gate next
	done   bool
	root   int32
}

func newTreeBuild(d *BDD, ft *FaultTree) *treeBuild {
	n := len(ft.Gates)
	b := &treeBuild{d: d, ft: ft, built: make([]bool, n), plain: make([]bool, n), owner: make([]int32, n), fn: make([]int32, n),
		fb: &formulaBDD{d: d}, leafOf: map[Arg]int32{}}
	top, ok := ft.Top.Gate()
	if !ok {
		b.done, b.root = true, d.arg(ft.Top, nil)
		return b
	}
	// Gates below the top, and how many references each has from them.
	refs := make([]int32, n)
	reach := make([]bool, n)
	reach[top] = true
	for g := top; g >= 0; g-- {
		if !reach[g] {
			continue
		}
		for _, a := range ft.Gates[g].Args {
			if c, ok := a.Gate(); ok {
				reach[c] = true
				refs[c]++
			}
		}
	}
	// Which gates are built apart, and which go into whose formula: the
	// top down, each gate built apart takes the gates only it uses,
	// breadth first, while its formula has room.
	b.built[top] = true
	queue := make([]int, 0, 16)
	for g := top; g >= 0; g-- {
		if !reach[g] || !b.built[g] {
			continue
		}
		b.owner[g] = int32(g)
		if len(ft.Gates[g].Args) <= formulaWide && b.plan(g, refs, queue) {
			continue
		}
		// Too wide, or too many gates as leaves: argument by argument.
		b.plain[g] = true
		for _, a := range ft.Gates[g].Args {
			if c, ok := a.Gate(); ok {
				b.built[c] = true
			}
		}
	}
	for g := range b.built {
		b.built[g] = b.built[g] && reach[g]
	}
	return b
}

// plan takes into gate g's formula the gates only g uses, breadth first,
// while the formula has room, and marks the gates left out to be built
// apart. It reports false, having taken nothing, when the formula would
// have more than formulaGates gates as leaves: every expansion step looks
// at each of them.
func (b *treeBuild) plan(g int, refs []int32, queue []int) bool {
	ft := b.ft
	size, leaves := 1, 0
	var taken, apart []int
	queue = append(queue[:0], g)
	for len(queue) > 0 {
		q := queue[0]
		queue = queue[1:]
		for _, a := range ft.Gates[q].Args {
			size++
			c, ok := a.Gate()
			if !ok {
				continue
			}
			if refs[c] == 1 && len(ft.Gates[c].Args) <= formulaWide && size+1+len(ft.Gates[c].Args) <= formulaMax {
				taken = append(taken, c)
				size++ // its arguments are counted when it is taken
				queue = append(queue, c)
			} else if !slices.Contains(apart, c) {
				apart = append(apart, c)
				if leaves++; leaves > formulaGates {
					return false
				}
			}
		}
	}
	for _, c := range taken {
		b.owner[c] = int32(g)
	}
	for _, c := range apart {
		b.built[c] = true
	}
	return true
}

// run builds gates until all are (done) or d goes over its limit.
func (b *treeBuild) run() {
	d, ft := b.d, b.ft
	for ; !b.done && !d.over; b.next++ {
		g := b.next
		if g == len(ft.Gates) {
			top, _ := ft.Top.Gate()
			b.done, b.root = true, b.fn[top]
			break
		}
		if !b.built[g] {
			continue
		}
		gt := &ft.Gates[g]
		r := int32(-1)
		if b.plain[g] {
			r = d.plainGate(gt, b.fn)
			if d.over {
				r = -1
			}
		} else {
			if !b.cut {
				b.formula(g)
			}
			r = b.fb.build(b.cut)
		}
		if r < 0 {
			b.cut = true // go on with this gate after the limit is raised
			return
		}
		b.fn[g], b.cut = r, false
		d.gatesDone = g + 1
	}
}

// goOn raises d's work limit to limit (0: none) after run went over it.
func (b *treeBuild) goOn(limit int) {
	d := b.d
	d.limit = limit
	if d.over && (limit == 0 || d.work <= limit) {
		d.over = false
		// the if-then-else cache may hold results computed over the limit
		for i := range d.cache {
			d.cache[i].f = -1
		}
	}
}

// formula makes gate g's formula in b.fb.
func (b *treeBuild) formula(g int) {
	ft, fb, d := b.ft, b.fb, b.d
	fb.nodes, fb.leaves, fb.event = fb.nodes[:0], fb.leaves[:0], fb.event[:0]
	clear(b.leafOf)
	var conv func(a Arg) int32
	op := func(c int) int32 {
		nd := fnode{op: ft.Gates[c].Op, k: ft.Gates[c].K, leaf: -1}
		for _, x := range ft.Gates[c].Args {
			nd.kids = append(nd.kids, conv(x))
		}
		fb.nodes = append(fb.nodes, nd)
		return int32(len(fb.nodes) - 1)
	}
	conv = func(a Arg) int32 {
		if c, ok := a.Gate(); ok && !b.built[c] && b.owner[c] == int32(g) {
			return op(c)
		}
		l, ok := b.leafOf[a]
		if !ok {
			l = int32(len(fb.leaves))
			b.leafOf[a] = l
			fb.leaves = append(fb.leaves, d.arg(a, b.fn))
			_, isEvent := a.Event()
			fb.event = append(fb.event, isEvent)
		}
		fb.nodes = append(fb.nodes, fnode{leaf: l})
		return int32(len(fb.nodes) - 1)
	}
	op(g)
}

// arg returns the BDD of a constant, an event or a gate built already.
func (d *BDD) arg(a Arg, fn []int32) int32 {
	switch a {
	case True:
		return 1
	case False:
		return 0
	}
	if e, ok := a.Event(); ok {
		return d.Var(e)
	}
	return fn[a]
}

// plainGate builds gate g argument by argument.
func (d *BDD) plainGate(g *Gate, fn []int32) int32 {
	var r int32
	switch g.Op {
	case OpOr:
		for _, a := range g.Args {
			r = d.Or(r, d.arg(a, fn))
		}
	case OpAnd:
		r = 1
		for _, a := range g.Args {
			r = d.And(r, d.arg(a, fn))
		}
	default:
		fs := make([]int32, len(g.Args))
		for j, a := range g.Args {
			fs[j] = d.arg(a, fn)
		}
		r = d.AtLeast(g.K, fs)
	}
	return r
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
