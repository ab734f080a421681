package cmd

import "github.com/spf13/cobra"

// NewCmdExport builds "blast export", the parent of the exporters.
func NewCmdExport(io *IO) *cobra.Command {
	c := &cobra.Command{
		Use:   "export FORMAT",
		Short: "Write the model in another tool's format",
		Args:  cobra.NoArgs,
	}
	c.AddCommand(NewCmdExportOpenPSA(io, nil))
	return c
}
