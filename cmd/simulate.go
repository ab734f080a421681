package cmd

import (
	"github.com/blast-dev/blast/out"
	"github.com/spf13/cobra"
)

// SimulateOptions are the inputs of blast simulate.
type SimulateOptions struct {
	IO     *IO
	Files  []string
	Fail   []string
	Format string
}

// NewCmdSimulate builds "blast simulate". runF replaces simulateRun in
// tests of flag parsing; nil runs it.
func NewCmdSimulate(io *IO, runF func(*SimulateOptions) error) *cobra.Command {
	opts := &SimulateOptions{IO: io}
	c := &cobra.Command{
		Use:   "simulate -f INVENTORY --fail ID[,ID...]",
		Short: "Evaluate one failure set: which features and services go down or degraded, and why",
		Long: `Fail any mix of components and services and print what goes down or
degraded, with the chain of causes back to what failed.

--fail takes ids and selectors, comma-separated or repeated:
  pangyo            one component or service
  kind=rack         every component of a kind
  within=pangyo-a   a component and everything it contains
  site=pangyo       as within=pangyo, checking that pangyo is a site; any
                    component kind works the same way (building=pangyo-a),
                    and the id must be of that kind`,
		Example: `  blast simulate -f examples/kakao-2022.yaml --fail pangyo
  blast simulate -f inventory/ --fail pangyo-ups-1,pangyo-ups-2 --format json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkFail(opts.Fail, true); err != nil {
				return err
			}
			if err := checkFormat(opts.Format, "text", "json"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return simulateRun(opts)
		},
	}
	addFileFlag(c, &opts.Files)
	addFailFlag(c, &opts.Fail)
	c.Flags().StringVar(&opts.Format, "format", "text", "output format: text or json")
	return c
}

func simulateRun(opts *SimulateOptions) error {
	m, err := loadModel(opts.IO, opts.Files)
	if err != nil {
		return err
	}
	failed, err := m.SelectAll(opts.Fail)
	if err != nil {
		return &ExitError{ExitInput, err}
	}
	sim := out.NewSimulation(inventoryName(m.Inv), m.Simulate(failed))
	return writeSimulation(opts.IO, sim, opts.Format)
}

func writeSimulation(io *IO, sim *out.Simulation, format string) error {
	if format == "json" {
		return out.WriteJSON(io.Out, sim)
	}
	return out.WriteText(io.Out, sim, out.TextOptions{Color: io.Color()})
}
