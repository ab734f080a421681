package inventory

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"go.yaml.in/yaml/v4"
)

// File is one input: a name for messages and its bytes.
type File struct {
	Name string
	Data []byte
}

// MaxFileSize bounds one input file, in bytes; larger files are refused
// before parsing. blast's --max-input-size sets it.
var MaxFileSize int64 = 1 << 30

// DefaultMaxEntities is MaxEntities unless changed.
const DefaultMaxEntities = 5_000_000

// MaxEntities bounds how many components, services and features one
// inventory may hold. blast's --max-entities sets it.
var MaxEntities = DefaultMaxEntities

// tooMany reports an inventory holding more than MaxEntities entities, at
// the first entity past the limit.
func tooMany(inv *Inventory) Diagnostics {
	n := len(inv.Components) + len(inv.Services) + len(inv.Features)
	if n <= MaxEntities {
		return nil
	}
	var pos Pos
	switch k := MaxEntities; {
	case k < len(inv.Components):
		pos = inv.Components[k].Pos
	case k-len(inv.Components) < len(inv.Services):
		pos = inv.Services[k-len(inv.Components)].Pos
	default:
		pos = inv.Features[k-len(inv.Components)-len(inv.Services)].Pos
	}
	if pos.File == "" && len(inv.Files) > 0 {
		pos = Pos{File: inv.Files[0], Line: 1, Col: 1}
	}
	return Diagnostics{{Pos: pos, Msg: fmt.Sprintf("the inventory holds %d entities, more than the limit of %d", n, MaxEntities),
		Hint: "raise --max-entities if the inventory is meant to be this large"}}
}

// ReadPaths reads the inputs named by paths: a file, a directory (every
// *.yaml, *.yml and *.json file under it, in lexical order, hidden
// directories skipped) or "-" for stdin. Files are returned in the order
// given. A path that does not exist or a directory with no inventory files
// is an error.
func ReadPaths(paths []string, stdin io.Reader) ([]File, error) {
	var files []File
	for _, p := range paths {
		if p == "-" {
			if stdin == nil {
				return nil, errors.New("-: no standard input")
			}
			data, err := readLimited(stdin, "-")
			if err != nil {
				return nil, err
			}
			files = append(files, File{Name: "-", Data: data})
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, unwrapPathError(err))
		}
		if !st.IsDir() {
			f, err := readFile(p)
			if err != nil {
				return nil, err
			}
			files = append(files, f)
			continue
		}
		var names []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != p && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if IsInventoryName(d.Name()) {
				names = append(names, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, unwrapPathError(err))
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("%s: directory holds no *.yaml, *.yml or *.json files", p)
		}
		sort.Strings(names)
		for _, n := range names {
			f, err := readFile(n)
			if err != nil {
				return nil, err
			}
			files = append(files, f)
		}
	}
	return files, nil
}

// IsInventoryName reports whether ReadPaths reads a file of this name when
// it walks a directory: not hidden, ending in .yaml, .yml or .json.
func IsInventoryName(name string) bool {
	if strings.HasPrefix(name, ".") {
		return false
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func readFile(name string) (File, error) {
	f, err := os.Open(name)
	if err != nil {
		return File{}, fmt.Errorf("%s: %w", name, unwrapPathError(err))
	}
	defer f.Close()
	size := int64(0)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	data, err := readSized(f, name, size)
	if err != nil {
		return File{}, err
	}
	return File{Name: name, Data: data}, nil
}

func readLimited(r io.Reader, name string) ([]byte, error) {
	return readSized(r, name, 0)
}

// readSized reads r, refusing more than MaxFileSize bytes; size, when
// known, is what r holds, so that the buffer is allocated once instead of
// doubling (a file then costs its size in memory, not up to 2.5 times).
func readSized(r io.Reader, name string, size int64) ([]byte, error) {
	var b bytes.Buffer
	if size > 0 && size <= MaxFileSize {
		b.Grow(int(size) + bytes.MinRead)
	}
	_, err := b.ReadFrom(io.LimitReader(r, MaxFileSize+1))
	data := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, unwrapPathError(err))
	}
	if int64(len(data)) > MaxFileSize {
		return nil, fmt.Errorf("%s: larger than the input size limit of %s; split the inventory over several files or raise --max-input-size", name, formatBytes(MaxFileSize))
	}
	return data, nil
}

// bigDocument is the number of nodes past which a YAML document's tree is
// collected as soon as it is decoded: about 50 MB.
const bigDocument = 250_000

// Parse decodes files into one merged Inventory without checking references
// between entities. Every syntax and shape problem of every file is
// reported; the returned Diagnostics may also hold warnings.
func Parse(files []File) (*Inventory, Diagnostics) {
	inv, diags, _, _ := parse(files)
	return inv, diags
}

// parse is Parse that also returns the parts of entities, by position, that
// decoding errors dropped (see parts), and whether a file was not read to
// its end because it held too many problems (see maxFileProblems).
func parse(files []File) (inv *Inventory, diags Diagnostics, damaged map[Pos]parts, stopped bool) {
	inv = &Inventory{}
	damaged = make(map[Pos]parts)
	for _, f := range files {
		inv.Files = append(inv.Files, f.Name)
		if parseFile(f, inv, &diags, damaged) {
			stopped = true
		}
	}
	if inv.APIVersion == "" && diags.Err() == nil {
		inv.APIVersion, inv.Kind = APIVersion, "Inventory"
	}
	return inv, diags, damaged, stopped
}

// parseFile decodes f into inv and reports whether it stopped before the
// end of f because f held too many problems.
func parseFile(f File, inv *Inventory, diags *Diagnostics, damaged map[Pos]parts) (stopped bool) {
	if len(bytes.TrimSpace(f.Data)) == 0 {
		*diags = append(*diags, Diagnostic{Pos: Pos{File: f.Name, Line: 1, Col: 1}, Msg: "file is empty", Hint: "start it with apiVersion: " + APIVersion})
		return false
	}
	stopAt := len(*diags) + maxFileProblems
	if looksJSON(f) {
		// JSON has no aliases: no walk budget. The lists' elements are
		// decoded as the parser reads them.
		d := &decoder{file: f.Name, diags: diags, budget: math.MaxInt, damaged: damaged, stopAt: stopAt}
		nc, ns, nf, nd := len(inv.Components), len(inv.Services), len(inv.Features), len(*diags)
		root, err := parseJSONStream(f.Data, func(list string, i int, n *yaml.Node) { d.streamItem(list, i, n, inv) })
		if err == nil {
			d.document(root, inv)
			return d.stopped
		}
		// Undo what was streamed before the syntax error.
		inv.Components, inv.Services, inv.Features, *diags = inv.Components[:nc], inv.Services[:ns], inv.Features[:nf], (*diags)[:nd]
		for p := range damaged {
			if p.File == f.Name {
				delete(damaged, p)
			}
		}
		je := err.(*jsonError)
		if je.hint != "" {
			*diags = append(*diags, Diagnostic{Pos: Pos{File: f.Name, Line: je.line, Col: je.col}, Msg: je.msg, Hint: je.hint})
			return false
		}
		if isJSONName(f.Name) {
			*diags = append(*diags, Diagnostic{Pos: Pos{File: f.Name, Line: je.line, Col: je.col}, Msg: "syntax error: " + je.msg,
				Hint: "check the JSON for a missing comma, quote or bracket"})
			return false
		}
		// Not JSON after all: a YAML flow mapping, perhaps.
	}
	if d := yamlTooBig(f.Name, f.Data); d != nil {
		*diags = append(*diags, *d)
		return false
	}
	dec := yaml.NewDecoder(bytes.NewReader(f.Data))
	for docs := 0; ; docs++ {
		var root yaml.Node
		err := dec.Decode(&root)
		if err == io.EOF {
			return false
		}
		if err != nil {
			*diags = append(*diags, syntaxDiagnostic(f.Name, err))
			return false
		}
		d := newDecoder(f.Name, &root, diags)
		d.damaged, d.stopAt = damaged, stopAt
		d.document(&root, inv)
		if d.stopped {
			return true
		}
		// The library keeps the last document until it starts the next;
		// root shares its content, so clearing it lets the tree go now.
		// After a big document, collect it at once: blast sets the
		// collector to let the heap grow to five times what is live, and
		// the garbage of several big documents would add up to several
		// times the largest.
		clear(root.Content)
		if d.nodes > bigDocument {
			runtime.GC()
		}
	}
}

// syntaxDiagnostic turns a YAML parser error into a Diagnostic at its mark.
func syntaxDiagnostic(file string, err error) Diagnostic {
	d := Diagnostic{Pos: Pos{File: file, Line: 1, Col: 1}, Msg: "syntax error: " + err.Error()}
	var le *yaml.LoadError
	if errors.As(err, &le) {
		d.Msg = "syntax error: " + le.Message
		if le.ContextMsg != "" {
			d.Msg += " " + le.ContextMsg
			if le.ContextMark.Line > 0 && le.ContextMark.Line != le.Mark.Line {
				d.Msg += fmt.Sprintf(" started at line %d", le.ContextMark.Line)
			}
		}
		if le.Mark.Line > 0 {
			d.Pos.Line, d.Pos.Col = le.Mark.Line, max(le.Mark.Column, 1)
		}
	}
	if strings.HasSuffix(strings.ToLower(file), ".json") {
		d.Hint = "check the JSON for a missing comma, quote or bracket"
	} else {
		d.Hint = "check the indentation and quoting near here"
	}
	return d
}

// Load reads, parses and validates the inventory named by paths (see
// ReadPaths). The error, when not nil, is a read error or Diagnostics
// holding every problem found; warnings come back with a valid inventory.
func Load(paths []string, stdin io.Reader) (*Inventory, Diagnostics, error) {
	files, err := ReadPaths(paths, stdin)
	if err != nil {
		return nil, nil, err
	}
	return LoadFiles(files)
}

// LoadFiles parses and validates files as one inventory; see Load.
func LoadFiles(files []File) (*Inventory, Diagnostics, error) {
	inv, diags, damaged, stopped := parse(files)
	if many := tooMany(inv); many != nil || stopped {
		// A file not read to its end would only bring errors about what
		// was not read.
		diags = append(diags, many...)
		diags.Sort()
		return nil, diags, diags
	}
	// Validate even after shape errors, so that one run reports every
	// problem; entities that could not be decoded were dropped, and
	// references to them cannot have been read either. Parts of entities
	// that were dropped are not counted (see parts).
	diags = append(diags, validate(inv, damaged)...)
	diags.Sort()
	if err := diags.Err(); err != nil {
		return nil, diags, err
	}
	return inv, diags, nil
}

func isJSONName(name string) bool {
	return strings.EqualFold(filepath.Ext(name), ".json")
}

// looksJSON reports whether f should be read by the JSON parser: a .json
// file, or another input whose first character is '{'.
func looksJSON(f File) bool {
	if isJSONName(f.Name) {
		return true
	}
	ext := strings.ToLower(filepath.Ext(f.Name))
	if ext == ".yaml" || ext == ".yml" {
		return false
	}
	t := bytes.TrimLeft(f.Data, " \t\r\n\xef\xbb\xbf")
	return len(t) > 0 && t[0] == '{'
}

// formatBytes writes n in the largest binary unit that divides it.
func formatBytes(n int64) string {
	for _, u := range []struct {
		unit string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf("%d %s", n/u.size, u.unit)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}
