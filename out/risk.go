package out

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/internal/num"
)

// CutSetSource streams a feature's minimal cut sets: counts per order
// (counts[k] sets of k events), and the sets of one order, sorted.
type CutSetSource interface {
	Counts() []uint64
	Each(k int, fn func(ids []string))
	// Probability returns the exact probability of the top event, when
	// it was asked for.
	Probability() (float64, bool)
}

// cutID quotes an id when it would not read back as one cell of a
// tab-separated line: empty, or holding spaces, tabs, quotes or control
// characters.
func cutID(id string) string {
	if id == "" || strings.ContainsAny(id, " \t\"\\") || Clean(id) != id {
		return strconv.Quote(id)
	}
	return id
}

// WriteCutsText writes one line per minimal cut set, order then ids,
// tab-separated, after a header line with the counts per order. done, when
// not nil, is called after every set with the number written so far.
func WriteCutsText(w io.Writer, feature string, src CutSetSource, done func(n uint64)) error {
	bw := bufio.NewWriter(w)
	counts := src.Counts()
	var total uint64
	var per []string
	for k, c := range counts {
		total += c
		if c > 0 {
			per = append(per, fmt.Sprintf("order %d: %d", k, c))
		}
	}
	if total == 0 {
		fmt.Fprintf(bw, "# %s: no minimal cut sets (no failure of the basic events brings it down)\n", Clean(feature))
	} else {
		fmt.Fprintf(bw, "# %s: %d minimal cut %s (%s)\n", Clean(feature), total, num.Plural(int(min(total, 2)), "set", "sets"), strings.Join(per, ", "))
	}
	if p, ok := src.Probability(); ok {
		fmt.Fprintf(bw, "# P(down) = %.10g, exact (BDD)\n", p)
	}
	if total == 0 {
		return bw.Flush()
	}
	var n uint64
	for k := range counts {
		src.Each(k, func(ids []string) {
			bw.WriteString(strconv.Itoa(k))
			for _, id := range ids {
				bw.WriteByte('\t')
				bw.WriteString(cutID(id))
			}
			bw.WriteByte('\n')
			n++
			if done != nil {
				done(n)
			}
		})
	}
	return bw.Flush()
}

// WriteCutsJSON writes {"feature": ..., "cutSets": [[...], ...],
// "countsByOrder": [...]}, streaming the sets.
func WriteCutsJSON(w io.Writer, feature string, src CutSetSource, done func(n uint64)) error {
	bw := bufio.NewWriter(w)
	f, _ := json.Marshal(feature)
	fmt.Fprintf(bw, "{\n  \"feature\": %s,\n  \"cutSets\": [", f)
	counts := src.Counts()
	var n uint64
	for k := range counts {
		src.Each(k, func(ids []string) {
			b, _ := json.Marshal(ids)
			if n > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString("\n    ")
			bw.Write(b)
			n++
			if done != nil {
				done(n)
			}
		})
	}
	if n > 0 {
		bw.WriteString("\n  ")
	}
	if counts == nil {
		counts = []uint64{}
	}
	c, _ := json.Marshal(counts)
	fmt.Fprintf(bw, "],\n  \"countsByOrder\": %s", c)
	if p, ok := src.Probability(); ok {
		v, _ := json.Marshal(p)
		fmt.Fprintf(bw, ",\n  \"probability\": %s", v)
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// FeatureAvailability is one feature's availability for the renderers.
type FeatureAvailability struct {
	ID, Name string
	*graph.Availability
}

// AvailabilityOptions tune the text renderer.
type AvailabilityOptions struct {
	// Top is how many basic events the importance ranking shows; 0 all.
	Top int
}

// WriteAvailabilityText writes, per feature, the probability of being
// down (exact, rare-event, min-cut upper bound), expected downtime per
// year, nines, and the importance ranking "harden first".
func WriteAvailabilityText(w io.Writer, feats []FeatureAvailability, opt AvailabilityOptions) error {
	p := &printer{w: w}
	for i, f := range feats {
		if i > 0 {
			p.printf("\n")
		}
		title := Clean(f.ID)
		if f.Name != "" && f.Name != f.ID {
			title += " (" + Clean(f.Name) + ")"
		}
		p.printf("%s\n", title)
		t := newTable(p)
		t.row("P(down)", prob(f.Exact), "exact (BDD)")
		upTo := ""
		if f.MaxOrder > 0 {
			upTo = fmt.Sprintf(" of at most %d %s", f.MaxOrder, num.Plural(f.MaxOrder, "event", "events"))
		}
		t.row("rare event", prob(f.RareEvent), "sum over minimal cut sets"+upTo)
		t.row("min-cut bound", prob(f.MinCutUpperBound), "1 - product of (1 - P(cut set))"+upTo)
		t.row("downtime", downtime(f.DowntimeHours()), "expected per year")
		t.row("availability", availability(f.Exact), nines(f.Nines()))
		t.row("cut sets", strconv.FormatUint(f.CutSets, 10), "minimal"+strings.Replace(upTo, " of", ", of", 1))
		t.flush()
		imp := f.Importance
		if opt.Top > 0 && len(imp) > opt.Top {
			imp = imp[:opt.Top]
		}
		if len(imp) == 0 {
			continue
		}
		p.printf("  harden first:\n")
		t = newTable(p)
		t.row("event", "P", "Birnbaum", "Fussell-Vesely", "RAW", "RRW")
		for _, im := range imp {
			t.row(Clean(im.Event.ID), prob(im.P), prob(im.Birnbaum), prob(im.FV), ratio(im.RAW), ratio(im.RRW))
		}
		t.flush()
		if len(imp) < len(f.Importance) {
			p.printf("  (%d more; --top 0 shows all)\n", len(f.Importance)-len(imp))
		}
	}
	return p.err
}

func prob(x float64) string {
	switch {
	case x == 0:
		return "0"
	case x >= 0.001:
		return strconv.FormatFloat(x, 'f', 6, 64)
	}
	return strconv.FormatFloat(x, 'e', 4, 64)
}

func ratio(x float64) string {
	if math.IsInf(x, 1) {
		return "inf"
	}
	return strconv.FormatFloat(x, 'f', 3, 64)
}

func downtime(hours float64) string {
	if hours == 0 {
		return "0"
	}
	d := time.Duration(hours * float64(time.Hour))
	switch {
	case d >= time.Hour:
		return d.Round(time.Minute).String()
	case d >= time.Second:
		return d.Round(time.Second).String()
	}
	return d.Round(time.Millisecond).String()
}

// availability formats 1 - down as a percentage with one decimal more
// than the nines need (99.99988%).
func availability(down float64) string {
	decimals := 1
	if down > 0 {
		decimals = min(max(int(math.Ceil(-math.Log10(down)))-1, 1), 12)
	}
	return strconv.FormatFloat(100*(1-down), 'f', decimals, 64) + "%"
}

func nines(n float64) string {
	if math.IsInf(n, 1) {
		return "cannot go down"
	}
	return strconv.FormatFloat(n, 'f', 2, 64) + " nines"
}

// jsonFloat is a float that encodes +Inf as null.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	if math.IsInf(float64(f), 0) || math.IsNaN(float64(f)) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(f))
}

// WriteAvailabilityJSON writes the features' availability as JSON; RAW
// and RRW are null where infinite, nines null for a feature that cannot
// go down.
func WriteAvailabilityJSON(w io.Writer, feats []FeatureAvailability) error {
	type imp struct {
		Event         string    `json:"event"`
		Kind          string    `json:"kind"`
		P             float64   `json:"p"`
		Birnbaum      float64   `json:"birnbaum"`
		FussellVesely float64   `json:"fussellVesely"`
		RAW           jsonFloat `json:"raw"`
		RRW           jsonFloat `json:"rrw"`
	}
	type feat struct {
		Feature          string    `json:"feature"`
		Exact            float64   `json:"pDown"`
		RareEvent        float64   `json:"rareEvent"`
		MinCutUpperBound float64   `json:"minCutUpperBound"`
		DowntimeHours    float64   `json:"downtimeHoursPerYear"`
		Nines            jsonFloat `json:"nines"`
		CutSets          uint64    `json:"cutSets"`
		MaxOrder         int       `json:"cutSetsMaxOrder,omitempty"`
		Importance       []imp     `json:"importance"`
	}
	doc := struct {
		Features []feat `json:"features"`
	}{Features: []feat{}}
	for _, f := range feats {
		x := feat{Feature: f.ID, Exact: f.Exact, RareEvent: f.RareEvent, MinCutUpperBound: f.MinCutUpperBound,
			DowntimeHours: f.DowntimeHours(), Nines: jsonFloat(f.Nines()), CutSets: f.CutSets, MaxOrder: f.MaxOrder, Importance: []imp{}}
		for _, im := range f.Importance {
			x.Importance = append(x.Importance, imp{im.Event.ID, im.Event.Kind.String(), im.P, im.Birnbaum, im.FV, jsonFloat(im.RAW), jsonFloat(im.RRW)})
		}
		doc.Features = append(doc.Features, x)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
