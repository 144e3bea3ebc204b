package secret

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"

	"github.com/iamguard/iamguard/finding"
)

// ScanHistory scans the lines added in every commit of the git repository at
// repoDir (all refs), running `git log -p --all`. Findings name the file and
// its line in that commit, and the message names the commit: a secret that
// was committed and later deleted is still exposed. Secrets in context lines
// only are not reported again (they were reported where they were added).
func (s *Scanner) ScanHistory(ctx context.Context, repoDir string) ([]finding.Finding, error) {
	cmd := exec.CommandContext(ctx, "git", "-C", repoDir, "-c", "core.quotePath=false", "log", "-p", "--all",
		"--no-color", "--no-ext-diff", "--no-textconv", "--no-renames", "-U2", "--format=%x00commit %H")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("running git in %s: %w", repoDir, err)
	}
	out, parseErr := s.scanPatch(bufio.NewReaderSize(stdout, 64<<10))
	if parseErr != nil {
		_ = cmd.Process.Kill()
	}
	waitErr := cmd.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if parseErr != nil {
		return nil, parseErr
	}
	if waitErr != nil {
		return nil, fmt.Errorf("git log in %s: %w: %s", repoDir, waitErr, strings.TrimSpace(stderr.String()))
	}
	finding.Sort(out)
	return out, nil
}

// patchFile accumulates one file's hunks of one commit: the added and context
// lines, joined, so detectors see neighbouring lines (key ID next to its
// secret) and inline suppressions on the line above.
type patchFile struct {
	commit, path string
	buf          bytes.Buffer
	// lineNo[i] is the file line of buffer line i+1; added[i] whether it was
	// added by the commit.
	lineNo []int
	added  []bool
	any    bool
}

func (s *Scanner) scanPatch(r *bufio.Reader) ([]finding.Finding, error) {
	var (
		out     []finding.Finding
		cur     patchFile
		commit  string
		inHdr   bool
		newLine int
	)
	flush := func() {
		if cur.path != "" && cur.any && int64(cur.buf.Len()) <= s.opts.MaxFileSize {
			for _, f := range s.ScanBytes(cur.path, cur.buf.Bytes()) {
				i := f.Line - 1
				if i < 0 || i >= len(cur.lineNo) || !cur.added[i] {
					continue
				}
				f.Line = cur.lineNo[i]
				f.Message += " in commit " + cur.commit
				f.Commit = cur.commit
				out = append(out, f)
			}
		}
		cur.buf.Reset()
		cur.lineNo, cur.added, cur.path, cur.any = cur.lineNo[:0], cur.added[:0], "", false
	}
	for {
		line, err := readLine(r)
		if len(line) > 0 {
			switch {
			case line[0] == 0 && bytes.HasPrefix(line, []byte("\x00commit ")):
				flush()
				commit = string(line[len("\x00commit "):])
				inHdr = false
			case bytes.HasPrefix(line, []byte("diff --git ")):
				flush()
				inHdr = true
			case inHdr && bytes.HasPrefix(line, []byte("+++ ")):
				p := string(line[4:])
				if p == "/dev/null" {
					p = ""
				}
				if unq, err := strconv.Unquote(p); err == nil {
					p = unq
				}
				cur.path, cur.commit = strings.TrimPrefix(p, "b/"), commit
			case bytes.HasPrefix(line, []byte("@@ ")):
				inHdr = false
				newLine = hunkNewStart(line)
			case inHdr:
			case line[0] == '+' || line[0] == ' ':
				cur.buf.Write(line[1:])
				cur.buf.WriteByte('\n')
				cur.lineNo = append(cur.lineNo, newLine)
				cur.added = append(cur.added, line[0] == '+')
				cur.any = cur.any || line[0] == '+'
				newLine++
			}
		}
		if errors.Is(err, io.EOF) {
			flush()
			return out, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// readLine returns the next line without its newline, however long.
func readLine(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		long := append([]byte(nil), line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = r.ReadSlice('\n')
			long = append(long, line...)
		}
		line = long
	}
	if len(line) > 0 && line[len(line)-1] == '\n' {
		line = line[:len(line)-1]
	}
	if err == nil || len(line) > 0 {
		if errors.Is(err, io.EOF) {
			return line, nil
		}
		return line, err
	}
	return nil, err
}

// hunkNewStart parses the new-file start line of "@@ -a,b +c,d @@".
func hunkNewStart(line []byte) int {
	i := bytes.Index(line, []byte(" +"))
	if i < 0 {
		return 1
	}
	rest := line[i+2:]
	end := 0
	for end < len(rest) && isDigit(rest[end]) {
		end++
	}
	n, err := strconv.Atoi(string(rest[:end]))
	if err != nil {
		return 1
	}
	return n
}
