package inventory

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// ImportTraces builds services and dependencies from an observed service
// graph: Jaeger's dependencies JSON (GET /api/dependencies: a list of
// {parent, child, callCount}, bare or in the API's {"data": [...]}
// envelope), or the OpenTelemetry Collector servicegraph connector's
// traces_service_graph_request_total metric as a Prometheus query result
// ({"status": "success", "data": {"resultType": "vector", "result":
// [{"metric": {"client", "server", ...}, "value": [time, "count"]}]}}).
// Each edge becomes a hard dependency of the caller on the callee, soft
// when fewer than softBelow calls were seen; call counts are kept in the
// report. The error, when not nil, is Diagnostics.
func ImportTraces(files []File, softBelow int64) (*Import, error) {
	var diags Diagnostics
	r := newReport("traces")
	type edge struct{ from, to string }
	calls := map[edge]int64{}
	via := map[edge]map[string]bool{}
	for _, f := range files {
		src := &source{file: f.Name, diags: &diags}
		for _, root := range documents(f, &diags) {
			var list []*yaml.Node
			format := ""
			switch {
			case root.Kind == yaml.SequenceNode:
				list, format = items(root), "jaeger"
			case get(root, "data") != nil && get(root, "data").Kind == yaml.SequenceNode:
				list, format = items(get(root, "data")), "jaeger"
			case dig(root, "data", "result") != nil:
				if rt := text(dig(root, "data", "resultType")); rt != "vector" {
					src.errorf(orNode(dig(root, "data", "resultType"), root), "query an instant vector, such as sum by (client, server) (increase(traces_service_graph_request_total[7d]))", "Prometheus resultType %q: want vector", rt)
					continue
				}
				list, format = items(dig(root, "data", "result")), "otel"
			default:
				src.errorf(root, "give Jaeger's /api/dependencies JSON or a Prometheus query result of traces_service_graph_request_total", "not a service graph: want a list of {parent, child, callCount}, {\"data\": [...]} or a Prometheus vector")
				continue
			}
			for _, e := range list {
				var from, to string
				var countNode *yaml.Node
				if format == "jaeger" {
					from, to, countNode = text(get(e, "parent")), text(get(e, "child")), get(e, "callCount")
				} else {
					m := get(e, "metric")
					if name := text(get(m, "__name__")); name != "" && name != "traces_service_graph_request_total" {
						r.skip("Prometheus series of other metrics", name)
						continue
					}
					from, to = text(get(m, "client")), text(get(m, "server"))
					if v := items(get(e, "value")); len(v) == 2 {
						countNode = v[1]
					}
				}
				if from == "" || to == "" {
					src.errorf(e, "", "edge without a caller or callee (want parent and child, or client and server)")
					continue
				}
				n, err := strconv.ParseFloat(text(countNode), 64)
				if countNode == nil || err != nil || n < 0 {
					src.errorf(orNode(countNode, e), "", "edge %s → %s: want a call count, got %q", from, to, text(countNode))
					continue
				}
				if from == to {
					r.skip("calls of a service to itself", from)
					continue
				}
				if checkID(from) != "" || checkID(to) != "" {
					r.skip("edges whose service names cannot be ids", from+" → "+to)
					continue
				}
				e := edge{from, to}
				calls[e] += int64(n)
				if via[e] == nil {
					via[e] = map[string]bool{}
				}
				via[e]["traces:"+format] = true
			}
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
		src := strings.Join(sortedKeys(via[e]), " + ")
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
