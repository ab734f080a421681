package out

import (
	"bytes"
	"maps"
	"slices"
	"testing"

	"github.com/blast-dev/blast/graph"
)

// TestWriteAuditJSONMatchesWriteJSON checks that the streamed audit JSON
// is byte for byte what encoding/json writes for the whole report: on the
// Kakao example (redundancy on paper), on a generated estate with
// exposures, and on a report with nil and empty lists and names that
// encoding/json escapes.
func TestWriteAuditJSONMatchesWriteJSON(t *testing.T) {
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
	reports := map[string]*AuditReport{
		"kakao":                 auditOf(kakao),
		"kakao redundancy left": withExposures(kakao),
		"small generated":       withExposures(generated(t, "small")),
		"nil and empty lists": {Inventory: "x<&>\"\u2028\n", Summary: AuditSummary{Domains: 1},
			Domains:  []DomainReport{{ID: "a<b>", FeaturesDown: []string{}, FeaturesDegraded: nil}},
			Features: []FeatureRisk{}},
		"nothing": {},
	}
	if n := len(reports["kakao"].Features); n == 0 || reports["kakao"].Summary.FeaturesPaper == 0 {
		t.Fatalf("kakao audit: %d features, %d on paper; want some of each", n, reports["kakao"].Summary.FeaturesPaper)
	}
	if len(reports["kakao redundancy left"].NoRedundancyLeft) == 0 {
		t.Fatalf("kakao audit with redundancy left: no exposures; want some")
	}
	for _, name := range slices.Sorted(maps.Keys(reports)) {
		r := reports[name]
		var want, got bytes.Buffer
		if err := WriteJSON(&want, r); err != nil {
			t.Fatal(err)
		}
		if err := WriteAuditJSON(&got, r); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			i := 0
			for i < min(got.Len(), want.Len()) && got.Bytes()[i] == want.Bytes()[i] {
				i++
			}
			t.Errorf("%s: WriteAuditJSON differs from WriteJSON at byte %d: %q; want %q", name, i,
				got.Bytes()[max(0, i-40):min(got.Len(), i+40)], want.Bytes()[max(0, i-40):min(want.Len(), i+40)])
		}
	}
}
