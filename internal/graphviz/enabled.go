package graphviz

import "github.com/blast-dev/blast/internal/graphviz/internal/wasm"

// EnvVar enables Graphviz in a process when set to 1 in its environment at
// start-up; see Enabled.
const EnvVar = wasm.EnvVar

// Enabled reports whether this process loaded the Graphviz WebAssembly
// module at start-up. When it did not, New and every other call into the
// module fail or panic: run the rendering in a process started with
// EnvVar=1.
func Enabled() bool { return wasm.Enabled }
