package out_test

import (
	"log"
	"os"

	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/inventory"
	"github.com/blast-dev/blast/out"
)

const shop = `apiVersion: blast/v1
kind: Inventory
components:
  - {id: dc-a, kind: site}
  - {id: rack-a, kind: rack, parent: dc-a}
  - {id: dc-b, kind: site}
services:
  - id: db
    placement:
      - {on: rack-a, replicas: 2}
      - {on: dc-b, replicas: 2, role: standby}
  - id: search-index
    placement: [{on: rack-a}]
features:
  - {id: checkout, users: 1000, tier: 1, dependsOn: [db]}
  - {id: search, users: 5000, tier: 2, dependsOn: [search-index]}
`

// Simulate the loss of a site and write the result as text: the summary,
// the features that are not up with why they are not, then the services.
func ExampleWriteText() {
	inv, _, err := inventory.LoadFiles([]inventory.File{{Name: "shop.yaml", Data: []byte(shop)}})
	if err != nil {
		log.Fatal(err)
	}
	m, err := graph.Build(inv)
	if err != nil {
		log.Fatal(err)
	}
	failed, err := m.SelectAll([]string{"dc-a"})
	if err != nil {
		log.Fatal(err)
	}
	s := out.NewSimulation("shop", m.Simulate(failed))
	if err := out.WriteText(os.Stdout, s, out.TextOptions{}); err != nil {
		log.Fatal(err)
	}
	// Output:
	// shop — failed: dc-a
	// features: 1 down, 1 degraded, 0 up of 2 · users: 5,000 down, 1,000 degraded of 6,000
	// services: 1 down, 1 degraded, 0 up of 2
	//
	// DOWN      search (tier 2, 5,000 users)
	//           why: search ← search-index [replicas 0/1; quorum 1] ← rack-a ← dc-a (failed)
	//
	// DEGRADED  checkout (tier 1, 1,000 users)
	//           why: checkout ← db [replicas 0/2 active, 2/2 standby; quorum 1; failed over to standby] ← rack-a ← dc-a (failed)
	//
	// services not up:
	// DOWN      search-index  replicas 0/1; quorum 1
	//           why: search-index ← rack-a ← dc-a (failed)
	// DEGRADED  db  replicas 0/2 active, 2/2 standby; quorum 1; failed over to standby
	//           why: db ← rack-a ← dc-a (failed)
}
