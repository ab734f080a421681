package out

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/internal/num"
)

// MaxWhy bounds the why-chains kept per feature or service; the total
// number of direct causes is reported beside them.
const MaxWhy = 8

// Simulation is the outcome of one failure set in the shape of the
// simulate JSON document (schema: out/simulate.schema.json). Lists are
// sorted by id.
type Simulation struct {
	Inventory string   `json:"inventory"`
	Failed    []string `json:"failed"`
	// AlreadyFailed are the components the inventory marks failed; they
	// are in Failed too.
	AlreadyFailed []string         `json:"alreadyFailed,omitempty"`
	Summary       Summary          `json:"summary"`
	Features      []FeatureState   `json:"features"`
	Services      []ServiceState   `json:"services"`
	Components    []ComponentState `json:"components"`

	res *graph.Result
}

// Summary counts what a failure set takes down.
type Summary struct {
	Features         int   `json:"features"`
	FeaturesDown     int   `json:"featuresDown"`
	FeaturesDegraded int   `json:"featuresDegraded"`
	Services         int   `json:"services"`
	ServicesDown     int   `json:"servicesDown"`
	ServicesDegraded int   `json:"servicesDegraded"`
	Users            int64 `json:"users"`
	UsersDown        int64 `json:"usersDown"`
	UsersDegraded    int64 `json:"usersDegraded"`
}

// FeatureState is one feature's outcome.
type FeatureState struct {
	ID       string            `json:"id"`
	Name     string            `json:"name,omitempty"`
	Product  string            `json:"product,omitempty"`
	State    string            `json:"state" jsonschema:"enum=up,enum=degraded,enum=down"`
	Users    int64             `json:"users"`
	Tier     int               `json:"tier,omitempty"`
	Labels   map[string]string `json:"labels,omitempty"`
	Why      [][]string        `json:"why" jsonschema:"description=Why-chains: each runs from this feature to a failed node. Shortest first."`
	WhyTotal int               `json:"whyTotal,omitempty"`

	node int32
}

// Replicas counts a service's replicas. Placed counts active replicas
// only, so Counted, which takes in running standby replicas after a
// failover, can exceed it.
type Replicas struct {
	Counted int `json:"counted" jsonschema_description:"Replicas counted towards the quorum: the running active ones, plus the running standby ones after a failover. It can exceed placed."`
	Placed  int `json:"placed" jsonschema_description:"Active replicas placed (standby replicas are not included; see standby). Majority and percentage quorums are of this number."`
	Standby int `json:"standby,omitempty" jsonschema_description:"Standby replicas placed; left out when there are none."`
	Quorum  int `json:"quorum" jsonschema_description:"Counted replicas the service needs to be up."`
}

// ServiceState is one service's outcome.
type ServiceState struct {
	ID        string     `json:"id"`
	Name      string     `json:"name,omitempty"`
	State     string     `json:"state" jsonschema:"enum=up,enum=degraded,enum=down"`
	Tier      int        `json:"tier,omitempty"`
	Role      string     `json:"role,omitempty"`
	Replicas  *Replicas  `json:"replicas,omitempty" jsonschema_description:"Replica counts; left out for a service without placement (one that only depends on others)."`
	Failover  string     `json:"failover" jsonschema:"enum=none,enum=done,enum=blocked"`
	BlockedBy []string   `json:"blockedBy,omitempty"`
	Why       [][]string `json:"why"`
	WhyTotal  int        `json:"whyTotal,omitempty"`

	node int32
}

// ComponentState is one component's outcome.
type ComponentState struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"`
	State string `json:"state" jsonschema:"enum=up,enum=degraded,enum=down"`
}

// NewSimulation builds the report of res for the inventory named name.
// O(V + E) plus the why-chains of the nodes that are not up.
func NewSimulation(name string, res *graph.Result) *Simulation {
	m := res.Model()
	s := &Simulation{Inventory: name, Failed: []string{}, res: res,
		Features: []FeatureState{}, Services: []ServiceState{}, Components: []ComponentState{}}
	for _, v := range res.Failed {
		s.Failed = append(s.Failed, m.ID(v))
	}
	for _, v := range m.AlreadyFailed() {
		s.AlreadyFailed = append(s.AlreadyFailed, m.ID(v))
	}
	why := func(v int32) ([][]string, int) {
		chains, total := res.Why(v, MaxWhy)
		out := make([][]string, len(chains))
		for i, c := range chains {
			out[i] = ids(m, c)
		}
		if total <= len(chains) {
			total = 0
		}
		return out, total
	}
	for v := int32(0); v < int32(m.Len()); v++ {
		st := res.State(v)
		switch m.Kind(v) {
		case graph.Feature:
			f := m.Feature(v)
			fs := FeatureState{ID: f.ID, Name: f.Name, Product: f.Product, State: st.String(),
				Users: f.Users, Tier: f.Tier, Labels: f.Labels, node: v}
			fs.Why, fs.WhyTotal = why(v)
			s.Features = append(s.Features, fs)
			s.Summary.Features++
			s.Summary.Users += f.Users
			switch st {
			case graph.Down:
				s.Summary.FeaturesDown++
				s.Summary.UsersDown += f.Users
			case graph.Degraded:
				s.Summary.FeaturesDegraded++
				s.Summary.UsersDegraded += f.Users
			}
		case graph.Service:
			sv := m.Service(v)
			ss := ServiceState{ID: sv.ID, Name: sv.Name, State: st.String(), Tier: sv.Tier, Role: sv.Role, node: v}
			counted, fo := res.Replicas(v)
			ss.Failover = fo.String()
			if len(sv.Placement) > 0 {
				active, standby := m.Placed(v)
				q, _ := m.Quorum(v)
				ss.Replicas = &Replicas{Counted: counted, Placed: active, Standby: standby, Quorum: q}
			}
			if fo == graph.FailoverBlocked {
				ss.BlockedBy = ids(m, res.BlockedBy(v))
			}
			ss.Why, ss.WhyTotal = why(v)
			s.Services = append(s.Services, ss)
			s.Summary.Services++
			switch st {
			case graph.Down:
				s.Summary.ServicesDown++
			case graph.Degraded:
				s.Summary.ServicesDegraded++
			}
		default:
			s.Components = append(s.Components, ComponentState{ID: m.ID(v), Kind: m.ComponentKind(v), State: st.String()})
		}
	}
	return s
}

// Result returns the evaluation the simulation reports.
func (s *Simulation) Result() *graph.Result { return s.res }

func ids(m *graph.Model, vs []int32) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = m.ID(v)
	}
	return out
}

// WriteJSON writes v as indented JSON with a final newline. A struct's
// fields and a slice's elements are encoded one at a time (writeJSONStream),
// so that a report of a gigabyte is never held in memory whole; the bytes
// are encoding/json's.
func WriteJSON(w io.Writer, v any) error {
	if ok, err := writeJSONStream(w, v); ok {
		return err
	}
	return encodeJSON(w, v)
}

// encodeJSON is WriteJSON done by encoding/json in one piece.
func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// ByImpact orders features as reports list them: down before degraded,
// then tier (1 first; untiered last), then users (most first), then id.
func ByImpact(a, b FeatureState) int {
	rank := func(s string) int {
		switch s {
		case "down":
			return 0
		case "degraded":
			return 1
		}
		return 2
	}
	tier := func(t int) int {
		if t == 0 {
			return 1 << 30
		}
		return t
	}
	return cmp.Or(
		cmp.Compare(rank(a.State), rank(b.State)),
		cmp.Compare(tier(a.Tier), tier(b.Tier)),
		cmp.Compare(b.Users, a.Users),
		cmp.Compare(a.ID, b.ID),
	)
}

// TextOptions controls text output.
type TextOptions struct {
	Color bool // ANSI colour, for terminals
}

// WriteText writes the human-readable simulate report: a summary line, the
// down and degraded features by tier then users with their why-chains,
// then the services that are not up.
func WriteText(w io.Writer, s *Simulation, opt TextOptions) error {
	p := &printer{w: w, color: opt.Color}
	m := s.res.Model()
	failed := strings.Join(s.Failed, ", ")
	if failed == "" {
		failed = "nothing"
	}
	p.printf("%s — failed: %s\n", p.bold(s.Inventory), failed)
	if len(s.AlreadyFailed) > 0 {
		p.printf("already down in the inventory: %s\n", strings.Join(cleanAll(s.AlreadyFailed), ", "))
	}
	sum := s.Summary
	p.printf("features: %d down, %d degraded, %d up of %d · users: %s down, %s degraded of %s\n",
		sum.FeaturesDown, sum.FeaturesDegraded, sum.Features-sum.FeaturesDown-sum.FeaturesDegraded, sum.Features,
		Count(sum.UsersDown), Count(sum.UsersDegraded), Count(sum.Users))
	p.printf("services: %d down, %d degraded, %d up of %d\n",
		sum.ServicesDown, sum.ServicesDegraded, sum.Services-sum.ServicesDown-sum.ServicesDegraded, sum.Services)

	feats := slices.Clone(s.Features)
	slices.SortFunc(feats, ByImpact)
	for _, f := range feats {
		if f.State == "up" {
			continue
		}
		p.printf("\n%s %s", p.state(f.State), p.bold(f.ID))
		if f.Name != "" && f.Name != f.ID {
			p.printf(" — %s", Clean(f.Name))
		}
		var facts []string
		if f.Tier > 0 {
			facts = append(facts, fmt.Sprintf("tier %d", f.Tier))
		}
		facts = append(facts, Count(f.Users)+" users")
		p.printf(" (%s)\n", strings.Join(facts, ", "))
		p.whyLines(m, s.res, f.node, f.WhyTotal)
	}
	var svcs []ServiceState
	for _, sv := range s.Services {
		if sv.State != "up" {
			svcs = append(svcs, sv)
		}
	}
	if len(svcs) > 0 {
		p.printf("\nservices not up:\n")
		slices.SortStableFunc(svcs, func(a, b ServiceState) int {
			return cmp.Compare(b.State, a.State) // "down" before "degraded"
		})
		for _, sv := range svcs {
			p.printf("%s %s", p.state(sv.State), Clean(sv.ID))
			if d := s.res.ServiceDetail(sv.node); d != "" {
				p.printf("  %s", d)
			}
			p.printf("\n")
			chains, _ := s.res.Why(sv.node, 1)
			if len(chains) == 1 && len(chains[0]) > 1 {
				p.printf("          why: %s\n", p.chainFrom(m, s.res, chains[0], 1))
			}
		}
	}
	return p.err
}

type printer struct {
	w     io.Writer
	color bool
	err   error
}

func (p *printer) printf(format string, args ...any) {
	if p.err != nil {
		return
	}
	_, p.err = fmt.Fprintf(p.w, format, args...)
}

func (p *printer) paint(code, s string) string {
	if !p.color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (p *printer) bold(s string) string { return p.paint("1", Clean(s)) }

// state formats a state as a fixed-width label.
func (p *printer) state(s string) string {
	label := fmt.Sprintf("%-9s", strings.ToUpper(s))
	switch s {
	case "down":
		return p.paint("31;1", label)
	case "degraded":
		return p.paint("33;1", label)
	}
	return p.paint("32", label)
}

// whyLines prints up to MaxWhy why-chains of v, one a line.
func (p *printer) whyLines(m *graph.Model, res *graph.Result, v int32, total int) {
	chains, n := res.Why(v, MaxWhy)
	for i, c := range chains {
		label := "why:"
		if i > 0 {
			label = "    "
		}
		p.printf("          %s %s\n", label, p.chain(m, res, c))
	}
	if n > len(chains) {
		p.printf("               … and %d more causes\n", n-len(chains))
	}
}

// chain formats a why-chain as "a ← b [detail] ← c", annotating services
// whose replicas or failover are part of the story.
func (p *printer) chain(m *graph.Model, res *graph.Result, c []int32) string {
	return p.chainFrom(m, res, c, 0)
}

// chainFrom is chain with annotations only from index from on.
func (p *printer) chainFrom(m *graph.Model, res *graph.Result, c []int32, from int) string {
	parts := make([]string, len(c))
	details := res.ChainDetails(c, from)
	for i, v := range c {
		s := Clean(m.ID(v))
		if details[i] != "" {
			s += " [" + details[i] + "]"
		}
		if m.Kind(v) == graph.Component && res.IsFailed(v) {
			s = p.paint("1", s) + " (failed)"
		}
		parts[i] = s
	}
	return strings.Join(parts, " ← ")
}

// Count formats n with thousands separators: 47,000,000.
func Count(n int64) string { return num.Count(n) }

// Clean makes inventory text safe for a terminal: control characters
// (escape sequences, newlines, tabs, C1 controls, line separators) and
// bidirectional overrides are written as Go escapes such as \x1b, \n and
// \u202e, so a name cannot move the cursor, recolour the screen, fake a
// line of output or reorder the text around it. Printable text, Korean
// included, is kept as it is.
func Clean(s string) string {
	if !strings.ContainsFunc(s, unsafe) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafe(r) {
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// unsafe reports whether r may not reach an output as it is: C0 and C1
// control characters, DEL, the Unicode line and paragraph separators, and
// the bidirectional formatting characters (which reorder the text around
// them, as in "Trojan Source" attacks).
func unsafe(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return true
	case r == '\u2028' || r == '\u2029':
		return true
	case r == '\u061c' || r == '\u200e' || r == '\u200f' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069'):
		return true
	}
	return false
}
