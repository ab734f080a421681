package cmd

import (
	"fmt"

	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/out"
	"github.com/spf13/cobra"
)

// DiffOptions are the inputs of blast diff.
type DiffOptions struct {
	IO        *IO
	Old, New  []string
	Policy    string
	Format    string
	FailOnNew bool
}

// NewCmdDiff builds "blast diff". runF replaces diffRun in tests of flag
// parsing; nil runs it.
func NewCmdDiff(io *IO, runF func(*DiffOptions) error) *cobra.Command {
	opts := &DiffOptions{IO: io}
	c := &cobra.Command{
		Use:   "diff -f OLD --f2 NEW | diff OLD NEW",
		Short: "What a change does to the blast radius: new and removed single points of failure, domains, findings",
		Long: `Compare two versions of an inventory (each a file or directory, as -f takes)
and report what the change does to the blast radius: features whose single
points of failure grew or shrank, failure domains whose impact changed, and
policy findings that appeared or were resolved (default policy unless
--policy). The verdict is riskier, safer, mixed or unchanged. This is the
comment a pull request wants.

-f2 NEW and -f2=NEW mean --f2 NEW (a file named 2 after -f needs -f ./2).

With --fail-on-new, exit 1 when the change adds a single point of failure or
a policy finding.`,
		Example: `  blast diff main/inventory/ pr/inventory/
  blast diff -f old.yaml -f2 new.yaml --format json`,
		Args: cobra.MaximumNArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			switch {
			case len(args) == 2 && len(opts.Old)+len(opts.New) == 0:
				opts.Old, opts.New = args[:1], args[1:]
			case len(args) == 1:
				return usagef("give both versions: blast diff OLD NEW, or -f OLD --f2 NEW")
			case len(args) > 0:
				return usagef("give the two versions either as two paths or as -f OLD --f2 NEW, not both")
			case len(opts.Old) == 0 || len(opts.New) == 0:
				return usagef("give both versions: blast diff OLD NEW, or -f OLD --f2 NEW")
			}
			if err := checkFormat(opts.Format, "text", "json"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return diffRun(opts)
		},
	}
	c.Flags().StringArrayVarP(&opts.Old, "file", "f", nil, "the old inventory (file or directory; repeat to merge)")
	c.Flags().StringArrayVar(&opts.New, "f2", nil, "the new inventory (file or directory; repeat to merge)")
	c.Flags().StringVar(&opts.Policy, "policy", "", "policy whose findings to compare (default: the built-in policy)")
	c.Flags().StringVar(&opts.Format, "format", "text", "output format: text or json")
	c.Flags().BoolVar(&opts.FailOnNew, "fail-on-new", false, "exit 1 when the change adds a single point of failure or a policy finding")
	return c
}

// auditAll audits every non-host kind with every component as a candidate.
func auditAll(m *graph.Model, opt graph.AuditOptions) *graph.Audit {
	kinds, _ := auditKinds(m, nil)
	domains, candidates := auditDomains(m, kinds, false)
	return m.NewAudit(domains, candidates, opt)
}

func diffRun(opts *DiffOptions) error {
	policy, err := loadPolicy(opts.IO, opts.Policy)
	if err != nil {
		return err
	}
	om, err := loadModel(opts.IO, opts.Old)
	if err != nil {
		return fmt.Errorf("old inventory: %w", err)
	}
	nm, err := loadModel(opts.IO, opts.New)
	if err != nil {
		return fmt.Errorf("new inventory: %w", err)
	}
	ctx := opts.IO.Context()
	var oldChecks, newChecks *out.CheckReport
	// Either version may lack a kind the policy names (the change that
	// adds the first racks): such a rule is skipped there, with a warning.
	skip := graph.PolicyOptions{SkipMissingKinds: true}
	ores, oerr := om.CheckPolicyOptions(ctx, policy, skip)
	nres, nerr := nm.CheckPolicyOptions(ctx, policy, skip)
	if err := ctx.Err(); err != nil {
		return err
	}
	if oerr == nil && nerr == nil {
		oldChecks = out.NewCheckReport(inventoryName(om.Inv), policy.Metadata.Name, "error", om, ores, ores.Findings, 0)
		newChecks = out.NewCheckReport(inventoryName(nm.Inv), policy.Metadata.Name, "error", nm, nres, nres.Findings, 0)
	} else {
		fmt.Fprintf(opts.IO.ErrOut, "warning: policy findings not compared: %v\n", firstErr(oerr, nerr))
	}
	name := func(m *graph.Model, paths []string) string {
		n := inventoryName(m.Inv)
		if len(paths) == 1 && paths[0] != n {
			return n + " (" + paths[0] + ")"
		}
		return n
	}
	oa := auditAll(om, graph.AuditOptions{Context: ctx})
	if oa.Err != nil {
		return oa.Err
	}
	na := auditAll(nm, graph.AuditOptions{Context: ctx})
	if na.Err != nil {
		return na.Err
	}
	d := out.NewDiff(name(om, opts.Old), name(nm, opts.New), oa, na, oldChecks, newChecks)
	if opts.Format == "json" {
		err = out.WriteJSON(opts.IO.Out, d)
	} else {
		err = out.WriteDiffText(opts.IO.Out, d, out.TextOptions{Color: opts.IO.Color()})
	}
	if err != nil {
		return err
	}
	if opts.FailOnNew && d.Summary.SPOFsAdded+d.Summary.FindingsNew > 0 {
		return &ExitError{ExitPolicy, fmt.Errorf("the change adds %d single points of failure and %d policy findings", d.Summary.SPOFsAdded, d.Summary.FindingsNew)}
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
