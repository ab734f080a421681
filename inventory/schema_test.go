package inventory_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

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

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(inventory.Schema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(inventory.SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(inventory.SchemaID)
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
	s := compileSchema(t)
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
	s := compileSchema(t)
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
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(inventory.PolicySchema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(inventory.PolicySchemaID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(inventory.PolicySchemaID)
	if err != nil {
		t.Fatal(err)
	}
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
