package cmd

import (
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/blast-dev/blast/inventory"
	"github.com/spf13/cobra"
)

// GenOptions are the inputs of blast gen.
type GenOptions struct {
	IO     *IO
	Size   string
	Spec   inventory.GenSpec
	Format string
	Output string
	set    func(name string) bool
}

// NewCmdGen builds "blast gen". runF replaces genRun in tests of flag
// parsing; nil runs it.
func NewCmdGen(io *IO, runF func(*GenOptions) error) *cobra.Command {
	opts := &GenOptions{IO: io}
	var knobs inventory.GenSpec
	c := &cobra.Command{
		Use:   "gen [--size small|medium|large|xl] [--seed N] [-o FILE]",
		Short: "Write a synthetic estate: to try blast, or to load-test a CI gate",
		Long: `Write a deterministic synthetic inventory (the same size, knobs and seed give
the same bytes): regions holding sites; each site buildings with UPS units
fed by the site's utility; racks fed by two UPS units of their building;
services in layers (infrastructure, platform, applications) with
dependencies that point mostly downwards with a heavy tail of popular
targets, some anyOf/atLeast groups, some soft, and a few cycles; replicas
spread over one to three sites with every kind of quorum, some with standby
replicas in another site failed over by an operations service (svc-000000);
features on the application layer with heavy-tailed users.

Sizes (the knobs override them):
  small    3 sites,      60 racks,      40 services,     15 features
  medium   10 sites,   2,000 racks,   1,000 services,    300 features
  large    40 sites,  20,000 racks,  10,000 services,  3,000 features
  xl      200 sites, 200,000 racks, 100,000 services, 30,000 features
(about 5 placements and 6 dependencies per service.)`,
		Example: `  blast gen --size large -o large.json
  blast gen --size medium --sites 4 --cycles 0 --seed 7 | blast audit -f -`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			spec, ok := inventory.GenSizes[opts.Size]
			if !ok {
				return usagef("--size %q: use %s", opts.Size, strings.Join(inventory.GenSizeNames, ", "))
			}
			f := c.Flags()
			pick := func(name string, dst *int, v int) {
				if f.Changed(name) {
					*dst = v
				}
			}
			pick("regions", &spec.Regions, knobs.Regions)
			pick("sites", &spec.Sites, knobs.Sites)
			pick("buildings-per-site", &spec.BuildingsPerSite, knobs.BuildingsPerSite)
			pick("power-per-building", &spec.PowerPerBuilding, knobs.PowerPerBuilding)
			pick("racks", &spec.Racks, knobs.Racks)
			pick("services", &spec.Services, knobs.Services)
			pick("features", &spec.Features, knobs.Features)
			pick("cycles", &spec.Cycles, knobs.Cycles)
			if f.Changed("placements") {
				spec.PlacementsPerSvc = knobs.PlacementsPerSvc
			}
			if f.Changed("fanout") {
				spec.FanOut = knobs.FanOut
			}
			if f.Changed("standby") {
				if knobs.StandbyShare < 0 || knobs.StandbyShare > 1 {
					return usagef("--standby %g: a share between 0 and 1", knobs.StandbyShare)
				}
				spec.StandbyShare = knobs.StandbyShare
			}
			spec.Seed = knobs.Seed
			if spec.Sites < 1 || spec.Racks < spec.Sites || spec.Services < 10 || spec.Features < 1 {
				return usagef("need at least 1 site, a rack per site, 10 services and 1 feature")
			}
			if opts.Format == "" {
				opts.Format = "yaml"
				if strings.EqualFold(filepath.Ext(opts.Output), ".json") {
					opts.Format = "json"
				}
			}
			if !slices.Contains([]string{"yaml", "json"}, opts.Format) {
				return usagef("--format %q: use yaml or json", opts.Format)
			}
			opts.Spec = spec
			if runF != nil {
				return runF(opts)
			}
			return genRun(opts)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.Size, "size", "small", "named size: "+strings.Join(inventory.GenSizeNames, ", "))
	f.Uint64Var(&knobs.Seed, "seed", 1, "random seed")
	f.StringVar(&opts.Format, "format", "", "yaml or json (default: from the -o extension, else yaml)")
	f.StringVarP(&opts.Output, "output", "o", "", "file to write (default: standard output)")
	f.IntVar(&knobs.Regions, "regions", 0, "regions")
	f.IntVar(&knobs.Sites, "sites", 0, "sites")
	f.IntVar(&knobs.BuildingsPerSite, "buildings-per-site", 0, "buildings per site")
	f.IntVar(&knobs.PowerPerBuilding, "power-per-building", 0, "UPS units per building (racks take two feeds)")
	f.IntVar(&knobs.Racks, "racks", 0, "racks")
	f.IntVar(&knobs.Services, "services", 0, "services")
	f.Float64Var(&knobs.PlacementsPerSvc, "placements", 0, "mean placements per service")
	f.Float64Var(&knobs.FanOut, "fanout", 0, "mean dependencies per service (heavy-tailed)")
	f.IntVar(&knobs.Features, "features", 0, "features")
	f.Float64Var(&knobs.StandbyShare, "standby", 0, "share of services with standby replicas in another site")
	f.IntVar(&knobs.Cycles, "cycles", 0, "dependency cycles")
	return c
}

func genRun(opts *GenOptions) error {
	if opts.Output == "" {
		return inventory.Generate(opts.IO.Out, opts.Spec, opts.Format)
	}
	return writeFile(opts.IO.Context(), opts.Output, nil, func(w io.Writer) error {
		return inventory.Generate(w, opts.Spec, opts.Format)
	})
}
