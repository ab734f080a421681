package graph

import (
	"context"
	"math/bits"
	"slices"
	"strings"
)

// ZDD is a zero-suppressed decision diagram manager holding families of
// sets of variables (minimal cut sets). Node 0 is the empty family, node 1
// the family holding only the empty set. A node (v, lo, hi) is the sets of
// lo (without v) and of hi each with v added; hi is never 0.
type ZDD struct {
	nodes  []bddNode
	empty  []bool // per node: the family holds the empty set
	unique uniqueTable
	// minsol and without are direct-mapped computed caches: a lost
	// entry only costs recomputing it. They grow with the node count.
	minsol, without []zddEntry
	stop            *stopper // nil: never stops
	// height[f] of BDD heightOf: the most variables set true on a path
	// from f to a constant, so no minimal solution of f is larger.
	height   []int32
	heightOf *BDD
}

type zddEntry struct{ a, b, r int32 } // a < 0: empty

// NewZDD returns an empty manager.
func NewZDD() *ZDD {
	z := &ZDD{}
	z.nodes = append(z.nodes, bddNode{bddTerminal, 0, 0}, bddNode{bddTerminal, 1, 1})
	z.empty = append(z.empty, false, true)
	z.minsol, z.without = newZDDCache(1<<14), newZDDCache(1<<14)
	return z
}

func newZDDCache(n int) []zddEntry {
	c := make([]zddEntry, n)
	for i := range c {
		c[i].a = -1
	}
	return c
}

func zddSlot(c []zddEntry, a, b int32) *zddEntry {
	return &c[uint32(a*73856093^b*19349663)&uint32(len(c)-1)]
}

func (z *ZDD) mk(v, lo, hi int32) int32 {
	if hi == 0 {
		return lo
	}
	k := bddNode{v, lo, hi}
	if r := z.unique.find(k); r >= 0 {
		return r
	}
	r := int32(len(z.nodes))
	z.nodes = append(z.nodes, k)
	z.empty = append(z.empty, z.empty[lo])
	z.unique.add(k, r)
	if len(z.nodes) > len(z.without) && len(z.without) < 1<<22 {
		z.minsol, z.without = newZDDCache(2*len(z.minsol)), newZDDCache(2*len(z.without))
	}
	return r
}

// MinCuts returns the minimal solutions of the monotone function f of d
// with at most maxOrder elements (maxOrder < 0: all), as a ZDD family:
// Rauzy's algorithm, minsol(ite(x, f1, f0)) = x·(minsol(f1) without
// minsol(f0)) ∪ minsol(f0), with the order bound carried down the
// recursion so that larger sets are never built. f must be monotone (every
// fault tree here is coherent).
//
// The bound is cut to the height of each node (the most variables true on
// a path below it), so that the cache is keyed by what can matter: without
// it an unbounded search met the same node with as many bounds as there
// are paths' depths to it, and a 532-event Aralia tree took minutes.
func (z *ZDD) MinCuts(d *BDD, f int32, maxOrder int) int32 {
	if maxOrder < 0 {
		maxOrder = 1 << 30
	}
	z.heights(d)
	return z.minCuts(d, f, int32(maxOrder))
}

// heights extends z.height to every node of d; nodes are numbered
// children first, so one pass in order does it. O(new nodes).
func (z *ZDD) heights(d *BDD) {
	if z.heightOf != d {
		z.height, z.heightOf = z.height[:0], d
	}
	for i := len(z.height); i < len(d.nodes); i++ {
		h := int32(0)
		if i >= 2 {
			n := d.nodes[i]
			h = max(z.height[n.lo], z.height[n.hi]+1)
		}
		z.height = append(z.height, h)
	}
}

func (z *ZDD) minCuts(d *BDD, f, k int32) int32 {
	switch {
	case f < 2:
		return f
	case k == 0:
		return 0 // f is not constant true, so the empty set is no solution
	}
	k = min(k, z.height[f])
	if e := zddSlot(z.minsol, f, k); e.a == f && e.b == k {
		return e.r
	}
	if z.stop.stop() {
		return 0
	}
	n := d.nodes[f]
	lo := z.minCuts(d, n.lo, k)
	hi := z.subtract(z.minCuts(d, n.hi, k-1), lo)
	r := z.mk(n.v, lo, hi)
	*zddSlot(z.minsol, f, k) = zddEntry{f, k, r}
	return r
}

// subtract returns the sets of f that contain no set of g.
func (z *ZDD) subtract(f, g int32) int32 {
	switch {
	case f == 0 || g == 1 || f == g:
		return 0
	case g == 0:
		return f
	case f == 1:
		if z.hasEmpty(g) {
			return 0
		}
		return 1
	}
	if e := zddSlot(z.without, f, g); e.a == f && e.b == g {
		return e.r
	}
	if z.stop.stop() {
		return 0
	}
	nf, ng := z.nodes[f], z.nodes[g]
	var r int32
	switch {
	case nf.v < ng.v:
		r = z.mk(nf.v, z.subtract(nf.lo, g), z.subtract(nf.hi, g))
	case nf.v > ng.v:
		r = z.subtract(f, ng.lo)
	default:
		r = z.mk(nf.v, z.subtract(nf.lo, ng.lo), z.subtract(z.subtract(nf.hi, ng.lo), ng.hi))
	}
	*zddSlot(z.without, f, g) = zddEntry{f, g, r}
	return r
}

// hasEmpty reports whether family f holds the empty set: whether its lo
// chain ends at 1, recorded for each node when it is made.
func (z *ZDD) hasEmpty(f int32) bool { return z.empty[f] }

// CountByOrder returns how many sets of family f have each size:
// counts[k] sets of k elements. O(|f|·maxsize).
func (z *ZDD) CountByOrder(f int32) []uint64 {
	memo := map[int32][]uint64{}
	var count func(x int32) []uint64
	count = func(x int32) []uint64 {
		switch x {
		case 0:
			return nil
		case 1:
			return []uint64{1}
		}
		if c, ok := memo[x]; ok {
			return c
		}
		n := z.nodes[x]
		lo, hi := count(n.lo), count(n.hi)
		c := make([]uint64, max(len(lo), len(hi)+1))
		copy(c, lo)
		for i, h := range hi {
			c[i+1] += h
		}
		memo[x] = c
		return c
	}
	return count(f)
}

// Order calls fn with every set of family f that has exactly k elements,
// as variables in increasing order; the slice is reused between calls.
// It visits only nodes that lead to such sets: O(|f| + output).
func (z *ZDD) Order(f int32, k int, fn func(set []int32)) {
	// can(x, j): family x has a set of j elements. For sets of fewer
	// than 64 elements a bit mask of the sizes per node answers it.
	var can func(x int32, j int) bool
	if masks, ok := z.sizeMasks(f); ok {
		can = func(x int32, j int) bool { return j >= 0 && j < 64 && masks[x]>>j&1 == 1 }
	} else {
		memo := map[[2]int32]bool{}
		can = func(x int32, j int) bool {
			switch {
			case x == 0 || j < 0:
				return false
			case x == 1:
				return j == 0
			}
			key := [2]int32{x, int32(j)}
			if r, ok := memo[key]; ok {
				return r
			}
			n := z.nodes[x]
			r := can(n.lo, j) || can(n.hi, j-1)
			memo[key] = r
			return r
		}
	}
	set := make([]int32, 0, k)
	var walk func(x int32, j int)
	walk = func(x int32, j int) {
		if !can(x, j) || z.stop.stop() {
			return
		}
		if x == 1 {
			fn(set)
			return
		}
		n := z.nodes[x]
		set = append(set, n.v)
		walk(n.hi, j-1)
		set = set[:len(set)-1]
		walk(n.lo, j)
	}
	walk(f, k)
}

// sizeMasks returns, for every node below f, the bit mask of the sizes of
// its sets (bit j: a set of j elements), and false when some set has 64
// elements or more. O(|f|).
func (z *ZDD) sizeMasks(f int32) ([]uint64, bool) {
	masks := make([]uint64, max(f+1, 2))
	done := make([]bool, len(masks))
	masks[1], done[0], done[1] = 1, true, true
	ok := true
	var walk func(x int32) uint64
	walk = func(x int32) uint64 {
		if done[x] {
			return masks[x]
		}
		n := z.nodes[x]
		hi := walk(n.hi)
		if hi>>63 != 0 {
			ok = false
		}
		masks[x], done[x] = walk(n.lo)|hi<<1, true
		return masks[x]
	}
	walk(f)
	return masks, ok
}

// CutSets is a feature's minimal cut sets: the smallest sets of basic
// events whose joint failure brings it down.
type CutSets struct {
	Tree   *FaultTree
	Family int32 // in Z
	Z      *ZDD
	BDD    *BDD
	Root   int32 // the top event in BDD
	// CountsByOrder[k] is the number of minimal cut sets of k events.
	CountsByOrder []uint64
	rank          []int32 // see Each
}

// MinimalCutSets computes the minimal cut sets of feature v of at most
// maxOrder events (maxOrder < 0: no bound): the fault tree, its BDD, then
// Rauzy's minimal solutions, pruned at maxOrder while they are built.
func (m *Model) MinimalCutSets(v int32, opt FaultTreeOptions, maxOrder int) *CutSets {
	cs, _ := m.MinimalCutSetsContext(context.Background(), v, opt, maxOrder)
	return cs
}

// MinimalCutSetsContext is MinimalCutSets that stops, returning nil and
// ctx's error, when ctx is done; ctx is checked every 4096 BDD and ZDD
// operations. Listing the sets afterwards does not look at ctx.
func (m *Model) MinimalCutSetsContext(ctx context.Context, v int32, opt FaultTreeOptions, maxOrder int) (*CutSets, error) {
	s := newStopper(ctx)
	d, root, ft, _ := orderedBDD(m.FaultTree(v, opt), s)
	z := NewZDD()
	z.stop = s
	fam := z.MinCuts(d, root, maxOrder)
	if s.err != nil {
		return nil, s.err
	}
	d.stop, z.stop = nil, nil
	return &CutSets{Tree: ft, Family: fam, Z: z, BDD: d, Root: root, CountsByOrder: z.CountByOrder(fam)}, nil
}

// Probability returns the exact probability that the top event occurs,
// from the BDD the cut sets were found on; p[i] is the probability of
// c.Tree.Events[i] (EventProbabilities of c.Tree). O(|BDD|).
func (c *CutSets) Probability(p []float64) float64 { return c.BDD.Probability(c.Root, p) }

// Each calls fn with the cut sets of k events as sorted ids, the sets in
// increasing order of their ids: a set is sorted and compared element by
// element; the slice is reused between calls. The sets of one order are
// held in memory to sort them, as event numbers ranked by id.
func (c *CutSets) Each(k int, fn func(ids []string)) {
	if c.rank == nil {
		// rank[e] is event e's place in id order, so that sets sort
		// as integers.
		order := make([]int32, len(c.Tree.Events))
		for i := range order {
			order[i] = int32(i)
		}
		slices.SortFunc(order, func(a, b int32) int { return strings.Compare(c.Tree.Events[a].ID, c.Tree.Events[b].ID) })
		c.rank = make([]int32, len(order))
		for r, e := range order {
			c.rank[e] = int32(r)
		}
	}
	var flat []int32 // the sets of k ranks, one after another
	c.Z.Order(c.Family, k, func(set []int32) {
		start := len(flat)
		for _, e := range set {
			flat = append(flat, c.rank[e])
		}
		slices.Sort(flat[start:])
	})
	n := 0
	if k > 0 {
		n = len(flat) / k
	} else if c.CountsByOrder[0] > 0 {
		n = 1
	}
	byRank := make([]string, len(c.rank))
	for e, r := range c.rank {
		byRank[r] = c.Tree.Events[e].ID
	}
	ids := make([]string, k)
	// Sets that fit in 64 bits, ranks first to last from the high bits
	// down, sort as integers in the order slices.Compare gives them:
	// several times faster than comparing slices.
	if w := bits.Len(uint(len(c.rank))); k > 0 && k*w <= packBits {
		keys := make([]uint64, n)
		for i := range keys {
			var x uint64
			for _, r := range flat[i*k : (i+1)*k] {
				x = x<<w | uint64(r)
			}
			keys[i] = x
		}
		slices.Sort(keys)
		mask := uint64(1)<<w - 1
		for _, x := range keys {
			for i := k - 1; i >= 0; i-- {
				ids[i] = byRank[x&mask]
				x >>= w
			}
			fn(ids)
		}
		return
	}
	sets := make([][]int32, n)
	for i := range sets {
		sets[i] = flat[i*k : (i+1)*k]
	}
	slices.SortFunc(sets, slices.Compare)
	for _, s := range sets {
		for i, r := range s {
			ids[i] = byRank[r]
		}
		fn(ids)
	}
}

// packBits is the most bits a set packed for Each's sort may take (a
// variable for the tests).
var packBits = 64

// All returns every cut set, by order then ids.
func (c *CutSets) All() [][]string {
	var out [][]string
	for k := range c.CountsByOrder {
		c.Each(k, func(ids []string) { out = append(out, slices.Clone(ids)) })
	}
	return out
}
