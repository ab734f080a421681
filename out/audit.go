package out

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/internal/num"
)

// AuditReport is the audit JSON document: every failure domain of the
// audited kinds ranked by impact, and every feature's single points of
// failure.
type AuditReport struct {
	Inventory string         `json:"inventory"`
	Kinds     []string       `json:"kinds"`
	Summary   AuditSummary   `json:"summary"`
	Domains   []DomainReport `json:"domains"`
	Features  []FeatureRisk  `json:"features"`
	// NoRedundancyLeft lists the domains whose loss some features survive
	// but then have new single points of failure, most users first; empty
	// when RedundancyLeftChecked is false.
	NoRedundancyLeft      []ExposureReport `json:"noRedundancyLeft"`
	RedundancyLeftChecked bool             `json:"redundancyLeftChecked"`

	audit *graph.Audit
}

// AuditSummary counts the audit's findings.
type AuditSummary struct {
	Domains              int   `json:"domains"`
	DomainsWithImpact    int   `json:"domainsWithImpact"`
	Features             int   `json:"features"`
	FeaturesWithSPOF     int   `json:"featuresWithSpof"`
	FeaturesPaper        int   `json:"featuresWithPaperRedundancy"`
	WorstUsersDown       int64 `json:"worstUsersDown"`
	Users                int64 `json:"users"`
	CandidatesConsidered int   `json:"candidatesConsidered"`
}

// DomainReport is the impact of losing one domain.
type DomainReport struct {
	ID               string   `json:"id"`
	Kind             string   `json:"kind"`
	Name             string   `json:"name,omitempty"`
	UsersDown        int64    `json:"usersDown"`
	UsersDegraded    int64    `json:"usersDegraded"`
	FeaturesDown     []string `json:"featuresDown"`
	FeaturesDegraded []string `json:"featuresDegraded"`
}

// FeatureRisk is one feature's single points of failure.
type FeatureRisk struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Tier  int    `json:"tier,omitempty"`
	Users int64  `json:"users"`
	// SPOF lists every single failure that alone takes the feature down.
	SPOF []string `json:"spof"`
	// Redundancy is "real" (no single point of failure), "paper" (some
	// single failure would have been survived had a failover's control
	// plane not failed with it), "none", or "already-down" /
	// "already-degraded" when components the inventory marks failed take
	// the feature down or degrade it before any loss.
	Redundancy string       `json:"redundancy" jsonschema:"enum=real,enum=paper,enum=none,enum=already-down,enum=already-degraded"`
	Paper      []PaperEntry `json:"paper,omitempty"`
}

// ExposureReport lists the features a domain's loss leaves without
// redundancy.
type ExposureReport struct {
	Domain   string           `json:"domain"`
	Kind     string           `json:"kind"`
	Users    int64            `json:"users"`
	Features []ExposedFeature `json:"features"`
}

// ExposedFeature is a feature that survives a domain's loss, and the
// single failures that would then take it down but did not before.
type ExposedFeature struct {
	ID      string   `json:"id"`
	NewSPOF []string `json:"newSpof"`
}

// PaperEntry explains redundancy that exists only on paper.
type PaperEntry struct {
	SPOF      string   `json:"spof"`
	Services  []string `json:"services"`
	BlockedBy []string `json:"blockedBy"`
}

// NewAuditReport builds the report of a.
func NewAuditReport(name string, kinds []string, a *graph.Audit) *AuditReport {
	m := a.Singles.Model()
	r := &AuditReport{Inventory: name, Kinds: kinds, audit: a, Domains: []DomainReport{}, Features: []FeatureRisk{}}
	r.Summary.CandidatesConsidered = len(a.Singles.Universe())
	for _, d := range a.Domains {
		dr := DomainReport{ID: m.ID(d.Node), Kind: m.ComponentKind(d.Node), UsersDown: d.UsersDown, UsersDegraded: d.UsersDegraded,
			FeaturesDown: ids(m, d.FeaturesDown), FeaturesDegraded: ids(m, d.FeaturesDegraded)}
		if n := m.Name(d.Node); n != dr.ID {
			dr.Name = n
		}
		r.Domains = append(r.Domains, dr)
		r.Summary.Domains++
		if d.UsersDown+d.UsersDegraded > 0 || len(d.FeaturesDown)+len(d.FeaturesDegraded) > 0 {
			r.Summary.DomainsWithImpact++
		}
		r.Summary.WorstUsersDown = max(r.Summary.WorstUsersDown, d.UsersDown)
	}
	byDomain := map[int32]*ExposureReport{}
	var order []int32
	for _, x := range a.Exposed {
		er := byDomain[x.Domain]
		if er == nil {
			er = &ExposureReport{Domain: m.ID(x.Domain), Kind: m.ComponentKind(x.Domain), Features: []ExposedFeature{}}
			byDomain[x.Domain] = er
			order = append(order, x.Domain)
		}
		er.Users += m.Feature(x.Feature).Users
		er.Features = append(er.Features, ExposedFeature{ID: m.ID(x.Feature), NewSPOF: ids(m, x.NewSPOF)})
	}
	r.NoRedundancyLeft = []ExposureReport{}
	for _, d := range order {
		r.NoRedundancyLeft = append(r.NoRedundancyLeft, *byDomain[d])
	}
	slices.SortStableFunc(r.NoRedundancyLeft, func(a, b ExposureReport) int {
		return cmp.Or(cmp.Compare(b.Users, a.Users), cmp.Compare(len(b.Features), len(a.Features)), cmp.Compare(a.Domain, b.Domain))
	})
	for _, f := range a.Features {
		fe := m.Feature(f.Node)
		fr := FeatureRisk{ID: fe.ID, Name: fe.Name, Tier: fe.Tier, Users: fe.Users, SPOF: ids(m, f.SPOF), Redundancy: "real"}
		switch {
		case a.Singles.Base(f.Node) == graph.Down:
			fr.Redundancy = "already-down"
		case a.Singles.Base(f.Node) == graph.Degraded:
			fr.Redundancy = "already-degraded"
		case len(f.Paper) > 0:
			fr.Redundancy = "paper"
			r.Summary.FeaturesPaper++
		case len(f.SPOF) > 0:
			fr.Redundancy = "none"
		}
		for _, p := range f.Paper {
			fr.Paper = append(fr.Paper, PaperEntry{SPOF: m.ID(p.SPOF), Services: ids(m, p.Services), BlockedBy: ids(m, p.BlockedBy)})
		}
		if len(f.SPOF) > 0 {
			r.Summary.FeaturesWithSPOF++
		}
		r.Summary.Features++
		r.Summary.Users += fe.Users
		r.Features = append(r.Features, fr)
	}
	return r
}

// AuditTextOptions controls the audit's text output.
type AuditTextOptions struct {
	TextOptions
	Top int // domains listed; 0 = all with any impact
}

// WriteAuditText writes the audit for people: the worst domains, then the
// features with single points of failure, tier 1 and most users first.
func WriteAuditText(w io.Writer, r *AuditReport, opt AuditTextOptions) error {
	p := &printer{w: w, color: opt.Color}
	m := r.audit.Singles.Model()
	s := r.Summary
	p.printf("%s — single-failure audit of %d %s (kinds: %s)\n", p.bold(r.Inventory), s.Domains, num.Plural(s.Domains, "domain", "domains"), strings.Join(r.Kinds, ", "))
	p.printf("%d of %d domains take something down or degrade it; %d of %d features have a single point of failure, %d only redundant on paper\n",
		s.DomainsWithImpact, s.Domains, s.FeaturesWithSPOF, s.Features, s.FeaturesPaper)

	p.printf("\nWorst single failures\n")
	tw := newTable(p)
	tw.row("RANK", "DOMAIN", "KIND", "USERS DOWN", "DEGRADED", "FEATURES DOWN")
	shown := 0
	for i, d := range r.Domains {
		if d.UsersDown+d.UsersDegraded == 0 && len(d.FeaturesDown)+len(d.FeaturesDegraded) == 0 {
			break
		}
		if opt.Top > 0 && shown == opt.Top {
			break
		}
		tw.row(fmt.Sprint(i+1), Clean(d.ID), Clean(d.Kind), Count(d.UsersDown), Count(d.UsersDegraded), listStrings(d.FeaturesDown, 5))
		shown++
	}
	tw.flush()
	if shown == 0 {
		p.printf("  none: no single domain of these kinds affects any feature\n")
	} else if rest := s.DomainsWithImpact - shown; rest > 0 {
		p.printf("  … %d more domains with impact (--top 0 lists all)\n", rest)
	}

	feats := slices.Clone(r.Features)
	slices.SortStableFunc(feats, func(a, b FeatureRisk) int {
		return ByImpact(FeatureState{ID: a.ID, Tier: a.Tier, Users: a.Users, State: "down"},
			FeatureState{ID: b.ID, Tier: b.Tier, Users: b.Users, State: "down"})
	})
	p.printf("\nSingle points of failure\n")
	any := false
	for _, f := range feats {
		if len(f.SPOF) == 0 {
			continue
		}
		any = true
		var facts []string
		if f.Tier > 0 {
			facts = append(facts, fmt.Sprintf("tier %d", f.Tier))
		}
		facts = append(facts, Count(f.Users)+" users")
		p.printf("%s %s (%s): %s\n", p.state("down"), p.bold(f.ID), strings.Join(facts, ", "), spofList(m, f.SPOF, 8))
		for _, pe := range dedupePaper(f.Paper) {
			p.printf("          on paper: standby of %s could take over, but failover via %s fails with %s\n",
				listStrings(pe.Services, 4), listStrings(pe.BlockedBy, 4), listStrings(pe.spofs, 4))
		}
	}
	if !any {
		p.printf("  none: every feature survives the loss of any single component\n")
	}
	var real []string
	for _, f := range feats {
		switch f.Redundancy {
		case "real":
			real = append(real, Clean(f.ID))
		case "already-down", "already-degraded":
			st := strings.TrimPrefix(f.Redundancy, "already-")
			p.printf("%s %s: %s before any loss, with what the inventory marks failed\n", p.state(st), p.bold(f.ID), st)
		}
	}
	if len(real) > 0 {
		p.printf("%s %s\n", p.state("up"), strings.Join(real, ", "))
	}

	if len(r.NoRedundancyLeft) > 0 {
		p.printf("\nNo redundancy left: features that survive a domain's loss, but not one more failure\n")
		tw := newTable(p)
		tw.row("AFTER LOSING", "KIND", "FEATURES", "USERS", "THEN ONE MORE OF")
		for i, er := range r.NoRedundancyLeft {
			if opt.Top > 0 && i == opt.Top {
				break
			}
			var fs []string
			spof := map[string]bool{}
			for _, f := range er.Features {
				fs = append(fs, f.ID)
				for _, k := range f.NewSPOF {
					spof[k] = true
				}
			}
			ks := slices.Sorted(maps.Keys(spof))
			tw.row(Clean(er.Domain), Clean(er.Kind), listStrings(fs, 4), Count(er.Users), listStrings(ks, 4))
		}
		tw.flush()
		if opt.Top > 0 && len(r.NoRedundancyLeft) > opt.Top {
			p.printf("  … %d more domains (--top 0 lists all)\n", len(r.NoRedundancyLeft)-opt.Top)
		}
	}
	return p.err
}

// paperGroup merges paper entries that name the same services and control
// plane, listing the SPOFs they share.
type paperGroup struct {
	Services, BlockedBy, spofs []string
}

func dedupePaper(ps []PaperEntry) []paperGroup {
	var out []paperGroup
	for _, pe := range ps {
		found := false
		for i := range out {
			if slices.Equal(out[i].Services, pe.Services) && slices.Equal(out[i].BlockedBy, pe.BlockedBy) {
				out[i].spofs = append(out[i].spofs, pe.SPOF)
				found = true
				break
			}
		}
		if !found {
			out = append(out, paperGroup{Services: pe.Services, BlockedBy: pe.BlockedBy, spofs: []string{pe.SPOF}})
		}
	}
	return out
}

// spofList formats ids with their kinds: "pangyo (site), r01 (rack)".
func spofList(m *graph.Model, ids []string, limit int) string {
	var parts []string
	for i, id := range ids {
		if i == limit {
			parts = append(parts, fmt.Sprintf("… (%d more)", len(ids)-limit))
			break
		}
		s := Clean(id)
		if v, ok := m.Lookup(id); ok {
			if k := m.ComponentKind(v); k != "" {
				s += " (" + Clean(k) + ")"
			} else {
				s += " (" + m.Kind(v).String() + ")"
			}
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func listStrings(ss []string, limit int) string {
	var parts []string
	for i, s := range ss {
		if i == limit {
			parts = append(parts, fmt.Sprintf("… (%d more)", len(ss)-limit))
			break
		}
		parts = append(parts, Clean(s))
	}
	return strings.Join(parts, ", ")
}
