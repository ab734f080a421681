package cmd

import (
	"fmt"
	"strings"

	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/internal/num"
	"github.com/blast-dev/blast/inventory"
)

// loadRiskModel loads the inventory, or Open-PSA MEF fault trees when the
// files are XML (by extension or content): cuts and availability accept
// both. Mixing the two is refused.
func loadRiskModel(io *IO, files []string) (*graph.Model, error) {
	if len(files) == 0 {
		return nil, usagef("no inventory given: name it with -f FILE or -f DIR")
	}
	fs, err := inventory.ReadPaths(files, io.In)
	if err != nil {
		return nil, &ExitError{ExitInput, err}
	}
	mef := 0
	for _, f := range fs {
		if inventory.IsOpenPSA(f) {
			mef++
		}
	}
	if mef == 0 {
		return loadModel(io, files)
	}
	if mef != len(fs) {
		return nil, &ExitError{ExitInput, fmt.Errorf("mix of Open-PSA XML and inventory files; give one kind")}
	}
	inv, err := loadOpenPSA(io, fs)
	if err != nil {
		return nil, err
	}
	if len(inv.Features) == 0 {
		var names []string
		for _, f := range fs {
			names = append(names, f.Name)
		}
		return nil, &ExitError{ExitInput, fmt.Errorf("%s: no fault tree: %s no gate, only %d basic %s; give the file with the gates too (several files may be given: -f gates.xml -f events.xml)",
			strings.Join(names, ", "), num.Plural(len(fs), "the file defines", "the files define"), len(inv.Components), num.Plural(len(inv.Components), "event", "events"))}
	}
	return buildModel(inv)
}

// loadOpenPSA parses MEF files, printing every diagnostic to ErrOut.
func loadOpenPSA(io *IO, fs []inventory.File) (*inventory.Inventory, error) {
	inv, diags := inventory.ParseOpenPSA(fs)
	if err := printDiagnostics(io, diags, "the Open-PSA input"); err != nil {
		return nil, err
	}
	return inv, nil
}

// riskTarget resolves --feature: a feature or service id. Empty means
// every feature when all is set, else the only feature there is.
func riskTarget(m *graph.Model, id string, all bool) ([]int32, error) {
	if id == "" {
		fs := m.Nodes(graph.Feature)
		if len(fs) == 0 {
			return nil, &ExitError{ExitInput, fmt.Errorf("the inventory has no feature; name a service with --feature ID")}
		}
		if all || len(fs) == 1 {
			return fs, nil
		}
		var ids []string
		for _, f := range fs {
			ids = append(ids, m.ID(f))
		}
		return nil, usagef("name the feature with --feature ID (one of %s)", strings.Join(ids, ", "))
	}
	v, ok := m.Lookup(id)
	if !ok || m.Kind(v) == graph.Component {
		return nil, &ExitError{ExitInput, fmt.Errorf("--feature %q: no feature or service has that id", id)}
	}
	return []int32{v}, nil
}
