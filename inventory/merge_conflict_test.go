package inventory

import (
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
