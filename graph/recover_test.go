package graph

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blast-dev/blast/inventory"
	"pgregory.net/rapid"
)

// addRecoveryTimes gives some services a restart time, some failovers an
// rto, and some tiers defaults, all positive (a zero restart would let a
// cycle vouch for itself in the timing equation the test checks). Most
// failover control planes restart quickly and most services with standby
// replicas slowly (hours against an rto of minutes), so that failover is
// often the quicker route.
func addRecoveryTimes(t *rapid.T, inv *inventory.Inventory) {
	dur := func(label string) inventory.Duration {
		return inventory.Duration(time.Duration(rapid.IntRange(1, 6).Draw(t, label)) * 10 * time.Minute)
	}
	isVia := map[string]bool{}
	for _, s := range inv.Services {
		if s.Failover != nil {
			for _, r := range s.Failover.Via {
				isVia[r.ID] = true
			}
		}
	}
	for i := range inv.Services {
		s := &inv.Services[i]
		s.Tier = rapid.IntRange(0, 2).Draw(t, "service tier")
		if rapid.Bool().Draw(t, "own restart") {
			s.Restart = dur("restart")
		}
		switch {
		case isVia[s.ID] && rapid.IntRange(0, 3).Draw(t, "quick control plane") > 0:
			s.Restart = inventory.Duration(10 * time.Minute)
		case s.Failover != nil && slices.ContainsFunc(s.Placement, inventory.Placement.Standby) && rapid.IntRange(0, 3).Draw(t, "slow restart") > 0:
			s.Restart = inventory.Duration(time.Duration(rapid.IntRange(4, 8).Draw(t, "restart hours")) * time.Hour)
		}
		if s.Failover != nil && rapid.Bool().Draw(t, "own rto") {
			s.Failover.RTO = dur("rto")
		}
	}
	if rapid.Bool().Draw(t, "tier defaults") {
		inv.Defaults = &inventory.Defaults{Tiers: map[string]inventory.TierDefaults{
			"1": {Restart: dur("tier restart"), RTO: dur("tier rto")},
		}}
	}
}

// planStates evaluates with the given services failed (ids) by the core
// evaluator, and checks it against the naive one: the plan is executed
// with the first, cross-checked with the second.
func planStates(t *rapid.T, inv *inventory.Inventory, m *Model, failed []int32) map[string]State {
	core := m.Simulate(failed)
	st := map[string]State{}
	for v := int32(0); v < int32(m.Len()); v++ {
		st[m.ID(v)] = core.State(v)
	}
	ids := make([]string, len(failed))
	for i, v := range failed {
		ids[i] = m.ID(v)
	}
	naive := naiveSimulate(inv, ids).state
	for id, s := range st {
		if naive[id] != s {
			t.Fatalf("plan step with %q failed: core evaluator says %s is %v, naive evaluator %v", ids, id, s, naive[id])
		}
	}
	return st
}

// naiveDepsMet reports whether every hard entry of deps has K members not
// down in st.
func naiveDepsMet(st map[string]State, deps []inventory.Dep) bool {
	for _, d := range deps {
		if !d.Soft && naiveDep(st, inventory.Dep{Kind: d.Kind, Of: d.Of, K: d.K}) == Down {
			return false
		}
	}
	return true
}

func naiveViaUp(st map[string]State, s *inventory.Service) bool {
	if s.Failover == nil {
		return true
	}
	for _, r := range s.Failover.Via {
		if st[r.ID] == Down {
			return false
		}
	}
	return true
}

// testDurations is a service's restart and rto from the inventory alone:
// its own, else its tier's default, else DefaultRestart.
func testDurations(inv *inventory.Inventory, s *inventory.Service) (restart, rto time.Duration) {
	restart, rto = DefaultRestart, DefaultRestart
	var td inventory.TierDefaults
	if inv.Defaults != nil {
		td = inv.Defaults.Tiers[strconv.Itoa(s.Tier)]
	}
	switch {
	case s.Restart > 0:
		restart = time.Duration(s.Restart)
	case td.Restart > 0:
		restart = time.Duration(td.Restart)
	}
	switch {
	case s.Failover != nil && s.Failover.RTO > 0:
		rto = time.Duration(s.Failover.RTO)
	case td.RTO > 0:
		rto = time.Duration(td.RTO)
	}
	return restart, rto
}

// recoveryStats counts, over a property run, the plans, those that bring
// some service back by failover, the services started, those started by
// failover, and the deadlocks.
var recoveryStats struct{ plans, failoverPlans, started, failover, deadlocks atomic.Int64 }

// TestRecoverMatchesNaive executes every plan step by step with the core
// evaluator (cross-checked by the naive evaluator of naive_test.go) on
// random inventories and checks that the plan holds: the right nodes are
// in it, no wave starts a service whose hard dependencies (or, for a
// failover, control plane) are still down, every service starts in the
// first wave it can, every node is back at its wave and its time and not
// before, what never comes back is down after the plan and sits behind a
// reported deadlock cycle, breaking every suggested edge brings it all
// back, and the critical path links each step to a service whose absence
// kept it down.
func TestRecoverMatchesNaive(t *testing.T) {
	recoveryStats = struct{ plans, failoverPlans, started, failover, deadlocks atomic.Int64 }{}
	checkRounds(t, func(t *rapid.T) {
		inv := genInventory(t)
		addRecoveryTimes(t, inv)
		m := mustBuild(t, inv)
		for i := 0; i < failureSetsPerInventory/4; i++ {
			fail := drawFailureSet(t, inv, fmt.Sprintf("fail%d", i))
			if i%2 == 1 {
				if finv, ffail := drawFailoverCase(t, inv); finv != nil {
					checkRecovery(t, finv, mustBuild(t, finv), ffail)
					continue
				}
			}
			checkRecovery(t, inv, m, fail)
		}
	})
	plans, fplans := recoveryStats.plans.Load(), recoveryStats.failoverPlans.Load()
	started, fo := recoveryStats.started.Load(), recoveryStats.failover.Load()
	t.Logf("%d plans, %d (%.0f%%) with a failover; %d services started, %d (%.0f%%) by failover; %d deadlocks",
		plans, fplans, 100*float64(fplans)/float64(max(plans, 1)), started, fo, 100*float64(fo)/float64(max(started, 1)), recoveryStats.deadlocks.Load())
	if fo*20 < started {
		t.Errorf("only %d of %d services started come back by failover; want at least one in twenty, to exercise the route", fo, started)
	}
}

// drawFailoverCase picks a service with standby replicas and a failover
// control plane, when there is one, and returns a copy of inv where that
// service and its first control-plane service have only soft dependencies,
// the service restarts slowly and the control plane quickly, with the
// failure of the components of its active replicas and of the control
// plane: the failover is blocked until the control plane is back, then
// (unless the failure took the standby replicas too) the quicker route.
func drawFailoverCase(t *rapid.T, inv *inventory.Inventory) (*inventory.Inventory, []string) {
	var cands []int
	for i, s := range inv.Services {
		if s.Failover != nil && len(s.Failover.Via) > 0 && slices.ContainsFunc(s.Placement, inventory.Placement.Standby) {
			cands = append(cands, i)
		}
	}
	if len(cands) == 0 {
		return nil, nil
	}
	out := *inv
	out.Services = slices.Clone(inv.Services)
	soft := func(s *inventory.Service) {
		s.DependsOn = slices.Clone(s.DependsOn)
		for i := range s.DependsOn {
			s.DependsOn[i].Soft = true
		}
	}
	// prefer a service whose standby replicas survive the loss of the
	// components of its active ones
	i := rapid.SampledFrom(cands).Draw(t, "failover case")
	for _, c := range cands {
		var act []string
		for _, p := range inv.Services[c].Placement {
			if !p.Standby() {
				act = append(act, p.On.ID)
			}
		}
		hit := naiveSimulate(inv, act)
		if slices.ContainsFunc(inv.Services[c].Placement, func(p inventory.Placement) bool {
			return p.Standby() && p.Count() > 0 && hit.state[p.On.ID] == Up
		}) {
			i = c
			break
		}
	}
	s := &out.Services[i]
	soft(s)
	s.Restart = inventory.Duration(6 * time.Hour)
	via := s.Failover.Via[0].ID
	fail := []string{via}
	for _, p := range s.Placement {
		if !p.Standby() {
			fail = append(fail, p.On.ID)
		}
	}
	for i := range out.Services {
		if v := &out.Services[i]; v.ID == via {
			soft(v)
			v.Restart = inventory.Duration(10 * time.Minute)
		}
	}
	return &out, fail
}

func checkRecovery(t *rapid.T, inv *inventory.Inventory, m *Model, fail []string) {
	r := m.Recover(lookupAll(t, m, fail), 0)
	memo := map[string]map[string]State{}
	planStates := func(t *rapid.T, inv *inventory.Inventory, m *Model, failed []int32) map[string]State {
		slices.Sort(failed)
		k := fmt.Sprint(failed)
		if st, ok := memo[k]; ok {
			return st
		}
		st := planStates(t, inv, m, failed)
		memo[k] = st
		return st
	}
	hit, base := naiveSimulate(inv, fail), naiveSimulate(inv, nil)
	isFailed := map[string]bool{}
	for _, id := range fail {
		isFailed[id] = true
	}

	// Which nodes the plan holds, and which need a start.
	var wantNodes []string
	starts := map[int32]bool{}
	for v := int32(0); v < int32(m.Len()); v++ {
		id := m.ID(v)
		if m.Kind(v) == Component || hit.state[id] != Down || base.state[id] == Down {
			continue
		}
		wantNodes = append(wantNodes, id)
		if m.Kind(v) == Service {
			rs, _, _ := naiveReplicas(hit.state, *m.Service(v))
			if isFailed[id] || (len(m.Service(v).Placement) > 0 && rs == Down) {
				starts[v] = true
			}
		}
	}
	var gotNodes []string
	recoveryStats.plans.Add(1)
	if slices.ContainsFunc(r.Steps, func(st Step) bool { return st.Route == RouteFailover && st.Back != Never }) {
		recoveryStats.failoverPlans.Add(1)
	}
	for _, st := range r.Steps {
		gotNodes = append(gotNodes, m.ID(st.Node))
		if got := st.Route != RouteResume || st.Back == Never && m.Kind(st.Node) == Service && starts[st.Node]; got != starts[st.Node] {
			t.Fatalf("Recover(%q): %s needs a start = %v; want %v", fail, m.ID(st.Node), got, starts[st.Node])
		}
		if starts[st.Node] && st.Back != Never {
			recoveryStats.started.Add(1)
			if st.Route == RouteFailover {
				recoveryStats.failover.Add(1)
			}
		}
		if st.Back == Never && st.Wave != -1 {
			t.Fatalf("Recover(%q): %s never back but in wave %d", fail, m.ID(st.Node), st.Wave)
		}
	}
	if !slices.Equal(gotNodes, wantNodes) {
		t.Fatalf("Recover(%q) steps = %v; want %v", fail, gotNodes, wantNodes)
	}
	recoveryStats.deadlocks.Add(int64(len(r.Deadlocks)))

	// needsVia: the route needs the control plane.
	needsVia := func(st Step) bool {
		return st.Route == RouteFailover || base.failover[m.ID(st.Node)] == FailoverDone
	}
	canStart := func(states map[string]State, st Step) bool {
		s := m.Service(st.Node)
		return naiveDepsMet(states, s.DependsOn) && (!needsVia(st) || naiveViaUp(states, s))
	}
	pending := func(done func(v int32) bool) []int32 {
		var out []int32
		for v := range starts {
			if !done(v) {
				out = append(out, v)
			}
		}
		slices.Sort(out)
		return out
	}

	// Waves, executed one after the other.
	for w := -1; w <= len(r.Waves); w++ {
		before := planStates(t, inv, m, pending(func(v int32) bool { st, _ := r.Step(v); return st.Back != Never && st.Wave < w }))
		after := planStates(t, inv, m, pending(func(v int32) bool { st, _ := r.Step(v); return st.Back != Never && st.Wave <= w }))
		for _, st := range r.Steps {
			id := m.ID(st.Node)
			if st.Back == Never || st.Wave != w {
				if starts[st.Node] && st.Back != Never && st.Wave > w && w >= 0 && canStart(before, st) {
					t.Fatalf("Recover(%q): %s starts in wave %d but could start in wave %d", fail, id, st.Wave, w)
				}
				continue
			}
			if starts[st.Node] {
				if !canStart(before, st) {
					t.Fatalf("Recover(%q): wave %d starts %s (%v) while a hard dependency or its control plane is down", fail, w, id, st.Route)
				}
				continue
			}
			if w >= 0 && before[id] != Down {
				t.Fatalf("Recover(%q): %s listed back after wave %d but it was back before", fail, id, w)
			}
			if after[id] == Down {
				t.Fatalf("Recover(%q): %s listed back after wave %d but it is still down", fail, id, w)
			}
		}
	}

	// Timing: each node's Back solves the equation of the plan's rules.
	times := []time.Duration{0}
	for _, st := range r.Steps {
		if st.Back != Never {
			times = append(times, st.Back)
		}
	}
	slices.Sort(times)
	times = slices.Compact(times)
	at := map[time.Duration]map[string]State{}
	for _, tm := range times {
		at[tm] = planStates(t, inv, m, pending(func(v int32) bool { st, _ := r.Step(v); return st.Back <= tm }))
	}
	first := func(ok func(states map[string]State) bool) time.Duration {
		for _, tm := range times {
			if ok(at[tm]) {
				return tm
			}
		}
		return Never
	}
	for _, st := range r.Steps {
		id := m.ID(st.Node)
		want := Never
		if starts[st.Node] {
			s := m.Service(st.Node)
			restart, rto := testDurations(inv, s)
			rs := Step{Node: st.Node, Route: RouteRestart}
			if tr := first(func(x map[string]State) bool { return canStart(x, rs) }); tr != Never {
				want = tr + restart
			}
			act, stby := 0, 0
			for _, p := range s.Placement {
				if hit.state[p.On.ID] != Up {
					continue
				}
				if p.Standby() {
					stby += p.Count()
				} else {
					act += p.Count()
				}
			}
			q, _ := m.Quorum(st.Node)
			if !isFailed[id] && stby > 0 && act+stby >= q {
				fs := Step{Node: st.Node, Route: RouteFailover}
				if tf := first(func(x map[string]State) bool { return canStart(x, fs) }); tf != Never && tf+rto < want {
					want = tf + rto
					if st.Route != RouteFailover {
						t.Fatalf("Recover(%q): %s comes back by %v; want failover (sooner)", fail, id, st.Route)
					}
				}
			}
		} else {
			want = first(func(x map[string]State) bool { return x[id] != Down })
		}
		if st.Back != want {
			t.Fatalf("Recover(%q): %s back at %v; want %v", fail, id, st.Back, want)
		}
		if st.Back != Never && st.Back != st.Ready+st.Took {
			t.Fatalf("Recover(%q): %s back at %v; want ready %v + took %v", fail, id, st.Back, st.Ready, st.Took)
		}
	}

	// What never comes back: down after the whole plan, behind a cycle.
	final := planStates(t, inv, m, pending(func(v int32) bool { st, _ := r.Step(v); return st.Back != Never }))
	stuck := map[int32]bool{}
	for _, st := range r.Steps {
		if (final[m.ID(st.Node)] == Down) != (st.Back == Never) {
			t.Fatalf("Recover(%q): %s back %v but state after the plan %v", fail, m.ID(st.Node), st.Back, final[m.ID(st.Node)])
		}
		if st.Back == Never {
			stuck[st.Node] = true
		}
	}
	onCycle := map[int32]bool{}
	for _, d := range r.Deadlocks {
		c := d.Cycle
		if slices.Min(c) != c[0] {
			t.Fatalf("Recover(%q): deadlock %v does not start at its smallest id", fail, ids(m, c))
		}
		broken := false
		for i, v := range c {
			next := c[(i+1)%len(c)]
			onCycle[v] = true
			if !stuck[v] {
				t.Fatalf("Recover(%q): deadlock %v holds %s, which comes back", fail, ids(m, c), m.ID(v))
			}
			if !waitsFor(m, base, final, v, next) {
				t.Fatalf("Recover(%q): deadlock %v: %s does not wait for %s", fail, ids(m, c), m.ID(v), m.ID(next))
			}
			broken = broken || d.From == v && d.To == next
		}
		if !broken {
			t.Fatalf("Recover(%q): deadlock %v: edge to break %s → %s is not on it", fail, ids(m, c), m.ID(d.From), m.ID(d.To))
		}
	}
	// Each stuck node waits, through stuck nodes, for a reported cycle.
	for v := range stuck {
		seen := map[int32]bool{v: true}
		queue := []int32{v}
		found := false
		for len(queue) > 0 && !found {
			x := queue[0]
			queue = queue[1:]
			found = onCycle[x]
			for y := range stuck {
				if !seen[y] && waitsFor(m, base, final, x, y) {
					seen[y] = true
					queue = append(queue, y)
				}
			}
		}
		if !found {
			t.Fatalf("Recover(%q): %s never comes back but waits for no reported deadlock %v", fail, m.ID(v), r.Deadlocks)
		}
	}
	if got := m.ColdStartDeadlocks(lookupAll(t, m, fail)); !slices.EqualFunc(got, r.Deadlocks, func(a, b Deadlock) bool {
		return slices.Equal(a.Cycle, b.Cycle) && a.From == b.From && a.To == b.To
	}) {
		t.Fatalf("Recover(%q): ColdStartDeadlocks = %v; want the plan's %v\n%s", fail, got, r.Deadlocks, dumpInv(inv))
	}
	if len(r.Deadlocks) > 0 {
		fixed := applyBreaks(inv, m, r.Deadlocks)
		fm := mustBuild(t, fixed)
		fr := fm.Recover(lookupAll(t, fm, fail), 0)
		for _, st := range fr.Steps {
			if st.Back == Never {
				t.Fatalf("Recover(%q) with every suggested break applied (%v): %s still never back; deadlocks %v", fail, r.Deadlocks, fm.ID(st.Node), fr.Deadlocks)
			}
		}
	}

	// After: a service finishing when the step is ready whose absence
	// keeps the step down (the smallest such, when there is one).
	readyIn := func(states map[string]State, st Step) bool {
		if starts[st.Node] {
			return canStart(states, st)
		}
		return states[m.ID(st.Node)] != Down
	}
	for _, st := range r.Steps {
		if st.Back == Never || st.Ready == 0 {
			if st.After >= 0 {
				t.Fatalf("Recover(%q): %s ready at %v but after %s", fail, m.ID(st.Node), st.Ready, m.ID(st.After))
			}
			continue
		}
		if st.After < 0 || !starts[st.After] {
			t.Fatalf("Recover(%q): %s ready at %v after no started service", fail, m.ID(st.Node), st.Ready)
		}
		if a, _ := r.Step(st.After); a.Back != st.Ready {
			t.Fatalf("Recover(%q): %s ready at %v after %s, back at %v", fail, m.ID(st.Node), st.Ready, m.ID(st.After), a.Back)
		}
		later := pending(func(v int32) bool { s, _ := r.Step(v); return s.Back <= st.Ready })
		necessary := int32(-1)
		for v := range starts {
			if s, _ := r.Step(v); s.Back != st.Ready || (necessary >= 0 && v > necessary) {
				continue
			}
			if !readyIn(planStates(t, inv, m, append(slices.Clone(later), v)), st) {
				necessary = v
			}
		}
		if necessary >= 0 && st.After != necessary {
			t.Fatalf("Recover(%q): %s ready at %v after %s; want %s, whose absence keeps it down", fail, m.ID(st.Node), st.Ready, m.ID(st.After), m.ID(necessary))
		}
	}

	// The critical path links each step to the one that enabled it.
	for i, v := range r.CriticalPath {
		st, _ := r.Step(v)
		if i == 0 {
			if st.Ready != 0 {
				t.Fatalf("Recover(%q): critical path starts at %s, ready at %v; want 0", fail, m.ID(v), st.Ready)
			}
			continue
		}
		prev, _ := r.Step(r.CriticalPath[i-1])
		if st.After != prev.Node || prev.Back != st.Ready || !starts[prev.Node] {
			t.Fatalf("Recover(%q): critical path %v: %s does not enable %s", fail, ids(m, r.CriticalPath), m.ID(prev.Node), m.ID(v))
		}
	}
	if n := len(r.CriticalPath); n > 0 {
		last, _ := r.Step(r.CriticalPath[n-1])
		want := r.Total
		if m.Kind(last.Node) != Feature {
			want = r.AllServices
		}
		if last.Back != want {
			t.Fatalf("Recover(%q): critical path ends at %v; want the total %v", fail, last.Back, want)
		}
	} else if slices.ContainsFunc(r.Steps, func(st Step) bool { return st.Back != Never }) {
		t.Fatalf("Recover(%q): no critical path, but something comes back", fail)
	}
}

// waitsFor reports whether v, down after the plan (final), waits for x:
// x sits in a hard dependency entry of v that is not met, or x is in the
// control plane of v, which runs only on its standby replicas.
func waitsFor(m *Model, base naiveResult, final map[string]State, v, x int32) bool {
	var deps []inventory.Dep
	switch m.Kind(v) {
	case Service:
		s := m.Service(v)
		deps = s.DependsOn
		if base.failover[s.ID] == FailoverDone && s.Failover != nil &&
			slices.ContainsFunc(s.Failover.Via, func(r inventory.Ref) bool { return r.ID == m.ID(x) }) {
			return true
		}
	case Feature:
		deps = m.Feature(v).DependsOn
	}
	for _, d := range deps {
		if !d.Soft && slices.ContainsFunc(d.Of, func(r inventory.Ref) bool { return r.ID == m.ID(x) }) &&
			naiveDep(final, inventory.Dep{Kind: d.Kind, Of: d.Of, K: d.K}) == Down {
			return true
		}
	}
	return false
}

// applyBreaks returns a copy of inv with every deadlock's suggested edge
// broken: From's dependency entries that name To become soft, and To
// leaves From's failover control plane.
func applyBreaks(inv *inventory.Inventory, m *Model, ds []Deadlock) *inventory.Inventory {
	out := *inv
	out.Services = slices.Clone(inv.Services)
	out.Features = slices.Clone(inv.Features)
	soften := func(deps []inventory.Dep, to string) []inventory.Dep {
		deps = slices.Clone(deps)
		for i := range deps {
			if slices.ContainsFunc(deps[i].Of, func(r inventory.Ref) bool { return r.ID == to }) {
				deps[i].Soft = true
			}
		}
		return deps
	}
	for _, d := range ds {
		from, to := m.ID(d.From), m.ID(d.To)
		for i := range out.Services {
			s := &out.Services[i]
			if s.ID != from {
				continue
			}
			s.DependsOn = soften(s.DependsOn, to)
			if s.Failover != nil {
				fo := *s.Failover
				fo.Via = slices.DeleteFunc(slices.Clone(fo.Via), func(r inventory.Ref) bool { return r.ID == to })
				s.Failover = &fo
			}
		}
		for i := range out.Features {
			if f := &out.Features[i]; f.ID == from {
				f.DependsOn = soften(f.DependsOn, to)
			}
		}
	}
	return &out
}

// TestRecoverDeadlock: auth needs config, config needs auth, both lose
// their only rack. Neither can start; the plan reports the cycle from its
// smallest id and suggests breaking the edge into auth, which more depend
// on. With the edge soft, both come back.
func TestRecoverDeadlock(t *testing.T) {
	doc := func(soft string) string {
		return `components:
  - {id: site, kind: site}
  - {id: rack, kind: rack, parent: site}
services:
  - {id: auth, placement: [{on: rack}], dependsOn: [config], restart: 10m}
  - {id: config, placement: [{on: rack}], dependsOn: [` + soft + `], restart: 5m}
  - {id: api, placement: [{on: rack}], dependsOn: [auth]}
features:
  - {id: login, dependsOn: [auth]}
  - {id: home, dependsOn: [api]}
`
	}
	m := mustBuild(t, loadInventory(t, doc("auth")))
	r := m.Recover(lookupAll(t, m, []string{"site"}), 0)
	if len(r.Deadlocks) != 1 {
		t.Fatalf("Recover(site).Deadlocks = %d; want 1", len(r.Deadlocks))
	}
	d := r.Deadlocks[0]
	if got := strings.Join(ids(m, d.Cycle), ","); got != "auth,config" {
		t.Errorf("deadlock cycle = %s; want auth,config", got)
	}
	if m.ID(d.From) != "config" || m.ID(d.To) != "auth" {
		t.Errorf("edge to break = %s → %s; want config → auth", m.ID(d.From), m.ID(d.To))
	}
	for _, id := range []string{"auth", "config", "api", "login", "home"} {
		if st, _ := r.Step(lookupAll(t, m, []string{id})[0]); st.Back != Never {
			t.Errorf("%s back at %v; want never", id, st.Back)
		}
	}

	m = mustBuild(t, loadInventory(t, doc("{on: auth, soft: true}")))
	r = m.Recover(lookupAll(t, m, []string{"site"}), 0)
	want := map[string]struct {
		wave int
		back time.Duration
	}{"config": {0, 5 * time.Minute}, "auth": {1, 15 * time.Minute}, "api": {2, 30 * time.Minute},
		"login": {1, 15 * time.Minute}, "home": {2, 30 * time.Minute}}
	for id, w := range want {
		st, _ := r.Step(lookupAll(t, m, []string{id})[0])
		if st.Wave != w.wave || st.Back != w.back {
			t.Errorf("soft: %s wave %d back %v; want wave %d back %v", id, st.Wave, st.Back, w.wave, w.back)
		}
	}
	if len(r.Deadlocks) != 0 || r.Total != 30*time.Minute {
		t.Errorf("soft: deadlocks %d, total %v; want 0, 30m", len(r.Deadlocks), r.Total)
	}
	if got := strings.Join(ids(m, r.CriticalPath), ","); got != "config,auth,api,home" {
		t.Errorf("soft: critical path %s; want config,auth,api,home", got)
	}
}

// TestRecoverPangyo checks the plans for the Pangyo fire against what was
// reported: at Kakao the operation tools, monitoring and auth start in
// the first wave and KakaoTalk messaging is back before Kakao Channel and
// Daum mail; at Naver most features need no restart at all.
func TestRecoverPangyo(t *testing.T) {
	load := func(name string) *Model {
		inv, _, err := inventory.Load([]string{"../examples/" + name}, os.Stdin)
		if err != nil {
			t.Fatal(err)
		}
		return mustBuild(t, inv)
	}
	m := load("kakao-2022.yaml")
	r := m.Recover(lookupAll(t, m, []string{"pangyo"}), 0)
	for _, id := range []string{"ops-tools", "monitoring", "auth"} {
		if st, _ := r.Step(lookupAll(t, m, []string{id})[0]); st.Wave != 0 || st.Route != RouteRestart {
			t.Errorf("kakao: %s wave %d by %v; want wave 0 by restart", id, st.Wave, st.Route)
		}
	}
	back := func(id string) time.Duration {
		st, _ := r.Step(lookupAll(t, m, []string{id})[0])
		return st.Back
	}
	for _, later := range []string{"channel-chat", "daum-mail"} {
		if back("talk-send") >= back(later) {
			t.Errorf("kakao: talk-send back at %v, %s at %v; want talk-send first", back("talk-send"), later, back(later))
		}
	}
	if st, _ := r.Step(lookupAll(t, m, []string{"talk-api"})[0]); st.Route != RouteFailover {
		t.Errorf("kakao: talk-api back by %v; want failover once ops-tools is back", st.Route)
	}

	m = load("naver-2022.yaml")
	r = m.Recover(lookupAll(t, m, []string{"pangyo"}), 0)
	inPlan := 0
	for _, st := range r.Steps {
		if m.Kind(st.Node) == Feature {
			inPlan++
		}
	}
	if all := len(m.Nodes(Feature)); 2*inPlan >= all {
		t.Errorf("naver: %d of %d features need a restart; want fewer than half", inPlan, all)
	}
}

// bigInventory is an estate of 3 sites of 100 racks, n services (each
// active on two racks of site s0, standby on one of s1, needing two earlier
// services and failing over via one of the first ten) and n/4 features.
func bigInventory(n int) *inventory.Inventory {
	rng := rand.New(rand.NewPCG(1, 2))
	inv := &inventory.Inventory{APIVersion: inventory.APIVersion, Kind: "Inventory"}
	rack := func(site, i int) string { return fmt.Sprintf("s%d-r%d", site, i) }
	for site := range 3 {
		inv.Components = append(inv.Components, inventory.Component{ID: fmt.Sprintf("s%d", site), Kind: "site"})
		for i := range 100 {
			inv.Components = append(inv.Components, inventory.Component{ID: rack(site, i), Kind: "rack", Parent: ref(fmt.Sprintf("s%d", site))})
		}
	}
	svc := func(i int) string { return fmt.Sprintf("svc%05d", i) }
	for i := range n {
		s := inventory.Service{ID: svc(i), Restart: inventory.Duration(time.Duration(1+rng.IntN(60)) * time.Minute),
			Placement: []inventory.Placement{{On: ref(rack(0, rng.IntN(100))), Replicas: 2}, {On: ref(rack(2, rng.IntN(100)))},
				{On: ref(rack(1, rng.IntN(100))), Replicas: 3, Role: inventory.RoleStandby}},
			Quorum: &inventory.Quantity{Kind: inventory.QuantityCount, Value: 3}}
		if i >= 10 {
			s.Failover = &inventory.Failover{Via: []inventory.Ref{ref(svc(rng.IntN(10)))}, RTO: inventory.Duration(time.Duration(1+rng.IntN(60)) * time.Minute)}
			for range 2 {
				s.DependsOn = append(s.DependsOn, inventory.Dep{Kind: inventory.DepHard, K: 1, Of: []inventory.Ref{ref(svc(rng.IntN(i)))}})
			}
		}
		inv.Services = append(inv.Services, s)
	}
	for i := range n / 4 {
		inv.Features = append(inv.Features, inventory.Feature{ID: fmt.Sprintf("feat%05d", i), Users: 1,
			DependsOn: []inventory.Dep{{Kind: inventory.DepHard, K: 1, Of: []inventory.Ref{ref(svc(rng.IntN(n)))}}}})
	}
	return inv
}

// BenchmarkRecover plans the recovery from the loss of site s0 (which
// takes every service down) on generated estates.
func BenchmarkRecover(b *testing.B) {
	for _, n := range []int{100, 1000, 5000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			m := mustBuild(b, bigInventory(n))
			site := lookupAll(b, m, []string{"s0"})
			for b.Loop() {
				m.Recover(site, 0)
			}
		})
	}
}

// chainInventory is n services on one rack, each needing the one before:
// after the loss of the rack they start one per wave.
func chainInventory(n int) *inventory.Inventory {
	inv := &inventory.Inventory{APIVersion: inventory.APIVersion, Kind: "Inventory",
		Components: []inventory.Component{{ID: "site", Kind: "site"}, {ID: "rack", Kind: "rack", Parent: ref("site")}}}
	svc := func(i int) string { return fmt.Sprintf("svc%05d", i) }
	for i := range n {
		s := inventory.Service{ID: svc(i), Restart: inventory.Duration(time.Minute), Placement: []inventory.Placement{{On: ref("rack")}}}
		if i > 0 {
			s.DependsOn = []inventory.Dep{{Kind: inventory.DepHard, K: 1, Of: []inventory.Ref{ref(svc(i - 1))}}}
		}
		inv.Services = append(inv.Services, s)
	}
	inv.Features = []inventory.Feature{{ID: "feat", Users: 1, DependsOn: []inventory.Dep{{Kind: inventory.DepHard, K: 1, Of: []inventory.Ref{ref(svc(n - 1))}}}}}
	return inv
}

// BenchmarkRecoverChain plans the recovery of a chain of services, the
// worst case for waves and completion times (one of each per service).
func BenchmarkRecoverChain(b *testing.B) {
	for _, n := range []int{500, 5000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			m := mustBuild(b, chainInventory(n))
			site := lookupAll(b, m, []string{"site"})
			for b.Loop() {
				m.Recover(site, 0)
			}
		})
	}
}

func dumpInv(inv *inventory.Inventory) string {
	var b strings.Builder
	for _, s := range inv.Services {
		fmt.Fprintf(&b, "svc %s pl=%v q=%v fo=%+v deps=%+v\n", s.ID, s.Placement, s.Quorum, s.Failover, s.DependsOn)
	}
	for _, f := range inv.Features {
		fmt.Fprintf(&b, "feat %s deps=%+v\n", f.ID, f.DependsOn)
	}
	return b.String()
}
