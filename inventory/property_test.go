package inventory

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// genInventory draws a random valid inventory: sites, buildings, power,
// network, racks and hosts with feeds; services placed on them with
// quorums, standbys, failovers and every kind of dependency; features.
// Adapted from the graph package's generator, with the fields only the
// emitter and the merge care about (names with characters YAML and JSON
// must escape, labels, sources, failure data, recovery times) drawn too.
func genInventory(t *rapid.T) *Inventory {
	inv := &Inventory{APIVersion: APIVersion, Kind: "Inventory"}
	if rapid.Bool().Draw(t, "metadata") {
		inv.Metadata = Metadata{Name: drawText(t, "inventory name"), Description: drawText(t, "inventory description"), Labels: drawLabels(t, "inventory labels")}
	}
	var comps, power, network, hosts []string
	add := func(c Component) {
		c.Failed = rapid.IntRange(0, 19).Draw(t, c.ID+" already failed") == 0
		c.Name = drawText(t, "name")
		c.Labels = drawLabels(t, "labels")
		c.Source = drawSource(t)
		c.Reliability = drawReliability(t)
		inv.Components = append(inv.Components, c)
		comps = append(comps, c.ID)
	}
	for s := range rapid.IntRange(1, 3).Draw(t, "sites") {
		site := fmt.Sprintf("s%d", s)
		add(Component{ID: site, Kind: "site"})
		for b := range rapid.IntRange(1, 2).Draw(t, "buildings") {
			bld := fmt.Sprintf("%s-b%d", site, b)
			add(Component{ID: bld, Kind: "building", Parent: Ref{ID: site}})
			for p := range rapid.IntRange(1, 3).Draw(t, "power") {
				id := fmt.Sprintf("%s-ups%d", bld, p)
				add(Component{ID: id, Kind: "power", Parent: Ref{ID: bld}})
				power = append(power, id)
			}
			for n := range rapid.IntRange(0, 2).Draw(t, "network") {
				id := fmt.Sprintf("%s-net%d", bld, n)
				add(Component{ID: id, Kind: "network", Parent: Ref{ID: bld}})
				network = append(network, id)
			}
			for r := range rapid.IntRange(1, 3).Draw(t, "racks") {
				rack := fmt.Sprintf("%s-r%d", bld, r)
				add(Component{ID: rack, Kind: "rack", Parent: Ref{ID: bld}})
				hosts = append(hosts, rack)
				for h := range rapid.IntRange(0, 2).Draw(t, "hosts") {
					id := fmt.Sprintf("%s-h%d", rack, h)
					add(Component{ID: id, Kind: "host", Parent: Ref{ID: rack}})
					hosts = append(hosts, id)
				}
			}
		}
	}
	for i := range inv.Components {
		c := &inv.Components[i]
		var pool []string
		switch c.Kind {
		case "power":
			if rapid.IntRange(0, 2).Draw(t, "power fed") == 0 {
				pool = without(power, c.ID)
			}
		case "rack":
			if rapid.IntRange(0, 4).Draw(t, "rack fed") > 0 {
				pool = power
			}
		case "host":
			if rapid.IntRange(0, 3).Draw(t, "host fed") == 0 {
				pool = power
			}
		}
		c.Power = drawFeeds(t, pool, "power feeds")
		if c.Kind == "rack" && rapid.Bool().Draw(t, "rack networked") {
			c.Network = drawFeeds(t, network, "network feeds")
		}
	}

	var services, features []string
	for i := range rapid.IntRange(1, 9).Draw(t, "services") {
		services = append(services, fmt.Sprintf("svc%d", i))
	}
	for i := range rapid.IntRange(1, 5).Draw(t, "features") {
		features = append(features, fmt.Sprintf("feat%d", i))
	}
	pools := [][]string{services, services, services, features, comps, comps}
	drawDeps := func(self string, least int) []Dep {
		var deps []Dep
		for len(deps) < least || rapid.IntRange(0, 2).Draw(t, "more deps") > 0 && len(deps) < 4 {
			d := Dep{Kind: DepKind(rapid.IntRange(0, 2).Draw(t, "dep kind")), K: 1}
			size := 1
			switch d.Kind {
			case DepAnyOf:
				size = rapid.IntRange(1, 3).Draw(t, "anyOf size")
			case DepAtLeast:
				size = rapid.IntRange(1, 4).Draw(t, "atLeast size")
			}
			for len(d.Of) < size {
				pool := without(pools[rapid.IntRange(0, len(pools)-1).Draw(t, "pool")], self)
				if len(pool) == 0 {
					pool = comps
				}
				id := rapid.SampledFrom(pool).Draw(t, "member")
				if !slices.ContainsFunc(d.Of, func(r Ref) bool { return r.ID == id }) {
					d.Of = append(d.Of, Ref{ID: id})
				} else if rapid.Bool().Draw(t, "stop") {
					break
				}
			}
			if d.Kind == DepAtLeast {
				d.K = rapid.IntRange(1, len(d.Of)).Draw(t, "atLeast")
			}
			d.Soft = rapid.IntRange(0, 3).Draw(t, "soft") == 0
			// An entry repeated, hard once and soft once, is one a merge
			// folds to hard (and reports): repeats keep the first's softness.
			if j := slices.IndexFunc(deps, func(e Dep) bool { return depKey(e) == depKey(d) }); j >= 0 {
				d.Soft = deps[j].Soft
			}
			deps = append(deps, d)
		}
		return deps
	}
	targets := append(slices.Clone(hosts), comps...)
	for _, id := range services {
		s := Service{ID: id, Name: drawText(t, "name"), Labels: drawLabels(t, "labels"), Source: drawSource(t), Reliability: drawReliability(t)}
		s.Tier = rapid.IntRange(0, 3).Draw(t, "tier")
		s.Restart = Duration(time.Duration(rapid.IntRange(0, 3).Draw(t, "restart")) * 15 * time.Minute)
		if rapid.IntRange(0, 4).Draw(t, "operations") == 0 {
			s.Role = "operations"
		}
		if rapid.IntRange(0, 9).Draw(t, "placed") > 0 {
			active := 0
			for range rapid.IntRange(1, 3).Draw(t, "active placements") {
				p := Placement{On: Ref{ID: rapid.SampledFrom(targets).Draw(t, "on")}, Replicas: rapid.IntRange(0, 4).Draw(t, "replicas"),
					Role: rapid.SampledFrom([]string{"", RoleActive}).Draw(t, "role")}
				active += p.Count()
				s.Placement = append(s.Placement, p)
			}
			for range rapid.IntRange(0, 2).Draw(t, "standby placements") {
				s.Placement = append(s.Placement, Placement{On: Ref{ID: rapid.SampledFrom(targets).Draw(t, "on")}, Replicas: rapid.IntRange(0, 4).Draw(t, "replicas"), Role: RoleStandby})
			}
			s.Quorum = drawQuantity(t, active, "quorum")
			s.Capacity = drawQuantity(t, active, "capacity")
		}
		if f := rapid.IntRange(0, 3).Draw(t, "failover"); f > 0 {
			s.Failover = &Failover{RTO: Duration(time.Duration(rapid.IntRange(0, 2).Draw(t, "rto")) * 30 * time.Minute)}
			if f > 1 {
				for _, via := range drawSubset(t, without(services, id), 1, 2, "via") {
					s.Failover.Via = append(s.Failover.Via, Ref{ID: via})
				}
			}
		}
		least := 0
		if len(s.Placement) == 0 {
			least = 1
		}
		s.DependsOn = drawDeps(id, least)
		inv.Services = append(inv.Services, s)
	}
	for _, id := range features {
		inv.Features = append(inv.Features, Feature{ID: id, Name: drawText(t, "name"), Product: drawText(t, "product"),
			Users: int64(rapid.IntRange(0, 1000).Draw(t, "users")), Tier: rapid.IntRange(1, 3).Draw(t, "tier"),
			DependsOn: drawDeps(id, 1), Labels: drawLabels(t, "labels"), Source: drawSource(t)})
	}
	if err := Validate(inv).Err(); err != nil {
		t.Fatalf("generated an invalid inventory: %v", err)
	}
	return inv
}

// tricky are names that YAML or JSON would misread unless escaped.
var tricky = []string{"", "", "", "Pangyo DC", "판교 데이터센터", "true", "123", "null", "a: b", "- x", `say "hi"`, "line\nbreak", "<b>&amp;</b>", "#hash", "'q'", "1e3", " lead"}

func drawText(t *rapid.T, label string) string { return rapid.SampledFrom(tricky).Draw(t, label) }

func drawLabels(t *rapid.T, label string) map[string]string {
	n := rapid.IntRange(0, 2).Draw(t, label)
	if n == 0 {
		return nil
	}
	m := map[string]string{}
	for i := range n {
		m[rapid.SampledFrom([]string{"team", "netbox.role", "backstage.owner", "zone"}).Draw(t, fmt.Sprintf("%s key %d", label, i))] = drawText(t, label+" value")
	}
	return m
}

func drawSource(t *rapid.T) string {
	return rapid.SampledFrom([]string{"", "", "netbox:dcim/racks/12", "kubernetes:apps/v1/Deployment/shop/frontend", "backstage:component:default/cart"}).Draw(t, "source")
}

func drawReliability(t *rapid.T) Reliability {
	switch rapid.IntRange(0, 3).Draw(t, "reliability") {
	case 1:
		u := rapid.SampledFrom([]float64{0, 0.0001, 0.001, 0.25, 1}).Draw(t, "unavailability")
		return Reliability{Unavailability: &u}
	case 2:
		return Reliability{MTBF: Duration(time.Duration(rapid.IntRange(1, 9000).Draw(t, "mtbf")) * time.Hour), MTTR: Duration(time.Duration(rapid.IntRange(1, 48).Draw(t, "mttr")) * time.Hour)}
	}
	return Reliability{}
}

func without(ids []string, x string) []string {
	return slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return id == x })
}

func drawSubset(t *rapid.T, pool []string, lo, hi int, label string) []string {
	hi = min(hi, len(pool))
	lo = min(lo, hi)
	if hi == 0 {
		return nil
	}
	n := rapid.IntRange(lo, hi).Draw(t, label+" size")
	if len(pool) < 2 {
		return slices.Clone(pool[:n])
	}
	return rapid.Permutation(pool).Draw(t, label)[:n]
}

func drawFeeds(t *rapid.T, pool []string, label string) *Feeds {
	feeds := drawSubset(t, pool, 1, 3, label)
	if len(feeds) == 0 {
		return nil
	}
	f := &Feeds{Need: rapid.IntRange(0, len(feeds)).Draw(t, label+" need")}
	for _, id := range feeds {
		f.Feeds = append(f.Feeds, Ref{ID: id})
	}
	return f
}

func drawQuantity(t *rapid.T, active int, label string) *Quantity {
	switch rapid.IntRange(0, 4).Draw(t, label) {
	case 1:
		return &Quantity{Kind: QuantityCount, Value: float64(rapid.IntRange(1, active).Draw(t, label+" count"))}
	case 2:
		return &Quantity{Kind: QuantityMajority}
	case 3:
		return &Quantity{Kind: QuantityPercent, Value: rapid.SampledFrom([]float64{1, 10, 25, 33.3, 50, 66.7, 100}).Draw(t, label+" percent")}
	}
	return nil
}

// clearPositions zeroes what loading records about where things were
// written (positions, paths, the list form of feeds, the files read), so
// that an inventory read back can be compared with one built in memory.
func clearPositions(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			clearPositions(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Field(i)
			switch name := v.Type().Field(i).Name; {
			case f.Type() == reflect.TypeFor[Pos](), name == "Path" || name == "FromList" || name == "Files":
				f.Set(reflect.Zero(f.Type()))
			default:
				clearPositions(f)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			clearPositions(v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			clearPositions(e)
			v.SetMapIndex(k, e)
		}
	}
}

// canonicalNeed writes need 1, the default, as 0, as the emitter does (it
// writes such feeds as a plain list).
func canonicalNeed(inv *Inventory) {
	for i := range inv.Components {
		for _, f := range []*Feeds{inv.Components[i].Power, inv.Components[i].Network} {
			if f != nil && f.Need == 1 {
				f.Need = 0
			}
		}
	}
}

// TestEncodeRoundTripProperty checks, on random inventories, that what
// Encode writes loads back to the same inventory, in both formats.
func TestEncodeRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		inv := genInventory(t)
		format := rapid.SampledFrom([]string{"yaml", "json"}).Draw(t, "format")
		data, err := Encode(inv, format)
		if err != nil {
			t.Fatal(err)
		}
		got, diags, err := LoadFiles([]File{{Name: "x." + format, Data: data}})
		if err != nil {
			t.Fatalf("Encode output does not load: %v\n%s", diags, data)
		}
		clearPositions(reflect.ValueOf(got))
		canonicalNeed(inv)
		if !reflect.DeepEqual(got, inv) {
			t.Fatalf("LoadFiles(Encode(inv)) differs from inv: %s\n%s", firstDiff(reflect.ValueOf(got), reflect.ValueOf(inv), "inv"), data)
		}
	})
}

// firstDiff names the first place where got and want differ.
func firstDiff(got, want reflect.Value, path string) string {
	if got.Kind() != want.Kind() {
		return fmt.Sprintf("%s: kind %s, want %s", path, got.Kind(), want.Kind())
	}
	switch got.Kind() {
	case reflect.Pointer:
		if got.IsNil() || want.IsNil() {
			if got.IsNil() != want.IsNil() {
				return fmt.Sprintf("%s: nil %v, want nil %v", path, got.IsNil(), want.IsNil())
			}
			return ""
		}
		return firstDiff(got.Elem(), want.Elem(), path)
	case reflect.Struct:
		for i := range got.NumField() {
			if d := firstDiff(got.Field(i), want.Field(i), path+"."+got.Type().Field(i).Name); d != "" {
				return d
			}
		}
		return ""
	case reflect.Slice:
		if got.Len() != want.Len() || got.IsNil() != want.IsNil() {
			return fmt.Sprintf("%s: len %d (nil %v), want %d (nil %v)", path, got.Len(), got.IsNil(), want.Len(), want.IsNil())
		}
		for i := range got.Len() {
			if d := firstDiff(got.Index(i), want.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(got.Interface(), want.Interface()) {
		return fmt.Sprintf("%s = %#v, want %#v", path, got.Interface(), want.Interface())
	}
	return ""
}

// copyInventory returns a deep copy of inv, through the emitter and the
// loader (whose round trip TestEncodeRoundTripProperty checks).
func copyInventory(t *rapid.T, inv *Inventory) *Inventory {
	data, err := Encode(inv, "yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, diags, err := LoadFiles([]File{{Name: "copy.yaml", Data: data}})
	if err != nil {
		t.Fatalf("copy does not load: %v", diags)
	}
	return out
}

// canonical encodes inv with each dependency list in a fixed order: a
// dependency list is a set, and a merge lists the base's entries first.
func canonical(t *rapid.T, inv *Inventory) string {
	inv = copyInventory(t, inv)
	sortInventory(inv)
	byKey := func(a, b Dep) int { return strings.Compare(depKey(a), depKey(b)) }
	// The members of an anyOf or atLeast group are a set too.
	sortMembers := func(ds []Dep) {
		for i := range ds {
			slices.SortFunc(ds[i].Of, func(a, b Ref) int { return strings.Compare(a.ID, b.ID) })
		}
	}
	for i := range inv.Services {
		sortMembers(inv.Services[i].DependsOn)
	}
	for i := range inv.Features {
		sortMembers(inv.Features[i].DependsOn)
	}
	for i := range inv.Services {
		slices.SortFunc(inv.Services[i].DependsOn, byKey)
		inv.Services[i].DependsOn = slices.CompactFunc(inv.Services[i].DependsOn, func(a, b Dep) bool { return depKey(a) == depKey(b) })
	}
	for i := range inv.Features {
		slices.SortFunc(inv.Features[i].DependsOn, byKey)
		inv.Features[i].DependsOn = slices.CompactFunc(inv.Features[i].DependsOn, func(a, b Dep) bool { return depKey(a) == depKey(b) })
	}
	data, err := Encode(inv, "yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestMergeIdempotent checks that merging an inventory into itself joins
// every entity, reports no conflict and changes nothing.
func TestMergeIdempotent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		inv := genInventory(t)
		canonicalNeed(inv)
		layer := &Import{Inv: copyInventory(t, inv), Report: newReport("same")}
		out, err := Merge(inv, layer, nil)
		if err != nil {
			t.Fatalf("Merge(inv, inv) = %v; want no conflict", err)
		}
		sorted := copyInventory(t, inv)
		sortInventory(sorted)
		want, _ := Encode(sorted, "yaml")
		got, _ := Encode(out.Inv, "yaml")
		if string(got) != string(want) {
			t.Fatalf("Merge(inv, inv) =\n%s\nwant inv\n%s", got, want)
		}
		if n, want := len(out.Report.Joined), len(inv.Components)+len(inv.Services)+len(inv.Features); n != want {
			t.Errorf("Merge(inv, inv) joined %d entities; want all %d", n, want)
		}
		if again, err := Merge(out.Inv, &Import{Inv: copyInventory(t, out.Inv), Report: newReport("same")}, nil); err != nil {
			t.Errorf("merging the merge into itself: %v", err)
		} else if got2, _ := Encode(again.Inv, "yaml"); string(got2) != string(got) {
			t.Errorf("merging the merge into itself changed it")
		}
	})
}

// TestMergeOrderIndependent splits a random inventory into two layers that
// agree (each entity, and each fact of an entity both hold, is in one
// layer or both) and checks that merging either into the other gives the
// whole inventory back: where layers do not disagree, the base-first rule
// decides nothing.
func TestMergeOrderIndependent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		inv := genInventory(t)
		canonicalNeed(inv)
		a, b := copyInventory(t, inv), copyInventory(t, inv)
		// side draws where a fact goes: both layers, a only, or b only.
		side := func(label string) (inA, inB bool) {
			s := rapid.IntRange(0, 2).Draw(t, label)
			return s != 2, s != 1
		}
		drop := func(label string, inA, inB func()) {
			ka, kb := side(label)
			if !ka {
				inA()
			}
			if !kb {
				inB()
			}
		}
		splitLabels := func(x, y *map[string]string) {
			for _, k := range sortedKeys(*x) {
				drop("label "+k, func() { delete(*x, k) }, func() { delete(*y, k) })
			}
		}
		splitDeps := func(x, y *[]Dep) {
			var ka, kb []Dep
			for i := range *x {
				inA, inB := side("dep")
				if inA {
					ka = append(ka, (*x)[i])
				}
				if inB {
					kb = append(kb, (*y)[i])
				}
			}
			*x, *y = ka, kb
		}
		var keepA, keepB struct{ comps, svcs, feats []bool }
		for i := range inv.Components {
			ca, cb := &a.Components[i], &b.Components[i]
			inA, inB := side("component")
			keepA.comps, keepB.comps = append(keepA.comps, inA), append(keepB.comps, inB)
			if !inA || !inB {
				continue
			}
			drop("parent", func() { ca.Parent = Ref{} }, func() { cb.Parent = Ref{} })
			drop("power", func() { ca.Power = nil }, func() { cb.Power = nil })
			drop("network", func() { ca.Network = nil }, func() { cb.Network = nil })
			drop("failed", func() { ca.Failed = false }, func() { cb.Failed = false })
			drop("name", func() { ca.Name = "" }, func() { cb.Name = "" })
			drop("reliability", func() { ca.Reliability = Reliability{} }, func() { cb.Reliability = Reliability{} })
			drop("source", func() { ca.Source = "" }, func() { cb.Source = "" })
			splitLabels(&ca.Labels, &cb.Labels)
		}
		for i := range inv.Services {
			sa, sb := &a.Services[i], &b.Services[i]
			inA, inB := side("service")
			keepA.svcs, keepB.svcs = append(keepA.svcs, inA), append(keepB.svcs, inB)
			if !inA || !inB {
				continue
			}
			drop("placement", func() { sa.Placement, sa.Quorum, sa.Capacity = nil, nil, nil }, func() { sb.Placement, sb.Quorum, sb.Capacity = nil, nil, nil })
			drop("tier", func() { sa.Tier = 0 }, func() { sb.Tier = 0 })
			drop("role", func() { sa.Role = "" }, func() { sb.Role = "" })
			drop("restart", func() { sa.Restart = 0 }, func() { sb.Restart = 0 })
			drop("failover", func() { sa.Failover = nil }, func() { sb.Failover = nil })
			drop("name", func() { sa.Name = "" }, func() { sb.Name = "" })
			drop("reliability", func() { sa.Reliability = Reliability{} }, func() { sb.Reliability = Reliability{} })
			drop("source", func() { sa.Source = "" }, func() { sb.Source = "" })
			splitLabels(&sa.Labels, &sb.Labels)
			splitDeps(&sa.DependsOn, &sb.DependsOn)
		}
		for i := range inv.Features {
			fa, fb := &a.Features[i], &b.Features[i]
			inA, inB := side("feature")
			keepA.feats, keepB.feats = append(keepA.feats, inA), append(keepB.feats, inB)
			if !inA || !inB {
				continue
			}
			drop("users", func() { fa.Users = 0 }, func() { fb.Users = 0 })
			drop("tier", func() { fa.Tier = 0 }, func() { fb.Tier = 0 })
			drop("name", func() { fa.Name = "" }, func() { fb.Name = "" })
			drop("product", func() { fa.Product = "" }, func() { fb.Product = "" })
			drop("source", func() { fa.Source = "" }, func() { fb.Source = "" })
			splitLabels(&fa.Labels, &fb.Labels)
			splitDeps(&fa.DependsOn, &fb.DependsOn)
		}
		keep := func(inv *Inventory, k struct{ comps, svcs, feats []bool }) {
			inv.Components = filter(inv.Components, k.comps)
			inv.Services = filter(inv.Services, k.svcs)
			inv.Features = filter(inv.Features, k.feats)
		}
		keep(a, keepA)
		keep(b, keepB)
		ab, err := Merge(a, &Import{Inv: b, Report: newReport("b")}, nil)
		if err != nil {
			t.Fatalf("Merge(a, b) = %v; want no conflict", err)
		}
		ba, err := Merge(b, &Import{Inv: a, Report: newReport("a")}, nil)
		if err != nil {
			t.Fatalf("Merge(b, a) = %v; want no conflict", err)
		}
		whole := canonical(t, inv)
		if got := canonical(t, ab.Inv); got != whole {
			t.Fatalf("Merge(a, b) =\n%s\nwant the whole inventory\n%s", got, whole)
		}
		if got := canonical(t, ba.Inv); got != whole {
			t.Fatalf("Merge(b, a) =\n%s\nwant the whole inventory\n%s", got, whole)
		}
	})
}

func filter[T any](xs []T, keep []bool) []T {
	var out []T
	for i, x := range xs {
		if keep[i] {
			out = append(out, x)
		}
	}
	return out
}
