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

func TestImportTracesBad(t *testing.T) {
	for _, tc := range []struct{ name, data, want string }{
		{"truncated", `[{"parent": "a", "child": "b", "callCount": 3}`, "x.json:1:47: syntax error: unexpected end of file"},
		{"no count", `[{"parent": "a", "child": "b"}]`, `x.json:1:2: edge a → b: want a call count`},
		{"no child", `[{"parent": "a", "callCount": 1}]`, "x.json:1:2: edge without a caller or callee"},
		{"shape", `{"services": []}`, "x.json:1:1: not a service graph"},
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
