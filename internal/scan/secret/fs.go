package secret

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"

	"github.com/iamguard/iamguard/finding"
)

// ScanFS scans every regular file under root in fsys, one worker per
// Options.Workers, and returns the findings sorted by file, line, column and
// code. Directories named .git are skipped (use ScanHistory for history);
// binary files are skipped silently; files over MaxFileSize and unreadable
// files get a SECRET_SCAN_SKIPPED note. The error is non-nil only when root
// cannot be walked at all or ctx ends.
func (s *Scanner) ScanFS(ctx context.Context, fsys fs.FS, root string) ([]finding.Finding, error) {
	type job struct {
		path string
		size int64
	}
	jobs := make(chan job, 4*s.opts.Workers)
	results := make([][]finding.Finding, s.opts.Workers)
	var wg sync.WaitGroup
	for w := range s.opts.Workers {
		wg.Go(func() {
			var buf []byte
			for j := range jobs {
				if ctx.Err() != nil {
					continue
				}
				var fs []finding.Finding
				buf, fs = s.scanFile(fsys, j.path, j.size, buf)
				results[w] = append(results[w], fs...)
			}
		})
	}

	var notes []finding.Finding
	walkErr := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return err
			}
			notes = append(notes, skipNote(p, "cannot be read: "+err.Error()))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" && p != root {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			notes = append(notes, skipNote(p, "cannot be read: "+err.Error()))
			return nil
		}
		if info.Size() > s.opts.MaxFileSize {
			notes = append(notes, skipNote(p, fmt.Sprintf("is %d bytes, over the %d-byte limit (MaxFileSize)", info.Size(), s.opts.MaxFileSize)))
			return nil
		}
		if info.Size() == 0 {
			return nil
		}
		jobs <- job{p, info.Size()}
		return nil
	})
	close(jobs)
	wg.Wait()
	if walkErr != nil {
		return nil, walkErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := notes
	for _, r := range results {
		out = append(out, r...)
	}
	finding.Sort(out)
	return out, nil
}

// scanFile reads one file into buf (reused across files by one worker) and
// scans it.
func (s *Scanner) scanFile(fsys fs.FS, p string, size int64, buf []byte) ([]byte, []finding.Finding) {
	f, err := fsys.Open(p)
	if err != nil {
		return buf, []finding.Finding{skipNote(p, "cannot be read: "+err.Error())}
	}
	defer f.Close()
	// Read one byte past the expected size to notice files that grew.
	want := int(size) + 1
	if cap(buf) < want {
		buf = make([]byte, want)
	}
	buf = buf[:want]
	n, err := io.ReadFull(f, buf)
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
	case err != nil:
		return buf, []finding.Finding{skipNote(p, "cannot be read: "+err.Error())}
	}
	return buf, s.ScanBytes(p, buf[:n])
}

func skipNote(file, why string) finding.Finding {
	return finding.Finding{
		Code:     SkippedCode,
		Severity: finding.Suggestion,
		Message:  "not scanned for secrets: " + file + " " + why,
		File:     file,
		Fix:      "scan it separately, or raise MaxFileSize if it is text that may hold secrets",
	}
}
