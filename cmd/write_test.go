package cmd

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// outputCommands lists every command that writes a file with -o, as args
// writing to out (a path in an empty directory). A new command that
// writes files is one more row here.
func outputCommands(ex string) []struct {
	name string
	args func(out string) []string
} {
	return []struct {
		name string
		args func(out string) []string
	}{
		{"gen", func(out string) []string { return []string{"gen", "--size", "medium", "-o", out} }},
		{"diagram", func(out string) []string {
			return []string{"diagram", "-f", "../examples/kakao-2022.yaml", "--format", "dot", "-o", out}
		}},
		{"import netbox", func(out string) []string { return []string{"import", "netbox", ex + "netbox/v4", "-o", out} }},
		{"import report", func(out string) []string {
			return []string{"import", "netbox", ex + "netbox/v4", "--report", out}
		}},
		{"report md", func(out string) []string {
			return []string{"report", "-f", "../examples/kakao-2022.yaml", "--fail", "pangyo", "--format", "md", "-o", out}
		}},
		{"report html", func(out string) []string {
			return []string{"report", "-f", "../examples/kakao-2022.yaml", "--fail", "pangyo", "--format", "html", "--diagram=false", "-o", out}
		}},
	}
}

// TestOutputStoppedMidWrite stops every command that writes a file in the
// middle of its write, as Ctrl-C or --timeout would, and checks that it
// says so, exits 2, and leaves neither the file nor a temporary file.
func TestOutputStoppedMidWrite(t *testing.T) {
	for _, tc := range outputCommands("../examples/import/") {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			writes := 0
			writeHook = func() { writes++; cancel() }
			defer func() { writeHook = nil }()
			var o, e bytes.Buffer
			code := Main(tc.args(filepath.Join(dir, "out.file")), &IO{Out: &o, ErrOut: &e, Ctx: ctx})
			if writes == 0 {
				t.Fatalf("the command wrote nothing to a temporary file; stderr: %s", e.String())
			}
			if code != ExitInput || !strings.Contains(e.String(), "blast: interrupted") {
				t.Errorf("exit %d, stderr %q; want 2 and blast: interrupted", code, e.String())
			}
			assertEmptyDir(t, dir)
		})
	}
}

// TestOutputTimeout stops a run with --timeout and checks the message.
// Generating a large inventory goes on computing after its writes fail,
// so on a slow machine the watchdog may end the run: its exit is caught.
func TestOutputTimeout(t *testing.T) {
	dir := t.TempDir()
	var o, e syncBuffer
	var exited atomic.Int32
	exited.Store(-1)
	code := Main([]string{"gen", "--size", "large", "--timeout", "1ms", "-o", filepath.Join(dir, "big.yaml")},
		&IO{Out: &o, ErrOut: &e, exit: func(c int) { exited.Store(int32(c)) }})
	stderr := e.String()
	if code != ExitInput || !strings.Contains(stderr, "timed out after 1ms; raise --timeout") {
		t.Errorf("exit %d, stderr %q; want 2 and the timeout named", code, stderr)
	}
	if c := exited.Load(); c != -1 && c != ExitInput {
		t.Errorf("the watchdog exited %d; want %d", c, ExitInput)
	}
	assertEmptyDir(t, dir)
}

// syncBuffer is a bytes.Buffer safe for the watchdog and the command to
// write at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		t.Errorf("left %s behind", e.Name())
	}
}

// TestOutputSIGINT runs the real binary, sends it SIGINT in the middle of
// writing a large generated inventory, and checks that it exits 2 saying
// it was interrupted and leaves no partial or temporary file.
func TestOutputSIGINT(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "blast")
	if out, err := exec.Command("go", "build", "-o", bin, "./blast").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	var stderr bytes.Buffer
	c := exec.Command(bin, "gen", "--size", "xl", "-o", filepath.Join(dir, "xl.yaml"))
	c.Stderr = &stderr
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the temporary file holds something, then interrupt.
	deadline := time.Now().Add(time.Minute)
	for {
		tmps, _ := filepath.Glob(filepath.Join(dir, ".xl.yaml.*.tmp"))
		if len(tmps) > 0 {
			if st, err := os.Stat(tmps[0]); err == nil && st.Size() > 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			c.Process.Kill()
			t.Fatal("no temporary file appeared within a minute")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := c.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := c.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != ExitInput || !strings.Contains(stderr.String(), "blast: interrupted") {
		t.Errorf("blast gen after SIGINT: %v, stderr %q; want exit 2 and blast: interrupted", err, stderr.String())
	}
	assertEmptyDir(t, dir)
}

// TestWriteFileRefusesInputs checks the one writer refuses to write over
// an input: the same path, another path to it, a hard link to it, or an
// inventory file under an input directory; it may write other files there.
func TestWriteFileRefusesInputs(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.yaml")
	if err := os.WriteFile(in, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.yaml")
	if err := os.Link(in, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, out string
		inputs    []string
		refused   bool
	}{
		{"same path", in, []string{in}, true},
		{"another path to it", filepath.Join(dir, ".", "x", "..", "in.yaml"), []string{in}, true},
		{"hard link", link, []string{in}, true},
		{"inventory file under an input directory", filepath.Join(dir, "new.yaml"), []string{dir}, true},
		{"drawing under an input directory", filepath.Join(dir, "new.svg"), []string{dir}, false},
		{"somewhere else", filepath.Join(t.TempDir(), "out.yaml"), []string{in, dir, "-"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := writeData(context.Background(), tc.out, tc.inputs, []byte("new"))
			if tc.refused != (err != nil && strings.Contains(err.Error(), "is also an input")) {
				t.Errorf("writeData(%s, %v) = %v; want refused %v", tc.out, tc.inputs, err, tc.refused)
			}
			if data, _ := os.ReadFile(in); string(data) != "keep" {
				t.Errorf("input now holds %q", data)
			}
		})
	}
}
