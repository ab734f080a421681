package inventory

import (
	"cmp"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/blast-dev/blast/internal/num"
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
	pod      *k8sPod
}

type k8sNode struct {
	id, zone, region string
	labels           map[string]string
	taints           []k8sToleration
	failed           bool
	obj              *k8sObject
}

// KubernetesOptions are what a Kubernetes import needs that manifests may
// not say.
type KubernetesOptions struct {
	// Zones names the cluster's zones (topology.kubernetes.io/zone
	// values), for workloads that spread over zones when no node list is
	// given and no required node affinity names their zones.
	Zones []string
}

// ImportKubernetes is ImportKubernetesWith with no options.
func ImportKubernetes(files []File) (*Import, error) {
	return ImportKubernetesWith(files, KubernetesOptions{})
}

// ImportKubernetesWith builds services from Kubernetes manifests: files of
// one or more YAML documents, or kubectl get -o yaml output (kind List).
// Nodes (kubectl get nodes -o yaml) may come in the same or other files.
//
// Deployments and StatefulSets become services with their replicas,
// DaemonSets one replica per node. With nodes, a pod may run on the nodes
// its nodeSelector, required node affinity (nodeSelectorTerms ORed, their
// matchExpressions ANDed) and tolerations (of NoSchedule and NoExecute
// taints) allow; replicas are assumed spread evenly over the zones of
// those nodes (over their regions first when a topology spread constraint
// names topology.kubernetes.io/region), then over the nodes of each zone,
// as kube-scheduler's topology spreading aims for. Nodes become host
// components under their zone (kind site) and region.
//
// Without nodes, replicas are spread evenly over the domains of the first
// of topology.kubernetes.io/zone, /region and kubernetes.io/hostname that a
// topologySpreadConstraint names (or, with no constraint, that the pod
// pins), taking the domains from the nodeSelector and required node
// affinity (In values), and for zones from o.Zones when those leave them
// open; the domains become components (site, region, host). A workload
// whose domains are unknown is reported, not placed. An even split leaves
// two domains at most one replica apart, which meets every maxSkew; the
// remainder goes to the first domains in sorted order.
//
// A PodDisruptionBudget's minAvailable or maxUnavailable becomes the
// quorum. Dependencies are inferred from environment variables and
// ConfigMap values that name another Service (name:port, scheme://name,
// name.namespace, name.namespace.svc[.cluster.local]) and reported as
// inferred. The error, when not nil, is Diagnostics.
func ImportKubernetesWith(files []File, opts KubernetesOptions) (*Import, error) {
	var diags Diagnostics
	r := newReport("kubernetes")
	opts.Zones = slices.Compact(slices.Sorted(slices.Values(opts.Zones)))
	var objs []*k8sObject
	for _, f := range files {
		src := &source{file: f.Name, diags: &diags}
		for _, root := range documents(f, &diags) {
			objs = append(objs, k8sObjects(src, root, r)...)
		}
	}
	// Objects in a canonical order (by kind and name, copies by position),
	// so that nothing below depends on the order of files and documents.
	slices.SortFunc(objs, func(a, b *k8sObject) int {
		if c := strings.Compare(a.kind+"/"+a.key(), b.kind+"/"+b.key()); c != 0 {
			return c
		}
		pa, pb := a.src.pos(a.node), b.src.pos(b.node)
		switch {
		case pa.Less(pb):
			return -1
		case pb.Less(pa):
			return 1
		}
		return 0
	})
	for i, start := 1, 0; i < len(objs); i++ {
		first, o := objs[start], objs[i]
		if o.kind+"/"+o.key() != first.kind+"/"+first.key() {
			start = i
			continue
		}
		o.src.errorf(o.node, "keep one copy", "%s %s appears twice (first at %s)", o.kind, o.key(), first.src.pos(first.node))
	}
	work := k8sWorkloads(objs)
	if err := diags.Err(); err != nil {
		diags.Sort()
		return nil, diags
	}
	inv := &Inventory{APIVersion: APIVersion, Kind: "Inventory"}
	hasNodes := slices.ContainsFunc(objs, func(o *k8sObject) bool { return o.kind == "Node" })
	nodes := k8sNodes(objs, inv, r)
	if hasNodes && len(opts.Zones) > 0 {
		r.note("the zones given (--zones) are not used: the node list says where each node is")
	}
	topo := &k8sTopology{comps: map[string]*Component{}, r: r}
	svcs := map[string]*Service{}
	prefs := map[string][]string{}
	for _, w := range work {
		s := Service{ID: w.id, Source: w.sourceID(), Labels: map[string]string{"kubernetes.namespace": w.ns}}
		meta := get(w.node, "metadata")
		for _, l := range []string{"app.kubernetes.io/part-of", "backstage.io/kubernetes-id"} {
			if v := text(get(get(meta, "labels"), l)); v != "" {
				s.Labels[l] = v
			}
		}
		switch {
		case w.replicas == 0:
			r.skip("workloads scaled to 0 replicas", w.key())
		case hasNodes:
			k8sPlaceOnNodes(w, &s, nodes, r)
		default:
			k8sPlaceInDomains(w, &s, opts, topo, r)
		}
		for _, sp := range w.pod.spread {
			if !sp.hard && len(s.Placement) > 0 {
				prefs[sp.key] = append(prefs[sp.key], w.key())
			}
		}
		inv.Services = append(inv.Services, s)
	}
	for _, key := range sortedKeys(prefs) {
		noteIDs(r, prefs[key], "%d %s spread over %s only as a preference (whenUnsatisfiable: ScheduleAnyway) and placed as if it held (%s)", key)
	}
	inv.Components = append(inv.Components, topo.components()...)
	for i := range inv.Services {
		svcs[inv.Services[i].ID] = &inv.Services[i]
	}
	k8sQuorums(objs, work, svcs, r)
	k8sDeps(objs, work, svcs, r)
	return finishImport(inv, r, diags)
}

// noteIDs notes ids under format, which takes the count, "workload" or
// "workloads", arg and up to MaxExamples ids.
func noteIDs(r *Report, ids []string, format, arg string) {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	ex := ids[:min(len(ids), MaxExamples)]
	r.note(format, len(ids), num.Plural(len(ids), "workload", "workloads"), arg, strings.Join(ex, ", "))
}

// k8sObjects reads one document: an object or a List of them.
func k8sObjects(src *source, n *yaml.Node, r *Report) []*k8sObject {
	if n.Kind != yaml.MappingNode {
		src.errorf(n, "each YAML document is one object (apiVersion, kind, metadata, spec), or a List of them under items", "want a Kubernetes object, got %s", kindName(n))
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
		src.errorf(n, "give the object a metadata.name, as the API server requires", "%s has no metadata.name", kind)
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
		for _, t := range items(dig(o.node, "spec", "taints")) {
			n.taints = append(n.taints, k8sToleration{key: text(get(t, "key")), value: text(get(t, "value")), effect: text(get(t, "effect"))})
		}
		for _, c := range items(dig(o.node, "status", "conditions")) {
			if text(get(c, "type")) != "Ready" {
				continue
			}
			// Unknown: the node controller has not heard from the
			// kubelet; its pods are as good as gone until it does.
			switch st := text(get(c, "status")); st {
			case "False", "Unknown":
				n.failed = true
				r.Failed = append(r.Failed, Note{ID: n.id, Why: o.sourceID() + " is not Ready (Ready is " + st + ")"})
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
	slices.SortFunc(nodes, func(a, b *k8sNode) int {
		return cmp.Or(strings.Compare(a.zone, b.zone), strings.Compare(a.id, b.id))
	})
	return nodes
}

// k8sWorkloads returns the workloads with their service ids: the name, or
// namespace/name when two namespaces hold the same name. Problems (a bad
// replica count, a selector that does not select the pod template, a
// malformed scheduling field) go to the diagnostics of each object.
func k8sWorkloads(objs []*k8sObject) []*k8sWorkload {
	var work []*k8sWorkload
	for _, o := range objs {
		switch o.kind {
		case "Deployment", "StatefulSet", "DaemonSet":
		default:
			continue
		}
		spec := get(o.node, "spec")
		tmpl := get(spec, "template")
		w := &k8sWorkload{k8sObject: o, replicas: 1, labels: stringMap(dig(tmpl, "metadata", "labels")),
			pod: k8sPodSpec(o, get(tmpl, "spec"))}
		if v := get(spec, "replicas"); v != nil && !isNull(v) {
			n, ok := wholeNumber(v)
			if !ok || n < 0 || n > 1<<20 {
				o.src.errorf(v, "write a whole number of replicas", "%s %s: replicas %q is not a whole number of 0 or more", o.kind, o.key(), text(v))
			}
			if o.kind == "DaemonSet" {
				o.src.errorf(v, "remove replicas: a DaemonSet runs one pod a node", "DaemonSet %s has no replicas field", o.key())
			}
			w.replicas = int(max(n, 0))
		}
		sel := get(spec, "selector")
		if sel == nil || isNull(sel) {
			o.src.errorf(orNode(spec, o.node), "add spec.selector.matchLabels with the pod template's labels", "%s %s has no spec.selector (required in apps/v1)", o.kind, o.key())
		} else if s := k8sLabelSelector(o, sel, false); !s.matches(w.labels) {
			o.src.errorf(sel, "make spec.selector match spec.template.metadata.labels", "%s %s: spec.selector does not select the pod template's labels", o.kind, o.key())
		}
		work = append(work, w)
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

// k8sPlaceOnNodes places the replicas of w on the nodes its pods may run
// on (see ImportKubernetesWith).
func k8sPlaceOnNodes(w *k8sWorkload, s *Service, nodes []*k8sNode, r *Report) {
	var eligible []*k8sNode
	for _, n := range nodes {
		if w.pod.allows(n) {
			eligible = append(eligible, n)
		}
	}
	if len(eligible) == 0 {
		r.skip("workloads no node may run (nodeSelector, node affinity, taints or spread constraints leave none)", w.key())
		return
	}
	count := map[string]int{}
	if w.kind == "DaemonSet" {
		for _, n := range eligible {
			count[n.id]++
		}
	} else {
		var levels []func(*k8sNode) string
		if w.pod.spreadOn(k8sRegionLabel) {
			levels = append(levels, func(n *k8sNode) string { return n.region })
		}
		levels = append(levels, func(n *k8sNode) string { return n.zone })
		spreadOver(w.replicas, eligible, levels, count)
	}
	for _, id := range sortedKeys(count) {
		s.Placement = append(s.Placement, Placement{On: Ref{ID: id}, Replicas: count[id]})
	}
}

// spreadOver divides n replicas evenly over the groups nodes form by the
// first level (sorted), then each group's share by the next level, and at
// the last over the nodes themselves, in order.
func spreadOver(n int, nodes []*k8sNode, levels []func(*k8sNode) string, count map[string]int) {
	if len(levels) == 0 {
		for i, c := range evenSplit(n, len(nodes)) {
			if c > 0 {
				count[nodes[i].id] += c
			}
		}
		return
	}
	groups := map[string][]*k8sNode{}
	for _, nd := range nodes {
		k := levels[0](nd)
		groups[k] = append(groups[k], nd)
	}
	keys := sortedKeys(groups)
	for i, c := range evenSplit(n, len(keys)) {
		if c > 0 {
			spreadOver(c, groups[keys[i]], levels[1:], count)
		}
	}
}

// Topology keys a placement without nodes may spread over, in the order
// they are tried, with the component kind of their domains.
var k8sDomainKeys = []struct{ key, kind string }{
	{k8sZoneLabel, "site"},
	{k8sRegionLabel, "region"},
	{k8sHostnameLabel, "host"},
}

// k8sPlaceInDomains places the replicas of w without a node list (see
// ImportKubernetesWith).
func k8sPlaceInDomains(w *k8sWorkload, s *Service, opts KubernetesOptions, topo *k8sTopology, r *Report) {
	if w.kind == "DaemonSet" {
		r.skip("DaemonSets without a node list (one replica a node: give the nodes)", w.key())
		return
	}
	constrained := slices.ContainsFunc(k8sDomainKeys, func(d struct{ key, kind string }) bool {
		ok := w.pod.spreadOn(d.key)
		return ok
	})
	for _, d := range k8sDomainKeys {
		spread := w.pod.spreadOn(d.key)
		if constrained && !spread {
			continue
		}
		doms := w.pod.pinned(d.key)
		if doms == nil && d.key == k8sZoneLabel && spread {
			doms = opts.Zones
		}
		if doms == nil {
			continue
		}
		if len(doms) == 0 {
			r.skip("workloads whose nodeSelector and node affinity allow no "+d.key+" (placed nowhere)", w.key())
			return
		}
		for i, n := range evenSplit(w.replicas, len(doms)) {
			if n > 0 {
				s.Placement = append(s.Placement, Placement{On: Ref{ID: doms[i]}, Replicas: n})
				topo.add(w, d.key, d.kind, doms[i])
			}
		}
		return
	}
	if w.pod.spreadOn(k8sZoneLabel) {
		r.skip("workloads spread over zones with neither a node list nor zone names (placed nowhere: give the nodes with --nodes, or the zones with --zones a,b,c)", w.key())
		return
	}
	if constrained {
		r.skip("workloads spread over regions or hosts without a node list or an affinity naming them (placed nowhere: give the nodes with --nodes)", w.key())
		return
	}
	r.skip("workloads without a node list, a zone affinity or a zone spread constraint (placed nowhere: give the nodes with --nodes)", w.key())
}

// k8sTopology collects the zones, regions and hosts that placements
// without a node list name, as components.
type k8sTopology struct {
	comps map[string]*Component
	r     *Report
}

// add adds domain id of key (and, when the pod pins one, its zone or
// region above it).
func (t *k8sTopology) add(w *k8sWorkload, key, kind, id string) {
	parentKey, parentKind := "", ""
	switch key {
	case k8sHostnameLabel:
		parentKey, parentKind = k8sZoneLabel, "site"
	case k8sZoneLabel:
		parentKey, parentKind = k8sRegionLabel, "region"
	}
	parent := ""
	if parentKey != "" {
		if p := w.pod.pinned(parentKey); len(p) == 1 {
			parent = p[0]
			t.add(w, parentKey, parentKind, parent)
		}
	}
	c := t.comps[id]
	if c == nil {
		c = &Component{ID: id, Kind: kind, Source: "kubernetes:label/" + key}
		t.comps[id] = c
	}
	switch {
	case c.Kind != kind:
		t.r.note("%s is both a %s and a %s value: kept as %s", id, c.Source[len("kubernetes:label/"):], key, c.Kind)
	case parent == "" || c.Parent.ID == parent:
	case c.Parent.ID == "":
		c.Parent = Ref{ID: parent}
	default:
		t.r.note("%s %s is pinned to %s %s by %s and to %s by other workloads: kept in %s", key, id, parentKey, parent, w.key(), c.Parent.ID, c.Parent.ID)
	}
}

func (t *k8sTopology) components() []Component {
	var out []Component
	for _, id := range sortedKeys(t.comps) {
		out = append(out, *t.comps[id])
	}
	return out
}

// selected returns the workloads of namespace ns whose pod labels the
// selector matches.
func selected(work []*k8sWorkload, ns string, sel k8sSelector) []*k8sWorkload {
	var out []*k8sWorkload
	for _, w := range work {
		if w.ns == ns && sel.matches(w.labels) {
			out = append(out, w)
		}
	}
	return out
}

// k8sQuorums reads PodDisruptionBudgets into quorums, counting as the
// disruption controller does: a minAvailable percentage rounds up (kept as
// a percentage, which blast rounds up too); maxUnavailable, an unavailable
// count, rounds up before it is taken from the replicas. In policy/v1 an
// empty selector ({}) selects every pod of the namespace; in v1beta1, and
// a missing selector in both, none.
func k8sQuorums(objs []*k8sObject, work []*k8sWorkload, svcs map[string]*Service, r *Report) {
	budget := map[string]string{} // workload id → PodDisruptionBudget
	for _, o := range objs {
		if o.kind != "PodDisruptionBudget" {
			continue
		}
		spec := get(o.node, "spec")
		sel := k8sLabelSelector(o, get(spec, "selector"), o.apiVersion == "policy/v1")
		ws := selected(work, o.ns, sel)
		if len(ws) == 0 {
			r.skip("PodDisruptionBudgets that select no workload", o.key())
			continue
		}
		if len(ws) > 1 {
			names := make([]string, len(ws))
			for i, w := range ws {
				names[i] = w.id
			}
			r.note("PodDisruptionBudget %s selects %d workloads (%s): Kubernetes counts their pods together; the budget is applied to each alone",
				o.key(), len(ws), strings.Join(names, ", "))
		}
		for _, w := range ws {
			s := svcs[w.id]
			total := 0
			for _, p := range s.Placement {
				total += p.Count()
			}
			if total == 0 {
				r.skip("PodDisruptionBudgets whose workload has no placement (no quorum set)", o.key()+" ("+w.id+")")
				continue
			}
			if prev, ok := budget[w.id]; ok {
				r.skip("workloads selected by more than one PodDisruptionBudget (Kubernetes refuses to evict their pods; the first by name is kept)",
					w.id+" ("+prev+", "+o.key()+")")
				continue
			}
			var q *Quantity
			if v := get(spec, "minAvailable"); v != nil && !isNull(v) {
				q = k8sQuantity(o, v, total, false, r)
			} else if v := get(spec, "maxUnavailable"); v != nil && !isNull(v) {
				q = k8sQuantity(o, v, total, true, r)
			}
			budget[w.id] = o.key()
			if q != nil {
				s.Quorum = q
				s.Labels["kubernetes.pdb"] = o.name
			}
		}
	}
}

// k8sQuantity turns minAvailable (or maxUnavailable, when max) into a
// quorum of total replicas; nil when it asks for nothing. A minAvailable
// above the replicas is reported and becomes all of them.
func k8sQuantity(o *k8sObject, v *yaml.Node, total int, max bool, r *Report) *Quantity {
	field := "minAvailable"
	if max {
		field = "maxUnavailable"
	}
	s := text(v)
	if strings.HasSuffix(s, "%") {
		p, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
		if err != nil || p < 0 || p > 100 {
			o.src.errorf(v, "write a whole number or a percentage such as 50%", "PodDisruptionBudget %s: %q is not a number or percentage", o.key(), s)
			return nil
		}
		if !max {
			if p <= 0 {
				return nil
			}
			return &Quantity{Kind: QuantityPercent, Value: p}
		}
		// The unavailable count rounds up: 50% of 3 is 2, so 1 must stay.
		need := total - int(math.Ceil(p*float64(total)/100-1e-9))
		if need <= 0 {
			return nil
		}
		return &Quantity{Kind: QuantityCount, Value: float64(need)}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		o.src.errorf(v, "write a whole number or a percentage such as 50%", "PodDisruptionBudget %s: %q is not a number or percentage", o.key(), s)
		return nil
	}
	if max {
		n = total - n
	} else if n > total {
		r.note("PodDisruptionBudget %s asks %s %d of %d replicas: no pod may ever be evicted; the quorum is all %d", o.key(), field, n, total, total)
	}
	if n <= 0 {
		return nil
	}
	return &Quantity{Kind: QuantityCount, Value: float64(min(n, total))}
}

// k8sDeps infers dependencies from environment variables and ConfigMaps.
// What they name but the input lacks (a Service, a ConfigMap or one of its
// keys) is reported; values shown in the report are redacted.
func k8sDeps(objs []*k8sObject, work []*k8sWorkload, svcs map[string]*Service, r *Report) {
	// Service DNS names → the workloads behind them.
	targets := map[string][]*k8sWorkload{} // "ns/name" → workloads
	services := map[string]bool{}
	for _, o := range objs {
		if o.kind != "Service" {
			continue
		}
		services[o.key()] = true
		sel := stringMap(dig(o.node, "spec", "selector"))
		ws := selected(work, o.ns, k8sSelector{labels: sel, none: len(sel) == 0}) // a Service without a selector selects nothing
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
		type evidence struct{ where, value string } // where holds the value redacted
		var values []evidence
		add := func(where, name, v string) {
			values = append(values, evidence{where + "=" + k8sRedact(name, v), v})
		}
		containers := append(items(dig(w.node, "spec", "template", "spec", "containers")), items(dig(w.node, "spec", "template", "spec", "initContainers"))...)
		for _, c := range containers {
			for _, e := range items(get(c, "env")) {
				name := text(get(e, "name"))
				if v := text(get(e, "value")); v != "" {
					add("env "+name, name, v)
				}
				if ref := dig(e, "valueFrom", "configMapKeyRef"); ref != nil {
					cm, key := text(get(ref, "name")), text(get(ref, "key"))
					data, ok := configMaps[w.ns+"/"+cm]
					switch {
					case !ok:
						r.skip("ConfigMaps referenced but not in the input (their values not read)", w.ns+"/"+cm)
					case get(data, key) == nil:
						r.skip("ConfigMap keys referenced but not in the ConfigMap", w.ns+"/"+cm+" key "+key)
					default:
						add("ConfigMap "+cm+" key "+key, key, text(get(data, key)))
					}
				}
				if ref := dig(e, "valueFrom", "secretKeyRef"); ref != nil {
					r.skip("Secret values (not read: dependencies they name are not inferred)", w.ns+"/"+text(get(ref, "name")))
				}
			}
			for _, ef := range items(get(c, "envFrom")) {
				if cm := text(dig(ef, "configMapRef", "name")); cm != "" {
					data, ok := configMaps[w.ns+"/"+cm]
					if !ok {
						r.skip("ConfigMaps referenced but not in the input (their values not read)", w.ns+"/"+cm)
					}
					pairs(data, func(k string, v *yaml.Node) { add("ConfigMap "+cm+" key "+k, k, text(v)) })
				}
				if sec := text(dig(ef, "secretRef", "name")); sec != "" {
					r.skip("Secret values (not read: dependencies they name are not inferred)", w.ns+"/"+sec)
				}
			}
		}
		added := map[string]bool{}
		for _, ev := range values {
			for _, key := range serviceNames(ev.value, w.ns) {
				if !services[key] {
					r.skip("values naming a Service not in the input (no dependency inferred)", w.id+": "+ev.where)
					continue
				}
				for _, t := range targets[key] {
					if t.id == w.id || added[t.id] {
						continue
					}
					added[t.id] = true
					s.DependsOn = append(s.DependsOn, hard(t.id))
					r.Inferred = append(r.Inferred, Note{ID: w.id + " → " + t.id, Why: fmt.Sprintf("%s in %s", ev.where, w.sourceID())})
				}
			}
		}
		slices.SortFunc(s.DependsOn, func(a, b Dep) int { return strings.Compare(a.Of[0].ID, b.Of[0].ID) })
	}
}

// secretName matches the names of variables whose values are secrets.
var secretName = regexp.MustCompile(`(?i)password|passwd|token|secret|credential|apikey|(^|[_.-])(key|pass|pwd)($|[_.-])`)

// userinfoPassword matches the password of user:password@host, in a URL
// or not.
var userinfoPassword = regexp.MustCompile(`((?:[A-Za-z][A-Za-z0-9+.-]*://)?[^\s:/@,;]*):[^\s@/,;]+@`)

// k8sRedact returns value as a report may show it: *** for the value of a
// variable whose name says it is secret, and passwords in user:password@
// replaced by ***.
func k8sRedact(name, value string) string {
	if secretName.MatchString(name) {
		return "***"
	}
	return userinfoPassword.ReplaceAllString(value, "${1}:***@")
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
		// DNS names are case-insensitive.
		host := strings.TrimSuffix(strings.TrimSuffix(strings.ToLower(tok), "."), ".cluster.local")
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
