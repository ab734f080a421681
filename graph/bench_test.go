package graph

import (
	"bytes"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/blast-dev/blast/inventory"
)

// Benchmarks at the sizes of blast gen. xl runs only with BLAST_BENCH_XL=1
// (it needs a few GiB). Figures are per operation, analysis only: the
// inventory is generated and loaded outside the timer.

var benchModels sync.Map // size → *Model

func benchModel(b *testing.B, size string) *Model {
	b.Helper()
	if size == "xl" && os.Getenv("BLAST_BENCH_XL") != "1" {
		b.Skip("set BLAST_BENCH_XL=1 to run the xl size")
	}
	if m, ok := benchModels.Load(size); ok {
		return m.(*Model)
	}
	var buf bytes.Buffer
	spec := inventory.GenSizes[size]
	spec.Seed = 1
	if err := inventory.Generate(&buf, spec, "json"); err != nil {
		b.Fatal(err)
	}
	inv, _, err := inventory.LoadFiles([]inventory.File{{Name: size + ".json", Data: buf.Bytes()}})
	if err != nil {
		b.Fatal(err)
	}
	m, err := Build(inv)
	if err != nil {
		b.Fatal(err)
	}
	benchModels.Store(size, m)
	return m
}

var benchSizes = []string{"small", "medium", "large", "xl"}

// auditDomainsOf returns the components of the audited kinds: every kind
// but host.
func auditDomainsOf(m *Model) []int32 {
	var out []int32
	for _, v := range m.Nodes(Component) {
		if m.ComponentKind(v) != "host" {
			out = append(out, v)
		}
	}
	return out
}

func BenchmarkBuild(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size, func(b *testing.B) {
			inv := benchModel(b, size).Inv
			for b.Loop() {
				if _, err := Build(inv); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSimulate evaluates the loss of the biggest site with a reused
// evaluator: the cost of one simulate's analysis.
func BenchmarkSimulate(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size, func(b *testing.B) {
			m := benchModel(b, size)
			site, _ := m.Lookup("site-000")
			e := m.NewEvaluator()
			for b.Loop() {
				e.Run([]int32{site})
				r := e.view()
				for _, f := range r.affected {
					r.Chain(f)
				}
			}
		})
	}
}

// BenchmarkSimulateFresh is one whole simulate: a new evaluator, the run,
// a detached result and every why-chain.
func BenchmarkSimulateFresh(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size, func(b *testing.B) {
			m := benchModel(b, size)
			site, _ := m.Lookup("site-000")
			for b.Loop() {
				r := m.Simulate([]int32{site})
				for _, f := range r.affected {
					r.Chain(f)
				}
			}
		})
	}
}

// BenchmarkAudit is the audit of every domain (sites, buildings, power,
// racks), with paper redundancy, as blast audit runs it on big estates.
func BenchmarkAudit(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size, func(b *testing.B) {
			m := benchModel(b, size)
			doms := auditDomainsOf(m)
			b.ReportMetric(float64(len(doms)), "domains")
			for b.Loop() {
				m.NewAudit(doms, m.Nodes(Component), AuditOptions{Paper: true})
			}
		})
	}
}

// naiveAudit is the loop the audit replaces: one fresh evaluation per
// domain, counting the features down and degraded.
func naiveAudit(m *Model, doms []int32) (down, degraded int) {
	feats := m.Nodes(Feature)
	for _, d := range doms {
		r := m.Simulate([]int32{d})
		for _, f := range feats {
			switch r.State(f) {
			case Down:
				down++
			case Degraded:
				degraded++
			}
		}
	}
	return down, degraded
}

// BenchmarkAuditNaive times the naive loop over every domain (an evenly
// spread sample of naiveSample where there are more: on xl the full loop
// would take an hour) and reports the time per domain and the full loop's
// time, to compare with BenchmarkAudit. A site costs ten times a rack, so
// a sample must spread over every kind.
func BenchmarkAuditNaive(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size, func(b *testing.B) {
			m := benchModel(b, size)
			doms := auditDomainsOf(m)
			sample := doms
			if len(doms) > naiveSample {
				sample = nil
				for i := range naiveSample {
					sample = append(sample, doms[i*len(doms)/naiveSample])
				}
			}
			for b.Loop() {
				naiveAudit(m, sample)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(sample)), "ns/domain")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(sample))*float64(len(doms))/1e9, "s-full-loop")
		})
	}
}

const naiveSample = 25000

func BenchmarkCheck(b *testing.B) {
	policy, err := os.ReadFile("../examples/policy.yaml")
	if err != nil {
		b.Fatal(err)
	}
	p, _, err := inventory.ParsePolicy(inventory.File{Name: "policy.yaml", Data: policy})
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range benchSizes {
		b.Run(size, func(b *testing.B) {
			m := benchModel(b, size)
			for b.Loop() {
				if _, err := m.CheckPolicy(p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestAuditMatchesNaiveOnGenerated compares the audit with the naive loop
// on the small and medium generated estates (big enough for the
// single-failure pass to share levels among cores): every domain's
// features down and degraded, and every redundancy on paper.
func TestAuditMatchesNaiveOnGenerated(t *testing.T) {
	sizes := []string{"small", "medium"}
	if testing.Short() {
		sizes = sizes[:1]
	}
	for _, size := range sizes {
		t.Run(size, func(t *testing.T) {
			var buf bytes.Buffer
			spec := inventory.GenSizes[size]
			spec.Seed = 3
			if err := inventory.Generate(&buf, spec, "yaml"); err != nil {
				t.Fatal(err)
			}
			inv, _, err := inventory.LoadFiles([]inventory.File{{Name: size + ".yaml", Data: buf.Bytes()}})
			if err != nil {
				t.Fatal(err)
			}
			m, err := Build(inv)
			if err != nil {
				t.Fatal(err)
			}
			doms := auditDomainsOf(m)
			a := m.NewAudit(doms, m.Nodes(Component), AuditOptions{Paper: true})
			got := map[int32]string{}
			for _, d := range a.Domains {
				got[d.Node] = fmt.Sprint(d.FeaturesDown, d.FeaturesDegraded)
			}
			feats := m.Nodes(Feature)
			e := m.NewEvaluator()
			for _, d := range doms {
				e.Run([]int32{d})
				var down, deg []int32
				for _, f := range feats {
					switch e.State(f) {
					case Down:
						down = append(down, f)
					case Degraded:
						deg = append(deg, f)
					}
				}
				if want := fmt.Sprint(down, deg); got[d] != want {
					t.Fatalf("audit of %s: features down, degraded = %s; the naive loop says %s", m.ID(d), got[d], want)
				}
			}
			// Redundancy on paper: the audit evaluates only the points of
			// failure the single-failure pass marked as possibly blocking
			// a failover; evaluating every one must find nothing more.
			paper := 0
			for _, fr := range a.Features {
				want := paperByEvaluation(e, fr)
				if g, w := fmt.Sprint(fr.Paper), fmt.Sprint(want); g != w {
					t.Fatalf("audit paper redundancy of %s = %s; evaluating every point of failure gives %s", m.ID(fr.Node), g, w)
				}
				paper += len(want)
			}
			t.Logf("%s: %d features, %d points of failure on paper", size, len(a.Features), paper)
		})
	}
}
