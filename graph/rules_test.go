package graph

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/blast-dev/blast/inventory"
)

// rulesBase is the physical estate most rule tests place their services on:
// two sites; in site-a a room of four plain racks, three UPS units, two
// network uplinks and a UPS fed from a utility; in site-b two racks.
const rulesBase = `
components:
  - {id: site-a, kind: site}
  - {id: site-b, kind: site}
  - {id: room-a, kind: room, parent: site-a}
  - {id: rack-1, kind: rack, parent: room-a}
  - {id: rack-2, kind: rack, parent: room-a}
  - {id: rack-3, kind: rack, parent: room-a}
  - {id: rack-4, kind: rack, parent: room-a}
  - {id: rack-b1, kind: rack, parent: site-b}
  - {id: rack-b2, kind: rack, parent: site-b}
`

// loadInventory parses and validates YAML documents (each without the
// apiVersion/kind header, which is added) as one inventory.
func loadInventory(t testing.TB, docs ...string) *inventory.Inventory {
	t.Helper()
	var files []inventory.File
	for i, d := range docs {
		files = append(files, inventory.File{
			Name: fmt.Sprintf("t%d.yaml", i),
			Data: []byte("apiVersion: blast/v1\nkind: Inventory\n" + d),
		})
	}
	inv, _, err := inventory.LoadFiles(files)
	if err != nil {
		t.Fatalf("LoadFiles: %v", err)
	}
	return inv
}

// fataler is what lookupAll needs of a *testing.T or a *rapid.T.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// lookupAll maps ids to nodes, failing the test on an unknown id.
func lookupAll(t fataler, m *Model, ids []string) []int32 {
	t.Helper()
	out := make([]int32, 0, len(ids))
	for _, id := range ids {
		v, ok := m.Lookup(id)
		if !ok {
			t.Fatalf("Lookup(%q): unknown id", id)
		}
		out = append(out, v)
	}
	return out
}

// idChains spells node chains as ids.
func idChains(m *Model, chains [][]int32) [][]string {
	out := make([][]string, len(chains))
	for i, c := range chains {
		for _, v := range c {
			out[i] = append(out[i], m.ID(v))
		}
	}
	return out
}

type replicasWant struct {
	counted int
	fo      Failover
}

func (w replicasWant) String() string { return fmt.Sprintf("(%d, %v)", w.counted, w.fo) }

// TestRules checks each rule of MODEL.md on a small inventory, against both
// the Model's evaluator and the naive one (so the oracle of the property
// tests is itself held to the rules). Nodes not listed in want must be up.
func TestRules(t *testing.T) {
	tests := []struct {
		name     string
		docs     []string // YAML documents; rulesBase is not implied
		fail     []string
		want     map[string]State
		replicas map[string]replicasWant
		why      map[string][][]string // every chain, in order
	}{
		// Physical components.
		{
			name: "failed component",
			docs: []string{rulesBase},
			fail: []string{"rack-1"},
			want: map[string]State{"rack-1": Down},
			why:  map[string][][]string{"rack-1": {{"rack-1"}}},
		},
		{
			name: "parent down takes every descendant",
			docs: []string{rulesBase, `
components:
  - {id: host-1, kind: host, parent: rack-1}
`},
			fail: []string{"site-a"},
			want: map[string]State{
				"site-a": Down, "room-a": Down, "host-1": Down,
				"rack-1": Down, "rack-2": Down, "rack-3": Down, "rack-4": Down,
			},
			why: map[string][][]string{"host-1": {{"host-1", "rack-1", "room-a", "site-a"}}},
		},
		{
			name: "child down leaves parent up",
			docs: []string{rulesBase},
			fail: []string{"room-a"},
			want: map[string]State{
				"room-a": Down, "rack-1": Down, "rack-2": Down, "rack-3": Down, "rack-4": Down,
			},
		},
		{
			name: "dual-fed rack losing one feed stays up",
			docs: []string{powerYAML},
			fail: []string{"ups-a"},
			want: map[string]State{"ups-a": Down, "single": Down},
		},
		{
			name: "dual-fed rack losing both feeds goes down",
			docs: []string{powerYAML},
			fail: []string{"ups-a", "ups-b"},
			want: map[string]State{"ups-a": Down, "ups-b": Down, "dual": Down, "single": Down, "two-of-three": Down},
			why:  map[string][][]string{"dual": {{"dual", "ups-a"}, {"dual", "ups-b"}}},
		},
		{
			name: "power need 2 of 3 losing one stays up",
			docs: []string{powerYAML},
			fail: []string{"ups-c"},
			want: map[string]State{"ups-c": Down},
		},
		{
			name: "power need 2 of 3 losing two goes down",
			docs: []string{powerYAML},
			fail: []string{"ups-b", "ups-c"},
			want: map[string]State{"ups-b": Down, "ups-c": Down, "two-of-three": Down},
		},
		{
			name: "power feed down through its own feed",
			docs: []string{powerYAML},
			fail: []string{"utility"},
			want: map[string]State{"utility": Down, "ups-a": Down, "single": Down},
			why:  map[string][][]string{"single": {{"single", "ups-a", "utility"}}},
		},
		{
			name: "network one uplink of two lost stays up",
			docs: []string{networkYAML},
			fail: []string{"net-1"},
			want: map[string]State{"net-1": Down, "both-needed": Down},
		},
		{
			name: "network every uplink lost goes down",
			docs: []string{networkYAML},
			fail: []string{"net-1", "net-2"},
			want: map[string]State{"net-1": Down, "net-2": Down, "either": Down, "both-needed": Down},
		},
		{
			name: "network and power both must hold",
			docs: []string{networkYAML},
			fail: []string{"ups"},
			want: map[string]State{"ups": Down, "either": Down},
		},

		// Quorum.
		{
			name:     "quorum number met",
			docs:     []string{rulesBase, quorumNumberYAML},
			fail:     []string{"rack-1"},
			want:     map[string]State{"rack-1": Down},
			replicas: map[string]replicasWant{"db": {3, FailoverNone}},
		},
		{
			name:     "quorum number missed",
			docs:     []string{rulesBase, quorumNumberYAML},
			fail:     []string{"rack-1", "rack-3"},
			want:     map[string]State{"rack-1": Down, "rack-3": Down, "db": Down},
			replicas: map[string]replicasWant{"db": {2, FailoverNone}},
			why:      map[string][][]string{"db": {{"db", "rack-1"}, {"db", "rack-3"}}},
		},
		{
			name: "majority losing exactly half goes down",
			docs: []string{rulesBase, `
services:
  - id: db
    placement: [{on: rack-1, replicas: 2}, {on: rack-2, replicas: 2}]
    quorum: majority
`},
			fail:     []string{"rack-1"},
			want:     map[string]State{"rack-1": Down, "db": Down},
			replicas: map[string]replicasWant{"db": {2, FailoverNone}},
		},
		{
			name: "majority losing less than half stays up",
			docs: []string{rulesBase, `
services:
  - id: db
    placement: [{on: rack-1}, {on: rack-2}, {on: rack-3}, {on: rack-4}]
    quorum: majority
`},
			fail:     []string{"rack-1"},
			want:     map[string]State{"rack-1": Down},
			replicas: map[string]replicasWant{"db": {3, FailoverNone}},
		},
		{
			name: "majority is of active replicas only",
			docs: []string{rulesBase, `
services:
  - id: db
    placement: [{on: rack-1}, {on: rack-2}, {on: rack-3}, {on: rack-b1, replicas: 10, role: standby}]
    quorum: majority
`},
			fail:     []string{"rack-1"},
			want:     map[string]State{"rack-1": Down},
			replicas: map[string]replicasWant{"db": {2, FailoverNone}},
		},
		{
			name:     "percent quorum rounds up, met",
			docs:     []string{rulesBase, percentYAML},
			fail:     []string{"rack-1"},
			want:     map[string]State{"rack-1": Down},
			replicas: map[string]replicasWant{"db": {2, FailoverNone}},
		},
		{
			name: "percent quorum rounds up, missed",
			docs: []string{rulesBase, percentYAML},
			fail: []string{"rack-1", "rack-2"},
			want: map[string]State{"rack-1": Down, "rack-2": Down, "db": Down},
			// 50% of 3 is 1.5, so 2 are needed: 1 is not enough.
			replicas: map[string]replicasWant{"db": {1, FailoverNone}},
		},
		{
			name: "percent quorum exact product stays exact",
			docs: []string{rulesBase, `
services:
  - id: db
    placement: [{on: rack-1}, {on: rack-2}, {on: rack-3}, {on: rack-4}]
    quorum: "50%"
`},
			fail:     []string{"rack-1", "rack-2"},
			want:     map[string]State{"rack-1": Down, "rack-2": Down},
			replicas: map[string]replicasWant{"db": {2, FailoverNone}},
		},
		{
			name: "default quorum is one replica",
			docs: []string{rulesBase, `
services:
  - id: web
    placement: [{on: rack-1, replicas: 5}, {on: rack-2}]
`},
			fail:     []string{"rack-1"},
			want:     map[string]State{"rack-1": Down},
			replicas: map[string]replicasWant{"web": {1, FailoverNone}},
		},

		// Capacity.
		{
			name:     "capacity met stays up",
			docs:     []string{rulesBase, capacityYAML},
			fail:     []string{"rack-1"},
			want:     map[string]State{"rack-1": Down},
			replicas: map[string]replicasWant{"web": {3, FailoverNone}},
		},
		{
			name:     "capacity missed degrades",
			docs:     []string{rulesBase, capacityYAML},
			fail:     []string{"rack-1", "rack-2"},
			want:     map[string]State{"rack-1": Down, "rack-2": Down, "web": Degraded},
			replicas: map[string]replicasWant{"web": {2, FailoverNone}},
			why:      map[string][][]string{"web": {{"web", "rack-1"}, {"web", "rack-2"}}},
		},

		// Standby replicas and failover.
		{
			name: "standby not counted while actives meet quorum",
			docs: []string{rulesBase, `
services:
  - id: db
    placement: [{on: rack-1}, {on: rack-2}, {on: rack-b1, role: standby}]
    capacity: 2
`},
			fail:     []string{"rack-1"},
			want:     map[string]State{"rack-1": Down, "db": Degraded},
			replicas: map[string]replicasWant{"db": {1, FailoverNone}},
		},
		{
			name:     "standby failover done degrades",
			docs:     []string{rulesBase, failoverYAML("rack-b2")},
			fail:     []string{"site-a"},
			want:     siteADown(map[string]State{"db": Degraded}),
			replicas: map[string]replicasWant{"db": {3, FailoverDone}},
			why:      map[string][][]string{"db": {{"db", "rack-1", "room-a", "site-a"}}},
		},
		{
			name: "failover control plane in the failed site blocks it",
			docs: []string{rulesBase, failoverYAML("rack-2")},
			fail: []string{"site-a"},
			want: siteADown(map[string]State{"db": Down, "ops": Down}),
			replicas: map[string]replicasWant{
				"db":  {0, FailoverBlocked},
				"ops": {0, FailoverNone},
			},
			why: map[string][][]string{"db": {
				{"db", "rack-1", "room-a", "site-a"},
				{"db", "ops", "rack-2", "room-a", "site-a"},
			}},
		},
		{
			name:     "failover control plane down on its own blocks nothing until needed",
			docs:     []string{rulesBase, failoverYAML("rack-2")},
			fail:     []string{"ops"},
			want:     map[string]State{"ops": Down},
			replicas: map[string]replicasWant{"db": {3, FailoverNone}},
		},
		{
			name: "failover via a degraded control plane is done",
			docs: []string{rulesBase, `
services:
  - id: ops
    placement: [{on: rack-2}, {on: rack-b2}]
    capacity: 2
  - id: db
    placement: [{on: rack-1, replicas: 3}, {on: rack-b1, replicas: 3, role: standby}]
    quorum: majority
    failover: {via: [ops], rto: 30m}
`},
			fail:     []string{"site-a"},
			want:     siteADown(map[string]State{"ops": Degraded, "db": Degraded}),
			replicas: map[string]replicasWant{"db": {3, FailoverDone}, "ops": {1, FailoverNone}},
		},
		{
			name: "failover with no via needs nothing",
			docs: []string{rulesBase, `
services:
  - id: db
    placement: [{on: rack-1, replicas: 3}, {on: rack-b1, replicas: 2, role: standby}]
    quorum: 2
    failover: {rto: 5m}
  - id: cache
    placement: [{on: rack-2}, {on: rack-b2, role: standby}]
`},
			fail:     []string{"site-a"},
			want:     siteADown(map[string]State{"db": Degraded, "cache": Degraded}),
			replicas: map[string]replicasWant{"db": {2, FailoverDone}, "cache": {1, FailoverDone}},
		},
		{
			name: "failover done but standby short of quorum",
			docs: []string{rulesBase, `
services:
  - id: db
    placement: [{on: rack-1, replicas: 3}, {on: rack-b1, role: standby}]
    quorum: 2
`},
			fail:     []string{"site-a"},
			want:     siteADown(map[string]State{"db": Down}),
			replicas: map[string]replicasWant{"db": {1, FailoverDone}},
		},
		{
			name:     "failover with every standby lost too",
			docs:     []string{rulesBase, failoverYAML("rack-b2")},
			fail:     []string{"rack-1", "rack-b1"},
			want:     map[string]State{"rack-1": Down, "rack-b1": Down, "db": Down},
			replicas: map[string]replicasWant{"db": {0, FailoverNone}},
			why:      map[string][][]string{"db": {{"db", "rack-1"}, {"db", "rack-b1"}}},
		},

		// Dependencies.
		{
			name:     "hard dependency down passes through",
			docs:     []string{rulesBase, hardYAML},
			fail:     []string{"rack-1", "rack-2"},
			want:     map[string]State{"rack-1": Down, "rack-2": Down, "db": Down, "api": Down, "chat": Down},
			replicas: map[string]replicasWant{"db": {0, FailoverNone}, "api": {1, FailoverNone}},
			why:      map[string][][]string{"chat": {{"chat", "api", "db", "rack-1"}}},
		},
		{
			name: "hard dependency degraded passes through",
			docs: []string{rulesBase, hardYAML},
			fail: []string{"rack-2"},
			want: map[string]State{"rack-2": Down, "db": Degraded, "api": Degraded, "chat": Degraded},
			why:  map[string][][]string{"chat": {{"chat", "api", "db", "rack-2"}}},
		},
		{
			name: "anyOf one alternative lost stays up",
			docs: []string{rulesBase, alternativesYAML},
			fail: []string{"rack-2"},
			want: map[string]State{"rack-2": Down, "pay-b": Down},
		},
		{
			name: "anyOf every alternative lost goes down",
			docs: []string{rulesBase, alternativesYAML},
			fail: []string{"rack-1", "rack-4", "rack-2"},
			want: map[string]State{
				"rack-1": Down, "rack-2": Down, "rack-4": Down,
				"pay-a": Down, "pay-b": Down, "pay-any": Down, "pay-2of3": Down, "pay-soft": Degraded,
			},
		},
		{
			name: "anyOf with none fully up degrades",
			docs: []string{rulesBase, alternativesYAML},
			fail: []string{"rack-1", "rack-2"},
			want: map[string]State{
				"rack-1": Down, "rack-2": Down,
				"pay-a": Degraded, "pay-b": Down, "pay-any": Degraded, "pay-2of3": Degraded, "pay-soft": Degraded,
			},
			why: map[string][][]string{"pay-any": {{"pay-any", "pay-a", "rack-1"}, {"pay-any", "pay-b", "rack-2"}}},
		},
		{
			name: "atLeast 2 of 3 losing two goes down",
			docs: []string{rulesBase, alternativesYAML},
			fail: []string{"rack-2", "rack-3"},
			want: map[string]State{
				"rack-2": Down, "rack-3": Down, "pay-b": Down, "pay-c": Down, "pay-2of3": Down,
			},
		},
		{
			name: "atLeast 2 of 3 losing one to degraded stays up",
			docs: []string{rulesBase, alternativesYAML},
			fail: []string{"rack-1"},
			want: map[string]State{"rack-1": Down, "pay-a": Degraded},
		},
		{
			name: "soft dependency down only degrades",
			docs: []string{rulesBase, `
services:
  - {id: metrics, placement: [{on: rack-1}]}
  - {id: api, placement: [{on: rack-2}], dependsOn: [{on: metrics, soft: true}]}
features:
  - {id: chat, dependsOn: [api]}
`},
			fail: []string{"rack-1"},
			want: map[string]State{"rack-1": Down, "metrics": Down, "api": Degraded, "chat": Degraded},
			why:  map[string][][]string{"chat": {{"chat", "api", "metrics", "rack-1"}}},
		},

		// Cycles.
		{
			name: "dependency cycle with no failure stays up",
			docs: []string{rulesBase, cycleYAML},
			fail: []string{"rack-4"},
			want: map[string]State{"rack-4": Down},
		},
		{
			name: "dependency cycle goes down when one member's placement fails",
			docs: []string{rulesBase, cycleYAML},
			fail: []string{"rack-1"},
			want: map[string]State{"rack-1": Down, "a": Down, "b": Down, "c": Down, "f": Down},
			why: map[string][][]string{
				// Not also [a c b a rack-1]: a chain back through a
				// itself is circular and explains nothing.
				"a": {{"a", "rack-1"}},
				"b": {{"b", "a", "rack-1"}},
				"f": {{"f", "c", "b", "a", "rack-1"}},
			},
		},

		// Features and software failures.
		{
			name: "feature depending directly on a component",
			docs: []string{rulesBase, `
features:
  - {id: office-wifi, dependsOn: [site-b]}
  - {id: badge, dependsOn: [office-wifi]}
`},
			fail: []string{"site-b"},
			want: map[string]State{"site-b": Down, "rack-b1": Down, "rack-b2": Down, "office-wifi": Down, "badge": Down},
			why:  map[string][][]string{"badge": {{"badge", "office-wifi", "site-b"}}},
		},
		{
			name: "failing a service is a software failure",
			docs: []string{rulesBase, `
services:
  - {id: auth, placement: [{on: rack-1}, {on: rack-b1}]}
  - {id: talk, placement: [{on: rack-2}], dependsOn: [auth]}
features:
  - {id: login, dependsOn: [auth]}
  - {id: send, dependsOn: [talk]}
`},
			fail:     []string{"auth"},
			want:     map[string]State{"auth": Down, "talk": Down, "login": Down, "send": Down},
			replicas: map[string]replicasWant{"auth": {2, FailoverNone}},
			why: map[string][][]string{
				"auth": {{"auth"}},
				"send": {{"send", "talk", "auth"}},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv := loadInventory(t, tc.docs...)
			m, err := Build(inv)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			for id := range tc.want {
				lookupAll(t, m, []string{id}) // catch typos in want
			}
			r := m.Simulate(lookupAll(t, m, tc.fail))
			naive := naiveSimulate(inv, tc.fail)
			for v := int32(0); v < int32(m.Len()); v++ {
				id := m.ID(v)
				want := tc.want[id]
				if got := r.State(v); got != want {
					t.Errorf("Simulate(%q).State(%q) = %v; want %v", tc.fail, id, got, want)
				}
				if got := naive.state[id]; got != want {
					t.Errorf("naiveSimulate(%q).state[%q] = %v; want %v", tc.fail, id, got, want)
				}
			}
			for id, want := range tc.replicas {
				v := lookupAll(t, m, []string{id})[0]
				c, fo := r.Replicas(v)
				if got := (replicasWant{c, fo}); got != want {
					t.Errorf("Simulate(%q).Replicas(%q) = %v; want %v", tc.fail, id, got, want)
				}
				if got := (replicasWant{naive.counted[id], naive.failover[id]}); got != want {
					t.Errorf("naiveSimulate(%q) replicas of %q = %v; want %v", tc.fail, id, got, want)
				}
			}
			for id, want := range tc.why {
				v := lookupAll(t, m, []string{id})[0]
				chains, total := r.Why(v, 0)
				if got := idChains(m, chains); !slices.EqualFunc(got, want, slices.Equal) {
					t.Errorf("Simulate(%q).Why(%q) = %v; want %v", tc.fail, id, got, want)
				}
				if total != len(want) {
					t.Errorf("Simulate(%q).Why(%q) total = %d; want %d", tc.fail, id, total, len(want))
				}
			}
		})
	}
}

// siteADown adds site-a and everything in it, down, to want.
func siteADown(want map[string]State) map[string]State {
	for _, id := range []string{"site-a", "room-a", "rack-1", "rack-2", "rack-3", "rack-4"} {
		want[id] = Down
	}
	return want
}

const powerYAML = `
components:
  - {id: utility, kind: power}
  - {id: ups-a, kind: power, power: [utility]}
  - {id: ups-b, kind: power}
  - {id: ups-c, kind: power}
  - {id: single, kind: rack, power: [ups-a]}
  - {id: dual, kind: rack, power: [ups-a, ups-b]}
  - {id: two-of-three, kind: rack, power: {feeds: [ups-a, ups-b, ups-c], need: 2}}
`

const networkYAML = `
components:
  - {id: ups, kind: power}
  - {id: net-1, kind: network}
  - {id: net-2, kind: network}
  - {id: either, kind: rack, power: [ups], network: [net-1, net-2]}
  - {id: both-needed, kind: rack, network: {feeds: [net-1, net-2], need: 2}}
`

const quorumNumberYAML = `
services:
  - id: db
    placement: [{on: rack-1, replicas: 2}, {on: rack-2, replicas: 2}, {on: rack-3}]
    quorum: 3
`

const percentYAML = `
services:
  - id: db
    placement: [{on: rack-1}, {on: rack-2}, {on: rack-3}]
    quorum: "50%"
`

const capacityYAML = `
services:
  - id: web
    placement: [{on: rack-1}, {on: rack-2}, {on: rack-3}, {on: rack-4}]
    capacity: "75%"
`

// failoverYAML is a database active in site-a with a standby in site-b,
// whose failover goes via ops, placed on opsRack.
func failoverYAML(opsRack string) string {
	return strings.ReplaceAll(`
services:
  - id: ops
    placement: [{on: OPS}]
  - id: db
    placement: [{on: rack-1, replicas: 3}, {on: rack-b1, replicas: 3, role: standby}]
    quorum: majority
    failover: {via: [ops], rto: 30m}
`, "OPS", opsRack)
}

const hardYAML = `
services:
  - {id: db, placement: [{on: rack-1}, {on: rack-2}], capacity: 2}
  - {id: api, placement: [{on: rack-3}], dependsOn: [db]}
features:
  - {id: chat, dependsOn: [api]}
`

const alternativesYAML = `
services:
  - {id: pay-a, placement: [{on: rack-1}, {on: rack-4}], capacity: 2}
  - {id: pay-b, placement: [{on: rack-2}]}
  - {id: pay-c, placement: [{on: rack-3}]}
features:
  - {id: pay-any, dependsOn: [{anyOf: [pay-a, pay-b]}]}
  - {id: pay-2of3, dependsOn: [{atLeast: 2, of: [pay-a, pay-b, pay-c]}]}
  - {id: pay-soft, dependsOn: [{anyOf: [pay-a, pay-b], soft: true}]}
`

const cycleYAML = `
services:
  - {id: a, placement: [{on: rack-1}], dependsOn: [c]}
  - {id: b, placement: [{on: rack-2}], dependsOn: [a]}
  - {id: c, placement: [{on: rack-3}], dependsOn: [b]}
features:
  - {id: f, dependsOn: [c]}
`

// TestCapacityAboveReplicasRejected: a capacity above the active replicas
// placed would leave the service degraded with nothing failed, breaking
// the rule that every node starts up; the validator refuses it.
func TestCapacityAboveReplicasRejected(t *testing.T) {
	doc := rulesBase + `
services:
  - {id: web, placement: [{on: rack-1}, {on: rack-2}], capacity: 3}
features:
  - {id: shop, dependsOn: [web]}
`
	_, _, err := inventory.LoadFiles([]inventory.File{{Name: "t.yaml", Data: []byte(doc)}})
	if err == nil || !strings.Contains(err.Error(), "capacity 3 is more than the 2 active replicas placed") {
		t.Errorf("LoadFiles(capacity 3 of 2 replicas) error = %v; want the capacity refused", err)
	}
}
