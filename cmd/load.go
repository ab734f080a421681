package cmd

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/internal/num"
	"github.com/blast-dev/blast/inventory"
	"github.com/spf13/cobra"
)

// addFileFlag wires the repeatable -f flag that names inventory inputs.
func addFileFlag(c *cobra.Command, files *[]string) {
	c.Flags().StringArrayVarP(files, "file", "f", nil,
		"inventory file or directory (every *.yaml, *.yml, *.json under it); repeat to merge; - for stdin")
}

// addFailFlag wires the repeatable --fail flag that names a failure set:
// ids and selectors (kind=K, within=ID, K=ID), comma-separated or
// repeated; graph.Model.SelectAll reads it.
func addFailFlag(c *cobra.Command, fail *[]string) {
	c.Flags().StringArrayVar(fail, "fail", nil, "ids and selectors to fail (comma-separated or repeated)")
}

// checkFail refuses a --fail that was given but names nothing, such as
// --fail "" or --fail ",": evaluating an empty failure set would answer a
// question nobody asked. With required, leaving --fail out is refused too.
func checkFail(fail []string, required bool) error {
	if len(fail) == 0 {
		if required {
			return usagef("nothing to fail: give --fail ID[,ID...]")
		}
		return nil
	}
	if len(graph.Terms(fail)) > 0 {
		return nil
	}
	return usagef("--fail %q names nothing to fail: give --fail ID[,ID...]", strings.Join(fail, ","))
}

func checkFormat(format string, allowed ...string) error {
	for _, a := range allowed {
		if format == a {
			return nil
		}
	}
	return usagef("--format %q: use %s", format, strings.Join(allowed, " or "))
}

// loadInventory reads and validates the inventory, printing every
// diagnostic (warnings too) to ErrOut. A bad inventory is an ExitInput
// error that counts the problems.
func loadInventory(io *IO, files []string) (*inventory.Inventory, inventory.Diagnostics, error) {
	if len(files) == 0 {
		return nil, nil, usagef("no inventory given: name it with -f FILE or -f DIR")
	}
	stop := loadingNote(io, files)
	inv, diags, err := inventory.Load(files, io.In)
	stop()
	for _, d := range diags {
		fmt.Fprintln(io.ErrOut, d.String())
	}
	if err != nil {
		if ds, ok := err.(inventory.Diagnostics); ok {
			return nil, diags, errorsIn(len(ds.Errors()), "the inventory")
		}
		return nil, diags, &ExitError{ExitInput, err}
	}
	return inv, diags, nil
}

// errorsIn is the bad-input error (exit 2) that closes a list of n errors
// printed about what ("the policy").
func errorsIn(n int, what string) error {
	return &ExitError{ExitInput, fmt.Errorf("%d %s in %s; fix them and run again", n, num.Plural(n, "error", "errors"), what)}
}

// printDiagnostics writes diags to ErrOut, one a line, and returns
// errorsIn for its errors, or nil when none is an error.
func printDiagnostics(io *IO, diags inventory.Diagnostics, what string) error {
	for _, d := range diags {
		fmt.Fprintln(io.ErrOut, d.String())
	}
	if n := len(diags.Errors()); n > 0 {
		return errorsIn(n, what)
	}
	return nil
}

// loadModel loads the inventory and compiles it.
func loadModel(io *IO, files []string) (*graph.Model, error) {
	inv, _, err := loadInventory(io, files)
	if err != nil {
		return nil, err
	}
	if err := io.Context().Err(); err != nil {
		return nil, err // stopped while reading: do not start the analysis
	}
	return buildModel(inv)
}

func buildModel(inv *inventory.Inventory) (*graph.Model, error) {
	m, err := graph.Build(inv)
	if err != nil {
		return nil, &ExitError{ExitInput, err}
	}
	return m, nil
}

// loadModelProgress is loadModel with a progress bar on a terminal.
func loadModelProgress(io *IO, files []string) (*graph.Model, error) {
	m, err := loadModel(io, files)
	if err == nil {
		m.Progress = newProgress(io)
	}
	return m, err
}

// inventoryName is the metadata name, else the first file's base name.
func inventoryName(inv *inventory.Inventory) string {
	if inv.Metadata.Name != "" {
		return inv.Metadata.Name
	}
	if len(inv.Files) > 0 {
		return strings.TrimSuffix(filepath.Base(inv.Files[0]), filepath.Ext(inv.Files[0]))
	}
	return "inventory"
}

// loadingNote shows, on a terminal's standard error, a line with the
// seconds spent loading once loading has taken a second; the returned
// function stops it and clears the line.
func loadingNote(io *IO, files []string) (stop func()) {
	if !io.ErrTerminal {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		start := time.Now()
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		drawn := false
		for {
			select {
			case <-done:
				if drawn {
					fmt.Fprint(io.ErrOut, "\r\x1b[K")
				}
				return
			case <-tick.C:
				fmt.Fprintf(io.ErrOut, "\r\x1b[Kloading %s… %ds", strings.Join(files, ", "), int(time.Since(start).Seconds()))
				drawn = true
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}
