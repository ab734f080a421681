package inventory_test

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blast-dev/blast/internal/golden"
	"github.com/blast-dev/blast/inventory"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v4"
)

// TestSchemaUpToDate keeps the committed schema equal to the one generated
// from the Go types; go test -update rewrites it.
func TestSchemaUpToDate(t *testing.T) {
	golden.CheckFile(t, "inventory.schema.json", inventory.Schema())
}

// compileSchema compiles a generated JSON Schema (inventory.Schema or
// inventory.PolicySchema) under its id.
func compileSchema(t *testing.T, schema []byte, id string) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(id)
	if err != nil {
		t.Fatalf("schema does not compile: %v", err)
	}
	return s
}

// yamlToJSONValue decodes YAML into the generic values the schema
// validator takes.
func yamlToJSONValue(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSchemaAcceptsExamples(t *testing.T) {
	s := compileSchema(t, inventory.Schema(), inventory.SchemaID)
	files, err := filepath.Glob("../examples/[kn]a*-20[0-9][0-9]*.yaml") // the inventories, not policy.yaml
	if err != nil || len(files) == 0 {
		t.Fatalf("no example inventories found: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Validate(yamlToJSONValue(t, data)); err != nil {
				t.Errorf("schema rejects %s: %v", f, err)
			}
		})
	}
}

func TestSchemaRejects(t *testing.T) {
	s := compileSchema(t, inventory.Schema(), inventory.SchemaID)
	head := "apiVersion: blast/v1\nkind: Inventory\n"
	for _, tc := range []struct{ name, doc, want string }{
		{"unknown field", head + "services: [{id: a, placment: [{on: r}]}]\n", "placment"},
		{"bad quorum", head + "services: [{id: a, quorum: majorty}]\n", "quorum"},
		{"component without kind", head + "components: [{id: r}]\n", "kind"},
		{"dependency form", head + "features: [{id: f, dependsOn: [{anyof: [a]}]}]\n", "dependsOn"},
		{"wrong apiVersion", "apiVersion: blast/v2\nkind: Inventory\n", "apiVersion"},
		{"id with comma", head + "features: [{id: \"a,b\", dependsOn: [x]}]\n", "id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Validate(yamlToJSONValue(t, []byte(tc.doc)))
			if err == nil {
				t.Fatalf("Validate(%q) = nil; want an error mentioning %q", tc.doc, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate(%q) = %v; want it to mention %q", tc.doc, err, tc.want)
			}
		})
	}
}

// TestPolicySchema keeps the committed policy schema current and checks it
// accepts the default policy.
func TestPolicySchema(t *testing.T) {
	golden.CheckFile(t, "policy.schema.json", inventory.PolicySchema())
	s := compileSchema(t, inventory.PolicySchema(), inventory.PolicySchemaID)
	data, err := os.ReadFile("../examples/policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(yamlToJSONValue(t, data)); err != nil {
		t.Errorf("policy schema rejects examples/policy.yaml: %v", err)
	}
	if s.Validate(yamlToJSONValue(t, []byte("apiVersion: blast/v1\nkind: Policy\nrules: [{id: a, type: surive}]\n"))) == nil {
		t.Error("policy schema accepts rule type surive")
	}
}

// TestReliability checks the failure data and defaults an inventory
// carries: explicit unavailability, mtbf/mttr, kind and service defaults,
// tier defaults.
func TestReliability(t *testing.T) {
	data, err := os.ReadFile("testdata/validate/reliability.yaml")
	if err != nil {
		t.Fatal(err)
	}
	inv, _, err := inventory.LoadFiles([]inventory.File{{Name: "reliability.yaml", Data: data}})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*inventory.Component{}
	for i := range inv.Components {
		byID[inv.Components[i].ID] = &inv.Components[i]
	}
	for _, tc := range []struct {
		id   string
		want float64
	}{
		{"s1", 12.0 / (87600 + 12)}, // site default from mtbf/mttr
		{"r1", 0.001},               // its own
		{"r2", 4.0 / (8760 + 4)},    // its own mtbf/mttr over the rack default
	} {
		got, ok := inv.ComponentReliability(byID[tc.id])
		if !ok || math.Abs(got-tc.want) > 1e-15 {
			t.Errorf("ComponentReliability(%s) = %v, %v; want %v", tc.id, got, ok, tc.want)
		}
	}
	if got, ok := inv.ServiceReliability(&inv.Services[0]); !ok || math.Abs(got-0.5/720.5) > 1e-15 {
		t.Errorf("ServiceReliability(api) = %v, %v; want %v", got, ok, 0.5/720.5)
	}
	if td, ok := inv.TierDefault(1); !ok || time.Duration(td.Restart) != 10*time.Minute || time.Duration(td.RTO) != 30*time.Minute {
		t.Errorf("TierDefault(1) = %+v, %v; want restart 10m, rto 30m", td, ok)
	}
	if _, ok := inv.TierDefault(3); ok {
		t.Error("TierDefault(3) found; want none")
	}
	if !byID["r2"].Failed || byID["r1"].Failed || byID["s1"].Source != "netbox:dcim/sites/1" {
		t.Errorf("failed/source not read: r2 %v, r1 %v, s1 %q", byID["r2"].Failed, byID["r1"].Failed, byID["s1"].Source)
	}
}

// TestPolicySchemaRuleTypes checks the schema's per-type constraints on
// one rule at a time, and that blast's own reading of the policy agrees:
// what the schema refuses, ParsePolicy refuses, with the field's position.
func TestPolicySchemaRuleTypes(t *testing.T) {
	s := compileSchema(t, inventory.PolicySchema(), inventory.PolicySchemaID)
	for _, tc := range []struct {
		rule string
		ok   bool
		pos  string // where ParsePolicy points, when not ok
	}{
		{"{id: r, type: survive, kinds: [site], allow: degraded}", true, ""},
		{"{id: r, type: survive, kinds: [site], min: 2}", false, "p.yaml:4:48"},
		{"{id: r, type: survive, kinds: [site], maxUsers: 5}", false, "p.yaml:4:53"},
		{"{id: r, type: survive}", false, "p.yaml:4:5"},
		{"{id: r, type: maxImpact, kinds: [rack], maxUsers: 5}", true, ""},
		{"{id: r, type: maxImpact, kinds: [rack], maxPercent: 5}", true, ""},
		{"{id: r, type: maxImpact, kinds: [rack]}", false, "p.yaml:4:5"},
		{"{id: r, type: maxImpact, kinds: [rack], maxUsers: 5, allow: up}", false, "p.yaml:4:65"},
		{"{id: r, type: independentFailover, kinds: [site]}", true, ""},
		{"{id: r, type: independentFailover, kinds: [site], min: 1}", false, "p.yaml:4:60"},
		{"{id: r, type: spread, kinds: [site], min: 2}", true, ""},
		{"{id: r, type: spread, kinds: [site, rack], min: 2}", false, "p.yaml:4:5"},
		{"{id: r, type: spread, kinds: [site]}", false, "p.yaml:4:5"},
		{"{id: r, type: noCycles}", true, ""},
		{"{id: r, type: noCycles, select: {role: database}}", true, ""},
		{"{id: r, type: noCycles, kinds: [site]}", false, "p.yaml:4:36"},
	} {
		data := []byte("apiVersion: blast/v1\nkind: Policy\nrules:\n  - " + tc.rule + "\n")
		if err := s.Validate(yamlToJSONValue(t, data)); (err == nil) != tc.ok {
			t.Errorf("policy schema on %s: error %v; want ok %v", tc.rule, err, tc.ok)
		}
		_, diags, err := inventory.ParsePolicy(inventory.File{Name: "p.yaml", Data: data})
		if (err == nil) != tc.ok {
			t.Errorf("ParsePolicy(%s) error %v; want ok %v", tc.rule, err, tc.ok)
			continue
		}
		if !tc.ok && (len(diags) == 0 || diags[0].Pos.String() != tc.pos || diags[0].Hint == "") {
			t.Errorf("ParsePolicy(%s) diagnostics %v; want the first at %s, with a hint", tc.rule, diags, tc.pos)
		}
	}
}
