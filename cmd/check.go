package cmd

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/blast-dev/blast/examples"
	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/internal/num"
	"github.com/blast-dev/blast/inventory"
	"github.com/blast-dev/blast/out"
	"github.com/spf13/cobra"
)

// CheckOptions are the inputs of blast check.
type CheckOptions struct {
	IO       *IO
	Files    []string
	Policy   string
	FailOn   string
	Baseline []string
	Format   string
}

// ErrGate is returned when the policy gate fails: exit code 1.
var ErrGate = errors.New("policy check failed")

// NewCmdCheck builds "blast check". runF replaces checkRun in tests of
// flag parsing; nil runs it.
func NewCmdCheck(io *IO, runF func(*CheckOptions) error) *cobra.Command {
	opts := &CheckOptions{IO: io}
	c := &cobra.Command{
		Use:   "check -f INVENTORY [--policy POLICY.yaml]",
		Short: "The pre-deploy gate: check an inventory against a policy; exit 1 when it fails",
		Long: `Check an inventory against a policy of rules and report each finding: the
rule, the feature or service, the failure that breaks it and the why-chain.

Rule types (see examples/policy.yaml, the default policy, and
"blast schema policy"):
  survive              selected features stay up (or not down) after the loss
                       of any single component of the given kinds
  maxImpact            no single component of a kind takes down more than N
                       users or P% of users
  independentFailover  a service's failover.via control plane shares no
                       failure domain of the given kinds with its active replicas
  spread               replicas of selected services span at least N
                       components of a kind
  noCycles             no cold-start deadlock: with every selected service
                       down at once, all can start again (as blast recover)

Exit 1 when a finding at or above --fail-on is left; 0 when the gate
passes; 2 on a bad inventory or policy: ids in a rule's select that name
nothing, or a rule of your own policy whose kinds no component has (the
built-in policy skips such rules, with a warning). A select that picks
nothing only warns. --baseline OLD reports only the
findings that OLD did not already have, so a team can adopt the gate on an
estate with known debt; a rule whose kinds OLD lacks (the change adds the
first racks) has no baseline findings: all of its findings count as new.`,
		Example: `  blast check -f examples/kakao-2022.yaml
  blast check -f inventory/ --policy policy.yaml --format sarif > blast.sarif
  blast check -f inventory/ --baseline base/inventory/ --format github`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkFormat(opts.Format, "text", "json", "sarif", "junit", "github"); err != nil {
				return err
			}
			switch opts.FailOn {
			case inventory.SeverityError, inventory.SeverityWarning, inventory.SeverityNote:
			default:
				return usagef("--fail-on %q: use error, warning or note", opts.FailOn)
			}
			if runF != nil {
				return runF(opts)
			}
			return checkRun(opts)
		},
	}
	addFileFlag(c, &opts.Files)
	c.Flags().StringVar(&opts.Policy, "policy", "", "policy file (default: the built-in policy, examples/policy.yaml)")
	c.Flags().StringVar(&opts.FailOn, "fail-on", "error", "lowest severity that fails the gate: error, warning or note")
	c.Flags().StringArrayVar(&opts.Baseline, "baseline", nil, "baseline inventory (file or directory; repeat to merge): report only new findings")
	c.Flags().StringVar(&opts.Format, "format", "text", "output format: text, json, sarif, junit or github")
	return c
}

// loadPolicy reads the policy file, or the built-in default.
func loadPolicy(io *IO, path string) (*inventory.Policy, error) {
	var f inventory.File
	if path == "" {
		f = examples.DefaultPolicy()
	} else {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, &ExitError{ExitInput, fmt.Errorf("--policy: %w", err)}
		}
		f = inventory.File{Name: path, Data: data}
	}
	p, diags, err := inventory.ParsePolicy(f)
	if derr := printDiagnostics(io, diags, "the policy"); derr != nil {
		return nil, derr
	}
	if err != nil {
		return nil, &ExitError{ExitInput, err}
	}
	return p, nil
}

func checkRun(opts *CheckOptions) error {
	policy, err := loadPolicy(opts.IO, opts.Policy)
	if err != nil {
		return err
	}
	m, err := loadModelProgress(opts.IO, opts.Files)
	if err != nil {
		return err
	}
	if err := printDiagnostics(opts.IO, m.PolicyDiagnostics(policy), "the policy"); err != nil {
		return err
	}
	// The built-in policy is written for estates of every shape: a rule
	// about a kind the inventory lacks is skipped. A policy of the user's
	// own that names a kind nobody has is a mistake (exit 2).
	res, err := m.CheckPolicyOptions(opts.IO.Context(), policy, graph.PolicyOptions{SkipMissingKinds: opts.Policy == ""})
	if err != nil {
		return &ExitError{ExitInput, err}
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(opts.IO.ErrOut, "warning: "+w)
	}
	findings := res.Findings
	baselined := 0
	if len(opts.Baseline) > 0 {
		bm, err := loadModel(opts.IO, opts.Baseline)
		if err != nil {
			return fmt.Errorf("--baseline: %w", err)
		}
		// A baseline may predate a kind the change introduces (the first
		// racks): its rules about that kind have no baseline findings.
		bres, err := bm.CheckPolicyOptions(opts.IO.Context(), policy, graph.PolicyOptions{SkipMissingKinds: true})
		if err != nil {
			return &ExitError{ExitInput, fmt.Errorf("--baseline: %w", err)}
		}
		for i, skipped := range bres.Skipped {
			if skipped {
				r := &policy.Rules[i]
				fmt.Fprintf(opts.IO.ErrOut, "warning: --baseline: %s: rule %q: the baseline has no component of kind %s; every finding of the rule counts as new\n",
					r.Pos, r.ID, strings.Join(r.Kinds, " or "))
			}
		}
		known := map[string]bool{}
		for _, f := range bres.Findings {
			known[f.Key(bm)] = true
		}
		var fresh []graph.Finding
		for _, f := range findings {
			if !known[f.Key(m)] {
				fresh = append(fresh, f)
			}
		}
		baselined = len(findings) - len(fresh)
		findings = fresh
	}
	name := policy.Metadata.Name
	if name == "" {
		name = policy.File
	}
	report := out.NewCheckReport(inventoryName(m.Inv), name, opts.FailOn, m, res, findings, baselined)
	if len(opts.Baseline) > 0 {
		report.Baseline = opts.Baseline[0]
	}
	report.Relativize(opts.IO.workDir())
	switch opts.Format {
	case "json":
		err = out.WriteJSON(opts.IO.Out, report)
	case "sarif":
		err = out.WriteSARIF(opts.IO.Out, report, Version)
	case "junit":
		err = out.WriteJUnit(opts.IO.Out, report)
	case "github":
		err = out.WriteGitHub(opts.IO.Out, report)
	default:
		err = out.WriteCheckText(opts.IO.Out, report, out.TextOptions{Color: opts.IO.Color()})
	}
	if err != nil {
		return err
	}
	if !report.Passed {
		n := 0
		for _, f := range report.Findings {
			if graph.Fails(f.Severity, opts.FailOn) {
				n++
			}
		}
		return &ExitError{ExitPolicy, fmt.Errorf("%w: %d %s at or above %s", ErrGate, n, num.Plural(n, "finding", "findings"), opts.FailOn)}
	}
	return nil
}
