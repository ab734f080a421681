package cmd

import (
	"github.com/blast-dev/blast/inventory"
	"github.com/blast-dev/blast/out"
	"github.com/spf13/cobra"
)

// ImportOpenPSAOptions are the inputs of blast import openpsa.
type ImportOpenPSAOptions struct {
	IO    *IO
	Files []string
}

// NewCmdImportOpenPSA builds "blast import openpsa". runF replaces
// importOpenPSARun in tests of flag parsing; nil runs it.
func NewCmdImportOpenPSA(io *IO, runF func(*ImportOpenPSAOptions) error) *cobra.Command {
	opts := &ImportOpenPSAOptions{IO: io}
	c := &cobra.Command{
		Use:   "openpsa FILE.xml [FILE.xml...]",
		Short: "Read Open-PSA MEF fault trees into a blast inventory",
		Long: `Read coherent Open-PSA MEF 2.0 fault trees (define-fault-tree, define-gate
with and, or and atleast, define-basic-event, in define-fault-tree or
model-data; gates may be spread over several files) and write a blast/v1
inventory: basic events become components of kind basic-event, gates
services, and top gates (named by no other gate) features.

Probabilities are point values: float, int, bool, define-parameter,
exponential (1 - exp(-λt)), system-mission-time (8760 hours) and mul, div,
add, sub, neg. House events are constants and are simplified away: a true
one makes an or gate true and drops out of an and, a false one the
reverse. Elements of a private define-component are named by their path
(c.g). Non-coherent gates (not, xor, nand, nor, iff, imply), uncertainty
distributions, time-dependent models (GLM, periodic-test), CCF groups,
substitutions and event trees are refused with the element and position.`,
		Example: `  blast import openpsa gates.xml events.xml > inventory.yaml`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Files = args
			if runF != nil {
				return runF(opts)
			}
			return importOpenPSARun(opts)
		},
	}
	return c
}

func importOpenPSARun(opts *ImportOpenPSAOptions) error {
	fs, err := inventory.ReadPaths(opts.Files, opts.IO.In)
	if err != nil {
		return &ExitError{ExitInput, err}
	}
	inv, err := loadOpenPSA(opts.IO, fs)
	if err != nil {
		return err
	}
	return out.WriteInventoryYAML(opts.IO.Out, inv)
}
