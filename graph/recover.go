package graph

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"
)

// DefaultRestart is the restart time of a service that gives none, when
// its tier has no default either and the caller sets no other.
const DefaultRestart = 15 * time.Minute

// Never is the recovery time of what cannot come back on its own.
const Never = time.Duration(math.MaxInt64)

// Route tells how a node comes back after a failure.
type Route uint8

// Routes.
const (
	// RouteResume: nothing to do; it is back once what it needs is back
	// (features, services that kept their replicas, services without
	// replicas of their own).
	RouteResume Route = iota
	// RouteRestart: the service is started from cold once its hard
	// dependencies are up, taking its restart time.
	RouteRestart
	// RouteFailover: the standby replicas that survived are promoted once
	// the hard dependencies and the failover.via control plane are up,
	// taking the failover's rto.
	RouteFailover
)

// String returns resume, restart or failover.
func (r Route) String() string {
	switch r {
	case RouteRestart:
		return "restart"
	case RouteFailover:
		return "failover"
	}
	return "resume"
}

// Step is how and when one service or feature comes back.
type Step struct {
	Node  int32
	Route Route
	// Wave is the wave that starts the service (RouteRestart and
	// RouteFailover), or the wave after which a resuming node is back; -1
	// for a node back as soon as the failed components are restored, and
	// for one that never comes back (Back == Never).
	Wave int
	// Ready is when what the route needs is up; Back when the node is up
	// again (Ready plus Took). Both count from the restoration of the
	// failed components; Never when it does not come back.
	Ready, Back, Took time.Duration
	// TookFrom says where Took came from: "restart" or "rto" of the
	// service, "tier N", or "default".
	TookFrom string
	// After is the started service whose return made this node's route
	// possible at Ready (on the critical path), or -1.
	After int32
}

// Deadlock is a cycle of hard dependencies among nodes that stay down:
// none of them can start before the others are up. An edge may also be a
// failover.via of a service that can only run on its standby replicas
// (its active ones sit on components the inventory marks failed).
type Deadlock struct {
	// Cycle starts at its smallest id; each node needs the next, the last
	// needs the first.
	Cycle []int32
	// From needs To: the edge to break (make the dependency soft, give
	// From a cached credential or a break-glass path to start without To).
	// To is the node of the cycle with the most direct dependents.
	From, To int32
}

// Recovery is a restart plan after a failure set, for the moment the
// failed components are restored (repowered): every physical component
// comes back at time 0, then services that lost their replicas or were
// failed by name are started in waves. See Model.Recover.
type Recovery struct {
	m *Model
	// Failed is the failure set, sorted.
	Failed []int32
	// Waves lists the services each wave starts, in id order.
	Waves [][]int32
	// Steps holds every service and feature that the failure took down
	// (and that was not down before it, through components the inventory
	// marks failed), in id order; blocked ones have Back == Never.
	Steps []Step
	// Deadlocks are the cold-start cycles among what never comes back,
	// ordered by cycle (ids in order): every cycle found while breaking
	// them one at a time, so that applying every suggested break brings
	// everything back.
	Deadlocks []Deadlock
	// Total is when the last feature that comes back is back; AllServices
	// when the last service is.
	Total, AllServices time.Duration
	// CriticalPath runs from a step that starts at time 0 to the last
	// feature back (the last service when no feature was down), each
	// node's After being the one before it.
	CriticalPath []int32

	step map[int32]int
}

// Model returns the model r was planned on.
func (r *Recovery) Model() *Model { return r.m }

// Step returns the step of node v, and false when v needs none (it was
// not taken down by the failure).
func (r *Recovery) Step(v int32) (Step, bool) {
	i, ok := r.step[v]
	if !ok {
		return Step{}, false
	}
	return r.Steps[i], true
}

// durations of a service: restart and failover rto, with where each came
// from. Own value, else the tier's default, else def.
func (m *Model) durations(v int32, def time.Duration) (restart, rto time.Duration, rFrom, oFrom string) {
	s := m.Service(v)
	td, hasTier := m.Inv.TierDefault(s.Tier)
	tier := "tier " + strconv.Itoa(s.Tier)
	restart, rFrom = def, "default"
	switch {
	case s.Restart > 0:
		restart, rFrom = time.Duration(s.Restart), "restart"
	case hasTier && td.Restart > 0:
		restart, rFrom = time.Duration(td.Restart), tier
	}
	rto, oFrom = def, "default"
	switch {
	case s.Failover != nil && s.Failover.RTO > 0:
		rto, oFrom = time.Duration(s.Failover.RTO), "rto"
	case hasTier && td.RTO > 0:
		rto, oFrom = time.Duration(td.RTO), tier
	}
	return restart, rto, rFrom, oFrom
}

// planned is the recovery state of one node during planning.
type planned struct {
	start         bool // needs a start (restart or failover)
	canFailover   bool // surviving standby replicas can be promoted
	restartNeedsV bool // even a restart needs the control plane (it runs on standby)
	restart, rto  time.Duration
	rFrom, oFrom  string
	readyR        time.Duration // requirements of a restart met
	readyF        time.Duration // requirements of a failover met
	back          time.Duration
	route         Route
}

// Recover plans the recovery from the failure of the given nodes.
//
// The plan starts when the failed components are restored: at time 0
// every physical component is up again (components the inventory marks
// failed stay down, and what was down through them before the failure is
// no part of the plan). A service needs a start when it was failed by
// name or when the failure left it fewer counted replicas than its quorum;
// those services are down until started. A service that needs a start can
// start once every hard (non-soft) dependency entry has enough members up
// in the evaluation where the services not yet started are failed:
// cold-start semantics, so a cycle of such services never starts. It then
// comes back after its restart time, or, when standby replicas survived
// the failure and together with the surviving active ones meet its
// quorum, after its failover rto once its failover.via services are up
// too, whichever is earlier. Everything else (features, services that
// kept their replicas, services without replicas) resumes as soon as the
// evaluation says it is not down. Restart times are the service's
// restart, else its tier's default restart, else def (DefaultRestart when
// def is 0); rto likewise from failover.rto and the tier's rto.
//
// Waves are levels: wave 0 needs nothing that is down; wave n needs only
// what waves before n restored, along the route the timing chose. What
// never comes back is explained by Deadlocks (see Deadlock): breaking
// every suggested edge lets all of it come back.
//
// Cost: one evaluation, O(V+E), per distinct completion time, per wave and
// per service started (to find the service each node waited for), so
// O((k+w+s)·(V+E)) for k completion times, w waves and s services
// started, plus one evaluation per service finishing at the same moment
// for each node that no single one of them explains (substitutes that
// finish together), and O(d·(V+E)) for d deadlocks.
func (m *Model) Recover(failed []int32, def time.Duration) *Recovery {
	if def <= 0 {
		def = DefaultRestart
	}
	failed = slices.Compact(slices.Sorted(slices.Values(failed)))
	base, hit, nodes := m.takenDown(failed)
	r := &Recovery{m: m, Failed: failed, step: map[int32]int{}}

	plan := make([]planned, m.Len())
	var starts []int32
	for _, v := range nodes {
		p := &plan[v]
		*p = planned{readyR: Never, readyF: Never, back: Never}
		if m.needsStart(hit, v) {
			p.start = true
			p.restart, p.rto, p.rFrom, p.oFrom = m.durations(v, def)
			actRun, stbyRun := hit.Running(v)
			p.canFailover = !hit.IsFailed(v) && stbyRun > 0 && int32(actRun+stbyRun) >= m.quorum[v]
			p.restartNeedsV = ranOnStandby(base, v)
			starts = append(starts, v)
		}
	}

	e := m.NewEvaluator()
	pending := make([]bool, m.Len())
	for _, s := range starts {
		pending[s] = true
	}
	remaining := func() []int32 {
		var out []int32
		for _, s := range starts {
			if pending[s] {
				out = append(out, s)
			}
		}
		return out
	}
	// Timing: an event simulation over completion times.
	t := time.Duration(0)
	for {
		e.Run(remaining())
		for _, v := range nodes {
			p := &plan[v]
			if p.back != Never || (p.start && !pending[v]) {
				continue
			}
			if !p.start {
				if e.State(v) != Down {
					p.back, p.readyR, p.route = t, t, RouteResume
				}
				continue
			}
			deps, via := e.depsUp(v), e.viaUp(v)
			if deps && (via || !p.restartNeedsV) && p.readyR == Never {
				p.readyR = t
			}
			if deps && via && p.canFailover && p.readyF == Never {
				p.readyF = t
			}
		}
		next := Never
		for _, s := range starts {
			if pending[s] {
				next = min(next, completion(&plan[s]))
			}
		}
		if next == Never {
			break
		}
		t = next
		for _, s := range starts {
			p := &plan[s]
			if pending[s] && completion(p) == t {
				pending[s] = false
				p.back = t
				p.route = RouteRestart
				if p.readyF != Never && add(p.readyF, p.rto) < add(p.readyR, p.restart) {
					p.route = RouteFailover
				}
			}
		}
	}
	// e holds the end state: what never started is failed.
	var stuck []int32
	for _, v := range nodes {
		if plan[v].back == Never {
			stuck = append(stuck, v)
		}
	}
	r.Deadlocks = m.deadlocks(coldStart{
		stuck: stuck,
		up:    func(x int32) bool { return e.State(x) != Down },
		start: func(v int32) bool { return plan[v].start },
		base:  base,
	})

	// Waves: levels along the chosen routes. A start is down until its
	// wave; one that never comes back stays down.
	wave := make([]int, m.Len())
	hasWave := make([]bool, m.Len())
	for w := -1; ; w++ {
		var down []int32
		for _, s := range starts {
			if !hasWave[s] {
				down = append(down, s)
			}
		}
		e.Run(down)
		for _, v := range nodes {
			if !hasWave[v] && !plan[v].start && e.State(v) != Down {
				wave[v], hasWave[v] = w, true
			}
		}
		var next []int32
		for _, s := range starts {
			p := &plan[s]
			if hasWave[s] || p.back == Never || !e.readyIn(s, p) {
				continue
			}
			next = append(next, s)
		}
		if len(next) == 0 {
			break
		}
		for _, s := range next {
			wave[s], hasWave[s] = w+1, true
		}
		r.Waves = append(r.Waves, next)
	}

	for _, v := range nodes {
		p := &plan[v]
		st := Step{Node: v, Route: p.route, Ready: p.readyR, Back: p.back, After: -1, Wave: -1}
		if hasWave[v] && p.back != Never {
			st.Wave = wave[v]
		}
		if p.start {
			st.Took, st.TookFrom = p.restart, p.rFrom
			if p.route == RouteFailover {
				st.Ready, st.Took, st.TookFrom = p.readyF, p.rto, p.oFrom
			}
			if p.back == Never {
				st.Ready, st.Route = Never, RouteRestart
			}
		}
		if st.Back != Never {
			if m.kinds[v] == Feature {
				r.Total = max(r.Total, st.Back)
			} else {
				r.AllServices = max(r.AllServices, st.Back)
			}
		}
		r.step[v] = len(r.Steps)
		r.Steps = append(r.Steps, st)
	}
	r.link(e, plan, starts)
	return r
}

// completion is when a start service is back along its earlier route.
func completion(p *planned) time.Duration {
	c := add(p.readyR, p.restart)
	if p.canFailover {
		c = min(c, add(p.readyF, p.rto))
	}
	return c
}

// add is a+b, saturating at Never.
func add(a, b time.Duration) time.Duration {
	if a == Never || b >= Never-a {
		return Never
	}
	return a + b
}

// depsUp reports whether every hard dependency entry of v has at least K
// members not down in the last run.
func (e *Evaluator) depsUp(v int32) bool {
	m := e.m
	for g := m.ngStart[v]; g < m.ngStart[v+1]; g++ {
		if m.groupSoft[g] || m.groupKind[g] != GroupDep {
			continue
		}
		if !e.groupUp(g) {
			return false
		}
	}
	return true
}

// groupUp reports whether group g has at least K members not down.
func (e *Evaluator) groupUp(g int32) bool {
	m := e.m
	up := int32(0)
	for _, x := range m.gmList[m.gmStart[g]:m.gmStart[g+1]] {
		if e.state[x] != Down {
			up++
		}
	}
	return up >= m.groupK[g]
}

// viaUp reports whether no failover.via service of v is down.
func (e *Evaluator) viaUp(v int32) bool {
	for _, x := range e.m.Via(v) {
		if e.state[x] == Down {
			return false
		}
	}
	return true
}

// readyIn reports whether node v's route (p.route) is open in e's last
// run: a resuming node is not down; a start has its hard dependencies up,
// and its control plane when the route needs it.
func (e *Evaluator) readyIn(v int32, p *planned) bool {
	if !p.start {
		return e.State(v) != Down
	}
	needVia := p.route == RouteFailover || p.restartNeedsV
	return e.depsUp(v) && (!needVia || e.viaUp(v))
}

// link sets every step's After and the critical path. A node ready at
// time t > 0 waited for the services finishing at t; After is the one,
// smallest id first, whose absence alone would keep the node waiting at t.
// When none does (substitutes finishing together, such as both members of
// an anyOf), the services finishing at t are dropped one by one, in id
// order, while the rest still keep the node waiting, and After is the
// smallest that remains.
func (r *Recovery) link(e *Evaluator, plan []planned, starts []int32) {
	m := r.m
	doneAt := map[time.Duration][]int32{} // starts back at t, in id order
	for _, s := range starts {
		if b := plan[s].back; b != Never {
			doneAt[b] = append(doneAt[b], s)
		}
	}
	byReady := map[time.Duration][]int{}
	for i, st := range r.Steps {
		if st.Back != Never && st.Ready > 0 {
			byReady[st.Ready] = append(byReady[st.Ready], i)
		}
	}
	for _, t := range slices.Sorted(maps.Keys(byReady)) {
		done := doneAt[t]
		var after []int32 // pending after t
		for _, s := range starts {
			if plan[s].back > t {
				after = append(after, s)
			}
		}
		with := func(extra []int32) []int32 { return append(after[:len(after):len(after)], extra...) }
		ready := func(i int) bool { v := r.Steps[i].Node; return e.readyIn(v, &plan[v]) }
		for _, c := range done {
			e.Run(with([]int32{c}))
			for _, i := range byReady[t] {
				if r.Steps[i].After < 0 && !ready(i) {
					r.Steps[i].After = c
				}
			}
		}
		for _, i := range byReady[t] {
			if r.Steps[i].After >= 0 {
				continue
			}
			keep := slices.Clone(done)
			for j := 0; j < len(keep); {
				try := slices.Delete(slices.Clone(keep), j, j+1)
				e.Run(with(try))
				if !ready(i) {
					keep = try
				} else {
					j++
				}
			}
			if len(keep) > 0 {
				r.Steps[i].After = keep[0]
			}
		}
	}
	// The last feature back (most users, then id, on ties); else the last
	// service.
	last := int32(-1)
	better := func(a, b Step) bool {
		if a.Back != b.Back {
			return a.Back > b.Back
		}
		if m.kinds[a.Node] == Feature && m.kinds[b.Node] == Feature {
			if ua, ub := m.Feature(a.Node).Users, m.Feature(b.Node).Users; ua != ub {
				return ua > ub
			}
		}
		return a.Node < b.Node
	}
	for _, want := range []NodeKind{Feature, Service} {
		for _, st := range r.Steps {
			if m.kinds[st.Node] != want || st.Back == Never {
				continue
			}
			if last < 0 || better(st, r.Steps[r.step[last]]) {
				last = st.Node
			}
		}
		if last >= 0 {
			break
		}
	}
	for v := last; v >= 0; v = r.Steps[r.step[v]].After {
		r.CriticalPath = append(r.CriticalPath, v)
		if len(r.CriticalPath) > len(r.Steps) {
			break // cannot happen: After times strictly decrease
		}
	}
	slices.Reverse(r.CriticalPath)
}

// ByBack orders steps by when they are back (never last), then id.
func (r *Recovery) ByBack(a, b Step) int {
	return cmp.Or(cmp.Compare(a.Back, b.Back), cmp.Compare(r.m.ids[a.Node], r.m.ids[b.Node]))
}
