package cmd

import (
	"github.com/blast-dev/blast/examples"
	"github.com/blast-dev/blast/inventory"
	"github.com/blast-dev/blast/out"
	"github.com/spf13/cobra"
)

// DemoOptions are the inputs of blast demo.
type DemoOptions struct {
	IO     *IO
	Fail   []string
	Format string
}

// NewCmdDemo builds "blast demo". runF replaces demoRun in tests of flag
// parsing; nil runs it.
func NewCmdDemo(io *IO, runF func(*DemoOptions) error) *cobra.Command {
	opts := &DemoOptions{IO: io}
	c := &cobra.Command{
		Use:   "demo",
		Short: "Simulate the 2022 Pangyo fire on the embedded Kakao and Naver inventories",
		Long: `On 15 October 2022 a battery fire in the SK C&C Pangyo data center made the
operator cut the power of the whole building. Kakao lost nearly everything
for days; Naver, with servers in the same building, barely noticed.

demo simulates the loss of the Pangyo site on both embedded inventories
(examples/kakao-2022.yaml and examples/naver-2022.yaml) and prints them side
by side, with the root causes that made Kakao's outage total. No files are
needed. --format json prints both results in the simulate JSON shape, as a
JSON array.`,
		Example: `  blast demo
  blast demo --fail pangyo-b3-ups-room    # only the UPS room burns
  blast demo --format json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkFail(opts.Fail, false); err != nil {
				return err
			}
			if err := checkFormat(opts.Format, "text", "json"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return demoRun(opts)
		},
	}
	c.Flags().StringArrayVar(&opts.Fail, "fail", []string{"pangyo"}, "ids and selectors to fail in both inventories")
	c.Flags().StringVar(&opts.Format, "format", "text", "output format: text or json")
	return c
}

func demoRun(opts *DemoOptions) error {
	var sims []*out.Simulation
	for _, name := range examples.Names() {
		f, err := examples.File(name)
		if err != nil {
			return err
		}
		inv, _, err := inventory.LoadFiles([]inventory.File{f})
		if err != nil {
			return &ExitError{ExitInput, err}
		}
		m, err := buildModel(inv)
		if err != nil {
			return err
		}
		failed, err := m.SelectAll(opts.Fail)
		if err != nil {
			return &ExitError{ExitInput, err}
		}
		sims = append(sims, out.NewSimulation(inventoryName(inv), m.Simulate(failed)))
	}
	if opts.Format == "json" {
		return out.WriteJSON(opts.IO.Out, sims)
	}
	return out.WriteDemo(opts.IO.Out, sims[0], sims[1], out.TextOptions{Color: opts.IO.Color()})
}
