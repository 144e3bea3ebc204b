package catgen

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// NPMPack downloads NPMPackage@version with `npm pack` into a new directory
// under tmpDir, unpacks it, and returns the package's "data" directory.
func NPMPack(ctx context.Context, version, tmpDir string) (string, error) {
	if _, err := exec.LookPath("npm"); err != nil {
		return "", fmt.Errorf("npm is not on PATH: %w", err)
	}
	dir, err := os.MkdirTemp(tmpDir, "iam-data-")
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "npm", "pack", "--silent", NPMPackage+"@"+version)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("npm pack %s@%s: %w", NPMPackage, version, err)
	}
	tgz := strings.TrimSpace(string(out))
	if i := strings.LastIndexByte(tgz, '\n'); i >= 0 {
		tgz = tgz[i+1:]
	}
	tar := exec.CommandContext(ctx, "tar", "-xzf", tgz)
	tar.Dir = dir
	if b, err := tar.CombinedOutput(); err != nil {
		return "", fmt.Errorf("unpack %s: %v: %s", tgz, err, b)
	}
	return filepath.Join(dir, "package", "data"), nil
}
