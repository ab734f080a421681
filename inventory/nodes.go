package inventory

import (
	"fmt"

	"github.com/blast-dev/blast/internal/num"
)

// DefaultMaxNodes is MaxNodes unless changed.
const DefaultMaxNodes = 2_000_000

// MaxNodes bounds the nodes (keys, values, lists and mappings) one YAML or
// JSON document may hold, since a parsed node costs about 200 bytes
// whatever its size in the file: a flat list of one-letter items costs
// some 100 times its size in memory. YAML documents are measured before
// they are parsed, by yamlNodeBound; JSON documents as they are parsed.
// blast's --max-nodes sets it.
var MaxNodes = DefaultMaxNodes

// nodesHint says what to do about a document with too many nodes.
const nodesHint = "split it into several documents (separated by lines of ---) or files, or raise --max-nodes"

// yamlTooBig returns a diagnostic at the start of the first document of
// data that may hold more than MaxNodes nodes, by yamlNodeBound, or at the
// first value that may take more than MaxValueSize bytes, by
// yamlLongValue; or nil.
// It reads data once, before any of it is parsed, so that a document too
// big to hold is refused in time and memory proportional to its size.
func yamlTooBig(file string, data []byte) *Diagnostic {
	start, line := 0, 1
	for start <= len(data) {
		end, next := docEnd(data, start)
		if n, lines := yamlNodeBound(data[start:end]); n > MaxNodes {
			return &Diagnostic{Pos: Pos{File: file, Line: line, Col: 1},
				Msg: fmt.Sprintf("this YAML document may hold up to %s nodes (keys, values, lists and mappings, counted from its punctuation), more than the limit of %s",
					num.Count(int64(n)), num.Count(int64(MaxNodes))),
				Hint: nodesHint}
		} else if d := yamlLongValue(file, data[start:end], line); d != nil {
			return d
		} else {
			line += lines
		}
		if next < 0 {
			break
		}
		start = next
	}
	return nil
}

// docEnd returns where the YAML document starting at data[start:] ends: at
// the next line that starts with a document marker (--- or ... followed by
// a space, a line break or the end), which no scalar may hold; and where
// the next one starts (the marker line itself), or -1 at the end of data.
func docEnd(data []byte, start int) (end, next int) {
	for i := start; i < len(data); i++ {
		if data[i] != '\n' || i+4 > len(data) {
			continue
		}
		m := data[i+1 : i+4]
		if (string(m) == "---" || string(m) == "...") && (i+4 == len(data) || isBlankByte(data[i+4])) {
			return i + 1, i + 1
		}
	}
	return len(data), -1
}

func isBlankByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0
}

// yamlNodeBound returns an upper bound on the nodes a YAML document
// written as doc can produce, and the lines doc holds. Every node the
// parser makes starts at an indicator (- ? : , [ { and the properties and
// quotes & * ! | > ' "), at the start of a line or at the start of the
// document; one indicator brings at most two nodes (a flow list's
// implicit mapping and its key, a collection and its first entry, a key
// and its empty value). So twice the indicators, plus the lines, plus two
// (the document and its root) bounds the nodes; characters inside quotes and comments count too,
// which only loosens the bound. Generated inventories hold about one node
// per indicator, so the bound is about twice the truth for them.
// TestYAMLNodeBound holds the bound to the parser on every input of the
// YAML test suite and the examples.
func yamlNodeBound(doc []byte) (bound, lines int) {
	ind := 0
	for i, c := range doc {
		switch c {
		case ':', ',', '[', '{', '&', '*', '!', '|', '>', '\'', '"':
			ind++
		case '-', '?':
			// Block entries and keys are followed by a blank; a - or ? in
			// a plain scalar such as an id starts no node.
			if i+1 == len(doc) || isBlankByte(doc[i+1]) {
				ind++
			}
		case '\n':
			lines++
		case '\r':
			if i+1 == len(doc) || doc[i+1] != '\n' {
				lines++
			}
		case 0x85: // NEL, which the YAML library also breaks lines at
			if i > 0 && doc[i-1] == 0xC2 {
				lines++
			}
		case 0xA8, 0xA9: // U+2028, U+2029
			if i > 1 && doc[i-1] == 0x80 && doc[i-2] == 0xE2 {
				lines++
			}
		}
	}
	return 2*ind + lines + 2, lines
}
