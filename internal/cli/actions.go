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

type actionJSON struct {
	Action           string               `json:"action"`
	AccessLevel      string               `json:"accessLevel"`
	AccessLevels     []string             `json:"accessLevels"`
	ResourceTypes    []actionResourceJSON `json:"resourceTypes"`
	ConditionKeys    []string             `json:"conditionKeys"`
	DependentActions []string             `json:"dependentActions"`
	Description      string               `json:"description"`
}

type actionResourceJSON struct {
	Name     string   `json:"name"`
	Required bool     `json:"required"`
	ARNs     []string `json:"arns,omitempty"`
}

// accessLevelByName accepts the reference's names case-insensitively, and
// "permissions-management" / "permissions" for the two-word level.
func accessLevelByName(s string) (catalog.AccessLevel, bool) {
	norm := strings.NewReplacer("-", " ", "_", " ").Replace(strings.ToLower(strings.TrimSpace(s)))
	for _, l := range []catalog.AccessLevel{catalog.List, catalog.Read, catalog.Write, catalog.PermissionsManagement, catalog.Tagging} {
		if strings.ToLower(string(l)) == norm || (l == catalog.PermissionsManagement && norm == "permissions") {
			return l, true
		}
	}
	return "", false
}

func runActions(_ context.Context, p actionsParams, out io.Writer) error {
	if p.format != "text" && p.format != "json" {
		return inputErrorf("--format %q: want text or json", p.format)
	}
	var level catalog.AccessLevel
	if p.accessLevel != "" {
		l, ok := accessLevelByName(p.accessLevel)
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
		rows := make([]actionJSON, 0, len(actions))
		for _, a := range actions {
			rows = append(rows, toActionJSON(a))
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(rows)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	for _, a := range actions {
		j := toActionJSON(a)
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

func toActionJSON(a *catalog.Action) actionJSON {
	j := actionJSON{
		Action:           a.FullName(),
		ConditionKeys:    nonNil(a.ConditionKeys),
		DependentActions: nonNil(a.DependentActions),
		Description:      a.Description,
		ResourceTypes:    []actionResourceJSON{},
	}
	for _, l := range a.AccessLevels {
		j.AccessLevels = append(j.AccessLevels, string(l))
	}
	j.AccessLevel = strings.Join(j.AccessLevels, ", ")
	for _, r := range a.Resources {
		row := actionResourceJSON{Name: r.Name, Required: r.Required}
		if r.Type != nil {
			row.ARNs = r.Type.ARNTemplates
		}
		j.ResourceTypes = append(j.ResourceTypes, row)
	}
	return j
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
