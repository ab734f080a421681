package cmd

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/out"
	"github.com/spf13/cobra"
)

// ReportOptions are the inputs of blast report.
type ReportOptions struct {
	IO      *IO
	Files   []string
	Fail    []string
	Policy  string
	Format  string
	Output  string
	Now     string
	Diagram bool
	Timeout time.Duration

	now time.Time
}

// NewCmdReport builds "blast report". runF replaces reportRun in tests of
// flag parsing; nil runs it.
func NewCmdReport(io *IO, runF func(*ReportOptions) error) *cobra.Command {
	opts := &ReportOptions{IO: io}
	c := &cobra.Command{
		Use:   "report -f INVENTORY [--fail ID,...] [--policy POLICY.yaml] --format md|html -o FILE",
		Short: "Write an audit report: Markdown with Mermaid charts, or one self-contained interactive HTML page",
		Long: `Write a report for people who read rather than run blast: an executive
summary (the worst single failures ranked by users, the features with single
points of failure and whether their redundancy is real or only on paper, the
policy findings), tables, and pictures.

--format md writes GitHub-flavoured Markdown with Mermaid flowcharts (kept
within Mermaid's limits of 500 edges and 50,000 characters; past them a
chart is cut with a note). When a chart is cut, -o REPORT.md also writes
the whole diagram as REPORT-diagram.svg next to it and the note links it;
on standard output the note gives the blast diagram command instead.

--format html writes one self-contained page that needs no network: the
report, the diagram (inline SVG, left out with a note when too large) and an
explorer where you pick failure domains, from a list or by clicking them in
the diagram, and see features and services turn red or amber with their
why-chains, evaluated in the page by the same rules as blast simulate.

With --fail the report also shows what that failure set takes down, and
why. --now fixes the report's time (RFC 3339), so that the same input gives
the same bytes. The HTML report's diagram is left out, with a note, when
Graphviz has not drawn it after --render-timeout; the global --timeout
bounds the whole run, as for every command.`,
		Example: `  blast report -f examples/kakao-2022.yaml --fail pangyo --format html -o kakao.html
  blast report -f inventory/ --policy policy.yaml --format md -o REPORT.md`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkFail(opts.Fail, false); err != nil {
				return err
			}
			if opts.Format == "" {
				switch strings.ToLower(filepath.Ext(opts.Output)) {
				case ".md", ".markdown":
					opts.Format = "md"
				case ".html", ".htm":
					opts.Format = "html"
				default:
					return usagef("give --format md or html (or an -o FILE ending in .md or .html)")
				}
			}
			if err := checkFormat(opts.Format, "md", "html"); err != nil {
				return err
			}
			if opts.Output == "" {
				return usagef("give the report's file with -o FILE (- for standard output)")
			}
			if opts.Now == "" {
				opts.now = time.Now().UTC()
			} else {
				t, err := time.Parse(time.RFC3339, opts.Now)
				if err != nil {
					return usagef("--now %q: give a time in RFC 3339, such as 2022-10-15T15:30:00Z", opts.Now)
				}
				opts.now = t
			}
			if opts.Timeout <= 0 {
				return usagef("--render-timeout %s: must be more than 0", opts.Timeout)
			}
			if runF != nil {
				return runF(opts)
			}
			return reportRun(opts)
		},
	}
	addFileFlag(c, &opts.Files)
	addFailFlag(c, &opts.Fail)
	c.Flags().StringVar(&opts.Policy, "policy", "", "policy file (default: the built-in policy, examples/policy.yaml)")
	c.Flags().StringVar(&opts.Format, "format", "", "md or html (default: from the -o extension)")
	c.Flags().StringVarP(&opts.Output, "output", "o", "", "output file; - for standard output")
	c.Flags().StringVar(&opts.Now, "now", "", "the report's time, RFC 3339 (default: now)")
	c.Flags().BoolVar(&opts.Diagram, "diagram", true, "embed the diagram in the HTML report (--diagram=false leaves it out)")
	c.Flags().DurationVar(&opts.Timeout, "render-timeout", defaultRenderTimeout, "give up drawing the HTML report's diagram after this long (the report is written without it)")
	return c
}

func reportRun(opts *ReportOptions) error {
	policy, err := loadPolicy(opts.IO, opts.Policy)
	if err != nil {
		return err
	}
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
	// The built-in policy skips rules whose kinds the inventory lacks, as
	// check does; a policy of the user's own naming a missing kind is an error.
	check, err := m.CheckPolicyOptions(opts.IO.Context(), policy, graph.PolicyOptions{SkipMissingKinds: opts.Policy == ""})
	if err := opts.IO.Context().Err(); err != nil {
		return err
	}
	if err != nil {
		return &ExitError{ExitInput, err}
	}
	for _, w := range check.Warnings {
		fmt.Fprintln(opts.IO.ErrOut, "warning: "+w)
	}
	policyName := policy.Metadata.Name
	if policyName == "" {
		policyName = policy.File
	}
	name := inventoryName(m.Inv)
	kinds, _ := auditKinds(m, nil)
	domains, candidates := auditDomains(m, kinds, false)
	a := m.NewAudit(domains, candidates, graph.AuditOptions{Paper: true, Context: opts.IO.Context()})
	if a.Err != nil {
		return a.Err
	}
	audit := out.NewAuditReport(name, kinds, a)
	diagramCmd := "blast diagram " + fileArgs(opts.Files)
	if len(opts.Fail) > 0 {
		diagramCmd += " --fail " + strings.Join(opts.Fail, ",")
	}
	// A Markdown file's charts, when cut at Mermaid's limits, link the
	// whole diagram, written next to it as NAME-diagram.svg.
	link := ""
	if opts.Format == "md" && opts.Output != "-" {
		link = strings.TrimSuffix(filepath.Base(opts.Output), filepath.Ext(opts.Output)) + "-diagram.svg"
		diagramCmd += " -o " + link
	} else {
		diagramCmd += " -o diagram.svg"
	}
	ro := out.ReportOptions{
		Title: name, Version: Version, Inputs: opts.Files, Now: opts.now, Result: res,
		Check:          out.NewCheckReport(name, policyName, "error", m, check, check.Findings, 0),
		DiagramCommand: diagramCmd, DiagramLink: link,
	}
	if opts.Format == "html" {
		if opts.Diagram {
			ro.SVG, ro.SVGNote = reportDiagram(opts, m, diagramCmd)
			if err := opts.IO.Context().Err(); err != nil {
				return err // Ctrl-C or the global --timeout: said by main
			}
		} else {
			ro.SVGNote = "The diagram is left out (--diagram=false); draw it with " + diagramCmd + "."
		}
	}
	r := out.NewReport(m, audit, ro)
	var b bytes.Buffer
	if opts.Format == "md" {
		err = out.WriteMarkdown(&b, r)
		if err == nil && r.Truncated {
			drawn := false
			if link != "" {
				drawn, err = writeWholeDiagram(opts, m, res, link)
			} else if _, derr := out.NewDiagram(m, out.DiagramOptions{}); derr == nil {
				drawn = true // on standard output: the note's command draws it
			}
			if err == nil && !drawn { // the note asks for one feature at a time
				r.DiagramLink, r.DiagramTooLarge = "", true
				b.Reset()
				err = out.WriteMarkdown(&b, r)
			}
		}
	} else {
		err = out.WriteHTML(&b, r)
	}
	if err != nil {
		return err
	}
	if opts.Output == "-" {
		_, err := opts.IO.Out.Write(b.Bytes())
		return err
	}
	return writeData(opts.IO.Context(), opts.Output, opts.Files, b.Bytes())
}

// reportDiagram draws the estate, uncoloured (the page colours it), or
// says why it is left out: the report is written either way.
func reportDiagram(opts *ReportOptions, m *graph.Model, diagramCmd string) ([]byte, string) {
	d, err := out.NewDiagram(m, out.DiagramOptions{})
	if err != nil {
		fmt.Fprintf(opts.IO.ErrOut, "note: the report's diagram is left out: %v\n", err)
		return nil, "The diagram is left out: it is too large to draw in one picture, even with the physical tree collapsed to sites. Draw one feature at a time with " + diagramCmd + " --focus FEATURE."
	}
	ctx, cancel := context.WithTimeout(opts.IO.Context(), opts.Timeout)
	defer cancel()
	svg, err := out.RenderSVG(ctx, d.DOT, opts.IO.Executable)
	if err != nil {
		fmt.Fprintf(opts.IO.ErrOut, "note: the report's diagram is left out: %v\n", err)
		hint := " --focus FEATURE or --level site"
		if d.Level == "site" {
			hint = " --focus FEATURE" // sites were what took too long
		}
		return nil, "The diagram is left out: Graphviz could not draw it in time. Draw parts of it with " + diagramCmd + hint + "."
	}
	note := ""
	if d.Level != "" {
		note = fmt.Sprintf("The physical tree is drawn down to the %s level to keep the diagram readable.", d.Level)
	}
	return svg, note
}

// writeWholeDiagram writes the SVG that the cut charts of a Markdown
// report link (link, next to the report), and says so; when it cannot be
// drawn (too large, or too slow) it says why and reports false.
func writeWholeDiagram(opts *ReportOptions, m *graph.Model, res *graph.Result, link string) (bool, error) {
	path := filepath.Join(filepath.Dir(opts.Output), link)
	svg, err := drawDiagram(opts.IO, m, res, "", "", [2]int{}, "svg", opts.Timeout)
	if cerr := opts.IO.Context().Err(); cerr != nil {
		return false, cerr
	}
	if err != nil {
		fmt.Fprintf(opts.IO.ErrOut, "note: a chart was cut at Mermaid's limits, and the whole diagram is not written: %v\n", err)
		return false, nil
	}
	if err := writeData(opts.IO.Context(), path, opts.Files, svg); err != nil {
		return false, err
	}
	fmt.Fprintf(opts.IO.ErrOut, "note: a chart was cut at Mermaid's limits; the whole diagram is in %s\n", path)
	return true, nil
}

// fileArgs writes the -f flags of files.
func fileArgs(files []string) string {
	var parts []string
	for _, f := range files {
		parts = append(parts, "-f "+f)
	}
	return strings.Join(parts, " ")
}
