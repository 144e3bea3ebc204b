package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/internal/generate"
	"github.com/iamguard/iamguard/internal/generate/render"
	"github.com/spf13/cobra"
)

type suggestParams struct {
	need       string
	configFile string
	resources  []string
	role       string
	format     string
}

func newSuggestCmd() *cobra.Command {
	var p suggestParams
	cmd := &cobra.Command{
		Use:   `suggest "NEED"`,
		Short: "Derive the smallest policy for a need in words (\"file upload to S3\"), named by convention and proved",
		Long: `suggest turns what a workload needs, in words, into the least-privilege
policy that does it: a reviewed capability catalog first (file upload and
download, secrets, email, queues, topics, tables, functions, logs, keys,
parameters, images, …), else a ranked search over every action's
description. Resources are scoped to the organisation's prefixes from
iamguard.yaml (or --resource); the name follows its naming convention; the
policy is linted and proved with the evaluation engine (it allows what is
needed and denies its neighbours).`,
		Example: `  iamguard suggest "I need to add file upload to S3"
  iamguard suggest "read secrets" --format terraform
  iamguard suggest "send email" --resource arn:aws:ses:us-east-1:123456789012:identity/synthcoreai.com --format cli`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.need = strings.Join(args, " ")
			return runSuggest(cmd.Context(), p, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&p.configFile, "config", "", "iamguard.yaml to use (default: the nearest one above the working directory)")
	cmd.Flags().StringArrayVar(&p.resources, "resource", nil, "resource ARN (or pattern) to scope to; repeatable")
	cmd.Flags().StringVar(&p.role, "role", "", "role to attach the policy to (--format cli)")
	cmd.Flags().StringVar(&p.format, "format", "text", "output: text, json, terraform, cloudformation, cli")
	return cmd
}

// generateFormats are the output formats of the generators.
var generateFormats = []string{"text", "json", "terraform", "cloudformation", "cli"}

func checkGenerateFormat(f string) error {
	for _, ok := range generateFormats {
		if f == ok {
			return nil
		}
	}
	return inputErrorf("--format %q: want %s", f, strings.Join(generateFormats, ", "))
}

// loadGenerateConfig finds the configuration for a generator run.
func loadGenerateConfig(explicit, near string) (*config.Config, error) {
	cfg, err := config.Find(explicit, near)
	if err != nil {
		return nil, asInputError(err)
	}
	return cfg, nil
}

func writeJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func renderPolicy(g *generate.Generated, description, role string, cfg *config.Config) render.Policy {
	return render.Policy{Name: g.Name, Description: description, Document: g.Document,
		Explanation: g.Explanation, Warnings: g.Warnings, Role: role, Account: cfg.Scope.Account}
}

// proofFailed ends a run whose generated policy the engine could not
// prove: the output is printed, and the exit code says something is wrong.
func proofFailed(gs ...*generate.Generated) error {
	for _, g := range gs {
		if g != nil && g.Document != nil && g.Proof != nil && !g.Proof.OK {
			return fmt.Errorf("%w: the engine could not prove %s (see the explanation)", errExitFindings, g.Name)
		}
	}
	return nil
}

func runSuggest(_ context.Context, p suggestParams, out io.Writer) error {
	if err := checkGenerateFormat(p.format); err != nil {
		return err
	}
	cfg, err := loadGenerateConfig(p.configFile, ".")
	if err != nil {
		return err
	}
	g, err := generate.Suggest(p.need, generate.Options{Config: cfg, Resources: p.resources})
	if err != nil {
		return asInputError(err) // an empty need, or one nothing matches (generate.ErrNoMatch)
	}
	if p.format == "json" {
		if err := writeJSON(out, g.JSON()); err != nil {
			return err
		}
	} else if err := render.Write(out, p.format, []render.Policy{renderPolicy(g, p.need, p.role, cfg)}); err != nil {
		return err
	}
	return proofFailed(g)
}
