package cli

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/iamguard/iamguard/catalog"
	"github.com/spf13/cobra"
)

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print iamguard's version and the embedded catalog's source, version and date",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVersion(cmd.Context(), cmd.OutOrStdout())
		},
	}
}

// Version is iamguard's version: the module version when built from a
// tagged module, else the VCS revision, else "devel".
func Version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "devel-" + s.Value[:12]
		}
	}
	return "devel"
}

func runVersion(_ context.Context, out io.Writer) error {
	info := catalog.Default().Info()
	_, err := fmt.Fprintf(out, "iamguard %s (%s %s/%s)\ncatalog: %s %s (%s), %d services, %d actions\n",
		Version(), runtime.Version(), runtime.GOOS, runtime.GOARCH,
		info.Source, info.Version, info.Date, len(catalog.Default().Services()), catalog.Default().NumActions())
	return err
}
