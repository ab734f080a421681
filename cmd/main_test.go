package cmd

import (
	"os"
	"testing"

	"github.com/blast-dev/blast/internal/graphviz"
)

// TestMain lets the test binary stand in for blast when a test draws SVG
// in process: out.RenderSVG runs this executable as "render-svg" with
// Graphviz loaded.
func TestMain(m *testing.M) {
	if graphviz.Enabled() && len(os.Args) > 1 && os.Args[1] == "render-svg" {
		os.Exit(Main(os.Args[1:], System()))
	}
	os.Exit(m.Run())
}
