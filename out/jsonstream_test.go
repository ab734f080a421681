package out

import (
	"bytes"
	"maps"
	"slices"
	"testing"

	"github.com/blast-dev/blast/graph"
)

// TestWriteJSONStreamMatchesEncodingJSON checks that the streamed JSON is
// byte for byte what encoding/json writes for the whole value: audit
// reports of the Kakao example (redundancy on paper), of a generated
// estate with exposures, and with nil and empty lists and names that
// encoding/json escapes; and values of other shapes, streamed or not.
func TestWriteJSONStreamMatchesEncodingJSON(t *testing.T) {
	withExposures := func(m *graph.Model) *AuditReport {
		var domains []int32
		for _, v := range m.Nodes(graph.Component) {
			if m.ComponentKind(v) != "host" {
				domains = append(domains, v)
			}
		}
		r := NewAuditReport(m.Inv.Metadata.Name, []string{"every kind"},
			m.NewAudit(domains, m.Nodes(graph.Component), graph.AuditOptions{Paper: true, Exposed: true}))
		r.RedundancyLeftChecked = true
		return r
	}
	kakao := loadModel(t, "../examples/kakao-2022.yaml")
	reports := map[string]any{
		"kakao":                 auditOf(kakao),
		"kakao redundancy left": withExposures(kakao),
		"small generated":       withExposures(generated(t, "small")),
		"nil and empty lists": &AuditReport{Inventory: "x<&>\"\u2028\n", Summary: AuditSummary{Domains: 1},
			Domains:  []DomainReport{{ID: "a<b>", FeaturesDown: []string{}, FeaturesDegraded: nil}},
			Features: []FeatureRisk{}},
		"nothing": &AuditReport{},
	}
	type inner struct {
		A []int `json:"a,omitempty"`
		B string
	}
	type odd struct {
		Bytes   []byte         `json:"bytes"`
		Skip    int            `json:"-"`
		Quoted  int            `json:"quoted,string"`
		Map     map[string]int `json:"map"`
		Nested  [][]string     `json:"nested"`
		Ptrs    []*inner       `json:"ptrs"`
		Any     any            `json:"any"`
		Empty   []int          `json:"empty,omitempty"`
		Zero    float64        `json:"zero,omitempty"`
		private int
	}
	type plain struct {
		Bytes   []byte     `json:"bytes"`
		Skip    int        `json:"-"`
		Nested  [][]string `json:"nested"`
		Ptrs    []*inner   `json:"ptrs"`
		Any     any        `json:"any"`
		Empty   []int      `json:"empty,omitempty"`
		Zero    float64    `json:"zero,omitempty"`
		NoTag   []inner
		private int
	}
	reports["odd shapes (encoding/json whole)"] = odd{Bytes: []byte("x"), Quoted: 3, Map: map[string]int{"b": 1, "a": 2}, Ptrs: []*inner{nil, {B: "<&>"}}, private: 1}
	reports["plain shapes"] = &plain{Bytes: []byte("xyz"), Nested: [][]string{{"a"}, {}, nil}, Ptrs: []*inner{nil, {A: []int{1}, B: "\u2028"}},
		Any: []int{1, 2}, NoTag: []inner{{}, {B: "b"}}, private: 2}
	reports["a slice"] = []inner{{A: []int{1, 2}}, {B: "x"}}
	reports["an empty slice"] = []inner{}
	reports["a string"] = "<b>"
	kakaoAudit := reports["kakao"].(*AuditReport)
	if n := len(kakaoAudit.Features); n == 0 || kakaoAudit.Summary.FeaturesPaper == 0 {
		t.Fatalf("kakao audit: %d features, %d on paper; want some of each", n, kakaoAudit.Summary.FeaturesPaper)
	}
	if len(reports["kakao redundancy left"].(*AuditReport).NoRedundancyLeft) == 0 {
		t.Fatalf("kakao audit with redundancy left: no exposures; want some")
	}
	for _, name := range slices.Sorted(maps.Keys(reports)) {
		r := reports[name]
		var want, got bytes.Buffer
		if err := encodeJSON(&want, r); err != nil {
			t.Fatal(err)
		}
		if err := WriteJSON(&got, r); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			i := 0
			for i < min(got.Len(), want.Len()) && got.Bytes()[i] == want.Bytes()[i] {
				i++
			}
			t.Errorf("%s: WriteJSON differs from encoding/json at byte %d: %q; want %q", name, i,
				got.Bytes()[max(0, i-40):min(got.Len(), i+40)], want.Bytes()[max(0, i-40):min(want.Len(), i+40)])
		}
	}
}
