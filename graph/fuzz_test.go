package graph

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blast-dev/blast/examples"
	"github.com/blast-dev/blast/inventory"
)

// FuzzSelectAll feeds the --fail selector parser arbitrary terms against
// the Kakao example: it never panics, never hangs, and either returns a
// sorted set of node ids or an error that says which flag it is
// about.
//
//	go test ./graph -run '^$' -fuzz FuzzSelectAll -fuzztime 10m
func FuzzSelectAll(f *testing.F) {
	file, err := examples.File("kakao-2022")
	if err != nil {
		f.Fatal(err)
	}
	inv, _, err := inventory.LoadFiles([]inventory.File{file})
	if err != nil {
		f.Fatal(err)
	}
	m, err := Build(inv)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"pangyo", "site=pangyo", "kind=site", "within=pangyo", "building=pangyo", "pangyo,kind=rack", "x=", "=", ",,,", "kind=", "site=kakaotalk", "panygo", "  pangyo  ", "ａ=ｂ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, term string) {
		stop := time.AfterFunc(20*time.Second, func() { panic("SelectAll took longer than 20s") })
		defer stop.Stop()
		got, err := m.SelectAll([]string{term})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "--fail: ") {
				t.Fatalf("SelectAll(%q) error %q does not name --fail", term, err)
			}
			return
		}
		if !slices.IsSorted(got) {
			t.Fatalf("SelectAll(%q) = %v; not sorted", term, got)
		}
		for _, v := range got {
			if v < 0 || int(v) >= m.Len() {
				t.Fatalf("SelectAll(%q) holds %d, not a node", term, v)
			}
		}
	})
}
