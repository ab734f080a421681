// Package graphviz is github.com/goccy/go-graphviz v0.2.10 (MIT licence,
// see LICENSE), Graphviz 12 compiled to WebAssembly and run by wazero, with
// one change: the WebAssembly module is compiled and instantiated at
// package initialisation only in a process started with BLAST_GRAPHVIZ=1
// (see Enabled). Upstream pays that cost, about 0.6 s and 50 MB without
// wazero's compilation cache, in every process that links the package, so
// every blast command would pay it; blast draws in a child process of its
// own binary instead. The change is the file internal/wasm/enabled.go and
// an "if !Enabled { return }" at the top of the three init functions
// (internal/wasm/bind.go, cgraph/init.go, gvc/init.go).
package graphviz
