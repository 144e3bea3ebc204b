package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/iamguard/iamguard/internal/generate"
	"github.com/iamguard/iamguard/internal/generate/fromlogs"
	"github.com/iamguard/iamguard/internal/generate/render"
	"github.com/spf13/cobra"
)

type fromLogsParams struct {
	files         []string
	configFile    string
	includeDenied bool
	format        string
}

func newFromLogsCmd() *cobra.Command {
	var p fromLogsParams
	cmd := &cobra.Command{
		Use:   "from-logs FILE...",
		Short: "Derive a policy per principal from what it actually did (CloudTrail)",
		Long: `from-logs reads CloudTrail events, trail log files ({"Records": [...]},
gzipped or not) and the output of 'aws cloudtrail lookup-events', and
writes one least-privilege policy per principal (IAM users; assumed-role
sessions grouped by their role) granting the actions it used on the
resources the events name. Calls AWS refused (AccessDenied) are listed and
left out unless --include-denied.`,
		Example: `  iamguard from-logs 123456789012_CloudTrail_us-east-1_20251102T1000Z_abc.json.gz
  aws cloudtrail lookup-events --max-results 1000 > events.json && iamguard from-logs events.json --format json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.files = args
			return runFromLogs(cmd.Context(), p, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&p.configFile, "config", "", "iamguard.yaml to use (default: the nearest one above the working directory)")
	cmd.Flags().BoolVar(&p.includeDenied, "include-denied", false, "also grant calls AWS refused (AccessDenied)")
	cmd.Flags().StringVar(&p.format, "format", "text", "output: text, json, terraform, cloudformation, cli")
	return cmd
}

func runFromLogs(_ context.Context, p fromLogsParams, out io.Writer) error {
	if err := checkGenerateFormat(p.format); err != nil {
		return err
	}
	cfg, err := loadGenerateConfig(p.configFile, ".")
	if err != nil {
		return err
	}
	var events []fromlogs.Event
	for _, f := range p.files {
		data, err := os.ReadFile(f)
		if err != nil {
			return asInputError(err)
		}
		evs, err := fromlogs.Parse(f, data)
		if err != nil {
			return asInputError(err)
		}
		events = append(events, evs...)
	}
	res, err := generate.FromLogs(events, generate.Options{Config: cfg}, generate.LogsOptions{IncludeDenied: p.includeDenied})
	if err != nil {
		return asInputError(err)
	}
	if p.format == "json" {
		if err := writeJSON(out, res.JSON()); err != nil {
			return err
		}
	} else {
		var rps []render.Policy
		var gs []*generate.Generated
		for _, pp := range res.Policies {
			if pp.Document == nil {
				continue
			}
			rp := renderPolicy(pp.Generated, "Used by "+pp.Principal+" (CloudTrail)", pp.Role, cfg)
			rps = append(rps, rp)
			gs = append(gs, pp.Generated)
		}
		if p.format == "text" {
			fmt.Fprintf(out, "%d event%s, %d principal%s (%d event%s by AWS services or without an identity skipped)\n\n",
				res.Events, pluralS(res.Events), len(res.Policies), pluralS(len(res.Policies)), res.Skipped, pluralS(res.Skipped))
			for _, w := range res.Warnings {
				fmt.Fprintf(out, "warning: %s\n", w)
			}
		}
		if len(rps) == 0 {
			fmt.Fprintln(out, "# No granted calls in the events: no policy.")
			return nil
		}
		if err := render.Write(out, p.format, rps); err != nil {
			return err
		}
		return proofFailed(gs...)
	}
	var gs []*generate.Generated
	for _, pp := range res.Policies {
		gs = append(gs, pp.Generated)
	}
	return proofFailed(gs...)
}

func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
