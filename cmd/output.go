package cmd

import (
	"fmt"
	"os"
	"path/filepath"
)

// writeOutput writes data to path atomically: a temporary file in the same
// directory, renamed over path once complete, so a failed run never leaves
// a partial file. It refuses to overwrite any of the inputs.
func writeOutput(path string, data []byte, inputs []string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return &ExitError{ExitInput, err}
	}
	outInfo, statErr := os.Stat(abs)
	for _, in := range inputs {
		if in == "-" {
			continue
		}
		inAbs, err := filepath.Abs(in)
		if err != nil {
			continue
		}
		same := inAbs == abs
		if !same && statErr == nil {
			if inInfo, err := os.Stat(inAbs); err == nil && os.SameFile(inInfo, outInfo) {
				same = true
			}
		}
		if same {
			return &ExitError{ExitInput, fmt.Errorf("-o %s is an input file; write the output somewhere else", path)}
		}
	}
	dir := filepath.Dir(abs)
	f, err := os.CreateTemp(dir, "."+filepath.Base(abs)+".*.tmp")
	if err != nil {
		return &ExitError{ExitInput, fmt.Errorf("cannot write %s: %w", path, err)}
	}
	tmp := f.Name()
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return &ExitError{ExitInput, fmt.Errorf("cannot write %s: %w", path, err)}
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(tmp)
		return &ExitError{ExitInput, fmt.Errorf("cannot write %s: %w", path, err)}
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return &ExitError{ExitInput, fmt.Errorf("cannot write %s: %w", path, err)}
	}
	if err := os.Rename(tmp, abs); err != nil {
		os.Remove(tmp)
		return &ExitError{ExitInput, fmt.Errorf("cannot write %s: %w", path, err)}
	}
	return nil
}
