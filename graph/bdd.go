package graph

import "slices"

// BDD is a reduced ordered binary decision diagram manager: hash-consed
// nodes (a unique table, so equal functions are equal node numbers) and a
// direct-mapped computed cache for if-then-else. Node 0 is the constant
// false, node 1 the constant true; variable 0 is at the top. Nodes are
// numbered children first, so a node's children have smaller numbers.
// A BDD is not safe for concurrent use.
type BDD struct {
	nodes  []bddNode
	unique uniqueTable
	cache  []iteEntry
	stop   *stopper // nil: never stops
	// limit, when above 0, bounds work, the calls of mk (nodes looked
	// up or made): past it, over is set and operations return meaningless
	// results quickly.
	limit int
	work  int
	over  bool
	// gatesDone counts the gates FromFaultTree built before going over.
	gatesDone int
}

type bddNode struct{ v, lo, hi int32 } // lo: variable false (up), hi: true (down)

type iteEntry struct{ f, g, h, r int32 }

const bddTerminal = int32(1 << 30) // the "variable" of the constants

// NewBDD returns an empty manager.
func NewBDD() *BDD {
	d := &BDD{cache: make([]iteEntry, 1<<16)}
	d.nodes = append(d.nodes, bddNode{bddTerminal, 0, 0}, bddNode{bddTerminal, 1, 1})
	for i := range d.cache {
		d.cache[i].f = -1
	}
	return d
}

// Size returns the number of nodes made so far, constants included.
func (d *BDD) Size() int { return len(d.nodes) }

// Var returns the function "variable v is true".
func (d *BDD) Var(v int) int32 { return d.mk(int32(v), 0, 1) }

func (d *BDD) mk(v, lo, hi int32) int32 {
	if lo == hi {
		return lo
	}
	d.work++
	if d.limit > 0 && d.work > d.limit {
		d.over = true
	}
	k := bddNode{v, lo, hi}
	if r := d.unique.find(k); r >= 0 {
		return r
	}
	r := int32(len(d.nodes))
	d.nodes = append(d.nodes, k)
	d.unique.add(k, r)
	if len(d.nodes) > 2*len(d.cache) && len(d.cache) < 1<<24 {
		d.cache = make([]iteEntry, 2*len(d.cache))
		for i := range d.cache {
			d.cache[i].f = -1
		}
	}
	return r
}

// ITE returns "if f then g else h". O(|f|·|g|·|h|) at worst.
func (d *BDD) ITE(f, g, h int32) int32 {
	switch {
	case f == 1:
		return g
	case f == 0:
		return h
	case g == h:
		return g
	case g == 1 && h == 0:
		return f
	}
	if d.over || d.stop.stop() {
		return 0
	}
	slot := &d.cache[uint32(f*73856093^g*19349663^h*83492791)&uint32(len(d.cache)-1)]
	if slot.f == f && slot.g == g && slot.h == h {
		return slot.r
	}
	v := min(d.nodes[f].v, d.nodes[g].v, d.nodes[h].v)
	f0, f1 := d.cofactors(f, v)
	g0, g1 := d.cofactors(g, v)
	h0, h1 := d.cofactors(h, v)
	lo := d.ITE(f0, g0, h0)
	hi := d.ITE(f1, g1, h1)
	r := d.mk(v, lo, hi)
	slot = &d.cache[uint32(f*73856093^g*19349663^h*83492791)&uint32(len(d.cache)-1)]
	*slot = iteEntry{f, g, h, r}
	return r
}

func (d *BDD) cofactors(f, v int32) (int32, int32) {
	n := d.nodes[f]
	if n.v != v {
		return f, f
	}
	return n.lo, n.hi
}

// And returns f ∧ g.
func (d *BDD) And(f, g int32) int32 { return d.ITE(f, g, 0) }

// Or returns f ∨ g.
func (d *BDD) Or(f, g int32) int32 { return d.ITE(f, 1, g) }

// AtLeast returns "at least k of fs are true", counting repeats.
// O(len(fs)·k) ITE calls.
func (d *BDD) AtLeast(k int, fs []int32) int32 {
	// row[j] = at least j of fs[i:] are true, built from the last f up.
	row := make([]int32, k+1)
	row[0] = 1
	for j := 1; j <= k; j++ {
		row[j] = 0
	}
	for i := len(fs) - 1; i >= 0; i-- {
		for j := k; j >= 1; j-- {
			row[j] = d.ITE(fs[i], row[j-1], row[j])
		}
	}
	return row[k]
}

// reach returns the nodes below f (f included, constants excluded) in
// increasing order: children before parents. O(|f| + f), f's number
// bounding the numbers below it.
func (d *BDD) reach(f int32) []int32 {
	seen := make([]bool, f+1)
	stack := []int32{f}
	var out []int32
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x < 2 || seen[x] {
			continue
		}
		seen[x] = true
		out = append(out, x)
		stack = append(stack, d.nodes[x].lo, d.nodes[x].hi)
	}
	slices.Sort(out)
	return out
}

// Probability returns the probability that f is true when variable i is
// true with probability p[i], independently. Exact; O(|f|).
func (d *BDD) Probability(f int32, p []float64) float64 {
	prob, _ := d.probabilities(f, p)
	return prob[f]
}

// probabilities returns the probability of each node below f (indexed by
// node number, up to f) and those nodes, children first.
func (d *BDD) probabilities(f int32, p []float64) ([]float64, []int32) {
	nodes := d.reach(f)
	prob := make([]float64, max(f+1, 2))
	prob[1] = 1
	for _, x := range nodes {
		n := d.nodes[x]
		prob[x] = p[n.v]*prob[n.hi] + (1-p[n.v])*prob[n.lo]
	}
	return prob, nodes
}

// Birnbaum returns, for each variable, P(f | v true) − P(f | v false)
// (the derivative of P(f) in p[v]), and P(f). One bottom-up pass for the
// probabilities and one top-down pass for the probability of reaching
// each node: O(|f|).
func (d *BDD) Birnbaum(f int32, p []float64) ([]float64, float64) {
	prob, nodes := d.probabilities(f, p)
	reach := make([]float64, len(prob))
	reach[f] = 1
	b := make([]float64, len(p))
	for i := len(nodes) - 1; i >= 0; i-- {
		x := nodes[i]
		n := d.nodes[x]
		r := reach[x]
		b[n.v] += r * (prob[n.hi] - prob[n.lo])
		reach[n.hi] += r * p[n.v]
		reach[n.lo] += r * (1 - p[n.v])
	}
	return b, prob[f]
}
