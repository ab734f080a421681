package graph

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/blast-dev/blast/inventory"
)

// checkSingleFailures compares SingleFailures over every component and
// service with the naive loop: one fresh evaluation per candidate.
func checkSingleFailures(t *testing.T, m *Model) {
	t.Helper()
	var cands []int32
	for v := int32(0); v < int32(m.Len()); v++ {
		if m.Kind(v) != Feature {
			cands = append(cands, v)
		}
	}
	sf := m.SingleFailures(cands)
	for _, k := range cands {
		r := m.Simulate([]int32{k})
		for v := int32(0); v < int32(m.Len()); v++ {
			if got, want := sf.StateUnder(v, k), r.State(v); got != want {
				t.Fatalf("SingleFailures: %s with %s failed = %v; want %v (naive evaluation)", m.ID(v), m.ID(k), got, want)
			}
		}
	}
}

// checkResidual compares the residual sets after each first failure with
// the naive loop over pairs of failures.
func checkResidual(t *testing.T, m *Model) {
	t.Helper()
	var cands []int32
	for v := int32(0); v < int32(m.Len()); v++ {
		if m.Kind(v) != Feature {
			cands = append(cands, v)
		}
	}
	sf := m.SingleFailures(cands)
	e := m.NewEvaluator()
	// Every tenth candidate as the first failure keeps the pairs loop short;
	// TestResidualMatchesNaivePairs covers random inventories fully.
	for i, d := range cands {
		if i%10 != 0 {
			continue
		}
		res := sf.After(d, e, nil)
		first := m.Simulate([]int32{d})
		for v := int32(0); v < int32(m.Len()); v++ {
			var want []int32
			if first.State(v) != Down {
				for _, k := range cands {
					if k != d && m.Simulate([]int32{d, k}).State(v) == Down {
						want = append(want, k)
					}
				}
			}
			if got := res.Down(v); !slices.Equal(got, want) {
				t.Fatalf("After(%s).Down(%s) = %v; want %v (naive pairs)", m.ID(d), m.ID(v), ids(m, got), ids(m, want))
			}
		}
	}
}

func TestSingleFailuresExamples(t *testing.T) {
	files, _ := filepath.Glob("../examples/[kn]a*-20[0-9][0-9]*.yaml") // the inventories, not policy.yaml
	if len(files) == 0 {
		t.Fatal("no example inventories")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			inv, _, err := inventory.LoadFiles([]inventory.File{{Name: f, Data: data}})
			if err != nil {
				t.Fatal(err)
			}
			m, err := Build(inv)
			if err != nil {
				t.Fatal(err)
			}
			checkSingleFailures(t, m)
			if !testing.Short() {
				checkResidual(t, m)
			}
		})
	}
}
