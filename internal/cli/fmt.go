package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/iamguard/iamguard/policy"
	"github.com/spf13/cobra"
)

type fmtParams struct {
	files []string
	write bool
	check bool
}

func newFmtCmd() *cobra.Command {
	var p fmtParams
	cmd := &cobra.Command{
		Use:   "fmt [-w] [--check] FILE...",
		Short: "Print IAM policies in canonical form (stable element order, 2-space JSON)",
		Long: `fmt prints each policy in canonical form: Version, Id, Statement; each
statement's elements in IAM's order; Statement always an array. It never
changes meaning, and formatting twice changes nothing. With -w it rewrites
the files; with --check it lists files that are not formatted and exits 1.
A policy with grammar problems fmt cannot represent faithfully (for example
duplicate keys) is refused rather than rewritten.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.files = args
			return runFmt(cmd.Context(), p, cmd.OutOrStdout())
		},
	}
	cmd.Flags().BoolVarP(&p.write, "write", "w", false, "rewrite the files in place")
	cmd.Flags().BoolVar(&p.check, "check", false, "list files that are not in canonical form and exit 1")
	return cmd
}

func runFmt(_ context.Context, p fmtParams, out io.Writer) error {
	if p.write && p.check {
		return inputErrorf("-w and --check cannot be combined")
	}
	var bad []error
	unformatted := false
	for _, file := range p.files {
		data, err := os.ReadFile(file)
		if err != nil {
			bad = append(bad, err)
			continue
		}
		pol, err := policy.Parse(file, data)
		if err != nil {
			bad = append(bad, err)
			continue
		}
		formatted, err := policy.Format(pol)
		if err != nil {
			bad = append(bad, fmt.Errorf("%s: %w", file, err))
			continue
		}
		switch {
		case p.check:
			if !bytes.Equal(data, formatted) {
				unformatted = true
				fmt.Fprintln(out, file)
			}
		case p.write:
			if bytes.Equal(data, formatted) {
				continue
			}
			info, err := os.Stat(file)
			if err != nil {
				bad = append(bad, err)
				continue
			}
			if err := writeFileAtomic(file, formatted, info.Mode().Perm()); err != nil {
				bad = append(bad, err)
			}
		default:
			if _, err := out.Write(formatted); err != nil {
				return err
			}
		}
	}
	if len(bad) > 0 {
		return &inputError{err: &partialInputError{errs: bad}}
	}
	if unformatted {
		return errExitFindings
	}
	return nil
}

// writeFileAtomic replaces a file through a temporary file and a rename, so
// an interrupted write never leaves a half-written policy behind.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(dirOf(path), ".iamguard-fmt-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func dirOf(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if os.IsPathSeparator(path[i]) {
			return path[:i+1]
		}
	}
	return "."
}
