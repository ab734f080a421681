// Package out renders blast's results for people and for machines: text
// tables and why-chains for terminals, stable JSON documents (with a JSON
// Schema generated from the Go types), Markdown and HTML reports, DOT and
// SVG diagrams, SARIF, JUnit and GitHub annotations for CI, and the Open-PSA
// fault-tree format.
//
// A renderer takes a report built from a graph result (NewSimulation,
// NewAuditReport, NewCheckReport, ...) and an io.Writer. Output is
// deterministic: lists are sorted by a stable key, and clocks and versions
// are passed in, never read inside.
package out
