package inventory

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// ImportTraces builds services and dependencies from an observed service
// graph: Jaeger's dependencies JSON (GET /api/dependencies: a list of
// {parent, child, callCount}, bare or in the API's {"data": [...],
// "errors": [...]} envelope), or the OpenTelemetry Collector servicegraph
// connector's traces_service_graph_request_total metric, either as a
// Prometheus query result ({"status": "success", "data": {"resultType":
// "vector", "result": [{"metric": {"client", "server", ...}, "value":
// [time, "count"]}]}}) or as an OTLP JSON metrics export
// ({"resourceMetrics": [{"scopeMetrics": [{"metrics": [{"name", "sum":
// {"dataPoints": [{"attributes": [{"key": "client", "value":
// {"stringValue": ...}}, ...], "asInt": "count"}]}}]}]}]}).
// Each edge becomes a hard dependency of the caller on the callee, soft
// when fewer than softBelow calls were seen; call counts are kept in the
// report. Within one format the counts of an edge add up (the data points
// of a cumulative OTLP sum give their largest); two formats seeing the
// same edge are two views of the same traffic, so the edge takes the
// larger count, not the sum. A service graph with no edge at all is an
// error. The error, when not nil, is Diagnostics.
func ImportTraces(files []File, softBelow int64) (*Import, error) {
	var diags Diagnostics
	r := newReport("traces")
	type edge struct{ from, to string }
	// counts by format, then edge.
	byFormat := map[string]map[edge]int64{}
	record := func(src *source, format string, from, to string, countNode, at *yaml.Node, cumulative bool) {
		if from == "" || to == "" {
			src.errorf(at, "", "edge without a caller or callee (want parent and child, or client and server)")
			return
		}
		n, err := strconv.ParseFloat(text(countNode), 64)
		switch {
		case countNode == nil || err != nil && !errors.Is(err, strconv.ErrRange):
			src.errorf(orNode(countNode, at), "", "edge %s → %s: want a call count, got %q", from, to, text(countNode))
			return
		case math.IsNaN(n) || math.IsInf(n, 0) || n < 0 || n >= math.MaxInt64:
			src.errorf(orNode(countNode, at), "a call count is a whole number of calls: query increase(...[7d]) over a window with traffic, or drop the series",
				"edge %s → %s: call count %q is not a number of calls", from, to, text(countNode))
			return
		}
		if from == to {
			r.skip("calls of a service to itself", from)
			return
		}
		if !validID(from) || !validID(to) {
			r.skip("edges whose service names cannot be ids", from+" → "+to)
			return
		}
		m := byFormat[format]
		if m == nil {
			m = map[edge]int64{}
			byFormat[format] = m
		}
		e := edge{from, to}
		if cumulative {
			m[e] = max(m[e], int64(n))
		} else {
			m[e] += int64(n)
		}
	}
	for _, f := range files {
		src := &source{file: f.Name, diags: &diags}
		for _, root := range documents(f, &diags) {
			switch {
			case root.Kind == yaml.SequenceNode:
				for _, e := range items(root) {
					record(src, "jaeger", text(get(e, "parent")), text(get(e, "child")), get(e, "callCount"), e, false)
				}
			case get(root, "resourceMetrics") != nil:
				readOTLP(src, root, r, func(from, to string, count, at *yaml.Node, cumulative bool) {
					record(src, "otlp", from, to, count, at, cumulative)
				})
			case get(root, "data") != nil && get(root, "data").Kind == yaml.SequenceNode || len(items(get(root, "errors"))) > 0:
				if errs := items(get(root, "errors")); len(errs) > 0 {
					for _, e := range errs {
						msg := text(get(e, "msg"))
						if msg == "" {
							msg = text(e)
						}
						src.errorf(e, "ask Jaeger again, with a lookback it has data for", "Jaeger answered with an error: %s (code %s)", msg, cmp.Or(text(get(e, "code")), "none"))
					}
					continue
				}
				for _, e := range items(get(root, "data")) {
					record(src, "jaeger", text(get(e, "parent")), text(get(e, "child")), get(e, "callCount"), e, false)
				}
			case dig(root, "data", "result") != nil:
				if rt := text(dig(root, "data", "resultType")); rt != "vector" {
					src.errorf(orNode(dig(root, "data", "resultType"), root), "query an instant vector, such as sum by (client, server) (increase(traces_service_graph_request_total[7d]))", "Prometheus resultType %q: want vector", rt)
					continue
				}
				for _, e := range items(dig(root, "data", "result")) {
					m := get(e, "metric")
					if name := text(get(m, "__name__")); name != "" && name != "traces_service_graph_request_total" {
						r.skip("Prometheus series of other metrics", name)
						continue
					}
					var count *yaml.Node
					if v := items(get(e, "value")); len(v) == 2 {
						count = v[1]
					}
					record(src, "otel", text(get(m, "client")), text(get(m, "server")), count, e, false)
				}
			default:
				src.errorf(root, "give Jaeger's /api/dependencies JSON, a Prometheus query result of traces_service_graph_request_total, or an OTLP JSON metrics export", "not a service graph: want a list of {parent, child, callCount}, {\"data\": [...]}, a Prometheus vector or {\"resourceMetrics\": [...]}")
				continue
			}
		}
	}
	if len(byFormat) == 0 && diags.Err() == nil {
		nothingImported(files, &diags, "the service graph has no calls between two services",
			"ask for a longer lookback (Jaeger: lookback=604800000; Prometheus: increase(...[7d])), or check that traces reach the collector")
	}
	calls := map[edge]int64{}
	via := map[edge]map[string]bool{}
	for format, m := range byFormat {
		for e, n := range m {
			calls[e] = max(calls[e], n)
			if via[e] == nil {
				via[e] = map[string]bool{}
			}
			via[e]["traces:"+format] = true
		}
	}
	if err := diags.Err(); err != nil {
		diags.Sort()
		return nil, diags
	}
	inv := &Inventory{APIVersion: APIVersion, Kind: "Inventory"}
	deps := map[string][]Dep{}
	sources := map[string]map[string]bool{}
	for e, n := range calls {
		d := hard(e.to)
		d.Calls = n
		src := strings.Join(sortedKeys(via[e]), " + ")
		if len(via[e]) > 1 {
			src = "the most of " + src
		}
		why := fmt.Sprintf("%d calls observed (%s)", n, src)
		if n < softBelow {
			d.Soft = true
			why += fmt.Sprintf(", soft: fewer than %d", softBelow)
		}
		deps[e.from] = append(deps[e.from], d)
		r.Inferred = append(r.Inferred, Note{ID: e.from + " → " + e.to, Why: why})
		for _, id := range []string{e.from, e.to} {
			if sources[id] == nil {
				sources[id] = map[string]bool{}
			}
			for s := range via[e] {
				sources[id][s] = true
			}
		}
	}
	for _, id := range sortedKeys(sources) {
		ds := deps[id]
		sortDeps(ds)
		inv.Services = append(inv.Services, Service{ID: id, DependsOn: ds, Source: strings.Join(sortedKeys(sources[id]), " + ")})
	}
	incomplete(inv, r)
	r.finish(inv)
	return &Import{Inv: inv, Report: r, JoinOnly: true}, nil
}

func sortDeps(ds []Dep) {
	for i := 1; i < len(ds); i++ {
		for j := i; j > 0 && ds[j].Of[0].ID < ds[j-1].Of[0].ID; j-- {
			ds[j], ds[j-1] = ds[j-1], ds[j]
		}
	}
}

// readOTLP calls edge for each data point of traces_service_graph_request_total
// in an OTLP JSON metrics export (the ExportMetricsServiceRequest of the
// OTLP/HTTP JSON encoding, as the Collector's file exporter writes it):
// the client and server attributes, the count (asInt, a string in that
// encoding, or asDouble), and whether the sum is cumulative. Other metrics
// are reported as not mapped.
func readOTLP(src *source, root *yaml.Node, r *Report, edge func(from, to string, count, at *yaml.Node, cumulative bool)) {
	for _, rm := range items(get(root, "resourceMetrics")) {
		for _, sm := range items(get(rm, "scopeMetrics")) {
			for _, m := range items(get(sm, "metrics")) {
				name := text(get(m, "name"))
				if name != "traces_service_graph_request_total" {
					r.skip("OTLP metrics other than traces_service_graph_request_total", cmp.Or(name, "(no name)"))
					continue
				}
				sum := get(m, "sum")
				if sum == nil {
					src.errorf(m, "the servicegraph connector writes it as a sum", "metric %s is not a sum", name)
					continue
				}
				t := text(get(sum, "aggregationTemporality"))
				cumulative := t == "2" || t == "AGGREGATION_TEMPORALITY_CUMULATIVE"
				for _, dp := range items(get(sum, "dataPoints")) {
					attrs := map[string]string{}
					for _, a := range items(get(dp, "attributes")) {
						attrs[text(get(a, "key"))] = text(dig(a, "value", "stringValue"))
					}
					count := get(dp, "asInt")
					if count == nil {
						count = get(dp, "asDouble")
					}
					edge(attrs["client"], attrs["server"], count, dp, cumulative)
				}
			}
		}
	}
}
