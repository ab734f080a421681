package cmd

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/blast-dev/blast/internal/golden"
)

func TestRiskFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
		want    string // fmt of the options that matter
	}{
		{"cuts defaults", []string{"cuts", "-f", "a.yaml", "--feature", "x"}, "", "a.yaml x 3 false text false 0 false"},
		{"cuts all flags", []string{"cuts", "-f", "a.xml", "--max-order", "0", "--include-services", "--format", "json"}, "", "a.xml  0 true json false 0 false"},
		{"cuts probability", []string{"cuts", "-f", "a.xml", "--probability", "--default-unavailability", "0.01"}, "", "a.xml  3 false text true 0.01 true"},
		{"cuts default without probability", []string{"cuts", "-f", "a.xml", "--default-unavailability", "0.01"}, "is for --probability", ""},
		{"cuts bad default", []string{"cuts", "-f", "a.xml", "--probability", "--default-unavailability", "-1"}, "between 0 and 1", ""},
		{"cuts negative order", []string{"cuts", "-f", "a.yaml", "--max-order", "-1"}, "--max-order -1", ""},
		{"cuts bad format", []string{"cuts", "-f", "a.yaml", "--format", "xml"}, `--format "xml"`, ""},
		{"availability defaults", []string{"availability", "-f", "a.yaml"}, "", "a.yaml  false 0 false 10 0 text"},
		{"availability all flags", []string{"availability", "-f", "a.yaml", "--feature", "pay", "--include-services", "--default-unavailability", "0.01", "--top", "0", "--max-order", "2", "--format", "json"}, "", "a.yaml pay true 0.01 true 0 2 json"},
		{"availability bad default", []string{"availability", "-f", "a.yaml", "--default-unavailability", "2"}, "between 0 and 1", ""},
		{"availability bad top", []string{"availability", "-f", "a.yaml", "--top", "-3"}, "--top -3", ""},
		{"availability bad max order", []string{"availability", "-f", "a.yaml", "--max-order", "-1"}, "--max-order -1", ""},
		{"export", []string{"export", "openpsa", "-f", "a.yaml", "--feature", "pay", "--include-services"}, "", "a.yaml pay true"},
		{"import", []string{"import", "openpsa", "a.xml", "b.xml"}, "", "a.xml|b.xml"},
		{"import nothing", []string{"import", "openpsa"}, "requires at least 1 arg", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			var c interface {
				SetArgs([]string)
				Execute() error
			}
			args := tc.args[1:]
			switch tc.args[0] {
			case "cuts":
				c = NewCmdCuts(&IO{}, func(o *CutsOptions) error {
					got = strings.Join([]string{strings.Join(o.Files, "|"), o.Feature, itoa(o.MaxOrder), btoa(o.IncludeServices), o.Format, btoa(o.Probability), ftoa(o.Default), btoa(o.DefaultSet)}, " ")
					return nil
				})
			case "availability":
				c = NewCmdAvailability(&IO{}, func(o *AvailabilityOptions) error {
					got = strings.Join([]string{strings.Join(o.Files, "|"), o.Feature, btoa(o.IncludeServices), ftoa(o.Default), btoa(o.DefaultSet), itoa(o.Top), itoa(o.MaxOrder), o.Format}, " ")
					return nil
				})
			case "export":
				args = args[1:]
				c = NewCmdExportOpenPSA(&IO{}, func(o *ExportOpenPSAOptions) error {
					got = strings.Join([]string{strings.Join(o.Files, "|"), o.Feature, btoa(o.IncludeServices)}, " ")
					return nil
				})
			case "import":
				args = args[1:]
				c = NewCmdImportOpenPSA(&IO{}, func(o *ImportOpenPSAOptions) error {
					got = strings.Join(o.Files, "|")
					return nil
				})
			}
			c.SetArgs(args)
			err := c.Execute()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("%v: error = %v; want one containing %q", tc.args, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("%v: options = %q, %v; want %q", tc.args, got, err, tc.want)
			}
		})
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
func ftoa(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}
func btoa(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

const (
	tricky   = "testdata/risk/tricky.yaml"
	defaults = "testdata/risk/defaults.yaml"
)

func TestRiskGoldens(t *testing.T) {
	for _, tc := range []struct {
		golden string
		args   []string
		code   int
	}{
		{"cuts-tricky.txt", []string{"cuts", "-f", tricky, "--feature", "pay now", "--max-order", "0"}, 0},
		{"cuts-tricky-services.json", []string{"cuts", "-f", tricky, "--feature", "pay now", "--include-services", "--format", "json"}, 0},
		{"cuts-kakao.txt", []string{"cuts", "-f", "../examples/kakao-2022.yaml", "--feature", "talk-send", "--max-order", "1"}, 0},
		{"cuts-chat.json", []string{"cuts", "-f", tricky, "--feature", "chat", "--max-order", "1", "--format", "json"}, 0},
		{"availability-tricky.txt", []string{"availability", "-f", tricky, "--top", "0"}, 0},
		{"availability-tricky.json", []string{"availability", "-f", tricky, "--feature", "chat"}, 0},
		{"availability-tricky-order1.txt", []string{"availability", "-f", tricky, "--feature", "chat", "--max-order", "1", "--top", "2"}, 0},
		{"availability-kakao.txt", []string{"availability", "-f", "../examples/kakao-2022.yaml", "-f", defaults, "--feature", "talk-send", "--top", "3"}, 0},
		{"availability-missing.txt", []string{"availability", "-f", "../examples/kakao-2022.yaml"}, 2},
		{"availability-missing-services.txt", []string{"availability", "-f", tricky, "--include-services"}, 2},
		{"export-tricky.xml", []string{"export", "openpsa", "-f", tricky}, 0},
		{"cuts-kakao-probability.txt", []string{"cuts", "-f", "../examples/kakao-2022.yaml", "-f", defaults, "--feature", "talk-send", "--max-order", "1", "--probability"}, 0},
		{"cuts-chat-probability.json", []string{"cuts", "-f", tricky, "--feature", "chat", "--max-order", "1", "--probability", "--format", "json"}, 0},
		{"cuts-missing.txt", []string{"cuts", "-f", "../examples/kakao-2022.yaml", "--feature", "talk-send", "--probability"}, 2},
		{"cuts-no-feature.txt", []string{"cuts", "-f", tricky}, 2},
		{"cuts-unknown-feature.txt", []string{"cuts", "-f", tricky, "--feature", "r1"}, 2},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			o, e, code := run(t, "", tc.args...)
			if code != tc.code {
				t.Fatalf("blast %v exited %d; want %d\n%s", tc.args, code, tc.code, e)
			}
			golden.Check(t, "risk/"+tc.golden, []byte(o+e))
		})
	}
}

// TestAvailabilityJSONShape checks the JSON document's fields and the
// probability the text shows.
func TestAvailabilityJSONShape(t *testing.T) {
	o, e, code := run(t, "", "availability", "-f", tricky, "--format", "json")
	if code != 0 {
		t.Fatalf("availability exited %d: %s", code, e)
	}
	var doc struct {
		Features []struct {
			Feature    string   `json:"feature"`
			PDown      float64  `json:"pDown"`
			Rare       float64  `json:"rareEvent"`
			Bound      float64  `json:"minCutUpperBound"`
			Nines      *float64 `json:"nines"`
			Importance []struct {
				Event string   `json:"event"`
				RRW   *float64 `json:"rrw"`
			} `json:"importance"`
		} `json:"features"`
	}
	if err := json.Unmarshal([]byte(o), &doc); err != nil {
		t.Fatalf("availability JSON: %v\n%s", err, o)
	}
	if len(doc.Features) != 2 {
		t.Fatalf("availability JSON has %d features; want 2", len(doc.Features))
	}
	for _, f := range doc.Features {
		if f.PDown > f.Bound+1e-15 || f.Bound > f.Rare+1e-15 {
			t.Errorf("%s: exact %v, upper bound %v, rare event %v; want exact <= bound <= rare event", f.Feature, f.PDown, f.Bound, f.Rare)
		}
	}
}

// TestOpenPSARoundTrip exports inventories to Open-PSA, reads the XML back
// (gates and basic events split over two files) and expects the same cut
// sets and probabilities for every feature.
func TestOpenPSARoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name     string
		files    []string
		services bool
	}{
		{"tricky", []string{tricky}, false},
		{"tricky with services", []string{tricky, defaults}, true},
		{"kakao", []string{"../examples/kakao-2022.yaml", defaults}, false},
		{"naver with services", []string{"../examples/naver-2022.yaml", defaults}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var inv []string
			for _, f := range tc.files {
				inv = append(inv, "-f", f)
			}
			extra := []string{}
			if tc.services {
				extra = append(extra, "--include-services")
			}
			xmlDoc, e, code := run(t, "", append(append([]string{"export", "openpsa"}, inv...), extra...)...)
			if code != 0 {
				t.Fatalf("export exited %d: %s", code, e)
			}
			// Split: the fault tree in one file, model-data in another.
			i := strings.Index(xmlDoc, "  <model-data>")
			dir := t.TempDir()
			gates := filepath.Join(dir, "gates.xml")
			events := filepath.Join(dir, "events.xml")
			os.WriteFile(gates, []byte(xmlDoc[:i]+"</opsa-mef>\n"), 0o644)
			os.WriteFile(events, []byte("<opsa-mef>\n"+xmlDoc[i:]), 0o644)

			feats := featureIDs(t, inv)
			for _, f := range feats {
				before := cutsJSON(t, append(append([]string{"cuts", "--feature", f, "--max-order", "0", "--format", "json"}, inv...), extra...))
				after := cutsJSON(t, []string{"cuts", "--feature", f, "--max-order", "0", "--format", "json", "-f", gates, "-f", events})
				if !reflect.DeepEqual(before, after) {
					t.Errorf("%s: cut sets after the round trip = %v; want %v", f, after, before)
				}
				if tc.name == "tricky" {
					continue // no failure data for every event without defaults
				}
				p1 := pDown(t, append(append([]string{"availability", "--feature", f, "--format", "json"}, inv...), extra...))
				p2 := pDown(t, []string{"availability", "--feature", f, "--format", "json", "-f", gates, "-f", events})
				if math.Abs(p1-p2) > 1e-12*math.Max(p1, 1e-300) {
					t.Errorf("%s: P(down) after the round trip = %v; want %v", f, p2, p1)
				}
			}
		})
	}
}

func featureIDs(t *testing.T, inv []string) []string {
	t.Helper()
	o, e, code := run(t, "", append([]string{"availability", "--format", "json", "--default-unavailability", "0.5"}, inv...)...)
	if code != 0 {
		t.Fatalf("availability exited %d: %s", code, e)
	}
	var doc struct {
		Features []struct {
			Feature string `json:"feature"`
		} `json:"features"`
	}
	json.Unmarshal([]byte(o), &doc)
	var ids []string
	for _, f := range doc.Features {
		ids = append(ids, f.Feature)
	}
	if len(ids) == 0 {
		t.Fatal("no features")
	}
	return ids
}

func cutsJSON(t *testing.T, args []string) any {
	t.Helper()
	o, e, code := run(t, "", args...)
	if code != 0 {
		t.Fatalf("blast %v exited %d: %s", args, code, e)
	}
	var v struct {
		CutSets [][]string `json:"cutSets"`
		Counts  []int      `json:"countsByOrder"`
	}
	if err := json.Unmarshal([]byte(o), &v); err != nil {
		t.Fatalf("blast %v: %v\n%s", args, err, o)
	}
	return v
}

func pDown(t *testing.T, args []string) float64 {
	t.Helper()
	o, e, code := run(t, "", args...)
	if code != 0 {
		t.Fatalf("blast %v exited %d: %s", args, code, e)
	}
	var doc struct {
		Features []struct {
			PDown float64 `json:"pDown"`
		} `json:"features"`
	}
	if err := json.Unmarshal([]byte(o), &doc); err != nil || len(doc.Features) != 1 {
		t.Fatalf("blast %v: %v\n%s", args, err, o)
	}
	return doc.Features[0].PDown
}

func TestImportOpenPSA(t *testing.T) {
	o, e, code := run(t, "", "import", "openpsa", "testdata/risk/two-trains.xml")
	if code != 0 {
		t.Fatalf("import exited %d: %s", code, e)
	}
	golden.Check(t, "risk/import-two-trains.yaml", []byte(o))
	// The imported inventory loads and gives the tree's cut sets.
	dir := t.TempDir()
	p := filepath.Join(dir, "inv.yaml")
	os.WriteFile(p, []byte(o), 0o644)
	got := cutsJSON(t, []string{"cuts", "-f", p, "--format", "json", "--max-order", "0"})
	want := cutsJSON(t, []string{"cuts", "-f", "testdata/risk/two-trains.xml", "--format", "json", "--max-order", "0"})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("cuts of the imported inventory = %v; want %v", got, want)
	}
}

func TestImportOpenPSAErrors(t *testing.T) {
	for _, tc := range []struct {
		name, xml string
		want      []string
	}{
		{"not", `<opsa-mef><define-fault-tree name="f">
<define-gate name="top"><or><basic-event name="a"/>
  <not><basic-event name="b"/></not></or></define-gate>
</define-fault-tree></opsa-mef>`, []string{"bad.xml:3:3", `gate "top": not is not coherent`}},
		{"xor", `<opsa-mef><define-fault-tree name="f">
<define-gate name="g1"><xor><basic-event name="a"/><basic-event name="b"/></xor></define-gate>
</define-fault-tree></opsa-mef>`, []string{"bad.xml:2:24", `gate "g1": xor is not coherent`}},
		{"undefined", `<opsa-mef><define-fault-tree name="f">
<define-gate name="top"><and><gate name="nope"/><basic-event name="a"/></and></define-gate>
<define-basic-event name="a"><float value="0.1"/></define-basic-event>
</define-fault-tree></opsa-mef>`, []string{"bad.xml:2:30", `undefined gate "nope"`}},
		{"entity", `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>
<opsa-mef>&lol2;</opsa-mef>`, []string{"entity declarations are not accepted"}},
		{"bad probability", `<opsa-mef><model-data>
<define-basic-event name="a"><float value="1.5"/></define-basic-event>
</model-data></opsa-mef>`, []string{"bad.xml:2:30", `value "1.5" is not a probability`}},
		{"syntax", `<opsa-mef><define-fault-tree>`, []string{"bad.xml:1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "bad.xml")
			os.WriteFile(p, []byte(tc.xml), 0o644)
			t.Chdir(dir)
			o, e, code := run(t, "", "import", "openpsa", "bad.xml")
			if code != ExitInput || o != "" {
				t.Fatalf("import exited %d with output %q; want 2 and none", code, o)
			}
			for _, w := range tc.want {
				if !strings.Contains(e, w) {
					t.Errorf("import error = %q; want it to contain %q", e, w)
				}
			}
		})
	}
}

// TestCutsProbability checks that cuts --probability gives the exact
// probability availability gives, on every feature of the examples.
func TestCutsProbability(t *testing.T) {
	for _, tc := range []struct{ files []string }{{[]string{tricky}}, {[]string{"../examples/kakao-2022.yaml", defaults}}} {
		var fargs []string
		for _, f := range tc.files {
			fargs = append(fargs, "-f", f)
		}
		o, e, code := run(t, "", append([]string{"availability", "--format", "json"}, fargs...)...)
		if code != 0 {
			t.Fatalf("availability %v exited %d: %s", tc.files, code, e)
		}
		var avail struct {
			Features []struct {
				ID    string  `json:"feature"`
				PDown float64 `json:"pDown"`
			} `json:"features"`
		}
		if err := json.Unmarshal([]byte(o), &avail); err != nil || len(avail.Features) < 2 {
			t.Fatalf("availability %v: %v, %d features", tc.files, err, len(avail.Features))
		}
		for _, f := range avail.Features {
			o, e, code := run(t, "", append([]string{"cuts", "--probability", "--max-order", "1", "--format", "json", "--feature", f.ID}, fargs...)...)
			if code != 0 {
				t.Fatalf("cuts --feature %s exited %d: %s", f.ID, code, e)
			}
			var cuts struct {
				Probability *float64 `json:"probability"`
			}
			if err := json.Unmarshal([]byte(o), &cuts); err != nil || cuts.Probability == nil {
				t.Fatalf("cuts --probability --feature %s: %v, no probability in\n%s", f.ID, err, o)
			}
			if p := *cuts.Probability; math.Abs(p-f.PDown) > 1e-12*max(p, f.PDown) {
				t.Errorf("%s: cuts --probability %.17g; availability %.17g", f.ID, p, f.PDown)
			}
		}
	}
}

func TestRiskOnBasicEventsOnly(t *testing.T) {
	// A file of basic events alone holds no fault tree: say so, and that
	// the gates' file may be given beside it.
	dir := t.TempDir()
	p := filepath.Join(dir, "events.xml")
	os.WriteFile(p, []byte(`<opsa-mef><model-data>
<define-basic-event name="a"><float value="0.1"/></define-basic-event>
<define-basic-event name="b"><float value="0.2"/></define-basic-event>
</model-data></opsa-mef>`), 0o644)
	for _, cmd := range []string{"cuts", "availability"} {
		o, e, code := run(t, "", cmd, "-f", p)
		if code != ExitInput || o != "" {
			t.Fatalf("%s exited %d with output %q; want 2 and none", cmd, code, o)
		}
		for _, w := range []string{"events.xml: no fault tree", "no gate, only 2 basic events", "give the file with the gates too"} {
			if !strings.Contains(e, w) {
				t.Errorf("%s error = %q; want it to contain %q", cmd, e, w)
			}
		}
	}
}
