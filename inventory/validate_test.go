package inventory_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blast-dev/blast/internal/golden"
	"github.com/blast-dev/blast/inventory"
	"go.yaml.in/yaml/v4"
)

// validateCase is one set of inputs under testdata/validate whose every
// diagnostic is kept in testdata/validate/<name>.golden.
type validateCase struct {
	name  string
	files []string // under testdata/validate; default <name>.yaml
	ok    bool     // LoadFiles returns no error (warnings at most)
}

var validateCases = []validateCase{
	// Syntax and shape.
	{name: "syntax-yaml-indent"},
	{name: "syntax-json-comma", files: []string{"syntax-json-comma.json"}},
	{name: "empty"},
	{name: "missing-header"},
	{name: "wrong-apiversion"},
	{name: "unknown-field"},
	{name: "wrong-types"},
	{name: "duplicate-key"},
	{name: "bad-quantity"},
	{name: "bad-duration"},
	{name: "recovery-time-too-long"},
	{name: "atleast-too-large"},
	{name: "atleast-without-of"},
	{name: "bad-ids"},
	{name: "merge-key"},
	{name: "alias-bomb"},
	{name: "alias-bomb-top"},
	{name: "partial-entities"},     // errors inside entities, without knock-on errors
	{name: "unknown-field-checks"}, // an unknown field silences only what it may misspell
	// Rules that span entities.
	{name: "duplicate-ids"},
	{name: "duplicate-ids-across", files: []string{"duplicate-ids-across-a.yaml", "duplicate-ids-across-b.yaml"}},
	{name: "unknown-refs"},
	{name: "wrong-kind-ref"},
	{name: "self-dependency"},
	{name: "parent-loop"},
	{name: "need-too-large"},
	{name: "quorum-replicas"},
	{name: "quorum-standby"},
	{name: "only-standby"},
	{name: "feature-no-deps"},
	{name: "service-no-placement"},
	{name: "replicas-overflow"}, // more replicas than 32 bits count
	{name: "users-overflow"},    // more users in all than 64 bits count
	// Valid inventories, some with warnings.
	{name: "multi-doc", ok: true},
	{name: "valid-json", files: []string{"valid.json"}, ok: true},
	{name: "warn-single-site", ok: true},
	{name: "warn-failover-no-standby", ok: true},
	{name: "warn-unknown-role", ok: true},
	{name: "reliability", ok: true},
	{name: "bad-reliability"},
}

func (tc validateCase) inputs() []string {
	if len(tc.files) == 0 {
		return []string{tc.name + ".yaml"}
	}
	return tc.files
}

// readCase reads the inputs of tc, named by their base names so that the
// goldens read "auth.yaml:3:5: ...".
func readCase(t *testing.T, tc validateCase) []inventory.File {
	t.Helper()
	var files []inventory.File
	for _, name := range tc.inputs() {
		data, err := os.ReadFile(filepath.Join("testdata", "validate", name))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, inventory.File{Name: name, Data: data})
	}
	return files
}

// render formats what LoadFiles returned: every diagnostic, one a line, then
// a summary of the outcome.
func render(inv *inventory.Inventory, diags inventory.Diagnostics, err error) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.String())
		b.WriteByte('\n')
	}
	nerr, nwarn := len(diags.Errors()), len(diags.Warnings())
	if err != nil {
		fmt.Fprintf(&b, "-- refused: errors %d, warnings %d\n", nerr, nwarn)
		return b.String()
	}
	fmt.Fprintf(&b, "-- loaded: errors %d, warnings %d; components %d, services %d, features %d\n",
		nerr, nwarn, len(inv.Components), len(inv.Services), len(inv.Features))
	return b.String()
}

func TestValidateGolden(t *testing.T) {
	for _, tc := range validateCases {
		t.Run(tc.name, func(t *testing.T) {
			inv, diags, err := inventory.LoadFiles(readCase(t, tc))
			checkOutcome(t, tc, inv, diags, err)
			golden.Check(t, filepath.Join("validate", tc.name+".golden"), []byte(render(inv, diags, err)))
		})
	}
}

// checkOutcome checks what the goldens cannot show: that the error and the
// inventory agree with the diagnostics, and that every diagnostic says what
// to do about it (has a hint).
func checkOutcome(t *testing.T, tc validateCase, inv *inventory.Inventory, diags inventory.Diagnostics, err error) {
	t.Helper()
	for _, d := range diags {
		if d.Hint == "" {
			t.Errorf("diagnostic %q has no hint; want one that says what to do", d)
		}
	}
	if tc.ok {
		if err != nil || inv == nil {
			t.Fatalf("LoadFiles(%v) = %v, %v; want an inventory and no error", tc.inputs(), inv, err)
		}
		if len(diags.Errors()) != 0 {
			t.Errorf("LoadFiles(%v) diagnostics hold errors %v; want warnings at most", tc.inputs(), diags.Errors())
		}
		return
	}
	if err == nil || inv != nil {
		t.Fatalf("LoadFiles(%v) = %v, %v; want no inventory and an error", tc.inputs(), inv, err)
	}
	if got, want := err.Error(), diags.Error(); got != want {
		t.Errorf("LoadFiles(%v) error = %q; want the diagnostics' %q", tc.inputs(), got, want)
	}
}

// TestDiagnosticsSorted checks that every diagnostic of every case has a
// position and that they come sorted by position.
func TestDiagnosticsSorted(t *testing.T) {
	for _, tc := range validateCases {
		t.Run(tc.name, func(t *testing.T) {
			_, diags, _ := inventory.LoadFiles(readCase(t, tc))
			for i, d := range diags {
				if d.Pos.File == "" || d.Pos.Line < 1 || d.Pos.Col < 1 {
					t.Errorf("diagnostic %q has position %+v; want file, line and column", d, d.Pos)
				}
				if i > 0 && d.Pos.Less(diags[i-1].Pos) {
					t.Errorf("diagnostic %q comes after %q; want them sorted by position", d, diags[i-1])
				}
			}
		})
	}
}

// TestValidateShuffle checks that the order of the inputs does not change
// the diagnostics: the files of each case are shuffled, and each case is
// also split into one file per entity, whose order is shuffled in turn.
func TestValidateShuffle(t *testing.T) {
	for _, tc := range validateCases {
		t.Run(tc.name, func(t *testing.T) {
			files := readCase(t, tc)
			inv, diags, err := inventory.LoadFiles(files)
			want := render(inv, diags, err)
			split, ok := splitEntities(t, files)
			var wantSplit string
			if ok {
				// Split apart, the entries keep every problem they had.
				inv, splitDiags, err := inventory.LoadFiles(split)
				if len(splitDiags) != len(diags) {
					t.Fatalf("split into %s: %d diagnostics; want the %d of the case:\n%s", names(split), len(splitDiags), len(diags), render(inv, splitDiags, err))
				}
				wantSplit = render(inv, splitDiags, err)
			}
			for seed := range uint64(8) {
				r := rand.New(rand.NewPCG(seed, 1))
				shuffled := slices.Clone(files)
				r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
				if got := render(inventory.LoadFiles(shuffled)); got != want {
					t.Errorf("LoadFiles(%s) =\n%s\nwant\n%s", names(shuffled), got, want)
				}
				if !ok {
					continue
				}
				shuffled = slices.Clone(split)
				r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
				if got := render(inventory.LoadFiles(shuffled)); got != wantSplit {
					t.Errorf("LoadFiles(%s) =\n%s\nwant\n%s", names(shuffled), got, wantSplit)
				}
			}
		})
	}
}

func names(files []inventory.File) string {
	var s []string
	for _, f := range files {
		s = append(s, f.Name)
	}
	return strings.Join(s, " ")
}

// splitEntities rewrites files as one file per entry of components,
// services and features, plus one per document for its other fields, so
// that shuffling the files shuffles the entries without moving any entry
// within its file. It reports false for inputs it cannot split: syntax
// errors, anchors and documents that are not mappings.
func splitEntities(t *testing.T, files []inventory.File) ([]inventory.File, bool) {
	t.Helper()
	scalar := func(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }
	var out []inventory.File
	for _, f := range files {
		if bytes.Contains(f.Data, []byte("&")) {
			return nil, false
		}
		dec := yaml.NewDecoder(bytes.NewReader(f.Data))
		for doc := 0; ; doc++ {
			var root yaml.Node
			if err := dec.Decode(&root); err != nil {
				if errors.Is(err, io.EOF) && doc > 0 {
					break
				}
				return nil, false
			}
			if len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
				return nil, false
			}
			m := root.Content[0]
			rest := &yaml.Node{Kind: yaml.MappingNode}
			for i := 0; i+1 < len(m.Content); i += 2 {
				k, v := m.Content[i], m.Content[i+1]
				switch k.Value {
				case "components", "services", "features":
					if v.Kind == yaml.SequenceNode {
						for j, e := range v.Content {
							piece := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
								scalar("apiVersion"), scalar(inventory.APIVersion),
								scalar("kind"), scalar("Inventory"),
								scalar(k.Value), {Kind: yaml.SequenceNode, Content: []*yaml.Node{e}},
							}}
							out = append(out, marshal(t, fmt.Sprintf("%s.%d.%s.%d.yaml", f.Name, doc, k.Value, j), piece))
						}
						continue
					}
				}
				rest.Content = append(rest.Content, k, v)
			}
			out = append(out, marshal(t, fmt.Sprintf("%s.%d.yaml", f.Name, doc), rest))
		}
	}
	return out, true
}

func marshal(t *testing.T, name string, n *yaml.Node) inventory.File {
	t.Helper()
	data, err := yaml.Marshal(n)
	if err != nil {
		t.Fatalf("yaml.Marshal(%s): %v", name, err)
	}
	return inventory.File{Name: name, Data: data}
}

// TestAliasBomb checks that a billion laughs (ten levels of nine aliases,
// 9^10 nodes expanded) is refused for its size before it is walked, both
// where the decoder would walk it and where it would not: the error names
// excessive aliasing and is the only diagnostic. Expanding it would take
// minutes; that the refusal is the sole diagnostic shows it was not.
func TestAliasBomb(t *testing.T) {
	for _, name := range []string{"alias-bomb", "alias-bomb-top"} {
		t.Run(name, func(t *testing.T) {
			_, diags, err := inventory.LoadFiles(readCase(t, validateCase{name: name}))
			if err == nil || !strings.Contains(err.Error(), "excessive aliasing") {
				t.Fatalf("LoadFiles(%s.yaml) error = %v; want excessive aliasing", name, err)
			}
			if len(diags) != 1 {
				t.Errorf("LoadFiles(%s.yaml) = %d diagnostics; want the refusal alone:\n%s", name, len(diags), render(nil, diags, err))
			}
		})
	}
}
