package out

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"

	"github.com/blast-dev/blast/internal/graphviz"
)

// The Graphviz instance of this process: one per process, renders
// serialised (the WebAssembly module is a single global instance).
var (
	gvOnce sync.Once
	gv     *graphviz.Graphviz
	gvErr  error
	gvMu   sync.Mutex
)

// RenderSVG lays out a DOT graph with Graphviz and returns the SVG. Where
// this process did not load Graphviz at start-up (the usual case: blast
// commands that draw nothing must not pay for it), it runs exe, the blast
// binary, as "exe render-svg" with BLAST_GRAPHVIZ=1, DOT on its standard
// input and the SVG on its standard output; exe "" means os.Executable.
func RenderSVG(ctx context.Context, dot []byte, exe string) ([]byte, error) {
	if graphviz.Enabled() {
		return renderInProcess(ctx, dot)
	}
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("drawing SVG: cannot find the blast binary to run Graphviz in: %w", err)
		}
	}
	cmd := exec.CommandContext(ctx, exe, "render-svg")
	cmd.Env = append(os.Environ(), graphviz.EnvVar+"=1")
	cmd.Stdin = bytes.NewReader(dot)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("drawing SVG with Graphviz: %v: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	return stdout.Bytes(), nil
}

// RenderSVGHere renders in this process; it fails unless the process
// started with BLAST_GRAPHVIZ=1. It is what "blast render-svg" runs.
func RenderSVGHere(ctx context.Context, dot []byte) ([]byte, error) {
	if !graphviz.Enabled() {
		return nil, fmt.Errorf("graphviz is not loaded in this process: start it with %s=1", graphviz.EnvVar)
	}
	return renderInProcess(ctx, dot)
}

func renderInProcess(ctx context.Context, dot []byte) ([]byte, error) {
	gvOnce.Do(func() { gv, gvErr = graphviz.New(ctx) })
	if gvErr != nil {
		return nil, gvErr
	}
	gvMu.Lock()
	defer gvMu.Unlock()
	g, err := graphviz.ParseBytes(dot)
	if err != nil {
		return nil, fmt.Errorf("graphviz could not read the DOT graph: %w", err)
	}
	defer g.Close()
	var b bytes.Buffer
	if err := gv.Render(ctx, g, graphviz.SVG, &b); err != nil {
		return nil, fmt.Errorf("graphviz: %w", err)
	}
	return b.Bytes(), nil
}
