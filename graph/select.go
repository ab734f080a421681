package graph

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/blast-dev/blast/inventory"
)

// Children returns the components whose parent is component v, in id
// order. O(degree).
func (m *Model) Children(v int32) []int32 {
	var out []int32
	for _, g := range m.moList[m.moStart[v]:m.moStart[v+1]] {
		if m.groupKind[g] == GroupParent {
			out = append(out, m.groupOwner[g])
		}
	}
	return out
}

// Parent returns the parent of component v, or -1.
func (m *Model) Parent(v int32) int32 {
	for g := m.ngStart[v]; g < m.ngStart[v+1]; g++ {
		if m.groupKind[g] == GroupParent {
			return m.gmList[m.gmStart[g]]
		}
	}
	return -1
}

// ComponentKinds returns the distinct kinds of the model's components,
// sorted.
func (m *Model) ComponentKinds() []string {
	seen := map[string]bool{}
	for v := range m.ids {
		if m.kinds[v] == Component {
			seen[m.Component(int32(v)).Kind] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Select expands one failure-set term: an id; kind=K (every component of
// kind K); within=ID (component ID and everything it contains); or K=ID
// for a component kind K, such as site=pangyo (as within, checking that ID
// is a K). The result is sorted. Errors say what is wrong and suggest ids.
func (m *Model) Select(term string) ([]int32, error) {
	term = strings.TrimSpace(term)
	key, val, isSel := strings.Cut(term, "=")
	if !isSel {
		v, ok := m.byID[term]
		if !ok {
			return nil, m.unknown(term)
		}
		return []int32{v}, nil
	}
	key, val = strings.TrimSpace(key), strings.TrimSpace(val)
	if key == "kind" {
		var out []int32
		for v := range m.ids {
			if m.kinds[v] == Component && m.Component(int32(v)).Kind == val {
				out = append(out, int32(v))
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("%s: no component has kind %q; kinds present: %s", term, val, strings.Join(m.ComponentKinds(), ", "))
		}
		return out, nil
	}
	v, ok := m.byID[val]
	if !ok {
		return nil, fmt.Errorf("%s: %w", term, m.unknown(val))
	}
	if m.kinds[v] != Component {
		return nil, fmt.Errorf("%s: %q is a %s; %s= selects components", term, val, m.kinds[v], key)
	}
	if key != "within" && m.Component(v).Kind != key {
		kinds := m.ComponentKinds()
		if !slices.Contains(kinds, key) {
			return nil, fmt.Errorf("%s: unknown selector %q; use kind=K, within=ID or a component kind (%s)=ID", term, key, strings.Join(kinds, ", "))
		}
		return nil, fmt.Errorf("%s: %q is a %s, not a %s", term, val, m.Component(v).Kind, key)
	}
	out := []int32{v}
	for i := 0; i < len(out); i++ {
		out = append(out, m.Children(out[i])...)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Terms splits a list of terms, each of which may itself be a
// comma-separated list, into its non-blank parts, in order.
func Terms(terms []string) []string {
	var out []string
	for _, t := range terms {
		for _, part := range strings.Split(t, ",") {
			if strings.TrimSpace(part) != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// SelectAll expands a list of terms (see Select), each of which may itself
// be a comma-separated list, into one sorted failure set. Every bad term is
// reported.
func (m *Model) SelectAll(terms []string) ([]int32, error) {
	var out []int32
	var errs []string
	for _, part := range Terms(terms) {
		vs, err := m.Select(part)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		out = append(out, vs...)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("--fail: %s", strings.Join(errs, "; "))
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func (m *Model) unknown(id string) error {
	if best := inventory.Suggest(id, m.ids); best != "" {
		return fmt.Errorf("unknown id %q; did you mean %q?", id, best)
	}
	return fmt.Errorf("unknown id %q", id)
}
