package inventory

import (
	"bytes"
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
