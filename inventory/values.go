package inventory

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"unicode/utf8"
)

// DefaultMaxValueSize is MaxValueSize unless changed: 1 MiB, far more than
// any id, name or description needs.
const DefaultMaxValueSize = 1 << 20

// MaxValueSize bounds the bytes one value (a key, a string, a number) may
// take in a YAML or JSON file, since the YAML library copies a long
// scalar several times: one scalar of 100 MB took 0.62 GB. YAML documents
// are measured before they are parsed, by yamlValues; JSON strings and
// numbers as they are read. A value decodes to at most 1.5 times what it
// takes in the file (the escapes \L and \P of YAML grow from two bytes to
// three). blast's --max-value-size sets it.
var MaxValueSize int64 = DefaultMaxValueSize

// valueHint says what to do about a value longer than MaxValueSize.
const valueHint = "shorten it (ids, names and descriptions need far less), or raise --max-value-size"

// valueMsg is the message for a value longer than MaxValueSize.
func valueMsg() string {
	return fmt.Sprintf("this value takes more than %s of the file, the limit on one value", formatBytes(MaxValueSize))
}

// yamlLongValue returns a diagnostic at the first value of the YAML
// document doc, which starts at line first of file, that may take more
// than MaxValueSize bytes (by yamlValues), or at the first line longer
// than that; or nil.
func yamlLongValue(file string, doc []byte, first int) *Diagnostic {
	ls, le := -1, -1 // the first line longer than the limit
	for i := 0; i < len(doc) && ls < 0; {
		end, next := lineEnd(doc, i)
		if int64(end-i) > MaxValueSize {
			ls, le = i, end
		}
		i = next
	}
	// The first value longer than the limit; of those that hold one
	// another (a plain scalar in a flow collection that runs over a
	// quoted one), the innermost.
	var over [][2]int
	yamlValues(doc, func(start, n int) {
		if int64(n) > MaxValueSize {
			over = append(over, [2]int{start, start + n})
		}
	})
	slices.SortFunc(over, func(a, b [2]int) int { return cmp.Compare(a[0], b[0]) })
	vs := -1
	for i, o := range over {
		if i == 0 || o[0] < over[i-1][1] {
			vs = o[0]
		} else {
			break
		}
	}
	// A long value on a long line is reported as a value.
	at, long := vs, false
	if ls >= 0 && (vs < 0 || vs >= le) {
		at, long = ls, true
	}
	if at < 0 {
		return nil
	}
	msg, hint := valueMsg(), valueHint
	if long {
		msg = fmt.Sprintf("this line is longer than %s, the limit on one value, which bounds YAML lines too", formatBytes(MaxValueSize))
		hint = "break it over several lines, or raise --max-value-size"
	}
	line, start := first, 0
	for i := 0; i < at; {
		_, next := lineEnd(doc, i)
		if next > at {
			break
		}
		line, start, i = line+1, next, next
	}
	return &Diagnostic{Pos: Pos{File: file, Line: line, Col: utf8.RuneCount(doc[start:at]) + 1}, Msg: msg, Hint: hint}
}

// lineEnd returns where the line starting at i ends (its line break, or
// len(doc)) and where the next starts. Line breaks are those the YAML
// library knows: LF, CR, CR LF, NEL, U+2028 and U+2029.
func lineEnd(doc []byte, i int) (end, next int) {
	end = len(doc)
	if k := bytes.IndexByte(doc[i:], '\n'); k >= 0 {
		end = i + k
	}
	if k := bytes.IndexByte(doc[i:end], '\r'); k >= 0 {
		end = i + k
	}
	// NEL is C2 85, U+2028 and U+2029 are E2 80 A8 and E2 80 A9; other
	// characters start with C2 or E2 too.
	for j := i; j < end; {
		k := bytes.IndexByte(doc[j:end], 0xC2)
		if k < 0 {
			break
		}
		if j += k; j+1 < len(doc) && doc[j+1] == 0x85 {
			end = j
			break
		}
		j++
	}
	for j := i; j < end; {
		k := bytes.IndexByte(doc[j:end], 0xE2)
		if k < 0 {
			break
		}
		if j += k; j+2 < len(doc) && doc[j+1] == 0x80 && (doc[j+2] == 0xA8 || doc[j+2] == 0xA9) {
			end = j
			break
		}
		j++
	}
	switch {
	case end == len(doc):
		return end, end
	case doc[end] == '\r' && end+1 < len(doc) && doc[end+1] == '\n':
		return end, end + 2
	case doc[end] == 0xC2:
		return end, end + 2
	case doc[end] == 0xE2:
		return end, end + 3
	}
	return end, end + 1
}

// yamlValues calls each with the offset and an upper bound on the bytes
// in doc, one YAML document, of every scalar the YAML library can read
// from it, so that a value too long to hold is refused before the library
// copies it. It reads doc once, as the library's scanner does but without
// building anything:
//
//   - A plain or block scalar (| or >) that starts on a line runs to the end
//     of that line and over the following lines that are blank or indented
//     more than the key or list entry it belongs to (the library's rule:
//     the continuation of a plain scalar, the content of a block scalar,
//     each more indented than its parent); all of them are counted.
//   - A quoted scalar runs to its closing quote, over any lines.
//   - Inside a flow collection ([ ] { }), a scalar runs at most to the next
//     flow indicator (, [ ] { }) outside quotes; quoted ones to their quote.
//   - A plain key runs to its colon.
//
// Lines inside a counted scalar are not read for structure, but a quote or
// flow collection that starts such a line is measured too, in case the
// scalar ended before it: the bound may be loose, never short.
// TestYAMLValueBound holds it to the parser.
func yamlValues(doc []byte, each func(start, n int)) {
	s := &valueScan{doc: doc, each: each}
	pending := -1
	for i := 0; i < len(doc); {
		end, next := lineEnd(doc, i)
		ind := indentOf(doc, i, end)
		p := skipBlanks(doc, i+ind, end)
		switch {
		case p == end || doc[p] == '#':
			i = next
			continue
		case p == i && doc[p] == '%':
			i = next // a directive
			continue
		case p == i && end-p >= 3 && (string(doc[p:p+3]) == "---" || string(doc[p:p+3]) == "...") && (p+3 == end || isBlankByte(doc[p+3])):
			pending = -1 // a new document
			p = skipBlanks(doc, p+3, end)
			if p == end || doc[p] == '#' {
				i = next
				continue
			}
		}
		thr := pending
		pending = -1
		i = s.line(i, p, end, next, thr, &pending)
	}
}

type valueScan struct {
	doc  []byte
	each func(start, n int)
}

// line reads the nodes on the line starting at ls, from p (its first
// character that is not a blank), in block context; thr is the column of
// the key or entry a scalar at the start of the line belongs to (-1 at the
// top). It returns where the next line to read starts and sets *pending
// when the line ends in a key or entry whose value is on the next lines.
func (s *valueScan) line(ls, p, end, next, thr int, pending *int) int {
	doc := s.doc
	for {
		for p < end && (doc[p] == '-' || doc[p] == '?') && (p+1 == end || isBlankByte(doc[p+1])) {
			thr = p - ls
			p = skipBlanks(doc, p+1, end)
		}
		node := p - ls
		for p < end && (doc[p] == '!' || doc[p] == '&') {
			p = skipBlanks(doc, skipToken(doc, p, end), end)
		}
		if p == end || doc[p] == '#' {
			*pending = thr
			return next
		}
		var after int // where a quoted scalar, flow collection or alias ends
		switch c := doc[p]; c {
		case '\'', '"':
			after = s.quoted(p)
		case '[', '{':
			after = s.flow(p)
		case '*':
			after = skipToken(doc, p, end)
		case '|', '>':
			return s.region(p, end, next, thr)
		default:
			k := keyColon(doc, p, end)
			if k < 0 {
				return s.region(p, end, next, thr)
			}
			s.each(p, k-p)
			thr, p = node, skipBlanks(doc, k+1, end)
			continue
		}
		if after > end {
			// The node spans lines; the rest of its last line is read as
			// nothing (a key that spans lines is an error).
			_, n := lineEnd(doc, after)
			return n
		}
		p = skipBlanks(doc, after, end)
		if p < end && doc[p] == ':' && (p+1 == end || isBlankByte(doc[p+1])) {
			thr, p = node, skipBlanks(doc, p+1, end)
			continue
		}
		return next
	}
}

// isBreakEnd reports whether doc[:i] ends with a line break, so that i
// starts a line.
func isBreakEnd(doc []byte, i int) bool {
	c := doc[i-1]
	return c == '\n' || c == '\r' || (c == 0x85 && i > 1 && doc[i-2] == 0xC2) ||
		((c == 0xA8 || c == 0xA9) && i > 2 && doc[i-2] == 0x80 && doc[i-3] == 0xE2)
}

// region measures a plain or block scalar that starts at p, on a line
// ending at end, and runs over the following lines that are blank or
// indented more than thr. It returns where the first line after it starts.
func (s *valueScan) region(p, end, next, thr int) int {
	doc := s.doc
	last := end
	for i := next; i < len(doc); {
		e, n := lineEnd(doc, i)
		ind := indentOf(doc, i, e)
		q := skipBlanks(doc, i+ind, e)
		if q < e && ind <= thr {
			break
		}
		if q < e && (doc[q] == '\'' || doc[q] == '"' || doc[q] == '[' || doc[q] == '{') {
			// Perhaps a new token, if the scalar ended before this line.
			if doc[q] == '[' || doc[q] == '{' {
				s.flow(q)
			} else {
				s.quoted(q)
			}
		}
		last, i = e, n
	}
	s.each(p, last-p)
	_, n := lineEnd(doc, last)
	if last == end {
		return next
	}
	return n
}

// quoted measures the quoted scalar whose opening quote is at p and
// returns where it ends (after its closing quote, or len(doc)).
func (s *valueScan) quoted(p int) int {
	doc := s.doc
	q := doc[p]
	i := p + 1
	for i < len(doc) {
		c := doc[i]
		if q == '"' && c == '\\' {
			i += 2
			continue
		}
		if c == q {
			if q == '\'' && i+1 < len(doc) && doc[i+1] == '\'' {
				i += 2
				continue
			}
			i++
			s.each(p, i-p)
			return i
		}
		i++
	}
	s.each(p, len(doc)-p)
	return len(doc)
}

// flow measures the scalars of the flow collection that opens at p and
// returns where it ends (after its closing bracket, or len(doc)). A plain
// scalar runs at most from one flow indicator to the next; quoted scalars
// start where a node may start: after an indicator, blanks, comments and
// properties.
func (s *valueScan) flow(p int) int {
	doc := s.doc
	depth, run, start := 0, -1, true
	flush := func(i int) {
		if run >= 0 {
			s.each(run, i-run)
			run = -1
		}
	}
	for i := p; i < len(doc); {
		c := doc[i]
		switch {
		case c == '[' || c == '{':
			flush(i)
			depth++
			start = true
			i++
		case c == ']' || c == '}':
			flush(i)
			depth--
			i++
			if depth == 0 {
				return i
			}
			start = false
		case c == ',':
			flush(i)
			start = true
			i++
		case c == '#' && (i == 0 || isBlankByte(doc[i-1]) || isBreakEnd(doc, i)):
			e, _ := lineEnd(doc, i)
			i = e
		case isBlankByte(c):
			i++
		case start && (c == '\'' || c == '"'):
			// Measured on its own, and as part of a plain scalar that
			// may have started before it (such as ?"q").
			i = s.quoted(i)
			start = false
		case start && (c == '!' || c == '&' || c == '*'):
			if run < 0 {
				run = i
			}
			for i < len(doc) && !isBlankByte(doc[i]) && !isFlowByte(doc[i]) {
				i++
			}
		default:
			if run < 0 {
				run = i
			}
			// A colon may be followed by a value, which may be quoted;
			// anything else starts or continues a plain scalar.
			start = c == ':' || c == '?'
			i++
		}
	}
	flush(len(doc))
	return len(doc)
}

func isFlowByte(c byte) bool {
	return c == ',' || c == '[' || c == ']' || c == '{' || c == '}'
}

// indentOf counts the spaces that start the line from i to end.
func indentOf(doc []byte, i, end int) int {
	n := 0
	for i+n < end && doc[i+n] == ' ' {
		n++
	}
	return n
}

// skipBlanks returns the first offset from p, before end, that is not a
// space or tab, or end.
func skipBlanks(doc []byte, p, end int) int {
	for p < end && (doc[p] == ' ' || doc[p] == '\t') {
		p++
	}
	return p
}

// skipToken returns the offset after the run of non-blanks at p.
func skipToken(doc []byte, p, end int) int {
	for p < end && doc[p] != ' ' && doc[p] != '\t' {
		p++
	}
	return p
}

// keyColon returns the offset of the colon that ends a plain key starting
// at p (one followed by a blank or the end of the line, before any
// comment), or -1.
func keyColon(doc []byte, p, end int) int {
	// A # after a blank starts a comment.
	for j := p; j < end; {
		k := bytes.IndexByte(doc[j:end], '#')
		if k < 0 {
			break
		}
		if j += k; j > p && (doc[j-1] == ' ' || doc[j-1] == '\t') {
			end = j
			break
		}
		j++
	}
	for j := p; j < end; {
		k := bytes.IndexByte(doc[j:end], ':')
		if k < 0 {
			break
		}
		if j += k; j+1 == end || isBlankByte(doc[j+1]) {
			return j
		}
		j++
	}
	return -1
}
