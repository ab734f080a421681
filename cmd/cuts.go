package cmd

import (
	"fmt"

	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/out"
	"github.com/spf13/cobra"
)

// CutsOptions are the inputs of blast cuts.
type CutsOptions struct {
	IO              *IO
	Files           []string
	Feature         string
	MaxOrder        int
	MaxCutSets      uint64
	IncludeServices bool
	Probability     bool
	Default         float64
	DefaultSet      bool
	Format          string
}

// NewCmdCuts builds "blast cuts". runF replaces cutsRun in tests of flag
// parsing; nil runs it.
func NewCmdCuts(io *IO, runF func(*CutsOptions) error) *cobra.Command {
	opts := &CutsOptions{IO: io}
	c := &cobra.Command{
		Use:   "cuts -f INVENTORY --feature ID [--max-order K]",
		Short: "Minimal cut sets: the smallest sets of failures that bring a feature down",
		Long: `List every minimal cut set of a feature: a set of physical components
(and, with --include-services, services failing in software) whose joint
failure brings the feature down, and no part of which does. Replicas,
quorum, power feeds, failover and anyOf/atLeast are all taken into
account. Sets are printed by order (size) then ids, with counts per order.

The feature's down function is compiled into a BDD and its minimal
solutions into a ZBDD; --max-order bounds the work, not only the output.
With --probability the exact probability that the feature is down is
computed on the same BDD and printed with the sets (blast availability
gives it with the approximations and importance measures).
-f also takes Open-PSA MEF fault trees (.xml).`,
		Example: `  blast cuts -f examples/kakao-2022.yaml --feature talk-send
  blast cuts -f model.xml --max-order 2 --format json
  blast cuts -f model.xml --max-order 4 --probability`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkFormat(opts.Format, "text", "json"); err != nil {
				return err
			}
			if opts.MaxOrder < 0 {
				return usagef("--max-order %d: give 1 or more, or 0 for no bound", opts.MaxOrder)
			}
			var err error
			if opts.DefaultSet, err = checkDefaultUnavailability(c, opts.Default); err != nil {
				return err
			}
			if opts.DefaultSet && !opts.Probability {
				return usagef("--default-unavailability is for --probability; add --probability, or leave it out")
			}
			if runF != nil {
				return runF(opts)
			}
			return cutsRun(opts)
		},
	}
	addFileFlag(c, &opts.Files)
	c.Flags().StringVar(&opts.Feature, "feature", "", "feature (or service) id; may be left out when there is one feature")
	c.Flags().IntVar(&opts.MaxOrder, "max-order", 3, "largest cut set to find; 0 for no bound")
	c.Flags().Uint64Var(&opts.MaxCutSets, "max-cut-sets", DefaultMaxCutSets, "refuse to list more cut sets than this")
	c.Flags().BoolVar(&opts.IncludeServices, "include-services", false, "count services failing in software as basic events too")
	c.Flags().BoolVar(&opts.Probability, "probability", false, "also compute the exact probability that the feature is down")
	c.Flags().Float64Var(&opts.Default, "default-unavailability", 0, "with --probability: unavailability of basic events without failure data")
	c.Flags().StringVar(&opts.Format, "format", "text", "output format: text or json")
	return c
}

// DefaultMaxCutSets bounds how many cut sets blast cuts lists unless
// --max-cut-sets says otherwise: they are counted before any is listed,
// and those of one order are held in memory to be sorted.
const DefaultMaxCutSets = 1_000_000

type cutSource struct {
	cs *graph.CutSets
	p  *float64
}

func (s cutSource) Counts() []uint64                  { return s.cs.CountsByOrder }
func (s cutSource) Each(k int, fn func(ids []string)) { s.cs.Each(k, fn) }
func (s cutSource) Probability() (float64, bool) {
	if s.p == nil {
		return 0, false
	}
	return *s.p, true
}

func cutsRun(opts *CutsOptions) error {
	m, err := loadRiskModel(opts.IO, opts.Files)
	if err != nil {
		return err
	}
	vs, err := riskTarget(m, opts.Feature, false)
	if err != nil {
		return err
	}
	maxOrder := opts.MaxOrder
	if maxOrder == 0 {
		maxOrder = -1
	}
	cs, err := m.MinimalCutSetsContext(opts.IO.Context(), vs[0], graph.FaultTreeOptions{Services: opts.IncludeServices}, maxOrder)
	if err != nil {
		return err
	}
	var total uint64
	for _, c := range cs.CountsByOrder {
		total += c
	}
	if total > opts.MaxCutSets {
		return &ExitError{ExitInput, fmt.Errorf("%s has %d minimal cut sets up to order %d, more than the limit of %d: lower --max-order or raise --max-cut-sets",
			m.ID(vs[0]), total, opts.MaxOrder, opts.MaxCutSets)}
	}
	if err := opts.IO.Context().Err(); err != nil {
		return err
	}
	src := cutSource{cs: cs}
	if opts.Probability {
		p, missing := m.EventProbabilities(cs.Tree, defaultIf(opts.Default, opts.DefaultSet))
		if len(missing) > 0 {
			return missingDataError(missing)
		}
		pd := cs.Probability(p)
		src.p = &pd
	}
	var done func(uint64)
	if opts.IO.ErrTerminal && total > 10000 {
		done = func(n uint64) {
			if n%10000 == 0 || n == total {
				fmt.Fprintf(opts.IO.ErrOut, "\r%s %3d%% %d/%d cut sets", bar(n, total, 30), 100*n/total, n, total)
				if n == total {
					fmt.Fprintln(opts.IO.ErrOut)
				}
			}
		}
	}
	if opts.Format == "json" {
		return out.WriteCutsJSON(opts.IO.Out, m.ID(vs[0]), src, done)
	}
	return out.WriteCutsText(opts.IO.Out, m.ID(vs[0]), src, done)
}

// bar draws a progress bar of width cells.
func bar(n, total uint64, width int) string {
	full := int(uint64(width) * n / max(total, 1))
	b := make([]rune, width)
	for i := range b {
		b[i] = '░'
		if i < full {
			b[i] = '█'
		}
	}
	return string(b)
}
