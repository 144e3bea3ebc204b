package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/iamguard/iamguard/internal/generate"
	"github.com/iamguard/iamguard/internal/generate/fromcode"
	"github.com/iamguard/iamguard/internal/generate/render"
	"github.com/spf13/cobra"
)

type fromCodeParams struct {
	dir          string
	configFile   string
	includeTests bool
	noTypes      bool
	typesTimeout time.Duration
	role         string
	format       string
}

func newFromCodeCmd() *cobra.Command {
	var p fromCodeParams
	cmd := &cobra.Command{
		Use:   "from-code DIR",
		Short: "Derive the policy the AWS SDK calls in a source tree need (Go, TypeScript/JavaScript, Python)",
		Long: `from-code reads the AWS SDK calls of a source tree, statically: Go
(aws-sdk-go-v2 and v1), TypeScript and JavaScript (SDK v3 commands and
clients, v2 clients, DocumentClient, lib-storage) and Python (boto3 clients
and resources). Each operation maps to its IAM actions (S3 ListObjectsV2 is
s3:ListBucket, Lambda Invoke is lambda:InvokeFunction, …), literal arguments
become ARNs (bucket and key prefix, secret name with AWS's six-character
suffix, queue URL, table, function, topic), and the client's region goes
into them. Names that are not literal fall back to the organisation's
prefixes, else "*" with a warning. Every action cites its file:line.
Test files and dependencies (node_modules, vendor) are skipped.

Go inside a module (a go.mod in or above DIR) is also read with its types
when the go command lists and builds the module within --types-timeout
("go list -deps -export" in your environment, which may fetch missing
modules): a call on a client held in a struct field, passed as a
parameter, returned by another package or reached through an interface
the client implements is then tied to its service. Where the module does
not build, Go is read from the syntax alone and a warning says so;
--no-types skips the go command altogether (fast, offline).`,
		Example: `  iamguard from-code ./src
  iamguard from-code . --format terraform`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.dir = args[0]
			return runFromCode(cmd.Context(), p, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&p.configFile, "config", "", "iamguard.yaml to use (default: the nearest one above DIR)")
	cmd.Flags().BoolVar(&p.includeTests, "include-tests", false, "also read test files (*_test.go, *.test.ts, test_*.py)")
	cmd.Flags().BoolVar(&p.noTypes, "no-types", false, "read Go from the syntax only: do not run the go command for type information (fast, offline)")
	cmd.Flags().DurationVar(&p.typesTimeout, "types-timeout", 60*time.Second, "how long the go command may take to list and build a module for type information before Go is read from the syntax only")
	cmd.Flags().StringVar(&p.role, "role", "", "role to attach the policy to (--format cli)")
	cmd.Flags().StringVar(&p.format, "format", "text", "output: text, json, terraform, cloudformation, cli")
	return cmd
}

func runFromCode(ctx context.Context, p fromCodeParams, out io.Writer) error {
	if err := checkGenerateFormat(p.format); err != nil {
		return err
	}
	info, err := os.Stat(p.dir)
	if err != nil {
		return asInputError(err)
	}
	if !info.IsDir() {
		return inputErrorf("%s is not a directory", p.dir)
	}
	cfg, err := loadGenerateConfig(p.configFile, p.dir)
	if err != nil {
		return err
	}
	res, err := generate.FromCode(ctx, os.DirFS(p.dir), ".", generate.Options{Config: cfg}, fromcode.Options{IncludeTests: p.includeTests, SourceDir: p.dir, NoTypes: p.noTypes, TypesTimeout: p.typesTimeout})
	if err != nil {
		return asInputError(err)
	}
	switch p.format {
	case "json":
		if err := writeJSON(out, res.JSON()); err != nil {
			return err
		}
	case "text":
		if len(res.Evidence) > 0 {
			fmt.Fprintln(out, "Evidence:")
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			for _, e := range res.Evidence {
				fmt.Fprintf(tw, "  %s:%d\t%s\t%s\t%s\n", e.File, e.Line, e.Call, e.Action, e.Resource)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintln(out)
		}
		rp := renderPolicy(res.Generated, "", p.role, cfg)
		if res.Document == nil {
			rp.Description = "no AWS SDK calls found"
		}
		if err := render.Text(out, []render.Policy{rp}); err != nil {
			return err
		}
	default:
		if res.Document == nil {
			fmt.Fprintln(out, "# No AWS SDK calls found: no policy.")
			return nil
		}
		if err := render.Write(out, p.format, []render.Policy{renderPolicy(res.Generated, "Derived from the AWS SDK calls in "+p.dir, p.role, cfg)}); err != nil {
			return err
		}
	}
	return proofFailed(res.Generated)
}
