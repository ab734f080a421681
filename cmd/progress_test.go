package cmd

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgress(t *testing.T) {
	if newProgress(&IO{ErrTerminal: false}) != nil {
		t.Fatal("newProgress off a terminal = a callback; want nil (no bar in pipes or CI logs)")
	}
	var buf bytes.Buffer
	now := time.Unix(0, 0)
	p := &progress{w: &buf, clock: func() time.Time { return now }, after: time.Second, every: 100 * time.Millisecond, barSize: 10}
	p.update("audit", 0, 100)
	now = now.Add(500 * time.Millisecond)
	p.update("audit", 10, 100)
	if buf.Len() != 0 {
		t.Fatalf("progress within the first second drew %q; want nothing", buf.String())
	}
	now = now.Add(600 * time.Millisecond)
	p.update("audit", 50, 100)
	if got := buf.String(); !strings.Contains(got, "audit [=====     ] 50/100") {
		t.Fatalf("progress after a second drew %q; want a half-full bar", got)
	}
	n := buf.Len()
	now = now.Add(10 * time.Millisecond)
	p.update("audit", 51, 100)
	if buf.Len() != n {
		t.Fatalf("progress redrew after 10ms: %q", buf.String()[n:])
	}
	p.update("audit", 100, 100)
	if !strings.HasSuffix(buf.String(), "\r\x1b[K") {
		t.Fatalf("progress at the end left %q; want the line cleared", buf.String())
	}
}
