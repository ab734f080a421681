// Command hostile writes inputs built to exhaust blast (flat and nested
// lists, huge mappings, many documents, long scalars, an alias bomb), runs
// the real blast binary on each with the default limits, `blast validate
// -f FILE`, and prints a Markdown table of what each cost: exit code, wall
// time, peak resident memory and the first line blast wrote to stderr. Run
// it from the repository:
//
//	go run ./scripts/hostile
//	go run ./scripts/hostile -only scalar
//
// SECURITY.md shows its output. Each input is written to a temporary
// directory just before its run and removed after it.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/blast-dev/blast/scripts/internal/proc"
)

const header = "apiVersion: blast/v1\nkind: Inventory\n"

// An input is one hostile file: its name (the extension picks the parser)
// and what writes it.
type input struct {
	label, name string
	write       func(w *bufio.Writer)
}

// repeat writes s n times.
func repeat(w *bufio.Writer, s string, n int) {
	for i := 0; i < n; i++ {
		w.WriteString(s)
	}
}

// flowMap writes a flow mapping of n keys a, 1,000 to a line (lines
// longer than --max-value-size are refused on their own).
func flowMap(w *bufio.Writer, n int) {
	w.WriteString("x: {a")
	for i := 1; i < n; i++ {
		if i%1000 == 0 {
			w.WriteString(",\n  a")
		} else {
			w.WriteString(",a")
		}
	}
	w.WriteString("}\n")
}

func inputs() []input {
	return []input{
		{"flat YAML list `[a,a,…]`, 5,000,000 items", "flat.yaml", func(w *bufio.Writer) {
			w.WriteString(header + "x: [")
			repeat(w, "a,", 5_000_000)
			w.WriteString("a]\n")
		}},
		{"the same, 50,000,000 items", "flat100.yaml", func(w *bufio.Writer) {
			w.WriteString(header + "x: [")
			repeat(w, "a,", 50_000_000)
			w.WriteString("a]\n")
		}},
		{"block list `- a`, 2,500,000 lines", "block.yaml", func(w *bufio.Writer) {
			w.WriteString(header + "x:\n")
			repeat(w, "- a\n", 2_500_000)
		}},
		{"flow mapping `{a,a,…}`, 5,000,000 keys", "flowmap.yaml", func(w *bufio.Writer) {
			w.WriteString(header + "x: {")
			repeat(w, "a,", 5_000_000)
			w.WriteString("a}\n")
		}},
		{"one mapping of 1,000,000 keys", "keys.yaml", func(w *bufio.Writer) {
			w.WriteString(header + "x:\n")
			for i := 0; i < 1_000_000; i++ {
				fmt.Fprintf(w, "  k%d: v\n", i)
			}
		}},
		{"500 lists nested 9,000 deep", "deep.yaml", func(w *bufio.Writer) {
			w.WriteString(header + "x:\n")
			open, close := strings.Repeat("[", 9000), strings.Repeat("]", 9000)
			for i := 0; i < 500; i++ {
				w.WriteString("- " + open + close + "\n")
			}
		}},
		{"2,000,000 documents `--- a`", "docs.yaml", func(w *bufio.Writer) {
			repeat(w, "--- a\n", 2_000_000)
		}},
		{"250,000 valid empty documents", "empty.yaml", func(w *bufio.Writer) {
			repeat(w, "---\n"+header, 250_000)
		}},
		{"flat JSON list, 5,000,000 items", "flat.json", func(w *bufio.Writer) {
			w.WriteString(`{"apiVersion": "blast/v1", "kind": "Inventory", "x": [`)
			repeat(w, "1,", 5_000_000)
			w.WriteString("1]}")
		}},
		{"worst under the node limit: `{a,a,…}` of 990,000 keys (YAML)", "worst.yaml", func(w *bufio.Writer) {
			w.WriteString(header)
			flowMap(w, 990_000)
		}},
		{"worst under the node limit: a JSON list of 1,999,990 items", "worst.json", func(w *bufio.Writer) {
			w.WriteString(`{"apiVersion": "blast/v1", "kind": "Inventory", "x": [`)
			repeat(w, "1,", 1_999_989)
			w.WriteString("1]}")
		}},
		{"20 documents each just under the node limit", "docs20.yaml", func(w *bufio.Writer) {
			for i := 0; i < 20; i++ {
				if i > 0 {
					w.WriteString("---\n")
				}
				w.WriteString(header)
				flowMap(w, 990_000)
			}
		}},
		{"one scalar of 100,000,000 characters (YAML)", "scalar.yaml", func(w *bufio.Writer) {
			w.WriteString(header + "x: ")
			repeat(w, strings.Repeat("a", 1000), 100_000)
			w.WriteString("\n")
		}},
		{"the same as a block scalar of 1,000,000 lines", "blockscalar.yaml", func(w *bufio.Writer) {
			w.WriteString(header + "x: |\n")
			repeat(w, "  "+strings.Repeat("a", 97)+"\n", 1_000_000)
		}},
		{"one string of 100,000,000 characters (JSON)", "scalar.json", func(w *bufio.Writer) {
			w.WriteString(`{"apiVersion": "blast/v1", "kind": "Inventory", "x": "`)
			repeat(w, strings.Repeat("a", 1000), 100_000)
			w.WriteString(`"}`)
		}},
		{"alias bomb (billion laughs, 10^12 nodes expanded)", "laughs.yaml", func(w *bufio.Writer) {
			w.WriteString(header + "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
			for i := 1; i < 12; i++ {
				fmt.Fprintf(w, "a%d: &a%d [", i, i)
				for j := 0; j < 10; j++ {
					if j > 0 {
						w.WriteString(", ")
					}
					fmt.Fprintf(w, "*a%d", i-1)
				}
				w.WriteString("]\n")
			}
		}},
		{"JSON nested 10,000,000 deep", "deep.json", func(w *bufio.Writer) {
			w.WriteString(`{"x": `)
			repeat(w, "[", 10_000_000)
		}},
	}
}

type result struct {
	proc.Measure
	err string // the first line of stderr
}

func run(bin, dir string, args ...string) (result, error) {
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	m, err := proc.Run(cmd)
	if err != nil {
		return result{Measure: m}, err
	}
	line, _, _ := strings.Cut(stderr.String(), "\n")
	return result{Measure: m, err: strings.ReplaceAll(line, dir+string(filepath.Separator), "")}, nil
}

func main() {
	only := flag.String("only", "", "run only the inputs whose file name contains this")
	width := flag.Int("width", 90, "shorten the first line of stderr to this many characters")
	flag.Parse()

	dir, err := os.MkdirTemp("", "blast-hostile-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	bin, err := proc.Build(dir)
	if err != nil {
		fail(err)
	}
	fmt.Printf("`blast validate -f FILE` with the default limits: %s, %d cores, %s; one run each\n\n", proc.CPU(), runtime.NumCPU(), runtime.Version())
	fmt.Println("| input | size | exit | wall | peak memory | first line of stderr |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | --- |")
	all := inputs()
	all = append(all, input{"`blast gen --size large` (33,328 entities, 6 documents)", "large.yaml", nil})
	for _, in := range all {
		if !strings.Contains(in.name, *only) {
			continue
		}
		path := filepath.Join(dir, in.name)
		if in.write == nil {
			if r, err := run(bin, dir, "gen", "--size", "large", "-o", path); err != nil || r.Code != 0 {
				fail(fmt.Errorf("blast gen --size large: exit %d: %v %s", r.Code, err, r.err))
			}
		} else if err := write(path, in.write); err != nil {
			fail(err)
		}
		st, err := os.Stat(path)
		if err != nil {
			fail(err)
		}
		r, err := run(bin, dir, "validate", "-f", path)
		if err != nil {
			fail(err)
		}
		os.Remove(path)
		msg := r.err
		if len([]rune(msg)) > *width {
			msg = string([]rune(msg)[:*width-1]) + "…"
		}
		fmt.Printf("| %s | %s | %d | %.2f s | %s | %s |\n", in.label, size(st.Size()), r.Code, r.Wall.Seconds(), size(r.RSS<<10), cell(msg))
	}
}

// write writes one input through a buffer.
func write(path string, f func(w *bufio.Writer)) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(out, 1<<20)
	f(w)
	if err := w.Flush(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// size writes n bytes in MB or GB (decimal), or KB below a megabyte.
func size(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.0f MB", float64(n)/1e6)
	default:
		return fmt.Sprintf("%.0f KB", float64(n)/1e3)
	}
}

// cell makes s safe in a Markdown table cell.
func cell(s string) string {
	if s == "" {
		return "—"
	}
	return "`" + strings.ReplaceAll(s, "|", `\|`) + "`"
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "hostile:", err)
	os.Exit(1)
}
