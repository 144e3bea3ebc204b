package cli

import (
	"errors"
	"fmt"

	"github.com/iamguard/iamguard/finding"
)

// Exit codes (DESIGN.md): 0 clean; 1 findings at or above --fail-on, or a
// simulation that contradicts --expect; 2 bad input or usage.
const (
	exitOK       = 0
	exitFindings = 1
	exitInput    = 2
)

// errExitFindings ends a run that printed its results and must exit 1.
var errExitFindings = errors.New("findings at or above the failure threshold")

// inputError is bad input or usage: the message names file:line:col where
// there is one, and the process exits 2.
type inputError struct{ err error }

func (e *inputError) Error() string { return e.err.Error() }
func (e *inputError) Unwrap() error { return e.err }

// inputErrorf builds an exit-2 error.
func inputErrorf(format string, args ...any) error {
	return &inputError{err: fmt.Errorf(format, args...)}
}

// asInputError marks err as bad input (exit 2), keeping its text.
func asInputError(err error) error {
	if err == nil {
		return nil
	}
	var ie *inputError
	if errors.As(err, &ie) {
		return err
	}
	return &inputError{err: err}
}

// parseFailOn reads a --fail-on value; "" (not given) stays "" so the
// configuration's failOn applies.
func parseFailOn(s string) (finding.Severity, error) {
	if s == "" {
		return "", nil
	}
	sev, ok := finding.ParseSeverity(s)
	if !ok {
		return "", inputErrorf("--fail-on %q is not one of error, security, warning, suggestion", s)
	}
	return sev, nil
}

// exitCode maps a run's error to the process exit code.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, errExitFindings) {
		return exitFindings
	}
	return exitInput
}

// partialInputError reports that some inputs were bad even though the
// others were checked and reported: exit 2 wins over findings.
type partialInputError struct{ errs []error }

func (e *partialInputError) Error() string {
	if len(e.errs) == 1 {
		return e.errs[0].Error()
	}
	msg := fmt.Sprintf("%d inputs could not be read:", len(e.errs))
	for _, err := range e.errs {
		msg += "\n  " + err.Error()
	}
	return msg
}
