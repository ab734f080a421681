package graph

import (
	"fmt"
	"testing"

	"github.com/blast-dev/blast/inventory"
)

// benchInventory builds a feature whose minimal cut sets multiply: the
// feature needs any one of groups services; service g runs one replica on
// each of racks racks with every replica needed, so it goes down with any
// of its racks, the pair of its racks' power feeds or its site. That
// makes (racks+2)^groups minimal cut sets of orders groups to 2·groups:
// hundreds of basic events, millions of sets.
func benchInventory(groups, racks int) *inventory.Inventory {
	inv := &inventory.Inventory{APIVersion: inventory.APIVersion, Kind: "Inventory"}
	u := 0.001
	feat := inventory.Feature{ID: "feature", DependsOn: []inventory.Dep{{Kind: inventory.DepAnyOf, K: 1}}}
	for g := range groups {
		site := fmt.Sprintf("site%d", g)
		inv.Components = append(inv.Components, inventory.Component{ID: site, Kind: "site", Reliability: inventory.Reliability{Unavailability: &u}})
		for p := range 2 {
			inv.Components = append(inv.Components, inventory.Component{ID: fmt.Sprintf("%s-ups%d", site, p), Kind: "power", Parent: ref(site), Reliability: inventory.Reliability{Unavailability: &u}})
		}
		s := inventory.Service{ID: fmt.Sprintf("svc%d", g), Quorum: &inventory.Quantity{Kind: inventory.QuantityPercent, Value: 100}}
		for r := range racks {
			id := fmt.Sprintf("%s-r%02d", site, r)
			inv.Components = append(inv.Components, inventory.Component{ID: id, Kind: "rack", Parent: ref(site),
				Power:       &inventory.Feeds{Feeds: []inventory.Ref{ref(site + "-ups0"), ref(site + "-ups1")}},
				Reliability: inventory.Reliability{Unavailability: &u}})
			s.Placement = append(s.Placement, inventory.Placement{On: ref(id)})
		}
		inv.Services = append(inv.Services, s)
		feat.DependsOn[0].Of = append(feat.DependsOn[0].Of, ref(s.ID))
	}
	inv.Features = []inventory.Feature{feat}
	return inv
}

func benchCuts(b *testing.B, groups, racks, maxOrder int) {
	m := mustBuild(b, benchInventory(groups, racks))
	f, _ := m.Lookup("feature")
	var total uint64
	for b.Loop() {
		cs := m.MinimalCutSets(f, FaultTreeOptions{}, maxOrder)
		total = 0
		for k := range cs.CountsByOrder {
			cs.Z.Order(cs.Family, k, func([]int32) { total++ })
		}
	}
	b.ReportMetric(float64(total), "cutsets")
	b.ReportMetric(float64(len(m.FaultTree(f, FaultTreeOptions{}).Events)), "events")
}

// 4 groups of 40 racks: 172 basic events, 42^4 = 3,111,696 cut sets.
func BenchmarkCutSets172Events2M(b *testing.B) { benchCuts(b, 4, 40, -1) }

// 5 groups of 20 racks: 115 basic events, 22^5 = 5,153,632 cut sets.
func BenchmarkCutSets115Events3M(b *testing.B) { benchCuts(b, 5, 20, -1) }

// The same with --max-order 4: every set has 5 events or more, none is
// built, and the work drops accordingly.
func BenchmarkCutSets115EventsMaxOrder4(b *testing.B) { benchCuts(b, 5, 20, 4) }

// 8 groups of 50 racks: 424 basic events, 52^8 (5·10^13) cut sets; order
// bound 3 leaves none of them, and the work stays small.
func BenchmarkCutSets424EventsMaxOrder3(b *testing.B) { benchCuts(b, 8, 50, 3) }

func BenchmarkAvailability424Events(b *testing.B) {
	m := mustBuild(b, benchInventory(8, 50))
	f, _ := m.Lookup("feature")
	ft := m.FaultTree(f, FaultTreeOptions{})
	p, _ := m.EventProbabilities(ft, nil)
	d := NewBDD()
	root := d.FromFaultTree(ft)
	for b.Loop() {
		dd := NewBDD()
		r := dd.FromFaultTree(ft)
		dd.Birnbaum(r, p)
	}
	b.ReportMetric(float64(len(d.reach(root))), "bddnodes")
}
