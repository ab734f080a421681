package graph

import "math/bits"

// uniqueTable finds the node (v, lo, hi) among a decision diagram's nodes:
// open addressing, probing linearly, half full at most. Each slot holds
// the node's key beside its number, so that a probe reads one slot and
// not also the node array: on diagrams of millions of nodes both are far
// apart in memory, and the second read doubled the cost of a look-up.
type uniqueTable struct {
	slots []uniqueSlot
	n     int
	shift uint // 64 − log2(len(slots))
}

type uniqueSlot struct {
	k bddNode
	r int32 // node number; 0 (a constant, never stored): empty
}

// hash mixes the node into the top bits of a 64-bit product (Fibonacci
// hashing), which spread consecutive node numbers over the whole table.
func (t *uniqueTable) hash(k bddNode) uint32 {
	x := uint64(uint32(k.lo))<<32 | uint64(uint32(k.hi))
	x ^= uint64(uint32(k.v)) * 0xC2B2AE3D27D4EB4F
	return uint32((x * 0x9E3779B97F4A7C15) >> t.shift)
}

// find returns the number of the node equal to k, or -1.
func (t *uniqueTable) find(k bddNode) int32 {
	if len(t.slots) == 0 {
		return -1
	}
	mask := uint32(len(t.slots) - 1)
	for i := t.hash(k) & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.r == 0 {
			return -1
		}
		if s.k == k {
			return s.r
		}
	}
}

// add records node r, whose key k find did not find.
func (t *uniqueTable) add(k bddNode, r int32) {
	if 2*(t.n+1) > len(t.slots) {
		t.grow(max(1024, 2*len(t.slots)))
	}
	t.put(k, r)
	t.n++
}

// grow makes room for size/2 nodes without growing again: the table is
// rebuilt with size slots (a power of two).
func (t *uniqueTable) grow(size int) {
	if size <= len(t.slots) {
		return
	}
	old := t.slots
	t.slots = make([]uniqueSlot, size)
	t.shift = uint(64 - bits.TrailingZeros(uint(len(t.slots))))
	for _, s := range old {
		if s.r != 0 {
			t.put(s.k, s.r)
		}
	}
}

func (t *uniqueTable) put(k bddNode, r int32) {
	mask := uint32(len(t.slots) - 1)
	i := t.hash(k) & mask
	for t.slots[i].r != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = uniqueSlot{k, r}
}
