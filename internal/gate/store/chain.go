package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// GenesisHash is the PrevHash of the first record.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// hashDomain separates audit hashes from every other SHA-256 in iamguard.
const hashDomain = "iamguard-audit-v1\n"

// timeLayout is how record times are stored and hashed: fixed width, UTC,
// microseconds (what PostgreSQL and SQLite both keep exactly as text).
const timeLayout = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) { return time.Parse(timeLayout, s) }

// canonicalDetail returns detail in canonical JSON (an object, sorted keys,
// no insignificant space, numbers as written) or "{}" when empty.
func canonicalDetail(detail json.RawMessage) (json.RawMessage, error) {
	if len(bytes.TrimSpace(detail)) == 0 {
		return json.RawMessage("{}"), nil
	}
	dec := json.NewDecoder(bytes.NewReader(detail))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("audit detail must be a JSON object: %w", err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return json.RawMessage(bytes.TrimRight(b.Bytes(), "\n")), nil
}

// hashRecord is the chain hash of r given its PrevHash: SHA-256 over a
// domain tag, the previous hash, and the record's fields in a fixed order,
// each JSON-quoted so no field can bleed into the next.
func hashRecord(r Record) string {
	h := sha256.New()
	h.Write([]byte(hashDomain))
	h.Write([]byte(r.PrevHash))
	fmt.Fprintf(h, "\n{\"seq\":%d,\"time\":%q,\"event\":%s,\"changeId\":%s,\"actor\":%s,\"contentHash\":%s,\"detail\":",
		r.Seq, formatTime(r.Time), quote(r.Event), quote(r.ChangeID), quote(r.Actor), quote(r.ContentHash))
	if len(r.Detail) == 0 {
		h.Write([]byte("{}"))
	} else {
		h.Write(r.Detail)
	}
	h.Write([]byte("}"))
	return hex.EncodeToString(h.Sum(nil))
}

func quote(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// Problem is one break in the chain found by Verify.
type Problem struct {
	// Seq is the stored sequence number of the record where the break shows.
	Seq int64 `json:"seq"`
	// Kind is edited, removed, reordered, or head (the kept head does not
	// match the last record: records after it were removed, or the head was
	// edited).
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// Report is the outcome of Verify.
type Report struct {
	OK       bool      `json:"ok"`
	Records  int64     `json:"records"`
	HeadSeq  int64     `json:"headSeq"`
	HeadHash string    `json:"headHash"`
	Problems []Problem `json:"problems,omitempty"`
	// AnchorFound is set when Verify was given an anchor hash (one recorded
	// outside the store earlier) and found a record carrying it.
	Anchor      string `json:"anchor,omitempty"`
	AnchorFound bool   `json:"anchorFound,omitempty"`
}

// Verify walks the whole audit log and checks that every record's hash
// covers its content and its predecessor's hash, that sequence numbers run
// 1, 2, 3… without gaps, and that the head kept beside the log names the
// last record. It names each record where the chain breaks and why.
//
// anchor, when not empty, is a record hash kept somewhere else (printed by
// an earlier verify); a log rewritten from scratch, or truncated and given
// a forged head, no longer contains it.
func Verify(ctx context.Context, s Store, anchor string) (Report, error) {
	var (
		rep     = Report{Anchor: anchor}
		prev    = Record{Hash: GenesisHash}
		hashSeq = map[string]int64{} // stored hash → stored seq, to tell reorders from removals
		recs    []Record
	)
	err := s.Records(ctx, AuditQuery{}, func(r Record) error {
		recs = append(recs, r)
		hashSeq[r.Hash] = r.Seq
		return nil
	})
	if err != nil {
		return rep, err
	}
	add := func(seq int64, kind, format string, args ...any) {
		rep.Problems = append(rep.Problems, Problem{Seq: seq, Kind: kind, Message: fmt.Sprintf(format, args...)})
	}
	for _, r := range recs {
		rep.Records++
		if anchor != "" && strings.EqualFold(r.Hash, anchor) {
			rep.AnchorFound = true
		}
		// A record whose hash fails at its stored number may be intact but
		// renumbered: its hash then matches at the number it had.
		orig := originalSeq(r)
		edited := orig < 0
		switch {
		case r.Seq > prev.Seq+1 && r.PrevHash == prev.Hash:
			add(r.Seq, "reordered", "record %d follows record %d in the chain but is numbered %d: sequence numbers were rewritten", r.Seq, prev.Seq, r.Seq)
		case r.Seq > prev.Seq+1:
			if prev.Seq+1 == r.Seq-1 {
				add(prev.Seq+1, "removed", "record %d is missing", prev.Seq+1)
			} else {
				add(prev.Seq+1, "removed", "records %d to %d are missing", prev.Seq+1, r.Seq-1)
			}
		case r.PrevHash != prev.Hash:
			if at, ok := hashSeq[r.PrevHash]; ok && at != prev.Seq {
				add(r.Seq, "reordered", "the record numbered %d follows the record numbered %d in the chain, not record %d: records were reordered", r.Seq, at, prev.Seq)
			} else if !edited {
				add(prev.Seq, "edited", "record %d does not match the hash record %d was chained to: record %d was edited or replaced", prev.Seq, r.Seq, prev.Seq)
			}
		case orig > 0 && orig != r.Seq:
			add(r.Seq, "reordered", "the record numbered %d was record %d: sequence numbers were rewritten", r.Seq, orig)
		}
		if edited {
			add(r.Seq, "edited", "record %d was edited: its content no longer matches its hash", r.Seq)
		}
		prev = r
	}
	headSeq, headHash, err := s.Head(ctx)
	if err != nil {
		return rep, err
	}
	rep.HeadSeq, rep.HeadHash = headSeq, headHash
	if headSeq != prev.Seq || headHash != prev.Hash {
		switch {
		case headSeq > prev.Seq:
			add(prev.Seq+1, "removed", "the log ends at record %d but its head names record %d: records %d to %d were removed", prev.Seq, headSeq, prev.Seq+1, headSeq)
		default:
			add(headSeq, "head", "the head (record %d, %s) does not match the last record (%d, %s): the head or the last records were edited", headSeq, short(headHash), prev.Seq, short(prev.Hash))
		}
	}
	if anchor != "" && !rep.AnchorFound {
		add(0, "anchor", "no record has the anchor hash %s: the log was rewritten or truncated before it", short(anchor))
	}
	dedupe(&rep)
	rep.OK = len(rep.Problems) == 0
	return rep, nil
}

// renumberWindow bounds how far from its stored number Verify looks for
// the number a renumbered record was hashed with.
const renumberWindow = 64

// originalSeq is the sequence number r's hash was computed with: its own
// when intact, a nearby one when it was renumbered, -1 when edited.
func originalSeq(r Record) int64 {
	if hashRecord(r) == r.Hash {
		return r.Seq
	}
	moved := r
	for d := int64(1); d <= renumberWindow; d++ {
		for _, seq := range []int64{r.Seq - d, r.Seq + d} {
			if seq < 1 {
				continue
			}
			moved.Seq = seq
			if hashRecord(moved) == r.Hash {
				return seq
			}
		}
	}
	return -1
}

// dedupe drops a problem reported twice for one record (an edited record
// can also break its successor's link).
func dedupe(rep *Report) {
	seen := map[string]bool{}
	out := rep.Problems[:0]
	for _, p := range rep.Problems {
		k := fmt.Sprint(p.Seq, p.Kind)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, p)
	}
	rep.Problems = out
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
