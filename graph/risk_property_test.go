package graph

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"testing"

	"github.com/blast-dev/blast/inventory"
	"pgregory.net/rapid"
)

// genSmallInventory draws a valid inventory small enough to enumerate
// every failure set of its components: one or two sites, each with power
// (which may feed other power, loops included) and racks on dual feeds,
// services with weighted active and standby replicas, quorum, failover
// via other services, hard, anyOf, atLeast and soft dependencies on
// services, features and components (cycles included), and features.
func genSmallInventory(t *rapid.T) *inventory.Inventory {
	inv := &inventory.Inventory{APIVersion: inventory.APIVersion, Kind: "Inventory"}
	var comps, power []string
	add := func(c inventory.Component) {
		c.Failed = rapid.IntRange(0, 14).Draw(t, c.ID+" already failed") == 0
		inv.Components = append(inv.Components, c)
		comps = append(comps, c.ID)
	}
	for s := range rapid.IntRange(1, 2).Draw(t, "sites") {
		site := fmt.Sprintf("s%d", s)
		add(inventory.Component{ID: site, Kind: "site"})
		for p := range rapid.IntRange(1, 2).Draw(t, "power") {
			id := fmt.Sprintf("%s-ups%d", site, p)
			add(inventory.Component{ID: id, Kind: "power", Parent: ref(site)})
			power = append(power, id)
		}
		for r := range rapid.IntRange(0, 2).Draw(t, "racks") {
			add(inventory.Component{ID: fmt.Sprintf("%s-r%d", site, r), Kind: "rack", Parent: ref(site)})
		}
	}
	for i := range inv.Components {
		c := &inv.Components[i]
		switch c.Kind {
		case "power":
			if rapid.IntRange(0, 2).Draw(t, "power fed") == 0 {
				c.Power = drawFeeds(t, without(power, c.ID), "power feeds")
			}
		case "rack":
			c.Power = drawFeeds(t, power, "rack feeds")
		}
	}
	nSvc := rapid.IntRange(1, 4).Draw(t, "services")
	var services, features []string
	for i := range nSvc {
		services = append(services, fmt.Sprintf("svc%d", i))
	}
	for i := range rapid.IntRange(1, 2).Draw(t, "features") {
		features = append(features, fmt.Sprintf("feat%d", i))
	}
	pools := [][]string{services, services, features, comps}
	drawDeps := func(self string, min int) []inventory.Dep {
		var deps []inventory.Dep
		for len(deps) < min || rapid.IntRange(0, 2).Draw(t, "more deps") > 0 && len(deps) < 3 {
			d := inventory.Dep{Kind: inventory.DepKind(rapid.IntRange(0, 2).Draw(t, "dep kind")), K: 1}
			size := 1
			if d.Kind != inventory.DepHard {
				size = rapid.IntRange(1, 3).Draw(t, "group size")
			}
			for len(d.Of) < size {
				pool := without(pools[rapid.IntRange(0, len(pools)-1).Draw(t, "pool")], self)
				if len(pool) == 0 {
					pool = comps
				}
				id := rapid.SampledFrom(pool).Draw(t, "member")
				if slices.ContainsFunc(d.Of, func(r inventory.Ref) bool { return r.ID == id }) {
					break
				}
				d.Of = append(d.Of, ref(id))
			}
			if d.Kind == inventory.DepAtLeast {
				d.K = rapid.IntRange(1, len(d.Of)).Draw(t, "atLeast")
			}
			d.Soft = rapid.IntRange(0, 4).Draw(t, "soft") == 0
			deps = append(deps, d)
		}
		return deps
	}
	for _, id := range services {
		s := inventory.Service{ID: id}
		if rapid.IntRange(0, 5).Draw(t, "placed") > 0 {
			active := 0
			for range rapid.IntRange(1, 3).Draw(t, "active placements") {
				p := inventory.Placement{On: ref(rapid.SampledFrom(comps).Draw(t, "on")), Replicas: rapid.IntRange(0, 3).Draw(t, "replicas")}
				active += p.Count()
				s.Placement = append(s.Placement, p)
			}
			for range rapid.IntRange(0, 2).Draw(t, "standby placements") {
				s.Placement = append(s.Placement, inventory.Placement{
					On: ref(rapid.SampledFrom(comps).Draw(t, "on")), Replicas: rapid.IntRange(0, 3).Draw(t, "replicas"), Role: inventory.RoleStandby,
				})
			}
			s.Quorum = drawQuantity(t, active, "quorum")
			if rapid.Bool().Draw(t, "failover") {
				s.Failover = &inventory.Failover{}
				for _, via := range drawSubset(t, without(services, id), 0, 2, "via") {
					s.Failover.Via = append(s.Failover.Via, ref(via))
				}
			}
		}
		minDeps := 0
		if len(s.Placement) == 0 {
			minDeps = 1
		}
		s.DependsOn = drawDeps(id, minDeps)
		inv.Services = append(inv.Services, s)
	}
	for _, id := range features {
		inv.Features = append(inv.Features, inventory.Feature{ID: id, DependsOn: drawDeps(id, 1)})
	}
	if err := inventory.Validate(inv).Err(); err != nil {
		t.Fatalf("generated an invalid inventory: %v", err)
	}
	return inv
}

// bruteForce evaluates every subset of events (bit i: events[i] failed)
// with the evaluator and returns which subsets leave node v down.
func bruteForce(m *Model, v int32, events []int32) []bool {
	e := m.NewEvaluator()
	down := make([]bool, 1<<len(events))
	var failed []int32
	for mask := range down {
		failed = failed[:0]
		for i, x := range events {
			if mask&(1<<i) != 0 {
				failed = append(failed, x)
			}
		}
		e.Run(failed)
		down[mask] = e.State(v) == Down
	}
	return down
}

// drawRiskCase draws a small inventory, a feature, whether services are
// basic events, and the basic events a brute force enumerates: every
// component not already failed (and every service).
func drawRiskCase(t *rapid.T) (*Model, int32, FaultTreeOptions, []int32) {
	inv := genSmallInventory(t)
	m := mustBuild(t, inv)
	feats := m.Nodes(Feature)
	f := rapid.SampledFrom(feats).Draw(t, "feature")
	var events []int32
	for _, c := range m.Nodes(Component) {
		if !m.Component(c).Failed {
			events = append(events, c)
		}
	}
	opt := FaultTreeOptions{}
	if svcs := m.Nodes(Service); len(events)+len(svcs) <= 13 && rapid.Bool().Draw(t, "services") {
		opt.Services = true
		events = append(events, svcs...)
	}
	return m, f, opt, events
}

func maskIDs(m *Model, events []int32, mask int) []string {
	var ids []string
	for i, x := range events {
		if mask&(1<<i) != 0 {
			ids = append(ids, m.ID(x))
		}
	}
	slices.Sort(ids)
	return ids
}

// TestMinimalCutSetsMatchBruteForce checks MinimalCutSets against every
// failure set evaluated by the evaluator: the cut sets must be exactly the
// failure sets that leave the feature down and have no proper subset that
// does, up to the order bound, sorted by order then ids.
func TestMinimalCutSetsMatchBruteForce(t *testing.T) {
	checkRounds(t, func(t *rapid.T) {
		m, f, opt, events := drawRiskCase(t)
		maxOrder := rapid.SampledFrom([]int{-1, 1, 2, 3}).Draw(t, "max order")
		down := bruteForce(m, f, events)
		var want [][]string
		for mask, d := range down {
			if !d || (maxOrder >= 0 && bits.OnesCount(uint(mask)) > maxOrder) {
				continue
			}
			minimal := true
			for i := range events {
				if mask&(1<<i) != 0 && down[mask&^(1<<i)] {
					minimal = false // (coherence: checking one-smaller subsets suffices)
					break
				}
			}
			if minimal {
				want = append(want, maskIDs(m, events, mask))
			}
		}
		slices.SortFunc(want, func(a, b []string) int {
			if len(a) != len(b) {
				return len(a) - len(b)
			}
			return slices.Compare(a, b)
		})
		cs := m.MinimalCutSets(f, opt, maxOrder)
		got := cs.All()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("MinimalCutSets(%q, services=%v, max %d) = %v; want %v", m.ID(f), opt.Services, maxOrder, got, want)
		}
		// Each sorts sets packed in integers when they fit; the same
		// sets in the same order when they never do.
		defer func(b int) { packBits = b }(packBits)
		packBits = 0
		if got := cs.All(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("MinimalCutSets(%q, services=%v, max %d) unpacked = %v; want %v", m.ID(f), opt.Services, maxOrder, got, want)
		}
		var n uint64
		for _, c := range cs.CountsByOrder {
			n += c
		}
		if n != uint64(len(want)) {
			t.Fatalf("CountsByOrder = %v; want %d sets", cs.CountsByOrder, len(want))
		}
	})
}

// TestCoherent checks the premise of the cut set algorithm on the
// evaluator itself: failing more never brings the feature back up.
func TestCoherent(t *testing.T) {
	checkRounds(t, func(t *rapid.T) {
		m, f, _, events := drawRiskCase(t)
		down := bruteForce(m, f, events)
		for mask, d := range down {
			for i := range events {
				if d && !down[mask|1<<i] {
					t.Fatalf("%q down after %v but up after adding %q", m.ID(f), maskIDs(m, events, mask), m.ID(events[i]))
				}
			}
		}
	})
}

func near(a, b float64) bool {
	if math.IsInf(a, 1) || math.IsInf(b, 1) {
		return a == b
	}
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// TestAvailabilityMatchesBruteForce checks the exact probability, the
// rare-event and min-cut upper bound figures and every importance measure
// against their definitions summed over every failure set.
func TestAvailabilityMatchesBruteForce(t *testing.T) {
	checkRounds(t, func(t *rapid.T) {
		m, f, opt, events := drawRiskCase(t)
		prob := make(map[int32]float64)
		for _, x := range events {
			prob[x] = rapid.SampledFrom([]float64{0, 0.5, 1, 0.001, 0.01, 0.1, 0.3}).Draw(t, "p "+m.ID(x))
		}
		down := bruteForce(m, f, events)
		// pDown(fix, val): probability of down with event fix forced to val
		// (fix -1: nothing forced).
		pDown := func(fix int, val bool) float64 {
			total := 0.0
			for mask, d := range down {
				if !d {
					continue
				}
				q := 1.0
				for i, x := range events {
					in := mask&(1<<i) != 0
					switch {
					case i == fix && in == val:
					case i == fix:
						q = 0
					case in:
						q *= prob[x]
					default:
						q *= 1 - prob[x]
					}
				}
				total += q
			}
			return total
		}
		ft := m.FaultTree(f, opt)
		p := make([]float64, len(ft.Events))
		for i, e := range ft.Events {
			p[i] = prob[e.Node]
		}
		maxOrder := rapid.IntRange(0, 3).Draw(t, "max order")
		a := m.Availability(ft, p, maxOrder)
		P := pDown(-1, false)
		if !near(a.Exact, P) {
			t.Fatalf("Availability(%q).Exact = %v; want %v", m.ID(f), a.Exact, P)
		}
		// The cut sets' BDD gives it too, on its own tree's event order.
		cs := m.MinimalCutSets(f, opt, maxOrder)
		csp := make([]float64, len(cs.Tree.Events))
		for i, e := range cs.Tree.Events {
			csp[i] = prob[e.Node]
		}
		if got := cs.Probability(csp); !near(got, P) {
			t.Fatalf("MinimalCutSets(%q).Probability = %v; want %v", m.ID(f), got, P)
		}
		// Approximations from the brute-force minimal cut sets.
		rare, up, sets := 0.0, 1.0, uint64(0)
		for mask, d := range down {
			minimal := d
			for i := range events {
				if minimal && mask&(1<<i) != 0 && down[mask&^(1<<i)] {
					minimal = false
				}
			}
			if !minimal || (maxOrder > 0 && bits.OnesCount(uint(mask)) > maxOrder) {
				continue
			}
			sets++
			q := 1.0
			for i, x := range events {
				if mask&(1<<i) != 0 {
					q *= prob[x]
				}
			}
			rare += q
			up *= 1 - q
		}
		if !near(a.RareEvent, rare) || !near(a.MinCutUpperBound, 1-up) || a.CutSets != sets {
			t.Fatalf("Availability(%q, max order %d) rare event, upper bound, cut sets = %v, %v, %d; want %v, %v, %d",
				m.ID(f), maxOrder, a.RareEvent, a.MinCutUpperBound, a.CutSets, rare, 1-up, sets)
		}
		index := map[int32]int{}
		for i, x := range events {
			index[x] = i
		}
		for _, im := range a.Importance {
			i := index[im.Event.Node]
			p1, p0 := pDown(i, true), pDown(i, false)
			want := Importance{Event: im.Event, P: prob[im.Event.Node], Birnbaum: p1 - p0, RAW: math.Inf(1), RRW: 1}
			if P > 0 {
				want.FV, want.RAW = (P-p0)/P, p1/P
				want.RRW = math.Inf(1)
				if p0 > 0 {
					want.RRW = P / p0
				}
			} else if p1 == 0 {
				want.RAW = 1
			}
			if !near(im.Birnbaum, want.Birnbaum) || !near(im.FV, want.FV) || !near(im.RAW, want.RAW) || !nearRatio(im.RRW, want.RRW) {
				t.Fatalf("importance of %q for %q = %+v; want %+v", im.Event.ID, m.ID(f), im, want)
			}
		}
	})
}

// nearRatio compares ratios whose denominator may be a tiny difference.
func nearRatio(a, b float64) bool {
	if math.IsInf(a, 1) || math.IsInf(b, 1) {
		return a == b || math.Max(a, b) > 1e9
	}
	return math.Abs(a-b) <= 1e-6*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// TestCutSetBoundsMatchListing checks the rare-event and min-cut upper
// bound figures computed on the ZDD (power sums, no listing) against the
// same figures summed over the listed cut sets, to 1e-12 relative: with
// small probabilities, with probabilities close to 1 (a slow series that
// falls back to listing) and with events certain to fail.
func TestCutSetBoundsMatchListing(t *testing.T) {
	checkRounds(t, func(t *rapid.T) {
		m, f, opt, _ := drawRiskCase(t)
		ft := m.FaultTree(f, opt)
		p := make([]float64, len(ft.Events))
		for i := range p {
			p[i] = rapid.SampledFrom([]float64{0, 1e-9, 1e-4, 0.01, 0.2, 0.5, 0.9, 0.999, 0.9999999, 1}).Draw(t, "p")
		}
		d := NewBDD()
		z := NewZDD()
		fam := z.MinCuts(d, d.FromFaultTree(ft), -1)
		rare, upper := z.cutSetBounds(fam, p)
		wantRare, wantUpper := z.cutSetBoundsByListing(fam, p)
		close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b)) }
		if !close(rare, wantRare) || !close(upper, wantUpper) {
			t.Fatalf("cutSetBounds(%s) = %v, %v; listing the sets gives %v, %v", m.ID(f), rare, upper, wantRare, wantUpper)
		}
	})
}

// TestRiskUnderTinyOrderBudget runs the brute-force checks of cut sets
// and availability with orderedBDD's first budget so small that its
// orders overflow it for rounds before one fits: the BDDs it throws away
// must not leak into the result.
func TestRiskUnderTinyOrderBudget(t *testing.T) {
	defer func(b int) { orderBudget = b }(orderBudget)
	orderBudget = 2
	TestMinimalCutSetsMatchBruteForce(t)
	TestAvailabilityMatchesBruteForce(t)
}
