// Package graph compiles a validated inventory into a Model and answers
// what fails when a set of components or services fails, by the rules of
// the failure model: parents, power feeds and network uplinks for
// components; quorum, standby replicas, failover control planes and
// capacity for services; hard, anyOf, atLeast and soft dependencies for
// services and features; cycles by the greatest fixpoint.
//
// Inside a Model every component, service and feature is a dense integer
// node, assigned in sorted-id order; names appear only at the edges (ID,
// Lookup, Select). Model.Simulate evaluates one failure set in time linear
// in the size of the model and returns a Result with each node's state,
// each service's counted replicas and failover, and the why-chains back to
// what failed. The analyses built on it (single failures, minimal cut
// sets, availability, recovery plans, policy checks) evaluate many failure
// sets with reused Evaluators.
package graph
