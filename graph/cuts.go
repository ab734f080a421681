package graph

import "slices"

// ZDD is a zero-suppressed decision diagram manager holding families of
// sets of variables (minimal cut sets). Node 0 is the empty family, node 1
// the family holding only the empty set. A node (v, lo, hi) is the sets of
// lo (without v) and of hi each with v added; hi is never 0.
type ZDD struct {
	nodes       []bddNode
	unique      map[bddNode]int32
	minsol      map[[2]int32]int32
	withoutMemo map[[2]int32]int32
}

// NewZDD returns an empty manager.
func NewZDD() *ZDD {
	z := &ZDD{unique: map[bddNode]int32{}, minsol: map[[2]int32]int32{}, withoutMemo: map[[2]int32]int32{}}
	z.nodes = append(z.nodes, bddNode{bddTerminal, 0, 0}, bddNode{bddTerminal, 1, 1})
	return z
}

func (z *ZDD) mk(v, lo, hi int32) int32 {
	if hi == 0 {
		return lo
	}
	k := bddNode{v, lo, hi}
	if r, ok := z.unique[k]; ok {
		return r
	}
	r := int32(len(z.nodes))
	z.nodes = append(z.nodes, k)
	z.unique[k] = r
	return r
}

// MinCuts returns the minimal solutions of the monotone function f of d
// with at most maxOrder elements (maxOrder < 0: all), as a ZDD family:
// Rauzy's algorithm, minsol(ite(x, f1, f0)) = x·(minsol(f1) without
// minsol(f0)) ∪ minsol(f0), with the order bound carried down the
// recursion so that larger sets are never built. f must be monotone (every
// fault tree here is coherent).
func (z *ZDD) MinCuts(d *BDD, f int32, maxOrder int) int32 {
	if maxOrder < 0 {
		maxOrder = 1 << 30
	}
	return z.minCuts(d, f, int32(maxOrder))
}

func (z *ZDD) minCuts(d *BDD, f, k int32) int32 {
	switch {
	case f < 2:
		return f
	case k == 0:
		return 0 // f is not constant true, so the empty set is no solution
	}
	key := [2]int32{f, k}
	if r, ok := z.minsol[key]; ok {
		return r
	}
	n := d.nodes[f]
	lo := z.minCuts(d, n.lo, k)
	hi := z.without(z.minCuts(d, n.hi, k-1), lo)
	r := z.mk(n.v, lo, hi)
	z.minsol[key] = r
	return r
}

// without returns the sets of f that contain no set of g.
func (z *ZDD) without(f, g int32) int32 {
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
	key := [2]int32{f, g}
	if r, ok := z.withoutMemo[key]; ok {
		return r
	}
	nf, ng := z.nodes[f], z.nodes[g]
	var r int32
	switch {
	case nf.v < ng.v:
		r = z.mk(nf.v, z.without(nf.lo, g), z.without(nf.hi, g))
	case nf.v > ng.v:
		r = z.without(f, ng.lo)
	default:
		r = z.mk(nf.v, z.without(nf.lo, ng.lo), z.without(z.without(nf.hi, ng.lo), ng.hi))
	}
	z.withoutMemo[key] = r
	return r
}

func (z *ZDD) hasEmpty(f int32) bool {
	for f > 1 {
		f = z.nodes[f].lo
	}
	return f == 1
}

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
	memo := map[[2]int32]bool{}
	var can func(x int32, j int) bool
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
	set := make([]int32, 0, k)
	var walk func(x int32, j int)
	walk = func(x int32, j int) {
		if !can(x, j) {
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
}

// MinimalCutSets computes the minimal cut sets of feature v of at most
// maxOrder events (maxOrder < 0: no bound): the fault tree, its BDD, then
// Rauzy's minimal solutions, pruned at maxOrder while they are built.
func (m *Model) MinimalCutSets(v int32, opt FaultTreeOptions, maxOrder int) *CutSets {
	ft := m.FaultTree(v, opt)
	d := NewBDD()
	root := d.FromFaultTree(ft)
	z := NewZDD()
	fam := z.MinCuts(d, root, maxOrder)
	return &CutSets{Tree: ft, Family: fam, Z: z, BDD: d, Root: root, CountsByOrder: z.CountByOrder(fam)}
}

// Each calls fn with the cut sets of k events as sorted ids, the sets in
// increasing order of their ids: a set is sorted and compared element by
// element. The sets of one order are held in memory to sort them.
func (c *CutSets) Each(k int, fn func(ids []string)) {
	var sets [][]string
	c.Z.Order(c.Family, k, func(set []int32) {
		ids := make([]string, len(set))
		for i, e := range set {
			ids[i] = c.Tree.Events[e].ID
		}
		slices.Sort(ids)
		sets = append(sets, ids)
	})
	slices.SortFunc(sets, func(a, b []string) int { return slices.Compare(a, b) })
	for _, s := range sets {
		fn(s)
	}
}

// All returns every cut set, by order then ids.
func (c *CutSets) All() [][]string {
	var out [][]string
	for k := range c.CountsByOrder {
		c.Each(k, func(ids []string) { out = append(out, ids) })
	}
	return out
}
