package cmd

import (
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/blast-dev/blast/inventory"
	"github.com/spf13/cobra"
)

// NetBoxTokenEnv names the environment variable live mode reads the NetBox
// API token from. The token is never a flag and never printed.
const NetBoxTokenEnv = "NETBOX_TOKEN"

// ImportNetBoxOptions are the inputs of blast import netbox.
type ImportNetBoxOptions struct {
	ImportOptions
	URL    string
	Client *http.Client
	Getenv func(string) string
}

// NewCmdImportNetBox builds "blast import netbox". runF replaces
// importNetBoxRun in tests of flag parsing; nil runs it.
func NewCmdImportNetBox(io *IO, runF func(*ImportNetBoxOptions) error) *cobra.Command {
	opts := &ImportNetBoxOptions{ImportOptions: ImportOptions{IO: io}, Getenv: os.Getenv}
	c := &cobra.Command{
		Use:   "netbox [DIR|FILE]... [-o inventory.yaml]",
		Short: "Import sites, locations, racks, power feeds and devices from NetBox",
		Long: `Import the physical estate from NetBox: REST API list responses saved one
endpoint a file (regions.json, sites.json, locations.json, racks.json,
devices.json, power-panels.json, power-feeds.json, power-ports.json,
power-outlets.json; each {count, next, previous, results}), a dumpdata
fixture (manage.py dumpdata dcim --natural-foreign; its cables and cable
terminations give the power ports their far ends), or a live NetBox with --url and the
token in $NETBOX_TOKEN (sent as "Authorization: Bearer nbt_..." for a
NetBox 4.5 v2 token, as "Authorization: Token ..." otherwise; next links
are followed only on the scheme and host of --url).

Regions, sites, locations (top level: building; nested: room), racks and
devices (host; PDUs: power) become components in a parent chain. Power
panels are power components under their location; power feeds are power
components under their panel, and a rack's power is its feeds, any one
sufficing: a dual-fed rack survives the loss of one panel. Power ports
reaching feeds or PDU outlets over connected cables give a device its own
power, any one sufficing. Feeds and
devices with status failed or offline are imported as already failed.
Sites and locations planned, decommissioning or retired, racks planned or
deprecated, and everything inside them are not imported (reported).`,
		Example: `  blast import netbox netbox-export/ -o physical.yaml
  NETBOX_TOKEN=... blast import netbox --url https://netbox.example.com -o physical.yaml`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Inputs = args
			if opts.URL == "" && len(args) == 0 {
				return usagef("name the saved NetBox files or directories, or a live NetBox with --url")
			}
			if opts.URL != "" && len(args) > 0 {
				return usagef("give saved files or --url, not both")
			}
			if err := checkImportOptions(&opts.ImportOptions); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return importNetBoxRun(opts)
		},
	}
	addImportFlags(c, &opts.ImportOptions)
	c.Flags().StringVar(&opts.URL, "url", "", "read a live NetBox at this address (token from $"+NetBoxTokenEnv+")")
	return c
}

func importNetBoxRun(opts *ImportNetBoxOptions) error {
	var files []inventory.File
	var err error
	if opts.URL != "" {
		client := opts.Client
		if client == nil {
			client = &http.Client{Timeout: 60 * time.Second}
		}
		token := opts.Getenv(NetBoxTokenEnv)
		if token == "" {
			return &ExitError{ExitInput, fmt.Errorf("--url needs an API token in $%s (NetBox: Admin → API Tokens; a token that may read dcim)", NetBoxTokenEnv)}
		}
		files, err = inventory.FetchNetBox(opts.IO.Context(), client, opts.URL, token)
		if err != nil {
			return &ExitError{ExitInput, err}
		}
	} else if files, err = readImportInputs(opts.IO, opts.Inputs); err != nil {
		return err
	}
	imp, err := inventory.ImportNetBox(files)
	if err != nil {
		return diagError(opts.IO, err, "in the NetBox data")
	}
	return finishImport(&opts.ImportOptions, imp, opts.Inputs)
}
