package inventory

import (
	"strings"
	"testing"
	"time"
)

// TestTierDefaultKeys: a tier key is a number, so "01" is tier 1 and
// TierDefault finds it; giving tier 1 as both "01" and "1" is an error at
// the second, with file:line:col and a hint.
func TestTierDefaultKeys(t *testing.T) {
	doc := func(tiers string) []byte {
		return []byte(`apiVersion: blast/v1
kind: Inventory
defaults:
  tiers:
` + tiers + `components:
  - {id: r1, kind: rack}
services:
  - {id: api, tier: 1, placement: [{on: r1}]}
features:
  - {id: f, dependsOn: [api]}
`)
	}
	inv, _, err := LoadFiles([]File{{Name: "a.yaml", Data: doc("    \"01\": {restart: 2h}\n")}})
	if err != nil {
		t.Fatal(err)
	}
	if td, ok := inv.TierDefault(1); !ok || time.Duration(td.Restart) != 2*time.Hour {
		t.Errorf("TierDefault(1) = %v, %v; want restart 2h from key \"01\"", td, ok)
	}

	_, _, err = LoadFiles([]File{{Name: "a.yaml", Data: doc("    1: {restart: 1h}\n    \"01\": {restart: 2h}\n")}})
	if err == nil {
		t.Fatal("LoadFiles(tier 1 as 1 and \"01\") = no error; want defaults given twice")
	}
	for _, want := range []string{"a.yaml:6:11:", "defaults for tier 1 given twice", `"01" is tier 1`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("LoadFiles error = %v; want it to contain %q", err, want)
		}
	}
}
