package apply

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// DryRun makes no AWS call: it writes the documents the calls need into
// Dir and returns the exact AWS CLI lines that would make the calls, so a
// person can read them, or run them by hand.
type DryRun struct {
	// Dir receives the file:// documents; created when missing. Empty: the
	// documents are only returned in the result, and the command lines name
	// them relative to the current directory.
	Dir string
}

// Apply implements Applier.
func (d DryRun) Apply(_ context.Context, req Request) (*Result, error) {
	steps, err := buildSteps(req, d.Dir)
	if err != nil {
		return nil, err
	}
	res := &Result{DryRun: true}
	for _, s := range steps {
		c := s.call()
		if d.Dir != "" {
			for _, f := range c.Files {
				if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
					return nil, err
				}
				if err := os.WriteFile(f.Path, f.Content, 0o600); err != nil {
					return nil, fmt.Errorf("dry run: %w", err)
				}
			}
		}
		res.Calls = append(res.Calls, c)
	}
	return res, nil
}
