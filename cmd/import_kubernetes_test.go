package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blast-dev/blast/inventory"
)

// TestImportKubernetesZones imports the example without a node list,
// whose workloads a required node affinity and a topology spread
// constraint place in zones, and checks that the inventory written stands
// on its own (the zones are components) and that a mapping joins those
// zones with the sites of a NetBox layer.
func TestImportKubernetesZones(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "zones.yaml")
	_, stderr, code := run(t, "", "import", "kubernetes", "../examples/import/kubernetes-zones", "-o", out)
	if code != ExitOK {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	inv, diags, err := inventory.LoadFiles([]inventory.File{{Name: out, Data: data}})
	if err != nil {
		t.Fatalf("the import does not load on its own: %v", diags)
	}
	kinds := map[string]string{}
	for _, c := range inv.Components {
		kinds[c.ID] = c.Kind
	}
	for id, want := range map[string]string{"ap-northeast-2": "region", "ap-northeast-2a": "site", "ap-northeast-2b": "site", "ap-northeast-2c": "site"} {
		if kinds[id] != want {
			t.Errorf("component %s: kind %q; want %q", id, kinds[id], want)
		}
	}
	if strings.Contains(stderr, "not mapped") {
		t.Errorf("import left something out: %s", stderr)
	}

	mapping := filepath.Join(dir, "mapping.yaml")
	if err := os.WriteFile(mapping, []byte("apiVersion: blast/v1\nkind: Mapping\ncomponents:\n  ap-northeast-2: kr-capital\n  ap-northeast-2a: pangyo\n  ap-northeast-2b: gasan\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	merged := filepath.Join(dir, "merged.yaml")
	_, stderr, code = run(t, "", "import", "kubernetes", "../examples/import/kubernetes-zones",
		"--merge", "../examples/import/physical.yaml", "--mapping", mapping, "-o", merged)
	if code != ExitOK {
		t.Fatalf("merged import: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"joined: pangyo (kubernetes:label/topology.kubernetes.io/zone", "joined: gasan (", "joined: kr-capital ("} {
		if !strings.Contains(stderr, want) {
			t.Errorf("merged import stderr = %q; want it to contain %q", stderr, want)
		}
	}
	data, err = os.ReadFile(merged)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "ap-northeast-2a") || !strings.Contains(string(data), "- on: ap-northeast-2c") {
		t.Errorf("merged inventory: want the mapped zones renamed and the unmapped one kept:\n%s", data)
	}
	if _, stderr, code := run(t, "", "simulate", "-f", merged, "--fail", "pangyo"); code != ExitOK {
		t.Errorf("simulate on the merged inventory: exit %d: %s", code, stderr)
	}
}

// TestImportKubernetesRedacts checks that credentials in environment
// values reach neither the report on standard error nor the --report file.
func TestImportKubernetesRedacts(t *testing.T) {
	dir := t.TempDir()
	rep := filepath.Join(dir, "report.json")
	stdout, stderr, code := run(t, "", "import", "kubernetes", "../inventory/testdata/import/kubernetes-sched", "--report", rep)
	if code != ExitOK {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(rep)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{":pw@", "hunter2", "s3cret"} {
		for name, text := range map[string]string{"stderr": stderr, "report": string(data), "inventory": stdout} {
			if strings.Contains(text, secret) {
				t.Errorf("%s holds the secret %q:\n%s", name, secret, text)
			}
		}
	}
	for _, want := range []string{"redis://:***@LEDGER.shop.svc.cluster.local:6379/0", "env WEB_TOKEN_URL=***", "env CURRENCY_SERVICE_ADDR=currencyservice:7000"} {
		if !strings.Contains(stderr, want) || !strings.Contains(string(data), want) {
			t.Errorf("report: want %q in the text and the JSON; text:\n%s", want, stderr)
		}
	}
}

// TestImportKubernetesBadInput checks that bad manifests stop the import
// with exit 2 and name the place of the fault.
func TestImportKubernetesBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name, file, data, want string
	}{
		{"truncated", "cut.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  selector: {matchLabels: {app: a\n", "cut.yaml:7:1: syntax error"},
		{"unknown apiVersion", "old.yaml", "apiVersion: apps/v1beta1\nkind: Deployment\nmetadata: {name: a}\n", `old.yaml:1:13: unsupported apiVersion "apps/v1beta1" for Deployment`},
		{"selector selecting no pod of its own", "sel.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: b}}\n", "sel.yaml:5:13: Deployment default/a: spec.selector does not select the pod template's labels"},
		{"truncated JSON list", "nodes.json", `{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Node"`, "nodes.json:1:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, "out.yaml")
			stdout, stderr, code := run(t, "", "import", "kubernetes", write(tc.file, tc.data), "-o", out)
			if code != ExitInput || !strings.Contains(stderr, tc.want) || stdout != "" {
				t.Errorf("import %s: exit %d, stderr %q; want exit %d and %q", tc.name, code, stderr, ExitInput, tc.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("import %s wrote %s", tc.name, out)
			}
		})
	}
	if _, stderr, code := run(t, "", "import", "kubernetes", "../examples/import/kubernetes-zones", "--zones", "a,,b"); code != ExitInput || !strings.Contains(stderr, "--zones: a zone name is empty") {
		t.Errorf("--zones a,,b: exit %d, stderr %q", code, stderr)
	}
}

// TestImportKubernetesZoneFlag checks that --zones places a workload
// spread over zones that nothing else names.
func TestImportKubernetesZoneFlag(t *testing.T) {
	in := "../inventory/testdata/import/kubernetes-spread"
	stdout, stderr, code := run(t, "", "import", "kubernetes", in)
	if code != ExitOK || !strings.Contains(stderr, "give the nodes with --nodes, or the zones with --zones a,b,c), e.g. default/cache") {
		t.Fatalf("without --zones: exit %d, stderr %q", code, stderr)
	}
	if strings.Contains(stdout, "zone-3") {
		t.Errorf("without --zones: a zone no affinity allows was placed:\n%s", stdout)
	}
	stdout, stderr, code = run(t, "", "import", "kubernetes", in, "--zones", "zone-3,zone-1", "--zones", "zone-2")
	if code != ExitOK || strings.Contains(stderr, "default/cache") {
		t.Fatalf("with --zones: exit %d, stderr %q", code, stderr)
	}
	want := "  - id: cache\n    placement:\n      - on: zone-1\n        replicas: 2\n      - on: zone-2\n        replicas: 2\n      - on: zone-3\n        replicas: 1\n"
	if !strings.Contains(stdout, want) {
		t.Errorf("with --zones: want cache spread 2/2/1 over the three zones:\n%s", stdout)
	}
}
