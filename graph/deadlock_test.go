package graph

import (
	"strings"
	"testing"

	"github.com/blast-dev/blast/inventory"
)

// deadlockStrings renders deadlocks as "a→b→a break b→a".
func deadlockStrings(m *Model, ds []Deadlock) []string {
	var out []string
	for _, d := range ds {
		cyc := append(ids(m, d.Cycle), m.ID(d.Cycle[0]))
		out = append(out, strings.Join(cyc, "→")+" break "+m.ID(d.From)+"→"+m.ID(d.To))
	}
	return out
}

// TestRecoverDeadlocksAll: every cycle that keeps a strongly connected
// group down is reported, not one per group, so that breaking each
// suggested edge clears the deadlock.
func TestRecoverDeadlocksAll(t *testing.T) {
	head := `components:
  - {id: site, kind: site}
  - {id: rack, kind: rack, parent: site}
services:
`
	for _, tc := range []struct {
		name, services string
		want           []string
	}{
		{"figure eight", `  - {id: h, placement: [{on: rack}], dependsOn: [i, j]}
  - {id: i, placement: [{on: rack}], dependsOn: [h]}
  - {id: j, placement: [{on: rack}], dependsOn: [h]}
`, []string{"h→i→h break i→h", "h→j→h break j→h"}},
		{"atLeast", `  - {id: a, placement: [{on: rack}], dependsOn: [{atLeast: 2, of: [b, c]}]}
  - {id: b, placement: [{on: rack}], dependsOn: [a]}
  - {id: c, placement: [{on: rack}], dependsOn: [a]}
`, []string{"a→b→a break b→a", "a→c→a break c→a"}},
		{"anyOf escape", `  - {id: auth, placement: [{on: rack}], dependsOn: [{anyOf: [config, config-b]}]}
  - {id: config, placement: [{on: rack}], dependsOn: [auth]}
  - {id: config-b, placement: [{on: other}]}
`, nil},
		{"via cycle", `  - {id: ops, placement: [{on: rack}], dependsOn: [svc]}
  - {id: svc, placement: [{on: gone}, {on: rack, role: standby}], failover: {via: [ops]}}
`, []string{"ops→svc→ops break ops→svc"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := head + tc.services
			if strings.Contains(doc, "other") || strings.Contains(doc, "gone") {
				doc = strings.Replace(doc, "services:\n", "  - {id: other, kind: rack}\n  - {id: gone, kind: rack, failed: true}\nservices:\n", 1)
			}
			m := mustBuild(t, loadInventory(t, doc))
			site := lookupAll(t, m, []string{"site"})
			r := m.Recover(site, 0)
			if got := deadlockStrings(m, r.Deadlocks); strings.Join(got, "; ") != strings.Join(tc.want, "; ") {
				t.Errorf("Recover(site).Deadlocks = %q; want %q", got, tc.want)
			}
			if got := deadlockStrings(m, m.ColdStartDeadlocks(site)); strings.Join(got, "; ") != strings.Join(tc.want, "; ") {
				t.Errorf("ColdStartDeadlocks(site) = %q; want %q", got, tc.want)
			}
		})
	}
}

// TestNoCycles checks that the policy rule noCycles means what recover
// means: a cycle that cannot start from nothing is a finding, with the
// edge to break; a cycle with an anyOf way out is not; a cycle through a
// failover control plane is.
func TestNoCycles(t *testing.T) {
	head := `components:
  - {id: site, kind: site}
  - {id: rack, kind: rack, parent: site}
  - {id: gone, kind: rack, failed: true}
services:
`
	for _, tc := range []struct {
		name, services string
		want           []string
	}{
		{"plain cycle", `  - {id: auth, placement: [{on: rack}], dependsOn: [config]}
  - {id: config, placement: [{on: rack}], dependsOn: [auth]}
  - {id: api, placement: [{on: rack}], dependsOn: [auth]}
`, []string{"auth: cold-start deadlock auth → config → auth: with these services down, none of them can start; break config → auth"}},
		{"soft edge", `  - {id: auth, placement: [{on: rack}], dependsOn: [config]}
  - {id: config, placement: [{on: rack}], dependsOn: [{on: auth, soft: true}]}
`, nil},
		{"anyOf escape", `  - {id: auth, placement: [{on: rack}], dependsOn: [{anyOf: [config, config-b]}]}
  - {id: config, placement: [{on: rack}], dependsOn: [auth]}
  - {id: config-b, placement: [{on: rack}]}
`, nil},
		{"via cycle", `  - {id: ops, placement: [{on: rack}], dependsOn: [svc]}
  - {id: svc, placement: [{on: gone}, {on: rack, role: standby}], failover: {via: [ops]}}
`, []string{"ops: cold-start deadlock ops → svc → ops: with these services down, none of them can start; break ops → svc"}},
		{"via not needed", `  - {id: ops, placement: [{on: rack}], dependsOn: [svc]}
  - {id: svc, placement: [{on: rack}, {on: rack, role: standby}], failover: {via: [ops]}}
`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := mustBuild(t, loadInventory(t, head+tc.services))
			p, _, err := inventory.ParsePolicy(inventory.File{Name: "policy.yaml", Data: []byte(`apiVersion: blast/v1
kind: Policy
rules:
  - {id: no-deadlock, type: noCycles}
`)})
			if err != nil {
				t.Fatal(err)
			}
			res, err := m.CheckPolicy(p)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				msg, _, _ := strings.Cut(f.Message, " (make")
				got = append(got, m.ID(f.Subject)+": "+msg)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("noCycles findings = %q; want %q", got, tc.want)
			}
		})
	}
}

// TestRecoverAfter: f needs d and anyOf[c, e], e never goes down; c and d
// are back at the same time. f waited for d, not for c.
func TestRecoverAfter(t *testing.T) {
	m := mustBuild(t, loadInventory(t, `components:
  - {id: site, kind: site}
  - {id: rack, kind: rack, parent: site}
  - {id: other, kind: rack}
services:
  - {id: c, placement: [{on: rack}], restart: 30m}
  - {id: d, placement: [{on: rack}], restart: 30m}
  - {id: e, placement: [{on: other}]}
features:
  - {id: f, dependsOn: [d, {anyOf: [c, e]}]}
`))
	r := m.Recover(lookupAll(t, m, []string{"site"}), 0)
	st, _ := r.Step(lookupAll(t, m, []string{"f"})[0])
	if st.After < 0 || m.ID(st.After) != "d" {
		t.Errorf("f back after %v; want d", st.After)
	}
	if got := strings.Join(ids(m, r.CriticalPath), ","); got != "d,f" {
		t.Errorf("critical path %s; want d,f", got)
	}
}

// TestNoCyclesKeysDistinct: two cold-start deadlocks that start at the same
// service (a figure eight) are two findings with two baseline keys, so a
// baseline holding one of them does not hide the other.
func TestNoCyclesKeysDistinct(t *testing.T) {
	m := mustBuild(t, loadInventory(t, `components:
  - {id: site, kind: site}
  - {id: rack, kind: rack, parent: site}
services:
  - {id: h, placement: [{on: rack}], dependsOn: [i, j]}
  - {id: i, placement: [{on: rack}], dependsOn: [h]}
  - {id: j, placement: [{on: rack}], dependsOn: [h]}
`))
	res, err := m.CheckPolicy(parseRules(t, "  - {id: r, type: noCycles}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 2 {
		t.Fatalf("noCycles findings = %d; want 2 (h→i→h and h→j→h)", len(res.Findings))
	}
	if a, b := res.Findings[0].Key(m), res.Findings[1].Key(m); a == b {
		t.Errorf("the two deadlocks share the baseline key %q; want distinct keys", a)
	}
}
