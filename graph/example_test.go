package graph_test

import (
	"fmt"
	"log"

	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/inventory"
)

// A tiny estate: one site with a dual-fed rack, and a standby in a second
// site whose failover needs a control plane that runs only in the first.
const tiny = `apiVersion: blast/v1
kind: Inventory
components:
  - {id: dc-a, kind: site}
  - {id: ups-1, kind: power, parent: dc-a}
  - {id: ups-2, kind: power, parent: dc-a}
  - {id: rack-a, kind: rack, parent: dc-a, power: [ups-1, ups-2]}
  - {id: dc-b, kind: site}
services:
  - id: ops
    placement: [{on: rack-a}]
  - id: db
    quorum: majority
    placement:
      - {on: rack-a, replicas: 3}
      - {on: dc-b, replicas: 3, role: standby}
    failover: {via: [ops]}
features:
  - {id: checkout, users: 1000, dependsOn: [db]}
`

// Build a model from an inventory, then evaluate two failures: one power
// feed of a dual-fed rack, and the whole first site.
func ExampleModel_Simulate() {
	inv, _, err := inventory.LoadFiles([]inventory.File{{Name: "tiny.yaml", Data: []byte(tiny)}})
	if err != nil {
		log.Fatal(err)
	}
	m, err := graph.Build(inv)
	if err != nil {
		log.Fatal(err)
	}
	for _, fail := range []string{"ups-1", "dc-a"} {
		failed, err := m.SelectAll([]string{fail})
		if err != nil {
			log.Fatal(err)
		}
		r := m.Simulate(failed)
		checkout, _ := m.Lookup("checkout")
		db, _ := m.Lookup("db")
		counted, failover := r.Replicas(db)
		fmt.Printf("fail %s: checkout %v; db counts %d replicas, failover %v\n", fail, r.State(checkout), counted, failover)
		chains, _ := r.Why(db, 0) // one chain per direct cause, shortest first
		for _, chain := range chains {
			fmt.Print("  why db:")
			for _, v := range chain {
				fmt.Print(" ", m.ID(v))
			}
			fmt.Println()
		}
	}
	// Output:
	// fail ups-1: checkout up; db counts 3 replicas, failover none
	// fail dc-a: checkout down; db counts 0 replicas, failover blocked
	//   why db: db rack-a dc-a
	//   why db: db ops rack-a dc-a
}
