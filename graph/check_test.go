package graph

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/blast-dev/blast/inventory"
)

// checkYAML is the estate of the rule tests. Single failures:
//   - site-a: ops and db's active replicas go, failover blocked: pay down;
//     web loses a replica: shop degraded; cache goes: blog down.
//   - site-b: web degraded (shop degraded); the cycle a ⇄ b goes.
//   - rack-a1: db fails over through ops (pay degraded); shop degraded;
//     blog down.
//   - rack-a2: ops only. rack-b1: as site-b.
const checkYAML = `
components:
  - {id: site-a, kind: site}
  - {id: site-b, kind: site}
  - {id: rack-a1, kind: rack, parent: site-a}
  - {id: rack-a2, kind: rack, parent: site-a}
  - {id: rack-b1, kind: rack, parent: site-b}
services:
  - id: ops
    placement: [{on: rack-a2}]
  - id: db
    tier: 1
    placement: [{on: rack-a1, replicas: 3}, {on: rack-b1, replicas: 3, role: standby}]
    quorum: majority
    failover: {via: [ops]}
  - {id: web, tier: 2, placement: [{on: rack-a1}, {on: rack-b1}], capacity: 2}
  - {id: cache, tier: 3, placement: [{on: rack-a1}]}
  - {id: a, placement: [{on: rack-b1}], dependsOn: [b]}
  - {id: b, placement: [{on: rack-b1}], dependsOn: [a]}
features:
  - {id: pay, product: Pay, tier: 1, users: 600, dependsOn: [db]}
  - {id: shop, product: Shop, tier: 2, users: 300, dependsOn: [web]}
  - {id: blog, product: Shop, tier: 3, users: 100, dependsOn: [cache]}
`

// parseRules parses a policy whose rules are given as YAML.
func parseRules(t *testing.T, rules string) *inventory.Policy {
	t.Helper()
	p, _, err := inventory.ParsePolicy(inventory.File{Name: "p.yaml",
		Data: []byte("apiVersion: blast/v1\nkind: Policy\nrules:\n" + rules)})
	if err != nil {
		t.Fatalf("ParsePolicy: %v", err)
	}
	return p
}

// findingStrings spells findings as "subject failure state severity"
// (failure "-" for structural rules, state only for survive rules).
func findingStrings(m *Model, fs []Finding) []string {
	var out []string
	for _, f := range fs {
		fail, state := "-", "-"
		if f.Failure >= 0 {
			fail = m.ID(f.Failure)
		}
		if f.Rule.Type == inventory.RuleSurvive {
			state = f.State.String()
		}
		out = append(out, fmt.Sprintf("%s %s %s %s", m.ID(f.Subject), fail, state, f.Rule.Severity))
	}
	return out
}

// TestCheckRules checks every rule type on a small estate.
func TestCheckRules(t *testing.T) {
	m, err := Build(loadInventory(t, checkYAML))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		rule string
		want []string
	}{
		{"survive tier by site", `
  - {id: r, type: survive, select: {tier: 1}, kinds: [site]}`,
			[]string{"pay site-a down error"}},
		{"survive tier by rack, up wanted", `
  - {id: r, type: survive, select: {tier: 1}, kinds: [rack], severity: warning}`,
			[]string{"pay rack-a1 degraded warning"}},
		{"survive tier by rack, not down wanted", `
  - {id: r, type: survive, select: {tier: 1}, kinds: [rack], allow: degraded}`,
			nil},
		{"survive product, not down wanted", `
  - {id: r, type: survive, select: {product: Shop}, kinds: [site], allow: degraded, severity: note}`,
			[]string{"blog site-a down note"}},
		{"survive product, up wanted", `
  - {id: r, type: survive, select: {product: Shop}, kinds: [site]}`,
			[]string{"blog site-a down error", "shop site-a degraded error", "shop site-b degraded error"}},
		{"survive ids", `
  - {id: r, type: survive, select: {ids: [shop]}, kinds: [rack]}`,
			[]string{"shop rack-a1 degraded error", "shop rack-b1 degraded error"}},
		{"survive every feature, every kind", `
  - {id: r, type: survive, kinds: [site, rack], allow: degraded}`,
			[]string{"blog rack-a1 down error", "blog site-a down error", "pay site-a down error"}},
		{"maxImpact users", `
  - {id: r, type: maxImpact, kinds: [site], maxUsers: 500}`,
			[]string{"site-a site-a - error"}},
		{"maxImpact users under the limit", `
  - {id: r, type: maxImpact, kinds: [site], maxUsers: 700}`,
			nil},
		{"maxImpact percent", `
  - {id: r, type: maxImpact, kinds: [rack], maxPercent: 5}`,
			[]string{"rack-a1 rack-a1 - error"}},
		{"maxImpact percent at the limit", `
  - {id: r, type: maxImpact, kinds: [rack], maxPercent: 10}`,
			nil},
		{"maxImpact percent of the selected features", `
  - {id: r, type: maxImpact, select: {product: Shop}, kinds: [rack], maxPercent: 20}`,
			[]string{"rack-a1 rack-a1 - error"}},
		{"independentFailover by site", `
  - {id: r, type: independentFailover, kinds: [site]}`,
			[]string{"db site-a - error"}},
		{"independentFailover by rack", `
  - {id: r, type: independentFailover, kinds: [rack]}`,
			nil},
		{"spread", `
  - {id: r, type: spread, kinds: [site], min: 2, severity: warning}`,
			[]string{"a - - warning", "b - - warning", "cache - - warning", "ops - - warning"}},
		{"spread selected", `
  - {id: r, type: spread, select: {tier: [1, 2]}, kinds: [site], min: 2}`,
			nil},
		{"noCycles", `
  - {id: r, type: noCycles}`,
			[]string{"a - - error"}},
		{"noCycles with one member of the cycle", `
  - {id: r, type: noCycles, select: {ids: [a, db]}}`,
			[]string{"a - - error"}}, // a down takes b down with it: they cannot start
		{"noCycles without the cycle", `
  - {id: r, type: noCycles, select: {ids: [db, ops]}}`,
			nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := m.CheckPolicy(parseRules(t, tc.rule))
			if err != nil {
				t.Fatal(err)
			}
			// in subject, then failure, id order (ids are numbered in
			// sorted-name order)
			got := findingStrings(m, res.Findings)
			if !slices.Equal(got, tc.want) {
				t.Errorf("CheckPolicy(%s) findings = %q; want %q", strings.TrimSpace(tc.rule), got, tc.want)
			}
		})
	}
}

// TestCheckWhy checks what findings carry besides subject and failure: a
// survive finding's why-chain says the failover was blocked and by what;
// a maxImpact finding names the features, most users first, capped, with
// the why-chain of the largest.
func TestCheckWhy(t *testing.T) {
	m, err := Build(loadInventory(t, checkYAML))
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.CheckPolicy(parseRules(t, `
  - {id: s, type: survive, select: {ids: [pay]}, kinds: [site]}
  - {id: i, type: maxImpact, kinds: [site], maxUsers: 100}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 2 {
		t.Fatalf("findings = %q; want 2", findingStrings(m, res.Findings))
	}
	s, i := res.Findings[0], res.Findings[1]
	if got, want := strings.Join(ids(m, s.Why), " "), "pay db rack-a1 site-a"; got != want {
		t.Errorf("survive Why = %q; want %q", got, want)
	}
	if len(s.WhyDetail) != len(s.Why) || !strings.Contains(s.WhyDetail[1], "failover blocked by ops") {
		t.Errorf("survive WhyDetail = %q; want db's step to say failover blocked by ops", s.WhyDetail)
	}
	if !strings.HasSuffix(i.Message, "down: pay, blog") {
		t.Errorf("maxImpact Message = %q; want it to end with the features down, most users first", i.Message)
	}
	if len(i.Why) == 0 || m.ID(i.Why[0]) != "pay" || m.ID(i.Why[len(i.Why)-1]) != "site-a" {
		t.Errorf("maxImpact Why = %q; want the chain from pay to site-a", ids(m, i.Why))
	}
}

// TestIndependentFailoverEveryPlane: when a domain takes down several
// failover control planes of a service, the finding names them all, in id
// order, whatever the order of failover.via.
func TestIndependentFailoverEveryPlane(t *testing.T) {
	const doc = `
components:
  - {id: site-a, kind: site}
  - {id: site-b, kind: site}
  - {id: rack-a1, kind: rack, parent: site-a}
  - {id: rack-a2, kind: rack, parent: site-a}
  - {id: rack-b1, kind: rack, parent: site-b}
services:
  - {id: ops-x, placement: [{on: rack-a2}]}
  - {id: ops-m, placement: [{on: rack-a1}]}
  - {id: ops-b, placement: [{on: rack-b1}]}
  - id: db
    placement: [{on: rack-a1, replicas: 3}, {on: rack-b1, replicas: 3, role: standby}]
    quorum: majority
    failover: {via: VIA}
`
	policy := parseRules(t, `
  - {id: r, type: independentFailover, kinds: [site, rack]}`)
	for _, via := range []string{"[ops-x, ops-m, ops-b]", "[ops-b, ops-m, ops-x]", "[ops-m, ops-b, ops-x]", "[ops-x, ops-b, ops-m]"} {
		m, err := Build(loadInventory(t, strings.ReplaceAll(doc, "VIA", via)))
		if err != nil {
			t.Fatal(err)
		}
		res, err := m.CheckPolicy(policy)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range res.Findings {
			got = append(got, fmt.Sprintf("%s %s: %s; why %s", m.ID(f.Subject), m.ID(f.Failure), f.Message, strings.Join(ids(m, f.Why), " ")))
		}
		want := []string{
			"db rack-a1: the loss of rack rack-a1 takes down active replicas of db (on rack-a1) and its failover control plane ops-m: the standby cannot be promoted; why ops-m rack-a1",
			"db site-a: the loss of site site-a takes down active replicas of db (on rack-a1) and its failover control planes ops-m, ops-x: the standby cannot be promoted; why ops-m rack-a1 site-a",
		}
		if !slices.Equal(got, want) {
			t.Errorf("via %s: findings = %q; want %q", via, got, want)
		}
	}
}

// TestSurviveAlreadyDown: a selected feature that what the inventory marks
// failed already takes down is a survive finding before any loss, with the
// why-chain to the failed component; it is not left out because no single
// loss makes it worse.
func TestSurviveAlreadyDown(t *testing.T) {
	m := mustBuild(t, loadInventory(t, `components:
  - {id: s1, kind: site}
  - {id: s2, kind: site}
  - {id: r1, kind: rack, parent: s1}
  - {id: r2, kind: rack, parent: s2}
  - {id: r9, kind: rack, parent: s2, failed: true}
services:
  - {id: api, placement: [{on: r1}, {on: r2}]}
  - {id: zz, placement: [{on: r9}]}
features:
  - {id: ok, tier: 1, users: 10, dependsOn: [api]}
  - {id: gone, tier: 1, users: 10, dependsOn: [zz]}
`))
	res, err := m.CheckPolicy(parseRules(t, "  - {id: r, type: survive, select: {tier: [1]}, kinds: [site, rack]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 {
		t.Fatalf("survive findings = %v; want one, for gone", findingStrings(m, res.Findings))
	}
	f := res.Findings[0]
	if m.ID(f.Subject) != "gone" || f.Failure != -1 || f.State != Down {
		t.Errorf("finding = %v; want gone down before any loss", findingStrings(m, res.Findings))
	}
	if got := strings.Join(ids(m, f.Why), " ← "); got != "gone ← zz ← r9" {
		t.Errorf("finding why = %q; want %q", got, "gone ← zz ← r9")
	}
	if !strings.Contains(f.Message, "before any loss") {
		t.Errorf("finding message = %q; want it to say before any loss", f.Message)
	}
}
