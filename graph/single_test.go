package graph

import (
	"os"
	"path/filepath"
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

func TestSingleFailuresExamples(t *testing.T) {
	files, _ := filepath.Glob("../examples/*.yaml")
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
		})
	}
}
