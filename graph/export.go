package graph

// Group is one requirement group of a node: the node needs at least K of
// Members not down (and is degraded when fewer than K are up). A soft group
// can only degrade its owner.
type Group struct {
	Kind    GroupKind
	K       int
	Soft    bool
	Members []int32 // in id order
}

// Groups returns the requirement groups of node v in the order the model
// keeps them (parent, power, network, then dependsOn entries). The Members
// slices alias the model: do not modify them. O(groups of v).
func (m *Model) Groups(v int32) []Group {
	var out []Group
	for g := m.ngStart[v]; g < m.ngStart[v+1]; g++ {
		out = append(out, Group{
			Kind:    m.groupKind[g],
			K:       int(m.groupK[g]),
			Soft:    m.groupSoft[g],
			Members: m.gmList[m.gmStart[g]:m.gmStart[g+1]],
		})
	}
	return out
}

// PlacementOn is one placement of a service's replicas on a component.
type PlacementOn struct {
	On       int32
	Replicas int
	Standby  bool
}

// Placements returns the placements of service v in inventory order; none
// for other nodes. O(placements of v).
func (m *Model) Placements(v int32) []PlacementOn {
	var out []PlacementOn
	for p := m.npStart[v]; p < m.npStart[v+1]; p++ {
		out = append(out, PlacementOn{On: m.plComp[p], Replicas: int(m.plReplicas[p]), Standby: m.plStandby[p]})
	}
	return out
}
