package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"testing"
)

// readmeJSON matches the simulate JSON excerpt in README.md: the first json
// block after the sentence that introduces it.
var readmeJSON = regexp.MustCompile("(?s)`--format json` prints a stable document.*?```json\n(.*?)```")

// TestREADMEJSONExcerpt checks the abridged simulate JSON that README.md
// shows against a real run of the command it describes: every value the
// excerpt gives is the real one, except the placeholder "..."; list
// entries with an id are matched by id, why-chains by being among the
// real ones.
func TestREADMEJSONExcerpt(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := readmeJSON.FindSubmatch(data)
	if m == nil {
		t.Fatal("README.md has no simulate JSON excerpt")
	}
	var excerpt any
	if err := decodeNumbers(m[1], &excerpt); err != nil {
		t.Fatalf("README.md simulate JSON excerpt: %v", err)
	}
	stdout, stderr, code := run(t, "", "simulate", "-f", "../examples/kakao-2022.yaml", "--fail", "pangyo", "--format", "json")
	if code != 0 {
		t.Fatalf("simulate exit %d: %s", code, stderr)
	}
	var real any
	if err := decodeNumbers([]byte(stdout), &real); err != nil {
		t.Fatal(err)
	}
	for _, e := range excerptDiff("", excerpt, real) {
		t.Errorf("README.md simulate JSON excerpt: %s", e)
	}
}

// decodeNumbers decodes JSON keeping numbers as written.
func decodeNumbers(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

// excerptDiff lists where excerpt x says something that real does not.
func excerptDiff(path string, x, real any) []string {
	if x == "..." {
		return nil
	}
	switch xv := x.(type) {
	case map[string]any:
		rv, ok := real.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: an object, but the real value is %v", path, real)}
		}
		var out []string
		for k, v := range xv {
			r, ok := rv[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s.%s: not in the real output", path, k))
				continue
			}
			out = append(out, excerptDiff(path+"."+k, v, r)...)
		}
		return out
	case []any:
		rv, ok := real.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: a list, but the real value is %v", path, real)}
		}
		var out []string
		for i, e := range xv {
			if e == "..." {
				continue
			}
			if obj, ok := e.(map[string]any); ok && obj["id"] != nil {
				found := false
				for _, r := range rv {
					if ro, ok := r.(map[string]any); ok && ro["id"] == obj["id"] {
						found = true
						out = append(out, excerptDiff(fmt.Sprintf("%s[id=%v]", path, obj["id"]), e, r)...)
					}
				}
				if !found {
					out = append(out, fmt.Sprintf("%s: no entry with id %v in the real output", path, obj["id"]))
				}
				continue
			}
			if _, nested := e.([]any); nested {
				// a why-chain: it must be one of the real ones, or only
				// a placeholder
				if fmt.Sprint(e) == "[...]" {
					continue
				}
				found := false
				for _, r := range rv {
					found = found || fmt.Sprint(r) == fmt.Sprint(e)
				}
				if !found {
					out = append(out, fmt.Sprintf("%s: chain %v is not among the real ones %v", path, e, rv))
				}
				continue
			}
			if i >= len(rv) || fmt.Sprint(rv[i]) != fmt.Sprint(e) {
				out = append(out, fmt.Sprintf("%s[%d] = %v; the real list is %v", path, i, e, rv))
			}
		}
		return out
	}
	if fmt.Sprint(x) != fmt.Sprint(real) {
		return []string{fmt.Sprintf("%s = %v; the real value is %v", path, x, real)}
	}
	return nil
}
