package graph

import (
	"fmt"
	"slices"
	"testing"

	"github.com/blast-dev/blast/inventory"
	"pgregory.net/rapid"
)

// Each rapid check draws one inventory and then this many failure sets, and
// checkRounds runs rapid's 100 checks (or -rapid.checks) several times, so
// that a plain go test exercises tens of thousands of evaluations.
// TestSimulateMatchesNaive, the check of the evaluator against the rules,
// runs naiveRounds: 2,000 inventories and 80,000 failure sets.
const (
	failureSetsPerInventory = 40
	rounds                  = 5
	naiveRounds             = 20
)

// checkRounds runs rapid.Check(t, prop) rounds times (once with -short),
// each round as a subtest with its own seed.
func checkRounds(t *testing.T, prop func(*rapid.T)) {
	checkNRounds(t, rounds, prop)
}

// checkNRounds is checkRounds with n rounds.
func checkNRounds(t *testing.T, n int, prop func(*rapid.T)) {
	if testing.Short() {
		n = 1
	}
	for i := range n {
		t.Run(fmt.Sprintf("round%d", i), func(t *testing.T) { rapid.Check(t, prop) })
	}
}

// TestSimulateMatchesNaive checks Model.Simulate against the naive
// evaluator of naive_test.go: every node's state, and every service's
// counted replicas and failover outcome.
func TestSimulateMatchesNaive(t *testing.T) {
	checkNRounds(t, naiveRounds, func(t *rapid.T) {
		inv := genInventory(t)
		m := mustBuild(t, inv)
		for i := 0; i < failureSetsPerInventory; i++ {
			fail := drawFailureSet(t, inv, fmt.Sprintf("fail%d", i))
			r := m.Simulate(lookupAll(t, m, fail))
			naive := naiveSimulate(inv, fail)
			for v := int32(0); v < int32(m.Len()); v++ {
				id := m.ID(v)
				if got, want := r.State(v), naive.state[id]; got != want {
					t.Fatalf("Simulate(%q).State(%q) = %v; want %v", fail, id, got, want)
				}
				c, fo := r.Replicas(v)
				wc, wfo := naive.counted[id], naive.failover[id]
				if c != wc || fo != wfo {
					t.Fatalf("Simulate(%q).Replicas(%q) = (%d, %v); want (%d, %v)", fail, id, c, fo, wc, wfo)
				}
			}
		}
	})
}

// TestEvaluatorReuse runs one Evaluator over many failure sets in sequence
// and checks each run against a fresh Simulate: reset must undo everything
// the previous run touched.
func TestEvaluatorReuse(t *testing.T) {
	checkRounds(t, func(t *rapid.T) {
		inv := genInventory(t)
		m := mustBuild(t, inv)
		e := m.NewEvaluator()
		for i := 0; i < failureSetsPerInventory; i++ {
			fail := drawFailureSet(t, inv, fmt.Sprintf("fail%d", i))
			failed := lookupAll(t, m, fail)
			e.Run(failed)
			fresh := m.Simulate(failed)
			reused := e.Result()
			var wantAffected []int32
			for v := int32(0); v < int32(m.Len()); v++ {
				id := m.ID(v)
				if got, want := e.State(v), fresh.State(v); got != want {
					t.Fatalf("run %d: reused Evaluator.State(%q) after Run(%q) = %v; want %v", i, id, fail, got, want)
				}
				if got, want := e.Failed(v), slices.Contains(failed, v) || slices.Contains(m.AlreadyFailed(), v); got != want {
					t.Fatalf("run %d: reused Evaluator.Failed(%q) after Run(%q) = %v; want %v", i, id, fail, got, want)
				}
				c, fo := reused.Replicas(v)
				wc, wfo := fresh.Replicas(v)
				if c != wc || fo != wfo {
					t.Fatalf("run %d: reused Replicas(%q) after Run(%q) = (%d, %v); want (%d, %v)", i, id, fail, c, fo, wc, wfo)
				}
				if fresh.State(v) != Up {
					wantAffected = append(wantAffected, v)
				}
			}
			got := slices.Sorted(slices.Values(e.Affected()))
			if !slices.Equal(got, wantAffected) {
				t.Fatalf("run %d: Affected() after Run(%q) = %v; want %v", i, fail, ids(m, got), ids(m, wantAffected))
			}
			if !slices.Equal(reused.Failed, fresh.Failed) {
				t.Fatalf("run %d: reused Result.Failed after Run(%q) = %v; want %v", i, fail, ids(m, reused.Failed), ids(m, fresh.Failed))
			}
		}
	})
}

// TestSimulateOrderIndependent shuffles every list of the inventory
// (entries, placements, feeds, dependencies and their members, failover
// control planes), rebuilds, and expects the same result by id: states,
// replicas, causes and why-chains.
func TestSimulateOrderIndependent(t *testing.T) {
	checkRounds(t, func(t *rapid.T) {
		inv := genInventory(t)
		shuf := shuffleInventory(t, inv)
		m1, m2 := mustBuild(t, inv), mustBuild(t, shuf)
		for i := 0; i < failureSetsPerInventory/3; i++ {
			fail := drawFailureSet(t, inv, fmt.Sprintf("fail%d", i))
			r1 := m1.Simulate(lookupAll(t, m1, fail))
			shufFail := rapid.Permutation(fail).Draw(t, fmt.Sprintf("shuffled fail%d", i))
			r2 := m2.Simulate(lookupAll(t, m2, shufFail))
			for v1 := int32(0); v1 < int32(m1.Len()); v1++ {
				id := m1.ID(v1)
				v2 := lookupAll(t, m2, []string{id})[0]
				if got, want := r2.State(v2), r1.State(v1); got != want {
					t.Fatalf("shuffled Simulate(%q).State(%q) = %v; want %v", fail, id, got, want)
				}
				c2, fo2 := r2.Replicas(v2)
				c1, fo1 := r1.Replicas(v1)
				if c2 != c1 || fo2 != fo1 {
					t.Fatalf("shuffled Simulate(%q).Replicas(%q) = (%d, %v); want (%d, %v)", fail, id, c2, fo2, c1, fo1)
				}
				if got, want := ids(m2, r2.Causes(v2)), ids(m1, r1.Causes(v1)); !slices.Equal(got, want) {
					t.Fatalf("shuffled Simulate(%q).Causes(%q) = %v; want %v", fail, id, got, want)
				}
				w2, n2 := r2.Why(v2, 0)
				w1, n1 := r1.Why(v1, 0)
				got, want := idChains(m2, w2), idChains(m1, w1)
				if n2 != n1 || !slices.EqualFunc(got, want, slices.Equal) {
					t.Fatalf("shuffled Simulate(%q).Why(%q) = %v, %d; want %v, %d", fail, id, got, n2, want, n1)
				}
			}
		}
	})
}

// TestWhyChains checks the why-chains of every node: none for an up node,
// [v] for a failed one, and otherwise one or more chains, shortest first,
// each starting at the node, ending at a failed node, and stepping only
// from a node to one of its direct causes.
func TestWhyChains(t *testing.T) {
	checkRounds(t, func(t *rapid.T) {
		inv := genInventory(t)
		m := mustBuild(t, inv)
		for i := 0; i < failureSetsPerInventory/3; i++ {
			fail := drawFailureSet(t, inv, fmt.Sprintf("fail%d", i))
			r := m.Simulate(lookupAll(t, m, fail))
			var all []int32
			for v := int32(0); v < int32(m.Len()); v++ {
				checkWhy(t, r, v, fail)
				all = append(all, v)
			}
			// many targets at once share one cone
			for v, got := range r.coneChains(all, &coneScratch{}) {
				if want := r.Chain(int32(v)); !slices.Equal(got, want) {
					t.Fatalf("Simulate(%q).coneChains(every node)[%q] = %v; Chain says %v", fail, m.ID(int32(v)), ids(m, got), ids(m, want))
				}
			}
		}
	})
}

func checkWhy(t *rapid.T, r *Result, v int32, fail []string) {
	t.Helper()
	m := r.Model()
	id := m.ID(v)
	// the chain blast check reports, found from v's cone alone, is Chain's
	if got, want := r.coneChains([]int32{v}, &coneScratch{})[0], r.Chain(v); !slices.Equal(got, want) {
		t.Fatalf("Simulate(%q).coneChains(%q) = %v; Chain says %v", fail, id, ids(m, got), ids(m, want))
	}
	chains, total := r.Why(v, 0)
	switch {
	case r.State(v) == Up:
		if len(chains) != 0 || total != 0 {
			t.Fatalf("Simulate(%q).Why(%q) of an up node = %v, %d; want none", fail, id, idChains(m, chains), total)
		}
		return
	case r.IsFailed(v):
		if want := [][]int32{{v}}; !slices.EqualFunc(chains, want, slices.Equal) || total != 1 {
			t.Fatalf("Simulate(%q).Why(%q) of a failed node = %v, %d; want [[%s]], 1", fail, id, idChains(m, chains), total, id)
		}
		return
	}
	if len(chains) == 0 {
		t.Fatalf("Simulate(%q).Why(%q) of a %v node = no chains; want at least one (causes %v)", fail, id, r.State(v), ids(m, r.Causes(v)))
	}
	if total != len(chains) {
		t.Fatalf("Simulate(%q).Why(%q, 0) total = %d; want %d", fail, id, total, len(chains))
	}
	if got, n := r.Why(v, 1); len(got) != 1 || !slices.Equal(got[0], chains[0]) || n != total {
		t.Fatalf("Simulate(%q).Why(%q, 1) = %v, %d; want %v, %d", fail, id, idChains(m, got), n, idChains(m, chains[:1]), total)
	}
	for _, c := range chains {
		if c[0] != v {
			t.Fatalf("Simulate(%q).Why(%q) chain %v starts elsewhere", fail, id, ids(m, c))
		}
		if last := c[len(c)-1]; !r.IsFailed(last) {
			t.Fatalf("Simulate(%q).Why(%q) chain %v ends at %q, which did not fail", fail, id, ids(m, c), m.ID(last))
		}
		for j := 0; j+1 < len(c); j++ {
			if !slices.Contains(r.Causes(c[j]), c[j+1]) {
				t.Fatalf("Simulate(%q).Why(%q) chain %v: %q is not among the causes %v of %q",
					fail, id, ids(m, c), m.ID(c[j+1]), ids(m, r.Causes(c[j])), m.ID(c[j]))
			}
		}
		if len(c) < len(chains[0]) {
			t.Fatalf("Simulate(%q).Why(%q) = %v; first chain is not the shortest", fail, id, idChains(m, chains))
		}
	}
	if got := r.Chain(v); len(got) != len(chains[0]) {
		t.Fatalf("Simulate(%q).Chain(%q) = %v; want a chain as short as %v", fail, id, ids(m, got), ids(m, chains[0]))
	}
	// Each chain is a shortest one: the first as short as any chain from
	// v, and every chain shortest from its second node on, as a
	// breadth-first search over the causes finds.
	dist := causeDistances(r)
	if want := dist[v] + 1; len(chains[0]) != want {
		t.Fatalf("Simulate(%q).Why(%q) first chain %v has %d nodes; a breadth-first search finds a chain of %d",
			fail, id, ids(m, chains[0]), len(chains[0]), want)
	}
	for _, c := range chains {
		for j := 1; j < len(c); j++ {
			if want := dist[c[j]]; len(c)-1-j != want {
				t.Fatalf("Simulate(%q).Why(%q) chain %v: from %q it takes %d steps to a failed node; a breadth-first search takes %d",
					fail, id, ids(m, c), m.ID(c[j]), len(c)-1-j, want)
			}
		}
	}
}

// causeDistances returns, for every node, the fewest steps from it to a
// failed node going from each node to one of its causes (Result.Causes),
// or -1 when no failed node is reached: a breadth-first search backwards
// from the failed nodes, over edges reversed once. O(V + E).
func causeDistances(r *Result) []int {
	m := r.Model()
	n := m.Len()
	effects := make([][]int32, n) // effects[c]: the nodes c is a cause of
	dist := make([]int, n)
	var queue []int32
	for v := int32(0); v < int32(n); v++ {
		dist[v] = -1
		if r.IsFailed(v) {
			dist[v] = 0
			queue = append(queue, v)
		}
		for _, c := range r.Causes(v) {
			effects[c] = append(effects[c], v)
		}
	}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		for _, v := range effects[c] {
			if dist[v] < 0 {
				dist[v] = dist[c] + 1
				queue = append(queue, v)
			}
		}
	}
	return dist
}

func mustBuild(t fataler, inv *inventory.Inventory) *Model {
	t.Helper()
	m, err := Build(inv)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return m
}

func ids(m *Model, vs []int32) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = m.ID(v)
	}
	return out
}

// genInventory draws a valid inventory: one to three sites, each with one
// or two buildings holding power (UPS units, some fed by other power
// components, possibly in a loop), network uplinks, racks with power and
// network feeds (need up to the number of feeds) and hosts; services with
// active and standby placements on any component, every kind of quorum and
// capacity, failovers with and without a control plane, and dependencies
// of every kind (soft or not) on services (cycles included), features and
// components; features depending on the same. One component in twenty is
// marked failed already.
func genInventory(t *rapid.T) *inventory.Inventory {
	inv := &inventory.Inventory{APIVersion: inventory.APIVersion, Kind: "Inventory"}
	var comps, power, network, hosts []string
	add := func(c inventory.Component) {
		// Now and then a component is already down, as an importer marks it.
		c.Failed = rapid.IntRange(0, 19).Draw(t, c.ID+" already failed") == 0
		inv.Components = append(inv.Components, c)
		comps = append(comps, c.ID)
	}
	nSites := rapid.IntRange(1, 3).Draw(t, "sites")
	for s := 0; s < nSites; s++ {
		site := fmt.Sprintf("s%d", s)
		add(inventory.Component{ID: site, Kind: "site"})
		for b := range rapid.IntRange(1, 2).Draw(t, "buildings") {
			bld := fmt.Sprintf("%s-b%d", site, b)
			add(inventory.Component{ID: bld, Kind: "building", Parent: ref(site)})
			for p := range rapid.IntRange(1, 3).Draw(t, "power") {
				id := fmt.Sprintf("%s-ups%d", bld, p)
				add(inventory.Component{ID: id, Kind: "power", Parent: ref(bld)})
				power = append(power, id)
			}
			for n := range rapid.IntRange(0, 2).Draw(t, "network") {
				id := fmt.Sprintf("%s-net%d", bld, n)
				add(inventory.Component{ID: id, Kind: "network", Parent: ref(bld)})
				network = append(network, id)
			}
			for r := range rapid.IntRange(1, 3).Draw(t, "racks") {
				rack := fmt.Sprintf("%s-r%d", bld, r)
				add(inventory.Component{ID: rack, Kind: "rack", Parent: ref(bld)})
				hosts = append(hosts, rack)
				for h := range rapid.IntRange(0, 2).Draw(t, "hosts") {
					id := fmt.Sprintf("%s-h%d", rack, h)
					add(inventory.Component{ID: id, Kind: "host", Parent: ref(rack)})
					hosts = append(hosts, id)
				}
			}
		}
	}
	// Feeds, drawn once every component exists: power may feed power
	// (loops included), racks and hosts draw on any power or network.
	for i := range inv.Components {
		c := &inv.Components[i]
		var powerPool []string
		switch c.Kind {
		case "power":
			if rapid.IntRange(0, 2).Draw(t, "power fed") == 0 {
				powerPool = without(power, c.ID)
			}
		case "rack":
			if rapid.IntRange(0, 4).Draw(t, "rack fed") > 0 {
				powerPool = power
			}
		case "host":
			if rapid.IntRange(0, 3).Draw(t, "host fed") == 0 {
				powerPool = power
			}
		}
		c.Power = drawFeeds(t, powerPool, "power feeds")
		if c.Kind == "rack" && rapid.Bool().Draw(t, "rack networked") {
			c.Network = drawFeeds(t, network, "network feeds")
		}
	}

	nSvc := rapid.IntRange(1, 9).Draw(t, "services")
	nFeat := rapid.IntRange(1, 5).Draw(t, "features")
	var services, features []string
	for i := range nSvc {
		services = append(services, fmt.Sprintf("svc%d", i))
	}
	for i := range nFeat {
		features = append(features, fmt.Sprintf("feat%d", i))
	}
	pools := [][]string{services, services, services, features, comps, comps}
	drawMember := func(self, label string) (string, bool) {
		pool := without(pools[rapid.IntRange(0, len(pools)-1).Draw(t, label+" pool")], self)
		if len(pool) == 0 {
			return "", false
		}
		return rapid.SampledFrom(pool).Draw(t, label), true
	}
	drawDeps := func(self string, min int) []inventory.Dep {
		var deps []inventory.Dep
		for len(deps) < min || rapid.IntRange(0, 2).Draw(t, "more deps") > 0 && len(deps) < 4 {
			d := inventory.Dep{Kind: inventory.DepKind(rapid.IntRange(0, 2).Draw(t, "dep kind")), K: 1}
			size := 1
			switch d.Kind {
			case inventory.DepAnyOf:
				size = rapid.IntRange(1, 3).Draw(t, "anyOf size")
			case inventory.DepAtLeast:
				size = rapid.IntRange(1, 4).Draw(t, "atLeast size")
			}
			for len(d.Of) < size {
				id, ok := drawMember(self, "member")
				if !ok {
					id = rapid.SampledFrom(comps).Draw(t, "member")
				}
				if !slices.ContainsFunc(d.Of, func(r inventory.Ref) bool { return r.ID == id }) {
					d.Of = append(d.Of, ref(id))
				} else if rapid.Bool().Draw(t, "stop") {
					break
				}
			}
			if d.Kind == inventory.DepAtLeast {
				d.K = rapid.IntRange(1, len(d.Of)).Draw(t, "atLeast")
			}
			d.Soft = rapid.IntRange(0, 3).Draw(t, "soft") == 0
			deps = append(deps, d)
		}
		return deps
	}

	targets := append(slices.Clone(hosts), comps...) // racks and hosts twice as likely
	for _, id := range services {
		s := inventory.Service{ID: id}
		if rapid.IntRange(0, 9).Draw(t, "placed") > 0 {
			active := 0
			for range rapid.IntRange(1, 3).Draw(t, "active placements") {
				p := inventory.Placement{
					On:       ref(rapid.SampledFrom(targets).Draw(t, "on")),
					Replicas: rapid.IntRange(0, 4).Draw(t, "replicas"),
					Role:     rapid.SampledFrom([]string{"", inventory.RoleActive}).Draw(t, "role"),
				}
				active += p.Count()
				s.Placement = append(s.Placement, p)
			}
			for range rapid.IntRange(0, 2).Draw(t, "standby placements") {
				s.Placement = append(s.Placement, inventory.Placement{
					On:       ref(rapid.SampledFrom(targets).Draw(t, "on")),
					Replicas: rapid.IntRange(0, 4).Draw(t, "replicas"),
					Role:     inventory.RoleStandby,
				})
			}
			s.Quorum = drawQuantity(t, active, "quorum")
			s.Capacity = drawQuantity(t, active, "capacity")
		}
		switch rapid.IntRange(0, 3).Draw(t, "failover") {
		case 1:
			s.Failover = &inventory.Failover{}
		case 2, 3:
			s.Failover = &inventory.Failover{}
			for _, via := range drawSubset(t, without(services, id), 1, 2, "via") {
				s.Failover.Via = append(s.Failover.Via, ref(via))
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
		inv.Features = append(inv.Features, inventory.Feature{
			ID:        id,
			Users:     int64(rapid.IntRange(0, 1000).Draw(t, "users")),
			Tier:      rapid.IntRange(1, 3).Draw(t, "tier"),
			DependsOn: drawDeps(id, 1),
		})
	}
	if err := inventory.Validate(inv).Err(); err != nil {
		t.Fatalf("generated an invalid inventory: %v", err)
	}
	return inv
}

func ref(id string) inventory.Ref { return inventory.Ref{ID: id} }

// without returns ids less x, as a new slice.
func without(ids []string, x string) []string {
	return slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return id == x })
}

// drawSubset draws between lo and hi distinct elements of pool (fewer when
// pool is smaller).
func drawSubset(t *rapid.T, pool []string, lo, hi int, label string) []string {
	hi = min(hi, len(pool))
	lo = min(lo, hi)
	if hi == 0 {
		return nil
	}
	n := rapid.IntRange(lo, hi).Draw(t, label+" size")
	if len(pool) < 2 {
		return slices.Clone(pool[:n])
	}
	return rapid.Permutation(pool).Draw(t, label)[:n]
}

// drawFeeds draws one to three feeds out of pool and a need between 0
// (the default, 1) and their number; nil for an empty pool.
func drawFeeds(t *rapid.T, pool []string, label string) *inventory.Feeds {
	feeds := drawSubset(t, pool, 1, 3, label)
	if len(feeds) == 0 {
		return nil
	}
	f := &inventory.Feeds{Need: rapid.IntRange(0, len(feeds)).Draw(t, label+" need")}
	for _, id := range feeds {
		f.Feeds = append(f.Feeds, ref(id))
	}
	return f
}

// drawQuantity draws a quorum or capacity against active replicas placed:
// none, a count up to active, majority, or a percentage. It never exceeds
// active: a quorum or capacity above it is invalid (a capacity above it
// would make a service degraded with nothing failed;
// TestCapacityAboveReplicasRejected).
func drawQuantity(t *rapid.T, active int, label string) *inventory.Quantity {
	switch rapid.IntRange(0, 4).Draw(t, label) {
	case 1:
		return &inventory.Quantity{Kind: inventory.QuantityCount, Value: float64(rapid.IntRange(1, active).Draw(t, label+" count"))}
	case 2:
		return &inventory.Quantity{Kind: inventory.QuantityMajority}
	case 3:
		pct := rapid.SampledFrom([]float64{1, 10, 25, 33.3, 50, 60, 66.7, 75, 99, 100}).Draw(t, label+" percent")
		return &inventory.Quantity{Kind: inventory.QuantityPercent, Value: pct}
	}
	return nil
}

// drawFailureSet draws up to five ids to fail, mostly components, some
// services, rarely a feature; duplicates are allowed.
func drawFailureSet(t *rapid.T, inv *inventory.Inventory, label string) []string {
	var fail []string
	for range rapid.IntRange(0, 5).Draw(t, label+" size") {
		switch rapid.IntRange(0, 9).Draw(t, label+" kind") {
		case 0, 1:
			fail = append(fail, inv.Services[rapid.IntRange(0, len(inv.Services)-1).Draw(t, label)].ID)
		case 2:
			fail = append(fail, inv.Features[rapid.IntRange(0, len(inv.Features)-1).Draw(t, label)].ID)
		default:
			fail = append(fail, inv.Components[rapid.IntRange(0, len(inv.Components)-1).Draw(t, label)].ID)
		}
	}
	return fail
}

// shuffleInventory returns a copy of inv with every list permuted; inv is
// not changed.
func shuffleInventory(t *rapid.T, inv *inventory.Inventory) *inventory.Inventory {
	out := *inv
	out.Components = permute(t, inv.Components, "components")
	for i := range out.Components {
		c := &out.Components[i]
		for _, f := range []**inventory.Feeds{&c.Power, &c.Network} {
			if *f != nil {
				cp := **f
				cp.Feeds = permute(t, cp.Feeds, "feeds")
				*f = &cp
			}
		}
	}
	out.Services = permute(t, inv.Services, "services")
	for i := range out.Services {
		s := &out.Services[i]
		s.Placement = permute(t, s.Placement, "placement")
		s.DependsOn = shuffleDeps(t, s.DependsOn)
		if s.Failover != nil {
			cp := *s.Failover
			cp.Via = permute(t, cp.Via, "via")
			s.Failover = &cp
		}
	}
	out.Features = permute(t, inv.Features, "features")
	for i := range out.Features {
		out.Features[i].DependsOn = shuffleDeps(t, out.Features[i].DependsOn)
	}
	return &out
}

func shuffleDeps(t *rapid.T, deps []inventory.Dep) []inventory.Dep {
	deps = permute(t, deps, "dependsOn")
	for i := range deps {
		deps[i].Of = permute(t, deps[i].Of, "of")
	}
	return deps
}

// permute returns a permuted copy of s.
func permute[E any](t *rapid.T, s []E, label string) []E {
	if len(s) < 2 {
		return slices.Clone(s)
	}
	return rapid.Permutation(s).Draw(t, label)
}
