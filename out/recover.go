package out

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/internal/num"
)

// RecoveryReport is a recovery plan in the shape of the recover JSON
// document. Times are minutes from the restoration of the failed
// components; a node that never comes back has no time (null).
type RecoveryReport struct {
	Inventory string   `json:"inventory"`
	Failed    []string `json:"failed"`
	// DefaultRestart is the restart time of services that give none, in
	// minutes.
	DefaultRestart float64 `json:"defaultRestartMinutes"`
	// TotalMinutes is when the last feature is back; AllServicesMinutes
	// when the last service is. Null when something never comes back.
	TotalMinutes       *float64        `json:"totalMinutes"`
	AllServicesMinutes *float64        `json:"allServicesMinutes"`
	Waves              []WaveEntry     `json:"waves"`
	Features           []RecoveryEntry `json:"features"`
	Services           []RecoveryEntry `json:"services"`
	Operations         []string        `json:"operations" jsonschema:"description=Down services with role operations: tooling that recovery itself needs."`
	Deadlocks          []DeadlockEntry `json:"deadlocks"`
	CriticalPath       []RecoveryEntry `json:"criticalPath"`

	rec *graph.Recovery
}

// WaveEntry is one wave of the plan: the services it starts and the
// features back once they are, by time back, then id.
type WaveEntry struct {
	Wave     int      `json:"wave"`
	Services []string `json:"services"`
	Features []string `json:"features"`
}

// RecoveryEntry is how and when one service or feature comes back.
type RecoveryEntry struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Route string `json:"route" jsonschema:"enum=restart,enum=failover,enum=resume"`
	// Wave is the wave that starts it (or after which it resumes); -1:
	// back at once, when the failed components are; null: never back on
	// its own.
	Wave         *int     `json:"wave"`
	ReadyMinutes *float64 `json:"readyMinutes"`
	BackMinutes  *float64 `json:"backMinutes"`
	TookMinutes  float64  `json:"tookMinutes"`
	TookFrom     string   `json:"tookFrom,omitempty"`
	After        string   `json:"after,omitempty"`
	Users        int64    `json:"users,omitempty"`
	Tier         int      `json:"tier,omitempty"`
	Role         string   `json:"role,omitempty"`

	node int32
	back time.Duration
}

// DeadlockEntry is a cold-start cycle and the edge to break.
type DeadlockEntry struct {
	Cycle []string `json:"cycle"`
	From  string   `json:"from"`
	To    string   `json:"to"`
}

func minutes(d time.Duration) *float64 {
	if d == graph.Never {
		return nil
	}
	v := d.Minutes()
	return &v
}

// NewRecoveryReport shapes a recovery plan for output. Features are listed
// by when they are back (never last), then tier, users and id; services by
// id.
func NewRecoveryReport(name string, def time.Duration, r *graph.Recovery) *RecoveryReport {
	m := r.Model()
	rep := &RecoveryReport{Inventory: name, Failed: ids(m, r.Failed), DefaultRestart: def.Minutes(), rec: r,
		Waves: []WaveEntry{}, Features: []RecoveryEntry{}, Services: []RecoveryEntry{}, Operations: []string{},
		Deadlocks: []DeadlockEntry{}, CriticalPath: []RecoveryEntry{}}
	entry := func(st graph.Step) RecoveryEntry {
		e := RecoveryEntry{ID: m.ID(st.Node), Route: st.Route.String(),
			ReadyMinutes: minutes(st.Ready), BackMinutes: minutes(st.Back), TookMinutes: st.Took.Minutes(),
			TookFrom: st.TookFrom, node: st.Node, back: st.Back}
		if n := m.Name(st.Node); n != e.ID {
			e.Name = n
		}
		if st.Back != graph.Never {
			w := st.Wave
			e.Wave = &w
		}
		if st.After >= 0 {
			e.After = m.ID(st.After)
		}
		switch m.Kind(st.Node) {
		case graph.Feature:
			f := m.Feature(st.Node)
			e.Users, e.Tier = f.Users, f.Tier
		case graph.Service:
			s := m.Service(st.Node)
			e.Tier, e.Role = s.Tier, s.Role
		}
		return e
	}
	all := r.Steps
	for _, st := range all {
		e := entry(st)
		if m.Kind(st.Node) == graph.Feature {
			rep.Features = append(rep.Features, e)
			continue
		}
		rep.Services = append(rep.Services, e)
		if e.Role == "operations" {
			rep.Operations = append(rep.Operations, e.ID)
		}
	}
	slices.SortFunc(rep.Features, byBack)
	inWave := slices.Clone(rep.Features)
	slices.SortFunc(inWave, func(a, b RecoveryEntry) int { return cmp.Or(cmp.Compare(a.back, b.back), cmp.Compare(a.ID, b.ID)) })
	for i, w := range r.Waves {
		we := WaveEntry{Wave: i, Services: ids(m, w), Features: []string{}}
		for _, f := range inWave {
			if f.Wave != nil && *f.Wave == i {
				we.Features = append(we.Features, f.ID)
			}
		}
		rep.Waves = append(rep.Waves, we)
	}
	for _, d := range r.Deadlocks {
		rep.Deadlocks = append(rep.Deadlocks, DeadlockEntry{Cycle: ids(m, d.Cycle), From: m.ID(d.From), To: m.ID(d.To)})
	}
	for _, v := range r.CriticalPath {
		st, _ := r.Step(v)
		rep.CriticalPath = append(rep.CriticalPath, entry(st))
	}
	stuck := slices.ContainsFunc(all, func(st graph.Step) bool { return st.Back == graph.Never })
	if !stuck {
		rep.TotalMinutes, rep.AllServicesMinutes = minutes(r.Total), minutes(r.AllServices)
	}
	return rep
}

// byBack orders entries by time back (never last), then tier (untiered
// last), users (most first) and id.
func byBack(a, b RecoveryEntry) int {
	tier := func(t int) int {
		if t == 0 {
			return 1 << 30
		}
		return t
	}
	return cmp.Or(cmp.Compare(a.back, b.back), cmp.Compare(tier(a.Tier), tier(b.Tier)),
		cmp.Compare(b.Users, a.Users), cmp.Compare(a.ID, b.ID))
}

// Duration formats d for people: 0m, 45m, 9h, 3h30m, 2d4h; "never" for
// graph.Never.
func Duration(d time.Duration) string {
	if d == graph.Never {
		return "never"
	}
	if d == 0 {
		return "0m"
	}
	var parts []string
	if days := d / (24 * time.Hour); days > 0 {
		parts = append(parts, fmt.Sprintf("%dd", days))
		d -= days * 24 * time.Hour
	}
	if h := d / time.Hour; h > 0 {
		parts = append(parts, fmt.Sprintf("%dh", h))
		d -= h * time.Hour
	}
	if mins := d / time.Minute; mins > 0 {
		parts = append(parts, fmt.Sprintf("%dm", mins))
		d -= mins * time.Minute
	}
	if d > 0 {
		parts = append(parts, fmt.Sprintf("%ds", d/time.Second))
	}
	return strings.Join(parts, "")
}

// RecoveryTextOptions controls the recover text output.
type RecoveryTextOptions struct {
	TextOptions
	// Top bounds the features listed per wave and in the recovery-time
	// table; 0 lists all.
	Top int
}

// WriteRecoveryText writes the plan as a runbook outline: what recovery
// itself needs first, the waves with the services they start and the
// features they bring back, the deadlocks, the features by time back, and
// the critical path.
func WriteRecoveryText(w io.Writer, rep *RecoveryReport, opt RecoveryTextOptions) error {
	p := &printer{w: w, color: opt.Color}
	r := rep.rec
	m := r.Model()
	p.printf("%s — recovery after: %s\n", p.bold(rep.Inventory), strings.Join(cleanAll(rep.Failed), ", "))
	if len(r.Steps) == 0 {
		p.printf("nothing went down: no recovery needed\n")
		return p.err
	}
	starts, stuck := 0, 0
	for _, w := range r.Waves {
		starts += len(w)
	}
	for _, e := range rep.Services {
		if e.back == graph.Never {
			stuck++
		}
	}
	back := 0
	for _, f := range rep.Features {
		if f.back != graph.Never {
			back++
		}
	}
	p.printf("time 0 is when the failed components are back (repowered)\n")
	p.printf("%d of %d features down, the rest need nothing; ", len(rep.Features), len(m.Nodes(graph.Feature)))
	if len(rep.Services) == 0 {
		p.printf("no service down")
	} else {
		p.printf("%d %s down: %d started in %d %s", len(rep.Services), num.Plural(len(rep.Services), "service", "services"),
			starts, len(r.Waves), num.Plural(len(r.Waves), "wave", "waves"))
		if n := len(rep.Services) - starts - stuck; n > 0 {
			p.printf(", %d %s", n, num.Plural(n, "resumes", "resume"))
		}
		if stuck > 0 {
			p.printf(", %d deadlocked", stuck)
		}
	}
	switch {
	case len(rep.Features) == 0:
		p.printf("; no feature is down\n")
	case rep.TotalMinutes != nil:
		p.printf("; every feature back after %s\n", Duration(r.Total))
	default:
		p.printf("; %d %s back, %d never without a fix\n", back, num.Plural(back, "feature", "features"), len(rep.Features)-back)
	}

	if len(rep.Operations) > 0 {
		p.printf("\nRecovery needs tooling that is down — bring it back first:\n")
		for _, e := range rep.Services {
			if e.Role == "operations" {
				p.printf("  %s  %s\n", Clean(e.ID), stepSummary(e))
			}
		}
	}

	backOf := map[string]time.Duration{}
	for _, f := range rep.Features {
		backOf[f.ID] = f.back
	}
	for _, we := range rep.Waves {
		p.printf("\n%s\n", p.bold(fmt.Sprintf("Wave %d", we.Wave)))
		for _, id := range we.Services {
			e := rep.entry(id)
			p.printf("  start %s  %s\n", Clean(e.ID), stepSummary(e))
		}
		if len(we.Features) > 0 {
			timed := make([]string, len(we.Features))
			for i, id := range we.Features {
				timed[i] = id + " (" + Duration(backOf[id]) + ")"
			}
			p.printf("  features back: %s\n", listAll(timed, opt.Top))
		}
	}
	if len(rep.Deadlocks) > 0 {
		p.printf("\n%s\n", p.bold("Cold-start deadlocks: these never start on their own"))
		for _, d := range rep.Deadlocks {
			cyc := append(cleanAll(d.Cycle), Clean(d.Cycle[0]))
			p.printf("  %s\n", strings.Join(cyc, " → "))
			p.printf("    break %s → %s: let %s start without %s (a soft dependency, a cached credential or a break-glass path)\n",
				Clean(d.From), Clean(d.To), Clean(d.From), Clean(d.To))
		}
		var never []string
		for _, st := range r.Steps {
			if st.Back == graph.Never {
				never = append(never, m.ID(st.Node))
			}
		}
		p.printf("  blocked: %s\n", listAll(never, opt.Top))
	}

	if len(rep.Features) > 0 {
		p.printf("\n%s\n", p.bold("Features by time back"))
	}
	t := newTable(p)
	if len(rep.Features) > 0 {
		t.row("BACK", "FEATURE", "TIER", "USERS", "VIA")
	}
	for i, f := range rep.Features {
		if opt.Top > 0 && i == opt.Top {
			t.flush()
			p.printf("  … %d more (--top 0 lists all)\n", len(rep.Features)-opt.Top)
			break
		}
		tier := ""
		if f.Tier > 0 {
			tier = fmt.Sprint(f.Tier)
		}
		t.row(Duration(f.back), Clean(f.ID), tier, Count(f.Users), Clean(f.After))
	}
	t.flush()

	if len(rep.CriticalPath) > 0 {
		p.printf("\n%s (%s)\n", p.bold("Critical path"), Duration(rep.CriticalPath[len(rep.CriticalPath)-1].back))
		t := newTable(p)
		for _, e := range rep.CriticalPath {
			t.row(Duration(e.back), Clean(e.ID), stepSummary(e))
		}
		t.flush()
	}
	return p.err
}

func (rep *RecoveryReport) entry(id string) RecoveryEntry {
	for _, e := range rep.Services {
		if e.ID == id {
			return e
		}
	}
	return RecoveryEntry{ID: id}
}

// stepSummary says how a node comes back: "restart 9h (restart) → back
// at 9h" or "failover 30m (rto) once ops-tools is back → back at 1h".
func stepSummary(e RecoveryEntry) string {
	if e.back == graph.Never {
		return "never back on its own"
	}
	took := time.Duration(e.TookMinutes * float64(time.Minute))
	ready := time.Duration(*e.ReadyMinutes * float64(time.Minute))
	var s string
	switch e.Route {
	case "resume":
		s = "resumes"
	default:
		s = fmt.Sprintf("%s %s", e.Route, Duration(took))
		switch {
		case strings.HasPrefix(e.TookFrom, "tier "):
			s += " (" + e.TookFrom + " default)"
		case e.TookFrom == "default":
			s += " (default)"
		}
	}
	if e.After != "" {
		s += fmt.Sprintf(" once %s is back at %s", Clean(e.After), Duration(ready))
	}
	return s + " → back at " + Duration(e.back)
}

// listAll lists ss, cleaned, up to limit entries (0: all).
func listAll(ss []string, limit int) string {
	if limit <= 0 {
		limit = len(ss)
	}
	return listStrings(ss, limit)
}
