package graph

import (
	"cmp"
	"context"
	"math"
	"slices"
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
// one BDD in O(|BDD|); the approximations walk every minimal cut set.
func (m *Model) Availability(ft *FaultTree, p []float64) *Availability {
	a, _ := m.AvailabilityContext(context.Background(), ft, p)
	return a
}

// AvailabilityContext is Availability that stops, returning nil and ctx's
// error, when ctx is done; ctx is checked every 4096 BDD and ZDD
// operations and cut sets walked.
func (m *Model) AvailabilityContext(ctx context.Context, ft *FaultTree, p []float64) (*Availability, error) {
	s := newStopper(ctx)
	d := NewBDD()
	d.stop = s
	root := d.FromFaultTree(ft)
	if s.err != nil {
		return nil, s.err
	}
	b, P := d.Birnbaum(root, p)
	a := &Availability{Feature: ft.Feature, Tree: ft, Exact: P}

	z := NewZDD()
	z.stop = s
	fam := z.MinCuts(d, root, -1)
	if s.err != nil {
		return nil, s.err
	}
	counts := z.CountByOrder(fam)
	logUp := 0.0
	for k := range counts {
		a.CutSets += counts[k]
		z.Order(fam, k, func(set []int32) {
			q := 1.0
			for _, e := range set {
				q *= p[e]
			}
			a.RareEvent += q
			logUp += math.Log1p(-q)
		})
	}
	if s.err != nil {
		return nil, s.err
	}
	a.MinCutUpperBound = -math.Expm1(logUp)

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
	slices.SortFunc(a.Importance, func(x, y Importance) int {
		if c := cmp.Compare(y.FV, x.FV); c != 0 {
			return c
		}
		if c := cmp.Compare(y.Birnbaum, x.Birnbaum); c != 0 {
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
