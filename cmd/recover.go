package cmd

import (
	"time"

	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/out"
	"github.com/spf13/cobra"
)

// RecoverOptions are the inputs of blast recover.
type RecoverOptions struct {
	IO             *IO
	Files          []string
	Fail           []string
	Format         string
	DefaultRestart time.Duration
	Top            int
}

// NewCmdRecover builds "blast recover". runF replaces recoverRun in tests
// of flag parsing; nil runs it.
func NewCmdRecover(io *IO, runF func(*RecoverOptions) error) *cobra.Command {
	opts := &RecoverOptions{IO: io}
	c := &cobra.Command{
		Use:   "recover -f INVENTORY --fail ID[,ID...]",
		Short: "Plan the recovery after a failure: restart waves, cold-start deadlocks, time to recover",
		Long: `Plan the way back after a failure set, from the moment the failed
components are restored (repowered): time 0.

Services that lost their quorum of replicas, or were failed by name, must be
started. Wave 0 starts those whose hard dependencies are all up (a service
that runs on its standby replicas needs its failover.via services too);
wave n those that need only what earlier waves restored. A service whose surviving
standby replicas can hold its quorum comes back by failover instead once its
failover.via control plane is back, when its rto makes that sooner.
Features, and services that kept their replicas, resume as soon as what they
need is back. Cycles among services that must cold-start are reported with
the edge to break.

Times: a service's restart (or failover.rto), else its tier's default in the
inventory's defaults.tiers, else --default-restart.`,
		Example: `  blast recover -f examples/kakao-2022.yaml --fail pangyo
  blast recover -f inventory/ --fail site=dc-1 --format json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkFail(opts.Fail, true); err != nil {
				return err
			}
			if err := checkFormat(opts.Format, "text", "json"); err != nil {
				return err
			}
			if opts.DefaultRestart <= 0 {
				return usagef("--default-restart %s: give a positive duration such as 15m", opts.DefaultRestart)
			}
			if opts.Top < 0 {
				return usagef("--top %d: give 0 (all) or more", opts.Top)
			}
			if runF != nil {
				return runF(opts)
			}
			return recoverRun(opts)
		},
	}
	addFileFlag(c, &opts.Files)
	addFailFlag(c, &opts.Fail)
	c.Flags().StringVar(&opts.Format, "format", "text", "output format: text or json")
	c.Flags().DurationVar(&opts.DefaultRestart, "default-restart", graph.DefaultRestart, "restart time (and rto) of services that give none and whose tier has no default")
	c.Flags().IntVar(&opts.Top, "top", 0, "features listed per wave and in the time table (0: all)")
	return c
}

func recoverRun(opts *RecoverOptions) error {
	m, err := loadModel(opts.IO, opts.Files)
	if err != nil {
		return err
	}
	failed, err := m.SelectAll(opts.Fail)
	if err != nil {
		return &ExitError{ExitInput, err}
	}
	rep := out.NewRecoveryReport(inventoryName(m.Inv), opts.DefaultRestart, m.Recover(failed, opts.DefaultRestart))
	if opts.Format == "json" {
		return out.WriteJSON(opts.IO.Out, rep)
	}
	return out.WriteRecoveryText(opts.IO.Out, rep, out.RecoveryTextOptions{TextOptions: out.TextOptions{Color: opts.IO.Color()}, Top: opts.Top})
}
