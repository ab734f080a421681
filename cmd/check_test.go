package cmd

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

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
			var got *CheckOptions
			c := NewCmdCheck(&IO{}, func(o *CheckOptions) error { got = o; return nil })
			c.SetArgs(tc.args)
			c.SetOut(io.Discard)
			c.SetErr(io.Discard)
			err := c.Execute()
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
		{"check-kakao-fail-on-note.txt", append(kakao, "--policy", "testdata/policy-naver.yaml", "--fail-on", "note"), 0},
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
			if strings.Contains(f.Message, id) || strings.Contains(strings.Join(f.Why, " "), id) {
				return true
			}
		}
		return false
	}
	if len(survive) == 0 || !mentions(survive, "auth") || !mentions(survive, "pangyo") {
		t.Errorf("tier1-survives-site findings = %+v; want findings naming auth and pangyo", survive)
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

// TestJUnitShape checks the JUnit XML parses and has one test case per
// rule and subject.
func TestJUnitShape(t *testing.T) {
	stdout, _, _ := run(t, "", "check", "-f", "../examples/kakao-2022.yaml", "--format", "junit")
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name     string     `xml:"name,attr"`
				Failures []struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("JUnit output does not parse: %v", err)
	}
	if len(doc.Suites) != 6 {
		t.Fatalf("JUnit has %d suites; want one per rule (6)", len(doc.Suites))
	}
	cases, failing := 0, 0
	for _, s := range doc.Suites {
		seen := map[string]bool{}
		for _, c := range s.Cases {
			if seen[c.Name] {
				t.Errorf("suite %s has two cases for %s; want one per subject", s.Name, c.Name)
			}
			seen[c.Name] = true
			cases++
			if len(c.Failures) > 0 {
				failing++
			}
		}
	}
	if cases != doc.Tests || failing != doc.Failures || failing == 0 {
		t.Errorf("JUnit counts tests=%d failures=%d; cases %d, failing %d", doc.Tests, doc.Failures, cases, failing)
	}
}
