package graph

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

// drawFaultTree draws a random fault tree over a few events: and, or and
// atleast gates whose arguments are events, earlier gates (shared or
// not), now and then a constant, and gates wider than formulaWide; the
// top is the last gate or, rarely, an event or a constant.
func drawFaultTree(t *rapid.T) *FaultTree {
	ft := &FaultTree{}
	nEvents := rapid.IntRange(1, 10).Draw(t, "events")
	for i := range nEvents {
		ft.Events = append(ft.Events, BasicEvent{ID: fmt.Sprintf("e%d", i)})
	}
	for g := range rapid.IntRange(1, 14).Draw(t, "gates") {
		n := rapid.IntRange(1, 5).Draw(t, "args")
		if rapid.IntRange(0, 9).Draw(t, "wide") == 0 {
			n = formulaWide + 1 + rapid.IntRange(0, 3).Draw(t, "more")
		}
		gate := Gate{Op: Op(rapid.IntRange(0, 2).Draw(t, "op"))}
		for range n {
			switch k := rapid.IntRange(0, 19).Draw(t, "arg kind"); {
			case k == 0:
				gate.Args = append(gate.Args, rapid.SampledFrom([]Arg{True, False}).Draw(t, "constant"))
			case k < 9 && g > 0:
				gate.Args = append(gate.Args, GateArg(rapid.IntRange(0, g-1).Draw(t, "gate")))
			default:
				gate.Args = append(gate.Args, EventArg(rapid.IntRange(0, nEvents-1).Draw(t, "event")))
			}
		}
		if gate.Op == OpAtLeast {
			gate.K = rapid.IntRange(1, len(gate.Args)).Draw(t, "k")
		}
		ft.Gates = append(ft.Gates, gate)
	}
	ft.Top = GateArg(len(ft.Gates) - 1)
	switch rapid.IntRange(0, 19).Draw(t, "top kind") {
	case 0:
		ft.Top = EventArg(rapid.IntRange(0, nEvents-1).Draw(t, "top event"))
	case 1:
		ft.Top = rapid.SampledFrom([]Arg{True, False}).Draw(t, "top constant")
	}
	ft.Tops = []Arg{ft.Top}
	return ft
}

// TestFromFaultTreeMatchesGateByGate checks the formula expansion against
// building the BDD gate by gate and argument by argument: in one manager
// both must give the same node (BDDs are canonical), with formulas of
// every size limit down to a single operator, and gates built argument
// by argument when their formula would have more than 0, 1 or 2 gates as
// leaves.
func TestFromFaultTreeMatchesGateByGate(t *testing.T) {
	defer func(m, g int) { formulaMax, formulaGates = m, g }(formulaMax, formulaGates)
	checkRounds(t, func(t *rapid.T) {
		ft := drawFaultTree(t)
		formulaMax = rapid.SampledFrom([]int{1, 3, 8, 192}).Draw(t, "formula max")
		formulaGates = rapid.SampledFrom([]int{0, 1, 2, 32}).Draw(t, "formula gates")
		d := NewBDD()
		got := d.FromFaultTree(ft)
		want := d.fromFaultTreeByGates(ft)
		if got != want {
			t.Fatalf("FromFaultTree = node %d; gate by gate %d", got, want)
		}
	})
}

// fromFaultTreeByGates is FromFaultTree gate by gate and argument by
// argument: the tests' oracle.
func (d *BDD) fromFaultTreeByGates(ft *FaultTree) int32 {
	fn := make([]int32, len(ft.Gates))
	for i := range ft.Gates {
		fn[i] = d.plainGate(&ft.Gates[i], fn)
	}
	return d.arg(ft.Top, fn)
}
