// Package cmd holds blast's cobra commands. Each command is an Options
// struct, a NewCmdXxx constructor that wires flags into it, and an xxxRun
// function that does the work with the IO it is given.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// Exit codes.
const (
	ExitOK     = 0 // success
	ExitPolicy = 1 // the gate said no: a policy was violated
	ExitInput  = 2 // bad input or usage
)

// Version is blast's version, set at build time with -ldflags.
var Version = "dev"

// IO is what a command reads and writes. Results go to Out; progress,
// warnings and diagnostics to ErrOut.
type IO struct {
	In          io.Reader
	Out, ErrOut io.Writer
	// OutTerminal and ErrTerminal report whether Out and ErrOut are
	// terminals: only then is there colour or a progress bar.
	OutTerminal, ErrTerminal bool
	// NoColor is set when the user asked for no colour (NO_COLOR).
	NoColor bool
	// Ctx, when not nil, is cancelled on Ctrl-C or when --timeout
	// passes: long analyses and writes stop and return its error.
	Ctx context.Context
	// stop releases what --timeout set up.
	stop func()
	// finished is closed when the command returns; exit ends the process
	// (os.Exit) when a stopped command does not return (see watchdog).
	finished chan struct{}
	exit     func(code int)
	// Executable is the blast binary that draws SVG in a child process
	// (see out.RenderSVG); "" means this process's own executable.
	Executable string
	// WorkDir is the directory that locations in check reports are made
	// relative to; "" means the process's working directory.
	WorkDir string
}

// workDir returns WorkDir, or the working directory ("" when unknown).
func (io *IO) workDir() string {
	if io.WorkDir != "" {
		return io.WorkDir
	}
	wd, _ := os.Getwd()
	return wd
}

// Context returns the context commands run under: Ctx, or
// context.Background when it is nil.
func (io *IO) Context() context.Context {
	if io.Ctx == nil {
		return context.Background()
	}
	return io.Ctx
}

// Color reports whether output to Out may be coloured.
func (io *IO) Color() bool { return io.OutTerminal && !io.NoColor }

// System returns the process's standard streams.
func System() *IO {
	return &IO{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		OutTerminal: term.IsTerminal(int(os.Stdout.Fd())),
		ErrTerminal: term.IsTerminal(int(os.Stderr.Fd())),
		NoColor:     os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb",
	}
}

// ExitError is an error that carries its exit code.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// usageError marks a mistake in flags or arguments: main prints the usage.
type usageError struct{ error }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// NewCmdRoot builds the blast command tree.
func NewCmdRoot(io *IO) *cobra.Command {
	root := &cobra.Command{
		Use:   "blast",
		Short: "Which user features fail when a site, building, power feed or rack goes dark",
		Long: `blast reads an inventory of user features, the services they need and where
those services run, and answers: if this site, building, power feed or rack
goes dark, which user features fail, why, and for how many people?

Start with "blast demo": the 2022 Pangyo data-center fire, simulated on the
embedded Kakao and Naver inventories.`,
		Version:       Version,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	addLimitFlags(root, io)
	root.AddCommand(
		NewCmdDemo(io, nil),

		NewCmdSimulate(io, nil),
		NewCmdAudit(io, nil),
		NewCmdRecover(io, nil),
		NewCmdCheck(io, nil),
		NewCmdDiff(io, nil),
		NewCmdGen(io, nil),
		NewCmdCuts(io, nil),
		NewCmdAvailability(io, nil),
		NewCmdExport(io),
		NewCmdImport(io),
		NewCmdDiagram(io, nil),
		NewCmdReport(io, nil),
		NewCmdValidate(io, nil),
		NewCmdSchema(io, nil),
		NewCmdRenderSVG(io),
	)
	return root
}

// Main runs blast with args and returns the exit code. Errors are printed
// once, here, as "blast: <error>"; usage only for flag mistakes.
func Main(args []string, io *IO) int {
	tuneGC()
	parent := io.Ctx
	io.finished = make(chan struct{})
	if io.exit == nil {
		io.exit = os.Exit
	}
	defer func() { io.Ctx, io.stop, io.finished = parent, nil, nil }()
	ctx, stop := signal.NotifyContext(io.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	io.Ctx = ctx
	if path := os.Getenv("BLAST_CPUPROFILE"); path != "" {
		if stop, err := startCPUProfile(path); err != nil {
			fmt.Fprintf(io.ErrOut, "blast: BLAST_CPUPROFILE: %v\n", err)
		} else {
			defer stop()
		}
	}
	root := NewCmdRoot(io)
	root.SetArgs(diffArgs(root, args))
	c, err := root.ExecuteC()
	close(io.finished)
	if io.stop != nil {
		defer io.stop()
	}
	if err == nil {
		return ExitOK
	}
	if msg, ok := stopped(io.Ctx, err); ok {
		fmt.Fprintf(io.ErrOut, "blast: %s\n", msg)
		return ExitInput
	}
	fmt.Fprintf(io.ErrOut, "blast: %s\n", strings.TrimRight(err.Error(), "\n"))
	var ue usageError
	if errors.As(err, &ue) || isCobraUsage(err) {
		if c != nil {
			fmt.Fprintf(io.ErrOut, "\n%s", c.UsageString())
		}
		return ExitInput
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ExitInput
}

// stopped says why a run that failed with err was stopped, when it was:
// interrupted (Ctrl-C, SIGTERM) or past --timeout.
func stopped(ctx context.Context, err error) (string, bool) {
	if ctx.Err() == nil || !(errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return "", false
	}
	var te *timeoutError
	if errors.As(context.Cause(ctx), &te) {
		return fmt.Sprintf("timed out after %s; raise --timeout", te.after), true
	}
	return "interrupted", true
}

// timeoutError is the cause of a context stopped by --timeout.
type timeoutError struct{ after time.Duration }

func (e *timeoutError) Error() string { return "timed out after " + e.after.String() }

// isCobraUsage recognises the argument errors cobra returns itself.
func isCobraUsage(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "accepts ") ||
		strings.HasPrefix(msg, "unknown flag") || strings.HasPrefix(msg, "requires ")
}

// tuneGC trades memory for speed: blast builds large, long-lived graphs
// and then mostly reads them, so collecting when the heap has grown by
// 400% instead of 100% saves much of the collector's work, while a soft
// memory limit brings collection back when memory gets short. GOGC and
// GOMEMLIMIT, when set, win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(3 << 30)
	}
}

// startCPUProfile writes a pprof CPU profile of the run to path, for
// whoever measures where blast's time goes (BLAST_CPUPROFILE=FILE; read
// it with go tool pprof).
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// diffArgs rewrites, when args run blast diff, "-f2 NEW" and "-f2=NEW" to
// "--f2 NEW" and "--f2=NEW": the flag parser would read them as -f with the
// value 2 (or "2=NEW"), and "blast diff -f OLD -f2 NEW" is how people write
// it. Other commands, and anything after "--", are left alone.
func diffArgs(root *cobra.Command, args []string) []string {
	if c, _, err := root.Find(args); err != nil || c.Name() != "diff" {
		return args
	}
	out := slices.Clone(args)
	for i, a := range out {
		if a == "--" {
			break
		}
		if a == "-f2" || strings.HasPrefix(a, "-f2=") {
			out[i] = "-" + a
		}
	}
	return out
}
