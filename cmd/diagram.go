package cmd

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/out"
	"github.com/spf13/cobra"
)

// DiagramOptions are the inputs of blast diagram.
type DiagramOptions struct {
	IO       *IO
	Files    []string
	Fail     []string
	Focus    string
	Level    string
	Output   string
	Format   string
	MaxNodes int
	MaxEdges int
	Timeout  time.Duration
}

// defaultRenderTimeout bounds a Graphviz layout: a diagram within the size
// limits draws in a few seconds, so one still running after this is stuck.
const defaultRenderTimeout = 30 * time.Second

// NewCmdDiagram builds "blast diagram". runF replaces diagramRun in tests
// of flag parsing; nil runs it.
func NewCmdDiagram(io *IO, runF func(*DiagramOptions) error) *cobra.Command {
	opts := &DiagramOptions{IO: io}
	c := &cobra.Command{
		Use:   "diagram -f INVENTORY [--fail ID,...] [--focus FEATURE] [--level site|building|rack|host] -o FILE.svg|FILE.dot",
		Short: "Draw the dependency graph as SVG (Graphviz) or DOT, coloured by a failure",
		Long: fmt.Sprintf(`Draw features, the services they need, the components their replicas run on
and the physical tree (nested clusters, power feeds as blue edges), left to
right.

With --fail, failed components are black, down nodes vermillion and dashed,
degraded nodes orange and dotted (Okabe–Ito colours, and a word in every
label, so greyscale prints still read), why-chains bold and blocked
failovers marked with a purple tee; a legend explains them.

--focus FEATURE draws only what that feature depends on. --level collapses
the physical tree to sites, buildings, racks or hosts. A drawing holds at
most %d nodes and %d edges (--diagram-max-nodes, --diagram-max-edges),
which Graphviz lays out in a few seconds: past either the physical tree is
collapsed one level at a time, with a note, and if even sites are too many
blast refuses and asks for --focus. Drawing the SVG gives up after
--render-timeout; the global --timeout bounds the whole run, as for every
command.

The format comes from the -o extension (.svg or .dot) or --format; without
-o the DOT text goes to standard output. PNG is not offered: the embedded
Graphviz draws broken PNGs (outlines and edges go missing); convert the SVG
instead.`, out.DefaultMaxNodes, out.DefaultMaxEdges),
		Example: `  blast diagram -f examples/kakao-2022.yaml --fail pangyo -o pangyo.svg
  blast diagram -f examples/kakao-2022.yaml --focus talk-send --level rack -o talk.dot`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkFail(opts.Fail, false); err != nil {
				return err
			}
			if opts.Format == "" {
				switch strings.ToLower(filepath.Ext(opts.Output)) {
				case ".svg":
					opts.Format = "svg"
				case ".dot", ".gv", "":
					opts.Format = "dot"
				case ".png":
					return usagef("-o %s: PNG is not offered (the embedded Graphviz draws broken PNGs); write .svg and convert it", opts.Output)
				default:
					return usagef("-o %s: give a .svg or .dot file, or --format", opts.Output)
				}
			}
			if err := checkFormat(opts.Format, "svg", "dot"); err != nil {
				return err
			}
			if opts.Format == "svg" && (opts.Output == "" || opts.Output == "-") && opts.IO.OutTerminal {
				return usagef("not writing SVG to a terminal: give -o FILE.svg")
			}
			if opts.Timeout <= 0 {
				return usagef("--render-timeout %s: must be more than 0", opts.Timeout)
			}
			if opts.MaxNodes < 1 || opts.MaxEdges < 1 {
				return usagef("--diagram-max-nodes %d, --diagram-max-edges %d: give 1 or more", opts.MaxNodes, opts.MaxEdges)
			}
			if opts.Level != "" && !slices.Contains(out.Levels, opts.Level) {
				return usagef("--level %q: use %s", opts.Level, strings.Join(out.Levels, ", "))
			}
			if runF != nil {
				return runF(opts)
			}
			return diagramRun(opts)
		},
	}
	addFileFlag(c, &opts.Files)
	addFailFlag(c, &opts.Fail)
	c.Flags().StringVar(&opts.Focus, "focus", "", "draw only what this feature depends on")
	c.Flags().StringVar(&opts.Level, "level", "", "collapse the physical tree to site, building, rack or host")
	c.Flags().StringVarP(&opts.Output, "output", "o", "", "output file (.svg or .dot); standard output when empty")
	c.Flags().StringVar(&opts.Format, "format", "", "svg or dot (default: from the -o extension, else dot)")
	c.Flags().IntVar(&opts.MaxNodes, "diagram-max-nodes", out.DefaultMaxNodes, "collapse the physical tree past this many drawn nodes")
	c.Flags().IntVar(&opts.MaxEdges, "diagram-max-edges", out.DefaultMaxEdges, "collapse the physical tree past this many drawn edges")
	c.Flags().DurationVar(&opts.Timeout, "render-timeout", defaultRenderTimeout, "give up drawing the SVG after this long")
	return c
}

func diagramRun(opts *DiagramOptions) error {
	m, err := loadModel(opts.IO, opts.Files)
	if err != nil {
		return err
	}
	var res *graph.Result
	if len(opts.Fail) > 0 {
		failed, err := m.SelectAll(opts.Fail)
		if err != nil {
			return &ExitError{ExitInput, err}
		}
		res = m.Simulate(failed)
	}
	data, err := drawDiagram(opts.IO, m, res, opts.Focus, opts.Level, [2]int{opts.MaxNodes, opts.MaxEdges}, opts.Format, opts.Timeout)
	if err != nil {
		return err
	}
	if opts.Output == "" || opts.Output == "-" {
		_, err := opts.IO.Out.Write(data)
		return err
	}
	return writeData(opts.IO.Context(), opts.Output, opts.Files, data)
}

// drawDiagram builds the DOT graph, coloured by res when not nil, and, for
// svg, renders it. Notes about collapsing go to ErrOut.
func drawDiagram(io *IO, m *graph.Model, res *graph.Result, focus, level string, limits [2]int, format string, timeout time.Duration) ([]byte, error) {
	d, err := out.NewDiagram(m, out.DiagramOptions{Result: res, Focus: focus, Level: level, MaxNodes: limits[0], MaxEdges: limits[1]})
	if err != nil {
		return nil, &ExitError{ExitInput, err}
	}
	for _, n := range d.Notes {
		fmt.Fprintf(io.ErrOut, "note: %s\n", n)
	}
	if format == "dot" {
		return d.DOT, nil
	}
	ctx, cancel := context.WithTimeout(io.Context(), timeout)
	defer cancel()
	svg, err := out.RenderSVG(ctx, d.DOT, io.Executable)
	if err := io.Context().Err(); err != nil {
		return nil, err // Ctrl-C or the global --timeout: said by main
	}
	if ctx.Err() != nil {
		return nil, &ExitError{ExitInput, fmt.Errorf("Graphviz did not finish drawing %d nodes and %d edges within %s: draw less with --focus FEATURE or a coarser --level (site, building), or give it longer with --render-timeout", d.Nodes, d.Edges, timeout)}
	}
	if err != nil {
		return nil, err
	}
	return svg, nil
}

// NewCmdRenderSVG builds the hidden "blast render-svg": DOT on standard
// input, SVG on standard output, run by blast itself in a child process
// started with BLAST_GRAPHVIZ=1 so that only drawing pays for loading
// Graphviz.
func NewCmdRenderSVG(iop *IO) *cobra.Command {
	return &cobra.Command{
		Use:    "render-svg",
		Short:  "Render DOT from standard input as SVG (used by blast itself)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			dot, err := io.ReadAll(iop.In)
			if err != nil {
				return err
			}
			svg, err := out.RenderSVGHere(context.Background(), dot)
			if err != nil {
				return err
			}
			_, err = iop.Out.Write(svg)
			return err
		},
	}
}
