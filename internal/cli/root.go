// Package cli is iamguard's command line: one file per subcommand. Cobra
// fills a params struct and calls a plain run function that takes a
// context, the params and the output writer, so each command is tested
// without cobra.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// commands lists every subcommand constructor; each lives in its own file.
var commands = []func() *cobra.Command{
	newVersionCmd,
	newActionsCmd,
	newFmtCmd,
	newCheckCmd,
	newLintCmd,
	newScanCmd,
	newSimulateCmd,
	newExplainCmd,
	newSuggestCmd,
	newExtendCmd,
	newFromCodeCmd,
	newFromLogsCmd,
	newChangeCmd,
	newAuditCmd,
	newMCPCmd,
	newServeCmd,
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "iamguard",
		Short: "Least-privilege IAM and safe AWS changes, offline",
		Long: `iamguard knows every AWS action, decides requests as AWS would, lints IAM
policies, generates least-privilege policies, scans infrastructure code and
source trees, and gates changes behind scans, approvals and an audit log.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return asInputError(fmt.Errorf("%v (see '%s --help')", err, c.CommandPath()))
	})
	for _, newCmd := range commands {
		root.AddCommand(newCmd())
	}
	return root
}

// Main runs the CLI and returns the process exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err != nil && !errors.Is(err, errExitFindings) {
		fmt.Fprintln(stderr, "iamguard: "+err.Error())
	}
	return exitCode(err)
}
