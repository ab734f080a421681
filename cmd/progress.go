package cmd

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress draws a progress bar on a terminal's standard error for phases
// that take longer than a second. Off a terminal (pipes, CI logs) it draws
// nothing. Safe for concurrent use.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	phase   string
	start   time.Time
	last    time.Time
	drawn   bool
	clock   func() time.Time
	after   time.Duration // quiet this long into a phase
	every   time.Duration // then redraw at most this often
	barSize int
}

// newProgress returns the progress callback for io, or nil when standard
// error is not a terminal.
func newProgress(io *IO) func(phase string, done, total int) {
	if !io.ErrTerminal {
		return nil
	}
	p := &progress{w: io.ErrOut, clock: time.Now, after: time.Second, every: 100 * time.Millisecond, barSize: 30}
	return p.update
}

func (p *progress) update(phase string, done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.clock()
	if phase != p.phase {
		p.clear()
		p.phase, p.start, p.last = phase, now, time.Time{}
	}
	if done >= total {
		p.clear()
		return
	}
	if now.Sub(p.start) < p.after || now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	filled := 0
	if total > 0 {
		filled = done * p.barSize / total
	}
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", p.barSize-filled)
	fmt.Fprintf(p.w, "\r\x1b[K%s [%s] %d/%d", phase, bar, done, total)
	p.drawn = true
}

// clear erases the bar, if one is drawn.
func (p *progress) clear() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}
