// Package examples embeds the example inventories shipped with blast: the
// Kakao and Naver estates as they stood on 15 October 2022, when a battery
// fire cut the power of the SK C&C Pangyo data center. The same files are
// readable in this directory.
package examples

import (
	"embed"
	"fmt"

	"github.com/blast-dev/blast/inventory"
)

//go:embed kakao-2022.yaml naver-2022.yaml policy.yaml
var fsys embed.FS

// Kakao and Naver name the embedded inventories.
const (
	Kakao = "kakao-2022"
	Naver = "naver-2022"
)

// Names lists the embedded inventories in the order the demo shows them.
func Names() []string { return []string{Kakao, Naver} }

// File returns the embedded inventory called name, named as its path in
// the repository so that diagnostics point at the real file.
func File(name string) (inventory.File, error) {
	data, err := fsys.ReadFile(name + ".yaml")
	if err != nil {
		return inventory.File{}, fmt.Errorf("no embedded example %q; have %v", name, Names())
	}
	return inventory.File{Name: "examples/" + name + ".yaml", Data: data}, nil
}

// DefaultPolicy returns the policy blast check applies when none is given,
// named as its path in the repository.
func DefaultPolicy() inventory.File {
	data, err := fsys.ReadFile("policy.yaml")
	if err != nil {
		panic(err) // embedded at build time
	}
	return inventory.File{Name: "examples/policy.yaml", Data: data}
}
