package out

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
)

// jsonObject writes a JSON object field by field, and big arrays element
// by element, with the same bytes as WriteJSON would write for the whole
// value: a report of a gigabyte is never held in memory twice (encoding/json
// builds the whole document, then indents it into a second buffer).
type jsonObject struct {
	w     *bufio.Writer
	buf   bytes.Buffer
	enc   *json.Encoder
	first bool
	err   error
}

func newJSONObject(w io.Writer) *jsonObject {
	o := &jsonObject{w: bufio.NewWriterSize(w, 1<<20), first: true}
	o.enc = json.NewEncoder(&o.buf)
	o.enc.SetEscapeHTML(false)
	o.w.WriteString("{")
	return o
}

// value writes v as WriteJSON would at the given depth (its first line
// unindented, the others prefixed by depth levels of indentation).
func (o *jsonObject) value(v any, depth int) {
	if o.err != nil {
		return
	}
	prefix := indentOf(depth)
	o.buf.Reset()
	o.enc.SetIndent(prefix, "  ")
	if o.err = o.enc.Encode(v); o.err != nil {
		return
	}
	o.w.Write(bytes.TrimSuffix(o.buf.Bytes(), []byte("\n")))
}

func (o *jsonObject) key(name string) {
	if !o.first {
		o.w.WriteString(",")
	}
	o.first = false
	o.w.WriteString("\n  ")
	o.value(name, 1)
	o.w.WriteString(": ")
}

// field writes one field of the object.
func (o *jsonObject) field(name string, v any) {
	o.key(name)
	o.value(v, 1)
}

// arrayField writes a field whose value is a slice, one element at a time.
func arrayField[T any](o *jsonObject, name string, xs []T) {
	o.key(name)
	switch {
	case xs == nil:
		o.w.WriteString("null")
		return
	case len(xs) == 0:
		o.w.WriteString("[]")
		return
	}
	o.w.WriteString("[")
	for i := range xs {
		if i > 0 {
			o.w.WriteString(",")
		}
		o.w.WriteString("\n    ")
		o.value(&xs[i], 2)
	}
	o.w.WriteString("\n  ]")
}

// close ends the object and flushes it.
func (o *jsonObject) close() error {
	if o.err != nil {
		return o.err
	}
	if o.first {
		o.w.WriteString("}\n")
	} else {
		o.w.WriteString("\n}\n")
	}
	return o.w.Flush()
}

func indentOf(depth int) string {
	const spaces = "                "
	return spaces[:2*depth]
}
