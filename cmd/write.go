package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/blast-dev/blast/inventory"
)

// writeFile is the one way blast writes a file it was asked to (-o,
// --report): write fills a temporary file in path's directory, which is
// renamed over path only once complete, so that an error, a crash, Ctrl-C
// or --timeout never leaves a partial file (readers see the old file or
// the new one). It refuses to write over any of inputs (the same file, or
// a file under an input directory), and stops, removing the temporary
// file, when ctx is done while writing. "-" and "" are not paths: callers
// write those to standard output.
func writeFile(ctx context.Context, path string, inputs []string, write func(w io.Writer) error) error {
	for _, in := range inputs {
		if same(in, path) {
			return &ExitError{ExitInput, fmt.Errorf("-o %s is also an input file: write the output somewhere else", path)}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return &ExitError{ExitInput, fmt.Errorf("cannot write %s: %w", path, unwrapPath(err))}
	}
	pending.Store(tmp.Name(), true)
	defer pending.Delete(tmp.Name())
	defer os.Remove(tmp.Name()) // after a successful rename, nothing to remove
	if err := write(&ctxWriter{ctx, tmp}); err != nil {
		tmp.Close()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	fail := func(err error) error {
		return &ExitError{ExitInput, fmt.Errorf("cannot write %s: %w", path, unwrapPath(err))}
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fail(err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fail(err)
	}
	return nil
}

// pending holds the temporary files of writes under way, for the watchdog
// to remove when it ends a stopped run.
var pending sync.Map

func removePending() {
	pending.Range(func(k, _ any) bool {
		os.Remove(k.(string))
		return true
	})
}

// writeData is writeFile for output already in memory.
func writeData(ctx context.Context, path string, inputs []string, data []byte) error {
	return writeFile(ctx, path, inputs, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// ctxWriter fails writes once ctx is done, so that a long write stops
// promptly on Ctrl-C or --timeout.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c *ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.w.Write(p)
	if writeHook != nil {
		writeHook()
	}
	return n, err
}

// writeHook, when set (by tests), runs after every write to a temporary
// file: a test stops the run there, mid-write.
var writeHook func()

// same reports whether writing b would overwrite input a: the same file,
// or an inventory file (*.yaml, *.yml, *.json, which the next run would
// read) under input directory a.
func same(a, b string) bool {
	if a == "" || b == "" || a == "-" || b == "-" {
		return false
	}
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	if errA == nil && errB == nil && absA == absB {
		return true
	}
	sa, errA := os.Stat(a)
	if errA != nil {
		return false
	}
	if sa.IsDir() {
		if !inventory.IsInventoryName(filepath.Base(b)) {
			return false
		}
		rel, err := filepath.Rel(absA, absB)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	sb, errB := os.Stat(b)
	return errB == nil && os.SameFile(sa, sb)
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
