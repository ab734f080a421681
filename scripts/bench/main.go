// Command bench generates the estates of blast gen, times the real blast
// binary end to end on each (wall time and peak memory, medians of
// repeated runs) and prints a Markdown table. Run it from the repository:
//
//	go run ./scripts/bench                  # medium and large, 3 runs each
//	go run ./scripts/bench -sizes xl -runs 1
//
// Each command runs as its own process, the way CI runs it, so the figures
// include reading and checking the input. A second table gives the analysis
// alone, from the graph package's benchmarks, and the audit's speed-up over
// the naive loop of one evaluation per domain.
package main

import (
	"cmp"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/blast-dev/blast/scripts/internal/proc"
)

type measure = proc.Measure

func run(bin string, args ...string) (measure, error) {
	cmd := exec.Command(bin, args...)
	cmd.Stdout = io.Discard
	cmd.Stderr = io.Discard
	return proc.Run(cmd)
}

func median(ms []measure) measure {
	slices.SortFunc(ms, func(a, b measure) int { return cmp.Compare(a.Wall, b.Wall) })
	out := ms[len(ms)/2]
	for _, m := range ms {
		out.RSS = max(out.RSS, m.RSS)
	}
	return out
}

func main() {
	sizes := flag.String("sizes", "medium,large", "comma-separated sizes of blast gen")
	runs := flag.Int("runs", 3, "runs per command; the median wall time is shown, the highest memory")
	keep := flag.String("dir", "", "directory for the generated estates (default: a temporary one, removed)")
	pipe := flag.Bool("pipe", true, "also time blast gen | blast audit -f - (the audit reading its input from a pipe)")
	analysis := flag.Bool("analysis", true, "also print the analysis alone, from the graph package's benchmarks, with the naive-loop ratio")
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
	bin, err := proc.Build(dir)
	if err != nil {
		fail(err)
	}
	fmt.Printf("blast end to end: %s, %d cores, %s; median of %d runs, peak RSS the highest\n\n", proc.CPU(), runtime.NumCPU(), runtime.Version(), *runs)
	fmt.Println("| size | command | wall | peak memory | exit |")
	fmt.Println("| --- | --- | ---: | ---: | ---: |")
	for _, size := range strings.Split(*sizes, ",") {
		yaml := filepath.Join(dir, size+".yaml")
		json := filepath.Join(dir, size+".json")
		for _, f := range []string{yaml, json} {
			if m, err := run(bin, "gen", "--size", size, "-o", f); err != nil || m.Code != 0 {
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
			fmt.Printf("| %s | %s | %.2f s | %d MiB | %d |\n", size, c.label, m.Wall.Seconds(), m.RSS/1024, m.Code)
		}
		if *pipe {
			m, err := runPipe(bin, []string{"gen", "--size", size}, []string{"audit", "-f", "-", "--format", "json"})
			if err != nil {
				fail(err)
			}
			fmt.Printf("| %s | gen --size %s \\| audit -f - (the audit's process) | %.2f s | %d MiB | %d |\n", size, size, m.Wall.Seconds(), m.RSS/1024, m.Code)
		}
	}
	if *analysis {
		analysisTable(strings.Split(*sizes, ","))
	}
}

// runPipe runs "bin first... | bin second..." and measures the second
// process: its wall time and peak memory.
func runPipe(bin string, first, second []string) (measure, error) {
	gen := exec.Command(bin, first...)
	cmd := exec.Command(bin, second...)
	r, err := gen.StdoutPipe()
	if err != nil {
		return measure{}, err
	}
	cmd.Stdin = r
	cmd.Stdout = io.Discard
	cmd.Stderr = io.Discard
	if err := gen.Start(); err != nil {
		return measure{}, err
	}
	m, err := proc.Run(cmd)
	if werr := gen.Wait(); werr != nil && err == nil {
		err = fmt.Errorf("%s: %w", strings.Join(first, " "), werr)
	}
	return m, err
}

// analysisTable runs the graph package's benchmarks (the analysis alone,
// loading excluded) and prints them with the audit's speed-up over the
// naive loop of one evaluation per domain.
func analysisTable(sizes []string) {
	var pattern []string
	xl := false
	for _, s := range sizes {
		pattern = append(pattern, s)
		xl = xl || s == "xl"
	}
	benchtime, count := "5x", "3"
	if xl {
		benchtime, count = "1x", "1"
	}
	sizesRE := "/(" + strings.Join(pattern, "|") + ")$"
	outp := goBench("^Benchmark(Build|Simulate|Audit|Check)$"+sizesRE, benchtime, count)
	// The naive loop evaluates every domain (large: ~8 s), once per run.
	outp += goBench("^BenchmarkAuditNaive$"+sizesRE, "1x", count)
	// BenchmarkAudit/large-2   5   317790761 ns/op   [value unit]...
	type row struct{ ns, naive float64 }
	runs := map[string]map[string][]row{}
	for _, line := range strings.Split(outp, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name, size, _ := strings.Cut(strings.TrimPrefix(f[0], "Benchmark"), "/")
		if i := strings.LastIndex(size, "-"); i > 0 {
			size = size[:i]
		}
		var r row
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				r.ns = v
			case "s-full-loop":
				r.naive = v
			}
		}
		if runs[size] == nil {
			runs[size] = map[string][]row{}
		}
		runs[size][name] = append(runs[size][name], r)
	}
	// the median of the repeated runs
	got := map[string]map[string]row{}
	for size, byName := range runs {
		got[size] = map[string]row{}
		for name, rs := range byName {
			slices.SortFunc(rs, func(a, b row) int { return cmp.Compare(a.ns, b.ns) })
			got[size][name] = rs[len(rs)/2]
		}
	}
	fmt.Printf("\nanalysis alone (go test ./graph -bench, -benchtime %s, median of %s; loading excluded; GOGC=400 as blast runs;\n"+
		"the naive loop evaluates every domain once per run, an even sample of 25,000 on xl)\n\n", benchtime, count)
	fmt.Println("| size | build graph | simulate (a site, every why-chain) | audit (paper redundancy included) | naive loop (every domain) | audit speed-up | check (example policy) |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, size := range sizes {
		r := got[size]
		ratio := "n/a"
		if a := r["Audit"].ns; a > 0 && r["AuditNaive"].naive > 0 {
			ratio = fmt.Sprintf("%.0f×", r["AuditNaive"].naive*1e9/a)
		}
		fmt.Printf("| %s | %s | %s | %s | %s | %s | %s |\n", size, dur(r["Build"].ns), dur(r["Simulate"].ns),
			dur(r["Audit"].ns), dur(r["AuditNaive"].naive*1e9), ratio, dur(r["Check"].ns))
	}
}

// goBench runs the graph package's benchmarks matching re and returns
// their output.
func goBench(re, benchtime, count string) string {
	cmd := exec.Command("go", "test", "./graph", "-run", "^$", "-benchtime", benchtime, "-count", count, "-timeout", "60m", "-bench", re)
	// The collector tuned as blast tunes it (cmd.tuneGC), so that the
	// analysis is timed as the command runs it.
	cmd.Env = append(os.Environ(), "BLAST_BENCH_XL=1", "GOGC=400", "GOMEMLIMIT=3GiB")
	cmd.Stderr = os.Stderr
	outp, err := cmd.Output()
	if err != nil {
		fail(fmt.Errorf("go test -bench: %w\n%s", err, outp))
	}
	return string(outp)
}

// dur formats nanoseconds for the table.
func dur(ns float64) string {
	switch {
	case ns <= 0:
		return "n/a"
	case ns < 1e6:
		return fmt.Sprintf("%.0f µs", ns/1e3)
	case ns < 1e9:
		return fmt.Sprintf("%.0f ms", ns/1e6)
	}
	return fmt.Sprintf("%.2f s", ns/1e9)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}
