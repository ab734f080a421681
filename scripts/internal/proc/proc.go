// Package proc is what the measuring scripts share: building the blast
// binary, naming the CPU, and running a command while measuring its wall
// time, exit code and peak memory.
package proc

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Build builds ./cmd/blast into dir and returns the binary's path.
func Build(dir string) (string, error) {
	bin := filepath.Join(dir, "blast")
	build := exec.Command("go", "build", "-o", bin, "./cmd/blast")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("building blast: %w", err)
	}
	return bin, nil
}

// CPU names the machine's processor, from /proc/cpuinfo.
func CPU() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if name, ok := strings.CutPrefix(line, "model name"); ok {
			_, v, _ := strings.Cut(name, ":")
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// Measure is one run of a command.
type Measure struct {
	Wall time.Duration
	RSS  int64 // peak resident set, KiB
	Code int   // exit code
}

// Run runs cmd, its input and outputs set by the caller, and measures it.
// The error is only for a command that could not run; a non-zero exit is
// in Code.
func Run(cmd *exec.Cmd) (Measure, error) {
	start := time.Now()
	err := cmd.Run()
	m := Measure{Wall: time.Since(start)}
	if cmd.ProcessState == nil {
		return m, err
	}
	m.Code = cmd.ProcessState.ExitCode()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.RSS = ru.Maxrss
	}
	return m, nil
}
