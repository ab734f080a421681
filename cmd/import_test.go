package cmd

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/blast-dev/blast/internal/golden"
)

func TestImportFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
		check   func(o *ImportOptions) bool
	}{
		{"format from extension", []string{"netbox", "dir", "-o", "out.json"}, "", func(o *ImportOptions) bool { return o.Format == "json" && o.Output == "out.json" }},
		{"default yaml to stdout", []string{"kubernetes", "m.yaml"}, "", func(o *ImportOptions) bool { return o.Format == "yaml" && o.Output == "-" }},
		{"explicit format", []string{"backstage", "c/", "-o", "x.txt", "--format", "json"}, "", func(o *ImportOptions) bool { return o.Format == "json" }},
		{"merge and mapping", []string{"traces", "d.json", "--merge", "a.yaml", "--merge", "b/", "--mapping", "m.yaml"}, "", func(o *ImportOptions) bool {
			return strings.Join(o.Merge, "|") == "a.yaml|b/" && o.Mapping == "m.yaml"
		}},
		{"dry run", []string{"kubernetes", "m.yaml", "-n", "-o", "x.yaml"}, "", func(o *ImportOptions) bool { return o.DryRun && o.Output == "x.yaml" }},
		{"bad format", []string{"netbox", "d", "--format", "xml"}, `--format "xml"`, nil},
		{"mapping without merge", []string{"kubernetes", "m.yaml", "--mapping", "m.yaml"}, "give the base with --merge", nil},
		{"no input", []string{"backstage"}, "name the catalog files", nil},
		{"netbox both", []string{"netbox", "d", "--url", "https://nb"}, "not both", nil},
		{"negative soft", []string{"traces", "d.json", "--soft-below", "-1"}, "must be 0 or more", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got *ImportOptions
			var c = NewCmdImport(&IO{})
			for _, sub := range c.Commands() {
				c.RemoveCommand(sub)
			}
			c.AddCommand(
				NewCmdImportNetBox(&IO{}, func(o *ImportNetBoxOptions) error { got = &o.ImportOptions; return nil }),
				NewCmdImportKubernetes(&IO{}, func(o *ImportKubernetesOptions) error { got = &o.ImportOptions; return nil }),
				NewCmdImportBackstage(&IO{}, func(o *ImportBackstageOptions) error { got = &o.ImportOptions; return nil }),
				NewCmdImportTraces(&IO{}, func(o *ImportTracesOptions) error { got = &o.ImportOptions; return nil }),
			)
			c.SetArgs(tc.args)
			c.SetOut(&bytes.Buffer{})
			c.SetErr(&bytes.Buffer{})
			err := c.Execute()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("import %v: error = %v; want one containing %q", tc.args, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("import %v: %v", tc.args, err)
			}
			if !tc.check(got) {
				t.Errorf("import %v: options = %+v", tc.args, *got)
			}
		})
	}
}

// TestImportPipeline runs the README's path, NetBox then Kubernetes then
// Backstage, then audit and report, into a temporary directory and checks
// each inventory written against the one shipped in examples/import.
func TestImportPipeline(t *testing.T) {
	dir := t.TempDir()
	ex := "../examples/import/"
	steps := []struct {
		out  string
		args []string
	}{
		{"physical.yaml", []string{"import", "netbox", ex + "netbox/v4"}},
		{"k8s.yaml", []string{"import", "kubernetes", ex + "kubernetes", "--merge", filepath.Join(dir, "physical.yaml"), "--mapping", ex + "mapping.yaml"}},
		{"estate.yaml", []string{"import", "backstage", ex + "backstage", "--merge", filepath.Join(dir, "k8s.yaml"), "--mapping", ex + "mapping.yaml"}},
	}
	for _, s := range steps {
		args := append(s.args, "-o", filepath.Join(dir, s.out))
		_, stderr, code := run(t, "", args...)
		if code != ExitOK {
			t.Fatalf("blast %v: exit %d: %s", args, code, stderr)
		}
		got, err := os.ReadFile(filepath.Join(dir, s.out))
		if err != nil {
			t.Fatal(err)
		}
		if s.out != "k8s.yaml" {
			golden.CheckFile(t, ex+s.out, got)
		}
		golden.Check(t, "import-"+strings.TrimSuffix(s.out, ".yaml")+".stderr", []byte(stderr))
	}
	if _, stderr, code := run(t, "", "audit", "-f", filepath.Join(dir, "estate.yaml"), "--top", "3"); code != ExitOK {
		t.Errorf("audit of the imported estate: exit %d: %s", code, stderr)
	}
	html := filepath.Join(dir, "estate.html")
	if _, stderr, code := run(t, "", "report", "-f", filepath.Join(dir, "estate.yaml"), "--format", "html", "-o", html, "--now", "2026-01-01T00:00:00Z"); code != ExitOK {
		t.Errorf("report of the imported estate: exit %d: %s", code, stderr)
	}
	if data, err := os.ReadFile(html); err != nil || !strings.Contains(string(data), "feature/online-boutique") {
		t.Errorf("report of the imported estate: %v; want a page naming the features", err)
	}
}

func TestImportRun(t *testing.T) {
	dir := t.TempDir()
	ex := "../examples/import/"
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	existing := write("keep.yaml", "old contents\n")
	badMapping := write("bad-mapping.yaml", "apiVersion: blast/v1\nkind: Mapping\ncomponents:\n  kr-pangyo-1: pangyoo\n")
	conflict := write("conflict.yaml", "apiVersion: blast/v1\nkind: Mapping\ncomponents:\n  kr-pangyo-1: gasan\n")
	for _, tc := range []struct {
		name      string
		args      []string
		code      int
		stderrHas string
		stdoutHas string
	}{
		{"to stdout as json", []string{"import", "traces", ex + "traces", "--soft-below", "100", "--format", "json"}, ExitOK, "soft: fewer than 100", `"soft": true`},
		{"bad input keeps the old file", []string{"import", "traces", write("bad.json", `[{"parent": "a"`), "-o", existing}, ExitInput, "bad.json:1:16: syntax error: unexpected end of file", ""},
		{"refuses to overwrite an input", []string{"import", "netbox", ex + "netbox/v4", "--merge", existing, "-o", existing}, ExitInput, "is also an input", ""},
		{"unknown api version", []string{"import", "kubernetes", write("old.yaml", "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: a}\n")}, ExitInput, `old.yaml:1:13: unsupported apiVersion "extensions/v1beta1" for Deployment`, ""},
		{"mapping to an unknown id", []string{"import", "kubernetes", ex + "kubernetes", "--merge", ex + "physical.yaml", "--mapping", badMapping}, ExitInput, `bad-mapping.yaml:4:3: "kr-pangyo-1" is mapped to "pangyoo", which the base does not have; did you mean "pangyo"?`, ""},
		{"conflict", []string{"import", "kubernetes", ex + "kubernetes", "--merge", ex + "physical.yaml", "--mapping", conflict}, ExitInput, `physical.yaml:`, ""},
		{"parent needs a source", []string{"import"}, ExitInput, "name a source", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := run(t, "", tc.args...)
			if code != tc.code {
				t.Errorf("blast %v exit = %d; want %d (stderr: %s)", tc.args, code, tc.code, stderr)
			}
			if !strings.Contains(stderr, tc.stderrHas) {
				t.Errorf("blast %v stderr = %q; want it to contain %q", tc.args, stderr, tc.stderrHas)
			}
			if !strings.Contains(stdout, tc.stdoutHas) {
				t.Errorf("blast %v stdout = %q; want it to contain %q", tc.args, stdout, tc.stdoutHas)
			}
		})
	}
	if data, _ := os.ReadFile(existing); string(data) != "old contents\n" {
		t.Errorf("a failed import changed its -o file: %q", data)
	}
	if ents, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(ents) > 0 {
		t.Errorf("temporary files left behind: %v", ents)
	}
	// The conflict names both sides.
	_, stderr, _ := run(t, "", "import", "kubernetes", ex+"kubernetes", "--merge", ex+"physical.yaml", "--mapping", conflict)
	if !strings.Contains(stderr, `component "pg-k8s-01": kubernetes puts it in "gasan"`) {
		t.Errorf("conflict stderr = %q; want the node's two places named", stderr)
	}
}

// TestImportNetBoxLive serves the saved endpoints over HTTP, split into
// pages, and checks that live mode follows next, sends the token, and
// never prints it.
func TestImportNetBoxLive(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef01234567"
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Token "+token {
			http.Error(w, "no", http.StatusForbidden)
			return
		}
		ep := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/api/dcim/"), "/")
		data, err := os.ReadFile("../examples/import/netbox/v4/" + ep + ".json")
		if err != nil {
			http.NotFound(w, r)
			return
		}
		var list struct{ Results []json.RawMessage }
		json.Unmarshal(data, &list)
		// Two results a page.
		offset := 0
		if o := r.URL.Query().Get("offset"); o != "" {
			json.Unmarshal([]byte(o), &offset)
		}
		end := min(offset+2, len(list.Results))
		var next any
		if end < len(list.Results) {
			next = srv.URL + r.URL.Path + "?limit=2&offset=" + itoa(end)
		}
		json.NewEncoder(w).Encode(map[string]any{"count": len(list.Results), "next": next, "previous": nil, "results": list.Results[offset:end]})
	}))
	defer srv.Close()
	t.Setenv(NetBoxTokenEnv, token)
	stdout, stderr, code := run(t, "", "import", "netbox", "--url", srv.URL)
	if code != ExitOK {
		t.Fatalf("live import: exit %d: %s", code, stderr)
	}
	want, err := os.ReadFile("../examples/import/physical.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if stdout != string(want) {
		t.Errorf("live import differs from the import of the saved files:\n%s", stdout)
	}
	if strings.Contains(stdout+stderr, token) {
		t.Error("live import printed the token")
	}
	t.Setenv(NetBoxTokenEnv, "wrong")
	_, stderr, code = run(t, "", "import", "netbox", "--url", srv.URL)
	if code != ExitInput || !strings.Contains(stderr, "set NETBOX_TOKEN") || strings.Contains(stderr, "wrong") {
		t.Errorf("live import with a bad token: exit %d, stderr %q", code, stderr)
	}
}

// TestImportReportJSON checks the --report file of the README's second
// step against a golden file, and that it says what the text report says.
func TestImportReportJSON(t *testing.T) {
	dir := t.TempDir()
	ex := "../examples/import/"
	rep := filepath.Join(dir, "report.json")
	_, stderr, code := run(t, "", "import", "kubernetes", ex+"kubernetes", "--merge", ex+"physical.yaml", "--mapping", ex+"mapping.yaml",
		"-o", filepath.Join(dir, "k8s.yaml"), "--report", rep)
	if code != ExitOK {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(rep)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "import-kubernetes.report.json", data)
	var parsed map[string]any
	if err := json.Unmarshal(data, &parsed); err != nil {
		t.Fatalf("--report is not JSON: %v", err)
	}
	for _, want := range []string{"pg-k8s-03", "redis-cart", "shop/emailservice"} {
		if !strings.Contains(string(data), want) || !strings.Contains(stderr, want) {
			t.Errorf("report: %q in the JSON: %v, in the text: %v; want both", want, strings.Contains(string(data), want), strings.Contains(stderr, want))
		}
	}
}

// TestImportDryRun checks that --dry-run prints the report and writes
// neither the inventory nor the report file, and still refuses bad input.
func TestImportDryRun(t *testing.T) {
	dir := t.TempDir()
	ex := "../examples/import/"
	out, rep := filepath.Join(dir, "k8s.yaml"), filepath.Join(dir, "report.json")
	stdout, stderr, code := run(t, "", "import", "kubernetes", ex+"kubernetes", "--merge", ex+"physical.yaml", "--mapping", ex+"mapping.yaml",
		"--dry-run", "-o", out, "--report", rep)
	if code != ExitOK {
		t.Fatalf("dry run: exit %d: %s", code, stderr)
	}
	if stdout != "" || !strings.HasPrefix(stderr, "kubernetes: ") {
		t.Errorf("dry run: stdout %q, stderr %q; want no stdout and the report on stderr", stdout, stderr)
	}
	for _, p := range []string{out, rep} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("dry run wrote %s", p)
		}
	}
	if _, _, code := run(t, "", "import", "traces", "-n", filepath.Join(dir, "missing.json")); code != ExitInput {
		t.Errorf("dry run of a missing file: exit %d; want %d", code, ExitInput)
	}
}

// TestImportNetBoxNoToken checks that live mode without a token says
// which variable to set, before any request.
func TestImportNetBoxNoToken(t *testing.T) {
	t.Setenv(NetBoxTokenEnv, "")
	_, stderr, code := run(t, "", "import", "netbox", "--url", "https://netbox.invalid")
	if code != ExitInput || !strings.Contains(stderr, "--url needs an API token in $NETBOX_TOKEN") || strings.Contains(stderr, "***") {
		t.Errorf("import without a token: exit %d, stderr %q", code, stderr)
	}
}

// TestImportTracesMerge checks that observed calls merged into an estate
// give an inventory that audit accepts: calls to services the estate does
// not have are reported, not added without placement.
func TestImportTracesMerge(t *testing.T) {
	out := filepath.Join(t.TempDir(), "with-traces.yaml")
	_, stderr, code := run(t, "", "import", "traces", "../examples/import/traces", "--soft-below", "100", "--merge", "../examples/import/estate.yaml", "-o", out)
	if code != ExitOK {
		t.Fatalf("import traces --merge: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "calls to services the base does not have, e.g. checkoutservice → emailservice") {
		t.Errorf("stderr = %s; want the calls to unknown services reported", stderr)
	}
	if _, stderr, code := run(t, "", "audit", "-f", out); code != ExitOK {
		t.Errorf("audit of the merged estate: exit %d: %s", code, stderr)
	}
}

// TestImportHelpExamples parses every blast line of the import commands'
// examples as the command would, and checks that none writes over one of
// its inputs (which the run refuses).
func TestImportHelpExamples(t *testing.T) {
	root := NewCmdImport(&IO{})
	cmds := append([]*cobra.Command{root}, root.Commands()...)
	n := 0
	for _, c := range cmds {
		for _, line := range strings.Split(c.Example, "\n") {
			fields := strings.Fields(line)
			for len(fields) > 0 && strings.Contains(fields[0], "=") {
				fields = fields[1:] // NETBOX_TOKEN=... before the command
			}
			if len(fields) < 2 || fields[0] != "blast" || fields[1] != "import" {
				continue
			}
			n++
			t.Run(strings.Join(fields[2:], " "), func(t *testing.T) {
				var got *ImportOptions
				c := NewCmdImport(&IO{})
				for _, sub := range c.Commands() {
					c.RemoveCommand(sub)
				}
				c.AddCommand(
					NewCmdImportNetBox(&IO{}, func(o *ImportNetBoxOptions) error { got = &o.ImportOptions; return nil }),
					NewCmdImportKubernetes(&IO{}, func(o *ImportKubernetesOptions) error { got = &o.ImportOptions; return nil }),
					NewCmdImportBackstage(&IO{}, func(o *ImportBackstageOptions) error { got = &o.ImportOptions; return nil }),
					NewCmdImportTraces(&IO{}, func(o *ImportTracesOptions) error { got = &o.ImportOptions; return nil }),
					NewCmdImportOpenPSA(&IO{}, nil),
				)
				args := fields[2:]
				if i := slices.Index(args, ">"); i >= 0 {
					args = args[:i] // a shell redirection
				}
				if args[0] == "openpsa" {
					args = append(args, "--help") // parse only: its run reads the files
				}
				c.SetArgs(args)
				c.SetOut(&bytes.Buffer{})
				c.SetErr(&bytes.Buffer{})
				if err := c.Execute(); err != nil {
					t.Fatalf("blast import %v: %v", args, err)
				}
				if got == nil {
					return
				}
				for _, in := range append(append(slices.Clone(got.Inputs), got.Merge...), got.Mapping) {
					if same(in, got.Output) {
						t.Errorf("blast import %v: -o %s is also an input", args, got.Output)
					}
				}
			})
		}
	}
	if n < 6 {
		t.Errorf("%d example lines found; want the examples of every import command", n)
	}
}

// TestImportNetBoxDumpdataDualFed imports the dumpdata fixture, where
// server ay-db-01 takes power through two PDUs (their outlets cabled to its
// two power supplies, their inputs to feeds of panels UPS-1 and UPS-2), and
// checks that it survives the loss of either panel, not of both, and not of
// one panel and the other side's PDU: its power follows the cables.
func TestImportNetBoxDumpdataDualFed(t *testing.T) {
	inv := filepath.Join(t.TempDir(), "dump.yaml")
	if _, stderr, code := run(t, "", "import", "netbox", "../examples/import/netbox/dumpdata", "-o", inv); code != ExitOK {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	states := func(fail string) map[string]string {
		stdout, stderr, code := run(t, "", "simulate", "-f", inv, "--fail", fail, "--format", "json")
		if code != ExitOK {
			t.Fatalf("simulate --fail %s: exit %d: %s", fail, code, stderr)
		}
		var res struct {
			Components []struct{ ID, State string }
		}
		if err := json.Unmarshal([]byte(stdout), &res); err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, c := range res.Components {
			m[c.ID] = c.State
		}
		return m
	}
	for _, tc := range []struct{ fail, pdu, db, rack string }{
		{"anyang/UPS-1", "down", "up", "up"},
		{"anyang/UPS-2", "up", "up", "up"},
		{"anyang/UPS-1,anyang/UPS-2", "down", "down", "down"},
		{"anyang/UPS-1,ay-a01-pdu-b", "down", "down", "up"},
	} {
		s := states(tc.fail)
		if s["ay-a01-pdu-a"] != tc.pdu || s["ay-db-01"] != tc.db || s["anyang/A01"] != tc.rack {
			t.Errorf("--fail %s: ay-a01-pdu-a %s, ay-db-01 %s, anyang/A01 %s; want %s, %s, %s",
				tc.fail, s["ay-a01-pdu-a"], s["ay-db-01"], s["anyang/A01"], tc.pdu, tc.db, tc.rack)
		}
	}
}
