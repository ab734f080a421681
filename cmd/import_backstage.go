package cmd

import (
	"github.com/blast-dev/blast/inventory"
	"github.com/spf13/cobra"
)

// ImportBackstageOptions are the inputs of blast import backstage.
type ImportBackstageOptions struct {
	ImportOptions
}

// NewCmdImportBackstage builds "blast import backstage". runF replaces
// importBackstageRun in tests of flag parsing; nil runs it.
func NewCmdImportBackstage(io *IO, runF func(*ImportBackstageOptions) error) *cobra.Command {
	opts := &ImportBackstageOptions{ImportOptions: ImportOptions{IO: io}}
	c := &cobra.Command{
		Use:   "backstage CATALOG... [-o inventory.yaml]",
		Short: "Import services, dependencies and features from a Backstage catalog",
		Long: `Import services from Backstage catalog files (catalog-info.yaml, one or more
documents each): Components and Resources become services, spec.dependsOn
and spec.consumesApis (through the components providing the API; anyOf
when several do) their dependencies; system, owner, type and lifecycle are
kept as labels, and backstage.io/kubernetes-id too, so that a merge with a
Kubernetes layer joins the two on it.

Systems and Components annotated blast.dev/feature: "true" become features
(id feature/NAME), with blast.dev/users and blast.dev/tier. A System feature
needs every component of the system.`,
		Example: `  blast import backstage catalog/ --merge estate.yaml -o estate-with-features.yaml`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Inputs = args
			if len(args) == 0 {
				return usagef("name the catalog files or directories")
			}
			if err := checkImportOptions(&opts.ImportOptions); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return importBackstageRun(opts)
		},
	}
	addImportFlags(c, &opts.ImportOptions)
	return c
}

func importBackstageRun(opts *ImportBackstageOptions) error {
	files, err := readImportInputs(opts.IO, opts.Inputs)
	if err != nil {
		return err
	}
	imp, err := inventory.ImportBackstage(files)
	if err != nil {
		return diagError(opts.IO, err, "in the catalog")
	}
	return finishImport(&opts.ImportOptions, imp, opts.Inputs)
}
