package cmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/blast-dev/blast/internal/num"
	"github.com/blast-dev/blast/inventory"
	"github.com/spf13/cobra"
)

// importSubcommands builds the subcommands of blast import, one a source.
// A new source is one line here.
var importSubcommands = []func(*IO) *cobra.Command{
	func(io *IO) *cobra.Command { return NewCmdImportNetBox(io, nil) },
	func(io *IO) *cobra.Command { return NewCmdImportKubernetes(io, nil) },
	func(io *IO) *cobra.Command { return NewCmdImportBackstage(io, nil) },
	func(io *IO) *cobra.Command { return NewCmdImportTraces(io, nil) },
	func(io *IO) *cobra.Command { return NewCmdImportOpenPSA(io, nil) },
}

// NewCmdImport builds "blast import", the parent of one subcommand per
// source.
func NewCmdImport(io *IO) *cobra.Command {
	c := &cobra.Command{
		Use:   "import SOURCE",
		Short: "Build an inventory from NetBox, Kubernetes, Backstage, traces or Open-PSA fault trees",
		Long: `Build a blast/v1 inventory from what is already kept elsewhere: the physical
estate in NetBox, placement in Kubernetes, ownership and dependencies in a
Backstage catalog, observed calls in traces.

Each import writes a normal inventory (sorted, the same bytes for the same
input) in which every entity records its source, and reports on standard
error what it found already failed, what it inferred and what it could not
map, with counts and examples.

Layers join with --merge BASE: the import is added to the base inventory;
entities with the same id, or paired by a --mapping file, are joined, and
conflicting facts are reported (exit 2), not guessed.`,
		Example: `  blast import netbox netbox-export/ -o physical.yaml
  blast import kubernetes manifests/ --nodes nodes.yaml --merge physical.yaml --mapping mapping.yaml -o estate.yaml
  blast import backstage catalog/ --merge estate.yaml --mapping mapping.yaml -o estate-full.yaml
  blast import traces deps.json --soft-below 1000 --merge estate-full.yaml -o estate-observed.yaml`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			return usagef("name a source: %s", strings.Join(subcommandNames(c), ", "))
		},
	}
	for _, sub := range importSubcommands {
		c.AddCommand(sub(io))
	}
	return c
}

func subcommandNames(c *cobra.Command) []string {
	var names []string
	for _, s := range c.Commands() {
		names = append(names, s.Name())
	}
	return names
}

// ImportOptions are the inputs every blast import subcommand shares.
type ImportOptions struct {
	IO      *IO
	Inputs  []string
	Output  string // "-" or "": standard output
	Format  string // yaml or json; "" from Output's extension
	Merge   []string
	Mapping string
	Report  string // JSON report file, "" for none
	Name    string
	DryRun  bool // read, merge, check and report; write nothing
}

// addImportFlags wires the flags every import shares.
func addImportFlags(c *cobra.Command, o *ImportOptions) {
	c.Flags().StringVarP(&o.Output, "output", "o", "-", "inventory file to write (written whole or not at all); - for standard output")
	c.Flags().StringVar(&o.Format, "format", "", "output format: yaml or json (default: from the -o extension, else yaml)")
	c.Flags().StringArrayVar(&o.Merge, "merge", nil, "base inventory file or directory to join the import with; repeat to merge")
	c.Flags().StringVar(&o.Mapping, "mapping", "", "mapping file pairing ids of the import with ids of the base (see the README)")
	c.Flags().StringVar(&o.Report, "report", "", "also write the import report as JSON to this file")
	c.Flags().StringVar(&o.Name, "name", "", "metadata name of the inventory written")
	c.Flags().BoolVarP(&o.DryRun, "dry-run", "n", false, "read, merge and check, print the report; write no inventory and no --report file")
}

// checkImportOptions resolves the output format and refuses usage mistakes.
func checkImportOptions(o *ImportOptions) error {
	if o.Format == "" {
		o.Format = "yaml"
		if strings.EqualFold(filepath.Ext(o.Output), ".json") {
			o.Format = "json"
		}
	}
	if err := checkFormat(o.Format, "yaml", "json"); err != nil {
		return err
	}
	if o.Mapping != "" && len(o.Merge) == 0 {
		return usagef("--mapping pairs the import with a base: give the base with --merge")
	}
	return nil
}

// finishImport merges the import into the base (if any), checks the result
// loads, writes it and prints the report. inputs are the files read, which
// the output may not overwrite.
func finishImport(o *ImportOptions, imp *inventory.Import, inputs []string) error {
	inputs = append(append(slices0(inputs), o.Merge...), o.Mapping)
	for _, in := range inputs {
		if same(in, o.Output) {
			return usagef("-o %s is also an input: write the result to a new file and rename it", o.Output)
		}
	}
	if len(o.Merge) > 0 {
		base, _, err := loadInventory(o.IO, o.Merge)
		if err != nil {
			return err
		}
		var m *inventory.Mapping
		if o.Mapping != "" {
			files, err := inventory.ReadPaths([]string{o.Mapping}, o.IO.In)
			if err != nil {
				return &ExitError{ExitInput, err}
			}
			if m, err = inventory.ParseMapping(files[0]); err != nil {
				return diagError(o.IO, err, "in the mapping")
			}
		}
		if imp, err = inventory.Merge(base, imp, m); err != nil {
			return diagError(o.IO, err, "merging")
		}
	}
	if o.Name != "" {
		imp.Inv.Metadata.Name = o.Name
	}
	data, err := inventory.Encode(imp.Inv, o.Format)
	if err != nil {
		return err
	}
	if err := imp.Report.WriteText(o.IO.ErrOut); err != nil {
		return err
	}
	// What is written must load. A layer on its own whose services have
	// no placement yet is still written (the report says so); a merge
	// must give a whole inventory.
	if _, diags, err := inventory.LoadFiles([]inventory.File{{Name: o.Output, Data: data}}); err != nil && (len(o.Merge) > 0 || !onlyUnplaced(diags)) {
		for _, d := range inventory.CiteSources(imp.Inv, o.Output, data, diags.Errors()) {
			fmt.Fprintln(o.IO.ErrOut, d.String())
		}
		return &ExitError{ExitInput, errors.New("the imported inventory does not validate; nothing written")}
	}
	if o.DryRun {
		return nil
	}
	if o.Report != "" {
		rep, err := json.MarshalIndent(imp.Report, "", "  ")
		if err != nil {
			return err
		}
		if err := writeData(o.IO.Context(), o.Report, inputs, append(rep, '\n')); err != nil {
			return err
		}
	}
	if o.Output == "" || o.Output == "-" {
		_, err := o.IO.Out.Write(data)
		return err
	}
	return writeData(o.IO.Context(), o.Output, inputs, data)
}

func slices0(s []string) []string { return append([]string(nil), s...) }

// onlyUnplaced reports whether every error says a service has neither
// placement nor dependencies: what a layer without placements has.
func onlyUnplaced(diags inventory.Diagnostics) bool {
	for _, d := range diags.Errors() {
		if !strings.Contains(d.Msg, "has no placement and no dependencies") {
			return false
		}
	}
	return true
}

// diagError prints the diagnostics of err and returns an ExitInput error
// counting them.
func diagError(io *IO, err error, where string) error {
	var ds inventory.Diagnostics
	if errors.As(err, &ds) {
		for _, d := range ds {
			fmt.Fprintln(io.ErrOut, d.String())
		}
		n := len(ds.Errors())
		return &ExitError{ExitInput, fmt.Errorf("%d %s %s; nothing written", n, num.Plural(n, "problem", "problems"), where)}
	}
	return &ExitError{ExitInput, err}
}

// readImportInputs reads the inputs named on the command line.
func readImportInputs(io *IO, paths []string) ([]inventory.File, error) {
	if len(paths) == 0 {
		return nil, usagef("name the input files or directories")
	}
	files, err := inventory.ReadPaths(paths, io.In)
	if err != nil {
		return nil, &ExitError{ExitInput, err}
	}
	return files, nil
}
