package inventory

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// APIVersion is the only inventory format version this package reads.
const APIVersion = "blast/v1"

// Pos is a place in an input file: 1-based line and column. The zero Pos
// means "no position" (an entity built in code rather than read from a file).
type Pos struct {
	File string `json:"-"`
	Line int    `json:"-"`
	Col  int    `json:"-"`
}

// String formats p as file:line:col, or the empty string for the zero Pos.
func (p Pos) String() string {
	if p.File == "" && p.Line == 0 {
		return ""
	}
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Less orders positions by file, line, then column.
func (p Pos) Less(q Pos) bool {
	if p.File != q.File {
		return p.File < q.File
	}
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Col < q.Col
}

// Inventory is a whole blast/v1 inventory: physical components, the services
// placed on them, and the user features that depend on those services. An
// inventory read from several files is merged into one Inventory.
type Inventory struct {
	APIVersion string      `json:"apiVersion" jsonschema:"enum=blast/v1"`
	Kind       string      `json:"kind" jsonschema:"enum=Inventory"`
	Metadata   Metadata    `json:"metadata,omitempty"`
	Components []Component `json:"components,omitempty" jsonschema:"description=Physical components: anything that can lose power or burn such as a site or a rack."`
	Services   []Service   `json:"services,omitempty" jsonschema:"description=Software with replicas placed on components and dependencies on what else it needs."`
	Features   []Feature   `json:"features,omitempty" jsonschema:"description=What a user does. A feature has no replicas; it carries users and a tier."`
	Defaults   *Defaults   `json:"defaults,omitempty" jsonschema:"description=Failure data per component kind and recovery times per service tier."`

	// Files lists the files the inventory was read from, in load order.
	Files []string `json:"-"`
}

// Metadata names and describes an inventory.
type Metadata struct {
	Name        string            `json:"name,omitempty"`
	Description string            `json:"description,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Pos         Pos               `json:"-"`
}

// Component is a physical thing that can fail: a region, site, building,
// room, power feed, network uplink, rack or host.
type Component struct {
	ID          string `json:"id" jsonschema:"minLength=1"`
	Kind        string `json:"kind" jsonschema:"description=Open-ended; conventional kinds are region site building room power network rack host."`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	Parent      Ref    `json:"parent,omitempty" jsonschema:"description=The component that contains this one; its loss takes this one down."`
	Power       *Feeds `json:"power,omitempty" jsonschema:"description=Power feeds: a list of which any one suffices or an object with feeds and need."`
	Network     *Feeds `json:"network,omitempty" jsonschema:"description=Network uplinks: a list of which any one suffices or an object with feeds and need."`
	Failed      bool   `json:"failed,omitempty" jsonschema:"description=Already down (as an importer found it): part of every failure set."`
	Reliability
	Source string            `json:"source,omitempty" jsonschema:"description=Where the entity came from (set by importers)."`
	Labels map[string]string `json:"labels,omitempty"`

	Pos  Pos    `json:"-"`
	Path string `json:"-"`
}

// Reliability is failure data: an unavailability (the probability of
// being down at a random moment), or a mean time between failures and a
// mean time to repair, from which unavailability = mttr / (mtbf + mttr).
type Reliability struct {
	Unavailability *float64 `json:"unavailability,omitempty" jsonschema:"minimum=0,maximum=1"`
	MTBF           Duration `json:"mtbf,omitempty" jsonschema:"description=Mean time between failures such as 8760h."`
	MTTR           Duration `json:"mttr,omitempty" jsonschema:"description=Mean time to repair such as 4h."`

	RelPos Pos `json:"-"`
}

// Given reports whether r holds any failure data.
func (r Reliability) Given() bool { return r.Unavailability != nil || r.MTBF > 0 }

// Value returns the unavailability r gives: the explicit one, else
// mttr/(mtbf+mttr); ok is false when r holds no failure data.
func (r Reliability) Value() (u float64, ok bool) {
	switch {
	case r.Unavailability != nil:
		return *r.Unavailability, true
	case r.MTBF > 0:
		return float64(r.MTTR) / float64(r.MTBF+r.MTTR), true
	}
	return 0, false
}

// Defaults holds inventory-wide defaults.
type Defaults struct {
	// Kinds gives failure data per component kind.
	Kinds map[string]Reliability `json:"kinds,omitempty"`
	// Services gives failure data for services (software failures).
	Services *Reliability `json:"services,omitempty"`
	// Tiers gives recovery times per service tier, keyed by tier number.
	Tiers map[string]TierDefaults `json:"tiers,omitempty"`

	Pos Pos `json:"-"`
}

// TierDefaults are recovery times for services of one tier.
type TierDefaults struct {
	Restart Duration `json:"restart,omitempty" jsonschema:"description=Time to start a service of this tier from cold."`
	RTO     Duration `json:"rto,omitempty" jsonschema:"description=Failover recovery time objective for this tier."`
}

// ComponentReliability returns component c's unavailability: its own
// failure data, else its kind's default. ok is false when neither is given.
func (inv *Inventory) ComponentReliability(c *Component) (float64, bool) {
	if u, ok := c.Reliability.Value(); ok {
		return u, true
	}
	if inv.Defaults != nil {
		if r, found := inv.Defaults.Kinds[c.Kind]; found {
			return r.Value()
		}
	}
	return 0, false
}

// ServiceReliability returns service s's unavailability as a software
// failure: its own failure data, else the services default.
func (inv *Inventory) ServiceReliability(s *Service) (float64, bool) {
	if u, ok := s.Reliability.Value(); ok {
		return u, true
	}
	if inv.Defaults != nil && inv.Defaults.Services != nil {
		return inv.Defaults.Services.Value()
	}
	return 0, false
}

// TierDefault returns the defaults for services of the given tier, and
// whether any were given.
func (inv *Inventory) TierDefault(tier int) (TierDefaults, bool) {
	if inv.Defaults == nil {
		return TierDefaults{}, false
	}
	t, ok := inv.Defaults.Tiers[strconv.Itoa(tier)]
	return t, ok
}

// Feeds is a set of supplies (power feeds or network uplinks) of which at
// least Need must be up. Need 0 means 1.
type Feeds struct {
	Feeds []Ref `json:"feeds"`
	Need  int   `json:"need,omitempty" jsonschema:"minimum=1"`

	Pos      Pos  `json:"-"`
	NeedPos  Pos  `json:"-"`
	FromList bool `json:"-"`
}

// Required returns how many feeds must be up: Need, or 1 when unset.
func (f *Feeds) Required() int {
	if f == nil || f.Need <= 0 {
		return 1
	}
	return f.Need
}

// Service is software with replicas placed on components.
type Service struct {
	ID          string      `json:"id" jsonschema:"minLength=1"`
	Name        string      `json:"name,omitempty"`
	Description string      `json:"description,omitempty"`
	Tier        int         `json:"tier,omitempty" jsonschema:"minimum=1"`
	Role        string      `json:"role,omitempty" jsonschema:"description=operations marks tooling that operating and recovering the estate needs such as deploy or monitoring or failover tools."`
	Placement   []Placement `json:"placement,omitempty"`
	Quorum      *Quantity   `json:"quorum,omitempty" jsonschema:"description=Replicas needed to be up: a number or majority or a percentage such as 50%. Default 1."`
	Capacity    *Quantity   `json:"capacity,omitempty" jsonschema:"description=Replicas needed to carry full load; fewer counted replicas make the service degraded."`
	Failover    *Failover   `json:"failover,omitempty"`
	DependsOn   []Dep       `json:"dependsOn,omitempty"`
	Restart     Duration    `json:"restart,omitempty" jsonschema:"description=Time to start the service from cold such as 15m."`
	Reliability
	Source string            `json:"source,omitempty" jsonschema:"description=Where the entity came from (set by importers)."`
	Labels map[string]string `json:"labels,omitempty"`

	Pos  Pos    `json:"-"`
	Path string `json:"-"`
}

// Placement puts replicas of a service on a component.
type Placement struct {
	On       Ref    `json:"on"`
	Replicas int    `json:"replicas,omitempty" jsonschema:"minimum=1,description=Default 1."`
	Role     string `json:"role,omitempty" jsonschema:"enum=active,enum=standby,description=Default active. Standby replicas count only after a failover."`

	Pos         Pos `json:"-"`
	ReplicasPos Pos `json:"-"`
}

// Standby reports whether the placement holds standby replicas.
func (p Placement) Standby() bool { return p.Role == RoleStandby }

// Count returns the number of replicas, 1 when unset.
func (p Placement) Count() int {
	if p.Replicas <= 0 {
		return 1
	}
	return p.Replicas
}

// Placement roles.
const (
	RoleActive  = "active"
	RoleStandby = "standby"
)

// Failover says what a switch to standby replicas needs.
type Failover struct {
	Via []Ref    `json:"via,omitempty" jsonschema:"description=Services that perform the failover (the control plane). While any is down the failover is blocked."`
	RTO Duration `json:"rto,omitempty" jsonschema:"description=Recovery time objective of the failover such as 30m."`

	Pos Pos `json:"-"`
}

// Feature is what a user does. It has no replicas of its own.
type Feature struct {
	ID          string            `json:"id" jsonschema:"minLength=1"`
	Name        string            `json:"name,omitempty"`
	Description string            `json:"description,omitempty"`
	Product     string            `json:"product,omitempty"`
	Users       int64             `json:"users,omitempty" jsonschema:"minimum=0"`
	Tier        int               `json:"tier,omitempty" jsonschema:"minimum=1"`
	DependsOn   []Dep             `json:"dependsOn"`
	Source      string            `json:"source,omitempty" jsonschema:"description=Where the entity came from (set by importers)."`
	Labels      map[string]string `json:"labels,omitempty"`

	Pos      Pos    `json:"-"`
	Path     string `json:"-"`
	UsersPos Pos    `json:"-"` // where users was written
}

// Ref is a reference to an entity by id, with where it was written.
type Ref struct {
	ID   string
	Pos  Pos
	Path string
	// Target is the entity the reference named when Validate resolved it
	// (Resolved set). Lists reordered since then make it stale: check that
	// the entity there still has ID.
	Target   Entity
	Resolved bool
}

// DepKind tells how a dependency entry combines its members.
type DepKind int

// Dependency kinds.
const (
	DepHard    DepKind = iota // one member; its state passes through
	DepAnyOf                  // down only when every member is down
	DepAtLeast                // down when fewer than K members are not down
)

// Dep is one entry of dependsOn: a plain id, {on: X, soft: true},
// {anyOf: [...]}, or {atLeast: k, of: [...]}.
type Dep struct {
	Kind DepKind
	Of   []Ref
	K    int // members needed; 1 for DepHard and DepAnyOf
	Soft bool
	// Calls is how many calls were observed along the dependency (as
	// blast import traces records them), 0 when not known. It does not
	// change the evaluation: it is kept so that rarely used dependencies
	// can be marked soft later without importing again.
	Calls int64

	Pos  Pos
	Path string
}

// QuantityKind tells how a Quantity is resolved against a replica count.
type QuantityKind int

// Quantity kinds.
const (
	QuantityCount    QuantityKind = iota // an absolute number
	QuantityMajority                     // more than half
	QuantityPercent                      // a percentage, rounded up
)

// Quantity is a number of replicas: an absolute count, "majority", or a
// percentage such as "75%".
type Quantity struct {
	Kind  QuantityKind
	Value float64 // count or percent
	Pos   Pos
}

// Of resolves q against total replicas: majority is total/2+1, a percentage
// is rounded up. A nil Quantity resolves to def.
func (q *Quantity) Of(total, def int) int {
	if q == nil {
		return def
	}
	switch q.Kind {
	case QuantityMajority:
		return total/2 + 1
	case QuantityPercent:
		// Round up, but keep exact products (50% of 10) exact.
		v := q.Value * float64(total) / 100
		n := int(v)
		if float64(n) < v-1e-9 {
			n++
		}
		return n
	default:
		return int(q.Value)
	}
}

// String formats q as written in an inventory.
func (q *Quantity) String() string {
	if q == nil {
		return ""
	}
	switch q.Kind {
	case QuantityMajority:
		return "majority"
	case QuantityPercent:
		return strconv.FormatFloat(q.Value, 'f', -1, 64) + "%"
	default:
		return strconv.Itoa(int(q.Value))
	}
}

// ParseQuantity parses "majority", "NN%" or a whole number.
func ParseQuantity(s string) (Quantity, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "majority":
		return Quantity{Kind: QuantityMajority}, nil
	case strings.HasSuffix(s, "%"):
		v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
		if err != nil || v <= 0 || v > 100 {
			return Quantity{}, fmt.Errorf("percentage %q must be a number above 0 and at most 100, followed by %%", s)
		}
		return Quantity{Kind: QuantityPercent, Value: v}, nil
	default:
		n, err := strconv.Atoi(s)
		if err != nil {
			return Quantity{}, fmt.Errorf("%q is not a number, \"majority\" or a percentage such as \"50%%\"", s)
		}
		if n < 1 {
			return Quantity{}, fmt.Errorf("%d must be at least 1", n)
		}
		return Quantity{Kind: QuantityCount, Value: float64(n)}, nil
	}
}

// Duration is a time span written as Go durations are ("30m", "1h30m"),
// with "d" accepted for days.
type Duration time.Duration

// ParseDuration parses s as a Go duration, also accepting a whole number of
// days ("2d").
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, "d") {
		if n, err := strconv.Atoi(strings.TrimSuffix(s, "d")); err == nil && n >= 0 {
			return Duration(time.Duration(n) * 24 * time.Hour), nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration such as 30m, 4h or 2d", s)
	}
	return Duration(d), nil
}

// String formats d the way time.Duration does.
func (d Duration) String() string { return time.Duration(d).String() }
