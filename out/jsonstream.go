package out

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"strings"
)

// jsonStream writes a JSON value piece by piece, with the bytes
// encoding/json would write for the whole value (indented by two spaces,
// HTML left unescaped): encoding/json builds the whole document, then
// indents it into a second buffer, which for a report of a gigabyte is
// two gigabytes held at once.
type jsonStream struct {
	w   *bufio.Writer
	buf bytes.Buffer
	enc *json.Encoder
	err error
}

func newJSONStream(w io.Writer) *jsonStream {
	o := &jsonStream{w: bufio.NewWriterSize(w, 1<<20)}
	o.enc = json.NewEncoder(&o.buf)
	o.enc.SetEscapeHTML(false)
	return o
}

// value writes v as encoding/json would at the given depth: its first
// line unindented, the others prefixed by depth levels of indentation.
func (o *jsonStream) value(v any, depth int) {
	if o.err != nil {
		return
	}
	o.buf.Reset()
	o.enc.SetIndent(strings.Repeat("  ", depth), "  ")
	if o.err = o.enc.Encode(v); o.err != nil {
		return
	}
	o.w.Write(bytes.TrimSuffix(o.buf.Bytes(), []byte("\n")))
}

// slice writes the non-empty slice s at depth, one element at a time.
func (o *jsonStream) slice(s reflect.Value, depth int) {
	o.w.WriteString("[")
	indent := "\n" + strings.Repeat("  ", depth+1)
	for i := 0; i < s.Len(); i++ {
		if i > 0 {
			o.w.WriteString(",")
		}
		o.w.WriteString(indent)
		o.value(s.Index(i).Interface(), depth+1)
	}
	o.w.WriteString("\n" + strings.Repeat("  ", depth) + "]")
}

var marshalerType = reflect.TypeFor[json.Marshaler]()

// writeJSONStream writes v when it is a struct (or a pointer to one) of
// plain exported fields, or a slice: the shapes of blast's reports. It
// returns false, having written nothing, for anything else (embedded
// fields, custom marshalers at the top, maps...), which encoding/json
// then writes whole.
func writeJSONStream(w io.Writer, v any) (bool, error) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	t := rv.Type()
	if t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) {
		return false, nil
	}
	switch rv.Kind() {
	case reflect.Slice:
		if rv.IsNil() || rv.Len() == 0 {
			return false, nil
		}
		o := newJSONStream(w)
		o.slice(rv, 0)
		return true, o.end()
	case reflect.Struct:
	default:
		return false, nil
	}
	type field struct {
		name      string
		index     int
		omitEmpty bool
	}
	var fields []field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			return false, nil // embedded fields: leave the rules to encoding/json
		}
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",string,") {
			return false, nil
		}
		if name == "" {
			name = f.Name
		}
		fields = append(fields, field{name: name, index: i, omitEmpty: strings.Contains(","+opts+",", ",omitempty,")})
	}
	o := newJSONStream(w)
	o.w.WriteString("{")
	first := true
	for _, f := range fields {
		fv := rv.Field(f.index)
		if f.omitEmpty && isEmptyJSON(fv) {
			continue
		}
		if !first {
			o.w.WriteString(",")
		}
		first = false
		o.w.WriteString("\n  ")
		o.value(f.name, 1)
		o.w.WriteString(": ")
		if fv.Kind() == reflect.Slice && fv.Len() > 0 && !fv.Type().Implements(marshalerType) && fv.Type().Elem().Kind() != reflect.Uint8 {
			o.slice(fv, 1)
			continue
		}
		o.value(fv.Interface(), 1)
	}
	if first {
		o.w.WriteString("}")
	} else {
		o.w.WriteString("\n}")
	}
	return true, o.end()
}

// end finishes the document with encoding/json's final newline.
func (o *jsonStream) end() error {
	if o.err != nil {
		return o.err
	}
	o.w.WriteString("\n")
	return o.w.Flush()
}

// isEmptyJSON is encoding/json's rule for omitempty.
func isEmptyJSON(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}
