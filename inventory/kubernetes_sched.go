package inventory

import (
	"slices"
	"strconv"

	"go.yaml.in/yaml/v4"
)

// What the scheduler reads of a pod template, and of nodes, to decide
// where a pod may run: label selectors, node affinity, taints and
// tolerations, topology spread constraints.

// k8sReq is one requirement of a label selector or a node selector term.
type k8sReq struct {
	key, op string
	values  []string
}

// matches reports whether labels meet the requirement. Gt and Lt compare
// the label's value and the requirement's one value as integers.
func (q k8sReq) matches(labels map[string]string) bool {
	v, has := labels[q.key]
	switch q.op {
	case "In":
		return has && slices.Contains(q.values, v)
	case "NotIn":
		return !has || !slices.Contains(q.values, v)
	case "Exists":
		return has
	case "DoesNotExist":
		return !has
	case "Gt", "Lt":
		if !has || len(q.values) != 1 {
			return false
		}
		a, err1 := strconv.ParseInt(v, 10, 64)
		b, err2 := strconv.ParseInt(q.values[0], 10, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		return q.op == "Gt" && a > b || q.op == "Lt" && a < b
	}
	return false
}

// k8sReqs reads a list of requirements (matchExpressions, matchFields).
// ops are the operators allowed; a bad one is an error at its position.
func k8sReqs(o *k8sObject, n *yaml.Node, ops ...string) []k8sReq {
	var out []k8sReq
	for _, e := range items(n) {
		q := k8sReq{key: text(get(e, "key")), op: text(get(e, "operator"))}
		for _, v := range items(get(e, "values")) {
			q.values = append(q.values, text(v))
		}
		switch {
		case q.key == "":
			o.src.errorf(e, "write key, operator and values", "%s %s: a requirement has no key", o.kind, o.key())
			continue
		case !slices.Contains(ops, q.op):
			o.src.errorf(orNode(get(e, "operator"), e), "the operators here are "+joinOr(ops), "%s %s: unknown operator %q", o.kind, o.key(), q.op)
			continue
		case (q.op == "In" || q.op == "NotIn") && len(q.values) == 0:
			o.src.errorf(e, "list the values, or use Exists", "%s %s: operator %s needs values", o.kind, o.key(), q.op)
			continue
		}
		out = append(out, q)
	}
	return out
}

func joinOr(s []string) string {
	if len(s) < 2 {
		return s[0]
	}
	out := s[0]
	for _, x := range s[1 : len(s)-1] {
		out += ", " + x
	}
	return out + " or " + s[len(s)-1]
}

// k8sSelector is a label selector (matchLabels and matchExpressions,
// ANDed). none: it selects nothing; all: it selects everything.
type k8sSelector struct {
	none, all bool
	labels    map[string]string
	reqs      []k8sReq
}

// k8sLabelSelector reads a metav1.LabelSelector. A missing selector
// selects nothing; an empty one ({}) selects everything when emptyAll,
// else nothing.
func k8sLabelSelector(o *k8sObject, n *yaml.Node, emptyAll bool) k8sSelector {
	if n == nil || isNull(n) {
		return k8sSelector{none: true}
	}
	s := k8sSelector{labels: stringMap(get(n, "matchLabels")),
		reqs: k8sReqs(o, get(n, "matchExpressions"), "In", "NotIn", "Exists", "DoesNotExist")}
	if len(s.labels) == 0 && len(s.reqs) == 0 {
		if emptyAll {
			return k8sSelector{all: true}
		}
		return k8sSelector{none: true}
	}
	return s
}

func (s k8sSelector) matches(labels map[string]string) bool {
	if s.none {
		return false
	}
	if s.all {
		return true
	}
	for k, v := range s.labels {
		if w, ok := labels[k]; !ok || w != v {
			return false
		}
	}
	for _, q := range s.reqs {
		if !q.matches(labels) {
			return false
		}
	}
	return true
}

// k8sToleration is one toleration of a pod.
type k8sToleration struct{ key, op, value, effect string }

// tolerates reports whether the toleration matches taint t, by the rules
// of the Kubernetes API: an empty effect matches every effect, an empty
// key with Exists every key, Exists every value, Equal (the default) the
// same value.
func (tol k8sToleration) tolerates(t k8sToleration) bool {
	if tol.effect != "" && tol.effect != t.effect {
		return false
	}
	if tol.key == "" {
		return tol.op == "Exists"
	}
	if tol.key != t.key {
		return false
	}
	return tol.op == "Exists" || tol.value == t.value
}

// Tolerations every pod has: the DefaultTolerationSeconds admission
// plugin adds them, so pods stay on a node that stops answering for a
// while. DaemonSet pods have more, added by their controller.
var (
	k8sDefaultTolerations = []k8sToleration{
		{key: "node.kubernetes.io/not-ready", op: "Exists", effect: "NoExecute"},
		{key: "node.kubernetes.io/unreachable", op: "Exists", effect: "NoExecute"},
	}
	k8sDaemonSetTolerations = []k8sToleration{
		{key: "node.kubernetes.io/disk-pressure", op: "Exists", effect: "NoSchedule"},
		{key: "node.kubernetes.io/memory-pressure", op: "Exists", effect: "NoSchedule"},
		{key: "node.kubernetes.io/pid-pressure", op: "Exists", effect: "NoSchedule"},
		{key: "node.kubernetes.io/unschedulable", op: "Exists", effect: "NoSchedule"},
	}
)

// k8sSpread is one topologySpreadConstraint.
// Its maxSkew is checked but not kept: an even split meets every maxSkew.
type k8sSpread struct {
	key  string
	hard bool // whenUnsatisfiable: DoNotSchedule
}

// k8sPod is what decides where a workload's pods may run.
type k8sPod struct {
	nodeSelector map[string]string
	// terms are the required node affinity's nodeSelectorTerms, ORed;
	// the requirements of a term are ANDed. nil: no required affinity.
	terms       [][2][]k8sReq // matchExpressions, matchFields
	tolerations []k8sToleration
	spread      []k8sSpread
}

// k8sPodSpec reads the scheduling fields of the pod template of o.
func k8sPodSpec(o *k8sObject, spec *yaml.Node) *k8sPod {
	p := &k8sPod{nodeSelector: stringMap(get(spec, "nodeSelector")), tolerations: slices.Clone(k8sDefaultTolerations)}
	if o.kind == "DaemonSet" {
		p.tolerations = append(p.tolerations, k8sDaemonSetTolerations...)
	}
	if req := dig(spec, "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"); req != nil && !isNull(req) {
		p.terms = [][2][]k8sReq{}
		for _, t := range items(get(req, "nodeSelectorTerms")) {
			p.terms = append(p.terms, [2][]k8sReq{
				k8sReqs(o, get(t, "matchExpressions"), "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"),
				k8sReqs(o, get(t, "matchFields"), "In", "NotIn"),
			})
		}
	}
	for _, t := range items(get(spec, "tolerations")) {
		tol := k8sToleration{key: text(get(t, "key")), op: text(get(t, "operator")), value: text(get(t, "value")), effect: text(get(t, "effect"))}
		if tol.op == "" {
			tol.op = "Equal"
		}
		if tol.op != "Equal" && tol.op != "Exists" {
			o.src.errorf(get(t, "operator"), "the operators of a toleration are Equal and Exists", "%s %s: unknown toleration operator %q", o.kind, o.key(), tol.op)
			continue
		}
		p.tolerations = append(p.tolerations, tol)
	}
	for _, c := range items(get(spec, "topologySpreadConstraints")) {
		sp := k8sSpread{key: text(get(c, "topologyKey"))}
		skew, ok := wholeNumber(get(c, "maxSkew"))
		switch when := text(get(c, "whenUnsatisfiable")); {
		case sp.key == "":
			o.src.errorf(c, "name the node label to spread over, such as "+k8sZoneLabel, "%s %s: a topology spread constraint has no topologyKey", o.kind, o.key())
			continue
		case !ok || skew < 1:
			o.src.errorf(orNode(get(c, "maxSkew"), c), "write a whole number of 1 or more", "%s %s: maxSkew must be a whole number of 1 or more", o.kind, o.key())
			continue
		case when != "DoNotSchedule" && when != "ScheduleAnyway":
			o.src.errorf(orNode(get(c, "whenUnsatisfiable"), c), "write DoNotSchedule or ScheduleAnyway", "%s %s: unknown whenUnsatisfiable %q", o.kind, o.key(), when)
			continue
		default:
			sp.hard = when == "DoNotSchedule"
		}
		p.spread = append(p.spread, sp)
	}
	return p
}

// allows reports whether the pod may run on node n: n's labels meet the
// nodeSelector and one term of the required node affinity, the pod
// tolerates n's NoSchedule and NoExecute taints, and n has the label of
// every DoNotSchedule spread constraint (the scheduler leaves out nodes
// without it).
func (p *k8sPod) allows(n *k8sNode) bool {
	if !(k8sSelector{labels: p.nodeSelector}).matches(n.labels) {
		return false
	}
	if p.terms != nil && !slices.ContainsFunc(p.terms, func(t [2][]k8sReq) bool { return termMatches(t, n) }) {
		return false
	}
	for _, t := range n.taints {
		if t.effect != "NoSchedule" && t.effect != "NoExecute" {
			continue
		}
		if !slices.ContainsFunc(p.tolerations, func(tol k8sToleration) bool { return tol.tolerates(t) }) {
			return false
		}
	}
	for _, sp := range p.spread {
		if _, ok := n.labels[sp.key]; sp.hard && !ok {
			return false
		}
	}
	return true
}

// termMatches reports whether node n meets every requirement of a node
// selector term. An empty term matches no node.
func termMatches(t [2][]k8sReq, n *k8sNode) bool {
	if len(t[0]) == 0 && len(t[1]) == 0 {
		return false
	}
	for _, q := range t[0] {
		if !q.matches(n.labels) {
			return false
		}
	}
	fields := map[string]string{"metadata.name": n.obj.name}
	for _, q := range t[1] {
		if !q.matches(fields) {
			return false
		}
	}
	return true
}

// pinned returns the values of node label key that the pod's nodeSelector
// and required node affinity allow, sorted; nil when they leave it open.
func (p *k8sPod) pinned(key string) []string {
	var vals []string
	if p.terms != nil {
		open := len(p.terms) == 0
		for _, t := range p.terms {
			var in []string
			has := false
			for _, q := range t[0] {
				if q.key == key && q.op == "In" {
					if !has {
						in, has = slices.Clone(q.values), true
					} else {
						in = slices.DeleteFunc(in, func(v string) bool { return !slices.Contains(q.values, v) })
					}
				}
			}
			if !has {
				open = true
				break
			}
			for _, q := range t[0] {
				if q.key == key && q.op == "NotIn" {
					in = slices.DeleteFunc(in, func(v string) bool { return slices.Contains(q.values, v) })
				}
			}
			vals = append(vals, in...)
		}
		if open {
			vals = nil
		} else if len(vals) == 0 {
			vals = []string{} // pinned to nothing
		}
	}
	if v, ok := p.nodeSelector[key]; ok {
		if vals != nil && !slices.Contains(vals, v) {
			return []string{}
		}
		vals = []string{v}
	}
	if vals == nil {
		return nil
	}
	slices.Sort(vals)
	return slices.Compact(vals)
}

// spreadOn reports whether a constraint spreads the pods over key.
func (p *k8sPod) spreadOn(key string) bool {
	return slices.ContainsFunc(p.spread, func(sp k8sSpread) bool { return sp.key == key })
}

// evenSplit divides n replicas over k domains in sorted order: each gets
// n/k, the first n%k one more. The counts of any two domains differ by at
// most one, which meets every maxSkew (1 or more).
func evenSplit(n, k int) []int {
	out := make([]int, k)
	for i := range out {
		out[i] = n / k
		if i < n%k {
			out[i]++
		}
	}
	return out
}
