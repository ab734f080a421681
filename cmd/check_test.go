package cmd

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/internal/golden"
	"github.com/blast-dev/blast/out"
	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

func TestCheckFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
		check   func(o *CheckOptions) bool
	}{
		{"defaults", []string{"-f", "a.yaml"}, "", func(o *CheckOptions) bool { return o.Format == "text" && o.FailOn == "error" && o.Policy == "" }},
		{"everything", []string{"-f", "a.yaml", "--policy", "p.yaml", "--fail-on", "warning", "--baseline", "old/", "--format", "sarif"}, "",
			func(o *CheckOptions) bool {
				return o.Format == "sarif" && o.FailOn == "warning" && o.Policy == "p.yaml" && o.Baseline[0] == "old/"
			}},
		{"bad fail-on", []string{"-f", "a.yaml", "--fail-on", "fatal"}, "--fail-on", nil},
		{"bad format", []string{"-f", "a.yaml", "--format", "html"}, "--format", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseOptions(t, NewCmdCheck, tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("check %v: error = %v; want one containing %q", tc.args, err, tc.wantErr)
				}
				return
			}
			if err != nil || !tc.check(got) {
				t.Errorf("check %v: options = %+v, error %v", tc.args, got, err)
			}
		})
	}
}

// TestCheckGolden checks every output format of blast check.
func TestCheckGolden(t *testing.T) {
	kakao := []string{"check", "-f", "../examples/kakao-2022.yaml"}
	naver := []string{"check", "-f", "../examples/naver-2022.yaml"}
	for _, tc := range []struct {
		golden string
		args   []string
		code   int
	}{
		{"check-kakao.txt", kakao, 1},
		{"check-kakao.json", append(kakao, "--format", "json"), 1},
		{"check-kakao.sarif", append(kakao, "--format", "sarif"), 1},
		{"check-kakao.junit.xml", append(kakao, "--format", "junit"), 1},
		{"check-kakao.github", append(kakao, "--format", "github"), 1},
		{"check-naver.txt", naver, 1},
		{"check-naver-core.txt", append(naver, "--policy", "testdata/policy-naver.yaml"), 0},
		{"check-naver-baseline.txt", append(naver, "--baseline", "../examples/naver-2022.yaml"), 0},
		// a note-severity finding fails --fail-on note only; a warning
		// fails --fail-on warning and note, not error
		{"check-kakao-fail-on-note.txt", append(kakao, "--policy", "testdata/policy-note.yaml", "--fail-on", "note"), 1},
		{"check-kakao-note-fail-on-warning.txt", append(kakao, "--policy", "testdata/policy-note.yaml", "--fail-on", "warning"), 0},
		{"check-kakao-note-fail-on-error.txt", append(kakao, "--policy", "testdata/policy-note.yaml", "--fail-on", "error"), 0},
		{"check-kakao-fail-on-warning.txt", append(kakao, "--policy", "testdata/policy-severities.yaml", "--fail-on", "warning"), 1},
		{"check-kakao-warning-fail-on-error.txt", append(kakao, "--policy", "testdata/policy-severities.yaml", "--fail-on", "error"), 0},
		// a selection that picks nothing passes, with a warning naming the rule
		{"check-select-nothing.txt", append(kakao, "--policy", "testdata/policy-select-nothing.yaml"), 1},
		{"check-select-nothing.json", append(kakao, "--policy", "testdata/policy-select-nothing.yaml", "--format", "json"), 1},
		// the built-in policy skips its rules about racks on an estate
		// without racks; a policy of the user's own that names racks
		// there is a mistake
		{"check-no-racks.txt", []string{"check", "-f", "testdata/no-racks.yaml"}, 1},
		{"check-no-racks-own-policy.txt", []string{"check", "-f", "testdata/no-racks.yaml", "--policy", "testdata/policy-note.yaml"}, 2},
		// a baseline without racks has no findings about racks: the
		// change that adds the first racks is judged, not refused
		{"check-baseline-no-racks.txt", []string{"check", "-f", "testdata/small.yaml", "--policy", "testdata/policy-note.yaml", "--baseline", "testdata/no-racks.yaml", "--fail-on", "note"}, 1},
		// ids that name nothing are a bad policy
		{"check-unknown-id.txt", append(kakao, "--policy", "testdata/policy-unknown-id.yaml"), 2},
		{"check-bad-policy.txt", append(kakao, "--policy", "testdata/policy-bad.yaml"), 2},
		{"check-nocycles.txt", []string{"check", "-f", "testdata/nocycles.yaml", "--policy", "testdata/policy-nocycles.yaml"}, 1},
		{"check-nocycles.json", []string{"check", "-f", "testdata/nocycles.yaml", "--policy", "testdata/policy-nocycles.yaml", "--format", "json"}, 1},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			stdout, stderr, code := run(t, "", tc.args...)
			if code != tc.code {
				t.Fatalf("blast %v exit = %d; want %d (stderr: %s)", tc.args, code, tc.code, stderr)
			}
			golden.Check(t, tc.golden, []byte(stdout+"--- stderr\n"+stderr))
		})
	}
}

// TestCheckPangyo is the acceptance test: Kakao fails the tier-1
// site rule and the independent-failover rule, with findings that name
// the ops tools and auth; Naver keeps search, mail and pay through the loss
// of any site.
func TestCheckPangyo(t *testing.T) {
	stdout, _, code := run(t, "", "check", "-f", "../examples/kakao-2022.yaml", "--format", "json")
	if code != ExitPolicy {
		t.Fatalf("check kakao exit = %d; want %d", code, ExitPolicy)
	}
	var r out.CheckReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.Passed {
		t.Fatal("check kakao passed; want it to fail")
	}
	var survive, failover []out.FindingReport
	for _, f := range r.Findings {
		switch f.Rule {
		case "tier1-survives-site":
			survive = append(survive, f)
		case "failover-independent":
			failover = append(failover, f)
		}
	}
	mentions := func(fs []out.FindingReport, id string) bool {
		for _, f := range fs {
			if strings.Contains(f.Message, id) || strings.Contains(f.WhyText, id) {
				return true
			}
		}
		return false
	}
	if len(survive) == 0 || !mentions(survive, "auth") || !mentions(survive, "pangyo") || !mentions(survive, "failover blocked by ops-tools") {
		t.Errorf("tier1-survives-site findings = %+v; want findings naming auth, pangyo and the failover blocked by ops-tools", survive)
	}
	if len(failover) == 0 || !mentions(failover, "ops-tools") || !mentions(failover, "talk-api") {
		t.Errorf("failover-independent findings = %+v; want findings naming ops-tools and talk-api", failover)
	}

	stdout, stderr, code := run(t, "", "check", "-f", "../examples/naver-2022.yaml", "--policy", "testdata/policy-naver.yaml", "--format", "json")
	if code != ExitOK {
		t.Fatalf("check naver core exit = %d; want 0 (%s)", code, stderr)
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if !r.Passed || len(r.Findings) != 0 || r.Rules[0].Checked != 3 {
		t.Errorf("check naver core = passed %v, %d findings, %d checked; want passed, 0 findings, 3 features checked", r.Passed, len(r.Findings), r.Rules[0].Checked)
	}
}

// TestSARIFValidates validates the SARIF output against the SARIF 2.1.0
// JSON Schema, and checks that reading it back loses nothing.
func TestSARIFValidates(t *testing.T) {
	stdout, _, code := run(t, "", "check", "-f", "../examples/kakao-2022.yaml", "--format", "sarif")
	if code != ExitPolicy {
		t.Fatalf("exit %d", code)
	}
	schema := sarifSchema(t)
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(stdout))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(doc); err != nil {
		t.Fatalf("SARIF output does not validate against the 2.1.0 schema: %v", err)
	}
	// The validator must be able to say no.
	bad, err := jsonschema.UnmarshalJSON(strings.NewReader(strings.Replace(stdout, `"level": "error"`, `"level": "fatal"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if schema.Validate(bad) == nil {
		t.Fatal("the SARIF schema accepted level \"fatal\"; the validation proves nothing")
	}
	rep, err := sarif.FromString(stdout)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Runs) != 1 || len(rep.Runs[0].Results) == 0 {
		t.Fatalf("SARIF has %d runs; want 1 with results", len(rep.Runs))
	}
	res := rep.Runs[0].Results[0]
	loc := res.Locations[0].PhysicalLocation
	if *loc.ArtifactLocation.URI != "../examples/kakao-2022.yaml" || *loc.Region.StartLine == 0 {
		t.Errorf("first result located at %s:%d; want the inventory file and a line", *loc.ArtifactLocation.URI, *loc.Region.StartLine)
	}
	// Round trip: every field written is a SARIF field.
	var mine, theirs any
	back, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal([]byte(stdout), &mine)
	json.Unmarshal(back, &theirs)
	if missing := missingKeys(mine, theirs, ""); len(missing) > 0 {
		t.Errorf("fields the SARIF model does not know: %v", missing)
	}
}

// sarifSchema compiles the SARIF 2.1.0 JSON Schema that the go-sarif
// module carries (as a Go string constant), so that the bytes blast
// writes are validated, not a re-encoding of them.
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/owenrumney/go-sarif/v3").Output()
	if err != nil {
		t.Fatalf("locating the go-sarif module: %v", err)
	}
	src, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "pkg", "report", "v210", "sarif", "schema.go"))
	if err != nil {
		t.Fatal(err)
	}
	_, text, ok := strings.Cut(string(src), "const schema = `")
	text, _, ok2 := strings.Cut(text, "`")
	if !ok || !ok2 {
		t.Fatal("no schema constant in go-sarif's schema.go")
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("sarif-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// missingKeys lists the object keys of a that b lacks, recursively.
func missingKeys(a, b any, path string) []string {
	var out []string
	switch av := a.(type) {
	case map[string]any:
		bv, _ := b.(map[string]any)
		for k, x := range av {
			y, ok := bv[k]
			if !ok {
				out = append(out, path+"."+k)
				continue
			}
			out = append(out, missingKeys(x, y, path+"."+k)...)
		}
	case []any:
		bv, _ := b.([]any)
		for i := range av {
			if i < len(bv) {
				out = append(out, missingKeys(av[i], bv[i], path+"[]")...)
			}
		}
	}
	return out
}

// TestJUnitShape checks the JUnit XML parses, has one test case per rule
// and subject, and agrees with the gate: a case fails, with one failure
// element, exactly when its subject has a finding at or above --fail-on;
// findings below it are in the case's system-out.
func TestJUnitShape(t *testing.T) {
	for _, failOn := range []string{"error", "warning", "note"} {
		t.Run(failOn, func(t *testing.T) {
			args := []string{"check", "-f", "../examples/kakao-2022.yaml", "--fail-on", failOn}
			stdout, _, _ := run(t, "", append(args, "--format", "junit")...)
			var doc struct {
				Tests    int `xml:"tests,attr"`
				Failures int `xml:"failures,attr"`
				Suites   []struct {
					Name  string `xml:"name,attr"`
					Cases []struct {
						Name     string     `xml:"name,attr"`
						Failures []struct{} `xml:"failure"`
						Out      string     `xml:"system-out"`
					} `xml:"testcase"`
				} `xml:"testsuite"`
			}
			if err := xml.Unmarshal([]byte(stdout), &doc); err != nil {
				t.Fatalf("JUnit output does not parse: %v", err)
			}
			if len(doc.Suites) != 6 {
				t.Fatalf("JUnit has %d suites; want one per rule (6)", len(doc.Suites))
			}
			js, _, _ := run(t, "", append(args, "--format", "json")...)
			var r out.CheckReport
			if err := json.Unmarshal([]byte(js), &r); err != nil {
				t.Fatal(err)
			}
			fails, below := map[string]bool{}, map[string]bool{}
			for _, f := range r.Findings {
				if graph.Fails(f.Severity, failOn) {
					fails[f.Rule+" "+f.Subject] = true
				} else {
					below[f.Rule+" "+f.Subject] = true
				}
			}
			cases, failing := 0, 0
			for _, s := range doc.Suites {
				seen := map[string]bool{}
				for _, c := range s.Cases {
					key := s.Name + " " + c.Name
					if seen[c.Name] {
						t.Errorf("suite %s has two cases for %s; want one per subject", s.Name, c.Name)
					}
					seen[c.Name] = true
					cases++
					if len(c.Failures) > 1 {
						t.Errorf("case %s has %d failure elements; want one", key, len(c.Failures))
					}
					if got := len(c.Failures) > 0; got != fails[key] {
						t.Errorf("case %s failing = %v; want %v (findings at or above %s)", key, got, fails[key], failOn)
					}
					if got := c.Out != ""; got != below[key] {
						t.Errorf("case %s system-out %q; want output %v (findings below %s)", key, c.Out, below[key], failOn)
					}
					if len(c.Failures) > 0 {
						failing++
					}
				}
			}
			if cases != doc.Tests || failing != doc.Failures || failing != len(fails) {
				t.Errorf("JUnit counts tests=%d failures=%d; cases %d, failing %d, subjects failing the gate %d", doc.Tests, doc.Failures, cases, failing, len(fails))
			}
		})
	}
}

// TestCheckLocations checks where SARIF results and GitHub annotations
// point: an absolute inventory path inside the working directory becomes
// relative to it; one outside it a file:// URI (SARIF) or the path itself
// (GitHub); an inventory from standard input "stdin" (SARIF, which code
// scanning needs every result located) or no file (GitHub).
func TestCheckLocations(t *testing.T) {
	abs, err := filepath.Abs("../examples/kakao-2022.yaml")
	if err != nil {
		t.Fatal(err)
	}
	repo := filepath.Dir(filepath.Dir(abs))
	data, err := os.ReadFile(abs)
	if err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	for _, tc := range []struct {
		name, file, dir, stdin string
		uri, ghFile            string // "" : no file= property
	}{
		{"inside", abs, repo, "", "examples/kakao-2022.yaml", "examples/kakao-2022.yaml"},
		{"outside", abs, outside, "", "file://" + filepath.ToSlash(abs), abs},
		{"stdin", "-", repo, string(data), "stdin", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check := func(format string) string {
				var o, e strings.Builder
				code := Main([]string{"check", "-f", tc.file, "--format", format},
					&IO{In: strings.NewReader(tc.stdin), Out: &o, ErrOut: &e, WorkDir: tc.dir})
				if code != ExitPolicy {
					t.Fatalf("check --format %s exit = %d; want %d (%s)", format, code, ExitPolicy, e.String())
				}
				return o.String()
			}
			stdout := check("sarif")
			doc, err := jsonschema.UnmarshalJSON(strings.NewReader(stdout))
			if err != nil {
				t.Fatal(err)
			}
			if err := sarifSchema(t).Validate(doc); err != nil {
				t.Fatalf("SARIF does not validate: %v", err)
			}
			rep, err := sarif.FromString(stdout)
			if err != nil {
				t.Fatal(err)
			}
			for i, res := range rep.Runs[0].Results {
				if len(res.Locations) != 1 {
					t.Fatalf("result %d has %d locations; want 1", i, len(res.Locations))
				}
				if got := *res.Locations[0].PhysicalLocation.ArtifactLocation.URI; got != tc.uri {
					t.Errorf("result %d uri = %q; want %q", i, got, tc.uri)
				}
			}
			for _, line := range strings.Split(strings.TrimSpace(check("github")), "\n") {
				want := "file=" + ghProperty(tc.ghFile) + ","
				if tc.ghFile == "" {
					if strings.Contains(line, "file=") {
						t.Errorf("annotation %q has a file; want none for standard input", line)
					}
				} else if !strings.Contains(line, want) {
					t.Errorf("annotation %q; want %s", line, want)
				}
			}
		})
	}
}

// ghProperty escapes as GitHub workflow command properties are escaped.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
