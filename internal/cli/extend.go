package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/iamguard/iamguard/internal/generate"
	"github.com/iamguard/iamguard/internal/generate/render"
	"github.com/iamguard/iamguard/lint"
	"github.com/iamguard/iamguard/policy"
	"github.com/spf13/cobra"
)

type extendParams struct {
	current    []string
	need       string
	actions    []string
	resources  []string
	configFile string
	role       string
	format     string
}

func newExtendCmd() *cobra.Command {
	var p extendParams
	cmd := &cobra.Command{
		Use:   `extend --current PATH... (--need "NEED" | --action A --resource R ...)`,
		Short: "Find what the attached policies already allow and propose a policy for the gap only",
		Long: `extend is the policy extension workflow: analyse the policies already
attached (--current, files or directories of policy JSON/YAML, including
{"PolicyName", "PolicyDocument"} files), decide each needed request with the
evaluation engine, report which are already allowed (and by which statement,
file:line) and which are missing, and propose a policy that covers the
missing ones only, named by convention, linted and proved. "document" is
null when nothing is missing. --action and --resource repeat and pair in
order. Test the proposal in development, then promote the same policy to
production.`,
		Example: `  iamguard extend --current policies/ --need "I need to add file upload to S3"
  iamguard extend --current role.json --action s3:PutObject --resource 'arn:aws:s3:::synthcoreai-uploads/*' --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExtend(cmd.Context(), p, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringArrayVar(&p.current, "current", nil, "a policy file or directory of policies already attached; repeatable")
	cmd.Flags().StringVar(&p.need, "need", "", "what the workload needs, in words")
	cmd.Flags().StringArrayVar(&p.actions, "action", nil, "a needed action; repeatable, pairs with --resource")
	cmd.Flags().StringArrayVar(&p.resources, "resource", nil, "the resource of the --action at the same position; repeatable")
	cmd.Flags().StringVar(&p.configFile, "config", "", "iamguard.yaml to use (default: the nearest one above the working directory)")
	cmd.Flags().StringVar(&p.role, "role", "", "role to attach the policy to (--format cli)")
	cmd.Flags().StringVar(&p.format, "format", "text", "output: text, json, terraform, cloudformation, cli")
	return cmd
}

// readCurrent reads the attached policies: files, and the JSON and YAML
// files of directories that look like policies (a directory also holds
// iamguard.yaml, templates and scenarios, which are not attached policies).
func readCurrent(paths []string) ([]*policy.Policy, error) {
	var files []string
	listed := map[string]bool{}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, p)
			listed[p] = true
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			switch strings.ToLower(filepath.Ext(e.Name())) {
			case ".json", ".yaml", ".yml":
				if !e.IsDir() {
					files = append(files, filepath.Join(p, e.Name()))
				}
			}
		}
	}
	slices.Sort(files)
	var out []*policy.Policy
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if !listed[f] && !lint.LooksLikePolicy(f, data) {
			continue
		}
		pol, err := lint.ParseFile(f, data)
		if err != nil {
			return nil, err
		}
		out = append(out, pol)
	}
	return out, nil
}

func runExtend(_ context.Context, p extendParams, out io.Writer) error {
	if err := checkGenerateFormat(p.format); err != nil {
		return err
	}
	switch {
	case p.need == "" && len(p.actions) == 0:
		return inputErrorf(`say what is needed: --need "NEED", or --action (with --resource)`)
	case p.need != "" && len(p.actions) > 0:
		return inputErrorf("--need and --action cannot be combined")
	case p.need != "" && len(p.resources) > 0:
		return inputErrorf("--resource pairs with --action; to scope a --need, set scope.prefixes in iamguard.yaml")
	}
	near := "."
	if len(p.current) > 0 {
		near = p.current[0]
	}
	cfg, err := loadGenerateConfig(p.configFile, near)
	if err != nil {
		return err
	}
	current, err := readCurrent(p.current)
	if err != nil {
		return asInputError(err)
	}
	opts := generate.Options{Config: cfg}
	var plan *generate.Plan
	if p.need != "" {
		plan, err = generate.PlanNeed(p.need, opts)
	} else {
		plan, err = generate.PlanPairs(p.actions, p.resources, opts)
	}
	if err != nil {
		return asInputError(err)
	}
	res, err := generate.Extend(current, plan, opts)
	if err != nil {
		return asInputError(err)
	}
	switch p.format {
	case "json":
		if err := writeJSON(out, res.JSON()); err != nil {
			return err
		}
	case "text":
		writeGap(out, res)
		fmt.Fprintln(out)
		rp := renderPolicy(res.Generated, "", p.role, cfg)
		if res.Document == nil {
			rp.Description = "the current policies already allow every needed request"
		}
		if err := render.Text(out, []render.Policy{rp}); err != nil {
			return err
		}
	default:
		if res.Document == nil {
			fmt.Fprintln(out, "# Nothing is missing: the current policies already allow every needed request.")
			return nil
		}
		if err := render.Write(out, p.format, []render.Policy{renderPolicy(res.Generated, plan.Need, p.role, cfg)}); err != nil {
			return err
		}
	}
	return proofFailed(res.Generated)
}

func writeGap(out io.Writer, res *generate.ExtendResult) {
	fmt.Fprintf(out, "Already allowed (%d):\n", len(res.AlreadyAllowed))
	for _, s := range res.AlreadyAllowed {
		by := s.Statement
		if by == "" {
			by = "a current policy"
		}
		fmt.Fprintf(out, "  %s on %s, by %s\n", s.Action, s.Resource, by)
	}
	fmt.Fprintf(out, "Missing (%d):\n", len(res.Missing))
	for _, s := range res.Missing {
		fmt.Fprintf(out, "  %s on %s: %s\n", s.Action, s.Resource, s.Reason)
	}
}
