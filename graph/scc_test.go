package graph

import (
	"fmt"
	"slices"
	"testing"

	gonum "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/topo"
	"pgregory.net/rapid"
)

// TestSCCsMatchGonum holds the model's iterative Tarjan to gonum's
// TarjanSCC over the model's gonum view: the same components, and an order
// in which every component comes after those it needs.
func TestSCCsMatchGonum(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := mustBuild(t, genInventory(t))
		got := m.SCCs()
		var want [][]int32
		for _, c := range topo.TarjanSCC(m.Graph()) {
			var ids []int32
			for _, n := range c {
				ids = append(ids, int32(n.ID()))
			}
			slices.Sort(ids)
			want = append(want, ids)
		}
		key := func(cs [][]int32) []string {
			var out []string
			for _, c := range cs {
				out = append(out, fmt.Sprint(ids(m, c)))
			}
			slices.Sort(out)
			return out
		}
		if !slices.Equal(key(got), key(want)) {
			t.Fatalf("SCCs() = %v; gonum's TarjanSCC gives %v", key(got), key(want))
		}
		pos := make([]int, m.Len())
		for i, c := range got {
			for _, v := range c {
				pos[v] = i
			}
		}
		g := m.Graph()
		for v := int32(0); v < int32(m.Len()); v++ {
			for _, x := range gonum.NodesOf(g.From(int64(v))) {
				if pos[x.ID()] > pos[v] {
					t.Fatalf("SCCs() puts %s before %s, which it needs", m.ID(v), m.ID(int32(x.ID())))
				}
			}
		}
	})
}
