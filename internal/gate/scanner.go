package gate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/iamguard/iamguard/finding"
)

// Scanner checks a change before it may be applied. The gate calls it with
// the change after tag injection; findings should carry the change file's
// positions (Change.PosOf) and a path into the change document
// ("properties.PolicyDocument.Statement[0].Action"). The real scanner (the
// linter for IAM policies, the resource rules for the rest, the secret
// detectors) is injected by the caller (internal/service); the gate's tests
// use a small stand-in, BasicScanner in basicscanner_test.go.
type Scanner interface {
	ScanChange(ctx context.Context, c *Change) ([]finding.Finding, error)
}

// ScannerFunc adapts a function to Scanner.
type ScannerFunc func(ctx context.Context, c *Change) ([]finding.Finding, error)

// ScanChange calls f.
func (f ScannerFunc) ScanChange(ctx context.Context, c *Change) ([]finding.Finding, error) {
	return f(ctx, c)
}

// Fingerprint identifies a finding for an approval's accept list, stably
// across re-plans of the same content: the scanner's own fingerprint when it
// set one (secret findings), else the first 16 hex digits of the SHA-256 of
// its code, path and message.
func Fingerprint(f finding.Finding) string {
	if f.Fingerprint != "" {
		return f.Fingerprint
	}
	sum := sha256.Sum256([]byte(f.Code + "\x00" + f.Path + "\x00" + f.Message))
	return hex.EncodeToString(sum[:8])
}
