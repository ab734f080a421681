package cmd

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/blast-dev/blast/internal/golden"
	"github.com/blast-dev/blast/out"
)

func TestDiffFlags(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string
		wantErr  string
		old, new string
	}{
		{"positional", []string{"a.yaml", "b/"}, "", "a.yaml", "b/"},
		{"flags", []string{"-f", "a.yaml", "--f2", "b.yaml"}, "", "a.yaml", "b.yaml"},
		{"one version", []string{"a.yaml"}, "give both versions", "", ""},
		{"both forms", []string{"-f", "a.yaml", "x", "y"}, "not both", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseOptions(t, NewCmdDiff, tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("diff %v: error = %v; want %q", tc.args, err, tc.wantErr)
				}
				return
			}
			if err != nil || got.Old[0] != tc.old || got.New[0] != tc.new {
				t.Errorf("diff %v = %+v, %v; want old %s new %s", tc.args, got, err, tc.old, tc.new)
			}
		})
	}
}

// TestDiff compares the Kakao example with a version whose failover
// control plane also runs in Anyang: safer, SPOFs removed, the Pangyo
// findings resolved; the reverse change is riskier and fails
// --fail-on-new.
func TestDiff(t *testing.T) {
	kakao, fixed := "../examples/kakao-2022.yaml", "../examples/kakao-2022-ops-in-anyang.yaml"
	stdout, stderr, code := run(t, "", "diff", kakao, fixed)
	if code != 0 {
		t.Fatalf("diff exit %d: %s", code, stderr)
	}
	golden.Check(t, "diff-kakao-fixed.txt", []byte(stdout))
	stdout, _, _ = run(t, "", "diff", "-f", kakao, "--f2", fixed, "--format", "json")
	golden.Check(t, "diff-kakao-fixed.json", []byte(stdout))
	var d out.DiffReport
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatal(err)
	}
	if d.Summary.Verdict != "safer" || d.Summary.SPOFsRemoved == 0 || d.Summary.SPOFsAdded != 0 || d.Summary.FindingsResolved == 0 {
		t.Errorf("diff kakao → fixed summary = %+v; want safer with SPOFs removed and findings resolved", d.Summary)
	}
	_, stderr, code = run(t, "", "diff", fixed, kakao, "--fail-on-new")
	if code != ExitPolicy || !strings.Contains(stderr, "adds") {
		t.Errorf("diff fixed → kakao --fail-on-new exit = %d (%s); want 1", code, stderr)
	}
	stdout, _, code = run(t, "", "diff", kakao, kakao, "--fail-on-new")
	if code != 0 || !strings.Contains(stdout, "UNCHANGED") {
		t.Errorf("diff kakao → kakao = exit %d, %q; want 0 and UNCHANGED", code, stdout)
	}
}

// TestDiffShortF2 runs "blast diff -f OLD -f2 NEW", the way people write
// it, and -f2=NEW: both mean --f2 NEW (the flag parser alone would read -f
// with the value 2). Only blast diff rewrites them.
func TestDiffShortF2(t *testing.T) {
	kakao, fixed := "../examples/kakao-2022.yaml", "../examples/kakao-2022-ops-in-anyang.yaml"
	want, _, code := run(t, "", "diff", "-f", kakao, "--f2", fixed)
	if code != ExitOK {
		t.Fatalf("diff -f OLD --f2 NEW exit = %d; want 0", code)
	}
	for _, args := range [][]string{
		{"diff", "-f", kakao, "-f2", fixed},
		{"diff", "-f2", fixed, "-f", kakao},
		{"diff", "-f", kakao, "-f2=" + fixed},
		{"diff", "--format", "text", "-f=" + kakao, "-f2", fixed},
	} {
		got, stderr, code := run(t, "", args...)
		if code != ExitOK || got != want {
			t.Errorf("blast %v: exit %d, stderr %q, output same as --f2: %v; want exit 0 and the same output", args, code, stderr, got == want)
		}
	}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"diff", "-f", "a", "-f2", "b"}, []string{"diff", "-f", "a", "--f2", "b"}},
		{[]string{"diff", "-f2=b", "-f", "a"}, []string{"diff", "--f2=b", "-f", "a"}},
		{[]string{"diff", "a", "--", "-f2"}, []string{"diff", "a", "--", "-f2"}},
		{[]string{"check", "-f2"}, []string{"check", "-f2"}},
	} {
		if got := diffArgs(NewCmdRoot(&IO{}), tc.args); !slices.Equal(got, tc.want) {
			t.Errorf("diffArgs(%q) = %q; want %q", tc.args, got, tc.want)
		}
	}
}
