package cmd

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/blast-dev/blast/inventory"
)

// addLimitFlags adds the flags every command shares that bound what a run
// may cost: --timeout, --max-input-size, --max-entities, --max-nodes and
// --max-value-size.
// They take effect before the command runs.
func addLimitFlags(root *cobra.Command, io *IO) {
	var timeout time.Duration
	var maxInput, maxValue string
	var maxEntities, maxNodes int
	pf := root.PersistentFlags()
	pf.DurationVar(&timeout, "timeout", 0, "stop after this long (such as 30s or 5m); 0 for no limit")
	pf.StringVar(&maxInput, "max-input-size", "1GiB", "largest input file read (bytes, or with KiB, MiB, GiB)")
	pf.IntVar(&maxEntities, "max-entities", inventory.DefaultMaxEntities, "most components, services and features an inventory may hold")
	pf.IntVar(&maxNodes, "max-nodes", inventory.DefaultMaxNodes, "most nodes (keys, values, lists, mappings) one YAML or JSON document may hold")
	pf.StringVar(&maxValue, "max-value-size", "1MiB", "longest key, string or number in a YAML or JSON file, and YAML line (bytes, or with KiB, MiB, GiB)")
	root.PersistentPreRunE = func(c *cobra.Command, args []string) error {
		if timeout < 0 {
			return usagef("--timeout %s: give a positive duration, or 0 for no limit", timeout)
		}
		if timeout > 0 {
			ctx, cancel := context.WithTimeoutCause(io.Context(), timeout, &timeoutError{timeout})
			io.Ctx, io.stop = ctx, cancel
		}
		if io.finished != nil {
			go watchdog(io.Ctx, io, io.finished)
		}
		// Set on every run, defaults included, so that one run's flags do
		// not outlive it in a process that runs several.
		n, err := parseSize(maxInput)
		if err != nil {
			return usagef("--max-input-size %q: %v", maxInput, err)
		}
		v, err := parseSize(maxValue)
		if err != nil {
			return usagef("--max-value-size %q: %v", maxValue, err)
		}
		if maxEntities < 1 {
			return usagef("--max-entities %d: give 1 or more", maxEntities)
		}
		if maxNodes < 1 {
			return usagef("--max-nodes %d: give 1 or more", maxNodes)
		}
		inventory.MaxFileSize, inventory.MaxEntities, inventory.MaxNodes, inventory.MaxValueSize = n, maxEntities, maxNodes, v
		return nil
	}
}

// stopGrace is how long a stopped run (Ctrl-C, --timeout) has to return
// on its own before the watchdog ends the process.
const stopGrace = 2 * time.Second

// watchdog ends the process when ctx is done and the command has not
// returned within stopGrace: an analysis that does not check ctx still
// stops promptly. It removes the temporary files of writes under way
// first, so that nothing partial is left, and says why it stopped.
func watchdog(ctx context.Context, io *IO, finished <-chan struct{}) {
	select {
	case <-finished:
		return
	case <-ctx.Done():
	}
	select {
	case <-finished:
		return
	case <-time.After(stopGrace):
	}
	removePending()
	msg, _ := stopped(ctx, ctx.Err())
	fmt.Fprintf(io.ErrOut, "blast: %s\n", msg)
	io.exit(ExitInput)
}

// parseSize reads a size in bytes: a whole number, optionally followed by
// KiB, MiB or GiB (or K, M, G, KB, MB, GB, taken as the binary units).
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffixes []string
		mult     int64
	}{
		{[]string{"GiB", "GB", "G"}, 1 << 30},
		{[]string{"MiB", "MB", "M"}, 1 << 20},
		{[]string{"KiB", "KB", "K"}, 1 << 10},
		{[]string{"B"}, 1},
	} {
		found := false
		for _, suf := range u.suffixes {
			if strings.HasSuffix(strings.ToUpper(t), strings.ToUpper(suf)) {
				t, mult, found = strings.TrimSpace(t[:len(t)-len(suf)]), u.mult, true
				break
			}
		}
		if found {
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("want a positive number of bytes, such as 500MiB or 2GiB")
	}
	if n > (1<<62)/mult {
		return 0, fmt.Errorf("too large")
	}
	return n * mult, nil
}
