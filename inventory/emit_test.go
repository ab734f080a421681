package inventory

import (
	"bytes"
	"strings"
	"testing"
)

// TestEncodeRoundTrip encodes the example inventories, loads the result and
// encodes it again: the second encoding must equal the first, in both
// formats, so nothing the format can say is lost or changed on the way.
func TestEncodeRoundTrip(t *testing.T) {
	for _, name := range []string{"kakao-2022.yaml", "naver-2022.yaml", "kakao-2022-ops-in-anyang.yaml"} {
		for _, format := range []string{"yaml", "json"} {
			t.Run(name+"/"+format, func(t *testing.T) {
				inv, _, err := Load([]string{"../examples/" + name}, nil)
				if err != nil {
					t.Fatal(err)
				}
				first, err := Encode(inv, format)
				if err != nil {
					t.Fatal(err)
				}
				again, diags, err := LoadFiles([]File{{Name: "out." + format, Data: first}})
				if err != nil {
					t.Fatalf("Encode(%s) does not load: %v\n%s", name, diags, first)
				}
				second, err := Encode(again, format)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(first, second) {
					t.Errorf("Encode(Load(Encode(%s))) differs from Encode(%s)", name, name)
				}
				if len(again.Components) != len(inv.Components) || len(again.Services) != len(inv.Services) || len(again.Features) != len(inv.Features) {
					t.Errorf("round trip of %s: %d/%d/%d entities; want %d/%d/%d", name,
						len(again.Components), len(again.Services), len(again.Features),
						len(inv.Components), len(inv.Services), len(inv.Features))
				}
			})
		}
	}
}

// TestEncodeEscapes checks that names are written as data: strings YAML
// would read as numbers, booleans or nulls, quotes, newlines, markup and
// Korean survive a round trip unchanged.
func TestEncodeEscapes(t *testing.T) {
	tricky := []string{"true", "123", "null", "~", "a: b", "- x", `say "hi"`, "line\nbreak", "<b>&amp;</b>", "판교 데이터센터", "#hash", "'single'", "@at", "0x1F", "1e3", ""}
	for _, format := range []string{"yaml", "json"} {
		for _, s := range tricky {
			inv := &Inventory{Components: []Component{{ID: "c", Kind: "site", Name: s, Labels: map[string]string{"k": s}}}}
			data, err := Encode(inv, format)
			if err != nil {
				t.Fatal(err)
			}
			got, diags, err := LoadFiles([]File{{Name: "x." + format, Data: data}})
			if err != nil {
				t.Fatalf("Encode(name %q) as %s does not load: %v\n%s", s, format, diags, data)
			}
			if c := got.Components[0]; c.Name != s || c.Labels["k"] != s {
				t.Errorf("%s round trip of %q = name %q, label %q", format, s, c.Name, c.Labels["k"])
			}
		}
	}
}

// TestDependencyCalls checks that a dependency's observed call count is
// read, written back and kept through a round trip in both formats, and
// that a negative count is refused at its position.
func TestDependencyCalls(t *testing.T) {
	doc := `apiVersion: blast/v1
kind: Inventory
components:
  - {id: r, kind: rack}
services:
  - {id: db, placement: [{on: r}]}
  - {id: api, placement: [{on: r}], dependsOn: [{on: db, calls: 48211}, {on: db, soft: true, calls: 3}]}
`
	inv, diags, err := LoadFiles([]File{{Name: "c.yaml", Data: []byte(doc)}})
	if err != nil {
		t.Fatalf("load: %v", diags)
	}
	api := inv.Services[1]
	if api.DependsOn[0].Calls != 48211 || api.DependsOn[1].Calls != 3 || !api.DependsOn[1].Soft {
		t.Fatalf("dependsOn = %+v; want calls 48211 and 3 (soft)", api.DependsOn)
	}
	for _, format := range []string{"yaml", "json"} {
		out, err := Encode(inv, format)
		if err != nil {
			t.Fatal(err)
		}
		again, diags, err := LoadFiles([]File{{Name: "out." + format, Data: out}})
		if err != nil {
			t.Fatalf("%s does not load: %v\n%s", format, diags, out)
		}
		if got := again.Services[1].DependsOn; got[0].Calls != 48211 || got[1].Calls != 3 {
			t.Errorf("%s round trip: dependsOn = %+v; want the call counts kept", format, got)
		}
	}
	_, diags, err = LoadFiles([]File{{Name: "c.yaml", Data: []byte(strings.Replace(doc, "calls: 3", "calls: -3", 1))}})
	if err == nil || len(diags) == 0 || diags[0].Pos.Line != 7 {
		t.Errorf("calls: -3 gives %v; want an error on line 7", diags)
	}
}
