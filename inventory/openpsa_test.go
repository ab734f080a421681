package inventory

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func parseMEF(t *testing.T, doc string) (*Inventory, Diagnostics) {
	t.Helper()
	return ParseOpenPSA([]File{{Name: "m.xml", Data: []byte(doc)}})
}

// probabilities returns each basic event's probability by id.
func probabilities(inv *Inventory) map[string]float64 {
	ps := map[string]float64{}
	for _, c := range inv.Components {
		if c.Unavailability != nil {
			ps[c.ID] = *c.Unavailability
		}
	}
	return ps
}

func TestOpenPSAExpressions(t *testing.T) {
	doc := `<opsa-mef>
<define-fault-tree name="f">
  <define-gate name="top"><or>
    <basic-event name="a"/><basic-event name="b"/><basic-event name="c"/>
    <basic-event name="d"/><basic-event name="e"/><basic-event name="h"/>
  </or></define-gate>
  <define-basic-event name="a"><parameter name="pa"/></define-basic-event>
  <define-basic-event name="b"><exponential><parameter name="lambda"/><float value="1000"/></exponential></define-basic-event>
  <define-basic-event name="c"><exponential><parameter name="lambda"/><system-mission-time/></exponential></define-basic-event>
  <define-basic-event name="d"><mul><int value="2"/><sub><float value="0.5"/><float value="0.25"/></sub><div><float value="1"/><int value="10"/></div></mul></define-basic-event>
  <define-basic-event name="e"><add><neg><float value="0.1"/></neg><bool value="true"/><float value="-0.5"/></add></define-basic-event>
  <define-basic-event name="h"><parameter name="half"/></define-basic-event>
</define-fault-tree>
<model-data>
  <define-parameter name="pa"><parameter name="pb"/></define-parameter>
  <define-parameter name="pb"><float value="0.125"/></define-parameter>
  <define-parameter name="lambda" unit="hours-1"><float value="1e-4"/></define-parameter>
  <define-parameter name="half"><div><int value="1"/><int value="2"/></div></define-parameter>
</model-data>
</opsa-mef>`
	inv, diags := parseMEF(t, doc)
	if diags.Err() != nil {
		t.Fatalf("ParseOpenPSA: %v", diags)
	}
	got := probabilities(inv)
	for id, want := range map[string]float64{
		"a": 0.125, // a parameter defined by a parameter defined later
		"b": 1 - math.Exp(-1e-4*1000),
		"c": 1 - math.Exp(-1e-4*MissionTime),
		"d": 2 * 0.25 * 0.1,
		"e": -0.1 + 1 - 0.5,
		"h": 0.5,
	} {
		if math.Abs(got[id]-want) > 1e-15*want {
			t.Errorf("P(%s) = %.17g; want %.17g", id, got[id], want)
		}
	}
}

func TestOpenPSAHouseEvents(t *testing.T) {
	events := `<model-data>
  <define-house-event name="on"><constant value="true"/></define-house-event>
  <define-house-event name="off"><constant value="false"/></define-house-event>
  <define-house-event name="unset"/>
  <define-basic-event name="a"><float value="0.1"/></define-basic-event>
  <define-basic-event name="b"><float value="0.2"/></define-basic-event>
  <define-basic-event name="c"><float value="0.3"/></define-basic-event>
</model-data>`
	for _, tc := range []struct {
		name, formula string
		want          string // the top's dependencies, or the error
	}{
		{"true drops out of and", `<and><house-event name="on"/><basic-event name="a"/><basic-event name="b"/></and>`, "anyOf(a b)"},
		{"false makes and false, or drops it", `<or><and><house-event name="off"/><basic-event name="a"/></and><basic-event name="b"/><house-event name="off"/></or>`, "b"},
		{"unset is false", `<or><and><event name="unset"/><basic-event name="a"/></and><basic-event name="c"/></or>`, "c"},
		{"true in atleast lowers k", `<atleast min="2"><house-event name="on"/><basic-event name="a"/><basic-event name="b"/><basic-event name="c"/></atleast>`, "a b c"},
		{"false in atleast", `<atleast min="2"><house-event name="off"/><basic-event name="a"/><basic-event name="b"/><basic-event name="c"/></atleast>`, "atLeast2(a b c)"},
		{"constants", `<and><constant value="true"/><or><constant value="false"/><basic-event name="a"/><gate name="g"/></or></and>`, "top.1"},
		{"true or", `<or><house-event name="on"/><basic-event name="a"/></or>`, `top gate "top" has always failed`},
		{"false and", `<and><house-event name="off"/><basic-event name="a"/></and>`, `top gate "top" can never fail`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := `<opsa-mef><define-fault-tree name="f"><define-gate name="top">` + tc.formula + `</define-gate>
<define-gate name="g"><or><basic-event name="b"/><basic-event name="c"/></or></define-gate>
</define-fault-tree>` + events + `</opsa-mef>`
			inv, diags := parseMEF(t, doc)
			if diags.Err() != nil {
				if !strings.Contains(diags.Error(), tc.want) {
					t.Fatalf("ParseOpenPSA: %v; want %q", diags, tc.want)
				}
				return
			}
			var got []string
			for _, f := range inv.Features {
				if f.ID != "top" {
					continue
				}
				for _, d := range f.DependsOn {
					got = append(got, depString(d))
				}
			}
			if s := strings.Join(got, " "); s != tc.want {
				t.Errorf("top depends on %q; want %q", s, tc.want)
			}
		})
	}
}

// depString writes a dependency the way the house-event cases expect:
// a hard dependency as its id, anyOf and atLeast with their ids.
func depString(d Dep) string {
	var ids []string
	for _, r := range d.Of {
		ids = append(ids, r.ID)
	}
	switch d.Kind {
	case DepAnyOf:
		return "anyOf(" + strings.Join(ids, " ") + ")"
	case DepAtLeast:
		return "atLeast" + string(rune('0'+d.K)) + "(" + strings.Join(ids, " ") + ")"
	}
	return strings.Join(ids, " ")
}

func TestOpenPSAComponents(t *testing.T) {
	// A private component's gates are named by their path; names inside it
	// resolve to its own elements first, then to global ones.
	doc := `<opsa-mef><define-fault-tree name="f">
<define-gate name="top"><and><gate name="t.g"/><gate name="g"/></and></define-gate>
<define-gate name="g"><or><basic-event name="a"/></or></define-gate>
<define-component name="t" role="private">
  <define-gate name="g"><or><gate name="h"/><basic-event name="a"/></or></define-gate>
  <define-gate name="h"><or><basic-event name="b"/></or></define-gate>
  <define-basic-event name="b"><float value="0.2"/></define-basic-event>
</define-component>
<define-basic-event name="a"><float value="0.1"/></define-basic-event>
</define-fault-tree></opsa-mef>`
	inv, diags := parseMEF(t, doc)
	if diags.Err() != nil {
		t.Fatalf("ParseOpenPSA: %v", diags)
	}
	var ids []string
	for _, s := range inv.Services {
		ids = append(ids, s.ID+"->"+depString(s.DependsOn[0]))
	}
	slices.Sort(ids)
	want := []string{"g->a", "t.g->t.h", "t.h->t.b"}
	if !slices.Equal(ids, want) {
		t.Errorf("services = %v; want %v", ids, want)
	}
}

// TestOpenPSADeviates reads each uncertainty distribution as its mean;
// the expected values are what SCRAM 0.16.2 reports for the same events.
func TestOpenPSADeviates(t *testing.T) {
	doc := `<opsa-mef>
<define-fault-tree name="f">
  <define-gate name="top"><or>
    <basic-event name="ln3"/><basic-event name="ln2"/><basic-event name="n"/><basic-event name="u"/>
    <basic-event name="g"/><basic-event name="b"/><basic-event name="h"/>
  </or></define-gate>
  <define-basic-event name="ln3"><lognormal-deviate><float value="0.01"/><float value="3"/><float value="0.95"/></lognormal-deviate></define-basic-event>
  <define-basic-event name="ln2"><lognormal-deviate><float value="-5"/><float value="0.5"/></lognormal-deviate></define-basic-event>
  <define-basic-event name="n"><normal-deviate><float value="0.02"/><float value="0.001"/></normal-deviate></define-basic-event>
  <define-basic-event name="u"><uniform-deviate><float value="0.01"/><float value="0.03"/></uniform-deviate></define-basic-event>
  <define-basic-event name="g"><gamma-deviate><float value="2"/><float value="0.005"/></gamma-deviate></define-basic-event>
  <define-basic-event name="b"><beta-deviate><float value="1"/><float value="9"/></beta-deviate></define-basic-event>
  <define-basic-event name="h"><histogram><float value="0"/><bin><float value="0.01"/><float value="1"/></bin><bin><float value="0.05"/><float value="3"/></bin></histogram></define-basic-event>
</define-fault-tree></opsa-mef>`
	inv, diags := parseMEF(t, doc)
	if diags.Err() != nil {
		t.Fatalf("ParseOpenPSA: %v", diags)
	}
	got := probabilities(inv)
	for id, want := range map[string]float64{
		"ln3": 0.01, "ln2": math.Exp(-5 + 0.125), "n": 0.02, "u": 0.02, "g": 0.01, "b": 0.1, "h": 0.02375,
	} {
		if math.Abs(got[id]-want) > 1e-15 {
			t.Errorf("probability of %s = %v; want %v (the distribution's mean)", id, got[id], want)
		}
	}
}

func TestOpenPSARefusals(t *testing.T) {
	tree := `<define-fault-tree name="f"><define-gate name="top"><or><basic-event name="a"/><basic-event name="b"/></or></define-gate></define-fault-tree>`
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"lognormal error factor below 1", tree + `<model-data>
<define-basic-event name="a"><parameter name="l"/></define-basic-event>
<define-basic-event name="b"><float value="0.1"/></define-basic-event>
<define-parameter name="l"><lognormal-deviate><float value="1e-3"/><float value="0.5"/><float value="0.95"/></lognormal-deviate></define-parameter>
</model-data>`, []string{"m.xml:4:28: parameter \"l\": <lognormal-deviate> needs a mean above 0, an error factor of 1 or more"}},
		{"GLM", tree + `<model-data>
<define-basic-event name="a"><GLM><float value="0"/><float value="1e-3"/><float value="0.1"/><system-mission-time/></GLM></define-basic-event>
<define-basic-event name="b"><float value="0.1"/></define-basic-event>
</model-data>`, []string{"m.xml:2:30: basic event \"a\": <GLM> (a time-dependent model) is not supported"}},
		{"deviates with bad parameters", tree + `<model-data>
<define-basic-event name="a"><uniform-deviate><float value="0.3"/><float value="0.1"/></uniform-deviate></define-basic-event>
<define-basic-event name="b"><histogram><float value="0"/><bin><float value="0.1"/><float value="0"/></bin></histogram></define-basic-event>
</model-data>`, []string{`m.xml:2:30: basic event "a": <uniform-deviate> has its minimum 0.3 above its maximum 0.1`,
			`m.xml:3:30: basic event "b": <histogram> whose weights add up to 0`}},
		{"CCF group", tree + `<model-data>
<define-CCF-group name="pumps" model="beta-factor"><members><basic-event name="a"/><basic-event name="b"/></members></define-CCF-group>
</model-data>`, []string{`m.xml:2:1: <define-CCF-group> "pumps" is not supported`}},
		{"undefined parameter", tree + `<model-data>
<define-basic-event name="a"><parameter name="nope"/></define-basic-event>
<define-basic-event name="b"><float value="0.1"/></define-basic-event>
</model-data>`, []string{`m.xml:2:30: basic event "a" refers to undefined parameter "nope"`}},
		{"cyclic parameters", tree + `<model-data>
<define-basic-event name="a"><parameter name="p"/></define-basic-event>
<define-basic-event name="b"><float value="0.1"/></define-basic-event>
<define-parameter name="p"><parameter name="q"/></define-parameter>
<define-parameter name="q"><mul><parameter name="p"/><float value="1"/></mul></define-parameter>
</model-data>`, []string{`parameter "p" is defined in terms of itself`}},
		{"not a probability", tree + `<model-data>
<define-basic-event name="a"><exponential><float value="-1"/><float value="2"/></exponential></define-basic-event>
<define-basic-event name="b"><mul><float value="3"/><float value="0.5"/></mul></define-basic-event>
</model-data>`, []string{`m.xml:2:30: basic event "a": <exponential> of rate -1`, `m.xml:3:30: basic event "b": value "1.5" is not a probability`}},
		{"division by zero", tree + `<model-data>
<define-basic-event name="a"><div><float value="1"/><int value="0"/></div></define-basic-event>
<define-basic-event name="b"><float value="0.1"/></define-basic-event>
</model-data>`, []string{`m.xml:2:30: basic event "a": <div> by 0`}},
		{"bad house event", tree + `<model-data>
<define-basic-event name="a"><float value="0.1"/></define-basic-event>
<define-basic-event name="b"><float value="0.1"/></define-basic-event>
<define-house-event name="h"><constant value="maybe"/></define-house-event>
</model-data>`, []string{`m.xml:4:30: house event "h": constant "maybe" is not a Boolean`}},
		{"substitution", tree + `<define-substitution name="s"/>`, []string{`<define-substitution> is not supported`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv, diags := parseMEF(t, "<opsa-mef>"+tc.body+"</opsa-mef>")
			if diags.Err() == nil {
				t.Fatalf("ParseOpenPSA accepted it: %+v", inv)
			}
			for _, w := range tc.want {
				if !strings.Contains(diags.Error(), w) {
					t.Errorf("ParseOpenPSA error = %q; want it to contain %q", diags.Error(), w)
				}
			}
		})
	}
}
