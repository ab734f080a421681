package graph

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// candidatesOf returns every component and service of m: the candidate
// single failures the audit considers with --include-services.
func candidatesOf(m *Model) []int32 {
	var out []int32
	for v := int32(0); v < int32(m.Len()); v++ {
		if m.Kind(v) != Feature {
			out = append(out, v)
		}
	}
	return out
}

// TestSingleFailuresMatchesNaive checks the one-pass single-failure sets
// against the naive evaluator run once per candidate.
func TestSingleFailuresMatchesNaive(t *testing.T) {
	checkRounds(t, func(t *rapid.T) {
		inv := genInventory(t)
		m := mustBuild(t, inv)
		cands := candidatesOf(m)
		sf := m.SingleFailures(cands)
		for _, k := range cands {
			naive := naiveSimulate(inv, []string{m.ID(k)})
			for v := int32(0); v < int32(m.Len()); v++ {
				if got, want := sf.StateUnder(v, k), naive.state[m.ID(v)]; got != want {
					t.Fatalf("SingleFailures.StateUnder(%s, %s) = %v; want %v (naive)", m.ID(v), m.ID(k), got, want)
				}
			}
		}
	})
}

// TestResidualMatchesNaivePairs checks the residual sets after a first
// failure against evaluating every pair of failures (with Simulate, which
// TestSimulateMatchesNaive holds to the naive evaluator).
func TestResidualMatchesNaivePairs(t *testing.T) {
	checkRounds(t, func(t *rapid.T) {
		inv := genInventory(t)
		m := mustBuild(t, inv)
		cands := candidatesOf(m)
		sf := m.SingleFailures(cands)
		e := m.NewEvaluator()
		firsts := rapid.SliceOfNDistinct(rapid.SampledFrom(cands), 1, 4, func(v int32) int32 { return v }).Draw(t, "firsts")
		for _, d := range firsts {
			res := sf.After(d, e, nil)
			base := naiveSimulate(inv, []string{m.ID(d)})
			want := make([][]int32, m.Len())
			for _, k := range cands {
				if k == d {
					continue
				}
				r := m.Simulate([]int32{d, k})
				for v := int32(0); v < int32(m.Len()); v++ {
					if base.state[m.ID(v)] != Down && r.State(v) == Down {
						want[v] = append(want[v], k)
					}
				}
			}
			for v := int32(0); v < int32(m.Len()); v++ {
				if got := res.Down(v); !slices.Equal(got, want[v]) {
					t.Fatalf("After(%s).Down(%s) = %v; want %v (naive pairs)", m.ID(d), m.ID(v), ids(m, got), ids(m, want[v]))
				}
			}
		}
	})
}

// TestAuditMatchesNaiveLoop checks the audit's domain impacts, points of
// failure and exposures against the naive loop: one evaluation per domain
// (and per pair for exposures).
func TestAuditMatchesNaiveLoop(t *testing.T) {
	checkRounds(t, func(t *rapid.T) {
		inv := genInventory(t)
		m := mustBuild(t, inv)
		comps := m.Nodes(Component)
		domains := rapid.SliceOfNDistinct(rapid.SampledFrom(comps), 1, len(comps), func(v int32) int32 { return v }).Draw(t, "domains")
		a := m.NewAudit(domains, comps, AuditOptions{Paper: true, Exposed: true})
		features := m.Nodes(Feature)
		byDomain := map[int32]DomainImpact{}
		for _, d := range a.Domains {
			byDomain[d.Node] = d
		}
		if len(byDomain) != len(domains) {
			t.Fatalf("audit has %d domains; want %d", len(byDomain), len(domains))
		}
		before := m.Simulate(nil) // components marked failed are down already
		for _, d := range domains {
			r := m.Simulate([]int32{d})
			var want DomainImpact
			for _, f := range features {
				if r.State(f) == before.State(f) {
					continue // only what d makes worse is its impact
				}
				switch r.State(f) {
				case Down:
					want.FeaturesDown = append(want.FeaturesDown, f)
					want.UsersDown += m.Feature(f).Users
				case Degraded:
					want.FeaturesDegraded = append(want.FeaturesDegraded, f)
					want.UsersDegraded += m.Feature(f).Users
				}
			}
			got := byDomain[d]
			if !slices.Equal(got.FeaturesDown, want.FeaturesDown) || !slices.Equal(got.FeaturesDegraded, want.FeaturesDegraded) ||
				got.UsersDown != want.UsersDown || got.UsersDegraded != want.UsersDegraded {
				t.Fatalf("audit domain %s = %+v; want %+v", m.ID(d), got, want)
			}
		}
		for i := 1; i < len(a.Domains); i++ {
			x, y := a.Domains[i-1], a.Domains[i]
			if x.UsersDown < y.UsersDown || (x.UsersDown == y.UsersDown && x.UsersDegraded < y.UsersDegraded) {
				t.Fatalf("audit domains not ranked: %s before %s", m.ID(x.Node), m.ID(y.Node))
			}
		}
		candidates := slices.Compact(slices.Sorted(slices.Values(slices.Concat(domains, comps))))
		for _, fr := range a.Features {
			var want []int32
			for _, k := range candidates {
				if m.Simulate([]int32{k}).State(fr.Node) == Down && before.State(fr.Node) != Down {
					want = append(want, k)
				}
			}
			if !slices.Equal(fr.SPOF, want) {
				t.Fatalf("audit SPOF(%s) = %v; want %v", m.ID(fr.Node), ids(m, fr.SPOF), ids(m, want))
			}
			// Complete: every point of failure whose evaluation finds a
			// blocked failover among the feature's causes is reported,
			// although the audit evaluates only the points the
			// single-failure pass marked as possibly blocking.
			if g, w := fmt.Sprint(fr.Paper), fmt.Sprint(paperByEvaluation(m.NewEvaluator(), fr)); g != w {
				t.Fatalf("audit paper redundancy of %s = %s; want %s (every point of failure evaluated)", m.ID(fr.Node), g, w)
			}
			for _, p := range fr.Paper {
				r := m.Simulate([]int32{p.SPOF})
				blocked := false
				for _, s := range p.Services {
					if _, fo := r.Replicas(s); fo == FailoverBlocked {
						blocked = true
					}
				}
				if !blocked || r.State(fr.Node) != Down {
					t.Fatalf("audit paper redundancy of %s under %s names %v, but no failover of theirs is blocked", m.ID(fr.Node), m.ID(p.SPOF), ids(m, p.Services))
				}
			}
		}
		exposed := map[string][]int32{}
		for _, x := range a.Exposed {
			exposed[fmt.Sprint(x.Domain, "/", x.Feature)] = x.NewSPOF
		}
		for _, d := range domains {
			first := m.Simulate([]int32{d})
			for _, f := range features {
				if first.State(f) == Down {
					continue
				}
				var want []int32
				for _, k := range candidates {
					if k == d || m.Simulate([]int32{k}).State(f) == Down {
						continue
					}
					if m.Simulate([]int32{d, k}).State(f) == Down {
						want = append(want, k)
					}
				}
				if got := exposed[fmt.Sprint(d, "/", f)]; !slices.Equal(got, want) {
					t.Fatalf("audit exposure of %s after %s = %v; want %v", m.ID(f), m.ID(d), ids(m, got), ids(m, want))
				}
			}
		}
	})
}

// paperByEvaluation is a feature's redundancy on paper found the slow way:
// one evaluation, with e, of every point of failure of fr.
func paperByEvaluation(e *Evaluator, fr FeatureRisk) []PaperRedundancy {
	var out []PaperRedundancy
	for _, k := range fr.SPOF {
		e.Run([]int32{k})
		if p, ok := e.paperRedundancySlow()[fr.Node]; ok {
			p.SPOF = k
			out = append(out, p)
		}
	}
	return out
}

// paperRedundancySlow is paperRedundancy the obvious way, the oracle of
// its tests: a search from each blocked service along cause edges.
func (e *Evaluator) paperRedundancySlow() map[int32]PaperRedundancy {
	m := e.m
	var blocked []int32
	for _, v := range e.touchedN {
		if m.kinds[v] == Service && e.state[v] == Down {
			if _, _, fo := e.replicas(v); fo == FailoverBlocked {
				blocked = append(blocked, v)
			}
		}
	}
	if len(blocked) == 0 {
		return nil
	}
	slices.Sort(blocked)
	r := e.view()
	out := map[int32]PaperRedundancy{}
	for _, b := range blocked {
		via := r.BlockedBy(b)
		// every down node that has b among its transitive causes
		seen := map[int32]bool{b: true}
		stack := []int32{b}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if m.kinds[x] == Feature {
				p := out[x]
				p.Services = append(p.Services, b)
				p.BlockedBy = append(p.BlockedBy, via...)
				out[x] = p
			}
			for _, y := range m.dependents(x) {
				if !seen[y] && r.state[y] == Down && slices.Contains(r.Causes(y), x) {
					seen[y] = true
					stack = append(stack, y)
				}
			}
		}
	}
	for f, p := range out {
		slices.Sort(p.Services)
		p.BlockedBy = slices.Compact(slices.Sorted(slices.Values(p.BlockedBy)))
		out[f] = p
	}
	return out
}

// TestPaperRedundancyMatchesSearch compares the one-pass paperRedundancy
// with a search from each blocked service, after random failure sets.
func TestPaperRedundancyMatchesSearch(t *testing.T) {
	checkRounds(t, func(t *rapid.T) {
		m := mustBuild(t, genInventory(t))
		all := make([]int32, m.Len())
		for v := range all {
			all[v] = int32(v)
		}
		failed := rapid.SliceOfNDistinct(rapid.SampledFrom(all), 1, 4, func(v int32) int32 { return v }).Draw(t, "failed")
		e := m.NewEvaluator()
		e.Run(failed)
		got, want := e.paperRedundancy(), e.paperRedundancySlow()
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("after %v: paperRedundancy = %v; the search from each blocked service gives %v", ids(m, failed), got, want)
		}
	})
}

// TestPaperRedundancyManyBlocked loses a site holding the failover control
// plane of 150 services (more than two words of the bitmap); each of two
// features needs a different share of them.
func TestPaperRedundancyManyBlocked(t *testing.T) {
	var b strings.Builder
	b.WriteString("services:\n  - id: ops\n    placement: [{on: rack-2}]\n")
	var even, all []string
	for i := range 150 {
		id := fmt.Sprintf("db-%03d", i)
		fmt.Fprintf(&b, "  - {id: %s, placement: [{on: rack-1}, {on: rack-b1, role: standby}], failover: {via: [ops]}}\n", id)
		all = append(all, id)
		if i%2 == 0 {
			even = append(even, id)
		}
	}
	fmt.Fprintf(&b, "features:\n  - {id: f-all, users: 1, dependsOn: [%s]}\n  - {id: f-even, users: 1, dependsOn: [%s]}\n",
		strings.Join(all, ", "), strings.Join(even, ", "))
	m := mustBuild(t, loadInventory(t, rulesBase, b.String()))
	e := m.NewEvaluator()
	e.Run(lookupAll(t, m, []string{"site-a"}))
	got := e.paperRedundancy()
	if want := e.paperRedundancySlow(); !reflect.DeepEqual(got, want) {
		t.Fatalf("paperRedundancy = %v; the search from each blocked service gives %v", got, want)
	}
	ops := lookupAll(t, m, []string{"ops"})
	for f, svcs := range map[string][]string{"f-all": all, "f-even": even} {
		p := got[lookupAll(t, m, []string{f})[0]]
		if want := lookupAll(t, m, svcs); !slices.Equal(p.Services, want) || !slices.Equal(p.BlockedBy, ops) {
			t.Fatalf("%s: blocked services %v via %v; want %d services via ops", f, ids(m, p.Services), ids(m, p.BlockedBy), len(want))
		}
	}
}
