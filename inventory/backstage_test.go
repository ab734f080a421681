package inventory

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestImportBackstage(t *testing.T) {
	imp, err := ImportBackstage(readDir(t, "../examples/import/backstage"))
	if err != nil {
		t.Fatal(err)
	}
	importGolden(t, "import/backstage", imp, false)
}

func TestImportBackstageBad(t *testing.T) {
	for _, tc := range []struct{ name, data, want string }{
		{"dangling dependsOn", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\nspec:\n  dependsOn: [component:b]\n",
			`x.yaml:5:15: component:default/a names "component:b", which is not in the catalog given`},
		{"typo", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: cart}\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\nspec:\n  dependsOn: [component:crat]\n",
			`did you mean "component:default/cart"?`},
		{"nothing", "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team}\n", "x.yaml:1:1: no service or feature imported"},
		{"unknown apiVersion", "apiVersion: backstage.io/v2\nkind: Component\nmetadata: {name: a}\n", `x.yaml:1:13: unsupported apiVersion "backstage.io/v2"`},
		{"truncated", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a\n", "x.yaml:4:1: syntax error"},
		{"bad users", "apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: s\n  annotations: {blast.dev/feature: \"true\", blast.dev/users: many}\n",
			`x.yaml:5:61: system:default/s: blast.dev/users "many" is not a number of users`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ImportBackstage([]File{{Name: "x.yaml", Data: []byte(tc.data)}})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ImportBackstage error = %v; want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestImportTraces(t *testing.T) {
	imp, err := ImportTraces(readDir(t, "../examples/import/traces"), 100)
	if err != nil {
		t.Fatal(err)
	}
	importGolden(t, "import/traces", imp, false)
	for _, s := range imp.Inv.Services {
		for _, d := range s.DependsOn {
			if want := d.Of[0].ID == "adservice" || d.Of[0].ID == "postgres"; d.Soft != want {
				t.Errorf("%s → %s soft = %v; want %v (fewer than 100 calls)", s.ID, d.Of[0].ID, d.Soft, want)
			}
		}
	}
}

// TestImportTracesOTLP reads an OTLP JSON metrics export of the
// servicegraph connector: a cumulative sum whose later data point of an
// edge holds the count, and another metric reported as not mapped.
func TestImportTracesOTLP(t *testing.T) {
	imp, err := ImportTraces(readDir(t, "testdata/import/otlp"), 100)
	if err != nil {
		t.Fatal(err)
	}
	importGolden(t, "import/traces-otlp", imp, false)
}

// TestImportTracesTwoFormats checks that an edge seen by Jaeger and by
// the service graph takes the larger count, not the sum.
func TestImportTracesTwoFormats(t *testing.T) {
	jaeger := File{Name: "j.json", Data: []byte(`[{"parent": "a", "child": "b", "callCount": 900}]`)}
	prom := File{Name: "p.json", Data: []byte(`{"status": "success", "data": {"resultType": "vector", "result": [{"metric": {"client": "a", "server": "b"}, "value": [1, "1000"]}]}}`)}
	imp, err := ImportTraces([]File{jaeger, prom}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := imp.Report.Inferred[0].Why, "1000 calls observed (the most of traces:jaeger + traces:otel)"; got != want {
		t.Errorf("a → b: %s; want %s", got, want)
	}
}

func TestImportTracesBad(t *testing.T) {
	for _, tc := range []struct{ name, data, want string }{
		{"truncated", `[{"parent": "a", "child": "b", "callCount": 3}`, "x.json:1:47: syntax error: unexpected end of file"},
		{"no count", `[{"parent": "a", "child": "b"}]`, `x.json:1:2: edge a → b: want a call count`},
		{"no child", `[{"parent": "a", "callCount": 1}]`, "x.json:1:2: edge without a caller or callee"},
		{"shape", `{"services": []}`, "x.json:1:1: not a service graph"},
		{"NaN", `{"status": "success", "data": {"resultType": "vector", "result": [{"metric": {"client": "a", "server": "b"}, "value": [1, "NaN"]}]}}`, `x.json:1:123: edge a → b: call count "NaN" is not a number of calls`},
		{"Inf", `{"status": "success", "data": {"resultType": "vector", "result": [{"metric": {"client": "a", "server": "b"}, "value": [1, "+Inf"]}]}}`, `x.json:1:123: edge a → b: call count "+Inf" is not a number of calls`},
		{"huge", `[{"parent": "a", "child": "b", "callCount": 1e30}]`, `edge a → b: call count "1e30" is not a number of calls`},
		{"jaeger error", `{"data": null, "total": 0, "limit": 0, "offset": 0, "errors": [{"code": 400, "msg": "parameter 'endTs' is required"}]}`, `x.json:1:64: Jaeger answered with an error: parameter 'endTs' is required (code 400)`},
		{"jaeger empty", `{"data": [], "total": 0, "limit": 0, "offset": 0, "errors": null}`, `x.json:1:1: the service graph has no calls between two services`},
		{"matrix", `{"status": "success", "data": {"resultType": "matrix", "result": []}}`, `x.json:1:46: Prometheus resultType "matrix": want vector`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ImportTraces([]File{{Name: "x.json", Data: []byte(tc.data)}}, 0)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ImportTraces error = %v; want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestImportBackstageDependencyOf checks that spec.dependencyOf, the
// catalog's reverse of dependsOn, gives the same dependency as dependsOn
// written on the other end.
func TestImportBackstageDependencyOf(t *testing.T) {
	entity := "apiVersion: backstage.io/v1beta1\nkind: %s\nmetadata: {name: %s}\nspec:\n  type: %s\n  owner: team\n%s"
	forward := fmt.Sprintf(entity, "Component", "cart", "service", "  lifecycle: production\n  dependsOn: [resource:cart-cache]\n") + "---\n" +
		fmt.Sprintf(entity, "Resource", "cart-cache", "cache", "")
	reverse := fmt.Sprintf(entity, "Component", "cart", "service", "  lifecycle: production\n") + "---\n" +
		fmt.Sprintf(entity, "Resource", "cart-cache", "cache", "  dependencyOf: [component:cart]\n")
	var got [2][]byte
	for i, data := range []string{forward, reverse} {
		imp, err := ImportBackstage([]File{{Name: "catalog-info.yaml", Data: []byte(data)}})
		if err != nil {
			t.Fatal(err)
		}
		if got[i], err = Encode(imp.Inv, "yaml"); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Contains(got[0], []byte("dependsOn:\n      - cart-cache")) {
		t.Fatalf("dependsOn import = \n%s\nwant cart to depend on cart-cache", got[0])
	}
	if !bytes.Equal(got[0], got[1]) {
		t.Errorf("dependencyOf import =\n%s\nwant the dependsOn import\n%s", got[1], got[0])
	}
}

// TestImportBackstageRefs checks references as Backstage reads them: kind,
// namespace and name without case, the kind defaulted per field (API for
// consumesApis, System for system) and required in dependsOn.
func TestImportBackstageRefs(t *testing.T) {
	doc := "apiVersion: backstage.io/v1alpha1\nkind: %s\nmetadata: {name: %s%s}\nspec:\n  type: service\n  owner: team\n%s"
	catalog := strings.Join([]string{
		fmt.Sprintf(doc, "Component", "Cart", "", "  providesApis: [Cart-API]\n  system: Shop\n"),
		fmt.Sprintf(doc, "API", "cart-api", "", ""),
		fmt.Sprintf(doc, "System", "shop", "", ""),
		fmt.Sprintf(doc, "Component", "checkout", "", "  dependsOn: [Component:cart]\n  consumesApis: [CART-api]\n"),
		fmt.Sprintf(doc, "Component", "front", ", namespace: Web", "  dependsOn: [component:Default/CART]\n"),
	}, "---\n")
	imp, err := ImportBackstage([]File{{Name: "c.yaml", Data: []byte(catalog)}})
	if err != nil {
		t.Fatalf("ImportBackstage: %v", err)
	}
	deps := map[string]string{}
	for _, s := range imp.Inv.Services {
		var ids []string
		for _, d := range s.DependsOn {
			ids = append(ids, d.Of[0].ID)
		}
		deps[s.ID] = strings.Join(ids, " ")
	}
	if deps["checkout"] != "Cart" || deps["Web/front"] != "Cart" {
		t.Errorf("dependencies = %v; want checkout and Web/front to depend on Cart", deps)
	}
	bare := fmt.Sprintf(doc, "Component", "cart", "", "") + "---\n" + fmt.Sprintf(doc, "Component", "a", "", "  dependsOn: [cart]\n")
	_, err = ImportBackstage([]File{{Name: "x.yaml", Data: []byte(bare)}})
	if want := `x.yaml:14:15: component:default/a: dependsOn names "cart" without a kind`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("ImportBackstage(dependsOn without kind) error = %v; want %q", err, want)
	}
}

// TestImportBackstageFeatureIDs checks that a System and a Component of
// one name, both features, get two feature ids, and that the report says
// so.
func TestImportBackstageFeatureIDs(t *testing.T) {
	feature := "apiVersion: backstage.io/v1alpha1\nkind: %s\nmetadata:\n  name: pay\n  annotations: {blast.dev/feature: \"true\"}\nspec:\n  type: service\n  owner: team\n%s"
	catalog := fmt.Sprintf(feature, "System", "") + "---\n" + fmt.Sprintf(feature, "Component", "  system: pay\n")
	imp, err := ImportBackstage([]File{{Name: "c.yaml", Data: []byte(catalog)}})
	if err != nil {
		t.Fatalf("ImportBackstage: %v", err)
	}
	var ids []string
	for _, f := range imp.Inv.Features {
		ids = append(ids, f.ID)
	}
	if got, want := strings.Join(ids, " "), "feature/component:default/pay feature/system:default/pay"; got != want {
		t.Errorf("feature ids = %s; want %s", got, want)
	}
	if !strings.Contains(strings.Join(imp.Report.Notes, "\n"), `takes feature id "feature/system:default/pay"`) {
		t.Errorf("report notes = %q; want the renaming reported", imp.Report.Notes)
	}
	data, _ := Encode(imp.Inv, "yaml")
	if _, diags, err := LoadFiles([]File{{Name: "f.yaml", Data: data}}); err != nil && !strings.Contains(diags.Error(), "placement") {
		t.Errorf("output does not load: %v", diags)
	}
}
