package graph

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/blast-dev/blast/examples"
	"github.com/blast-dev/blast/inventory"
)

// TestAuditStops checks that a done context stops the single-failure pass
// and the audit, which say so, and that a live one changes nothing.
func TestAuditStops(t *testing.T) {
	m := exampleModel(t, "kakao-2022")
	all := m.Nodes(Component)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.SingleFailuresContext(ctx, all); !errors.Is(err, context.Canceled) {
		t.Errorf("SingleFailuresContext(cancelled) error = %v; want context.Canceled", err)
	}
	if a := m.NewAudit(all, all, AuditOptions{Paper: true, Exposed: true, Context: ctx}); !errors.Is(a.Err, context.Canceled) {
		t.Errorf("NewAudit(cancelled).Err = %v; want context.Canceled", a.Err)
	}
	live := m.NewAudit(all, all, AuditOptions{Paper: true, Exposed: true, Context: context.Background()})
	plain := m.NewAudit(all, all, AuditOptions{Paper: true, Exposed: true})
	if live.Err != nil || len(live.Domains) != len(plain.Domains) || len(live.Exposed) != len(plain.Exposed) || len(live.Domains) == 0 {
		t.Errorf("NewAudit with a live context: err %v, %d domains, %d exposed; want nil, %d, %d",
			live.Err, len(live.Domains), len(live.Exposed), len(plain.Domains), len(plain.Exposed))
	}
}

// TestCheckPolicyStops checks that a done context stops a policy check.
func TestCheckPolicyStops(t *testing.T) {
	m := exampleModel(t, "kakao-2022")
	pf, err := examples.File("policy")
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := inventory.ParsePolicy(pf)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.CheckPolicyContext(ctx, p); !errors.Is(err, context.Canceled) {
		t.Errorf("CheckPolicyContext(cancelled) error = %v; want context.Canceled", err)
	}
	res, err := m.CheckPolicyContext(context.Background(), p)
	if err != nil || len(res.Findings) == 0 {
		t.Errorf("CheckPolicyContext(live) = %d findings, %v; want the Kakao findings", len(res.Findings), err)
	}
}

// TestRiskStops checks that a done context stops the BDD and ZDD work of
// minimal cut sets and availability, which say so, and that a live one
// changes nothing.
func TestRiskStops(t *testing.T) {
	m := exampleModel(t, "kakao-2022")
	v, ok := m.Lookup("talk-send")
	if !ok {
		t.Fatal("no feature talk-send")
	}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	opt := FaultTreeOptions{Services: true}
	if cs, err := m.MinimalCutSetsContext(done, v, opt, -1); cs != nil || !errors.Is(err, context.Canceled) {
		t.Errorf("MinimalCutSetsContext(cancelled) = %v, %v; want nil, context.Canceled", cs, err)
	}
	ft := m.FaultTree(v, opt)
	p := make([]float64, len(ft.Events))
	for i := range p {
		p[i] = 0.001
	}
	if a, err := m.AvailabilityContext(done, ft, p, 0); a != nil || !errors.Is(err, context.Canceled) {
		t.Errorf("AvailabilityContext(cancelled) = %v, %v; want nil, context.Canceled", a, err)
	}
	live := context.Background()
	cs, err := m.MinimalCutSetsContext(live, v, opt, -1)
	plain := m.MinimalCutSets(v, opt, -1)
	if err != nil || !slices.Equal(cs.CountsByOrder, plain.CountsByOrder) || len(plain.All()) == 0 || !slices.EqualFunc(cs.All(), plain.All(), slices.Equal) {
		t.Errorf("MinimalCutSetsContext(live): %v, %v sets; want %v sets", err, cs.CountsByOrder, plain.CountsByOrder)
	}
	a, err := m.AvailabilityContext(live, ft, p, 0)
	want := m.Availability(ft, p, 0)
	if err != nil || a.Exact != want.Exact || a.CutSets != want.CutSets || a.RareEvent != want.RareEvent {
		t.Errorf("AvailabilityContext(live) = %v, %d sets, %v; want %v, %d sets", err, a.CutSets, a.Exact, want.Exact, want.CutSets)
	}
}

// exampleModel builds the model of the embedded example inventory name.
func exampleModel(t testing.TB, name string) *Model {
	t.Helper()
	file, err := examples.File(name)
	if err != nil {
		t.Fatal(err)
	}
	inv, _, err := inventory.LoadFiles([]inventory.File{file})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Build(inv)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
