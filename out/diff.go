package out

import (
	"cmp"
	"io"
	"slices"
	"strings"

	"github.com/blast-dev/blast/graph"
)

// DiffReport is what a change to an inventory does to its blast radius:
// the diff JSON document.
type DiffReport struct {
	Old      string        `json:"old"`
	New      string        `json:"new"`
	Summary  DiffSummary   `json:"summary"`
	Features []FeatureDiff `json:"features"`
	Domains  []DomainDiff  `json:"domains"`
	Findings *FindingsDiff `json:"findings,omitempty"`
}

// DiffSummary counts the changes and gives a verdict: riskier (something
// got worse, nothing better), safer, mixed or unchanged.
type DiffSummary struct {
	Verdict          string `json:"verdict" jsonschema:"enum=riskier,enum=safer,enum=mixed,enum=unchanged"`
	FeaturesAdded    int    `json:"featuresAdded"`
	FeaturesRemoved  int    `json:"featuresRemoved"`
	SPOFsAdded       int    `json:"spofsAdded"`
	SPOFsRemoved     int    `json:"spofsRemoved"`
	DomainsWorse     int    `json:"domainsWorse"`
	DomainsBetter    int    `json:"domainsBetter"`
	FindingsNew      int    `json:"findingsNew"`
	FindingsResolved int    `json:"findingsResolved"`
}

// FeatureDiff is a feature whose single points of failure changed.
type FeatureDiff struct {
	ID          string   `json:"id"`
	Status      string   `json:"status" jsonschema:"enum=added,enum=removed,enum=changed"`
	Tier        int      `json:"tier,omitempty"`
	Users       int64    `json:"users"`
	SPOFAdded   []string `json:"spofAdded"`
	SPOFRemoved []string `json:"spofRemoved"`
}

// DomainDiff is a failure domain whose impact changed.
type DomainDiff struct {
	ID                  string   `json:"id"`
	Kind                string   `json:"kind"`
	Status              string   `json:"status" jsonschema:"enum=added,enum=removed,enum=changed"`
	UsersDownOld        int64    `json:"usersDownOld"`
	UsersDownNew        int64    `json:"usersDownNew"`
	UsersDegradedOld    int64    `json:"usersDegradedOld"`
	UsersDegradedNew    int64    `json:"usersDegradedNew"`
	FeaturesDownAdded   []string `json:"featuresDownAdded"`
	FeaturesDownRemoved []string `json:"featuresDownRemoved"`
}

// FindingsDiff compares the policy findings of both versions.
type FindingsDiff struct {
	Policy   string          `json:"policy"`
	New      []FindingReport `json:"new"`
	Resolved []FindingReport `json:"resolved"`
}

// NewDiff compares two audits by id. Either report may be nil for the
// findings, which are then left out.
func NewDiff(oldName, newName string, oldA, newA *graph.Audit, oldChecks, newChecks *CheckReport) *DiffReport {
	d := &DiffReport{Old: oldName, New: newName, Features: []FeatureDiff{}, Domains: []DomainDiff{}}
	om, nm := oldA.Singles.Model(), newA.Singles.Model()

	type feat struct {
		tier  int
		users int64
		spof  []string
	}
	features := func(a *graph.Audit) map[string]feat {
		m := a.Singles.Model()
		out := map[string]feat{}
		for _, f := range a.Features {
			fe := m.Feature(f.Node)
			out[fe.ID] = feat{fe.Tier, fe.Users, ids(m, f.SPOF)}
		}
		return out
	}
	of, nf := features(oldA), features(newA)
	for _, id := range unionKeys(of, nf) {
		o, inOld := of[id]
		n, inNew := nf[id]
		fd := FeatureDiff{ID: id, Status: "changed", Tier: n.tier, Users: n.users}
		switch {
		case !inOld:
			fd.Status = "added"
			d.Summary.FeaturesAdded++
		case !inNew:
			fd.Status, fd.Tier, fd.Users = "removed", o.tier, o.users
			d.Summary.FeaturesRemoved++
		}
		fd.SPOFAdded, fd.SPOFRemoved = setDiff(n.spof, o.spof), setDiff(o.spof, n.spof)
		if fd.Status == "changed" && len(fd.SPOFAdded)+len(fd.SPOFRemoved) == 0 {
			continue
		}
		if fd.Status != "removed" {
			d.Summary.SPOFsAdded += len(fd.SPOFAdded)
		}
		if fd.Status != "added" {
			d.Summary.SPOFsRemoved += len(fd.SPOFRemoved)
		}
		d.Features = append(d.Features, fd)
	}

	domains := func(a *graph.Audit) map[string]graph.DomainImpact {
		m := a.Singles.Model()
		out := map[string]graph.DomainImpact{}
		for _, x := range a.Domains {
			out[m.ID(x.Node)] = x
		}
		return out
	}
	od, nd := domains(oldA), domains(newA)
	for _, id := range unionKeys(od, nd) {
		o, inOld := od[id]
		n, inNew := nd[id]
		dd := DomainDiff{ID: id, Status: "changed", UsersDownOld: o.UsersDown, UsersDownNew: n.UsersDown,
			UsersDegradedOld: o.UsersDegraded, UsersDegradedNew: n.UsersDegraded}
		var oldDown, newDown []string
		if inOld {
			dd.Kind = om.ComponentKind(o.Node)
			oldDown = ids(om, o.FeaturesDown)
		}
		if inNew {
			dd.Kind = nm.ComponentKind(n.Node)
			newDown = ids(nm, n.FeaturesDown)
		}
		switch {
		case !inOld:
			dd.Status = "added"
		case !inNew:
			dd.Status = "removed"
		}
		dd.FeaturesDownAdded, dd.FeaturesDownRemoved = setDiff(newDown, oldDown), setDiff(oldDown, newDown)
		changed := dd.UsersDownOld != dd.UsersDownNew || dd.UsersDegradedOld != dd.UsersDegradedNew ||
			len(dd.FeaturesDownAdded)+len(dd.FeaturesDownRemoved) > 0
		if !changed {
			continue
		}
		switch {
		case dd.UsersDownNew > dd.UsersDownOld || (dd.UsersDownNew == dd.UsersDownOld && dd.UsersDegradedNew > dd.UsersDegradedOld):
			d.Summary.DomainsWorse++
		case dd.UsersDownNew < dd.UsersDownOld || dd.UsersDegradedNew < dd.UsersDegradedOld:
			d.Summary.DomainsBetter++
		}
		d.Domains = append(d.Domains, dd)
	}
	slices.SortStableFunc(d.Domains, func(a, b DomainDiff) int {
		delta := func(x DomainDiff) int64 { return abs64(x.UsersDownNew - x.UsersDownOld) }
		return cmp.Or(cmp.Compare(delta(b), delta(a)), cmp.Compare(a.ID, b.ID))
	})

	if oldChecks != nil && newChecks != nil {
		fd := &FindingsDiff{Policy: newChecks.Policy, New: []FindingReport{}, Resolved: []FindingReport{}}
		oldKeys, newKeys := map[string]bool{}, map[string]bool{}
		for _, f := range oldChecks.Findings {
			oldKeys[f.Fingerprint] = true
		}
		for _, f := range newChecks.Findings {
			newKeys[f.Fingerprint] = true
			if !oldKeys[f.Fingerprint] {
				fd.New = append(fd.New, f)
			}
		}
		for _, f := range oldChecks.Findings {
			if !newKeys[f.Fingerprint] {
				fd.Resolved = append(fd.Resolved, f)
			}
		}
		d.Findings = fd
		d.Summary.FindingsNew, d.Summary.FindingsResolved = len(fd.New), len(fd.Resolved)
	}

	worse := d.Summary.SPOFsAdded + d.Summary.DomainsWorse + d.Summary.FindingsNew
	better := d.Summary.SPOFsRemoved + d.Summary.DomainsBetter + d.Summary.FindingsResolved
	switch {
	case worse > 0 && better > 0:
		d.Summary.Verdict = "mixed"
	case worse > 0:
		d.Summary.Verdict = "riskier"
	case better > 0:
		d.Summary.Verdict = "safer"
	default:
		d.Summary.Verdict = "unchanged"
	}
	return d
}

func unionKeys[V any](a, b map[string]V) []string {
	var out []string
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// setDiff returns the elements of a (sorted) not in b.
func setDiff(a, b []string) []string {
	out := []string{}
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// WriteDiffText writes the diff for a pull-request comment: the verdict,
// then features whose single points of failure changed, domains whose
// impact changed, and policy findings that appeared or were resolved.
func WriteDiffText(w io.Writer, d *DiffReport, opt TextOptions) error {
	p := &printer{w: w, color: opt.Color}
	s := d.Summary
	p.printf("%s → %s: %s\n", Clean(d.Old), Clean(d.New), p.bold(strings.ToUpper(s.Verdict)))
	p.printf("single points of failure: +%d −%d · domains: %d worse, %d better", s.SPOFsAdded, s.SPOFsRemoved, s.DomainsWorse, s.DomainsBetter)
	if d.Findings != nil {
		p.printf(" · findings: %d new, %d resolved", s.FindingsNew, s.FindingsResolved)
	}
	p.printf("\n")
	add, rem := p.paint("31", "+"), p.paint("32", "−")
	if len(d.Features) > 0 {
		p.printf("\nSingle points of failure\n")
		for _, f := range d.Features {
			label := Clean(f.ID)
			if f.Status != "changed" {
				label += " (" + f.Status + ")"
			}
			if len(f.SPOFAdded) > 0 {
				p.printf("  %s %s now fails with: %s\n", add, label, listStrings(f.SPOFAdded, 8))
			}
			if len(f.SPOFRemoved) > 0 {
				p.printf("  %s %s no longer fails with: %s\n", rem, label, listStrings(f.SPOFRemoved, 8))
			}
		}
	}
	if len(d.Domains) > 0 {
		p.printf("\nFailure domains\n")
		tw := newTable(p)
		tw.row("DOMAIN", "KIND", "USERS DOWN", "", "DEGRADED", "", "FEATURES DOWN")
		for _, x := range d.Domains {
			var fs []string
			for _, f := range x.FeaturesDownAdded {
				fs = append(fs, "+"+Clean(f))
			}
			for _, f := range x.FeaturesDownRemoved {
				fs = append(fs, "−"+Clean(f))
			}
			id := Clean(x.ID)
			if x.Status != "changed" {
				id += " (" + x.Status + ")"
			}
			tw.row(id, Clean(x.Kind), Count(x.UsersDownOld)+" → "+Count(x.UsersDownNew), signed(x.UsersDownNew-x.UsersDownOld),
				Count(x.UsersDegradedOld)+" → "+Count(x.UsersDegradedNew), signed(x.UsersDegradedNew-x.UsersDegradedOld), strings.Join(fs, ", "))
		}
		tw.flush()
	}
	if d.Findings != nil && len(d.Findings.New)+len(d.Findings.Resolved) > 0 {
		p.printf("\nPolicy findings (%s)\n", Clean(d.Findings.Policy))
		for _, f := range d.Findings.New {
			p.printf("  %s [%s %s] %s\n", add, f.Severity, Clean(f.Rule), Clean(f.Message))
		}
		for _, f := range d.Findings.Resolved {
			p.printf("  %s [%s %s] %s\n", rem, f.Severity, Clean(f.Rule), Clean(f.Message))
		}
	}
	return p.err
}

func signed(n int64) string {
	switch {
	case n > 0:
		return "(+" + Count(n) + ")"
	case n < 0:
		return "(−" + Count(-n) + ")"
	}
	return ""
}
