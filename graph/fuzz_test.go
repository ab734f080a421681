package graph

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzSelectAll feeds the --fail selector parser arbitrary terms against
// the Kakao example: it never panics, never hangs, and either returns a
// sorted set of node ids or an error that says which flag it is
// about.
//
//	go test ./graph -run '^$' -fuzz FuzzSelectAll -fuzztime 10m
func FuzzSelectAll(f *testing.F) {
	m := exampleModel(f, "kakao-2022")
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
