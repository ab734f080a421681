package cmd

import (
	"strings"

	"github.com/blast-dev/blast/inventory"
	"github.com/spf13/cobra"
)

// ImportKubernetesOptions are the inputs of blast import kubernetes.
type ImportKubernetesOptions struct {
	ImportOptions
	Nodes []string
	Zones []string
}

// NewCmdImportKubernetes builds "blast import kubernetes". runF replaces
// importKubernetesRun in tests of flag parsing; nil runs it.
func NewCmdImportKubernetes(io *IO, runF func(*ImportKubernetesOptions) error) *cobra.Command {
	opts := &ImportKubernetesOptions{ImportOptions: ImportOptions{IO: io}}
	c := &cobra.Command{
		Use:     "kubernetes MANIFESTS... [--nodes nodes.yaml] [-o inventory.yaml]",
		Aliases: []string{"k8s"},
		Short:   "Import workloads, replicas, placement and quorums from Kubernetes manifests",
		Long: `Import services from Kubernetes manifests: files or directories of YAML, one
or more documents each, or kubectl get -o yaml output (kind List).

Deployments and StatefulSets become services with their replica counts,
DaemonSets one replica a node. With the node list (kubectl get nodes -o yaml,
by --nodes or among the manifests) nodes become hosts under their zone and
region (topology.kubernetes.io/zone and /region labels; the hostname from
kubernetes.io/hostname), and replicas are assumed spread evenly over the
zones of the nodes the pod may run on (its nodeSelector, required node
affinity, and tolerations of the nodes' NoSchedule/NoExecute taints), then
over the nodes of each zone: what the scheduler's topology spreading aims
for, not where pods run now.

Without nodes, replicas are spread evenly over the zones (or regions, or
hosts) a topologySpreadConstraint spreads them over, named by the pod's
nodeSelector or required node affinity (In values), or for zones by
--zones; the zones become site components. A workload whose zones are
unknown is reported and not placed. PodDisruptionBudget minAvailable /
maxUnavailable become the quorum, rounded as Kubernetes rounds them.
Dependencies are inferred from environment variables and ConfigMap values
naming another Service (cartservice:7070, http://payments.shop.svc.cluster.local)
and reported as inferred.`,
		Example: `  kubectl get deploy,sts,ds,svc,pdb,cm -A -o yaml > workloads.yaml
  kubectl get nodes -o yaml > nodes.yaml
  blast import kubernetes workloads.yaml --nodes nodes.yaml --merge physical.yaml --mapping mapping.yaml -o estate.yaml`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Inputs = args
			if len(args) == 0 {
				return usagef("name the manifest files or directories")
			}
			if err := checkImportOptions(&opts.ImportOptions); err != nil {
				return err
			}
			for _, z := range opts.Zones {
				if strings.TrimSpace(z) == "" {
					return usagef("--zones: a zone name is empty")
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return importKubernetesRun(opts)
		},
	}
	addImportFlags(c, &opts.ImportOptions)
	c.Flags().StringArrayVar(&opts.Nodes, "nodes", nil, "node list (kubectl get nodes -o yaml); repeat for more")
	c.Flags().StringSliceVar(&opts.Zones, "zones", nil, "the cluster's zones, for workloads spread over zones when no node list is given (a,b,c)")
	return c
}

func importKubernetesRun(opts *ImportKubernetesOptions) error {
	inputs := append(append([]string(nil), opts.Inputs...), opts.Nodes...)
	files, err := readImportInputs(opts.IO, inputs)
	if err != nil {
		return err
	}
	imp, err := inventory.ImportKubernetesWith(files, inventory.KubernetesOptions{Zones: opts.Zones})
	if err != nil {
		return diagError(opts.IO, err, "in the manifests")
	}
	return finishImport(&opts.ImportOptions, imp, inputs)
}
