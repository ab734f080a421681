package inventory

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
)

// GenSpec describes a synthetic estate. The zero value of a field means
// "derive it from the others".
type GenSpec struct {
	Seed             uint64
	Regions          int
	Sites            int
	BuildingsPerSite int
	PowerPerBuilding int // UPS units per building; racks take two feeds from them
	Racks            int
	Services         int
	PlacementsPerSvc float64 // mean placements per service
	FanOut           float64 // mean dependencies per service (heavy-tailed)
	Features         int
	StandbyShare     float64 // share of services with standby replicas in another site
	Cycles           int     // dependency cycles added (each a back edge)
	Users            int64   // users of the biggest feature
}

// GenSizes are the named sizes of blast gen.
var GenSizes = map[string]GenSpec{
	"small":  {Regions: 1, Sites: 3, BuildingsPerSite: 2, PowerPerBuilding: 2, Racks: 60, Services: 40, PlacementsPerSvc: 4, FanOut: 3, Features: 15, StandbyShare: 0.2, Cycles: 2, Users: 10_000_000},
	"medium": {Regions: 3, Sites: 10, BuildingsPerSite: 2, PowerPerBuilding: 2, Racks: 2_000, Services: 1_000, PlacementsPerSvc: 5, FanOut: 6, Features: 300, StandbyShare: 0.2, Cycles: 10, Users: 50_000_000},
	"large":  {Regions: 8, Sites: 40, BuildingsPerSite: 2, PowerPerBuilding: 2, Racks: 20_000, Services: 10_000, PlacementsPerSvc: 5, FanOut: 6, Features: 3_000, StandbyShare: 0.2, Cycles: 50, Users: 100_000_000},
	"xl":     {Regions: 20, Sites: 200, BuildingsPerSite: 2, PowerPerBuilding: 2, Racks: 200_000, Services: 100_000, PlacementsPerSvc: 5, FanOut: 6, Features: 30_000, StandbyShare: 0.2, Cycles: 200, Users: 500_000_000},
}

// genChunk is the most entities one YAML document of a generated stream
// holds.
const genChunk = 5000

// GenSizeNames lists the named sizes, smallest first.
var GenSizeNames = []string{"small", "medium", "large", "xl"}

// genService is a service as the generator builds it.
type genService struct {
	id         string
	tier       int
	role       string
	placements []genPlacement
	quorum     string
	capacity   string
	via        string
	deps       []genDep
}

type genPlacement struct {
	on       int // rack index
	replicas int
	standby  bool
}

type genDep struct {
	kind  int // 0 hard, 1 anyOf, 2 atLeast
	k     int
	of    []int // service indexes
	soft  bool
	isOps bool
}

// Generate writes a synthetic inventory of the given shape to w as YAML
// (one entity a line, flow style) or JSON. The same spec and seed give the
// same bytes. The estate: regions holding sites, each site buildings with
// UPS units fed by the site's utility, racks fed by two UPS units of their
// building; services in layers (infrastructure, platform, applications)
// whose dependencies point mostly downwards with a heavy tail of popular
// targets, a few cycles, replicas spread over one to three sites, some
// with standby replicas in another site failed over by an operations
// service; features on the application layer with heavy-tailed users.
func Generate(w io.Writer, spec GenSpec, format string) error {
	if spec.Sites < 1 || spec.Racks < spec.Sites || spec.Services < 10 || spec.Features < 1 {
		return fmt.Errorf("gen: need at least one site, a rack per site, 10 services and a feature")
	}
	spec.Regions = max(1, min(spec.Regions, spec.Sites))
	spec.BuildingsPerSite = max(1, spec.BuildingsPerSite)
	spec.PowerPerBuilding = max(1, spec.PowerPerBuilding)
	if spec.PlacementsPerSvc < 1 {
		spec.PlacementsPerSvc = 1
	}
	r := rand.New(rand.NewPCG(spec.Seed, spec.Seed^0x9e3779b97f4a7c15))
	g := &gen{spec: spec, r: r, json: format == "json"}
	g.w = bufio.NewWriterSize(w, 1<<20)
	g.layout()
	g.services()
	g.emit()
	return g.w.Flush()
}

type gen struct {
	spec GenSpec
	r    *rand.Rand
	json bool
	w    *bufio.Writer

	rackSite  []int // rack → site
	siteRacks [][]int
	svcs      []genService
	apps      []int // application-layer services
}

func (g *gen) layout() {
	s := g.spec
	g.rackSite = make([]int, s.Racks)
	g.siteRacks = make([][]int, s.Sites)
	// racks spread over sites with some sites bigger than others
	weights := make([]float64, s.Sites)
	total := 0.0
	for i := range weights {
		weights[i] = 0.5 + g.r.Float64()
		total += weights[i]
	}
	next := 0
	for i := range weights {
		n := int(math.Round(weights[i] / total * float64(s.Racks)))
		if i == s.Sites-1 {
			n = s.Racks - next
		}
		n = max(1, min(n, s.Racks-next-(s.Sites-1-i)))
		for j := 0; j < n; j++ {
			g.rackSite[next] = i
			g.siteRacks[i] = append(g.siteRacks[i], next)
			next++
		}
	}
}

// zipf draws an index in [0, n) with a heavy tail towards 0.
func (g *gen) zipf(n int) int {
	x := math.Pow(g.r.Float64(), 2.5)
	return min(n-1, int(x*float64(n)))
}

func (g *gen) services() {
	s := g.spec
	n := s.Services
	infra := max(4, n/50)
	platform := max(4, n/5)
	g.svcs = make([]genService, n)
	ops := 0 // svc 0 is the failover control plane, spread over sites
	for i := range g.svcs {
		sv := &g.svcs[i]
		sv.id = fmt.Sprintf("svc-%06d", i)
		switch {
		case i < infra:
			sv.tier = 1
		case i < infra+platform:
			sv.tier = 1 + g.r.IntN(2)
		default:
			sv.tier = 1 + g.r.IntN(3)
			g.apps = append(g.apps, i)
		}
		if i == ops {
			sv.role = "operations"
			sv.tier = 1
		}
		// placements: a home site and up to two more
		nSites := 1 + g.r.IntN(3)
		if i == ops {
			nSites = min(3, s.Sites)
		}
		home := g.r.IntN(s.Sites)
		sites := []int{home}
		for len(sites) < nSites && len(sites) < s.Sites {
			x := g.r.IntN(s.Sites)
			if !containsInt(sites, x) {
				sites = append(sites, x)
			}
		}
		np := max(1, int(math.Round(s.PlacementsPerSvc*(0.5+g.r.Float64()))))
		active := 0
		for p := 0; p < np; p++ {
			site := sites[p%len(sites)]
			racks := g.siteRacks[site]
			pl := genPlacement{on: racks[g.r.IntN(len(racks))], replicas: 1 + g.r.IntN(8)}
			active += pl.replicas
			sv.placements = append(sv.placements, pl)
		}
		if i != ops && g.r.Float64() < s.StandbyShare && s.Sites > 1 {
			other := (home + 1 + g.r.IntN(s.Sites-1)) % s.Sites
			racks := g.siteRacks[other]
			sv.placements = append(sv.placements, genPlacement{on: racks[g.r.IntN(len(racks))], replicas: max(1, active/2), standby: true})
			sv.via = g.svcs[ops].id
		}
		switch q := g.r.IntN(10); {
		case q < 4:
		case q < 7:
			sv.quorum = "majority"
		case q < 9:
			sv.quorum = fmt.Sprintf("%d%%", 25*(1+g.r.IntN(2)))
		default:
			sv.quorum = strconv.Itoa(1 + g.r.IntN(max(1, active/2)))
		}
		if g.r.IntN(5) == 0 {
			sv.capacity = fmt.Sprintf("%d%%", 60+10*g.r.IntN(3))
		}
		// dependencies point to earlier (lower) services, popular ones more often
		if i == 0 {
			continue
		}
		want := int(math.Round(s.FanOut * math.Pow(g.r.Float64()+0.05, 2) * 1.6))
		want = min(want, i)
		seen := map[int]bool{}
		for d := 0; d < want; d++ {
			target := g.zipf(i)
			if seen[target] {
				continue
			}
			seen[target] = true
			dep := genDep{of: []int{target}, soft: g.r.IntN(10) == 0}
			if g.r.IntN(12) == 0 && i > 3 {
				// an anyOf or atLeast group of nearby alternatives
				alt := []int{target}
				for len(alt) < 3 {
					x := g.zipf(i)
					if !containsInt(alt, x) {
						alt = append(alt, x)
					}
				}
				sort.Ints(alt)
				for _, x := range alt {
					seen[x] = true
				}
				dep.of = alt
				if g.r.IntN(2) == 0 {
					dep.kind = 1
				} else {
					dep.kind, dep.k = 2, 2
				}
			}
			sv.deps = append(sv.deps, dep)
		}
	}
	// cycles: "to" depends on "from" (a downward edge), and "from" gets an
	// upward edge back to "to"; every other cycle's back edge is soft.
	for c := 0; c < s.Cycles && infra+platform > 2; c++ {
		from := 1 + g.r.IntN(infra+platform-1)
		to := from + 1 + g.r.IntN(n-from-1)
		if !g.svcs[to].hasDep(from) {
			g.svcs[to].deps = append(g.svcs[to].deps, genDep{of: []int{from}})
		}
		if !g.svcs[from].hasDep(to) {
			g.svcs[from].deps = append(g.svcs[from].deps, genDep{of: []int{to}, soft: c%2 == 1})
		}
	}
}

func (sv *genService) hasDep(x int) bool {
	for _, d := range sv.deps {
		if containsInt(d.of, x) {
			return true
		}
	}
	return false
}

func containsInt(s []int, x int) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

func (g *gen) printf(format string, args ...any) { fmt.Fprintf(g.w, format, args...) }

func (g *gen) emit() {
	s := g.spec
	name := fmt.Sprintf("gen-%d-sites-%d-racks-%d-services-seed-%d", s.Sites, s.Racks, s.Services, s.Seed)
	desc := "synthetic estate written by blast gen"
	first := true
	// sep separates list items
	sep := func() {
		if g.json {
			if !first {
				g.w.WriteString(",\n")
			}
			first = false
		}
	}
	if g.json {
		g.printf("{\"apiVersion\": %q, \"kind\": \"Inventory\", \"metadata\": {\"name\": %q, \"description\": %q},\n\"components\": [\n", APIVersion, name, desc)
	} else {
		g.printf("# %s (%s)\napiVersion: %s\nkind: Inventory\nmetadata: {name: %s, description: %q}\ncomponents:\n", name, desc, APIVersion, name, desc)
	}
	// YAML goes out as a stream of documents of at most genChunk entities
	// each (every document a valid inventory fragment), so that readers
	// hold one chunk at a time, not the whole estate.
	listName, inList := "components", 0
	comp := func(fields string) {
		sep()
		if g.json {
			g.printf("{%s}", fields)
			return
		}
		if inList == genChunk {
			g.printf("---\napiVersion: %s\nkind: Inventory\n%s:\n", APIVersion, listName)
			inList = 0
		}
		inList++
		g.printf("  - {%s}\n", fields)
	}
	section := func(name string) {
		listName, inList = name, 0
		if g.json {
			g.printf("\n],\n%q: [\n", name)
		} else {
			g.printf("%s:\n", name)
		}
		first = true
	}
	q := func(k, v string) string {
		if g.json {
			return fmt.Sprintf("%q: %q", k, v)
		}
		return k + ": " + v
	}
	list := func(k string, vs []string) string {
		if g.json {
			quoted := make([]string, len(vs))
			for i, v := range vs {
				quoted[i] = strconv.Quote(v)
			}
			return fmt.Sprintf("%q: [%s]", k, strings.Join(quoted, ", "))
		}
		return k + ": [" + strings.Join(vs, ", ") + "]"
	}
	num := func(k string, v int) string {
		if g.json {
			return fmt.Sprintf("%q: %d", k, v)
		}
		return fmt.Sprintf("%s: %d", k, v)
	}
	regionOf := func(site int) string { return fmt.Sprintf("region-%02d", site%s.Regions) }
	for reg := 0; reg < s.Regions; reg++ {
		comp(q("id", fmt.Sprintf("region-%02d", reg)) + ", " + q("kind", "region"))
	}
	for site := 0; site < s.Sites; site++ {
		sid := fmt.Sprintf("site-%03d", site)
		comp(q("id", sid) + ", " + q("kind", "site") + ", " + q("parent", regionOf(site)))
		comp(q("id", sid+"-utility") + ", " + q("kind", "power") + ", " + q("parent", sid))
		for b := 0; b < s.BuildingsPerSite; b++ {
			bid := fmt.Sprintf("%s-b%d", sid, b)
			comp(q("id", bid) + ", " + q("kind", "building") + ", " + q("parent", sid))
			for u := 0; u < s.PowerPerBuilding; u++ {
				comp(q("id", fmt.Sprintf("%s-ups%d", bid, u)) + ", " + q("kind", "power") + ", " + q("parent", bid) + ", " + list("power", []string{sid + "-utility"}))
			}
		}
	}
	for i, site := range g.rackSite {
		sid := fmt.Sprintf("site-%03d", site)
		b := i % s.BuildingsPerSite
		bid := fmt.Sprintf("%s-b%d", sid, b)
		u0 := g.r.IntN(s.PowerPerBuilding)
		feeds := []string{fmt.Sprintf("%s-ups%d", bid, u0)}
		if s.PowerPerBuilding > 1 {
			feeds = append(feeds, fmt.Sprintf("%s-ups%d", bid, (u0+1)%s.PowerPerBuilding))
		}
		comp(q("id", rackID(i)) + ", " + q("kind", "rack") + ", " + q("parent", bid) + ", " + list("power", feeds))
	}
	section("services")
	for _, sv := range g.svcs {
		var parts []string
		parts = append(parts, q("id", sv.id), num("tier", sv.tier))
		if sv.role != "" {
			parts = append(parts, q("role", sv.role))
		}
		var pls []string
		for _, p := range sv.placements {
			f := q("on", rackID(p.on)) + ", " + num("replicas", p.replicas)
			if p.standby {
				f += ", " + q("role", "standby")
			}
			pls = append(pls, "{"+f+"}")
		}
		parts = append(parts, g.key("placement")+"["+strings.Join(pls, ", ")+"]")
		if sv.quorum != "" {
			parts = append(parts, q("quorum", g.str(sv.quorum)))
		}
		if sv.capacity != "" {
			parts = append(parts, q("capacity", g.str(sv.capacity)))
		}
		if sv.via != "" {
			parts = append(parts, g.key("failover")+"{"+list("via", []string{sv.via})+", "+q("rto", "30m")+"}")
		}
		if len(sv.deps) > 0 {
			parts = append(parts, g.key("dependsOn")+"["+strings.Join(g.deps(sv.deps), ", ")+"]")
		}
		comp(strings.Join(parts, ", "))
	}
	section("features")
	products := max(1, s.Features/8)
	for f := 0; f < s.Features; f++ {
		users := int64(float64(s.Users) * math.Pow(g.r.Float64(), 3))
		tier := 1 + min(2, int(math.Pow(g.r.Float64(), 0.7)*3))
		nd := 1 + g.r.IntN(3)
		var deps []genDep
		seen := map[int]bool{}
		for d := 0; d < nd; d++ {
			t := g.apps[g.zipf(len(g.apps))]
			if !seen[t] {
				seen[t] = true
				deps = append(deps, genDep{of: []int{t}})
			}
		}
		parts := []string{q("id", fmt.Sprintf("feature-%05d", f)), q("product", fmt.Sprintf("product-%03d", f%products)),
			g.key("users") + strconv.FormatInt(max(users, 1000), 10), num("tier", tier),
			g.key("dependsOn") + "[" + strings.Join(g.deps(deps), ", ") + "]"}
		comp(strings.Join(parts, ", "))
	}
	if g.json {
		g.w.WriteString("\n]}\n")
	}
}

func rackID(i int) string { return fmt.Sprintf("rack-%06d", i) }

// key writes a key for a value that follows.
func (g *gen) key(k string) string {
	if g.json {
		return strconv.Quote(k) + ": "
	}
	return k + ": "
}

// str quotes a YAML scalar that would otherwise not read as a string.
func (g *gen) str(v string) string {
	if g.json {
		return v
	}
	return strconv.Quote(v)
}

func (g *gen) deps(ds []genDep) []string {
	var out []string
	for _, d := range ds {
		ids := make([]string, len(d.of))
		for i, x := range d.of {
			ids[i] = g.svcs[x].id
			if g.json {
				ids[i] = strconv.Quote(ids[i])
			}
		}
		var s string
		switch {
		case d.kind == 1:
			s = "{" + g.key("anyOf") + "[" + strings.Join(ids, ", ") + "]"
		case d.kind == 2:
			s = fmt.Sprintf("{%s%d, %s[%s]", g.key("atLeast"), d.k, g.key("of"), strings.Join(ids, ", "))
		case d.soft:
			s = "{" + g.key("on") + ids[0]
		default:
			out = append(out, ids[0])
			continue
		}
		if d.soft {
			s += ", " + g.key("soft") + "true"
		}
		out = append(out, s+"}")
	}
	return out
}
