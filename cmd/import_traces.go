package cmd

import (
	"github.com/blast-dev/blast/inventory"
	"github.com/spf13/cobra"
)

// ImportTracesOptions are the inputs of blast import traces.
type ImportTracesOptions struct {
	ImportOptions
	SoftBelow int64
}

// NewCmdImportTraces builds "blast import traces". runF replaces
// importTracesRun in tests of flag parsing; nil runs it.
func NewCmdImportTraces(io *IO, runF func(*ImportTracesOptions) error) *cobra.Command {
	opts := &ImportTracesOptions{ImportOptions: ImportOptions{IO: io}}
	c := &cobra.Command{
		Use:   "traces GRAPH... [--soft-below N] [-o inventory.yaml]",
		Short: "Import observed service dependencies from Jaeger or an OpenTelemetry service graph",
		Long: `Import the dependencies tracing observed: Jaeger's GET /api/dependencies
JSON (a list of {parent, child, callCount}, bare or in {"data": [...]}; its
"errors" are shown as errors), or the OpenTelemetry Collector servicegraph
connector's traces_service_graph_request_total, as a Prometheus
instant-vector query result (labels client and server; the value is the
call count) or as an OTLP JSON metrics export (resourceMetrics; the
client and server attributes of each sum data point).

Each edge becomes a dependency of the caller on the callee, soft when fewer
than --soft-below calls were seen; call counts are listed in the report.
An edge given in two formats is the same traffic seen twice: it takes the
larger count, not the sum. A graph without a single call is an error.`,
		Example: `  curl -s 'http://jaeger:16686/api/dependencies?endTs=...&lookback=604800000' > deps.json
  blast import traces deps.json --soft-below 1000 --merge estate.yaml -o estate-observed.yaml`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Inputs = args
			if len(args) == 0 {
				return usagef("name the service graph files")
			}
			if opts.SoftBelow < 0 {
				return usagef("--soft-below %d: must be 0 or more", opts.SoftBelow)
			}
			if err := checkImportOptions(&opts.ImportOptions); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return importTracesRun(opts)
		},
	}
	addImportFlags(c, &opts.ImportOptions)
	c.Flags().Int64Var(&opts.SoftBelow, "soft-below", 0, "mark edges with fewer calls than this soft (they can only degrade)")
	return c
}

func importTracesRun(opts *ImportTracesOptions) error {
	files, err := readImportInputs(opts.IO, opts.Inputs)
	if err != nil {
		return err
	}
	imp, err := inventory.ImportTraces(files, opts.SoftBelow)
	if err != nil {
		return diagError(opts.IO, err, "in the service graph")
	}
	return finishImport(&opts.ImportOptions, imp, opts.Inputs)
}
