package cmd

import (
	"fmt"
	"slices"
	"strings"

	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/out"
	"github.com/spf13/cobra"
)

// AvailabilityOptions are the inputs of blast availability.
type AvailabilityOptions struct {
	IO              *IO
	Files           []string
	Feature         string
	IncludeServices bool
	Default         float64
	DefaultSet      bool
	Top             int
	MaxOrder        int
	Format          string
}

// NewCmdAvailability builds "blast availability". runF replaces
// availabilityRun in tests of flag parsing; nil runs it.
func NewCmdAvailability(io *IO, runF func(*AvailabilityOptions) error) *cobra.Command {
	opts := &AvailabilityOptions{IO: io}
	c := &cobra.Command{
		Use:   "availability -f INVENTORY [--feature ID]",
		Short: "Probability each feature is down, downtime per year, nines, and what to harden first",
		Long: `Compute each feature's probability of being down exactly (a BDD of its
down function), beside the rare-event approximation and the min-cut upper
bound other tools print; the expected downtime per year and the nines.
Then rank the basic events by importance: Birnbaum, Fussell-Vesely, risk
achievement worth (RAW) and risk reduction worth (RRW), highest
Fussell-Vesely first: harden those first.

Failure data comes from the inventory: unavailability, or mtbf and mttr,
on a component or as a default per kind (defaults.kinds), and for services
(with --include-services) on the service or in defaults.services. A basic
event without data is an error naming it, unless
--default-unavailability gives a value for all of them.
On fault trees with very many minimal cut sets, --max-order K counts only
the sets of at most K events in the two approximations, as tools that
truncate cut sets do. -f also takes Open-PSA MEF fault trees (.xml).`,
		Example: `  blast availability -f inventory.yaml
  blast availability -f inventory.yaml --feature pay --top 5 --format json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkFormat(opts.Format, "text", "json"); err != nil {
				return err
			}
			var err error
			if opts.DefaultSet, err = checkDefaultUnavailability(c, opts.Default); err != nil {
				return err
			}
			if opts.Top < 0 {
				return usagef("--top %d: give 0 (all) or more", opts.Top)
			}
			if opts.MaxOrder < 0 {
				return usagef("--max-order %d: give 1 or more, or 0 for no bound", opts.MaxOrder)
			}
			if runF != nil {
				return runF(opts)
			}
			return availabilityRun(opts)
		},
	}
	addFileFlag(c, &opts.Files)
	c.Flags().StringVar(&opts.Feature, "feature", "", "feature (or service) id; every feature when left out")
	c.Flags().BoolVar(&opts.IncludeServices, "include-services", false, "count services failing in software as basic events too")
	c.Flags().Float64Var(&opts.Default, "default-unavailability", 0, "unavailability of basic events without failure data")
	c.Flags().IntVar(&opts.Top, "top", 10, "basic events to rank per feature in text output; 0 for all")
	c.Flags().IntVar(&opts.MaxOrder, "max-order", 0, "largest cut set counted in the rare-event and min-cut bound figures; 0 for no bound (the exact probability never depends on it)")
	c.Flags().StringVar(&opts.Format, "format", "text", "output format: text or json")
	return c
}

func availabilityRun(opts *AvailabilityOptions) error {
	m, err := loadRiskModel(opts.IO, opts.Files)
	if err != nil {
		return err
	}
	vs, err := riskTarget(m, opts.Feature, true)
	if err != nil {
		return err
	}
	def := defaultIf(opts.Default, opts.DefaultSet)
	var feats []out.FeatureAvailability
	missing := map[string]bool{}
	for _, v := range vs {
		ft := m.FaultTree(v, graph.FaultTreeOptions{Services: opts.IncludeServices})
		p, miss := m.EventProbabilities(ft, def)
		for _, id := range miss {
			missing[id] = true
		}
		if len(missing) > 0 {
			continue
		}
		name := ""
		if m.Kind(v) == graph.Feature {
			name = m.Feature(v).Name
		}
		a, err := m.AvailabilityContext(opts.IO.Context(), ft, p, opts.MaxOrder)
		if err != nil {
			return err
		}
		feats = append(feats, out.FeatureAvailability{ID: m.ID(v), Name: name, Availability: a})
	}
	if len(missing) > 0 {
		var ids []string
		for id := range missing {
			ids = append(ids, id)
		}
		return missingDataError(ids)
	}
	if opts.Format == "json" {
		return out.WriteAvailabilityJSON(opts.IO.Out, feats)
	}
	return out.WriteAvailabilityText(opts.IO.Out, feats, out.AvailabilityOptions{Top: opts.Top})
}

// checkDefaultUnavailability tells whether --default-unavailability was
// given, refusing a value that is not a probability.
func checkDefaultUnavailability(c *cobra.Command, v float64) (bool, error) {
	if !c.Flags().Changed("default-unavailability") {
		return false, nil
	}
	if v < 0 || v > 1 {
		return true, usagef("--default-unavailability %v: give a probability between 0 and 1", v)
	}
	return true, nil
}

// defaultIf is the default unavailability for EventProbabilities: v when
// it was given, nil (no default) otherwise.
func defaultIf(v float64, given bool) *float64 {
	if !given {
		return nil
	}
	return &v
}

// missingDataError refuses basic events without failure data, naming the
// first ten.
func missingDataError(ids []string) error {
	q := sortedQuoted(ids)
	if len(q) > 10 {
		q = append(q[:10], fmt.Sprintf("and %d more", len(ids)-10))
	}
	return &ExitError{ExitInput, fmt.Errorf("no failure data for %s; give unavailability (or mtbf and mttr) on them, per kind under defaults.kinds or for services under defaults.services, or pass --default-unavailability",
		strings.Join(q, ", "))}
}

func sortedQuoted(ids []string) []string {
	slices.Sort(ids)
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = fmt.Sprintf("%q", id)
	}
	return out
}
