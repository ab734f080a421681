package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"
)

// Fuzz targets for every parser blast has. Each holds the same properties:
// no panic, no hang (a watchdog fails an input that takes longer than
// fuzzBudget), and an error, when there is one, is Diagnostics whose every
// entry names the file and a line and column. Seed corpora are the test
// fixtures and the examples; crashers found are kept under
// testdata/fuzz/<target> and replayed by go test.
//
// Run one locally with, for example:
//
//	go test ./inventory -run '^$' -fuzz FuzzLoadYAML -fuzztime 10m

// fuzzBudget bounds how long one input may take. It is generous: the race
// detector and a loaded machine slow things down several times, and what
// the watchdog catches is a hang, not a slow input.
const fuzzBudget = 20 * time.Second

// watchdog panics, failing the fuzz input, when the input takes longer
// than fuzzBudget. Stop the returned timer when done.
func watchdog(what string) *time.Timer {
	return time.AfterFunc(fuzzBudget, func() {
		panic(fmt.Sprintf("%s took longer than %s", what, fuzzBudget))
	})
}

// seedFiles adds every file under dirs whose name ends in one of exts to
// the corpus.
func seedFiles(f *testing.F, exts []string, dirs ...string) {
	f.Helper()
	n := 0
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			for _, e := range exts {
				if strings.HasSuffix(path, e) {
					data, err := os.ReadFile(path)
					if err != nil {
						return err
					}
					f.Add(data)
					n++
					break
				}
			}
			return nil
		})
		if err != nil {
			f.Fatal(err)
		}
	}
	if n == 0 {
		f.Fatalf("no seeds under %v", dirs)
	}
}

// checkDiagnostics checks that err, when not nil, is Diagnostics with at
// least one error, each entry placed in file at a line and column.
func checkDiagnostics(t *testing.T, file string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var ds Diagnostics
	if !errors.As(err, &ds) {
		t.Fatalf("error %T %q is not Diagnostics", err, err)
	}
	if len(ds.Errors()) == 0 {
		t.Fatalf("error Diagnostics hold no error: %v", ds)
	}
	for _, d := range ds {
		if d.Pos.File != file || d.Pos.Line < 1 || d.Pos.Col < 1 {
			t.Fatalf("diagnostic %q has position %+v; want %s at a line and column", d.Msg, d.Pos, file)
		}
	}
}

func fuzzLoad(f *testing.F, name string, exts ...string) {
	seedFiles(f, exts, "testdata/validate", "../examples", "../cmd/testdata")
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog("LoadFiles").Stop()
		inv, diags, err := LoadFiles([]File{{Name: name, Data: data}})
		checkDiagnostics(t, name, err)
		if err == nil && inv == nil {
			t.Fatal("LoadFiles returned neither an inventory nor an error")
		}
		if err == nil && diags.Err() != nil {
			t.Fatalf("LoadFiles returned no error but Diagnostics with errors: %v", diags)
		}
	})
}

// FuzzLoadYAML feeds LoadFiles a YAML inventory.
func FuzzLoadYAML(f *testing.F) { fuzzLoad(f, "in.yaml", ".yaml", ".yml") }

// FuzzLoadJSON feeds LoadFiles a JSON inventory (the hand-written parser).
func FuzzLoadJSON(f *testing.F) { fuzzLoad(f, "in.json", ".json") }

// FuzzParseJSON checks the hand-written JSON parser against encoding/json:
// it accepts exactly the valid documents (within its depth bound), and the
// tree it builds holds the same values.
func FuzzParseJSON(f *testing.F) {
	seedFiles(f, []string{".json"}, "testdata", "../examples", "../cmd/testdata")
	for _, s := range []string{`"\ud800"`, `1e400`, `-0`, `[1,]`, `{"a":1,"a":2}`, "\"\xff\"", `"\u0000"`, "\xef\xbb\xbf{}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog("parseJSON").Stop()
		root, err := parseJSON(data)
		body := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
		valid := json.Valid(body) && utf8.Valid(body)
		if err != nil {
			var je *jsonError
			if !errors.As(err, &je) || je.line < 1 || je.col < 1 {
				t.Fatalf("parseJSON error %q has no line and column", err)
			}
			if valid && !strings.Contains(err.Error(), "nesting deeper") {
				t.Fatalf("parseJSON(%q) = %v; encoding/json accepts it", data, err)
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("parseJSON(%q) accepted a document encoding/json refuses", data)
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var want any
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		got := nodeValue(t, root.Content[0])
		if g, w := fmt.Sprintf("%#v", got), fmt.Sprintf("%#v", normalise(want)); g != w {
			t.Fatalf("parseJSON(%q) = %s; encoding/json reads %s", data, g, w)
		}
	})
}

// nodeValue turns a parsed JSON node tree into the values encoding/json
// decodes, numbers as json.Number, duplicate keys last-wins.
func nodeValue(t *testing.T, n *yaml.Node) any {
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = nodeValue(t, n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		s := []any{}
		for _, c := range n.Content {
			s = append(s, nodeValue(t, c))
		}
		return s
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			return strings.ToValidUTF8(n.Value, "\uFFFD")
		case "!!int", "!!float":
			return json.Number(n.Value)
		case "!!bool":
			return n.Value == "true"
		case "!!null":
			return nil
		}
	}
	t.Fatalf("unexpected node kind %v tag %q", n.Kind, n.Tag)
	return nil
}

// normalise makes encoding/json's strings comparable with the parser's.
func normalise(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := map[string]any{}
		for k, x := range v {
			m[strings.ToValidUTF8(k, "\uFFFD")] = normalise(x)
		}
		return m
	case []any:
		s := []any{}
		for _, x := range v {
			s = append(s, normalise(x))
		}
		return s
	case string:
		return strings.ToValidUTF8(v, "\uFFFD")
	}
	return v
}

// FuzzParsePolicy feeds ParsePolicy a policy file.
func FuzzParsePolicy(f *testing.F) {
	seedFiles(f, []string{"policy.yaml"}, "../examples")
	seedFiles(f, []string{"policy-bad.yaml", "policy-naver.yaml"}, "../cmd/testdata")
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog("ParsePolicy").Stop()
		p, _, err := ParsePolicy(File{Name: "policy.yaml", Data: data})
		checkDiagnostics(t, "policy.yaml", err)
		if err == nil && p == nil {
			t.Fatal("ParsePolicy returned neither a policy nor an error")
		}
	})
}

// FuzzParseOpenPSA feeds ParseOpenPSA an Open-PSA MEF document.
func FuzzParseOpenPSA(f *testing.F) {
	seedFiles(f, []string{".xml"}, "../cmd/testdata", "../out/testdata")
	f.Add([]byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><opsa-mef>&a;</opsa-mef>`))
	f.Add([]byte(`<opsa-mef><define-fault-tree name="f">
<define-gate name="top"><and><house-event name="h"/><gate name="c.g"/><constant value="true"/></and></define-gate>
<define-component name="c" role="private"><define-gate name="g"><atleast min="2"><basic-event name="a"/><basic-event name="b"/><house-event name="h"/></atleast></define-gate></define-component>
</define-fault-tree><model-data>
<define-house-event name="h"><constant value="true"/></define-house-event>
<define-basic-event name="a"><exponential><parameter name="l"/><system-mission-time/></exponential></define-basic-event>
<define-basic-event name="b"><mul><parameter name="l"/><div><int value="1"/><float value="2e-3"/></div></mul></define-basic-event>
<define-parameter name="l"><sub><float value="1e-5"/><neg><float value="1e-6"/></neg></sub></define-parameter>
</model-data></opsa-mef>`))
	f.Add([]byte(`<opsa-mef><model-data><define-parameter name="p"><parameter name="p"/></define-parameter>
<define-basic-event name="a"><parameter name="p"/></define-basic-event>
<define-basic-event name="b"><lognormal-deviate><float value="1"/><float value="3"/><float value="0.95"/></lognormal-deviate></define-basic-event>
<define-CCF-group name="g"><members><basic-event name="a"/></members></define-CCF-group></model-data></opsa-mef>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog("ParseOpenPSA").Stop()
		inv, diags := ParseOpenPSA([]File{{Name: "model.xml", Data: data}})
		checkDiagnostics(t, "model.xml", diags.Err())
		if diags.Err() == nil && inv == nil {
			t.Fatal("ParseOpenPSA returned neither an inventory nor an error")
		}
	})
}

// FuzzImportNetBox feeds ImportNetBox one REST list (named after one of
// the endpoints it reads) or a dumpdata fixture.
func FuzzImportNetBox(f *testing.F) {
	seedFiles(f, []string{".json"}, "../examples/import/netbox")
	eps := NetBoxEndpoints()
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog("ImportNetBox").Stop()
		name := eps[len(data)%len(eps)] + ".json"
		imp, err := ImportNetBox([]File{{Name: name, Data: data}})
		checkDiagnostics(t, name, err)
		checkImport(t, imp, err)
	})
}

// FuzzImportKubernetes feeds ImportKubernetes manifests and node lists.
func FuzzImportKubernetes(f *testing.F) {
	seedFiles(f, []string{".yaml"}, "../examples/import/kubernetes", "../examples/import/kubernetes-zones")
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog("ImportKubernetes").Stop()
		imp, err := ImportKubernetes([]File{{Name: "k8s.yaml", Data: data}})
		checkDiagnostics(t, "k8s.yaml", err)
		checkImport(t, imp, err)
	})
}

// FuzzImportBackstage feeds ImportBackstage a catalog.
func FuzzImportBackstage(f *testing.F) {
	seedFiles(f, []string{".yaml"}, "../examples/import/backstage")
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog("ImportBackstage").Stop()
		imp, err := ImportBackstage([]File{{Name: "catalog.yaml", Data: data}})
		checkDiagnostics(t, "catalog.yaml", err)
		checkImport(t, imp, err)
	})
}

// FuzzImportTraces feeds ImportTraces Jaeger dependencies or an
// OpenTelemetry service graph.
func FuzzImportTraces(f *testing.F) {
	seedFiles(f, []string{".json"}, "../examples/import/traces")
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog("ImportTraces").Stop()
		imp, err := ImportTraces([]File{{Name: "traces.json", Data: data}}, 10)
		checkDiagnostics(t, "traces.json", err)
		checkImport(t, imp, err)
	})
}

// FuzzParseMapping feeds ParseMapping a mapping file.
func FuzzParseMapping(f *testing.F) {
	seedFiles(f, []string{"mapping.yaml"}, "../examples/import")
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog("ParseMapping").Stop()
		m, err := ParseMapping(File{Name: "mapping.yaml", Data: data})
		checkDiagnostics(t, "mapping.yaml", err)
		if err == nil && m == nil {
			t.Fatal("ParseMapping returned neither a mapping nor an error")
		}
	})
}

// checkImport checks that an importer that succeeded built an inventory
// that validates: importers promise inventories blast can read.
func checkImport(t *testing.T, imp *Import, err error) {
	t.Helper()
	if err != nil {
		return
	}
	if imp == nil || imp.Inv == nil {
		t.Fatal("importer returned neither an inventory nor an error")
	}
}
