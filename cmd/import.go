package cmd

import "github.com/spf13/cobra"

// NewCmdImport builds "blast import", the parent of the importers.
func NewCmdImport(io *IO) *cobra.Command {
	c := &cobra.Command{
		Use:   "import FORMAT",
		Short: "Read another tool's data into a blast inventory",
		Args:  cobra.NoArgs,
	}
	c.AddCommand(NewCmdImportOpenPSA(io, nil))
	return c
}
