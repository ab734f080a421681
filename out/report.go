package out

import (
	"bytes"
	"encoding/json"
	"slices"
	"time"

	"github.com/blast-dev/blast/graph"
)

// ReportTop bounds the worst single failures a report ranks.
const ReportTop = 10

// Report is everything an audit report shows: the single-failure audit,
// the policy check and, when a failure set was given, its outcome. Build
// it with NewReport and write it with WriteMarkdown or WriteHTML.
type Report struct {
	m *graph.Model
	// Title names the inventory.
	Title string
	// Inputs are the inventory files, as given on the command line.
	Inputs []string
	// Now and Version stamp the report: passed in, so that the same input
	// gives the same bytes.
	Now     time.Time
	Version string
	// Audit is the single-failure audit (with paper redundancy).
	Audit *AuditReport
	// Check is the policy check; nil when none was run.
	Check *CheckReport
	// Simulation is the outcome of the failure set; nil without one.
	Simulation *Simulation
	// SVG is the diagram the HTML report embeds (Graphviz output, not
	// coloured by a failure: the page colours it); nil to leave it out,
	// with SVGNote saying why.
	SVG     []byte
	SVGNote string
	// DiagramCommand is the command that draws the full diagram, shown
	// where a Mermaid chart is truncated.
	DiagramCommand string
	// DiagramLink, when not "", is the relative path of an SVG of the
	// whole diagram written next to the Markdown report: a truncated
	// chart's note links to it.
	DiagramLink string
	// DiagramTooLarge, when set, means the whole diagram cannot be drawn
	// in one picture: a truncated chart's note asks for one feature at a
	// time (--focus) instead of the whole picture.
	DiagramTooLarge bool
	// Truncated is set by WriteMarkdown when it cut a chart at Mermaid's
	// limits.
	Truncated bool
}

// ReportOptions are the parts of a report computed elsewhere.
type ReportOptions struct {
	Title, Version string
	Inputs         []string
	Now            time.Time
	Check          *CheckReport
	Result         *graph.Result // the failure set's outcome, or nil
	SVG            []byte
	SVGNote        string
	DiagramCommand string
	DiagramLink    string
}

// NewReport assembles a report on model m from its audit. O(size of the
// audit and the result).
func NewReport(m *graph.Model, audit *AuditReport, opt ReportOptions) *Report {
	r := &Report{m: m, Title: opt.Title, Inputs: opt.Inputs, Now: opt.Now.UTC(), Version: opt.Version,
		Audit: audit, Check: opt.Check, SVG: opt.SVG, SVGNote: opt.SVGNote, DiagramCommand: opt.DiagramCommand, DiagramLink: opt.DiagramLink}
	if opt.Result != nil {
		r.Simulation = NewSimulation(opt.Title, opt.Result)
	}
	return r
}

// worstDomains returns up to ReportTop domains with any impact, in the
// audit's order (users down, users degraded, features down, id).
func (r *Report) worstDomains() []DomainReport {
	var out []DomainReport
	for _, d := range r.Audit.Domains {
		if d.UsersDown+d.UsersDegraded == 0 && len(d.FeaturesDown)+len(d.FeaturesDegraded) == 0 {
			continue
		}
		out = append(out, d)
		if len(out) == ReportTop {
			break
		}
	}
	return out
}

// spofFeatures returns the features with single points of failure: tier 1
// first, then by users, then id.
func (r *Report) spofFeatures() []FeatureRisk {
	var out []FeatureRisk
	for _, f := range r.Audit.Features {
		if len(f.SPOF) > 0 {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b FeatureRisk) int {
		ta, tb := a.Tier, b.Tier
		if ta == 0 {
			ta = 1 << 30
		}
		if tb == 0 {
			tb = 1 << 30
		}
		if ta != tb {
			return ta - tb
		}
		if a.Users != b.Users {
			if a.Users > b.Users {
				return -1
			}
			return 1
		}
		return 0
	})
	return out
}

// affected returns the features of the simulation that are not up, worst
// first (ByImpact).
func (r *Report) affected() []FeatureState {
	if r.Simulation == nil {
		return nil
	}
	var out []FeatureState
	for _, f := range r.Simulation.Features {
		if f.State != "up" {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, ByImpact)
	return out
}

// pageModel is the model as the HTML report's evaluator reads it: nodes in
// the model's dense order, each with its requirement groups, placements,
// quorum and failover control plane.
type pageModel struct {
	Nodes   []pageNode `json:"nodes"`
	Already []int32    `json:"already"`
	Initial []int32    `json:"initial"`
}

type pageNode struct {
	ID     string    `json:"id"`
	Name   string    `json:"name"`
	Kind   string    `json:"kind"` // component, service, feature
	CKind  string    `json:"ckind,omitempty"`
	Users  int64     `json:"users,omitempty"`
	Tier   int       `json:"tier,omitempty"`
	Parent int32     `json:"parent"`
	Groups []pageGrp `json:"groups,omitempty"`
	Place  [][3]int  `json:"place,omitempty"` // on, replicas, standby (0/1)
	Quorum int       `json:"quorum,omitempty"`
	Cap    int       `json:"cap,omitempty"`
	Via    []int32   `json:"via,omitempty"`
}

type pageGrp struct {
	K       int     `json:"k"`
	Soft    bool    `json:"soft,omitempty"`
	Members []int32 `json:"m"`
}

// ModelJSON returns model m as the JSON the HTML report's evaluator reads,
// with initial as the failure set selected when the page opens. Like
// encoding/json's default, <, >, & and U+2028/U+2029 are escaped, so the
// text is safe inside a <script> element. O(V+E).
func ModelJSON(m *graph.Model, initial []int32) []byte {
	pm := pageModel{Nodes: make([]pageNode, m.Len()), Already: slices.Clone(m.AlreadyFailed()), Initial: slices.Clone(initial)}
	if pm.Already == nil {
		pm.Already = []int32{}
	}
	if pm.Initial == nil {
		pm.Initial = []int32{}
	}
	for v := int32(0); v < int32(m.Len()); v++ {
		n := pageNode{ID: m.ID(v), Name: m.Name(v), Kind: m.Kind(v).String(), CKind: m.ComponentKind(v), Parent: -1}
		switch m.Kind(v) {
		case graph.Feature:
			n.Users, n.Tier = m.Feature(v).Users, m.Feature(v).Tier
		case graph.Service:
			n.Tier = m.Service(v).Tier
		default:
			n.Parent = m.Parent(v)
		}
		for _, g := range m.Groups(v) {
			n.Groups = append(n.Groups, pageGrp{K: g.K, Soft: g.Soft, Members: g.Members})
		}
		for _, p := range m.Placements(v) {
			sb := 0
			if p.Standby {
				sb = 1
			}
			n.Place = append(n.Place, [3]int{int(p.On), p.Replicas, sb})
		}
		if len(n.Place) > 0 {
			n.Quorum, n.Cap = m.Quorum(v)
		}
		n.Via = m.Via(v)
		pm.Nodes[v] = n
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b) // escapes <, >, &, U+2028 and U+2029
	if err := enc.Encode(pm); err != nil {
		panic(err) // plain data: cannot fail
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}
