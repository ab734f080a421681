package cmd

import (
	"fmt"
	"slices"
	"strings"

	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/out"
	"github.com/spf13/cobra"
)

// AuditOptions are the inputs of blast audit.
type AuditOptions struct {
	IO              *IO
	Files           []string
	Kinds           []string
	IncludeServices bool
	Format          string
	Top             int
	RedundancyLeft  string
}

// redundancyLeftAuto is the number of domains up to which the audit, by
// default, also finds the features each domain's loss leaves without
// redundancy. That costs one partial recomputation per domain; past this
// size it runs only when asked (--redundancy-left on).
const redundancyLeftAuto = 2000

// NewCmdAudit builds "blast audit". runF replaces auditRun in tests of
// flag parsing; nil runs it.
func NewCmdAudit(io *IO, runF func(*AuditOptions) error) *cobra.Command {
	opts := &AuditOptions{IO: io}
	c := &cobra.Command{
		Use:   "audit -f INVENTORY [--kinds site,building,power,rack]",
		Short: "Evaluate the loss of every failure domain, one at a time, and list each feature's single points of failure",
		Long: `Evaluate the loss of every single component of the chosen kinds (default:
every kind present except host), one at a time, and report:

  - the failure domains ranked by users down, then degraded, then features
    down, each with the features it takes down;
  - each feature's single points of failure: every single component (of any
    kind; services too with --include-services) whose loss alone takes it
    down, and whether its redundancy is real or only on paper (standby
    replicas whose failover control plane fails with the active ones).

The audit computes every node's single-failure sets in one pass over the
graph rather than one simulation per domain.`,
		Example: `  blast audit -f examples/kakao-2022.yaml
  blast audit -f inventory/ --kinds site,rack --format json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkFormat(opts.Format, "text", "json"); err != nil {
				return err
			}
			if opts.Top < 0 {
				return usagef("--top %d: must be 0 (all) or more", opts.Top)
			}
			if err := checkFormat(opts.RedundancyLeft, "auto", "on", "off"); err != nil {
				return usagef("--redundancy-left %q: use auto, on or off", opts.RedundancyLeft)
			}
			if runF != nil {
				return runF(opts)
			}
			return auditRun(opts)
		},
	}
	addFileFlag(c, &opts.Files)
	c.Flags().StringSliceVar(&opts.Kinds, "kinds", nil, "component kinds to audit as failure domains (default: every kind present except host)")
	c.Flags().BoolVar(&opts.IncludeServices, "include-services", false, "count software failures of single services as points of failure too")
	c.Flags().StringVar(&opts.Format, "format", "text", "output format: text or json")
	c.Flags().IntVar(&opts.Top, "top", 20, "domains listed in text output (0: all with any impact)")
	c.Flags().StringVar(&opts.RedundancyLeft, "redundancy-left", "auto", fmt.Sprintf("find the features each domain's loss leaves without redundancy: on, off, or auto (on up to %d domains)", redundancyLeftAuto))
	return c
}

// auditKinds resolves --kinds against the model: the kinds given (each
// must exist), or every kind present except host.
func auditKinds(m *graph.Model, kinds []string) ([]string, error) {
	present := m.ComponentKinds()
	if len(kinds) == 0 {
		return slices.DeleteFunc(present, func(k string) bool { return k == "host" }), nil
	}
	var out []string
	for _, k := range kinds {
		k = strings.TrimSpace(k)
		if !slices.Contains(present, k) {
			return nil, &ExitError{ExitInput, fmt.Errorf("--kinds: no component has kind %q; kinds present: %s", k, strings.Join(present, ", "))}
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// auditDomains returns the components of the given kinds, and the
// candidate single failures: every component, and every service when
// services count.
func auditDomains(m *graph.Model, kinds []string, services bool) (domains, candidates []int32) {
	for v := int32(0); v < int32(m.Len()); v++ {
		switch m.Kind(v) {
		case graph.Component:
			candidates = append(candidates, v)
			if slices.Contains(kinds, m.ComponentKind(v)) {
				domains = append(domains, v)
			}
		case graph.Service:
			if services {
				candidates = append(candidates, v)
			}
		}
	}
	return domains, candidates
}

func auditRun(opts *AuditOptions) error {
	m, err := loadModelProgress(opts.IO, opts.Files)
	if err != nil {
		return err
	}
	kinds, err := auditKinds(m, opts.Kinds)
	if err != nil {
		return err
	}
	domains, candidates := auditDomains(m, kinds, opts.IncludeServices)
	exposed := opts.RedundancyLeft == "on" || (opts.RedundancyLeft == "auto" && len(domains) <= redundancyLeftAuto)
	if opts.RedundancyLeft == "auto" && !exposed {
		fmt.Fprintf(opts.IO.ErrOut, "note: %d domains: not looking for features left without redundancy (--redundancy-left on does, at one recomputation per domain)\n", len(domains))
	}
	a := m.NewAudit(domains, candidates, graph.AuditOptions{Paper: true, Exposed: exposed, Context: opts.IO.Context()})
	if a.Err != nil {
		return a.Err
	}
	report := out.NewAuditReport(inventoryName(m.Inv), kinds, a)
	report.RedundancyLeftChecked = exposed
	if opts.Format == "json" {
		return out.WriteJSON(opts.IO.Out, report)
	}
	return out.WriteAuditText(opts.IO.Out, report, out.AuditTextOptions{TextOptions: out.TextOptions{Color: opts.IO.Color()}, Top: opts.Top})
}
