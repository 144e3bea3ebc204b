package eval

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"

	"github.com/iamguard/iamguard/node"
	"github.com/iamguard/iamguard/policy"
)

// BatchOptions configure RunBatch.
type BatchOptions struct {
	// File names the input in error positions.
	File string
	// Explain adds the summary, hints and fixes to every result (slower).
	Explain bool
}

// BatchStats counts what a batch saw.
type BatchStats struct {
	Scenarios int // results written (lines that were not blank)
	Bad       int // lines that could not be read as scenarios
	// Contradicted counts scenarios whose expect the decision contradicts.
	Contradicted int
}

// BatchResult is one line of RunBatch's output.
type BatchResult struct {
	Line      int           `json:"line"`
	Name      string        `json:"name,omitempty"`
	Decision  *Decision     `json:"decision,omitempty"`
	Statement *StatementRef `json:"statement,omitempty"`
	Missing   *Gap          `json:"missing,omitempty"`
	Expect    string        `json:"expect,omitempty"`
	ExpectMet *bool         `json:"expectMet,omitempty"`
	Summary   string        `json:"summary,omitempty"`
	Hints     []string      `json:"hints,omitempty"`
	Fixes     []Fix         `json:"fixes,omitempty"`
	Error     string        `json:"error,omitempty"`
}

// maxBatchLine bounds one scenario line (policies are at most a few KB).
const maxBatchLine = 16 << 20

// RunBatch reads one JSON scenario per line (JSON Lines) and writes one
// JSON result per line, in order. A line that cannot be read yields a
// result with its error and the batch goes on. Each distinct policy text
// is decoded and compiled once (cached by content hash), since batches
// repeat the same policies. Blank lines are skipped.
func RunBatch(ctx context.Context, in io.Reader, out io.Writer, opts BatchOptions) (BatchStats, error) {
	var st BatchStats
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64<<10), maxBatchLine)
	w := bufio.NewWriterSize(out, 64<<10)
	b := newBatchRunner(opts)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		if lineNo%256 == 0 {
			if err := ctx.Err(); err != nil {
				return st, err
			}
		}
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		st.Scenarios++
		res := b.run(line, lineNo)
		if res.Error != "" {
			st.Bad++
		}
		if res.ExpectMet != nil && !*res.ExpectMet {
			st.Contradicted++
		}
		if err := b.write(w, &res); err != nil {
			return st, err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = fmt.Errorf("%s:%d: line longer than %d bytes", opts.File, lineNo+1, maxBatchLine)
		}
		return st, err
	}
	return st, w.Flush()
}

type batchRunner struct {
	opts   BatchOptions
	seed   maphash.Seed
	cache  map[uint64][]*batchEntry
	byPol  map[*policy.Policy]*compiledPolicy
	line   []byte // the line being decoded, for content hashes
	enc    *json.Encoder
	fields []jsonField // scratch for the fast path
}

type batchEntry struct {
	text string
	path string
	typ  PolicyType
	pol  *policy.Policy
}

func newBatchRunner(opts BatchOptions) *batchRunner {
	return &batchRunner{opts: opts, seed: maphash.MakeSeed(), cache: map[uint64][]*batchEntry{}, byPol: map[*policy.Policy]*compiledPolicy{}}
}

// cachedPolicy and storePolicy are the batch's policyCache: a policy
// written the same way at the same place in an earlier scenario is the same
// Policy, already decoded and compiled.
func (b *batchRunner) cachedPolicy(n *node.Node, path string, typ PolicyType) *policy.Policy {
	return b.lookup(b.line[n.Pos.Offset:n.EndOffset], path, typ)
}

func (b *batchRunner) lookup(text []byte, path string, typ PolicyType) *policy.Policy {
	for _, e := range b.cache[maphash.Bytes(b.seed, text)] {
		if e.typ == typ && e.path == path && e.text == string(text) {
			return e.pol
		}
	}
	return nil
}

func (b *batchRunner) storePolicy(n *node.Node, path string, typ PolicyType, p *policy.Policy) {
	text := b.line[n.Pos.Offset:n.EndOffset]
	h := maphash.Bytes(b.seed, text)
	b.cache[h] = append(b.cache[h], &batchEntry{text: string(text), path: path, typ: typ, pol: p})
}

// compiled is the batch's compileCache.
func (b *batchRunner) compiled(p *policy.Policy, typ PolicyType) (*compiledPolicy, error) {
	if c, ok := b.byPol[p]; ok {
		return c, nil
	}
	c, err := compilePolicy(p, typ)
	if err != nil {
		return nil, err
	}
	b.byPol[p] = c
	return c, nil
}

func (b *batchRunner) run(line []byte, lineNo int) BatchResult {
	res := BatchResult{Line: lineNo}
	fail := func(err error) BatchResult {
		res.Error = relocate(err, lineNo).Error()
		return res
	}
	s, fast := b.fastScenario(line)
	if !fast {
		n, err := node.ParseJSON(b.opts.File, line)
		if err != nil {
			return fail(err)
		}
		b.line = line
		s, err = decodeScenario(n, b.opts.File, b)
		b.line = nil
		if err != nil {
			return fail(err)
		}
	}
	res.Name = s.Name
	ps, err := compileWith(s.Policies, b)
	if err != nil {
		return fail(err)
	}
	var r Result
	if b.opts.Explain {
		ex := Explain(ps, s.prepared)
		r = ex.result
		res.Summary, res.Hints, res.Fixes, res.Missing = ex.Summary, ex.Hints, ex.Fixes, ex.Missing
	} else {
		r = Decide(ps, s.prepared)
		if r.Decision == ImplicitDeny {
			res.Missing = &Gap{PolicyType: r.Missing, Level: r.MissingLevel}
		}
	}
	res.Decision = &r.Decision
	if r.Statement != nil {
		// A cached policy keeps the columns of its first occurrence, so only
		// the line is reported; the statement's path locates it exactly.
		ref := *r.Statement
		ref.Pos = node.Pos{File: b.opts.File, Line: lineNo}
		res.Statement = &ref
	}
	if s.Expect != "" {
		met := ExpectMet(s.Expect, r.Decision)
		res.Expect, res.ExpectMet = s.Expect, &met
	}
	return res
}

func (b *batchRunner) write(w *bufio.Writer, res *BatchResult) error {
	if b.enc == nil {
		b.enc = json.NewEncoder(w)
		b.enc.SetEscapeHTML(false)
	}
	return b.enc.Encode(res)
}

// relocate puts a JSON Lines line number into an error's positions (each
// line is parsed as a document of its own, so they all say line 1).
func relocate(err error, line int) error {
	var se *node.SyntaxError
	if errors.As(err, &se) {
		c := *se
		c.Pos.Line = line
		return &c
	}
	var l ErrorList
	if errors.As(err, &l) {
		out := make(ErrorList, len(l))
		for i, e := range l {
			c := *e
			c.Pos.Line = line
			out[i] = &c
		}
		return out
	}
	return fmt.Errorf("line %d: %w", line, err)
}
