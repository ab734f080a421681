// Command bench generates the estates of blast gen, times the real blast
// binary end to end on each (wall time and peak memory, medians of
// repeated runs) and prints a Markdown table. Run it from the repository:
//
//	go run ./scripts/bench                  # medium and large, 3 runs each
//	go run ./scripts/bench -sizes xl -runs 1
//
// Each command runs as its own process, the way CI runs it, so the figures
// include reading and checking the input.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

type measure struct {
	wall time.Duration
	rss  int64 // peak resident set, KiB
	code int
}

func run(bin string, args ...string) (measure, error) {
	cmd := exec.Command(bin, args...)
	cmd.Stdout = io.Discard
	cmd.Stderr = io.Discard
	start := time.Now()
	err := cmd.Run()
	m := measure{wall: time.Since(start)}
	if cmd.ProcessState == nil {
		return m, err
	}
	m.code = cmd.ProcessState.ExitCode()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.rss = ru.Maxrss
	}
	return m, nil
}

func median(ms []measure) measure {
	slices.SortFunc(ms, func(a, b measure) int { return int(a.wall - b.wall) })
	out := ms[len(ms)/2]
	for _, m := range ms {
		out.rss = max(out.rss, m.rss)
	}
	return out
}

func main() {
	sizes := flag.String("sizes", "medium,large", "comma-separated sizes of blast gen")
	runs := flag.Int("runs", 3, "runs per command; the median wall time is shown, the highest memory")
	keep := flag.String("dir", "", "directory for the generated estates (default: a temporary one, removed)")
	flag.Parse()

	dir := *keep
	if dir == "" {
		d, err := os.MkdirTemp("", "blast-bench-")
		if err != nil {
			fail(err)
		}
		defer os.RemoveAll(d)
		dir = d
	}
	bin := filepath.Join(dir, "blast")
	build := exec.Command("go", "build", "-o", bin, "./cmd/blast")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fail(fmt.Errorf("building blast: %w", err))
	}
	cpu := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
				break
			}
		}
	}
	fmt.Printf("blast end to end: %s, %d cores, %s; median of %d runs, peak RSS the highest\n\n", cpu, runtime.NumCPU(), runtime.Version(), *runs)
	fmt.Println("| size | command | wall | peak memory | exit |")
	fmt.Println("| --- | --- | ---: | ---: | ---: |")
	for _, size := range strings.Split(*sizes, ",") {
		yaml := filepath.Join(dir, size+".yaml")
		json := filepath.Join(dir, size+".json")
		for _, f := range []string{yaml, json} {
			if m, err := run(bin, "gen", "--size", size, "-o", f); err != nil || m.code != 0 {
				fail(fmt.Errorf("blast gen --size %s -o %s failed: %v", size, f, err))
			}
		}
		cases := []struct {
			label string
			args  []string
		}{
			{"validate (YAML)", []string{"validate", "-f", yaml}},
			{"validate (JSON)", []string{"validate", "-f", json}},
			{"simulate --fail site-000", []string{"simulate", "-f", json, "--fail", "site-000", "--format", "json"}},
			{"audit (every site, building, power, rack)", []string{"audit", "-f", json, "--format", "json"}},
			{"check (default policy)", []string{"check", "-f", json, "--format", "json"}},
		}
		for _, c := range cases {
			var ms []measure
			for i := 0; i < *runs; i++ {
				m, err := run(bin, c.args...)
				if err != nil {
					fail(err)
				}
				ms = append(ms, m)
			}
			m := median(ms)
			fmt.Printf("| %s | %s | %.2f s | %d MiB | %d |\n", size, c.label, m.wall.Seconds(), m.rss/1024, m.code)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}
