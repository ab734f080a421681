package out

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/internal/num"
)

// product is the outcome of one product's features in one simulation.
type product struct {
	name                 string
	features, down, degr int
	usersDown, usersDegr int64
}

func (p product) label() string {
	switch {
	case p.down == p.features:
		return "DOWN"
	case p.down > 0:
		return fmt.Sprintf("DOWN %d/%d", p.down, p.features)
	case p.degr > 0:
		return fmt.Sprintf("DEGRADED %d/%d", p.degr, p.features)
	}
	return "up"
}

// products groups s's features by category label and product, both
// sorted; features without a category are in "other", without a product
// in their own id.
func products(s *Simulation) map[string][]product {
	byCat := map[string]map[string]*product{}
	for _, f := range s.Features {
		cat := f.Labels["category"]
		if cat == "" {
			cat = "other"
		}
		name := f.Product
		if name == "" {
			name = f.ID
		}
		if byCat[cat] == nil {
			byCat[cat] = map[string]*product{}
		}
		p := byCat[cat][name]
		if p == nil {
			p = &product{name: name}
			byCat[cat][name] = p
		}
		p.features++
		switch f.State {
		case "down":
			p.down++
			p.usersDown += f.Users
		case "degraded":
			p.degr++
			p.usersDegr += f.Users
		}
	}
	out := map[string][]product{}
	for cat, ps := range byCat {
		for _, p := range ps {
			out[cat] = append(out[cat], *p)
		}
		slices.SortFunc(out[cat], func(a, b product) int {
			return cmp.Or(cmp.Compare(b.usersDown+b.usersDegr, a.usersDown+a.usersDegr), cmp.Compare(a.name, b.name))
		})
	}
	return out
}

// WriteDemo writes two simulations of the same failure side by side: per
// category of product, the left estate's products and states next to the
// right's; then the totals; then the left estate's three worst root causes
// with the why-chains that show them, and what the right estate lost.
func WriteDemo(w io.Writer, left, right *Simulation, opt TextOptions) error {
	p := &printer{w: w, color: opt.Color}
	lm := left.res.Model()
	var failed []string
	for _, v := range left.res.Failed {
		f := Clean(lm.ID(v))
		if name := lm.Name(v); name != lm.ID(v) {
			f += " (" + Clean(name) + ")"
		}
		failed = append(failed, f)
	}
	p.printf("Failed in both estates: %s\n\n", strings.Join(failed, ", "))

	lp, rp := products(left), products(right)
	var cats []string
	weight := map[string]int64{}
	for cat, ps := range lp {
		cats = append(cats, cat)
		for _, x := range ps {
			weight[cat] += x.usersDown + x.usersDegr
		}
	}
	for cat, ps := range rp {
		if _, ok := lp[cat]; !ok {
			cats = append(cats, cat)
		}
		for _, x := range ps {
			weight[cat] += x.usersDown + x.usersDegr
		}
	}
	slices.SortFunc(cats, func(a, b string) int {
		if (a == "other") != (b == "other") {
			if a == "other" {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(weight[b], weight[a]), cmp.Compare(a, b))
	})

	tw := newTable(p)
	tw.rawRow(fmt.Sprintf("CATEGORY\t%s\t\t\t%s\t\t", strings.ToUpper(Clean(left.Inventory)), strings.ToUpper(Clean(right.Inventory))))
	cell := func(ps []product, i int) string {
		if i >= len(ps) {
			return "\t\t"
		}
		x := ps[i]
		users := ""
		if x.usersDown > 0 {
			users = Count(x.usersDown) + " users"
		} else if x.usersDegr > 0 {
			users = Count(x.usersDegr) + " users"
		}
		return Clean(x.name) + "\t" + x.label() + "\t" + users
	}
	for _, cat := range cats {
		l, r := lp[cat], rp[cat]
		for i := 0; i < max(len(l), len(r)); i++ {
			c := ""
			if i == 0 {
				c = cat
			}
			tw.rawRow(fmt.Sprintf("%s\t%s\t%s", Clean(c), cell(l, i), cell(r, i)))
		}
	}
	total := func(s *Simulation) string {
		return fmt.Sprintf("%d/%d features down, %d degraded\t\tΣ %s users",
			s.Summary.FeaturesDown, s.Summary.Features, s.Summary.FeaturesDegraded, Count(s.Summary.UsersDown+s.Summary.UsersDegraded))
	}
	tw.rawRow(fmt.Sprintf("TOTAL\t%s\t%s", total(left), total(right)))
	tw.flush()
	p.printf("Users are summed over features: someone who uses three features counts three times.\n")

	m := left.res.Model()
	all := left.res.RootCauses()
	roots := all
	if len(roots) > 3 {
		roots = roots[:3]
	}
	p.printf("\nWhy %s went dark: %s\n", Clean(left.Inventory), rootsHeading(left, all, roots))
	for i, rc := range roots {
		p.printf("\n%d. %s", i+1, p.bold(m.ID(rc.Node)))
		if name := m.Name(rc.Node); name != m.ID(rc.Node) {
			p.printf(" (%s)", Clean(name))
		}
		p.printf(": %s\n", rootSummary(m, left.res, rc))
		if len(rc.Blocked) > 0 {
			p.printf("   blocked the failover of %d %s: %s\n", len(rc.Blocked), num.Plural(len(rc.Blocked), "service", "services"), listIDs(m, rc.Blocked, 8))
		}
		p.printf("   takes down %d %s, %s users: %s\n", len(rc.Features), num.Plural(len(rc.Features), "feature", "features"),
			Count(rc.UsersDown+rc.UsersDegraded), listIDs(m, rc.Features, 6))
		if f := worstFeature(m, left.res, rc.Features); f >= 0 {
			path := left.res.PathTo(f, rc.Node)
			chain := append(path, left.res.Chain(rc.Node)[1:]...)
			p.printf("   why: %s\n", p.chain(m, left.res, chain))
		}
	}

	p.printf("\n%s: %d of %d features disrupted, Σ %s users; still up:\n", Clean(left.Inventory), left.Summary.FeaturesDown+left.Summary.FeaturesDegraded,
		left.Summary.Features, Count(left.Summary.UsersDown+left.Summary.UsersDegraded))
	p.upFeatures(left)

	rm := right.res.Model()
	var hit []FeatureState
	for _, f := range right.Features {
		if f.State != "up" {
			hit = append(hit, f)
		}
	}
	slices.SortFunc(hit, ByImpact)
	p.printf("\n%s: %d of %d features disrupted, Σ %s users; the rest stay up\n", Clean(right.Inventory), len(hit), right.Summary.Features,
		Count(right.Summary.UsersDown+right.Summary.UsersDegraded))
	for _, f := range hit {
		chains, _ := right.res.Why(f.node, 1)
		why := ""
		if len(chains) > 0 {
			why = p.chain(rm, right.res, chains[0])
		}
		p.printf("  %s %s\n", p.state(f.State), why)
	}
	p.upFeatures(right)
	return p.err
}

// upFeatures writes the features of s that stay up, one a line, each with
// its name, in id order.
func (p *printer) upFeatures(s *Simulation) {
	for _, f := range s.Features {
		if f.State != "up" {
			continue
		}
		line := Clean(f.ID)
		if f.Name != "" && f.Name != f.ID {
			line += " (" + Clean(f.Name) + ")"
		}
		p.printf("  %s %s\n", p.state("up"), line)
	}
}

// rootsHeading says how many root causes are shown of how many, and how
// many of the disrupted features the ones shown reach.
func rootsHeading(s *Simulation, all, shown []graph.RootCause) string {
	disrupted := s.Summary.FeaturesDown + s.Summary.FeaturesDegraded
	reached := map[int32]bool{}
	for _, rc := range shown {
		for _, f := range rc.Features {
			reached[f] = true
		}
	}
	noun := num.Plural(len(shown), "root cause", "root causes")
	if len(shown) == len(all) {
		return fmt.Sprintf("its %d %s, behind %d of the %d features down or degraded", len(shown), noun, len(reached), disrupted)
	}
	return fmt.Sprintf("the %d %s behind the most users (of %d), reaching %d of the %d features down or degraded",
		len(shown), noun, len(all), len(reached), disrupted)
}

// rootSummary says in a few words why a root-cause service went down.
func rootSummary(m *graph.Model, res *graph.Result, rc graph.RootCause) string {
	v := rc.Node
	if res.IsFailed(v) {
		return "failed (software failure)"
	}
	active, standby := m.Placed(v)
	runA, runS := res.Running(v)
	q, _ := m.Quorum(v)
	role := ""
	if r := m.Service(v).Role; r != "" {
		role = r + " tooling; "
	}
	switch {
	case runA+runS == 0 && standby > 0:
		return fmt.Sprintf("%severy replica, standby included, sat in what failed (0 of %d left)", role, active+standby)
	case runA+runS == 0:
		return fmt.Sprintf("%severy replica sat in what failed (0 of %d left)", role, active)
	}
	return fmt.Sprintf("%slost its quorum: %d of %d active replicas left, needs %d", role, runA, active, q)
}

// worstFeature picks the feature with the most users (then smallest id).
func worstFeature(m *graph.Model, res *graph.Result, fs []int32) int32 {
	best := int32(-1)
	for _, f := range fs {
		if best < 0 || m.Feature(f).Users > m.Feature(best).Users {
			best = f
		}
	}
	return best
}

func listIDs(m *graph.Model, vs []int32, limit int) string {
	return listStrings(ids(m, vs), limit)
}
