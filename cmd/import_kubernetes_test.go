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
