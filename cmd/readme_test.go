package cmd

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/blast-dev/blast/internal/golden"
)

// readmeBlock matches a command's pasted output in README.md:
//
//	<!-- blast ARGS -->
//	```text
//	...
//	```
//	<!-- end -->
//
// A block whose output holds fences of its own (a Markdown report) is fenced
// with four backticks instead of three.
var readmeBlock = regexp.MustCompile("(?s)<!-- blast ([^>]*?) -->\n(````|```)text\n(.*?)````?\n<!-- end -->")

// TestREADMEOutput runs every command whose output README.md pastes and
// checks that the pasted text is what the command prints now; with -update
// it rewrites the README.
func TestREADMEOutput(t *testing.T) {
	t.Chdir("..")
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := readmeBlock.FindAllSubmatchIndex(data, -1)
	if len(blocks) < 3 {
		t.Fatalf("README.md has %d pasted outputs; want at least 3", len(blocks))
	}
	var out bytes.Buffer
	last := 0
	for _, b := range blocks {
		args := strings.Fields(string(data[b[2]:b[3]]))
		var o, e bytes.Buffer
		Main(args, &IO{In: strings.NewReader(""), Out: &o, ErrOut: &e})
		want := "$ blast " + strings.Join(args, " ") + "\n" + o.String() + e.String()
		got := string(data[b[6]:b[7]])
		if got != want && !golden.Update() {
			t.Errorf("README.md output of blast %s is stale (go test ./cmd -update rewrites it):\n--- README\n%s\n--- now\n%s", strings.Join(args, " "), got, want)
		}
		out.Write(data[last:b[6]])
		out.WriteString(want)
		last = b[7]
	}
	out.Write(data[last:])
	if golden.Update() {
		if err := os.WriteFile("README.md", out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestREADMEPolicy checks that the policy README.md shows in full is the
// default policy file, byte for byte.
func TestREADMEPolicy(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	policy, err := os.ReadFile("../examples/policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(readme, []byte("```yaml\n"+string(policy)+"```\n")) {
		t.Error("README.md does not show examples/policy.yaml verbatim in a yaml block; paste the file again")
	}
}
