package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blast-dev/blast/inventory"
)

// TestHostileInputs feeds blast inputs built to exhaust it and checks that
// each is refused with an error naming the limit and, where there is one,
// the flag that raises it. Each test asserts the error, not the time: the
// limits are what keep the time and memory small.
func TestHostileInputs(t *testing.T) {
	defer func(size int64, ents, nodes int, value int64) {
		inventory.MaxFileSize, inventory.MaxEntities, inventory.MaxNodes, inventory.MaxValueSize = size, ents, nodes, value
	}(inventory.MaxFileSize, inventory.MaxEntities, inventory.MaxNodes, inventory.MaxValueSize)
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const header = "apiVersion: blast/v1\nkind: Inventory\n"
	var laughs strings.Builder
	laughs.WriteString("apiVersion: blast/v1\nkind: Inventory\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 12; i++ {
		laughs.WriteString("a" + string(rune('0'+i%10)) + string(rune('a'+i)) + ": &a" + string(rune('a'+i)) + " [")
		prev := "a0"
		if i > 1 {
			prev = "a" + string(rune('a'+i-1))
		}
		for j := 0; j < 10; j++ {
			if j > 0 {
				laughs.WriteString(", ")
			}
			laughs.WriteString("*" + prev)
		}
		laughs.WriteString("]\n")
	}
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"input larger than --max-input-size", []string{"validate", "--max-input-size", "1KiB", "-f", "../examples/kakao-2022.yaml"},
			[]string{"larger than the input size limit of 1 KiB", "raise --max-input-size"}},
		{"more entities than --max-entities", []string{"validate", "--max-entities", "10", "-f", "../examples/kakao-2022.yaml"},
			[]string{"more than the limit of 10", "raise --max-entities"}},
		{"YAML nested 20,000 deep", []string{"validate", "-f", write("deep.yaml", strings.Repeat("[", 20000))},
			[]string{"deep.yaml:1:", "exceeded max depth of 10000"}},
		{"JSON nested 20,000 deep", []string{"validate", "-f", write("deep.json", strings.Repeat("[", 20000))},
			[]string{"deep.json:1:", "nesting deeper than 200 levels"}},
		{"YAML alias bomb (billion laughs)", []string{"validate", "-f", write("laughs.yaml", laughs.String())},
			[]string{"laughs.yaml:", "excessive aliasing"}},
		{"XML entity expansion", []string{"cuts", "-f", write("laughs.xml", `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<opsa-mef>&lol2;</opsa-mef>`)}, []string{"laughs.xml:2:", "entity declarations are not accepted"}},
		{"YAML flat list of 5,000,000 items", []string{"validate", "-f", write("flat.yaml", "x: ["+strings.Repeat("a,", 5_000_000)+"a]\n")},
			[]string{"flat.yaml:1:1: this YAML document may hold up to 10,000,", "more than the limit of 2,000,000", "raise --max-nodes"}},
		{"YAML document past --max-nodes", []string{"validate", "--max-nodes", "1000", "-f", write("keys.yaml", "a: 1\n---\n"+strings.Repeat("k: v\n", 1000))},
			[]string{"keys.yaml:2:1: this YAML document may hold up to 3,005 nodes", "more than the limit of 1,000", "raise --max-nodes"}},
		{"JSON flat list of 5,000,000 items", []string{"validate", "-f", write("flat.json", `{"x": [`+strings.Repeat("1,", 5_000_000)+"1]}")},
			[]string{"flat.json:1:", "this JSON document holds more than 2,000,000 nodes", "raise --max-nodes"}},
		{"YAML scalar of 2 MiB", []string{"validate", "-f", write("scalar.yaml", header+"x: "+strings.Repeat("a", 2<<20)+"\n")},
			[]string{"scalar.yaml:3:4: this value takes more than 1 MiB of the file, the limit on one value", "raise --max-value-size"}},
		{"YAML block scalar of 2 MiB in short lines", []string{"validate", "-f", write("block.yaml", header+"x:\n  y: |\n"+strings.Repeat("    aaaa\n", 250_000))},
			[]string{"block.yaml:4:6: this value takes more than 1 MiB of the file", "raise --max-value-size"}},
		{"YAML quoted scalar of 2 MiB over lines that look like keys", []string{"validate", "-f", write("quoted.yaml", header+"x: \"\n"+strings.Repeat("k: v\n", 500_000)+"\"\n")},
			[]string{"quoted.yaml:3:4: this value takes more than 1 MiB of the file", "raise --max-value-size"}},
		{"YAML line of 2 MiB", []string{"validate", "-f", write("line.yaml", header+"x: ["+strings.Repeat("aaaaaaa,", 1<<18)+"a]\n")},
			[]string{"line.yaml:3:1: this line is longer than 1 MiB, the limit on one value", "raise --max-value-size"}},
		{"YAML scalar past --max-value-size", []string{"validate", "--max-value-size", "1KiB", "-f", write("desc.yaml", header+"metadata: {name: n, description: '"+strings.Repeat("b", 2000)+"'}\n")},
			[]string{"desc.yaml:3:34: this value takes more than 1 KiB of the file", "raise --max-value-size"}},
		{"JSON string of 2 MiB", []string{"validate", "-f", write("string.json", `{"apiVersion": "blast/v1", "x": "`+strings.Repeat("a", 2<<20)+`"}`)},
			[]string{"string.json:1:33: this value takes more than 1 MiB of the file, the limit on one value", "raise --max-value-size"}},
		{"JSON number of 2 MiB", []string{"validate", "-f", write("number.json", `{"x": 1`+strings.Repeat("0", 2<<20)+`}`)},
			[]string{"number.json:1:7: this value takes more than 1 MiB of the file", "raise --max-value-size"}},
		{"a million problems", []string{"validate", "-f", write("docs.yaml", strings.Repeat("--- a\n", 1_000_000))},
			[]string{"docs.yaml:1001:5: stopped reading the file after 1,000 problems", "1001 errors"}},
		{"cut sets past --max-cut-sets", []string{"cuts", "-f", "../examples/kakao-2022.yaml", "--feature", "talk-send", "--max-cut-sets", "1"},
			[]string{"more than the limit of 1", "raise --max-cut-sets"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := run(t, "", tc.args...)
			if code != ExitInput {
				t.Errorf("exit %d; want %d", code, ExitInput)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q; want it to contain %q", stderr, w)
				}
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  bool
	}{
		{"1024", 1024, false}, {"1KiB", 1024, false}, {"500MiB", 500 << 20, false}, {"2GiB", 2 << 30, false},
		{"2G", 2 << 30, false}, {"3 MB", 3 << 20, false}, {"0", 0, true}, {"-1", 0, true}, {"lots", 0, true}, {"99999999999GiB", 0, true},
	} {
		got, err := parseSize(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}
