package out

import (
	"bytes"
	"strings"
	"text/tabwriter"
)

// table aligns columns with two spaces between them and no trailing
// spaces, and writes through a printer when flushed.
type table struct {
	p   *printer
	buf bytes.Buffer
	tw  *tabwriter.Writer
}

func newTable(p *printer) *table {
	t := &table{p: p}
	t.tw = tabwriter.NewWriter(&t.buf, 0, 0, 2, ' ', 0)
	return t
}

// row adds one row; cells must already be clean of control characters.
func (t *table) row(cells ...string) {
	t.tw.Write([]byte("  " + strings.Join(cells, "\t") + "\n"))
}

// rawRow adds one row without the indent.
func (t *table) rawRow(line string) {
	t.tw.Write([]byte(line + "\n"))
}

func (t *table) flush() {
	t.tw.Flush()
	for _, line := range strings.SplitAfter(t.buf.String(), "\n") {
		if line != "" {
			t.p.printf("%s\n", strings.TrimRight(line, " \n"))
		}
	}
	t.buf.Reset()
}
