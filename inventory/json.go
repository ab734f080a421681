package inventory

import (
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/blast-dev/blast/internal/num"
	"go.yaml.in/yaml/v4"
)

// maxJSONDepth bounds the nesting of a JSON document.
const maxJSONDepth = 200

// jsonError is a JSON syntax error at a line and column, or, with a
// hint, a document over a limit.
type jsonError struct {
	line, col int
	msg, hint string
}

func (e *jsonError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.line, e.col, e.msg)
}

// parseJSON parses a JSON document into the same node tree the YAML parser
// builds (mappings, sequences, scalars tagged !!str, !!int, !!float,
// !!bool, !!null, with 1-based lines and columns counted in characters),
// so that one decoder serves both formats with exact positions. It is a
// strict RFC 8259 parser, several times faster than reading JSON as YAML.
func parseJSON(data []byte) (*yaml.Node, error) {
	return parseJSONStream(data, nil)
}

// streamLists are the top-level lists whose elements parseJSONStream hands
// over one by one.
var streamLists = map[string]bool{"components": true, "services": true, "features": true}

// parseJSONStream is parseJSON, except that when stream is not nil the
// elements of the top-level lists components, services and features are
// passed to stream as soon as each is parsed, and left out of the tree
// (their lists come back empty). Memory then stays proportional to one
// element, not to the document.
func parseJSONStream(data []byte, stream func(list string, i int, n *yaml.Node)) (*yaml.Node, error) {
	p := &jsonParser{data: data, line: 1, col: 1, stream: stream}
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		p.pos, p.lineStart = 3, 3 // byte order mark
	}
	p.skipSpace()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(data) {
		return nil, p.errorf("unexpected %s after the top-level value", p.describe())
	}
	return &yaml.Node{Kind: yaml.DocumentNode, Line: 1, Column: 1, Content: []*yaml.Node{v}}, nil
}

type jsonParser struct {
	data []byte
	pos  int
	line int
	// lineStart is the offset where the current line starts; colAt/col
	// cache the character column of offset colAt on that line, so that
	// columns cost O(n) over the whole document even on one long line.
	lineStart, colAt, col int
	// slab hands out nodes from chunks: one allocation per 512 nodes
	// instead of one per node.
	slab []yaml.Node
	// stream receives the elements of the top-level lists; see
	// parseJSONStream.
	stream func(list string, i int, n *yaml.Node)
	// nodes counts the nodes held: those of the tree, and of the element
	// being streamed.
	nodes int
}

func (p *jsonParser) column() int {
	if p.colAt < p.lineStart || p.colAt > p.pos {
		p.colAt, p.col = p.lineStart, 1
	}
	p.col += utf8.RuneCount(p.data[p.colAt:p.pos])
	p.colAt = p.pos
	return p.col
}

func (p *jsonParser) errorf(format string, args ...any) error {
	return &jsonError{line: p.line, col: p.column(), msg: fmt.Sprintf(format, args...)}
}

func (p *jsonParser) describe() string {
	if p.pos >= len(p.data) {
		return "end of file"
	}
	r, _ := utf8.DecodeRune(p.data[p.pos:])
	return fmt.Sprintf("character %q", r)
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\r':
			p.pos++
		case '\n':
			p.pos++
			p.line++
			p.lineStart = p.pos
		default:
			return
		}
	}
}

func (p *jsonParser) node(kind yaml.Kind) *yaml.Node {
	if len(p.slab) == 0 {
		p.slab = make([]yaml.Node, 512)
	}
	n := &p.slab[0]
	p.slab = p.slab[1:]
	p.nodes++
	n.Kind, n.Line, n.Column = kind, p.line, p.column()
	return n
}

func (p *jsonParser) value(depth int) (*yaml.Node, error) {
	if depth > maxJSONDepth {
		return nil, p.errorf("nesting deeper than %d levels", maxJSONDepth)
	}
	if p.nodes >= MaxNodes {
		err := p.errorf("this JSON document holds more than %s nodes (keys, values, lists and objects), the limit", num.Count(int64(MaxNodes)))
		err.(*jsonError).hint = nodesHint
		return nil, err
	}
	if p.pos >= len(p.data) {
		return nil, p.errorf("unexpected end of file, expecting a value")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth, nil)
	case c == '"':
		n := p.node(yaml.ScalarNode)
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		n.Tag, n.Value, n.Style = "!!str", s, yaml.DoubleQuotedStyle
		return n, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		for _, lit := range [...]struct{ word, tag string }{{"true", "!!bool"}, {"false", "!!bool"}, {"null", "!!null"}} {
			if len(p.data)-p.pos >= len(lit.word) && string(p.data[p.pos:p.pos+len(lit.word)]) == lit.word {
				n := p.node(yaml.ScalarNode)
				n.Tag, n.Value = lit.tag, lit.word
				p.pos += len(lit.word)
				return n, nil
			}
		}
		return nil, p.errorf("unexpected %s, expecting a value", p.describe())
	}
}

func (p *jsonParser) object(depth int) (*yaml.Node, error) {
	n := p.node(yaml.MappingNode)
	n.Tag, n.Style = "!!map", yaml.FlowStyle
	p.pos++ // {
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return n, nil
	}
	for {
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, p.errorf("unexpected %s, expecting a quoted key", p.describe())
		}
		k := p.node(yaml.ScalarNode)
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		k.Tag, k.Value, k.Style = "!!str", s, yaml.DoubleQuotedStyle
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.errorf("unexpected %s after key %q, expecting ':'", p.describe(), s)
		}
		p.pos++
		p.skipSpace()
		var v *yaml.Node
		if depth == 0 && p.stream != nil && streamLists[s] && p.pos < len(p.data) && p.data[p.pos] == '[' {
			v, err = p.array(depth, func(i int, e *yaml.Node) { p.stream(s, i, e) })
		} else {
			v, err = p.value(depth + 1)
		}
		if err != nil {
			return nil, err
		}
		n.Content = append(n.Content, k, v)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.errorf("unexpected end of file in an object, expecting ',' or '}'")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
		case '}':
			p.pos++
			return n, nil
		default:
			return nil, p.errorf("unexpected %s in an object, expecting ',' or '}' (a missing comma?)", p.describe())
		}
	}
}

// array reads a list; with each not nil, elements go to each instead of
// into the list node.
func (p *jsonParser) array(depth int, each func(i int, e *yaml.Node)) (*yaml.Node, error) {
	n := p.node(yaml.SequenceNode)
	n.Tag, n.Style = "!!seq", yaml.FlowStyle
	i := 0
	p.pos++ // [
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return n, nil
	}
	for {
		held := p.nodes
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		if each != nil {
			each(i, v)
			i++
			p.nodes = held // the element is decoded and let go
		} else {
			n.Content = append(n.Content, v)
		}
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.errorf("unexpected end of file in a list, expecting ',' or ']'")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
		case ']':
			p.pos++
			return n, nil
		default:
			return nil, p.errorf("unexpected %s in a list, expecting ',' or ']' (a missing comma?)", p.describe())
		}
	}
}

// tooLong returns the error for a value that starts at start and has
// reached p.pos, when it takes more than MaxValueSize bytes, or nil. The
// error is placed at start, on the same line (strings and numbers hold no
// line break).
func (p *jsonParser) tooLong(start int) error {
	if int64(p.pos-start) <= MaxValueSize {
		return nil
	}
	p.pos = start
	err := p.errorf("%s", valueMsg())
	err.(*jsonError).hint = valueHint
	return err
}

// str reads a quoted string at p.pos.
func (p *jsonParser) str() (string, error) {
	p.pos++ // opening quote
	start := p.pos
	// fast path: no escapes
	for p.pos < len(p.data) {
		if p.pos-start > int(MaxValueSize) {
			return "", p.tooLong(start - 1)
		}
		c := p.data[p.pos]
		if c == '"' {
			s := string(p.data[start:p.pos])
			p.pos++
			if !utf8.ValidString(s) {
				return "", p.errorf("string is not valid UTF-8")
			}
			return s, nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", p.errorf("control character %q in a string; escape it", c)
		}
		p.pos++
	}
	buf := append([]byte(nil), p.data[start:p.pos]...)
	for p.pos < len(p.data) {
		if err := p.tooLong(start - 1); err != nil {
			return "", err
		}
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			if !utf8.Valid(buf) {
				return "", p.errorf("string is not valid UTF-8")
			}
			return string(buf), nil
		case c < 0x20:
			return "", p.errorf("control character %q in a string; escape it", c)
		case c != '\\':
			buf = append(buf, c)
			p.pos++
			continue
		}
		if p.pos+1 >= len(p.data) {
			break
		}
		e := p.data[p.pos+1]
		p.pos += 2
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.errorf("bad \\u escape: want four hex digits")
			}
			if utf16.IsSurrogate(r) {
				r2 := rune(utf8.RuneError)
				if p.pos+1 < len(p.data) && p.data[p.pos] == '\\' && p.data[p.pos+1] == 'u' {
					p.pos += 2
					if x, ok := p.hex4(); ok {
						r2 = x
					}
				}
				r = utf16.DecodeRune(r, r2)
			}
			buf = utf8.AppendRune(buf, r)
		default:
			p.pos--
			return "", p.errorf("unknown escape \\%c", e)
		}
	}
	return "", p.errorf("unexpected end of file in a string")
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.pos+4 > len(p.data) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(p.data[p.pos:p.pos+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.pos += 4
	return rune(v), true
}

// number reads a JSON number; integers are tagged !!int, others !!float.
func (p *jsonParser) number() (*yaml.Node, error) {
	n := p.node(yaml.ScalarNode)
	start := p.pos
	if p.data[p.pos] == '-' {
		p.pos++
	}
	digits := func() int {
		s := p.pos
		for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
			p.pos++
		}
		return p.pos - s
	}
	intStart := p.pos
	if digits() == 0 {
		return nil, p.errorf("bad number: want a digit")
	}
	if p.data[intStart] == '0' && p.pos-intStart > 1 {
		return nil, p.errorf("bad number: leading zero")
	}
	isFloat := false
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		p.pos++
		isFloat = true
		if digits() == 0 {
			return nil, p.errorf("bad number: want a digit after '.'")
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		p.pos++
		isFloat = true
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return nil, p.errorf("bad number: want a digit in the exponent")
		}
	}
	if err := p.tooLong(start); err != nil {
		return nil, err
	}
	n.Value = string(p.data[start:p.pos])
	n.Tag = "!!int"
	if isFloat {
		n.Tag = "!!float"
	}
	return n, nil
}
