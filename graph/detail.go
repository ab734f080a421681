package graph

import (
	"fmt"
	"slices"
	"strings"
)

// ServiceDetail describes service v's replicas and failover in r, such as
// "replicas 0/6400 active, 3500/3500 standby; quorum 3201; failover
// blocked by ops-tools", or "" when v is not a service with placements.
func (r *Result) ServiceDetail(v int32) string {
	m := r.m
	if m.Kind(v) != Service {
		return ""
	}
	active, standby := m.Placed(v)
	if active+standby == 0 {
		return ""
	}
	runA, runS := r.Running(v)
	_, fo := r.Replicas(v)
	q, capacity := m.Quorum(v)
	d := fmt.Sprintf("replicas %d/%d", runA, active)
	if standby > 0 {
		d += fmt.Sprintf(" active, %d/%d standby", runS, standby)
	}
	d += fmt.Sprintf("; quorum %d", q)
	if capacity > 0 {
		d += fmt.Sprintf(", capacity %d", capacity)
	}
	switch fo {
	case FailoverBlocked:
		blocked := r.BlockedBy(v)
		names := make([]string, len(blocked))
		for i, x := range blocked {
			names[i] = m.ID(x)
		}
		d += "; failover blocked by " + strings.Join(names, ", ")
	case FailoverDone:
		d += "; failed over to standby"
	}
	return d
}

// ChainDetails returns, for each step of why-chain c from index from on,
// the ServiceDetail of the services whose replicas or failover are part of
// the story (the next step is a component, or one of its failover.via
// services), and "" for the other steps. The result has len(c) entries.
func (r *Result) ChainDetails(c []int32, from int) []string {
	out := make([]string, len(c))
	for i, v := range c {
		if i < from || i+1 >= len(c) || r.m.Kind(v) != Service {
			continue
		}
		if next := c[i+1]; r.m.Kind(next) == Component || slices.Contains(r.m.Via(v), next) {
			out[i] = r.ServiceDetail(v)
		}
	}
	return out
}
