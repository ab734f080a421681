package out_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blast-dev/blast/cmd"
	"github.com/blast-dev/blast/examples"
	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/inventory"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's chromium, which .ci/run installs when missing.
const chromiumPath = "/usr/bin/chromium"

// inCI reports whether the tests run in CI, as the CI variable says
// (.ci/run sets CI=true; so do most CI services): set, and not "false"
// or "0".
func inCI(env string) bool { return env != "" && env != "false" && env != "0" }

// browser starts a headless Chromium for one test and returns its context.
// Without Chromium the test fails in CI; elsewhere it logs how to install
// Chromium and is skipped (go test -v shows both).
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		msg := fmt.Sprintf("%s is missing: the HTML report's browser tests did not run. Install it: apt-get update && apt-get install -y chromium", chromiumPath)
		if inCI(os.Getenv("CI")) {
			t.Fatal(msg + " (CI is set: browser tests must run)")
		}
		t.Log(msg)
		t.Skip("skipped: no Chromium at " + chromiumPath + " (outside CI)")
	}
	if testing.Short() {
		t.Skip("starts a browser")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1000),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelT(); cancelB(); cancelA() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", chromiumPath, err)
	}
	return ctx
}

// testPolicy is the policy the browser tests' reports check: one rule
// that every inventory here can be checked against.
const testPolicy = `apiVersion: blast/v1
kind: Policy
metadata: {name: test}
rules:
  - {id: survive-site, type: survive, select: {tier: 1}, kinds: [site], allow: degraded}
`

// writeReport writes the HTML report of the inventory file inv, with its
// diagram, as a user does: blast report -f INV [--fail ...] --format html,
// run through the command, to a temporary file; it returns its file://
// URL.
func writeReport(t *testing.T, inv string, fail ...string) string {
	t.Helper()
	dir := t.TempDir()
	policy := filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(policy, []byte(testPolicy), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "report.html")
	args := []string{"report", "-f", inv, "--policy", policy, "--format", "html", "--now", "2022-10-15T15:30:00Z", "-o", path}
	if len(fail) > 0 {
		args = append(args, "--fail", strings.Join(fail, ","))
	}
	var stdout, stderr bytes.Buffer
	if code := cmd.Main(args, &cmd.IO{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr}); code != cmd.ExitOK {
		t.Fatalf("blast %s: exit %d: %s", strings.Join(args, " "), code, stderr.String())
	}
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(page, []byte("The diagram is left out")) {
		t.Fatalf("the report left its diagram out: %s", stderr.String())
	}
	return "file://" + path
}

// writeInventory writes an inventory to a temporary file and returns its
// path and model.
func writeInventory(t *testing.T, name, text string) (string, *graph.Model) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, _, err := inventory.Load([]string{path}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := graph.Build(inv)
	if err != nil {
		t.Fatal(err)
	}
	return path, m
}

// exampleFile is the path of an embedded example, from this directory.
func exampleFile(name string) string { return filepath.Join("..", "examples", name+".yaml") }

func exampleModel(t *testing.T, name string) *graph.Model {
	t.Helper()
	f, err := examples.File(name)
	if err != nil {
		t.Fatal(err)
	}
	inv, _, err := inventory.LoadFiles([]inventory.File{f})
	if err != nil {
		t.Fatal(err)
	}
	m, err := graph.Build(inv)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type pageOutcome struct {
	States map[string]string     `json:"states"`
	Why    map[string][][]string `json:"why"`
}

// TestReportEvaluatorAgreesWithSimulate evaluates, in the page, the loss
// of every site, building and rack of both examples and random sets of
// several components and services, and, on small generated estates, random
// sets of up to three components, and compares every feature's and
// service's state and why-chains with graph.Simulate.
func TestReportEvaluatorAgreesWithSimulate(t *testing.T) {
	ctx := browser(t)
	for _, name := range examples.Names() {
		t.Run(name, func(t *testing.T) {
			m := exampleModel(t, name)
			if err := chromedp.Do(ctx, chromedp.Navigate(writeReport(t, exampleFile(name)))); err != nil {
				t.Fatal(err)
			}
			var sets [][]int32
			for _, v := range m.Nodes(graph.Component) {
				switch m.ComponentKind(v) {
				case "site", "building", "rack":
					sets = append(sets, []int32{v})
				}
			}
			rng := rand.New(rand.NewPCG(4, uint64(len(name))))
			var pool []int32
			for v := int32(0); v < int32(m.Len()); v++ {
				if m.Kind(v) != graph.Feature {
					pool = append(pool, v)
				}
			}
			for range 25 {
				var set []int32
				for range 2 + rng.IntN(4) {
					set = append(set, pool[rng.IntN(len(pool))])
				}
				sets = append(sets, set)
			}
			comparePage(t, ctx, m, sets)
		})
	}
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprintf("generated-%d", seed), func(t *testing.T) {
			spec := inventory.GenSpec{Seed: seed, Regions: 1, Sites: 3, BuildingsPerSite: 2, PowerPerBuilding: 2, Racks: 12,
				Services: 15, PlacementsPerSvc: 3, FanOut: 2, Features: 8, StandbyShare: 0.3, Cycles: 1, Users: 1_000_000}
			var b bytes.Buffer
			if err := inventory.Generate(&b, spec, "yaml"); err != nil {
				t.Fatal(err)
			}
			path, m := writeInventory(t, "generated.yaml", b.String())
			if err := chromedp.Do(ctx, chromedp.Navigate(writeReport(t, path))); err != nil {
				t.Fatal(err)
			}
			comps := m.Nodes(graph.Component)
			rng := rand.New(rand.NewPCG(seed, 9))
			var sets [][]int32
			for range 40 {
				var set []int32
				for range 1 + rng.IntN(3) {
					set = append(set, comps[rng.IntN(len(comps))])
				}
				sets = append(sets, set)
			}
			comparePage(t, ctx, m, sets)
		})
	}
}

// comparePage evaluates each failure set in the open page and compares
// every feature's and service's state and why-chains with graph.Simulate.
func comparePage(t *testing.T, ctx context.Context, m *graph.Model, sets [][]int32) {
	t.Helper()
	compared, notUp := 0, 0
	for _, set := range sets {
		ids := ids2(m, set)
		got, err := chromedp.Run(ctx, chromedp.Evaluate[pageOutcome](fmt.Sprintf("blastEvaluate(%s)", jsStrings(ids))))
		if err != nil {
			t.Fatalf("blastEvaluate(%v): %v", ids, err)
		}
		res := m.Simulate(set)
		for v := int32(0); v < int32(m.Len()); v++ {
			if m.Kind(v) == graph.Component {
				continue
			}
			if got.States[m.ID(v)] != res.State(v).String() {
				t.Errorf("fail %v: page says %s is %q; Simulate says %s", ids, m.ID(v), got.States[m.ID(v)], res.State(v))
			}
			chains, _ := res.Why(v, 0)
			var want [][]string
			for _, c := range chains {
				want = append(want, ids2(m, c))
			}
			if fmt.Sprint(got.Why[m.ID(v)]) != fmt.Sprint(want) && !(len(want) == 0 && len(got.Why[m.ID(v)]) == 0) {
				t.Errorf("fail %v: page's why-chains of %s = %v; Simulate's %v", ids, m.ID(v), got.Why[m.ID(v)], want)
			}
			if res.State(v) != graph.Up {
				notUp++
			}
			compared++
		}
	}
	if notUp == 0 {
		t.Errorf("no failure set took anything down: the comparison proves little")
	}
	t.Logf("%d failure sets, %d feature and service states compared, %d not up", len(sets), compared, notUp)
}

func ids2(m *graph.Model, vs []int32) []string {
	var out []string
	for _, v := range vs {
		out = append(out, m.ID(v))
	}
	return out
}

// jsStrings writes ss as a JavaScript array literal.
func jsStrings(ss []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q", s) // Go quoting is valid JS for these ids
	}
	b.WriteByte(']')
	return b.String()
}

// rowStates reads the explorer's tables from the DOM: id → state.
const rowStates = `Object.fromEntries(Array.from(document.querySelectorAll("#feature-rows tr, #service-rows tr")).map(tr => [tr.dataset.id, tr.dataset.state]))`

// TestReportClickPangyo does what a reader does: opens the Kakao report,
// ticks the Pangyo site in the list, and sees KakaoTalk go down while
// KakaoBank's core banking stays up; then clicks a rack in the diagram.
func TestReportClickPangyo(t *testing.T) {
	ctx := browser(t)
	m := exampleModel(t, examples.Kakao)
	if err := chromedp.Do(ctx, chromedp.Navigate(writeReport(t, exampleFile(examples.Kakao)))); err != nil {
		t.Fatal(err)
	}
	states := func() map[string]string {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](rowStates))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	before := states()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#domain-list label[data-id="pangyo"] input`))); err != nil {
		t.Fatal(err)
	}
	after := states()
	summary, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#outcome-summary`)))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.CSS(`#explore`))); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"talk-send", "talk-media-send", "talk-pc-login"} {
		if before[f] != "up" || after[f] != "down" {
			t.Errorf("%s: %q before the click, %q after; want up, then down", f, before[f], after[f])
		}
	}
	if after["bank-core-banking"] != "up" {
		t.Errorf("bank-core-banking after Pangyo = %q; want up", after["bank-core-banking"])
	}
	if !strings.Contains(summary, "pangyo") || !strings.Contains(summary, "20 features down") {
		t.Errorf("summary after Pangyo = %q; want pangyo and 20 features down", summary)
	}
	// What the reader sees: the failed site stays a light box with a black
	// outline and a readable label, not a black slab; a down feature is
	// filled vermillion with a dashed outline.
	pangyoSite, _ := m.Lookup("pangyo")
	talkSend, _ := m.Lookup("talk-send")
	look, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](fmt.Sprintf(`(() => {
		const cs = sel => getComputedStyle(document.querySelector(sel));
		const c = cs("svg #cluster_n%[1]d > path, svg #cluster_n%[1]d > polygon"), l = cs("svg #cluster_n%[1]d > text"), n = cs("svg #n%[2]d polygon");
		return {clusterFill: c.fill, clusterStroke: c.stroke, clusterWidth: c.strokeWidth, labelFill: l.fill,
			nodeFill: n.fill, nodeStroke: n.stroke, nodeDash: n.strokeDasharray};
	})()`, pangyoSite, talkSend)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ what, got, want string }{
		{"failed cluster fill", look["clusterFill"], "rgb(224, 224, 224)"},
		{"failed cluster stroke", look["clusterStroke"], "rgb(0, 0, 0)"},
		{"failed cluster stroke width", look["clusterWidth"], "4px"},
		{"failed cluster label fill", look["labelFill"], "rgb(0, 0, 0)"},
		{"down node fill", look["nodeFill"], "rgb(213, 94, 0)"},
		{"down node stroke", look["nodeStroke"], "rgb(0, 0, 0)"},
	} {
		if tc.got != tc.want {
			t.Errorf("after Pangyo, %s = %q; want %q", tc.what, tc.got, tc.want)
		}
	}
	// The why-chains are drawn: talk-send needs talk-api, which is down
	// because its racks in Pangyo are.
	talkAPI, _ := m.Lookup("talk-api")
	why, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](fmt.Sprintf(`({
		bold: document.querySelectorAll("svg g.edge.why").length,
		sendAPI: document.querySelectorAll("svg g.edge.why[id^='e_n%d_n%d_']").length,
		width: (e => e ? parseFloat(getComputedStyle(e).strokeWidth) : 0)(document.querySelector("svg g.edge.why path")),
	})`, talkSend, talkAPI)))
	if err != nil {
		t.Fatal(err)
	}
	if why["bold"] == 0 || why["sendAPI"] == 0 || why["width"] < 3 {
		t.Errorf("after Pangyo: %v why-chain edges, %v from talk-send to talk-api, stroke width %v; want some, one, and 3", why["bold"], why["sendAPI"], why["width"])
	}
	if look["nodeDash"] == "none" || look["nodeDash"] == "" {
		t.Errorf("after Pangyo, the down node's outline is not dashed (stroke-dasharray %q)", look["nodeDash"])
	}
	shot := filepath.Join(os.TempDir(), "blast-report-pangyo.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", shot)

	// The diagram: the failed site's cluster is marked, and clicking a
	// rack there adds it to the failure set.
	pangyo, _ := m.Lookup("pangyo")
	rack, _ := m.Lookup("sangam-r01")
	attr, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(fmt.Sprintf(`svg #cluster_n%d`, pangyo)), "class"))
	if err != nil {
		t.Fatal(err)
	}
	siteClass := attr.Value
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#clear`)),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`svg g#n%d polygon`, rack)))); err != nil {
		t.Fatal(err)
	}
	checked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#domain-list label[data-id="sangam-r01"] input').checked`))
	if err != nil {
		t.Fatal(err)
	}
	clicked := states()
	if !strings.Contains(siteClass, "st-failed") {
		t.Errorf("Pangyo's cluster in the diagram has class %q; want st-failed", siteClass)
	}
	if !checked {
		t.Errorf("clicking sangam-r01 in the diagram did not select it")
	}
	res := m.Simulate([]int32{rack})
	for _, v := range slices.Concat(m.Nodes(graph.Feature), m.Nodes(graph.Service)) {
		if clicked[m.ID(v)] != res.State(v).String() {
			t.Errorf("after clicking sangam-r01: %s is %q on the page; Simulate says %s", m.ID(v), clicked[m.ID(v)], res.State(v))
		}
	}
}

// hostileInventory has ids and names built to break out of HTML, script,
// attribute and JSON contexts; each injection would set window.__pwned or
// open a dialog.
const hostileInventory = `apiVersion: blast/v1
kind: Inventory
metadata: {name: "</title><script>window.__pwned=1</script>"}
components:
  - id: "<script>alert(1)</script>"
    kind: site
    name: "\"><img src=x onerror=\"window.__pwned=1\">"
  - id: "</script><script>alert(2)</script>"
    kind: rack
    parent: "<script>alert(1)</script>"
    name: "<svg onload=window.__pwned=1>\u2028\u2029 {{.}} ]]> -->"
services:
  - id: "'-alert(3)-'"
    name: "<img src=x onerror=alert(5)><iframe src=javascript:window.__pwned=1>"
    placement: [{on: "</script><script>alert(2)</script>", replicas: 2}]
features:
  - id: "\"onmouseover\"alert(4)"
    name: "<img src=y onerror=\"window.__pwned=1\"><a href=\"javascript:window.__pwned=1\">클릭</a><style>body{display:none}</style>"
    users: 10
    tier: 1
    dependsOn: ["'-alert(3)-'"]
`

// TestReportHostileNamesRunNoScript opens the report of an inventory whose
// names are attacks, with its site failed, hovers and clicks through it,
// and checks that no injected script ran: no dialog opened and the global
// an injection would set stays unset, while the page's own script ran.
func TestReportHostileNamesRunNoScript(t *testing.T) {
	ctx := browser(t)
	path, _ := writeInventory(t, "hostile.yaml", hostileInventory)
	var dialogCount atomic.Int32
	dialogs := make(chan struct{}, 100)
	if err := chromedp.Listen(ctx, func(ev any) {
		switch ev.(type) {
		case *page.EventJavascriptDialogOpening, page.EventJavascriptDialogOpening:
			dialogCount.Add(1)
			select {
			case dialogs <- struct{}{}:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	go func() {
		// Dismiss any dialog, so that the checks below still run.
		for range dialogs {
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{})
		}
	}()
	err := chromedp.Do(ctx,
		chromedp.Navigate(writeReport(t, path, "<script>alert(1)</script>")),
		// Clicks through the DOM: an injected style could hide what a
		// mouse click needs to see.
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#clear").click(); document.querySelector("#domain-list input").click()`),
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("svg g.node").forEach(g => g.dispatchEvent(new MouseEvent("mouseover", {bubbles: true})))`),
		chromedp.Sleep(300*time.Millisecond),
	)
	if err != nil {
		t.Fatal(err)
	}
	pwned, err := chromedp.Run(ctx, chromedp.Evaluate[string](`String(window.__pwned)`))
	if err != nil {
		t.Fatal(err)
	}
	summary, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#outcome-summary`)))
	if err != nil {
		t.Fatal(err)
	}
	body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.textContent`))
	if err != nil {
		t.Fatal(err)
	}
	if pwned != "undefined" {
		t.Errorf("window.__pwned = %s: an injected script ran", pwned)
	}
	if n := dialogCount.Load(); n > 0 {
		t.Errorf("%d dialogs opened: an injected script ran", n)
	}
	if !strings.Contains(summary, "features down") {
		t.Errorf("outcome summary = %q; the page's own script did not run", summary)
	}
	for _, s := range []string{"<script>alert(1)</script>", `"><img src=x onerror="window.__pwned=1">`, "클릭"} {
		if !strings.Contains(body, s) {
			t.Errorf("the page does not show %q as text", s)
		}
	}
}

// TestReportPrint lays the Kakao report out for print, at the width of an
// A4 page, and checks that the diagram is scaled to the page instead of
// cut off, and that the explorer's controls and tables, which only echo
// the static tables, are not printed.
func TestReportPrint(t *testing.T) {
	ctx := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(writeReport(t, exampleFile(examples.Kakao), "pangyo"))); err != nil {
		t.Fatal(err)
	}
	// A4 at 96 dpi.
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 794, Height: 1123, DeviceScaleFactor: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](`(() => {
		const svg = document.querySelector(".diagram svg").getBoundingClientRect();
		const shown = sel => document.querySelector(sel).getClientRects().length === 0 ? 0 : 1;
		return {svgLeft: svg.left, svgRight: svg.right, svgHeight: svg.height, page: document.documentElement.clientWidth,
			natural: document.querySelector(".diagram svg").width.baseVal.value,
			picker: shown("#picker"), tables: shown("#feature-rows"), outcome: shown("#outcome")};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if got["svgLeft"] < 0 || got["svgRight"] > got["page"] {
		t.Errorf("printed, the diagram spans x=%.0f..%.0f; the page is %.0f wide", got["svgLeft"], got["svgRight"], got["page"])
	}
	if got["natural"] <= got["page"] {
		t.Errorf("the diagram is %.0f wide unscaled, no wider than the page (%.0f): the test proves nothing", got["natural"], got["page"])
	}
	if got["svgHeight"] <= 0 {
		t.Errorf("printed, the diagram has height %.0f", got["svgHeight"])
	}
	if got["picker"] != 0 || got["tables"] != 0 {
		t.Errorf("printed, the explorer's picker (%v) or tables (%v) are shown; want neither", got["picker"], got["tables"])
	}
	if got["outcome"] != 1 {
		t.Errorf("printed, the static table of what fails with pangyo is hidden")
	}
}

func TestInCI(t *testing.T) {
	for _, tc := range []struct {
		env  string
		want bool
	}{{"", false}, {"false", false}, {"0", false}, {"true", true}, {"1", true}, {"yes", true}} {
		if got := inCI(tc.env); got != tc.want {
			t.Errorf("inCI(%q) = %v; want %v", tc.env, got, tc.want)
		}
	}
}
