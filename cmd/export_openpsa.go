package cmd

import (
	"github.com/blast-dev/blast/graph"
	"github.com/blast-dev/blast/out"
	"github.com/spf13/cobra"
)

// ExportOpenPSAOptions are the inputs of blast export openpsa.
type ExportOpenPSAOptions struct {
	IO              *IO
	Files           []string
	Feature         string
	IncludeServices bool
}

// NewCmdExportOpenPSA builds "blast export openpsa". runF replaces
// exportOpenPSARun in tests of flag parsing; nil runs it.
func NewCmdExportOpenPSA(io *IO, runF func(*ExportOpenPSAOptions) error) *cobra.Command {
	opts := &ExportOpenPSAOptions{IO: io}
	c := &cobra.Command{
		Use:   "openpsa -f INVENTORY [--feature ID]",
		Short: "Write the features' fault trees as Open-PSA MEF 2.0 XML",
		Long: `Write one Open-PSA Model Exchange Format 2.0 document: a top gate per
feature (or the one named by --feature), the gates of its down function,
and the basic events (components, and services with --include-services)
with their unavailability as float probabilities, so that established PRA
tools can run on the same model. Ids that are not valid MEF names are
rewritten; the original id is kept in a blast-id attribute, which
"blast import openpsa" reads back.`,
		Example: `  blast export openpsa -f inventory.yaml > model.xml`,
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return exportOpenPSARun(opts)
		},
	}
	addFileFlag(c, &opts.Files)
	c.Flags().StringVar(&opts.Feature, "feature", "", "feature (or service) id; every feature when left out")
	c.Flags().BoolVar(&opts.IncludeServices, "include-services", false, "count services failing in software as basic events too")
	return c
}

func exportOpenPSARun(opts *ExportOpenPSAOptions) error {
	m, err := loadRiskModel(opts.IO, opts.Files)
	if err != nil {
		return err
	}
	vs, err := riskTarget(m, opts.Feature, true)
	if err != nil {
		return err
	}
	ft := m.Forest(vs, graph.FaultTreeOptions{Services: opts.IncludeServices})
	p := make([]float64, len(ft.Events))
	has := make([]bool, len(ft.Events))
	for i, e := range ft.Events {
		if e.Kind == graph.Component {
			p[i], has[i] = m.Inv.ComponentReliability(m.Component(e.Node))
		} else {
			p[i], has[i] = m.Inv.ServiceReliability(m.Service(e.Node))
		}
	}
	return out.WriteOpenPSA(opts.IO.Out, m, inventoryName(m.Inv), ft, p, has)
}
