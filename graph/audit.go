package graph

import (
	"cmp"
	"context"
	"maps"
	mbits "math/bits"
	"slices"
)

// DomainImpact is what the loss of one failure domain does.
type DomainImpact struct {
	Node                           int32
	UsersDown, UsersDegraded       int64
	FeaturesDown, FeaturesDegraded []int32 // in id order
}

// PaperRedundancy explains a single point of failure that the inventory
// meant to survive: standby replicas ran elsewhere, but the failure also
// took down the control plane of their failover.
type PaperRedundancy struct {
	SPOF      int32
	Services  []int32 // services in the feature's causes whose failover was blocked
	BlockedBy []int32 // the failover.via services the failure took down
}

// FeatureRisk is one feature's exposure to single failures.
type FeatureRisk struct {
	Node int32
	// SPOF lists every candidate whose failure alone takes the feature
	// down, in id order.
	SPOF []int32
	// Paper lists the SPOFs that a failover would have survived had its
	// control plane not failed with them.
	Paper []PaperRedundancy
}

// Audit is the single-failure audit of an inventory.
type Audit struct {
	// Domains holds the impact of every failure domain of the audited
	// kinds, ranked by users down, then users degraded, then features
	// down, then id.
	Domains []DomainImpact
	// Features holds every feature's single points of failure, in id order.
	Features []FeatureRisk
	// Exposed lists, per domain, the features that survive its loss but
	// then have new single points of failure: no redundancy left. Sorted
	// by domain, then feature.
	Exposed []Exposure
	// Singles are the single-failure sets the audit was computed from.
	Singles *SingleFailures
	// Err is opt.Context's error when the audit stopped before the end;
	// the rest of the audit is then incomplete and must not be reported.
	Err error
}

// Exposure is a feature left without redundancy by the loss of a domain:
// it survives Domain's loss (up or degraded), but then each of NewSPOF
// alone would take it down, where before it did not.
type Exposure struct {
	Domain, Feature int32
	NewSPOF         []int32
}

// AuditOptions selects the parts of an audit beyond the single-failure
// sets and domain impacts.
type AuditOptions struct {
	Paper   bool // tell real redundancy from redundancy on paper
	Exposed bool // find features left without redundancy by each domain
	// Context, when not nil, stops the audit early (Audit.Err says so):
	// it is checked between the passes and every few thousand steps.
	Context context.Context
}

// NewAudit audits the loss of each domain (components whose impact is
// ranked) against the candidates (every single failure that counts as a
// point of failure; domains are added to them). It computes every node's
// single-failure sets in one pass (SingleFailures); with opt.Paper it then
// evaluates the candidates that are points of failure of some feature, to
// tell real redundancy from redundancy on paper; with opt.Exposed it
// computes, per domain, the residual sets that remain after its loss.
func (m *Model) NewAudit(domains, candidates []int32, opt AuditOptions) *Audit {
	ctx := opt.Context
	if ctx == nil {
		ctx = context.Background()
	}
	all := slices.Concat(domains, candidates)
	sf, err := m.SingleFailuresContext(ctx, all)
	a := &Audit{Singles: sf, Err: err}
	if err != nil {
		return a
	}

	// Dense indexes, not maps: the loop below visits every element of
	// every feature's set, which on big estates means hundreds of millions.
	n := m.Len()
	doms := slices.Compact(slices.Sorted(slices.Values(domains)))
	a.Domains = make([]DomainImpact, len(doms))
	impact := make([]int32, n) // node → 1 + its index in a.Domains; 0: not a domain
	for i, d := range doms {
		a.Domains[i].Node = d
		impact[d] = int32(i + 1)
	}
	// Two passes over the features' sets: count each domain's features,
	// then lay the lists out in two arrays cut to size.
	features := m.Nodes(Feature)
	nDown, nDeg := make([]int32, len(doms)), make([]int32, len(doms))
	spof := make([]bool, n)
	var totalDown, totalDeg int
	for _, v := range features {
		users := m.Feature(v).Users
		for _, k := range sf.Down(v) {
			spof[k] = true
			if i := impact[k]; i > 0 {
				nDown[i-1]++
				a.Domains[i-1].UsersDown += users
				totalDown++
			}
		}
		for _, k := range sf.Degraded(v) {
			if i := impact[k]; i > 0 {
				nDeg[i-1]++
				a.Domains[i-1].UsersDegraded += users
				totalDeg++
			}
		}
		a.Features = append(a.Features, FeatureRisk{Node: v, SPOF: sf.Down(v)})
	}
	downs, degs := make([]int32, totalDown), make([]int32, totalDeg)
	for i := range a.Domains {
		d := &a.Domains[i]
		if nDown[i] > 0 { // else nil, as before any feature is found
			d.FeaturesDown, downs = downs[:0:nDown[i]], downs[nDown[i]:]
		}
		if nDeg[i] > 0 {
			d.FeaturesDegraded, degs = degs[:0:nDeg[i]], degs[nDeg[i]:]
		}
	}
	for _, v := range features {
		for _, k := range sf.Down(v) {
			if i := impact[k]; i > 0 {
				d := &a.Domains[i-1]
				d.FeaturesDown = append(d.FeaturesDown, v)
			}
		}
		for _, k := range sf.Degraded(v) {
			if i := impact[k]; i > 0 {
				d := &a.Domains[i-1]
				d.FeaturesDegraded = append(d.FeaturesDegraded, v)
			}
		}
	}
	slices.SortFunc(a.Domains, func(x, y DomainImpact) int {
		switch {
		case x.UsersDown != y.UsersDown:
			return cmp.Compare(y.UsersDown, x.UsersDown)
		case x.UsersDegraded != y.UsersDegraded:
			return cmp.Compare(y.UsersDegraded, x.UsersDegraded)
		case len(x.FeaturesDown) != len(y.FeaturesDown):
			return cmp.Compare(len(y.FeaturesDown), len(x.FeaturesDown))
		case len(x.FeaturesDegraded) != len(y.FeaturesDegraded):
			return cmp.Compare(len(y.FeaturesDegraded), len(x.FeaturesDegraded))
		}
		return cmp.Compare(x.Node, y.Node)
	})

	if a.Err = ctx.Err(); a.Err != nil {
		return a
	}
	if opt.Exposed {
		a.Exposed = m.exposures(sf, domains)
	}
	if a.Err = ctx.Err(); a.Err != nil {
		return a
	}
	if !opt.Paper {
		return a
	}
	// Redundancy on paper: evaluate once each point of failure whose
	// loss may block a failover (the single-failure pass marked them; the
	// others block none, so there is nothing on paper to find).
	var ks []int32 // in id order
	for k, isSPOF := range spof {
		if isSPOF && sf.MayBlockFailover(int32(k)) {
			ks = append(ks, int32(k))
		}
	}
	// One evaluation per point of failure, on every core; results are
	// gathered per point, then laid out in id order.
	perK := make([]map[int32]PaperRedundancy, len(ks))
	parallelProgress(len(ks), func() func(int) {
		e := m.NewEvaluator()
		return func(i int) {
			if ctx.Err() != nil {
				return
			}
			e.Run([]int32{ks[i]})
			perK[i] = e.paperRedundancy()
		}
	}, func(done int) {
		if done%64 == 0 {
			m.progress("paper redundancy", done, len(ks))
		}
	})
	if a.Err = ctx.Err(); a.Err != nil {
		return a
	}
	byFeature := map[int32][]PaperRedundancy{}
	for i, k := range ks {
		fs := slices.Sorted(maps.Keys(perK[i]))
		for _, f := range fs {
			if sf.Base(f) == Down {
				continue // down before k failed: k is not its point of failure
			}
			p := perK[i][f]
			p.SPOF = k
			byFeature[f] = append(byFeature[f], p)
		}
	}
	m.progress("paper redundancy", len(ks), len(ks))
	for i := range a.Features {
		a.Features[i].Paper = byFeature[a.Features[i].Node]
	}
	return a
}

// exposures finds, for each domain, the features its loss leaves without
// redundancy, from the residual single-failure sets after the domain
// (SingleFailures.After), on every core.
func (m *Model) exposures(sf *SingleFailures, domains []int32) []Exposure {
	domains = slices.Compact(slices.Sorted(slices.Values(domains)))
	features := m.Nodes(Feature)
	results := make([][]Exposure, len(domains))
	defer m.progress("redundancy left", len(domains), len(domains))
	parallelProgress(len(domains), func() func(i int) {
		e := m.NewEvaluator()
		sc := newScratch(m.Len())
		return func(i int) {
			d := domains[i]
			res := sf.After(d, e, sc)
			for _, f := range features {
				if res.State(f) == Down {
					continue
				}
				var extra []int32
				for _, k := range res.Down(f) {
					if _, was := slices.BinarySearch(sf.Down(f), k); !was {
						extra = append(extra, k)
					}
				}
				if len(extra) > 0 {
					results[i] = append(results[i], Exposure{Domain: d, Feature: f, NewSPOF: extra})
				}
			}
		}
	}, func(k int) {
		if k%64 == 0 {
			m.progress("redundancy left", k, len(domains))
		}
	})
	return slices.Concat(results...)
}

// paperRedundancy finds, after a run, the features that are down and have
// among their transitive causes a service whose failover was blocked.
// One pass for all blocked services: each down node carries the set of
// blocked services among its transitive causes (a bitmap), pushed along
// cause edges to its dependents until nothing changes. O(affected nodes
// and their edges, times the words of the bitmap); the evaluator keeps
// the scratch for its next run.
func (e *Evaluator) paperRedundancy() map[int32]PaperRedundancy {
	m := e.m
	blocked := e.blockedServices()
	if len(blocked) == 0 {
		return nil
	}
	r := e.view()
	ps := e.paper
	if ps == nil {
		ps = &paperScratch{row: make([]int32, m.Len())}
		e.paper = ps
	}
	ps.words = (len(blocked) + 63) / 64
	defer ps.reset()
	var queue []int32 // rows
	for i, b := range blocked {
		y := ps.rowOf(b)
		ps.bitsOf(y)[i/64] |= 1 << (i % 64)
		queue = append(queue, y)
		ps.rows[y].queued = true
	}
	for len(queue) > 0 {
		rx := queue[0]
		queue = queue[1:]
		ps.rows[rx].queued = false
		x := ps.rows[rx].node
		for _, y := range m.dependents(x) {
			if r.state[y] != Down {
				continue
			}
			ry := ps.rowOf(y)
			if !ps.hasCause(r, ry, x) {
				continue
			}
			from, to := ps.bitsOf(rx), ps.bitsOf(ry)
			grew := false
			for w, b := range from {
				if b&^to[w] != 0 {
					to[w] |= b
					grew = true
				}
			}
			if grew && !ps.rows[ry].queued {
				queue = append(queue, ry)
				ps.rows[ry].queued = true
			}
		}
	}
	out := map[int32]PaperRedundancy{}
	via := make([][]int32, len(blocked))
	for i, b := range blocked {
		via[i] = r.BlockedBy(b)
	}
	for y, row := range ps.rows {
		if m.kinds[row.node] != Feature {
			continue
		}
		var p PaperRedundancy
		for w, b := range ps.bitsOf(int32(y)) {
			for ; b != 0; b &= b - 1 {
				i := w*64 + mbits.TrailingZeros64(b)
				p.Services = append(p.Services, blocked[i])
				p.BlockedBy = append(p.BlockedBy, via[i]...)
			}
		}
		if p.Services != nil {
			p.BlockedBy = slices.Compact(slices.Sorted(slices.Values(p.BlockedBy)))
			out[row.node] = p
		}
	}
	return out
}

// paperScratch is paperRedundancy's working memory: a row per down node
// it reached, with its bitmap of blocked services and its direct causes.
type paperScratch struct {
	row    []int32 // node → 1 + its row; 0: none
	rows   []paperRow
	words  int
	bits   []uint64 // words per row
	causes []int32  // the rows' direct causes, once computed
}

type paperRow struct {
	node           int32
	causes, causeN int32 // causes[causes:causes+causeN]; causeN -1: not computed
	queued         bool
}

func (ps *paperScratch) rowOf(v int32) int32 {
	if i := ps.row[v]; i > 0 {
		return i - 1
	}
	ps.rows = append(ps.rows, paperRow{node: v, causeN: -1})
	ps.bits = append(ps.bits, make([]uint64, ps.words)...)
	ps.row[v] = int32(len(ps.rows))
	return int32(len(ps.rows) - 1)
}

func (ps *paperScratch) bitsOf(y int32) []uint64 {
	return ps.bits[int(y)*ps.words : int(y+1)*ps.words]
}

// hasCause reports whether x is among the direct causes of row y's node.
func (ps *paperScratch) hasCause(r *Result, y, x int32) bool {
	row := &ps.rows[y]
	if row.causeN < 0 {
		n := len(ps.causes)
		ps.causes = r.appendCauses(ps.causes, row.node)
		row.causes, row.causeN = int32(n), int32(len(ps.causes)-n)
	}
	_, ok := slices.BinarySearch(ps.causes[row.causes:row.causes+row.causeN], x)
	return ok
}

func (ps *paperScratch) reset() {
	for _, row := range ps.rows {
		ps.row[row.node] = 0
	}
	ps.rows, ps.bits, ps.causes = ps.rows[:0], ps.bits[:0], ps.causes[:0]
}

// blockedServices lists, after a run, the services that are down with
// their failover blocked, in id order.
func (e *Evaluator) blockedServices() []int32 {
	var blocked []int32
	for _, v := range e.touchedN {
		if e.m.kinds[v] == Service && e.state[v] == Down {
			if _, _, fo := e.replicas(v); fo == FailoverBlocked {
				blocked = append(blocked, v)
			}
		}
	}
	slices.Sort(blocked)
	return blocked
}

// dependents returns the nodes that need v: owners of groups v is a member
// of, services with replicas on v, and services whose failover goes via v.
// A node may appear more than once.
func (m *Model) dependents(v int32) []int32 {
	var out []int32
	for _, g := range m.moList[m.moStart[v]:m.moStart[v+1]] {
		out = append(out, m.groupOwner[g])
	}
	for _, p := range m.hoList[m.hoStart[v]:m.hoStart[v+1]] {
		out = append(out, m.plService[p])
	}
	out = append(out, m.vwList[m.vwStart[v]:m.vwStart[v+1]]...)
	return out
}
