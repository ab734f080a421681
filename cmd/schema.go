package cmd

import (
	"github.com/blast-dev/blast/inventory"
	"github.com/blast-dev/blast/out"
	"github.com/spf13/cobra"
)

// SchemaOptions are the inputs of blast schema.
type SchemaOptions struct {
	IO   *IO
	What string
}

// NewCmdSchema builds "blast schema".
func NewCmdSchema(io *IO, runF func(*SchemaOptions) error) *cobra.Command {
	opts := &SchemaOptions{IO: io}
	c := &cobra.Command{
		Use:   "schema [inventory|policy|simulate]",
		Short: "Print the JSON Schema of an inventory, a policy, or the simulate JSON output",
		Long: `Print a JSON Schema (draft 2020-12), generated from blast's own types.
Point an editor at the inventory schema to check inventories as you type
(for YAML, the yaml-language-server comment
  # yaml-language-server: $schema=path/to/inventory.schema.json
does it). The schema checks shape only: run blast validate for references,
counts and loops.`,
		Example:   "  blast schema > inventory.schema.json\n  blast schema simulate",
		Args:      cobra.MaximumNArgs(1),
		ValidArgs: []string{"inventory", "policy", "simulate"},
		RunE: func(c *cobra.Command, args []string) error {
			opts.What = "inventory"
			if len(args) == 1 {
				opts.What = args[0]
			}
			if opts.What != "inventory" && opts.What != "policy" && opts.What != "simulate" {
				return usagef("schema %q: use inventory, policy or simulate", opts.What)
			}
			if runF != nil {
				return runF(opts)
			}
			return schemaRun(opts)
		},
	}
	return c
}

func schemaRun(opts *SchemaOptions) error {
	data := inventory.Schema()
	switch opts.What {
	case "policy":
		data = inventory.PolicySchema()
	case "simulate":
		data = out.SimulationSchema()
	}
	_, err := opts.IO.Out.Write(data)
	return err
}
