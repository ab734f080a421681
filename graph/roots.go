package graph

import (
	"cmp"
	"slices"
)

// RootCause is a service that a failure took out directly: it is in the
// failure set, or every cause of its state is a failed physical component
// (no other service explains it). Most of what else fails, fails through
// such services.
type RootCause struct {
	Node int32
	// Features are the features not up that have Node among their
	// transitive causes, in id order.
	Features []int32
	// UsersDown and UsersDegraded sum the users of those features.
	UsersDown, UsersDegraded int64
	// Blocked are the services whose failover Node blocked, in id order.
	Blocked []int32
}

// RootCauses returns the root-cause services of r, ranked by users down,
// then users degraded, then features reached, then id. O(R·(V+E)) for R
// root services.
func (r *Result) RootCauses() []RootCause {
	m := r.m
	r.whyOnce.Do(r.computeWhy)
	rev := map[int32][]int32{}
	var roots []int32
	for _, v := range r.affected {
		for _, c := range r.causesOf(v) {
			rev[c] = append(rev[c], v)
		}
		if m.kinds[v] != Service {
			continue
		}
		direct := r.failed[v]
		if !direct {
			direct = true
			for _, c := range r.causesOf(v) {
				if m.kinds[c] != Component {
					direct = false
					break
				}
			}
		}
		if direct {
			roots = append(roots, v)
		}
	}
	out := make([]RootCause, 0, len(roots))
	seen := make([]bool, m.Len())
	for _, root := range roots {
		rc := RootCause{Node: root}
		stack := []int32{root}
		seen[root] = true
		var visited []int32
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			visited = append(visited, x)
			for _, y := range rev[x] {
				if !seen[y] {
					seen[y] = true
					stack = append(stack, y)
				}
			}
		}
		for _, x := range visited {
			seen[x] = false
			if m.kinds[x] == Feature {
				rc.Features = append(rc.Features, x)
				if r.state[x] == Down {
					rc.UsersDown += m.Feature(x).Users
				} else {
					rc.UsersDegraded += m.Feature(x).Users
				}
			}
		}
		for _, y := range rev[root] {
			if m.kinds[y] == Service && r.failoverOf(y) == FailoverBlocked && slices.Contains(r.BlockedBy(y), root) {
				rc.Blocked = append(rc.Blocked, y)
			}
		}
		slices.Sort(rc.Features)
		slices.Sort(rc.Blocked)
		out = append(out, rc)
	}
	slices.SortFunc(out, func(a, b RootCause) int {
		return cmp.Or(
			cmp.Compare(b.UsersDown, a.UsersDown),
			cmp.Compare(b.UsersDegraded, a.UsersDegraded),
			cmp.Compare(len(b.Features), len(a.Features)),
			cmp.Compare(a.Node, b.Node),
		)
	})
	return out
}

// PathTo returns a shortest chain of causes from node from to node to
// (both included), or nil when to is not among from's transitive causes.
// Ties go to smaller ids. O(V+E).
func (r *Result) PathTo(from, to int32) []int32 {
	r.whyOnce.Do(r.computeWhy)
	prev := map[int32]int32{from: -1}
	frontier := []int32{from}
	for len(frontier) > 0 && !hasKey(prev, to) {
		var next []int32
		for _, x := range frontier {
			for _, c := range r.causesOf(x) {
				if !hasKey(prev, c) {
					prev[c] = x
					next = append(next, c)
				}
			}
		}
		slices.Sort(next)
		frontier = next
	}
	if !hasKey(prev, to) {
		return nil
	}
	var path []int32
	for x := to; x >= 0; x = prev[x] {
		path = append(path, x)
	}
	slices.Reverse(path)
	return path
}

func hasKey(m map[int32]int32, k int32) bool {
	_, ok := m[k]
	return ok
}

func (r *Result) failoverOf(v int32) Failover {
	_, fo := r.Replicas(v)
	return fo
}
