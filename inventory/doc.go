// Package inventory reads, merges and validates blast/v1 inventories: the
// physical components of an estate, the services placed on them and the
// user features that depend on those services.
//
// An inventory may be YAML or JSON and may be split over many files; Load
// merges them and reports every problem at once, each with its file, line,
// column, field path and a hint. Aliases are followed under a budget, so a
// hostile file cannot expand without bound.
package inventory
