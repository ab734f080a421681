package inventory

import (
	"fmt"
	"sort"
	"strings"

	"github.com/blast-dev/blast/internal/num"
)

// Severity tells whether a Diagnostic stops the inventory from being used.
type Severity int

// Severities.
const (
	Error Severity = iota
	Warning
)

// Diagnostic is one problem found in an inventory: where, in which field,
// what is wrong, and what to do about it.
type Diagnostic struct {
	Pos      Pos
	Path     string // such as services[4].dependsOn[1]
	Msg      string
	Hint     string // such as `did you mean "auth"?`; may be empty
	Severity Severity
}

// String formats d as "file:line:col: path: message; hint", with
// "warning: " before the message of a warning.
func (d Diagnostic) String() string {
	var b strings.Builder
	if s := d.Pos.String(); s != "" {
		b.WriteString(s)
		b.WriteString(": ")
	}
	if d.Path != "" {
		b.WriteString(d.Path)
		b.WriteString(": ")
	}
	if d.Severity == Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(d.Msg)
	if d.Hint != "" {
		b.WriteString("; ")
		b.WriteString(d.Hint)
	}
	return b.String()
}

// Diagnostics is a list of problems. As an error it reports its errors;
// warnings alone do not make it an error (see Err).
type Diagnostics []Diagnostic

// Error lists every error, one a line, followed by a count.
func (ds Diagnostics) Error() string {
	var b strings.Builder
	n := 0
	for _, d := range ds {
		if d.Severity != Error {
			continue
		}
		b.WriteString(d.String())
		b.WriteByte('\n')
		n++
	}
	fmt.Fprintf(&b, "%d %s in the inventory", n, num.Plural(n, "error", "errors"))
	return b.String()
}

// Errors returns the diagnostics of Error severity.
func (ds Diagnostics) Errors() Diagnostics { return ds.filter(Error) }

// Warnings returns the diagnostics of Warning severity.
func (ds Diagnostics) Warnings() Diagnostics { return ds.filter(Warning) }

func (ds Diagnostics) filter(s Severity) Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == s {
			out = append(out, d)
		}
	}
	return out
}

// Err returns ds as an error when it holds at least one error, else nil.
func (ds Diagnostics) Err() error {
	for _, d := range ds {
		if d.Severity == Error {
			return ds
		}
	}
	return nil
}

// Sort orders ds by position, then path, then message, so that output is
// stable whatever order the checks ran in.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.Pos != b.Pos {
			return a.Pos.Less(b.Pos)
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Msg < b.Msg
	})
}

// Suggest returns the candidate closest to s by edit distance, if it is close
// enough to be a likely typo, or "". Ties go to the smaller candidate.
// O(len(candidates) · len(s)²).
func Suggest(s string, candidates []string) string {
	best, bestD := "", -1
	limit := len(s)/3 + 1
	if limit > 4 {
		limit = 4
	}
	for _, c := range candidates {
		if abs(len(c)-len(s)) > limit {
			continue
		}
		d := editDistance(s, c, limit)
		if d > limit {
			continue
		}
		if bestD < 0 || d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	return best
}

// DidYouMean formats a hint for Suggest's answer, "did you mean \"x\"?", or "".
func DidYouMean(s string, candidates []string) string {
	if c := Suggest(s, candidates); c != "" {
		return fmt.Sprintf("did you mean %q?", c)
	}
	return ""
}

// editDistance is the Levenshtein distance of a and b, computed on runes;
// it stops early and returns limit+1 once the distance must exceed limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
