package graph

import (
	"math"

	"github.com/blast-dev/blast/inventory"
)

// naiveResult is what the naive evaluator computes, keyed by inventory id.
type naiveResult struct {
	state    map[string]State
	counted  map[string]int      // services with placements only
	failover map[string]Failover // services with placements only
}

// naiveSimulate evaluates the failure of the given ids straight from the
// rules of MODEL.md, with maps and string ids and none of the Model's
// machinery: every node starts up (failed ones down), then every
// component, service and feature is re-derived from the current states,
// keeping the worse of its old and new state, until a whole sweep changes
// nothing. That is the greatest fixpoint. It is slow (O(V·(V+E))) and
// meant to be obviously right.
func naiveSimulate(inv *inventory.Inventory, failed []string) naiveResult {
	isFailed := map[string]bool{}
	for _, id := range failed {
		isFailed[id] = true
	}
	for _, c := range inv.Components {
		if c.Failed { // marked failed in the inventory: part of every failure set
			isFailed[c.ID] = true
		}
	}
	st := map[string]State{}
	for _, c := range inv.Components {
		st[c.ID] = Up
	}
	for _, s := range inv.Services {
		st[s.ID] = Up
	}
	for _, f := range inv.Features {
		st[f.ID] = Up
	}
	for id := range isFailed {
		st[id] = Down
	}

	worsen := func(id string, s State) bool {
		if s > st[id] {
			st[id] = s
			return true
		}
		return false
	}
	for changed := true; changed; {
		changed = false
		for _, c := range inv.Components {
			if worsen(c.ID, naiveComponent(st, isFailed, c)) {
				changed = true
			}
		}
		for _, s := range inv.Services {
			if worsen(s.ID, naiveService(st, isFailed, s)) {
				changed = true
			}
		}
		for _, f := range inv.Features {
			if worsen(f.ID, naiveFeature(st, isFailed, f)) {
				changed = true
			}
		}
	}

	r := naiveResult{state: st, counted: map[string]int{}, failover: map[string]Failover{}}
	for _, s := range inv.Services {
		if len(s.Placement) > 0 {
			_, r.counted[s.ID], r.failover[s.ID] = naiveReplicas(st, s)
		}
	}
	return r
}

// naiveComponent: a component is down when it failed, its parent is down,
// or fewer than need of its power feeds (or network uplinks) are up.
func naiveComponent(st map[string]State, failed map[string]bool, c inventory.Component) State {
	if failed[c.ID] {
		return Down
	}
	if c.Parent.ID != "" && st[c.Parent.ID] == Down {
		return Down
	}
	for _, feeds := range []*inventory.Feeds{c.Power, c.Network} {
		if feeds == nil {
			continue
		}
		need := 1
		if feeds.Need > 0 {
			need = feeds.Need
		}
		up := 0
		for _, f := range feeds.Feeds {
			if st[f.ID] == Up {
				up++
			}
		}
		if up < need {
			return Down
		}
	}
	return Up
}

// naiveService applies the replica rules (when the service has placements)
// and its dependencies.
func naiveService(st map[string]State, failed map[string]bool, s inventory.Service) State {
	if failed[s.ID] {
		return Down
	}
	worst := naiveDeps(st, s.DependsOn)
	if len(s.Placement) > 0 {
		if r, _, _ := naiveReplicas(st, s); r > worst {
			worst = r
		}
	}
	return worst
}

// naiveReplicas applies quorum, failover and capacity to service s: the
// state they impose, the replicas counted and the failover outcome.
func naiveReplicas(st map[string]State, s inventory.Service) (State, int, Failover) {
	activePlaced, activeRunning, standbyRunning := 0, 0, 0
	for _, p := range s.Placement {
		n := 1
		if p.Replicas > 0 {
			n = p.Replicas
		}
		running := 0
		if st[p.On.ID] == Up {
			running = n
		}
		if p.Role == inventory.RoleStandby {
			standbyRunning += running
		} else {
			activePlaced += n
			activeRunning += running
		}
	}
	// majority and percentages are of the active replicas placed.
	quorum := naiveQuantity(s.Quorum, activePlaced, 1)
	counted, fo := activeRunning, FailoverNone
	if activeRunning < quorum && standbyRunning > 0 {
		viaUp := true // no via: the failover needs nothing
		if s.Failover != nil {
			for _, v := range s.Failover.Via {
				if st[v.ID] == Down {
					viaUp = false
				}
			}
		}
		if viaUp {
			counted += standbyRunning
			fo = FailoverDone
		} else {
			fo = FailoverBlocked
		}
	}
	switch {
	case counted < quorum:
		return Down, counted, fo
	case fo == FailoverDone:
		return Degraded, counted, fo
	case s.Capacity != nil && counted < naiveQuantity(s.Capacity, activePlaced, 0):
		return Degraded, counted, fo
	}
	return Up, counted, fo
}

// naiveQuantity is the number of replicas quorum or capacity q asks for,
// out of total active replicas placed, or def when q is not given: a
// count as written; majority, more than half; a percentage, the fewest
// replicas that make up at least that share. It counts, rather than
// multiplies and rounds: n is the smallest with n/total >= pct/100, in
// whole numbers of tenths of a percent (the generator draws percentages
// with at most one decimal).
func naiveQuantity(q *inventory.Quantity, total, def int) int {
	if q == nil {
		return def
	}
	switch q.Kind {
	case inventory.QuantityMajority:
		n := 0
		for 2*n <= total {
			n++
		}
		return n
	case inventory.QuantityPercent:
		tenths := int(math.Round(q.Value * 10))
		n := 0
		for n*1000 < tenths*total {
			n++
		}
		return n
	}
	return int(q.Value)
}

// naiveFeature: a feature is only its dependencies.
func naiveFeature(st map[string]State, failed map[string]bool, f inventory.Feature) State {
	if failed[f.ID] {
		return Down
	}
	return naiveDeps(st, f.DependsOn)
}

// naiveDeps is the worst state any dependency entry imposes.
func naiveDeps(st map[string]State, deps []inventory.Dep) State {
	worst := Up
	for _, d := range deps {
		if s := naiveDep(st, d); s > worst {
			worst = s
		}
	}
	return worst
}

// naiveDep is the state one dependency entry imposes: a hard entry passes
// its member's state through; anyOf is atLeast 1; atLeast k is down when
// fewer than k members are not down and degraded when fewer than k are up;
// a soft entry imposes at most degraded.
func naiveDep(st map[string]State, d inventory.Dep) State {
	var s State
	switch d.Kind {
	case inventory.DepHard:
		s = st[d.Of[0].ID]
	default:
		k := 1
		if d.Kind == inventory.DepAtLeast {
			k = d.K
		}
		notDown, up := 0, 0
		for _, x := range d.Of {
			if st[x.ID] != Down {
				notDown++
			}
			if st[x.ID] == Up {
				up++
			}
		}
		switch {
		case notDown < k:
			s = Down
		case up < k:
			s = Degraded
		default:
			s = Up
		}
	}
	if d.Soft && s == Down {
		s = Degraded
	}
	return s
}
