package wasm

import "os"

// EnvVar is the environment variable that enables Graphviz in a process.
// The WebAssembly module is compiled and instantiated at package
// initialisation, which costs about 0.6 s and 50 MB without wazero's
// compilation cache; only a process started with EnvVar=1 pays it. (This
// file, and the three guards that read Enabled, are the only changes to
// go-graphviz v0.2.10.)
const EnvVar = "BLAST_GRAPHVIZ"

// Enabled reports whether this process loads the Graphviz module. It is
// read once, before any package initialisation of this module.
var Enabled = os.Getenv(EnvVar) == "1"
