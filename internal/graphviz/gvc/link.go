package gvc

import (
	_ "unsafe"

	"github.com/blast-dev/blast/internal/graphviz/cdt"
	"github.com/blast-dev/blast/internal/graphviz/cgraph"
	"github.com/blast-dev/blast/internal/graphviz/internal/wasm"
)

//go:linkname toGraph github.com/blast-dev/blast/internal/graphviz/cgraph.toGraph
func toGraph(*wasm.Graph) *cgraph.Graph

//go:linkname toGraphWasm github.com/blast-dev/blast/internal/graphviz/cgraph.toGraphWasm
func toGraphWasm(*cgraph.Graph) *wasm.Graph

//go:linkname toNode github.com/blast-dev/blast/internal/graphviz/cgraph.toNode
func toNode(*wasm.Node) *cgraph.Node

//go:linkname toEdge github.com/blast-dev/blast/internal/graphviz/cgraph.toEdge
func toEdge(*wasm.Edge) *cgraph.Edge

//go:linkname toDictLink github.com/blast-dev/blast/internal/graphviz/cdt.toLink
func toDictLink(*wasm.DictLink) *cdt.Link

//go:linkname toDictLinkWasm github.com/blast-dev/blast/internal/graphviz/cdt.toLinkWasm
func toDictLinkWasm(*cdt.Link) *wasm.DictLink
