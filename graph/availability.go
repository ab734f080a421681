package graph

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strconv"
)

// Importance is how much one basic event matters to a feature being down.
// With P the probability the feature is down, P1 that probability given
// the event failed and P0 given it never fails:
//
//	Birnbaum        P1 − P0
//	Fussell-Vesely  (P − P0) / P        the share of the risk the event is in
//	RAW             P1 / P              risk achievement worth
//	RRW             P / P0              risk reduction worth
//
// FV is 0 and RAW is +Inf when P is 0; RRW is +Inf when P0 is 0 and P is
// not (the event is in every way the feature goes down).
type Importance struct {
	Event                  BasicEvent
	P                      float64 // the event's own probability
	Birnbaum, FV, RAW, RRW float64
}

// Availability is a feature's probability of being down, exact and as the
// approximations other tools print, and the importance of its basic events.
type Availability struct {
	Feature int32
	Tree    *FaultTree
	// Exact is the probability the feature is down, from its BDD.
	Exact float64
	// RareEvent is the sum over minimal cut sets of the product of their
	// events' probabilities; MinCutUpperBound is 1 − Π(1 − P(cut set)).
	RareEvent, MinCutUpperBound float64
	// CutSets counts the minimal cut sets.
	CutSets uint64
	// MaxOrder, when above 0, is the largest cut set counted in
	// RareEvent, MinCutUpperBound and CutSets (the others are left out,
	// as tools that truncate cut sets do); Exact and the importance
	// measures never depend on it.
	MaxOrder int
	// Importance holds every basic event, hardest hitting first: by
	// Fussell-Vesely, then Birnbaum, both descending, then by id.
	Importance []Importance
}

// HoursPerYear is the year downtime is expressed in: 365 days.
const HoursPerYear = 8760

// DowntimeHours returns the expected hours per year the feature is down.
func (a *Availability) DowntimeHours() float64 { return a.Exact * HoursPerYear }

// Nines returns −log10 of the probability of being down: 3 for 99.9%
// availability, +Inf for a feature that cannot go down.
func (a *Availability) Nines() float64 { return -math.Log10(a.Exact) }

// Availability computes feature v's availability from the probabilities
// of its fault tree's basic events, p[i] for ft.Events[i] (see
// FaultTree). Exact probability and every Birnbaum importance come from
// one BDD in O(|BDD|); the approximations from the ZDD of the minimal cut
// sets (of at most maxOrder events when maxOrder > 0).
func (m *Model) Availability(ft *FaultTree, p []float64, maxOrder int) *Availability {
	a, _ := m.AvailabilityContext(context.Background(), ft, p, maxOrder)
	return a
}

// AvailabilityContext is Availability that stops, returning nil and ctx's
// error, when ctx is done; ctx is checked every 4096 BDD and ZDD
// operations and cut sets walked.
func (m *Model) AvailabilityContext(ctx context.Context, ft *FaultTree, p []float64, maxOrder int) (*Availability, error) {
	s := newStopper(ctx)
	d, root, ft, perm := orderedBDD(ft, s)
	if s.err != nil {
		return nil, s.err
	}
	p = permuted(p, perm)
	b, P := d.Birnbaum(root, p)
	a := &Availability{Feature: ft.Feature, Tree: ft, Exact: P, MaxOrder: max(maxOrder, 0)}

	z := NewZDD()
	z.stop = s
	bound := -1
	if maxOrder > 0 {
		bound = maxOrder
	}
	fam := z.MinCuts(d, root, bound)
	if s.err != nil {
		return nil, s.err
	}
	for _, c := range z.CountByOrder(fam) {
		a.CutSets += c
	}
	a.RareEvent, a.MinCutUpperBound = z.cutSetBounds(fam, p)
	if s.err != nil {
		return nil, s.err
	}

	for i, e := range ft.Events {
		im := Importance{Event: e, P: p[i], Birnbaum: b[i]}
		p0 := P - p[i]*b[i]
		p1 := P + (1-p[i])*b[i]
		p0, p1 = max(p0, 0), min(p1, 1)
		if P > 0 {
			im.FV = (P - p0) / P
			im.RAW = p1 / P
		} else {
			im.RAW = math.Inf(1)
			if p1 == 0 {
				im.RAW = 1
			}
		}
		switch {
		case p0 > 0:
			im.RRW = P / p0
		case P > 0:
			im.RRW = math.Inf(1)
		default:
			im.RRW = 1
		}
		a.Importance = append(a.Importance, im)
	}
	// Ranked on values rounded to 12 digits, so that events whose measures
	// differ only by rounding (symmetric events, computed along different
	// paths of the BDD) are ranked by id whatever the variable order.
	slices.SortFunc(a.Importance, func(x, y Importance) int {
		if c := cmp.Compare(round12(y.FV), round12(x.FV)); c != 0 {
			return c
		}
		if c := cmp.Compare(round12(y.Birnbaum), round12(x.Birnbaum)); c != 0 {
			return c
		}
		return cmp.Compare(x.Event.ID, y.Event.ID)
	})
	return a, nil
}

// EventProbabilities returns the probability of each basic event of ft:
// a component's unavailability (its own failure data, else its kind's
// default), a service's software unavailability (its own, else the
// services default). Events without data take def when def is not nil;
// otherwise they are returned in missing, in id order.
func (m *Model) EventProbabilities(ft *FaultTree, def *float64) (p []float64, missing []string) {
	p = make([]float64, len(ft.Events))
	for i, e := range ft.Events {
		var u float64
		var ok bool
		if e.Kind == Component {
			u, ok = m.Inv.ComponentReliability(m.Component(e.Node))
		} else {
			u, ok = m.Inv.ServiceReliability(m.Service(e.Node))
		}
		switch {
		case ok:
			p[i] = u
		case def != nil:
			p[i] = *def
		default:
			missing = append(missing, e.ID)
		}
	}
	slices.Sort(missing)
	return p, missing
}

// cutSetBounds returns the rare-event approximation (the sum over the
// sets of family fam of the product of their events' probabilities p)
// and the min-cut upper bound (1 − the product over the sets of 1 − that
// product), without listing the sets: on the ZDD, the power sums
// S_j = Σ_sets q^j follow S_j(x) = S_j(lo) + p_v^j · S_j(hi), and
// log Π(1 − q) = −Σ_j S_j / j, a series that converges as fast as the
// largest q allows. O(|fam| per term); when the largest q is so close to 1
// that the series would need too many terms, the sets are listed instead.
func (z *ZDD) cutSetBounds(fam int32, p []float64) (rare, upper float64) {
	if fam == 0 {
		return 0, 0
	}
	// the nodes below fam, children first; at[x] is x's index in the
	// arrays below (0 and 1 for the constants, 0 elsewhere: not seen yet)
	at := make([]int32, len(z.nodes))
	at[1] = 1
	next := int32(2)
	var post []int32
	var visit func(x int32)
	visit = func(x int32) {
		if x <= 1 || at[x] != 0 {
			return
		}
		n := z.nodes[x]
		visit(n.lo)
		visit(n.hi)
		at[x] = next
		next++
		post = append(post, x)
	}
	visit(fam)
	type node struct {
		lo, hi int
		p      float64
	}
	nodes := make([]node, len(post)+2)
	qmax := make([]float64, len(nodes)) // the largest q of a set below
	qmax[1] = 1
	for i, x := range post {
		n := z.nodes[x]
		nd := node{lo: int(at[n.lo]), hi: int(at[n.hi]), p: p[n.v]}
		nodes[i+2] = nd
		qmax[i+2] = max(qmax[nd.lo], nd.p*qmax[nd.hi])
	}
	top := len(nodes) - 1
	pw := make([]float64, len(nodes)) // p_v^j
	S := make([]float64, len(nodes))
	S[1] = 1
	for i := range pw {
		pw[i] = 1
	}
	q := qmax[top]
	const maxTerms = 4096
	logUp := 0.0
	for j := 1; ; j++ {
		if z.stop.stop() {
			return 0, 0
		}
		for i := 2; i < len(nodes); i++ {
			nd := &nodes[i]
			pw[i] *= nd.p
			S[i] = S[nd.lo] + pw[i]*S[nd.hi]
		}
		sj := S[top]
		if j == 1 {
			rare = sj
			if q >= 1 {
				return rare, 1 // a set certain to fail
			}
		}
		logUp -= sj / float64(j)
		// The rest of the series is at most sj·q/((j+1)(1−q)).
		if sj == 0 || sj*q/(float64(j+1)*(1-q)) <= 1e-17*math.Abs(logUp) {
			return rare, -math.Expm1(logUp)
		}
		if j == maxTerms {
			break
		}
	}
	// Too slow a series: list the sets.
	_, upper = z.cutSetBoundsByListing(fam, p)
	return rare, upper
}

// cutSetBoundsByListing is cutSetBounds the obvious way, listing every
// set: its fallback, and the oracle of its tests.
func (z *ZDD) cutSetBoundsByListing(fam int32, p []float64) (rare, upper float64) {
	logUp := 0.0
	counts := z.CountByOrder(fam)
	for k := range counts {
		z.Order(fam, k, func(set []int32) {
			q := 1.0
			for _, e := range set {
				q *= p[e]
			}
			rare += q
			logUp += math.Log1p(-q)
		})
	}
	return rare, -math.Expm1(logUp)
}

// round12 rounds x to 12 significant digits.
func round12(x float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 12, 64), 64)
	if err != nil {
		return x
	}
	return r
}

// permuted returns p renumbered as perm renumbers events: its i-th value
// is p[perm[i]].
func permuted(p []float64, perm []int) []float64 {
	out := make([]float64, len(perm))
	for i, e := range perm {
		out[i] = p[e]
	}
	return out
}
