package cmd

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestScram compares blast with SCRAM, an established Open-PSA tool, on
// fault trees in MEF: the standard benchmark models in the directory
// BLAST_SCRAM_MODELS (by default the inputs the Debian scram package
// installs) and generated trees with up to a million minimal cut sets.
// For every top gate it checks that both tools find the same minimal
// cut sets, set by set, and the same exact probability, and it times
// both (medians of BLAST_SCRAM_RUNS runs, default 5): one run of each
// giving cut sets and probability (blast cuts --probability, SCRAM --bdd
// --probability true). The table goes to
// the test log and, when BLAST_SCRAM_TABLE names a file, to that file.
// scripts/compare-scram runs it.
//
// A model is FILE.xml together with FILE-basic-events.xml when there is
// one; models blast refuses (non-coherent gates, event trees, CCF groups)
// are listed as refused, with the reason. BLAST_SCRAM_ORDERS=MODEL=N,...
// bounds the cut sets of a model with too many to list to order N (both
// tools; the probability stays exact).
//
// Beside SCRAM, which prints 6 significant digits, blast's probability is
// held to 1e-9 relative against exactProbability: an independent reader
// and BDD evaluated with math/big at 200 bits.
func TestScram(t *testing.T) {
	if os.Getenv("BLAST_SCRAM") != "1" {
		t.Skip("comparison with SCRAM: set BLAST_SCRAM=1, put scram on PATH and name the models with BLAST_SCRAM_MODELS=DIR (scripts/compare-scram)")
	}
	scram, err := exec.LookPath("scram")
	if err != nil {
		t.Skip("BLAST_SCRAM=1 but scram is not on PATH: install it (Debian: apt-get install scram)")
	}
	dir := os.Getenv("BLAST_SCRAM_MODELS")
	if dir == "" {
		dir = "/usr/share/scram/input"
	}
	runs := 5
	if s := os.Getenv("BLAST_SCRAM_RUNS"); s != "" {
		if runs, err = strconv.Atoi(s); err != nil || runs < 1 {
			t.Fatalf("BLAST_SCRAM_RUNS=%q: give a whole number of runs, 1 or more", s)
		}
	}
	models := scramModels(t, dir)
	orders := map[string]int{}
	if s := os.Getenv("BLAST_SCRAM_ORDERS"); s != "" {
		for _, kv := range strings.Split(s, ",") {
			name, n, ok := strings.Cut(strings.TrimSpace(kv), "=")
			k, err := strconv.Atoi(n)
			if !ok || err != nil || k < 1 {
				t.Fatalf("BLAST_SCRAM_ORDERS: %q is not MODEL=N with N at least 1", kv)
			}
			orders[name] = k
		}
	}
	for i := range models {
		models[i].order = orders[models[i].name]
	}
	blast := filepath.Join(t.TempDir(), "blast")
	if o, err := exec.Command("go", "build", "-o", blast, "../cmd/blast").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, o)
	}
	gen := t.TempDir()
	for _, g := range []struct{ groups, racks int }{{4, 10}, {5, 10}, {4, 30}} {
		name := fmt.Sprintf("generated-%dx%d", g.groups, g.racks)
		path := filepath.Join(gen, name+".xml")
		if err := os.WriteFile(path, []byte(generatedMEF(g.groups, g.racks, 0.001)), 0o644); err != nil {
			t.Fatal(err)
		}
		models = append(models, scramModel{name: name, files: []string{path}, exact: generatedExact(g.groups, g.racks, 0.001)})
	}

	var table bytes.Buffer
	fmt.Fprintf(&table, "model\ttop\tbasic events\tgates\torder\tcut sets\tsame sets\tP blast\tP scram\tvs scram\tvs exact\tblast wall s\tscram wall s\tblast cpu s\tscram cpu s\tscram calc s\n")
	for _, md := range models {
		t.Run(md.name, func(t *testing.T) {
			row := compareScram(t, blast, scram, md, runs)
			table.WriteString(row)
		})
	}
	t.Logf("blast and SCRAM (medians of %d runs)\n%s", runs, table.String())
	if p := os.Getenv("BLAST_SCRAM_TABLE"); p != "" {
		if err := os.WriteFile(p, table.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

type scramModel struct {
	name  string
	files []string
	order int                              // the cut sets' maximum order; 0 for all
	exact func(top string) (float64, bool) // a closed form, when known
}

// scramModels finds the models under dir, sorted by name.
func scramModels(t *testing.T, dir string) []scramModel {
	var ms []scramModel
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() || !strings.EqualFold(filepath.Ext(name), ".xml") || strings.HasSuffix(name, "-basic-events.xml") {
			return nil
		}
		m := scramModel{name: strings.TrimSuffix(name, filepath.Ext(name)), files: []string{path}}
		be := strings.TrimSuffix(path, filepath.Ext(path)) + "-basic-events.xml"
		if _, err := os.Stat(be); err == nil {
			m.files = append(m.files, be)
		}
		ms = append(ms, m)
		return nil
	})
	if err != nil {
		t.Fatalf("BLAST_SCRAM_MODELS: %v", err)
	}
	slices.SortFunc(ms, func(a, b scramModel) int { return strings.Compare(a.name, b.name) })
	return ms
}

// compareScram runs both tools on one model and returns its table rows.
func compareScram(t *testing.T, blast, scram string, md scramModel, runs int) string {
	var fargs []string
	for _, f := range md.files {
		fargs = append(fargs, "-f", f)
	}
	// blast first: models it refuses are reported, not compared.
	_, e, code := run(t, "", append([]string{"cuts", "--max-order", "1"}, fargs...)...)
	if code == 2 && !strings.Contains(e, "more than one feature") {
		reason, _, _ := strings.Cut(strings.TrimSpace(e), "\n")
		if i := strings.LastIndex(reason, ": "); i >= 0 && strings.Contains(reason, ".xml:") {
			reason = reason[strings.Index(reason, ": ")+2:]
		}
		t.Logf("blast refuses %s: %s", md.name, reason)
		return fmt.Sprintf("%s\t(blast refuses: %s)\n", md.name, reason)
	}

	tmp := t.TempDir()
	report := filepath.Join(tmp, "report.xml")
	limit, order := "1000", "0"
	if md.order > 0 {
		limit, order = strconv.Itoa(md.order), strconv.Itoa(md.order)
	}
	sargs := append([]string{"--bdd", "--probability", "true", "--limit-order", limit, "-o", report}, md.files...)
	scramWall, scramCPU := median(runs, func() time.Duration {
		return runTo(t, filepath.Join(tmp, "scram.log"), scram, sargs...)
	})
	rep := readScramReport(t, report)

	var rows strings.Builder
	for _, sp := range rep.products {
		top := sp.name
		targs := append([]string{"--feature", top}, fargs...)
		var cuts struct {
			CutSets     [][]string `json:"cutSets"`
			Counts      []uint64   `json:"countsByOrder"`
			Probability *float64   `json:"probability"`
		}
		var avail struct {
			Features []struct {
				PDown float64 `json:"pDown"`
			} `json:"features"`
		}
		// Both tools run as processes writing their results to a file.
		cutsOut, availOut := filepath.Join(tmp, "cuts.json"), filepath.Join(tmp, "avail.json")
		// What SCRAM's run gives, cut sets and exact probability, blast
		// gives in one run of cuts --probability; availability (not
		// timed) must agree with it.
		blastWall, blastCPU := median(runs, func() time.Duration {
			return runTo(t, cutsOut, blast, append([]string{"cuts", "--probability", "--max-order", order, "--max-cut-sets", "1000000000", "--format", "json"}, targs...)...)
		})
		runTo(t, availOut, blast, append([]string{"availability", "--max-order", order, "--format", "json"}, targs...)...)
		for _, x := range []struct {
			path string
			v    any
		}{{cutsOut, &cuts}, {availOut, &avail}} {
			data, err := os.ReadFile(x.path)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, x.v); err != nil {
				t.Fatalf("%s: %v", x.path, err)
			}
		}
		if len(avail.Features) != 1 {
			t.Fatalf("blast availability --feature %s: %d features", top, len(avail.Features))
		}

		// Cut sets: counts per order, then every set.
		var total uint64
		for _, c := range cuts.Counts {
			total += c
		}
		if total != uint64(len(sp.sets)) {
			t.Errorf("%s: blast finds %d minimal cut sets; scram %d", top, total, len(sp.sets))
		}
		want := slices.Clone(sp.distribution)
		got := cuts.Counts
		if len(got) > 0 {
			got = got[1:] // scram counts from order 1
		}
		for len(want) > 0 && want[len(want)-1] == 0 {
			want = want[:len(want)-1]
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: cut sets by order %v; scram %v", top, got, want)
		}
		equal := slices.EqualFunc(cuts.CutSets, sp.sets, slices.Equal)
		if !equal {
			for i := range min(len(cuts.CutSets), len(sp.sets)) {
				if !slices.Equal(cuts.CutSets[i], sp.sets[i]) {
					t.Errorf("%s: cut set %d is %v; scram %v", top, i, cuts.CutSets[i], sp.sets[i])
					break
				}
			}
		}

		// Probability: scram prints 6 significant digits, so agreement is
		// checked to that; the independent exact value and a closed form,
		// when known, to 1e-9.
		if cuts.Probability == nil {
			t.Fatalf("blast cuts --probability --feature %s: no probability", top)
		}
		pb := *cuts.Probability
		if pa := avail.Features[0].PDown; math.Abs(pa-pb) > 1e-12*max(pa, pb) {
			t.Errorf("%s: blast cuts --probability %.17g; blast availability %.17g", top, pb, pa)
		}
		rel := math.Abs(pb-sp.probability) / sp.probability
		if rel > 5e-6 {
			t.Errorf("%s: P = %.12g; scram %.6g (relative difference %.2g)", top, pb, sp.probability, rel)
		}
		exact, nEvents, nGates, why := exactProbability(md.files, top, 20_000_000)
		vsExact := "(" + why + ")"
		if exact != nil {
			d := new(big.Float).SetPrec(200).SetFloat64(pb)
			d.Sub(d, exact).Abs(d)
			if exact.Sign() > 0 {
				d.Quo(d, exact)
			}
			r, _ := d.Float64()
			if r > 1e-9 {
				t.Errorf("%s: P = %.17g; exact %s (relative difference %.2g)", top, pb, exact.Text('g', 20), r)
			}
			vsExact = fmt.Sprintf("%.1e", r)
		}
		if md.exact != nil {
			if x, ok := md.exact(top); ok {
				r := math.Abs(pb-x) / x
				if r > 1e-9 {
					t.Errorf("%s: P = %.15g; closed form %.15g (relative difference %.2g)", top, pb, x, r)
				}
				vsExact += fmt.Sprintf(" (closed form: %.1e)", r)
			}
		}
		ord := "all"
		if md.order > 0 {
			ord = strconv.Itoa(md.order)
		}
		same := "no"
		if equal {
			same = "yes"
		}
		fmt.Fprintf(&rows, "%s\t%s\t%d\t%d\t%s\t%d\t%s\t%.10g\t%s\t%.1e\t%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.4f\n",
			md.name, top, nEvents, nGates, ord, total, same, pb, sp.printed, rel, vsExact,
			blastWall.Seconds(), scramWall.Seconds(), blastCPU.Seconds(), scramCPU.Seconds(), sp.calc)
	}
	return rows.String()
}

// runTo runs a command with its standard output going to file path.
// It returns the CPU time the process took.
func runTo(t *testing.T, path, name string, args ...string) time.Duration {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := exec.Command(name, args...)
	var e bytes.Buffer
	c.Stdout, c.Stderr = f, &e
	if err := c.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, e.String())
	}
	return c.ProcessState.UserTime() + c.ProcessState.SystemTime()
}

// median runs fn n times and returns the medians of the wall time and
// of the CPU time (user and system) fn says its processes took. The CPU
// time is the steadier figure on a busy machine.
func median(n int, fn func() time.Duration) (wall, cpu time.Duration) {
	ws, cs := make([]time.Duration, n), make([]time.Duration, n)
	for i := range ws {
		start := time.Now()
		cs[i] = fn()
		ws[i] = time.Since(start)
	}
	slices.Sort(ws)
	slices.Sort(cs)
	return ws[n/2], cs[n/2]
}

type scramProducts struct {
	name         string
	events       int
	probability  float64
	printed      string
	distribution []uint64
	sets         [][]string // each sorted, sorted by order then names
	calc         float64    // scram's own products + probability seconds
}

type scramReport struct{ products []scramProducts }

// readScramReport streams a SCRAM report: one sum-of-products per top gate.
func readScramReport(t *testing.T, path string) scramReport {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := xml.NewDecoder(f)
	var rep scramReport
	calc := map[string]float64{}
	var calcName, calcField string
	var cur *scramProducts
	var set []string
	attr := func(s xml.StartElement, k string) string {
		for _, a := range s.Attr {
			if a.Name.Local == k {
				return a.Value
			}
		}
		return ""
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		switch s := tok.(type) {
		case xml.StartElement:
			switch s.Name.Local {
			case "calculation-time":
				calcName = attr(s, "name")
			case "products", "probability":
				calcField = s.Name.Local
			case "sum-of-products":
				rep.products = append(rep.products, scramProducts{name: attr(s, "name"), printed: attr(s, "probability")})
				cur = &rep.products[len(rep.products)-1]
				cur.events, _ = strconv.Atoi(attr(s, "basic-events"))
				cur.probability, err = strconv.ParseFloat(cur.printed, 64)
				if err != nil {
					t.Fatalf("%s: probability %q: %v", path, cur.printed, err)
				}
				for _, f := range strings.Fields(attr(s, "distribution")) {
					n, _ := strconv.ParseUint(f, 10, 64)
					cur.distribution = append(cur.distribution, n)
				}
			case "product":
				set = set[:0]
			case "basic-event":
				set = append(set, attr(s, "name"))
			}
		case xml.CharData:
			if calcField != "" {
				v, err := strconv.ParseFloat(strings.TrimSpace(string(s)), 64)
				if err == nil {
					calc[calcName] += v
				}
			}
		case xml.EndElement:
			switch s.Name.Local {
			case "products", "probability":
				calcField = ""
			case "product":
				cur.sets = append(cur.sets, slices.Sorted(slices.Values(set)))
			}
		}
	}
	for i := range rep.products {
		p := &rep.products[i]
		p.calc = calc[p.name]
		slices.SortFunc(p.sets, func(a, b []string) int {
			if len(a) != len(b) {
				return len(a) - len(b)
			}
			return slices.Compare(a, b)
		})
	}
	return rep
}

// generatedMEF writes a fault tree with (racks+2)^groups minimal cut sets:
// the top is down when every group is; a group when its site, both its
// power feeds, or any one of its racks is. Every event has probability p.
func generatedMEF(groups, racks int, p float64) string {
	var b strings.Builder
	ev := func(name string) {
		fmt.Fprintf(&b, "    <define-basic-event name=%q><float value=\"%g\"/></define-basic-event>\n", name, p)
	}
	b.WriteString("<?xml version=\"1.0\"?>\n<opsa-mef>\n  <define-fault-tree name=\"generated\">\n")
	b.WriteString("    <define-gate name=\"top\"><and>")
	for g := range groups {
		fmt.Fprintf(&b, "<gate name=\"group%d\"/>", g)
	}
	b.WriteString("</and></define-gate>\n")
	for g := range groups {
		fmt.Fprintf(&b, "    <define-gate name=\"group%d\"><or><basic-event name=\"site%d\"/><and><basic-event name=\"site%d-ups0\"/><basic-event name=\"site%d-ups1\"/></and>", g, g, g, g)
		for r := range racks {
			fmt.Fprintf(&b, "<basic-event name=\"site%d-r%02d\"/>", g, r)
		}
		b.WriteString("</or></define-gate>\n")
		ev(fmt.Sprintf("site%d", g))
		ev(fmt.Sprintf("site%d-ups0", g))
		ev(fmt.Sprintf("site%d-ups1", g))
		for r := range racks {
			ev(fmt.Sprintf("site%d-r%02d", g, r))
		}
	}
	b.WriteString("  </define-fault-tree>\n</opsa-mef>\n")
	return b.String()
}

// generatedExact is the closed form of generatedMEF's top probability.
func generatedExact(groups, racks int, p float64) func(string) (float64, bool) {
	return func(top string) (float64, bool) {
		if top != "top" {
			return 0, false
		}
		up := (1 - p) * (1 - p*p) * math.Pow(1-p, float64(racks))
		return math.Pow(1-up, float64(groups)), true
	}
}

func TestGeneratedMEF(t *testing.T) {
	// The generator's cut sets and closed form, checked on a small case
	// through blast itself, so that the comparison above rests on them.
	dir := t.TempDir()
	path := filepath.Join(dir, "g.xml")
	if err := os.WriteFile(path, []byte(generatedMEF(2, 3, 0.01)), 0o644); err != nil {
		t.Fatal(err)
	}
	v := cutsJSON(t, []string{"cuts", "-f", path, "--max-order", "0", "--format", "json"})
	var n int
	for _, s := range v.(struct {
		CutSets [][]string `json:"cutSets"`
		Counts  []int      `json:"countsByOrder"`
	}).CutSets {
		_ = s
		n++
	}
	if n != 25 {
		t.Errorf("generatedMEF(2, 3) has %d minimal cut sets; want (3+2)^2 = 25", n)
	}
	got := pDown(t, []string{"availability", "-f", path, "--format", "json"})
	want, _ := generatedExact(2, 3, 0.01)("top")
	if math.Abs(got-want) > 1e-12*want {
		t.Errorf("P(top) = %.15g; closed form %.15g", got, want)
	}
	// The independent exact evaluation agrees with the closed form too.
	x, events, gates, why := exactProbability([]string{path}, "top", 1000)
	if x == nil {
		t.Fatalf("exactProbability declines: %s", why)
	}
	if xf, _ := x.Float64(); math.Abs(xf-want) > 1e-12*want || events != 2*(3+3) || gates != 3 {
		t.Errorf("exactProbability = %.17g, %d events, %d gates; want %.17g, 12, 3", xf, events, gates, want)
	}
}

func TestExactProbability(t *testing.T) {
	// House events, constants, atleast and a private component, against
	// a hand calculation: top = c.g and (a or b), c.g = atleast 2 of
	// {a, b, h=true} = a or b; so P = P(a or b) = 1 - 0.9*0.8.
	dir := t.TempDir()
	path := filepath.Join(dir, "m.xml")
	os.WriteFile(path, []byte(`<opsa-mef><define-fault-tree name="f">
<define-gate name="top"><and><gate name="c.g"/><or><basic-event name="a"/><basic-event name="b"/><constant value="false"/></or></and></define-gate>
<define-component name="c" role="private"><define-gate name="g"><atleast min="2"><event name="a"/><event name="b"/><house-event name="h"/></atleast></define-gate></define-component>
<define-house-event name="h"><constant value="true"/></define-house-event>
<define-basic-event name="a"><float value="0.1"/></define-basic-event>
<define-basic-event name="b"><float value="0.2"/></define-basic-event>
</define-fault-tree></opsa-mef>`), 0o644)
	x, _, _, why := exactProbability([]string{path}, "top", 1000)
	if x == nil {
		t.Fatalf("exactProbability declines: %s", why)
	}
	want, _, _ := big.ParseFloat("0.28", 10, 200, big.ToNearestEven)
	if d := new(big.Float).Sub(x, want); d.Abs(d).Cmp(big.NewFloat(1e-50)) > 0 {
		t.Errorf("exactProbability = %s; want 0.28", x.Text('g', 30))
	}
	if _, _, _, why := exactProbability([]string{path}, "top", 3); !strings.Contains(why, "BDD over 3 nodes") {
		t.Errorf("exactProbability with 3 nodes: %q; want it to decline", why)
	}
}
