package inventory

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// Kubernetes kinds the importer reads, with the API versions it accepts.
var k8sKinds = map[string][]string{
	"Deployment":          {"apps/v1"},
	"StatefulSet":         {"apps/v1"},
	"DaemonSet":           {"apps/v1"},
	"Service":             {"v1"},
	"PodDisruptionBudget": {"policy/v1", "policy/v1beta1"},
	"Node":                {"v1"},
	"ConfigMap":           {"v1"},
}

// Node topology labels.
const (
	k8sZoneLabel     = "topology.kubernetes.io/zone"
	k8sRegionLabel   = "topology.kubernetes.io/region"
	k8sHostnameLabel = "kubernetes.io/hostname"
)

type k8sObject struct {
	apiVersion, kind, ns, name string
	node                       *yaml.Node
	src                        *source
}

func (o *k8sObject) key() string { return o.ns + "/" + o.name }

func (o *k8sObject) sourceID() string {
	s := "kubernetes:" + o.apiVersion + "/" + o.kind + "/"
	if o.ns != "" {
		s += o.ns + "/"
	}
	return s + o.name
}

type k8sWorkload struct {
	*k8sObject
	id       string
	replicas int
	labels   map[string]string // pod template labels
}

type k8sNode struct {
	id, zone, region string
	labels           map[string]string
	failed           bool
	obj              *k8sObject
}

// ImportKubernetes builds services from Kubernetes manifests: files of one
// or more YAML documents, or kubectl get -o yaml output (kind List). Nodes
// (kubectl get nodes -o yaml) may come in the same or other files.
//
// Deployments and StatefulSets become services with their replicas,
// DaemonSets one replica per node. With nodes, replicas are assumed spread
// evenly over the zones of the nodes the pod may run on (its nodeSelector),
// then over the nodes of each zone, as kube-scheduler's default topology
// spreading aims for; nodes become host components under their zone (kind
// site) and region. Without nodes, a required node affinity on
// topology.kubernetes.io/zone names the zones, and replicas are spread over
// them. A PodDisruptionBudget's minAvailable or maxUnavailable becomes the
// quorum. Dependencies are inferred from environment variables and
// ConfigMap values that name another Service (name:port, scheme://name,
// name.namespace, name.namespace.svc[.cluster.local]) and reported as
// inferred. The error, when not nil, is Diagnostics.
func ImportKubernetes(files []File) (*Import, error) {
	var diags Diagnostics
	r := newReport("kubernetes")
	var objs []*k8sObject
	for _, f := range files {
		src := &source{file: f.Name, diags: &diags}
		for _, root := range documents(f, &diags) {
			objs = append(objs, k8sObjects(src, root, r)...)
		}
	}
	seen := map[string]*k8sObject{}
	for _, o := range objs {
		k := o.kind + "/" + o.key()
		if prev, dup := seen[k]; dup {
			o.src.errorf(o.node, "keep one copy", "%s %s appears twice (first at %s)", o.kind, o.key(), prev.src.pos(prev.node))
		}
		seen[k] = o
	}
	if err := diags.Err(); err != nil {
		diags.Sort()
		return nil, diags
	}
	inv := &Inventory{APIVersion: APIVersion, Kind: "Inventory"}
	nodes := k8sNodes(objs, inv, r)
	work := k8sWorkloads(objs)
	svcs := map[string]*Service{}
	for _, w := range work {
		s := Service{ID: w.id, Source: w.sourceID(), Labels: map[string]string{"kubernetes.namespace": w.ns}}
		meta := get(w.node, "metadata")
		for _, l := range []string{"app.kubernetes.io/part-of", "backstage.io/kubernetes-id"} {
			if v := text(get(get(meta, "labels"), l)); v != "" {
				s.Labels[l] = v
			}
		}
		k8sPlace(w, &s, nodes, r)
		inv.Services = append(inv.Services, s)
	}
	for i := range inv.Services {
		svcs[inv.Services[i].ID] = &inv.Services[i]
	}
	k8sQuorums(objs, work, svcs, &diags, r)
	k8sDeps(objs, work, svcs, r)
	return finishImport(inv, r, diags)
}

// k8sObjects reads one document: an object or a List of them.
func k8sObjects(src *source, n *yaml.Node, r *Report) []*k8sObject {
	if n.Kind != yaml.MappingNode {
		src.errorf(n, "", "want a Kubernetes object, got %s", kindName(n))
		return nil
	}
	apiVersion, kind := text(get(n, "apiVersion")), text(get(n, "kind"))
	if apiVersion == "" || kind == "" {
		src.errorf(n, "a manifest starts with apiVersion and kind", "not a Kubernetes object: apiVersion or kind missing")
		return nil
	}
	if strings.HasSuffix(kind, "List") && get(n, "items") != nil {
		var out []*k8sObject
		for _, it := range items(get(n, "items")) {
			// kubectl get -o yaml lists often leave apiVersion and kind
			// on each item; typed lists (DeploymentList) may not.
			if get(it, "kind") == nil && kind != "List" {
				it = withKind(it, apiVersion, strings.TrimSuffix(kind, "List"))
			}
			out = append(out, k8sObjects(src, it, r)...)
		}
		return out
	}
	versions, known := k8sKinds[kind]
	if !known {
		r.skip("Kubernetes objects of kinds the importer does not read", kind)
		return nil
	}
	if !slices.Contains(versions, apiVersion) {
		src.errorf(get(n, "apiVersion"), "write apiVersion: "+versions[0]+" (kubectl convert updates old manifests)", "unsupported apiVersion %q for %s", apiVersion, kind)
		return nil
	}
	meta := get(n, "metadata")
	name := text(get(meta, "name"))
	if name == "" {
		src.errorf(n, "", "%s has no metadata.name", kind)
		return nil
	}
	ns := text(get(meta, "namespace"))
	if ns == "" && kind != "Node" {
		ns = "default"
	}
	return []*k8sObject{{apiVersion: apiVersion, kind: kind, ns: ns, name: name, node: n, src: src}}
}

func withKind(n *yaml.Node, apiVersion, kind string) *yaml.Node {
	c := *n
	c.Content = append([]*yaml.Node{strNode("apiVersion"), strNode(apiVersion), strNode("kind"), strNode(kind)}, n.Content...)
	return &c
}

func stringMap(n *yaml.Node) map[string]string {
	m := map[string]string{}
	pairs(n, func(k string, v *yaml.Node) { m[k] = text(v) })
	return m
}

// k8sNodes adds the nodes, their zones and regions as components.
func k8sNodes(objs []*k8sObject, inv *Inventory, r *Report) []*k8sNode {
	var nodes []*k8sNode
	zones, regions := map[string]string{}, map[string]bool{}
	for _, o := range objs {
		if o.kind != "Node" {
			continue
		}
		labels := stringMap(dig(o.node, "metadata", "labels"))
		n := &k8sNode{id: o.name, zone: labels[k8sZoneLabel], region: labels[k8sRegionLabel], labels: labels, obj: o}
		if h := labels[k8sHostnameLabel]; h != "" {
			n.id = h
		}
		if text(dig(o.node, "spec", "unschedulable")) == "true" {
			r.skip("nodes cordoned (spec.unschedulable): nothing is placed on them", n.id)
			continue
		}
		for _, c := range items(dig(o.node, "status", "conditions")) {
			if text(get(c, "type")) == "Ready" && text(get(c, "status")) == "False" {
				n.failed = true
				r.Failed = append(r.Failed, Note{ID: n.id, Why: o.sourceID() + " is not Ready"})
			}
		}
		c := Component{ID: n.id, Kind: "host", Source: o.sourceID(), Failed: n.failed}
		if n.zone != "" {
			c.Parent = Ref{ID: n.zone}
			zones[n.zone] = n.region
		} else {
			r.skip("nodes without a "+k8sZoneLabel+" label (placed in no zone)", n.id)
		}
		if n.region != "" {
			regions[n.region] = true
		}
		inv.Components = append(inv.Components, c)
		nodes = append(nodes, n)
	}
	for _, z := range sortedKeys(zones) {
		c := Component{ID: z, Kind: "site", Source: "kubernetes:label/" + k8sZoneLabel}
		if reg := zones[z]; reg != "" {
			c.Parent = Ref{ID: reg}
		}
		inv.Components = append(inv.Components, c)
	}
	for _, reg := range sortedKeys(regions) {
		inv.Components = append(inv.Components, Component{ID: reg, Kind: "region", Source: "kubernetes:label/" + k8sRegionLabel})
	}
	slices.SortFunc(nodes, func(a, b *k8sNode) int { return strings.Compare(a.zone+"\x00"+a.id, b.zone+"\x00"+b.id) })
	return nodes
}

// k8sWorkloads returns the workloads with their service ids: the name, or
// namespace/name when two namespaces hold the same name.
func k8sWorkloads(objs []*k8sObject) []*k8sWorkload {
	var work []*k8sWorkload
	for _, o := range objs {
		switch o.kind {
		case "Deployment", "StatefulSet", "DaemonSet":
			w := &k8sWorkload{k8sObject: o, replicas: 1, labels: stringMap(dig(o.node, "spec", "template", "metadata", "labels"))}
			if n, ok := wholeNumber(dig(o.node, "spec", "replicas")); ok {
				w.replicas = int(n)
			}
			work = append(work, w)
		}
	}
	slices.SortFunc(work, func(a, b *k8sWorkload) int { return strings.Compare(a.key()+"/"+a.kind, b.key()+"/"+b.kind) })
	short, qual := make([]string, len(work)), make([]string, len(work))
	for i, w := range work {
		short[i], qual[i] = cleanID(w.name), cleanID(w.ns+"/"+w.name)
	}
	for i, id := range uniqueIDs(short, qual) {
		work[i].id = id
	}
	return work
}

// k8sPlace places the replicas of w (see ImportKubernetes).
func k8sPlace(w *k8sWorkload, s *Service, nodes []*k8sNode, r *Report) {
	spec := dig(w.node, "spec", "template", "spec")
	if w.replicas == 0 {
		r.skip("workloads scaled to 0 replicas", w.key())
		return
	}
	if len(nodes) == 0 {
		zones := affinityZones(spec)
		if len(zones) == 0 {
			r.skip("workloads without a node list or a zone affinity (placed nowhere: give the nodes)", w.key())
			return
		}
		if w.kind == "DaemonSet" {
			r.skip("DaemonSets without a node list (one replica a node: give the nodes)", w.key())
			return
		}
		for i, z := range zones {
			n := w.replicas / len(zones)
			if i < w.replicas%len(zones) {
				n++
			}
			if n > 0 {
				s.Placement = append(s.Placement, Placement{On: Ref{ID: z}, Replicas: n})
			}
		}
		return
	}
	sel := stringMap(get(spec, "nodeSelector"))
	var eligible []*k8sNode
	for _, n := range nodes {
		if len(sel) == 0 || matches(n.labels, sel) {
			eligible = append(eligible, n)
		}
	}
	if len(eligible) == 0 {
		r.skip("workloads whose nodeSelector matches no node", w.key())
		return
	}
	count := map[string]int{}
	if w.kind == "DaemonSet" {
		for _, n := range eligible {
			count[n.id]++
		}
	} else {
		var zones []string
		byZone := map[string][]*k8sNode{}
		for _, n := range eligible {
			if byZone[n.zone] == nil {
				zones = append(zones, n.zone)
			}
			byZone[n.zone] = append(byZone[n.zone], n)
		}
		for i := 0; i < w.replicas; i++ {
			z := byZone[zones[i%len(zones)]]
			count[z[(i/len(zones))%len(z)].id]++
		}
	}
	for _, id := range sortedKeys(count) {
		s.Placement = append(s.Placement, Placement{On: Ref{ID: id}, Replicas: count[id]})
	}
}

// affinityZones reads the zones a required node affinity allows.
func affinityZones(spec *yaml.Node) []string {
	var zones []string
	terms := dig(spec, "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")
	for _, t := range items(terms) {
		for _, e := range items(get(t, "matchExpressions")) {
			if text(get(e, "key")) == k8sZoneLabel && text(get(e, "operator")) == "In" {
				for _, v := range items(get(e, "values")) {
					zones = append(zones, text(v))
				}
			}
		}
	}
	slices.Sort(zones)
	return slices.Compact(zones)
}

func matches(labels, sel map[string]string) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// selected returns the workloads of namespace ns whose pod labels the
// selector matches.
func selected(work []*k8sWorkload, ns string, sel map[string]string) []*k8sWorkload {
	var out []*k8sWorkload
	for _, w := range work {
		if w.ns == ns && matches(w.labels, sel) {
			out = append(out, w)
		}
	}
	return out
}

// k8sQuorums reads PodDisruptionBudgets into quorums.
func k8sQuorums(objs []*k8sObject, work []*k8sWorkload, svcs map[string]*Service, diags *Diagnostics, r *Report) {
	for _, o := range objs {
		if o.kind != "PodDisruptionBudget" {
			continue
		}
		spec := get(o.node, "spec")
		ws := selected(work, o.ns, stringMap(dig(spec, "selector", "matchLabels")))
		if len(ws) == 0 {
			r.skip("PodDisruptionBudgets that select no workload", o.key())
			continue
		}
		for _, w := range ws {
			s := svcs[w.id]
			total := 0
			for _, p := range s.Placement {
				total += p.Count()
			}
			if total == 0 {
				continue
			}
			var q *Quantity
			if v := get(spec, "minAvailable"); v != nil {
				q = k8sQuantity(o, v, total, false, diags)
			} else if v := get(spec, "maxUnavailable"); v != nil {
				q = k8sQuantity(o, v, total, true, diags)
			}
			if q != nil {
				s.Quorum = q
				s.Labels["kubernetes.pdb"] = o.name
			}
		}
	}
}

// k8sQuantity turns minAvailable (or maxUnavailable, when max) into a
// quorum of total replicas; nil when it asks for nothing.
func k8sQuantity(o *k8sObject, v *yaml.Node, total int, max bool, diags *Diagnostics) *Quantity {
	s := text(v)
	if strings.HasSuffix(s, "%") {
		p, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
		if err != nil || p < 0 || p > 100 {
			o.src.errorf(v, "write a whole number or a percentage such as 50%", "PodDisruptionBudget %s: %q is not a number or percentage", o.key(), s)
			return nil
		}
		if max {
			p = 100 - p
		}
		if p <= 0 {
			return nil
		}
		return &Quantity{Kind: QuantityPercent, Value: p}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		o.src.errorf(v, "write a whole number or a percentage such as 50%", "PodDisruptionBudget %s: %q is not a number or percentage", o.key(), s)
		return nil
	}
	if max {
		n = total - n
	}
	if n <= 0 {
		return nil
	}
	return &Quantity{Kind: QuantityCount, Value: float64(min(n, total))}
}

// k8sDeps infers dependencies from environment variables and ConfigMaps.
func k8sDeps(objs []*k8sObject, work []*k8sWorkload, svcs map[string]*Service, r *Report) {
	// Service DNS names → the workloads behind them.
	targets := map[string][]*k8sWorkload{} // "ns/name" → workloads
	for _, o := range objs {
		if o.kind != "Service" {
			continue
		}
		sel := stringMap(dig(o.node, "spec", "selector"))
		ws := selected(work, o.ns, sel)
		if len(ws) == 0 {
			r.skip("Services that select no workload (ExternalName, or no selector)", o.key())
			continue
		}
		targets[o.key()] = ws
	}
	configMaps := map[string]*yaml.Node{}
	for _, o := range objs {
		if o.kind == "ConfigMap" {
			configMaps[o.key()] = get(o.node, "data")
		}
	}
	for _, w := range work {
		s := svcs[w.id]
		type evidence struct{ where, value string }
		var values []evidence
		containers := append(items(dig(w.node, "spec", "template", "spec", "containers")), items(dig(w.node, "spec", "template", "spec", "initContainers"))...)
		for _, c := range containers {
			for _, e := range items(get(c, "env")) {
				if v := text(get(e, "value")); v != "" {
					values = append(values, evidence{"env " + text(get(e, "name")), v})
				}
				if cm := text(dig(e, "valueFrom", "configMapKeyRef", "name")); cm != "" {
					key := text(dig(e, "valueFrom", "configMapKeyRef", "key"))
					if v := text(get(configMaps[w.ns+"/"+cm], key)); v != "" {
						values = append(values, evidence{"ConfigMap " + cm + " key " + key, v})
					}
				}
			}
			for _, ef := range items(get(c, "envFrom")) {
				if cm := text(dig(ef, "configMapRef", "name")); cm != "" {
					pairs(configMaps[w.ns+"/"+cm], func(k string, v *yaml.Node) {
						values = append(values, evidence{"ConfigMap " + cm + " key " + k, text(v)})
					})
				}
			}
		}
		added := map[string]bool{}
		for _, ev := range values {
			for _, key := range serviceNames(ev.value, w.ns) {
				for _, t := range targets[key] {
					if t.id == w.id || added[t.id] {
						continue
					}
					added[t.id] = true
					s.DependsOn = append(s.DependsOn, hard(t.id))
					r.Inferred = append(r.Inferred, Note{ID: w.id + " → " + t.id, Why: fmt.Sprintf("%s=%s in %s", ev.where, ev.value, w.sourceID())})
				}
			}
		}
		slices.SortFunc(s.DependsOn, func(a, b Dep) int { return strings.Compare(a.Of[0].ID, b.Of[0].ID) })
	}
}

// serviceNames returns the Services, as namespace/name, that value names:
// name:port, scheme://name[:port][/path], name.ns, name.ns.svc and
// name.ns.svc.cluster.local, in a value that may hold several (separated
// by commas, semicolons or spaces).
func serviceNames(value, ns string) []string {
	var out []string
	for _, tok := range strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' }) {
		explicit := false
		if i := strings.Index(tok, "://"); i >= 0 {
			tok, explicit = tok[i+3:], true
		}
		if i := strings.LastIndex(tok, "@"); i >= 0 {
			tok = tok[i+1:]
		}
		if i := strings.IndexAny(tok, "/?#"); i >= 0 {
			tok = tok[:i]
		}
		if i := strings.LastIndex(tok, ":"); i >= 0 {
			if _, err := strconv.Atoi(tok[i+1:]); err == nil {
				tok, explicit = tok[:i], true
			}
		}
		host := strings.TrimSuffix(strings.TrimSuffix(tok, "."), ".cluster.local")
		parts := strings.Split(host, ".")
		switch {
		case len(parts) == 1 && explicit && dnsLabel(parts[0]):
			out = append(out, ns+"/"+parts[0])
		case len(parts) == 2 && dnsLabel(parts[0]) && dnsLabel(parts[1]) && explicit:
			out = append(out, parts[1]+"/"+parts[0])
		case len(parts) == 3 && parts[2] == "svc" && dnsLabel(parts[0]) && dnsLabel(parts[1]):
			out = append(out, parts[1]+"/"+parts[0])
		}
	}
	return out
}

func dnsLabel(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for i, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' && i > 0 && i < len(s)-1) {
			return false
		}
	}
	return true
}
