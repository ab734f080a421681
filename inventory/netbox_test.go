package inventory

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/blast-dev/blast/internal/golden"
)

// importGolden runs an importer and checks its YAML output and report
// against golden files, and that the output loads as an inventory (whole
// or, when partial, with only the missing placements to blame).
func importGolden(t *testing.T, name string, imp *Import, whole bool) {
	t.Helper()
	data, err := Encode(imp.Inv, "yaml")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, name+".yaml", data)
	var rep bytes.Buffer
	if err := imp.Report.WriteText(&rep); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, name+".report.txt", rep.Bytes())
	if whole {
		if _, diags, err := LoadFiles([]File{{Name: name + ".yaml", Data: data}}); err != nil {
			t.Errorf("%s output does not load: %v", name, diags)
		}
	}
}

func readDir(t *testing.T, paths ...string) []File {
	t.Helper()
	files, err := ReadPaths(paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestImportNetBox(t *testing.T) {
	for _, tc := range []struct{ name, dir string }{
		{"netbox-v4", "../examples/import/netbox/v4"},
		{"netbox-dumpdata", "../examples/import/netbox/dumpdata"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			imp, err := ImportNetBox(readDir(t, tc.dir))
			if err != nil {
				t.Fatal(err)
			}
			importGolden(t, "import/"+tc.name, imp, true)
		})
	}
}

// TestImportNetBoxVersions checks that the same estate saved from NetBox
// 3.2 (device_role; one connected_endpoint per power port; rack type) and
// from NetBox 4.1 and later (role; connected_endpoints lists; form_factor
// and rack_type; display_url) imports to the same inventory and report.
func TestImportNetBoxVersions(t *testing.T) {
	v4 := encodeImport(t, ImportNetBox, readDir(t, "../examples/import/netbox/v4"))
	v3 := encodeImport(t, ImportNetBox, readDir(t, "testdata/import/netbox-v3.2"))
	if !bytes.Equal(v3, v4) {
		t.Errorf("NetBox 3.2 import =\n%s\nwant the NetBox 4 import\n%s", v3, v4)
	}
	for _, want := range []string{"power:\n      - pangyo/PP-A/R01-A\n      - pangyo/PP-B/R01-B", "netbox.role: pdu"} {
		if !bytes.Contains(v3, []byte(want)) {
			t.Errorf("NetBox 3.2 import lacks %q:\n%s", want, v3)
		}
	}
}

// TestImportNetBoxBad checks that bad input gives errors naming the file,
// line and column, and never an inventory.
func TestImportNetBoxBad(t *testing.T) {
	page := `{"count": 1, "next": null, "previous": null, "results": [%s]}`
	for _, tc := range []struct {
		name  string
		files []File
		want  string
	}{
		{"truncated JSON", []File{{"sites.json", []byte(`{"count": 1, "next": null, "previous": null, "results": [{"id": 1, "name": "Pangyo"`)}}, "sites.json:1:84: syntax error: unexpected end of file"},
		{"not a list", []File{{"sites.json", []byte(`{"id": 1, "name": "Pangyo"}`)}}, "sites.json:1:1: not a NetBox list response"},
		{"one page of many", []File{{"racks.json", []byte(`{"count": 2000, "next": "https://netbox.example.com/api/dcim/racks/?limit=50&offset=50", "previous": null, "results": []}`)}}, "racks.json:1:25: this is one page of a longer list"},
		{"dangling location", []File{
			{"locations.json", []byte(fmt.Sprintf(page, `{"id": 1, "url": "https://netbox.example.com/api/dcim/locations/1/", "name": "A", "slug": "a"}`))},
			{"racks.json", []byte(fmt.Sprintf(page, `{"id": 12, "url": "https://netbox.example.com/api/dcim/racks/12/", "name": "R01",
  "location": {"id": 99, "url": "https://netbox.example.com/api/dcim/locations/99/", "name": "Gone"}}`))},
		}, "racks.json:2:15: dcim/racks/12 names location 99, which is not in the locations given"},
		{"duplicate", []File{
			{"a.json", []byte(fmt.Sprintf(page, `{"id": 1, "url": "https://netbox.example.com/api/dcim/sites/1/", "name": "P", "slug": "p"}`))},
			{"b.json", []byte(fmt.Sprintf(page, `{"id": 1, "url": "https://netbox.example.com/api/dcim/sites/1/", "name": "P", "slug": "p"}`))},
		}, "b.json:1:58: dcim/sites/1 appears twice (first at a.json:1:58)"},
		{"dumpdata entry without fields", []File{{"dump.json", []byte(`[{"model": "dcim.site", "pk": 1}]`)}}, "dump.json:1:2: not a dumpdata entry"},
		{"bad id", []File{{"sites.json", []byte(fmt.Sprintf(page, `{"id": "one", "name": "P"}`))}}, "sites.json:1:58: dcim/sites object has no numeric id"},
		{"empty", []File{{"sites.json", []byte("  \n")}}, "sites.json:1:1: file is empty"},
		{"no objects", []File{{"sites.json", []byte(`{"count": 0, "next": null, "previous": null, "results": []}`)}}, "sites.json:1:1: no component imported"},
		{"fields missing", []File{{"dump.json", []byte(`[{"model": "dcim.interface", "pk": 1, "fields": {}}]`)}}, "dump.json:1:1: no component imported"},
		{"page without next", []File{{"racks.json", []byte(fmt.Sprintf(`{"count": 120, "next": null, "previous": null, "results": [%s]}`, `{"id": 1, "name": "R1"}`))}}, "racks.json:1:11: count says 120, 1 read: is a page missing?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			imp, err := ImportNetBox(tc.files)
			if err == nil {
				t.Fatalf("ImportNetBox = %d components, no error; want %q", len(imp.Inv.Components), tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ImportNetBox error = %v; want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestImportNetBoxShuffled checks that the order of files and of objects
// within them does not change the output.
func TestImportNetBoxShuffled(t *testing.T) {
	files := readDir(t, "../examples/import/netbox/v4")
	want := encodeImport(t, ImportNetBox, files)
	for seed := range uint64(5) {
		rng := rand.New(rand.NewPCG(seed, 7))
		shuffled := slices.Clone(files)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		for i, f := range shuffled {
			shuffled[i].Data = shuffleResults(t, f.Data, rng)
		}
		if got := encodeImport(t, ImportNetBox, shuffled); !bytes.Equal(got, want) {
			t.Errorf("seed %d: shuffled input gives different output:\n%s\nwant\n%s", seed, got, want)
		}
	}
}

func encodeImport(t *testing.T, fn func([]File) (*Import, error), files []File) []byte {
	t.Helper()
	imp, err := fn(files)
	if err != nil {
		t.Fatal(err)
	}
	data, err := Encode(imp.Inv, "yaml")
	if err != nil {
		t.Fatal(err)
	}
	var rep bytes.Buffer
	imp.Report.WriteText(&rep)
	return append(data, rep.Bytes()...)
}

// shuffleResults shuffles the results of a NetBox list response.
func shuffleResults(t *testing.T, data []byte, rng *rand.Rand) []byte {
	var list map[string]any
	if err := json.Unmarshal(data, &list); err != nil {
		t.Fatal(err)
	}
	res, _ := list["results"].([]any)
	rng.Shuffle(len(res), func(i, j int) { res[i], res[j] = res[j], res[i] })
	out, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestImportNetBoxSharedSlug checks that a site and a location sharing a
// slug (as ams1 and its building often do) get two ids, the renaming
// reported, and an inventory that loads.
func TestImportNetBoxSharedSlug(t *testing.T) {
	page := `{"count": 1, "next": null, "previous": null, "results": [%s]}`
	files := []File{
		{"sites.json", []byte(fmt.Sprintf(page, `{"id": 3, "url": "https://nb/api/dcim/sites/3/", "name": "AMS1", "slug": "ams1"}`))},
		{"locations.json", []byte(fmt.Sprintf(page, `{"id": 7, "url": "https://nb/api/dcim/locations/7/", "name": "AMS1", "slug": "ams1", "site": {"id": 3}}`))},
		{"racks.json", []byte(fmt.Sprintf(page, `{"id": 9, "url": "https://nb/api/dcim/racks/9/", "name": "ams1", "site": {"id": 3}, "location": {"id": 7}}`))},
	}
	imp, err := ImportNetBox(files)
	if err != nil {
		t.Fatalf("ImportNetBox: %v", err)
	}
	got := map[string]string{}
	for _, c := range imp.Inv.Components {
		got[c.Source] = c.ID + " in " + c.Parent.ID
	}
	want := map[string]string{
		"netbox:dcim/sites/3":     "ams1 in ",
		"netbox:dcim/locations/7": "ams1/ams1 in ams1",
		"netbox:dcim/racks/9":     "ams1/ams1/ams1 in ams1/ams1",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("components = %v; want %v", got, want)
	}
	if notes := strings.Join(imp.Report.Notes, "\n"); !strings.Contains(notes, `location "AMS1" (dcim/locations/7) takes id "ams1/ams1": "ams1" is site "AMS1" (dcim/sites/3)`) {
		t.Errorf("notes = %s; want the renaming reported", notes)
	}
	data, _ := Encode(imp.Inv, "yaml")
	if _, diags, err := LoadFiles([]File{{Name: "x.yaml", Data: data}}); err != nil {
		t.Errorf("output does not load: %v\n%s", diags, data)
	}
}

// TestCiteSources checks that problems found in an importer's output name
// the entity's source and id, not a position in the generated text.
func TestCiteSources(t *testing.T) {
	inv := &Inventory{APIVersion: APIVersion, Kind: "Inventory", Components: []Component{
		{ID: "ams1", Kind: "site", Source: "netbox:dcim/sites/3"},
		{ID: "ams1", Kind: "building", Parent: Ref{ID: "ams1"}, Source: "netbox:dcim/locations/7"},
	}}
	data, err := Encode(inv, "yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, diags, err := LoadFiles([]File{{Name: "-", Data: data}})
	if err == nil {
		t.Fatal("a duplicate id loads")
	}
	var got []string
	for _, d := range CiteSources(inv, "-", data, diags) {
		got = append(got, d.String())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		`netbox:dcim/locations/7 (component "ams1"): id: duplicate id "ams1" (first defined at netbox:dcim/sites/3 (component "ams1") as a component)`,
		`netbox:dcim/locations/7 (component "ams1"): parent: component "ams1" is its own parent`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("CiteSources =\n%s\nwant a line with %s", all, want)
		}
	}
	if strings.Contains(all, "-:") {
		t.Errorf("CiteSources =\n%s\nstill cites the generated text", all)
	}
}

// TestImportNetBoxNotInService checks that devices planned, in inventory
// or being decommissioned are not imported, and are counted.
func TestImportNetBoxNotInService(t *testing.T) {
	page := `{"count": 4, "next": null, "previous": null, "results": [%s]}`
	dev := `{"id": %d, "url": "https://nb/api/dcim/devices/%d/", "name": "d%d", "status": {"value": "%s", "label": "x"}}`
	files := []File{{"devices.json", []byte(fmt.Sprintf(page, strings.Join([]string{
		fmt.Sprintf(dev, 1, 1, 1, "active"), fmt.Sprintf(dev, 2, 2, 2, "planned"),
		fmt.Sprintf(dev, 3, 3, 3, "inventory"), fmt.Sprintf(dev, 4, 4, 4, "decommissioning"),
	}, ", ")))}}
	imp, err := ImportNetBox(files)
	if err != nil {
		t.Fatal(err)
	}
	if len(imp.Inv.Components) != 1 || imp.Inv.Components[0].ID != "d1" {
		t.Errorf("components = %+v; want d1 alone", imp.Inv.Components)
	}
	var b strings.Builder
	imp.Report.WriteText(&b)
	if !strings.Contains(b.String(), "not mapped: 3 devices with status planned, inventory or decommissioning") {
		t.Errorf("report =\n%s\nwant the 3 devices counted", b.String())
	}
}

// TestImportNetBoxDumpdataCables checks that a dumpdata fixture's cable
// records give its power ports their far ends: by natural content type
// keys, by content type ids named in the same dump, and by NetBox 3.2's
// cable-held terminations; that cables not connected carry no power; and
// that terminations the dump cannot resolve are reported or refused.
func TestImportNetBoxDumpdataCables(t *testing.T) {
	const base = `{"model": "dcim.site", "pk": 1, "fields": {"name": "S", "slug": "s", "status": "active"}},
 {"model": "dcim.devicerole", "pk": 1, "fields": {"name": "Server", "slug": "server"}},
 {"model": "dcim.powerpanel", "pk": 1, "fields": {"site": 1, "location": null, "name": "P1"}},
 {"model": "dcim.powerfeed", "pk": 7, "fields": {"power_panel": 1, "rack": null, "name": "F7", "status": "active", "type": "primary"}},
 {"model": "dcim.device", "pk": 9, "fields": {"name": "db", "role": 1, "site": 1, "location": null, "rack": null, "status": "active"}},
 {"model": "dcim.powerport", "pk": 21, "fields": {"device": 9, "name": "PSU1", "cable": 31, "cable_end": "A"}}`
	term := func(pk int, end, typ string, id int) string {
		return fmt.Sprintf(`{"model": "dcim.cabletermination", "pk": %d, "fields": {"cable": 31, "cable_end": %q, "termination_type": %s, "termination_id": %d}}`, pk, end, typ, id)
	}
	cable := func(status string) string {
		return fmt.Sprintf(`{"model": "dcim.cable", "pk": 31, "fields": {"type": "power", "status": %q, "label": ""}}`, status)
	}
	dump := func(recs ...string) []File {
		return []File{{"dump.json", []byte("[" + strings.Join(append([]string{base}, recs...), ",\n ") + "]")}}
	}
	for _, tc := range []struct {
		name      string
		files     []File
		power     string // of device db; "" for none
		reportHas string
		errHas    string
	}{
		{"natural keys", dump(cable("connected"), term(61, "A", `["dcim", "powerport"]`, 21), term(62, "B", `["dcim", "powerfeed"]`, 7)), "s/P1/F7", "", ""},
		{"content type ids", dump(cable("connected"), term(61, "A", "41", 21), term(62, "B", "38", 7),
			`{"model": "contenttypes.contenttype", "pk": 41, "fields": {"app_label": "dcim", "model": "powerport"}}`,
			`{"model": "contenttypes.contenttype", "pk": 38, "fields": {"app_label": "dcim", "model": "powerfeed"}}`), "s/P1/F7", "", ""},
		{"content type ids unknown", dump(cable("connected"), term(61, "A", "41", 21), term(62, "B", "38", 7)), "",
			"not mapped: 2 cable terminations whose termination_type is a content type id the input does not name", ""},
		{"NetBox 3.2 cable", dump(`{"model": "dcim.cable", "pk": 31, "fields": {"termination_a_type": ["dcim", "powerport"], "termination_a_id": 21, "termination_b_type": ["dcim", "powerfeed"], "termination_b_id": 7, "type": "power", "status": "connected"}}`), "s/P1/F7", "", ""},
		{"planned cable", dump(cable("planned"), term(61, "A", `["dcim", "powerport"]`, 21), term(62, "B", `["dcim", "powerfeed"]`, 7)), "",
			"not mapped: 1 cables with status planned or decommissioning (no power flows through them), e.g. dcim.cable 31 (planned)", ""},
		{"interface cable", dump(cable("connected"), term(61, "A", `["dcim", "interface"]`, 5), term(62, "B", `["dcim", "interface"]`, 6)), "",
			"not mapped: 2 cable ends on components other than power ports, outlets and feeds, e.g. dcim.interface", ""},
		{"no cable records", dump(), "", "note: the dump holds power ports but no cable records", ""},
		{"dangling cable", dump(cable("connected"), strings.Replace(term(61, "A", `["dcim", "powerport"]`, 21), `"cable": 31`, `"cable": 99`, 1)), "", "",
			"dump.json:8:67: dcim.cabletermination 61 names cable 99, which is not in the dcim.cable records given"},
		{"dangling port", dump(cable("connected"), term(61, "A", `["dcim", "powerport"]`, 22), term(62, "B", `["dcim", "powerfeed"]`, 7)), "", "",
			"dump.json:8:150: dcim.cabletermination 61 names power port 22, which is not in the dcim.powerport records given"},
		{"bad termination type", dump(cable("connected"), term(61, "A", `"powerport"`, 21)), "", "",
			"dump.json:8:109: dcim.cabletermination 61: termination_type must be [app_label, model] or a content type id, got the string \"powerport\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			imp, err := ImportNetBox(tc.files)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("ImportNetBox error = %v; want %q", err, tc.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var power []string
			for _, c := range imp.Inv.Components {
				if c.ID == "db" && c.Power != nil {
					for _, f := range c.Power.Feeds {
						power = append(power, f.ID)
					}
				}
			}
			if got := strings.Join(power, ","); got != tc.power {
				t.Errorf("db power = %q; want %q", got, tc.power)
			}
			var b strings.Builder
			imp.Report.WriteText(&b)
			if tc.reportHas != "" && !strings.Contains(b.String(), tc.reportHas) {
				t.Errorf("report =\n%s\nwant %q", b.String(), tc.reportHas)
			}
		})
	}
}

// TestImportNetBoxInactivePath checks that a REST power port whose path
// is not active (a planned cable: connected_endpoints_reachable false)
// gives its device no power, and is reported.
func TestImportNetBoxInactivePath(t *testing.T) {
	page := `{"count": 1, "next": null, "previous": null, "results": [%s]}`
	files := []File{
		{"power-panels.json", []byte(fmt.Sprintf(page, `{"id": 1, "url": "https://nb/api/dcim/power-panels/1/", "name": "P1"}`))},
		{"power-feeds.json", []byte(fmt.Sprintf(page, `{"id": 7, "url": "https://nb/api/dcim/power-feeds/7/", "name": "F7", "power_panel": {"id": 1}, "status": {"value": "active"}}`))},
		{"devices.json", []byte(fmt.Sprintf(page, `{"id": 9, "url": "https://nb/api/dcim/devices/9/", "name": "db", "status": {"value": "active"}}`))},
		{"power-ports.json", []byte(fmt.Sprintf(page, `{"id": 21, "url": "https://nb/api/dcim/power-ports/21/", "name": "PSU1", "device": {"id": 9},
  "cable": {"id": 31}, "cable_end": "A", "link_peers": [{"id": 7}], "link_peers_type": "dcim.powerfeed",
  "connected_endpoints": [{"id": 7}], "connected_endpoints_type": "dcim.powerfeed", "connected_endpoints_reachable": %s}`))},
	}
	for _, reachable := range []string{"true", "false"} {
		fs := slices.Clone(files)
		fs[3].Data = []byte(fmt.Sprintf(string(files[3].Data), reachable))
		imp, err := ImportNetBox(fs)
		if err != nil {
			t.Fatal(err)
		}
		var powered bool
		for _, c := range imp.Inv.Components {
			if c.ID == "db" {
				powered = c.Power != nil
			}
		}
		var b strings.Builder
		imp.Report.WriteText(&b)
		reported := strings.Contains(b.String(), "1 power ports whose cable path is not active")
		if powered != (reachable == "true") || reported == (reachable == "true") {
			t.Errorf("reachable %s: powered %v, reported %v; report:\n%s", reachable, powered, reported, b.String())
		}
	}
}

// TestImportNetBoxNotLive checks that sites and locations planned,
// decommissioning or retired, and racks planned or deprecated, are not
// imported, nor anything inside them (locations, racks, panels, feeds,
// devices), each counted with examples in the report; and that staging
// sites and reserved racks are.
func TestImportNetBoxNotLive(t *testing.T) {
	list := func(objs ...string) []byte {
		return []byte(fmt.Sprintf(`{"count": %d, "next": null, "previous": null, "results": [%s]}`, len(objs), strings.Join(objs, ", ")))
	}
	obj := func(ep string, id int, name, status, refs string) string {
		s := fmt.Sprintf(`{"id": %d, "url": "https://nb/api/dcim/%s/%d/", "name": %q, "slug": %q, "status": {"value": %q, "label": "x"}`, id, ep, id, name, strings.ToLower(name), status)
		if refs != "" {
			s += ", " + refs
		}
		return s + "}"
	}
	files := []File{
		{"sites.json", list(obj("sites", 1, "Live", "active", ""), obj("sites", 2, "Plan", "planned", ""), obj("sites", 3, "Stage", "staging", ""), obj("sites", 4, "Old", "retired", ""))},
		{"locations.json", list(obj("locations", 10, "L1", "active", `"site": {"id": 1}`), obj("locations", 11, "L2", "decommissioning", `"site": {"id": 1}`),
			obj("locations", 12, "L3", "active", `"site": {"id": 1}, "parent": {"id": 11}`), obj("locations", 13, "L4", "active", `"site": {"id": 2}`))},
		{"racks.json", list(obj("racks", 20, "R1", "active", `"site": {"id": 1}, "location": {"id": 10}`), obj("racks", 21, "R2", "deprecated", `"site": {"id": 1}, "location": {"id": 10}`),
			obj("racks", 22, "R3", "reserved", `"site": {"id": 3}`), obj("racks", 23, "R4", "active", `"site": {"id": 1}, "location": {"id": 12}`),
			obj("racks", 24, "R5", "active", `"site": {"id": 4}`))},
		{"power-panels.json", list(obj("power-panels", 30, "P1", "", `"site": {"id": 1}, "location": {"id": 10}`), obj("power-panels", 31, "P2", "", `"site": {"id": 2}`))},
		{"power-feeds.json", list(obj("power-feeds", 40, "F1", "active", `"power_panel": {"id": 30}, "rack": {"id": 20}`), obj("power-feeds", 41, "F2", "active", `"power_panel": {"id": 31}, "rack": null`))},
		{"devices.json", list(obj("devices", 50, "d-live", "active", `"site": {"id": 1}, "location": {"id": 10}, "rack": {"id": 20}`),
			obj("devices", 51, "d-dep", "active", `"site": {"id": 1}, "location": {"id": 10}, "rack": {"id": 21}`),
			obj("devices", 52, "d-stage", "active", `"site": {"id": 3}, "rack": {"id": 22}`),
			obj("devices", 53, "d-nested", "active", `"site": {"id": 1}, "location": {"id": 12}, "rack": {"id": 23}`))},
	}
	imp, err := ImportNetBox(files)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range imp.Inv.Components {
		got = append(got, c.Source)
	}
	want := []string{"netbox:dcim/devices/50", "netbox:dcim/devices/52", "netbox:dcim/locations/10", "netbox:dcim/power-feeds/40",
		"netbox:dcim/power-panels/30", "netbox:dcim/racks/20", "netbox:dcim/racks/22", "netbox:dcim/sites/1", "netbox:dcim/sites/3"}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("imported %v; want %v", got, want)
	}
	var text strings.Builder
	imp.Report.WriteText(&text)
	for _, line := range []string{
		`not mapped: 2 sites with status planned, decommissioning or retired (not in service), e.g. site "Old" (dcim/sites/4), site "Plan" (dcim/sites/2)`,
		`not mapped: 1 locations with status planned, decommissioning or retired (not in service), e.g. location "L2" (dcim/locations/11)`,
		`not mapped: 1 racks with status planned or deprecated (not in service), e.g. rack "R2" (dcim/racks/21)`,
		`not mapped: 8 objects inside a site, location or rack not in service, e.g. device "d-dep" (dcim/devices/51) in rack "R2" (dcim/racks/21), device "d-nested" (dcim/devices/53) in location "L2" (dcim/locations/11), location "L3" (dcim/locations/12) in location "L2" (dcim/locations/11)`,
	} {
		if !strings.Contains(text.String(), line) {
			t.Errorf("report =\n%s\nwant the line\n%s", text.String(), line)
		}
	}
	js, err := json.Marshal(imp.Report)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `{"what":"racks with status planned or deprecated (not in service)","count":1,"examples":["rack \"R2\" (dcim/racks/21)"]}`) {
		t.Errorf("JSON report = %s; want the deprecated rack counted with its example", js)
	}
	data, _ := Encode(imp.Inv, "yaml")
	if _, diags, err := LoadFiles([]File{{Name: "x.yaml", Data: data}}); err != nil {
		t.Errorf("output does not load: %v\n%s", diags, data)
	}
}
