package graph

import "math/bits"

// uniqueTable finds the node (v, lo, hi) among a decision diagram's nodes:
// open addressing over node numbers, probing linearly, half full at most.
// It replaces a Go map keyed by the node, whose hashing and probing were
// most of the time spent building diagrams.
type uniqueTable struct {
	slots []int32 // node number + 1; 0: empty
	n     int
	shift uint // 64 − log2(len(slots))
}

// hash mixes the node into the top bits of a 64-bit product (Fibonacci
// hashing), which spread consecutive node numbers over the whole table.
func (t *uniqueTable) hash(k bddNode) uint32 {
	x := uint64(uint32(k.lo))<<32 | uint64(uint32(k.hi))
	x ^= uint64(uint32(k.v)) * 0xC2B2AE3D27D4EB4F
	return uint32((x * 0x9E3779B97F4A7C15) >> t.shift)
}

// find returns the number of the node equal to k, or -1.
func (t *uniqueTable) find(nodes []bddNode, k bddNode) int32 {
	if len(t.slots) == 0 {
		return -1
	}
	mask := uint32(len(t.slots) - 1)
	for i := t.hash(k) & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return -1
		}
		if nodes[s-1] == k {
			return s - 1
		}
	}
}

// add records node r, nodes[r], which find did not find.
func (t *uniqueTable) add(nodes []bddNode, r int32) {
	if 2*(t.n+1) > len(t.slots) {
		old := t.slots
		t.slots = make([]int32, max(1024, 2*len(old)))
		t.shift = uint(64 - bits.TrailingZeros(uint(len(t.slots))))
		for _, s := range old {
			if s != 0 {
				t.put(nodes, s-1)
			}
		}
	}
	t.put(nodes, r)
	t.n++
}

func (t *uniqueTable) put(nodes []bddNode, r int32) {
	mask := uint32(len(t.slots) - 1)
	i := t.hash(nodes[r]) & mask
	for t.slots[i] != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = r + 1
}
