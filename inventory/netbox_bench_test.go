package inventory

import (
	"encoding/json"
	"fmt"
	"testing"
)

// netboxEstate builds saved NetBox 4 list responses for an estate of
// sites × racksPerSite racks: one region, per site a building and a hall,
// two power panels, each rack fed by one feed of each panel (every 50th
// B feed failed), and one server per rack.
func netboxEstate(tb testing.TB, sites, racksPerSite int) []File {
	const base = "https://netbox.example.com/api/dcim/"
	brief := func(ep string, id int, name string) map[string]any {
		return map[string]any{"id": id, "url": fmt.Sprintf("%s%s/%d/", base, ep, id), "display": name, "name": name}
	}
	status := func(v string) map[string]any { return map[string]any{"value": v, "label": v} }
	lists := map[string][]any{}
	put := func(ep string, id int, obj map[string]any) {
		obj["id"], obj["url"] = id, fmt.Sprintf("%s%s/%d/", base, ep, id)
		lists[ep] = append(lists[ep], obj)
	}
	put("regions", 1, map[string]any{"name": "Korea", "slug": "kr", "parent": nil})
	rack, feed := 0, 0
	for s := 1; s <= sites; s++ {
		site := fmt.Sprintf("dc%02d", s)
		put("sites", s, map[string]any{"name": site, "slug": site, "status": status("active"), "region": brief("regions", 1, "Korea")})
		bld, hall := 2*s-1, 2*s
		put("locations", bld, map[string]any{"name": "Building", "slug": site + "-bldg", "site": brief("sites", s, site), "parent": nil})
		put("locations", hall, map[string]any{"name": "Hall", "slug": site + "-hall", "site": brief("sites", s, site), "parent": brief("locations", bld, "Building")})
		for p, side := range []string{"A", "B"} {
			put("power-panels", 2*s-1+p, map[string]any{"name": "PP-" + side, "site": brief("sites", s, site), "location": brief("locations", bld, "Building")})
		}
		for r := 1; r <= racksPerSite; r++ {
			rack++
			name := fmt.Sprintf("R%04d", r)
			put("racks", rack, map[string]any{"name": name, "status": status("active"), "site": brief("sites", s, site), "location": brief("locations", hall, "Hall"), "u_height": 42})
			for p, side := range []string{"A", "B"} {
				feed++
				st := "active"
				if side == "B" && rack%50 == 0 {
					st = "failed"
				}
				put("power-feeds", feed, map[string]any{"name": name + "-" + side, "status": status(st), "type": status(map[bool]string{true: "primary", false: "redundant"}[side == "A"]),
					"power_panel": brief("power-panels", 2*s-1+p, "PP-"+side), "rack": brief("racks", rack, name)})
			}
			put("devices", rack, map[string]any{"name": fmt.Sprintf("%s-%s-srv", site, name), "status": status("active"),
				"role": map[string]any{"id": 1, "url": base + "device-roles/1/", "name": "Server", "slug": "server"},
				"site": brief("sites", s, site), "location": brief("locations", hall, "Hall"), "rack": brief("racks", rack, name)})
		}
	}
	var files []File
	for _, ep := range sortedKeys(lists) {
		data, err := json.Marshal(map[string]any{"count": len(lists[ep]), "next": nil, "previous": nil, "results": lists[ep]})
		if err != nil {
			tb.Fatal(err)
		}
		files = append(files, File{Name: ep + ".json", Data: data})
	}
	return files
}

const benchSites = 20

// BenchmarkImportNetBox imports a saved NetBox of 20,000 racks (40,000
// power feeds, 20,000 devices) and writes the inventory as YAML.
func BenchmarkImportNetBox(b *testing.B) {
	files := netboxEstate(b, benchSites, 1000)
	size := 0
	for _, f := range files {
		size += len(f.Data)
	}
	b.SetBytes(int64(size))
	var comps int
	for b.Loop() {
		imp, err := ImportNetBox(files)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Encode(imp.Inv, "yaml"); err != nil {
			b.Fatal(err)
		}
		comps = len(imp.Inv.Components)
	}
	b.ReportMetric(float64(comps), "components")
}

// TestNetBoxEstate checks the benchmark's input on a small estate: it
// imports whole, with dual-fed racks and the failed feeds reported.
func TestNetBoxEstate(t *testing.T) {
	imp, err := ImportNetBox(netboxEstate(t, 2, 50))
	if err != nil {
		t.Fatal(err)
	}
	// 1 region, 2 sites, 4 locations, 100 racks, 4 panels, 200 feeds, 100 devices.
	if got, want := len(imp.Inv.Components), 1+2+4+100+4+200+100; got != want {
		t.Errorf("components = %d; want %d", got, want)
	}
	if got := len(imp.Report.Failed); got != 2 {
		t.Errorf("failed feeds reported = %d; want 2 (every 50th rack's B feed)", got)
	}
	for _, c := range imp.Inv.Components {
		if c.Kind == "rack" && (c.Power == nil || len(c.Power.Feeds) != 2) {
			t.Errorf("rack %s power = %v; want two feeds", c.ID, c.Power)
		}
	}
	data, _ := Encode(imp.Inv, "yaml")
	if _, diags, err := LoadFiles([]File{{Name: "estate.yaml", Data: data}}); err != nil {
		t.Errorf("the import does not load: %v", diags)
	}
}
