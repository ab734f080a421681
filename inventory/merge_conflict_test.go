package inventory

import (
	"fmt"
	"strings"
	"testing"
)

// TestMergeReportsDisagreeingData: failure data, failovers and restart
// times that the base and a layer give differently are conflicts, named
// with the base's position, not silently resolved for the base.
func TestMergeReportsDisagreeingData(t *testing.T) {
	base := `apiVersion: blast/v1
kind: Inventory
components:
  - {id: r1, kind: rack, unavailability: 0.001}
  - {id: r2, kind: rack}
services:
  - {id: ops, placement: [{on: r2}]}
  - {id: api, placement: [{on: r1}, {on: r2, role: standby}], failover: {via: [ops], rto: 30m}, restart: 10m}
features:
  - {id: f, dependsOn: [api]}
`
	inv, _, err := LoadFiles([]File{{Name: "base.yaml", Data: []byte(base)}})
	if err != nil {
		t.Fatal(err)
	}
	u := 0.002
	layer := &Import{Report: &Report{Source: "test layer"}, Inv: &Inventory{
		Components: []Component{{ID: "r1", Kind: "rack", Reliability: Reliability{Unavailability: &u}, Source: "test:r1"}},
		Services:   []Service{{ID: "api", Failover: &Failover{Via: []Ref{{ID: "ops"}}, RTO: Duration(3600e9)}, Restart: Duration(600e9), Source: "test:api"}},
	}}
	_, err = Merge(inv, layer, nil)
	if err == nil {
		t.Fatal("Merge of disagreeing failure data and failover = no error; want conflicts")
	}
	msg := err.Error()
	for _, want := range []string{
		`base.yaml:4:5: components[0]: component "r1": test layer gives failure data unavailability 0.002, the base unavailability 0.001`,
		`service "api": test layer fails it over via [ops] rto 1h0m0s, the base via [ops] rto 30m0s`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("Merge error = %s\nwant it to contain %q", msg, want)
		}
	}
	if strings.Contains(msg, "restart") {
		t.Errorf("Merge reported the agreeing restart time: %s", msg)
	}
}

// TestMergeDisagreements checks what a merge must not resolve silently:
// two layer ids mapped to one base id, an edge hard on one side and soft
// on the other, and calls to services the base does not have; and that
// the mapping's components and services are separate.
func TestMergeDisagreements(t *testing.T) {
	base := `apiVersion: blast/v1
kind: Inventory
components:
  - {id: site, kind: site}
  - {id: pg-k8s-01, kind: host, parent: site}
  - {id: pg-k8s-02, kind: host, parent: site}
services:
  - {id: cart, placement: [{on: pg-k8s-01}]}
  - {id: front, placement: [{on: pg-k8s-02}], dependsOn: [cart]}
`
	inv, _, err := LoadFiles([]File{{Name: "base.yaml", Data: []byte(base)}})
	if err != nil {
		t.Fatal(err)
	}
	mapping := func(body string) *Mapping {
		t.Helper()
		m, err := ParseMapping(File{Name: "map.yaml", Data: []byte("apiVersion: blast/v1\nkind: Mapping\n" + body)})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	t.Run("many to one", func(t *testing.T) {
		layer := &Import{Report: newReport("kubernetes"), Inv: &Inventory{Components: []Component{
			{ID: "n1", Kind: "host", Source: "k:n1"}, {ID: "n2", Kind: "host", Source: "k:n2"},
		}}}
		_, err := Merge(inv, layer, mapping("components:\n  n1: pg-k8s-01\n  n2: pg-k8s-01\n"))
		if want := `map.yaml:5:3: "n1" and "n2" are both mapped to "pg-k8s-01": one component would take the place of two`; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Merge = %v; want %q", err, want)
		}
	})
	t.Run("sections apart", func(t *testing.T) {
		// A component pair does not rename a service of the same id.
		layer := &Import{Report: newReport("layer"), Inv: &Inventory{
			Components: []Component{{ID: "cart", Kind: "host", Source: "l:cart"}},
			Services:   []Service{{ID: "front", DependsOn: []Dep{hard("cart")}, Source: "l:front"}},
		}}
		out, err := Merge(inv, layer, mapping("components:\n  cart: pg-k8s-01\n"))
		if err != nil {
			t.Fatalf("Merge: %v", err)
		}
		for _, s := range out.Inv.Services {
			if s.ID == "front" && (len(s.DependsOn) != 1 || s.DependsOn[0].Of[0].ID != "cart") {
				t.Errorf("front depends on %v; want cart, not renamed by the components section", s.DependsOn)
			}
		}
	})
	t.Run("hard and soft", func(t *testing.T) {
		d := hard("cart")
		d.Soft = true
		layer := &Import{Report: newReport("traces"), JoinOnly: true, Inv: &Inventory{Services: []Service{
			{ID: "front", DependsOn: []Dep{d, hard("search")}, Source: "traces:jaeger"},
			{ID: "cart"}, {ID: "search"},
		}}}
		out, err := Merge(inv, layer, nil)
		if err != nil {
			t.Fatalf("Merge: %v", err)
		}
		for _, s := range out.Inv.Services {
			if s.ID == "front" && (len(s.DependsOn) != 1 || s.DependsOn[0].Soft) {
				t.Errorf("front depends on %+v; want cart once, hard", s.DependsOn)
			}
			if s.ID == "search" {
				t.Errorf("search, seen only in traces, was added")
			}
		}
		var rep strings.Builder
		out.Report.WriteText(&rep)
		for _, want := range []string{
			"note: service front: the dependency on cart is hard in the base, soft in traces: kept hard",
			"not mapped: 1 calls to services the base does not have, e.g. front → search",
		} {
			if !strings.Contains(rep.String(), want) {
				t.Errorf("report =\n%s\nwant %q", rep.String(), want)
			}
		}
		data, _ := Encode(out.Inv, "yaml")
		if _, diags, err := LoadFiles([]File{{Name: "out.yaml", Data: data}}); err != nil {
			t.Errorf("merged inventory does not load: %v", diags)
		}
	})
}

func TestJoinSource(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"netbox:dcim/devices/101", "netbox:dcim/devices/10", "netbox:dcim/devices/101 + netbox:dcim/devices/10"},
		{"k:x + netbox:dcim/devices/10", "netbox:dcim/devices/10", "k:x + netbox:dcim/devices/10"},
		{"", "k:x", "k:x"},
		{"k:x", "", "k:x"},
	} {
		if got := joinSource(tc.a, tc.b); got != tc.want {
			t.Errorf("joinSource(%q, %q) = %q; want %q", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestReportListsCapped checks that the text report lists the first
// MaxListed entries of a long list and says how many more there are.
func TestReportListsCapped(t *testing.T) {
	r := newReport("x")
	for i := range MaxListed + 5 {
		r.Inferred = append(r.Inferred, Note{ID: fmt.Sprintf("a%02d → b", i), Why: "seen"})
	}
	r.finish(&Inventory{})
	var b strings.Builder
	r.WriteText(&b)
	if n := strings.Count(b.String(), "  inferred: a"); n != MaxListed {
		t.Errorf("%d inferred lines; want %d", n, MaxListed)
	}
	if !strings.Contains(b.String(), "inferred: … and 5 more") {
		t.Errorf("report =\n%s\nwant the rest counted", b.String())
	}
}
