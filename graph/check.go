package graph

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/blast-dev/blast/internal/num"
	"github.com/blast-dev/blast/inventory"
)

// Finding is one violation of a policy rule.
type Finding struct {
	Rule *inventory.Rule
	// Subject is the feature, service or component the finding is about.
	Subject int32
	// Failure is the component whose loss breaks the rule, or -1 for rules
	// about structure (spread, noCycles).
	Failure int32
	// State is the subject's state after Failure (survive rules).
	State State
	// Message says what is wrong in one sentence.
	Message string
	// Why is the chain of causes from the subject (or, for
	// independentFailover, its control plane) back to Failure; Cycle the
	// dependency cycle of a noCycles finding, starting at its smallest id.
	Why, Cycle []int32
	// WhyDetail holds, for each step of Why, what the failure did to that
	// service's replicas and failover ("replicas 0/6 active, 3/3 standby;
	// quorum 4; failover blocked by ops"), or "" (see
	// Result.ChainDetails). Same length as Why.
	WhyDetail []string

	whyOf int32 // node whose chain to Failure becomes Why; -1 none
}

// Key identifies a finding across versions of an inventory: rule id,
// subject id, failure id and, for a cycle, the ids around it (two
// deadlocks may start at the same service). Baselines compare keys.
func (f Finding) Key(m *Model) string {
	fail := ""
	if f.Failure >= 0 {
		fail = m.ID(f.Failure)
	}
	key := f.Rule.ID + "\x00" + m.ID(f.Subject) + "\x00" + fail
	for _, v := range f.Cycle {
		key += "\x00" + m.ID(v)
	}
	return key
}

// severityRank orders severities: error 0, warning 1, note 2.
func severityRank(s string) int {
	switch s {
	case inventory.SeverityError:
		return 0
	case inventory.SeverityWarning:
		return 1
	}
	return 2
}

// Fails reports whether a finding of this severity fails a gate that
// fails on failOn (error, warning or note) or worse.
func Fails(severity, failOn string) bool {
	return severityRank(severity) <= severityRank(failOn)
}

// CheckResult is the outcome of checking a policy.
type CheckResult struct {
	Policy *inventory.Policy
	// Findings are sorted by rule (in policy order), subject id, then
	// failure id.
	Findings []Finding
	// Subjects lists, per rule (in policy order), what the rule checked:
	// the features, services or components it applies to, in id order
	// (nil for a skipped rule).
	Subjects [][]int32
	// Warnings are things the caller should tell the user, such as a rule
	// kind that no component has or a selection that picks nothing; each
	// names its rule and where the policy defines it.
	Warnings []string
	// RuleWarnings holds, per rule (in policy order), the same warnings
	// without the rule's name and position, for reports that list rules.
	RuleWarnings [][]string
	// Skipped tells, per rule (in policy order), whether the rule was not
	// checked because no component has any of its kinds (only with
	// PolicyOptions.SkipMissingKinds).
	Skipped []bool
}

// PolicyOptions tune CheckPolicyOptions.
type PolicyOptions struct {
	// SkipMissingKinds skips, with a warning, a rule none of whose
	// component kinds exists in the inventory, instead of failing: for the
	// built-in policy, written for estates of every shape, and for a
	// baseline that predates a kind the change introduces.
	SkipMissingKinds bool
}

// warn records a warning about rule i.
func (res *CheckResult) warn(i int, r *inventory.Rule, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	res.RuleWarnings[i] = append(res.RuleWarnings[i], msg)
	res.Warnings = append(res.Warnings, fmt.Sprintf("%s: rule %q: %s", r.Pos, r.ID, msg))
}

// selectsFeatures reports whether rule r's selector picks features (survive
// and maxImpact) rather than services.
func selectsFeatures(r *inventory.Rule) bool {
	return r.Type == inventory.RuleSurvive || r.Type == inventory.RuleMaxImpact
}

// PolicyDiagnostics checks p against the inventory: every id a rule's
// selector names must be a feature (survive, maxImpact) or a service
// (other rules) of m. Each error has the policy's file:line:col and a
// hint. Sorted by position. O(ids · nodes) for the hints.
func (m *Model) PolicyDiagnostics(p *inventory.Policy) inventory.Diagnostics {
	var diags inventory.Diagnostics
	names := map[NodeKind][]string{}
	for _, k := range []NodeKind{Feature, Service} {
		for _, v := range m.Nodes(k) {
			names[k] = append(names[k], m.ID(v))
		}
	}
	for i := range p.Rules {
		r := &p.Rules[i]
		if r.Select == nil {
			continue
		}
		want, what := Service, "service"
		if selectsFeatures(r) {
			want, what = Feature, "feature"
		}
		for j, id := range r.Select.IDs {
			v, ok := m.Lookup(id)
			if ok && m.Kind(v) == want {
				continue
			}
			d := inventory.Diagnostic{Msg: fmt.Sprintf("rule %q selects %s %q, which the inventory does not have", r.ID, what, id)}
			if j < len(r.Select.IDPos) {
				d.Pos, d.Path = r.Select.IDPos[j], r.Select.IDPath[j]
			} else {
				d.Pos = r.Pos
			}
			switch {
			case ok:
				d.Hint = fmt.Sprintf("%s is a %s; %s rules select %ss", id, m.Kind(v), r.Type, what)
			default:
				d.Hint = cmp.Or(inventory.DidYouMean(id, names[want]), "list the "+what+" ids with blast simulate --format json")
			}
			diags = append(diags, d)
		}
	}
	diags.Sort()
	return diags
}

// CheckPolicy evaluates every rule of p. It returns an error when none of
// the component kinds a rule names exists in the inventory (likely a
// typo), and a warning when only some do. The single-failure
// sets of every component are computed once, in one pass; each failure
// that breaks a rule is then evaluated once more for its why-chains.
func (m *Model) CheckPolicy(p *inventory.Policy) (*CheckResult, error) {
	return m.CheckPolicyContext(context.Background(), p)
}

// CheckPolicyContext is CheckPolicy that stops, returning ctx's error,
// when ctx is done: it is checked in the single-failure pass, between
// rules and before each why-chain evaluation.
func (m *Model) CheckPolicyContext(ctx context.Context, p *inventory.Policy) (*CheckResult, error) {
	return m.CheckPolicyOptions(ctx, p, PolicyOptions{})
}

// CheckPolicyOptions is CheckPolicyContext tuned by opt. It also warns of
// each rule whose selector picks nothing at all (a likely typo in a
// product, tier or label), naming the rule.
func (m *Model) CheckPolicyOptions(ctx context.Context, p *inventory.Policy, opt PolicyOptions) (*CheckResult, error) {
	kinds := m.ComponentKinds()
	res := &CheckResult{Policy: p, RuleWarnings: make([][]string, len(p.Rules)), Skipped: make([]bool, len(p.Rules))}
	for i := range p.Rules {
		r := &p.Rules[i]
		var missing []string
		for _, k := range r.Kinds {
			if !slices.Contains(kinds, k) {
				missing = append(missing, k)
			}
		}
		switch {
		case len(missing) == 0:
		case len(missing) == len(r.Kinds) && opt.SkipMissingKinds:
			res.Skipped[i] = true
			res.warn(i, r, "no component has kind %s; rule skipped", strings.Join(missing, " or "))
		case len(missing) == len(r.Kinds):
			hint := cmp.Or(inventory.DidYouMean(missing[0], kinds), "fix the rule's kinds, or leave the rule out of the policy for this inventory")
			return nil, fmt.Errorf("%s: rule %q: no component has kind %s (kinds present: %s); %s",
				r.Pos, r.ID, strings.Join(missing, " or "), strings.Join(kinds, ", "), hint)
		default:
			res.warn(i, r, "no component has kind %s; checking the others", strings.Join(missing, " or "))
		}
		if r.Select != nil && !res.Skipped[i] && !m.selectsAny(r) {
			what := "service"
			if selectsFeatures(r) {
				what = "feature"
			}
			res.warn(i, r, "select (%s) picks no %s; the rule checks nothing", r.Select, what)
		}
	}
	sf, err := m.SingleFailuresContext(ctx, m.Nodes(Component))
	if err != nil {
		return nil, err
	}
	c := &checker{m: m, sf: sf}
	for i := range p.Rules {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r := &p.Rules[i]
		var fs []Finding
		if res.Skipped[i] {
			res.Subjects = append(res.Subjects, nil)
			continue
		}
		subjects := c.subjects(r)
		res.Subjects = append(res.Subjects, subjects)
		switch r.Type {
		case inventory.RuleSurvive:
			fs = c.survive(r, subjects)
		case inventory.RuleMaxImpact:
			fs = c.maxImpact(r, subjects)
		case inventory.RuleIndependentFailover:
			fs = c.independentFailover(r, subjects)
		case inventory.RuleSpread:
			fs = c.spread(r, subjects)
		case inventory.RuleNoCycles:
			fs = c.noCycles(r, subjects)
		}
		slices.SortStableFunc(fs, func(a, b Finding) int {
			return cmp.Or(cmp.Compare(a.Subject, b.Subject), cmp.Compare(a.Failure, b.Failure))
		})
		res.Findings = append(res.Findings, fs...)
	}
	m.fillWhy(ctx, res.Findings)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return res, nil
}

// fillWhy computes the why-chains of findings: one evaluation per distinct
// failure, on every core, each reading only the part of the graph the
// failure reaches.
func (m *Model) fillWhy(ctx context.Context, fs []Finding) {
	byFailure := map[int32][]int{}
	for i, f := range fs {
		if f.whyOf >= 0 { // failure -1: what the inventory marks failed alone
			byFailure[f.Failure] = append(byFailure[f.Failure], i)
		}
	}
	ks := slices.Sorted(maps.Keys(byFailure))
	defer m.progress("why-chains", len(ks), len(ks))
	parallelProgress(len(ks), func() func(int) {
		e := m.NewEvaluator()
		sc := &coneScratch{}
		return func(i int) {
			if ctx.Err() != nil {
				return // stopped: the caller reports it
			}
			k := ks[i]
			if k < 0 {
				e.Run(nil)
			} else {
				e.Run([]int32{k})
			}
			r := e.view()
			targets := make([]int32, len(byFailure[k]))
			for j, fi := range byFailure[k] {
				targets[j] = fs[fi].whyOf
			}
			for j, chain := range r.coneChains(targets, sc) {
				fs[byFailure[k][j]].Why = chain
				fs[byFailure[k][j]].WhyDetail = r.ChainDetails(chain, 0)
			}
		}
	}, func(k int) {
		if k%64 == 0 {
			m.progress("why-chains", k, len(ks))
		}
	})
}

// selectsAny reports whether rule r's selector picks at least one feature
// (survive, maxImpact) or service (other rules).
func (m *Model) selectsAny(r *inventory.Rule) bool {
	if selectsFeatures(r) {
		return slices.ContainsFunc(m.Nodes(Feature), func(f int32) bool { return r.Select.MatchFeature(m.Feature(f)) })
	}
	return slices.ContainsFunc(m.Nodes(Service), func(s int32) bool { return r.Select.MatchService(m.Service(s)) })
}

// subjects returns what rule r applies to, in id order: the features it
// selects (survive), the components of its kinds (maxImpact), the services
// it selects that have a failover control plane (independentFailover) or
// placements (spread), the services it selects (noCycles).
func (c *checker) subjects(r *inventory.Rule) []int32 {
	m := c.m
	var out []int32
	switch r.Type {
	case inventory.RuleNoCycles:
		for _, s := range m.Nodes(Service) {
			if r.Select.MatchService(m.Service(s)) {
				out = append(out, s)
			}
		}
	case inventory.RuleSurvive:
		for _, f := range m.Nodes(Feature) {
			if r.Select.MatchFeature(m.Feature(f)) {
				out = append(out, f)
			}
		}
	case inventory.RuleMaxImpact:
		for _, k := range m.Nodes(Component) {
			if c.ofKinds(k, r.Kinds) {
				out = append(out, k)
			}
		}
	case inventory.RuleIndependentFailover, inventory.RuleSpread:
		for _, s := range m.Nodes(Service) {
			if !r.Select.MatchService(m.Service(s)) {
				continue
			}
			if (r.Type == inventory.RuleSpread && m.npStart[s] != m.npStart[s+1]) ||
				(r.Type == inventory.RuleIndependentFailover && len(m.Via(s)) > 0) {
				out = append(out, s)
			}
		}
	}
	return out
}

type checker struct {
	m  *Model
	sf *SingleFailures
}

func (c *checker) ofKinds(k int32, kinds []string) bool {
	return c.m.kinds[k] == Component && slices.Contains(kinds, c.m.Component(k).Kind)
}

func (c *checker) survive(r *inventory.Rule, features []int32) []Finding {
	m := c.m
	var out []Finding
	for _, f := range features {
		if st := c.sf.Base(f); st == Down || (st == Degraded && r.Allow != "degraded") {
			out = append(out, Finding{Rule: r, Subject: f, Failure: -1, State: st, whyOf: f,
				Message: fmt.Sprintf("feature %s is %s before any loss, with what the inventory marks failed; the rule wants it %s", m.ID(f), st, wantState(r.Allow))})
		}
		bad := slices.Clone(c.sf.Down(f))
		if r.Allow != "degraded" {
			bad = append(bad, c.sf.Degraded(f)...)
		}
		slices.Sort(bad)
		for _, k := range bad {
			if !c.ofKinds(k, r.Kinds) {
				continue
			}
			st := c.sf.StateUnder(f, k)
			out = append(out, Finding{Rule: r, Subject: f, Failure: k, State: st, whyOf: f,
				Message: fmt.Sprintf("feature %s is %s after the loss of %s %s; the rule wants it %s", m.ID(f), st, m.Component(k).Kind, m.ID(k), wantState(r.Allow))})
		}
	}
	return out
}

func wantState(allow string) string {
	if allow == "degraded" {
		return "not down"
	}
	return "up"
}

// maxListed is how many features a maxImpact finding names before "and N
// more".
const maxListed = 5

func (c *checker) maxImpact(r *inventory.Rule, components []int32) []Finding {
	m := c.m
	users := map[int32]int64{}
	feats := map[int32][]int32{} // component of the rule's kinds → the features it takes down
	var total int64
	for _, f := range m.Nodes(Feature) {
		fe := m.Feature(f)
		if !r.Select.MatchFeature(fe) {
			continue
		}
		total += fe.Users
		for _, k := range c.sf.Down(f) {
			if c.ofKinds(k, r.Kinds) {
				users[k] += fe.Users
				feats[k] = append(feats[k], f)
			}
		}
	}
	var out []Finding
	for _, k := range components {
		if len(feats[k]) == 0 {
			continue
		}
		u := users[k]
		pct := 0.0
		if total > 0 {
			pct = float64(u) * 100 / float64(total)
		}
		var over []string
		if r.MaxUsers > 0 && u > r.MaxUsers {
			over = append(over, fmt.Sprintf("more than %s users", num.Count(r.MaxUsers)))
		}
		if r.MaxPercent > 0 && pct > r.MaxPercent {
			over = append(over, fmt.Sprintf("more than %g%% of users", r.MaxPercent))
		}
		if len(over) == 0 {
			continue
		}
		// the features, most users first; the why-chain is the largest's
		fs := feats[k]
		slices.SortStableFunc(fs, func(a, b int32) int { return cmp.Compare(m.Feature(b).Users, m.Feature(a).Users) })
		names := make([]string, 0, maxListed)
		for _, f := range fs[:min(maxListed, len(fs))] {
			names = append(names, m.ID(f))
		}
		listed := strings.Join(names, ", ")
		if len(fs) > maxListed {
			listed += fmt.Sprintf(" and %d more", len(fs)-maxListed)
		}
		out = append(out, Finding{Rule: r, Subject: k, Failure: k, State: Down, whyOf: fs[0],
			Message: fmt.Sprintf("the loss of %s %s takes down %d %s and %s users (%.1f%%): %s; down: %s",
				m.Component(k).Kind, m.ID(k), len(fs), num.Plural(len(fs), "feature", "features"), num.Count(u), pct, strings.Join(over, " and "), listed)})
	}
	return out
}

func (c *checker) independentFailover(r *inventory.Rule, services []int32) []Finding {
	m := c.m
	var out []Finding
	for _, s := range services {
		via := m.Via(s)
		// domains that take down some active replica of s
		hits := map[int32][]int32{} // domain → active placement components it takes down
		for p := m.npStart[s]; p < m.npStart[s+1]; p++ {
			if m.plStandby[p] {
				continue
			}
			for _, k := range c.sf.Down(m.plComp[p]) {
				if c.ofKinds(k, r.Kinds) && !slices.Contains(hits[k], m.plComp[p]) {
					hits[k] = append(hits[k], m.plComp[p])
				}
			}
		}
		// control planes each such domain takes down too, in id order
		planes := map[int32][]int32{}
		for _, x := range via {
			for _, k := range c.sf.Down(x) {
				if _, ok := hits[k]; ok && !slices.Contains(planes[k], x) {
					planes[k] = append(planes[k], x)
				}
			}
		}
		for _, k := range slices.Sorted(maps.Keys(planes)) {
			xs := planes[k]
			slices.Sort(xs)
			placed := hits[k]
			slices.Sort(placed)
			var names []string
			for _, p := range placed[:min(3, len(placed))] {
				names = append(names, m.ID(p))
			}
			if len(placed) > 3 {
				names = append(names, fmt.Sprintf("%d more", len(placed)-3))
			}
			xnames := make([]string, len(xs))
			for i, x := range xs {
				xnames[i] = m.ID(x)
			}
			out = append(out, Finding{Rule: r, Subject: s, Failure: k, State: c.sf.StateUnder(s, k), whyOf: xs[0],
				Message: fmt.Sprintf("the loss of %s %s takes down active replicas of %s (on %s) and its failover control %s %s: the standby cannot be promoted",
					m.Component(k).Kind, m.ID(k), m.ID(s), strings.Join(names, ", "), num.Plural(len(xs), "plane", "planes"), strings.Join(xnames, ", "))})
		}
	}
	return out
}

// ancestorOfKind returns the nearest component of the given kind that
// contains v (v itself included), or -1.
func (m *Model) ancestorOfKind(v int32, kind string) int32 {
	for depth := 0; v >= 0 && depth <= len(m.ids); depth++ {
		if m.kinds[v] == Component && m.Component(v).Kind == kind {
			return v
		}
		v = m.Parent(v)
	}
	return -1
}

func (c *checker) spread(r *inventory.Rule, services []int32) []Finding {
	m := c.m
	kind := r.Kinds[0]
	var out []Finding
	for _, s := range services {
		var doms []int32
		none := false
		for p := m.npStart[s]; p < m.npStart[s+1]; p++ {
			if a := m.ancestorOfKind(m.plComp[p], kind); a >= 0 {
				doms = append(doms, a)
			} else {
				none = true
			}
		}
		slices.Sort(doms)
		doms = slices.Compact(doms)
		if len(doms) >= r.Min {
			continue
		}
		where := make([]string, len(doms))
		for i, d := range doms {
			where[i] = m.ID(d)
		}
		if none {
			where = append(where, "(placements outside any "+kind+")")
		}
		out = append(out, Finding{Rule: r, Subject: s, Failure: -1, whyOf: -1,
			Message: fmt.Sprintf("replicas of %s span %d %s (%s); the rule wants at least %d",
				m.ID(s), len(doms), num.Plural(len(doms), kind, kind+"s"), strings.Join(where, ", "), r.Min)})
	}
	return out
}

// noCycles runs the recovery plan's deadlock finder on a cold start from
// nothing: every service the rule selects is down at once and must start
// again (through its failover.via control plane when it runs only on its
// standby replicas). Each deadlock found is a finding about the first
// node of its cycle, with the edge to break; breaking every one lets the
// selected services all start.
func (c *checker) noCycles(r *inventory.Rule, services []int32) []Finding {
	m := c.m
	var out []Finding
	for _, d := range m.ColdStartDeadlocks(services) {
		cyc := d.Cycle
		names := make([]string, len(cyc)+1)
		for i, v := range cyc {
			names[i] = m.ID(v)
		}
		names[len(cyc)] = m.ID(cyc[0])
		out = append(out, Finding{Rule: r, Subject: cyc[0], Failure: -1, Cycle: cyc, whyOf: -1,
			Message: fmt.Sprintf("cold-start deadlock %s: with these services down, none of them can start; break %s → %s (make the dependency soft, or give %s a cached credential or a break-glass path)",
				strings.Join(names, " → "), m.ID(d.From), m.ID(d.To), m.ID(d.From))})
	}
	return out
}
