package cmd

import (
	"fmt"
	"github.com/blast-dev/blast/internal/num"

	"github.com/blast-dev/blast/inventory"
	"github.com/blast-dev/blast/out"
	"github.com/spf13/cobra"
)

// ValidateOptions are the inputs of blast validate.
type ValidateOptions struct {
	IO     *IO
	Files  []string
	Format string
}

// NewCmdValidate builds "blast validate". runF replaces validateRun in
// tests of flag parsing; nil runs it.
func NewCmdValidate(io *IO, runF func(*ValidateOptions) error) *cobra.Command {
	opts := &ValidateOptions{IO: io}
	c := &cobra.Command{
		Use:   "validate -f INVENTORY",
		Short: "Check an inventory and report every problem at once",
		Long: `Check an inventory: its syntax, fields and types, unique ids, references
(with "did you mean"), parent chains, power feeds, quorums. Every problem is
reported at once as file:line:col: path: message; hint. Exit 2 on any error;
warnings (likely mistakes) leave the exit code 0.`,
		Example: `  blast validate -f examples/kakao-2022.yaml
  blast validate -f inventory/ --format json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkFormat(opts.Format, "text", "json"); err != nil {
				return err
			}
			if len(opts.Files) == 0 {
				return usagef("no inventory given: name it with -f FILE or -f DIR")
			}
			if runF != nil {
				return runF(opts)
			}
			return validateRun(opts)
		},
	}
	addFileFlag(c, &opts.Files)
	c.Flags().StringVar(&opts.Format, "format", "text", "output format: text or json")
	return c
}

// validationJSON is the JSON document of blast validate --format json.
type validationJSON struct {
	Valid       bool             `json:"valid"`
	Inventory   string           `json:"inventory,omitempty"`
	Errors      int              `json:"errors"`
	Warnings    int              `json:"warnings"`
	Counts      *countsJSON      `json:"counts,omitempty"`
	Diagnostics []diagnosticJSON `json:"diagnostics"`
}

type countsJSON struct {
	Components int `json:"components"`
	Services   int `json:"services"`
	Features   int `json:"features"`
}

type diagnosticJSON struct {
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Path     string `json:"path,omitempty"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Hint     string `json:"hint,omitempty"`
}

func validateRun(opts *ValidateOptions) error {
	if opts.Format == "json" {
		files, err := inventory.ReadPaths(opts.Files, opts.IO.In)
		if err != nil {
			return &ExitError{ExitInput, err}
		}
		inv, diags, err := inventory.LoadFiles(files)
		doc := validationJSON{Valid: err == nil, Errors: len(diags.Errors()), Warnings: len(diags.Warnings()), Diagnostics: []diagnosticJSON{}}
		for _, d := range diags {
			sev := "error"
			if d.Severity == inventory.Warning {
				sev = "warning"
			}
			doc.Diagnostics = append(doc.Diagnostics, diagnosticJSON{File: d.Pos.File, Line: d.Pos.Line, Column: d.Pos.Col,
				Path: d.Path, Severity: sev, Message: d.Msg, Hint: d.Hint})
		}
		if inv != nil {
			doc.Inventory = inventoryName(inv)
			doc.Counts = &countsJSON{len(inv.Components), len(inv.Services), len(inv.Features)}
		}
		if werr := out.WriteJSON(opts.IO.Out, doc); werr != nil {
			return werr
		}
		if err != nil {
			return &ExitError{ExitInput, fmt.Errorf("%d %s in the inventory", doc.Errors, num.Plural(doc.Errors, "error", "errors"))}
		}
		return nil
	}
	inv, diags, err := loadInventory(opts.IO, opts.Files)
	if err != nil {
		return err
	}
	if _, err := buildModel(inv); err != nil {
		return err
	}
	w := len(diags.Warnings())
	fmt.Fprintf(opts.IO.Out, "%s: valid: %d components, %d services, %d features; %d %s\n",
		inventoryName(inv), len(inv.Components), len(inv.Services), len(inv.Features), w, num.Plural(w, "warning", "warnings"))
	return nil
}
