package graph

import "slices"

// eachInput calls fn for every node v needs: the members of its
// requirement groups, the components its replicas run on and its failover
// control plane. A node may be reported more than once.
func (m *Model) eachInput(v int32, fn func(x int32)) {
	for g := m.ngStart[v]; g < m.ngStart[v+1]; g++ {
		for _, x := range m.gmList[m.gmStart[g]:m.gmStart[g+1]] {
			fn(x)
		}
	}
	for p := m.npStart[v]; p < m.npStart[v+1]; p++ {
		fn(m.plComp[p])
	}
	for _, x := range m.viaList[m.viaStart[v]:m.viaStart[v+1]] {
		fn(x)
	}
}

// SCCs returns the strongly connected components of the "needs" graph
// (the edges of Graph), each sorted by id, in dependency order: every
// component comes after the components it needs. O(V+E), no recursion,
// no maps.
func (m *Model) SCCs() [][]int32 {
	sccs, _ := tarjan(m.inputs())
	return sccs
}

// inputs returns the "needs" graph as adjacency arrays: the inputs of v
// (eachInput's, in its order) are adj[start[v]:start[v+1]]. A node's
// groups, and their members, are contiguous, so each node's inputs are
// three copies.
func (m *Model) inputs() (start, adj []int32) {
	n := int32(len(m.ids))
	start = make([]int32, n+1)
	for v := int32(0); v < n; v++ {
		members := m.gmStart[m.ngStart[v+1]] - m.gmStart[m.ngStart[v]]
		start[v+1] = start[v] + members + (m.npStart[v+1] - m.npStart[v]) + (m.viaStart[v+1] - m.viaStart[v])
	}
	adj = make([]int32, start[n])
	for v := int32(0); v < n; v++ {
		i := start[v]
		i += int32(copy(adj[i:], m.gmList[m.gmStart[m.ngStart[v]]:m.gmStart[m.ngStart[v+1]]]))
		i += int32(copy(adj[i:], m.plComp[m.npStart[v]:m.npStart[v+1]]))
		copy(adj[i:], m.viaList[m.viaStart[v]:m.viaStart[v+1]])
	}
	return start, adj
}

// tarjan returns the strongly connected components of the graph on nodes
// 0..len(start)-2 whose edges from v are adj[start[v]:start[v+1]], each
// sorted, in reverse topological order (a component after those it has
// edges to), and each node's component. Iterative Tarjan: O(V+E); the
// components are cut from one array.
func tarjan(start, adj []int32) (sccs [][]int32, sccOf []int32) {
	n := int32(len(start) - 1)
	index := make([]int32, n) // 0 = unvisited; else 1-based DFS index
	low := make([]int32, n)
	onStack := make([]bool, n)
	members := make([]int32, 0, n)
	sccOf = make([]int32, n)
	var bounds []int32
	var stack []int32
	next := int32(1)
	type frame struct{ v, edge int32 }
	var call []frame
	for root := int32(0); root < n; root++ {
		if index[root] != 0 {
			continue
		}
		call = append(call, frame{root, start[root]})
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			v := f.v
			if f.edge < start[v+1] {
				w := adj[f.edge]
				f.edge++
				if index[w] == 0 {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{w, start[w]})
				} else if onStack[w] && index[w] < low[v] {
					low[v] = index[w]
				}
				continue
			}
			call = call[:len(call)-1]
			if len(call) > 0 {
				u := call[len(call)-1].v
				low[u] = min(low[u], low[v])
			}
			if low[v] == index[v] {
				// the component is the stack down to v
				top := len(stack) - 1
				for stack[top] != v {
					top--
				}
				c := int32(len(bounds))
				for _, w := range stack[top:] {
					onStack[w] = false
					sccOf[w] = c
				}
				from := len(members)
				members = append(members, stack[top:]...)
				slices.Sort(members[from:])
				stack = stack[:top]
				bounds = append(bounds, int32(from))
			}
		}
	}
	sccs = make([][]int32, len(bounds))
	for c, from := range bounds {
		to := int32(len(members))
		if c+1 < len(bounds) {
			to = bounds[c+1]
		}
		sccs[c] = members[from:to:to]
	}
	return sccs, sccOf
}
