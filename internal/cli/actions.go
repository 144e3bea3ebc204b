package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/iamguard/iamguard/catalog"
	"github.com/iamguard/iamguard/internal/service"
	"github.com/spf13/cobra"
)

type actionsParams struct {
	patterns    []string
	accessLevel string
	format      string
}

func newActionsCmd() *cobra.Command {
	var p actionsParams
	cmd := &cobra.Command{
		Use:   "actions PATTERN...",
		Short: "List the AWS actions an IAM action pattern matches (s3:Get*, *:Describe*)",
		Example: `  iamguard actions s3:GetObject
  iamguard actions 'secretsmanager:*' --access-level Read --format json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.patterns = args
			return runActions(cmd.Context(), p, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&p.accessLevel, "access-level", "", "only actions of this access level: List, Read, Write, 'Permissions management', Tagging")
	cmd.Flags().StringVar(&p.format, "format", "text", "output format: text or json")
	return cmd
}

func runActions(_ context.Context, p actionsParams, out io.Writer) error {
	if p.format != "text" && p.format != "json" {
		return inputErrorf("--format %q: want text or json", p.format)
	}
	var level catalog.AccessLevel
	if p.accessLevel != "" {
		l, ok := service.AccessLevelByName(p.accessLevel)
		if !ok {
			return inputErrorf("--access-level %q: want List, Read, Write, 'Permissions management' or Tagging", p.accessLevel)
		}
		level = l
	}
	cat := catalog.Default()
	seen := map[catalog.ActionID]bool{}
	var actions []*catalog.Action
	for _, pattern := range p.patterns {
		if !strings.ContainsAny(pattern, "*?") {
			// A plain name: the lookup's error suggests the closest real action.
			if _, err := cat.Action(pattern); err != nil {
				return asInputError(err)
			}
		}
		matched, err := cat.Expand(pattern)
		if err != nil {
			return asInputError(err)
		}
		if len(matched) == 0 {
			return inputErrorf("%q matches no action", pattern)
		}
		for _, a := range matched {
			if seen[a.ID] || (level != "" && !slices.Contains(a.AccessLevels, level)) {
				continue
			}
			seen[a.ID] = true
			actions = append(actions, a)
		}
	}
	slices.SortFunc(actions, func(a, b *catalog.Action) int { return strings.Compare(a.FullName(), b.FullName()) })

	if p.format == "json" {
		rows := make([]service.ActionInfo, 0, len(actions))
		for _, a := range actions {
			rows = append(rows, service.ActionInfoFor(a))
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(rows)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	for _, a := range actions {
		j := service.ActionInfoFor(a)
		names := make([]string, 0, len(j.ResourceTypes))
		for _, r := range j.ResourceTypes {
			n := r.Name
			if r.Required {
				n += "*"
			}
			names = append(names, n)
		}
		if len(names) == 0 {
			names = []string{"(all resources: *)"}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", j.Action, j.AccessLevel, strings.Join(names, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(actions) == 0 {
		fmt.Fprintln(out, "no actions match")
	}
	return nil
}
