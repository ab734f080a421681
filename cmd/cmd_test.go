package cmd

import (
	"bytes"
	"encoding/json"
	"io"
	"math/rand/v2"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/blast-dev/blast/examples"
	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/internal/golden"
	"github.com/blast-dev/blast/inventory"
	"github.com/blast-dev/blast/out"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/spf13/cobra"
)

// run runs blast with args on in-memory IO and returns stdout, stderr and
// the exit code.
func run(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var o, e bytes.Buffer
	code := Main(args, &IO{In: strings.NewReader(stdin), Out: &o, ErrOut: &e})
	return o.String(), e.String(), code
}

func TestSimulateFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
		want    SimulateOptions
	}{
		{"one fail", []string{"-f", "a.yaml", "--fail", "pangyo"}, "",
			SimulateOptions{Files: []string{"a.yaml"}, Fail: []string{"pangyo"}, Format: "text"}},
		{"repeated", []string{"-f", "a.yaml", "-f", "dir/", "--fail", "a,b", "--fail", "kind=rack", "--format", "json"}, "",
			SimulateOptions{Files: []string{"a.yaml", "dir/"}, Fail: []string{"a,b", "kind=rack"}, Format: "json"}},
		{"no fail", []string{"-f", "a.yaml"}, "nothing to fail", SimulateOptions{}},
		{"bad format", []string{"-f", "a.yaml", "--fail", "x", "--format", "xml"}, `--format "xml"`, SimulateOptions{}},
		{"stray argument", []string{"-f", "a.yaml", "--fail", "x", "extra"}, "unknown command", SimulateOptions{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got *SimulateOptions
			c := NewCmdSimulate(&IO{}, func(o *SimulateOptions) error { got = o; return nil })
			c.SetArgs(tc.args)
			c.SetOut(&bytes.Buffer{})
			c.SetErr(&bytes.Buffer{})
			err := c.Execute()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("simulate %v: error = %v; want one containing %q", tc.args, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("simulate %v: %v", tc.args, err)
			}
			if strings.Join(got.Files, "|") != strings.Join(tc.want.Files, "|") ||
				strings.Join(got.Fail, "|") != strings.Join(tc.want.Fail, "|") || got.Format != tc.want.Format {
				t.Errorf("simulate %v: options = %+v; want %+v", tc.args, *got, tc.want)
			}
		})
	}
}

func TestValidateAndDemoFlags(t *testing.T) {
	var v *ValidateOptions
	c := NewCmdValidate(&IO{}, func(o *ValidateOptions) error { v = o; return nil })
	c.SetArgs([]string{"-f", "x.yaml", "--format", "json"})
	if err := c.Execute(); err != nil || v.Format != "json" || v.Files[0] != "x.yaml" {
		t.Errorf("validate flags = %+v, %v; want json and x.yaml", v, err)
	}
	var d *DemoOptions
	c = NewCmdDemo(&IO{}, func(o *DemoOptions) error { d = o; return nil })
	c.SetArgs(nil)
	if err := c.Execute(); err != nil || strings.Join(d.Fail, ",") != "pangyo" || d.Format != "text" {
		t.Errorf("demo defaults = %+v, %v; want --fail pangyo, text", d, err)
	}
}

func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		name      string
		args      []string
		code      int
		stderrHas string
	}{
		{"demo", []string{"demo"}, ExitOK, ""},
		{"unknown command", []string{"explode"}, ExitInput, "unknown command"},
		{"unknown flag", []string{"simulate", "--frobnicate"}, ExitInput, "unknown flag"},
		{"no inventory", []string{"validate"}, ExitInput, "no inventory given"},
		{"missing file", []string{"validate", "-f", "testdata/nope.yaml"}, ExitInput, "testdata/nope.yaml: no such file"},
		{"unknown id", []string{"simulate", "-f", "../examples/kakao-2022.yaml", "--fail", "pangyoo"}, ExitInput, `did you mean "pangyo"`},
		{"bad inventory", []string{"simulate", "-f", "testdata/bad.yaml", "--fail", "x"}, ExitInput, "testdata/bad.yaml:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := run(t, "", tc.args...)
			if code != tc.code {
				t.Errorf("blast %v exit = %d; want %d (stderr: %s)", tc.args, code, tc.code, stderr)
			}
			if !strings.Contains(stderr, tc.stderrHas) {
				t.Errorf("blast %v stderr = %q; want it to contain %q", tc.args, stderr, tc.stderrHas)
			}
			if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
				t.Errorf("blast %v printed a panic: %s", tc.args, stderr)
			}
		})
	}
}

// TestGolden checks the text and JSON output of every command against
// testdata/*.golden; go test -update rewrites them.
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		golden string
		args   []string
		stdin  string
		code   int
	}{
		{"demo.txt", []string{"demo"}, "", 0},
		{"demo.json", []string{"demo", "--format", "json"}, "", 0},
		{"demo-ups-room.txt", []string{"demo", "--fail", "pangyo-b3-ups-room"}, "", 0},
		{"simulate-kakao-pangyo.txt", []string{"simulate", "-f", "../examples/kakao-2022.yaml", "--fail", "pangyo"}, "", 0},
		{"simulate-kakao-pangyo.json", []string{"simulate", "-f", "../examples/kakao-2022.yaml", "--fail", "pangyo", "--format", "json"}, "", 0},
		{"simulate-naver-pangyo.txt", []string{"simulate", "-f", "../examples/naver-2022.yaml", "--fail", "site=pangyo"}, "", 0},
		{"simulate-small.txt", []string{"simulate", "-f", "testdata/small.yaml", "--fail", "s1"}, "", 0},
		{"simulate-small.json", []string{"simulate", "-f", "-", "--fail", "ups-a,ups-b", "--format", "json"}, "small", 0},
		{"validate-kakao.txt", []string{"validate", "-f", "../examples/kakao-2022.yaml"}, "", 0},
		{"audit-kakao.txt", []string{"audit", "-f", "../examples/kakao-2022.yaml", "--top", "0"}, "", 0},
		{"audit-kakao.json", []string{"audit", "-f", "../examples/kakao-2022.yaml", "--format", "json"}, "", 0},
		{"audit-naver-sites.txt", []string{"audit", "-f", "../examples/naver-2022.yaml", "--kinds", "site", "--include-services"}, "", 0},
		{"audit-naver-sites.json", []string{"audit", "-f", "../examples/naver-2022.yaml", "--kinds", "site", "--include-services", "--format", "json"}, "", 0},
		{"audit-small-redundancy-on.txt", []string{"audit", "-f", "testdata/small.yaml", "--redundancy-left", "on"}, "", 0},
		{"audit-small-redundancy-off.txt", []string{"audit", "-f", "testdata/small.yaml", "--redundancy-left", "off"}, "", 0},
		{"audit-bad-kind.txt", []string{"audit", "-f", "../examples/naver-2022.yaml", "--kinds", "stie"}, "", 2},
		{"validate-bad.txt", []string{"validate", "-f", "testdata/bad.yaml"}, "", 2},
		{"validate-bad.json", []string{"validate", "-f", "testdata/bad.yaml", "--format", "json"}, "", 2},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			stdin := tc.stdin
			if stdin == "small" {
				data, err := os.ReadFile("testdata/small.yaml")
				if err != nil {
					t.Fatal(err)
				}
				stdin = string(data)
			}
			stdout, stderr, code := run(t, stdin, tc.args...)
			if code != tc.code {
				t.Fatalf("blast %v exit = %d; want %d (stderr: %s)", tc.args, code, tc.code, stderr)
			}
			got := stdout
			if stderr != "" {
				got += "--- stderr\n" + stderr
			}
			golden.Check(t, tc.golden, []byte(got))
		})
	}
}

// TestDemoOutcome checks the reported outcome of the Pangyo fire, from the
// JSON rather than the text: for Kakao every feature but KakaoBank core
// banking is down; for Naver only the reported disruptions are degraded or
// down, and search, mail and Naver Pay are up.
func TestDemoOutcome(t *testing.T) {
	stdout, stderr, code := run(t, "", "demo", "--format", "json")
	if code != 0 {
		t.Fatalf("demo exit %d: %s", code, stderr)
	}
	var sims []out.Simulation
	if err := json.Unmarshal([]byte(stdout), &sims); err != nil {
		t.Fatal(err)
	}
	if len(sims) != 2 || sims[0].Inventory != examples.Kakao || sims[1].Inventory != examples.Naver {
		t.Fatalf("demo JSON holds %d results; want kakao-2022 then naver-2022", len(sims))
	}
	kakao := map[string]string{}
	for _, f := range sims[0].Features {
		kakao[f.ID] = f.State
	}
	if kakao["bank-core-banking"] != "up" {
		t.Errorf("Kakao bank-core-banking = %q; want up", kakao["bank-core-banking"])
	}
	for id, st := range kakao {
		if id != "bank-core-banking" && st != "down" {
			t.Errorf("Kakao %s = %q; want down", id, st)
		}
	}
	if len(kakao) < 17 {
		t.Errorf("Kakao has %d features; want at least the 17 reported", len(kakao))
	}
	naver := map[string]string{}
	for _, f := range sims[1].Features {
		naver[f.ID] = f.State
	}
	disrupted := []string{"news-comments", "shopping-live", "product-pages", "shopping-search", "papago",
		"blog-photo-upload", "cafe-photo-upload", "myplace-receipt-review", "news-articles"}
	for _, id := range disrupted {
		if st, ok := naver[id]; !ok || st == "up" {
			t.Errorf("Naver %s = %q; want degraded or down", id, st)
		}
	}
	for _, id := range []string{"naver-search", "naver-mail", "naver-pay"} {
		if naver[id] != "up" {
			t.Errorf("Naver %s = %q; want up", id, naver[id])
		}
	}
	for id, st := range naver {
		expected := false
		for _, d := range disrupted {
			expected = expected || d == id
		}
		if !expected && st != "up" {
			t.Errorf("Naver %s = %q; want up (not among the reported disruptions)", id, st)
		}
	}
}

// TestDemoRootCauses checks that the three root causes of Kakao's total
// outage come out of the analysis: the failover control plane, auth, and
// the image/video system, all confined to Pangyo.
func TestDemoRootCauses(t *testing.T) {
	f, err := examples.File(examples.Kakao)
	if err != nil {
		t.Fatal(err)
	}
	inv, _, err := inventory.LoadFiles([]inventory.File{f})
	if err != nil {
		t.Fatal(err)
	}
	m, err := graph.Build(inv)
	if err != nil {
		t.Fatal(err)
	}
	failed, err := m.SelectAll([]string{"pangyo"})
	if err != nil {
		t.Fatal(err)
	}
	roots := m.Simulate(failed).RootCauses()
	var got []string
	for _, rc := range roots[:min(3, len(roots))] {
		got = append(got, m.ID(rc.Node))
	}
	want := []string{"ops-tools", "auth", "talk-media"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("RootCauses(kakao, pangyo)[:3] = %v; want %v", got, want)
	}
	if len(roots) > 0 && len(roots[0].Blocked) < 5 {
		t.Errorf("ops-tools blocked %d failovers; want the failover of most services", len(roots[0].Blocked))
	}
}

// TestShuffledInputSameOutput shuffles every list of both example
// inventories and expects byte-identical simulate output.
func TestShuffledInputSameOutput(t *testing.T) {
	for _, name := range examples.Names() {
		t.Run(name, func(t *testing.T) {
			render := func(inv *inventory.Inventory) string {
				m, err := graph.Build(inv)
				if err != nil {
					t.Fatal(err)
				}
				failed, err := m.SelectAll([]string{"pangyo"})
				if err != nil {
					t.Fatal(err)
				}
				sim := out.NewSimulation(name, m.Simulate(failed))
				var b bytes.Buffer
				if err := out.WriteText(&b, sim, out.TextOptions{}); err != nil {
					t.Fatal(err)
				}
				if err := out.WriteJSON(&b, sim); err != nil {
					t.Fatal(err)
				}
				return b.String()
			}
			load := func() *inventory.Inventory {
				f, err := examples.File(name)
				if err != nil {
					t.Fatal(err)
				}
				inv, _, err := inventory.LoadFiles([]inventory.File{f})
				if err != nil {
					t.Fatal(err)
				}
				return inv
			}
			want := render(load())
			for seed := uint64(1); seed <= 20; seed++ {
				inv := load()
				r := rand.New(rand.NewPCG(seed, seed*7))
				shuffle(r, inv)
				if got := render(inv); got != want {
					t.Fatalf("seed %d: output differs after shuffling the inventory", seed)
				}
			}
		})
	}
}

func shuffle(r *rand.Rand, inv *inventory.Inventory) {
	r.Shuffle(len(inv.Components), func(i, j int) { inv.Components[i], inv.Components[j] = inv.Components[j], inv.Components[i] })
	r.Shuffle(len(inv.Services), func(i, j int) { inv.Services[i], inv.Services[j] = inv.Services[j], inv.Services[i] })
	r.Shuffle(len(inv.Features), func(i, j int) { inv.Features[i], inv.Features[j] = inv.Features[j], inv.Features[i] })
	for i := range inv.Services {
		s := &inv.Services[i]
		r.Shuffle(len(s.Placement), func(a, b int) { s.Placement[a], s.Placement[b] = s.Placement[b], s.Placement[a] })
		r.Shuffle(len(s.DependsOn), func(a, b int) { s.DependsOn[a], s.DependsOn[b] = s.DependsOn[b], s.DependsOn[a] })
		for k := range s.DependsOn {
			of := s.DependsOn[k].Of
			r.Shuffle(len(of), func(a, b int) { of[a], of[b] = of[b], of[a] })
		}
	}
	for i := range inv.Features {
		f := &inv.Features[i]
		r.Shuffle(len(f.DependsOn), func(a, b int) { f.DependsOn[a], f.DependsOn[b] = f.DependsOn[b], f.DependsOn[a] })
	}
}

// TestSimulateJSONMatchesSchema validates the demo's JSON documents
// against the published simulate schema.
func TestSimulateJSONMatchesSchema(t *testing.T) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(out.SimulationSchema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("simulate.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("simulate.json")
	if err != nil {
		t.Fatal(err)
	}
	stdout, _, code := run(t, "", "demo", "--format", "json")
	if code != 0 {
		t.Fatalf("demo exit %d", code)
	}
	var sims []json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &sims); err != nil {
		t.Fatal(err)
	}
	for i, raw := range sims {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(v); err != nil {
			t.Errorf("demo result %d does not match the simulate schema: %v", i, err)
		}
	}
}

// TestSplitInventory loads one inventory from a directory of YAML and JSON
// files (one of them multi-document) and from the same files named one by
// one, and expects the same result as the single-file inventory.
func TestSplitInventory(t *testing.T) {
	single, _, code := run(t, "", "simulate", "-f", "testdata/small.yaml", "--fail", "s1", "--format", "json")
	if code != 0 {
		t.Fatalf("single-file simulate exit %d", code)
	}
	for _, args := range [][]string{
		{"-f", "testdata/split"},
		{"-f", "testdata/split/teams/features.json", "-f", "testdata/split/2-services.yaml", "-f", "testdata/split/1-physical.yaml"},
	} {
		got, stderr, code := run(t, "", append([]string{"simulate", "--fail", "s1", "--format", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("simulate %v exit %d: %s", args, code, stderr)
		}
		got = strings.Replace(got, `"inventory": "split"`, `"inventory": "t"`, 1)
		if got != single {
			t.Errorf("simulate %v differs from the single-file inventory:\n%s", args, got)
		}
	}
}

func TestAuditFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
		want    AuditOptions
	}{
		{"defaults", []string{"-f", "a.yaml"}, "",
			AuditOptions{Files: []string{"a.yaml"}, Format: "text", Top: 20, RedundancyLeft: "auto"}},
		{"everything", []string{"-f", "a.yaml", "-f", "dir/", "--kinds", "site,rack", "--kinds", "power", "--include-services", "--format", "json", "--top", "0", "--redundancy-left", "on"}, "",
			AuditOptions{Files: []string{"a.yaml", "dir/"}, Kinds: []string{"site", "rack", "power"}, IncludeServices: true, Format: "json", Top: 0, RedundancyLeft: "on"}},
		{"redundancy off", []string{"-f", "a.yaml", "--redundancy-left", "off"}, "",
			AuditOptions{Files: []string{"a.yaml"}, Format: "text", Top: 20, RedundancyLeft: "off"}},
		{"bad format", []string{"-f", "a.yaml", "--format", "sarif"}, `--format "sarif"`, AuditOptions{}},
		{"negative top", []string{"-f", "a.yaml", "--top", "-1"}, "--top -1", AuditOptions{}},
		{"bad redundancy-left", []string{"-f", "a.yaml", "--redundancy-left", "yes"}, `--redundancy-left "yes"`, AuditOptions{}},
		{"top not a number", []string{"-f", "a.yaml", "--top", "all"}, "--top", AuditOptions{}},
		{"stray argument", []string{"-f", "a.yaml", "extra"}, "unknown command", AuditOptions{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseOptions(t, NewCmdAudit, tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("audit %v: error = %v; want one containing %q", tc.args, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("audit %v: %v", tc.args, err)
			}
			got.IO = nil
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("audit %v: options = %+v; want %+v", tc.args, *got, tc.want)
			}
		})
	}
}

// TestEmptyFail checks that every command taking --fail refuses one that
// names nothing as a usage error, rather than evaluating an empty set.
func TestEmptyFail(t *testing.T) {
	for _, command := range [][]string{
		{"simulate", "-f", "../examples/kakao-2022.yaml"},
		{"recover", "-f", "../examples/kakao-2022.yaml"},
		{"diagram", "-f", "../examples/kakao-2022.yaml"},
		{"report", "-f", "../examples/kakao-2022.yaml", "-o", "-", "--format", "md"},
		{"demo"},
	} {
		for _, fail := range [][]string{{"--fail", ""}, {"--fail", ","}, {"--fail", " , ", "--fail", ""}} {
			args := append(append([]string{}, command...), fail...)
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				stdout, stderr, code := run(t, "", args...)
				if code != ExitInput {
					t.Errorf("blast %q exits %d; want %d", args, code, ExitInput)
				}
				if !strings.Contains(stderr, "names nothing to fail") {
					t.Errorf("blast %q stderr = %q; want it to say --fail names nothing", args, stderr)
				}
				if stdout != "" {
					t.Errorf("blast %q stdout = %q; want nothing", args, stdout)
				}
			})
		}
	}
}

// TestDemoText checks what the demo's text must show for a reader to see
// the reported outcome: Kakao's one feature that stays up named as up, the
// count of root causes not cut to the ones shown, and users marked as a
// sum over features.
func TestDemoText(t *testing.T) {
	stdout, stderr, code := run(t, "", "demo")
	if code != 0 {
		t.Fatalf("demo exit %d: %s", code, stderr)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^kakao-2022: 20 of 21 features disrupted, .*still up:\n  UP +bank-core-banking \(KakaoBank`),
		regexp.MustCompile(`(?m)^Why kakao-2022 went dark: the 3 root causes .*\(of 8\), reaching 19 of the 20 features`),
		regexp.MustCompile(`(?m)^TOTAL .*Σ 259,000,000 users`),
		regexp.MustCompile(`(?m)^Users are summed over features`),
		regexp.MustCompile(`(?m)^  UP +naver-search `),
	} {
		if !want.MatchString(stdout) {
			t.Errorf("demo output does not match %s:\n%s", want, stdout)
		}
	}
}

// TestAuditAlreadyDown checks that a feature what the inventory marks
// failed already takes down is not reported as up with real redundancy.
func TestAuditAlreadyDown(t *testing.T) {
	stdout, stderr, code := run(t, "", "audit", "-f", "testdata/already-failed.yaml")
	if code != 0 {
		t.Fatalf("audit exit %d: %s", code, stderr)
	}
	if !regexp.MustCompile(`(?m)^DOWN +gone: down before any loss`).MatchString(stdout) {
		t.Errorf("audit text does not say gone is down before any loss:\n%s", stdout)
	}
	if regexp.MustCompile(`(?m)^UP .*\bgone\b`).MatchString(stdout) {
		t.Errorf("audit text lists gone as up:\n%s", stdout)
	}
	stdout, _, _ = run(t, "", "audit", "-f", "testdata/already-failed.yaml", "--format", "json")
	var doc struct {
		Features []struct{ ID, Redundancy string }
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range doc.Features {
		got[f.ID] = f.Redundancy
	}
	if got["gone"] != "already-down" || got["ok"] != "real" {
		t.Errorf("audit JSON redundancy = %v; want gone already-down, ok real", got)
	}
}

// parseOptions runs a command built by newCmd on args with a run function
// that only keeps its options, for the commands' flag-parsing tests; it
// returns those options (nil when parsing failed) and the error.
func parseOptions[O any](t *testing.T, newCmd func(*IO, func(*O) error) *cobra.Command, args []string) (*O, error) {
	t.Helper()
	var got *O
	c := newCmd(&IO{}, func(o *O) error { got = o; return nil })
	c.SetArgs(args)
	c.SetOut(io.Discard)
	c.SetErr(io.Discard)
	return got, c.Execute()
}
