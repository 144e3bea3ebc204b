package eval

import (
	"strconv"

	"github.com/iamguard/iamguard/node"
	"github.com/iamguard/iamguard/policy"
)

// The batch fast path. Batches repeat the same policies line after line,
// and building a position tree for every policy of every line is most of
// the cost of a line. So a line is first split into its top-level fields
// with a small scanner; when every policy is one the batch has already
// decoded (the same bytes at the same place), only the request is parsed.
// Anything else — a new policy, an error, an unusual line — takes the full
// path, which reports errors at their positions.

type span struct{ start, end int }

type jsonField struct {
	key string
	val span
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at b[i] ('"').
func skipString(b []byte, i int) (int, bool) {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1, true
		}
	}
	return 0, false
}

// skipValue returns the index just past the value starting at b[i]. It
// checks only structure: the values it skips are either parsed by node
// afterwards or are byte-for-byte a policy node has already parsed.
func skipValue(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				j, ok := skipString(b, i)
				if !ok {
					return 0, false
				}
				i = j - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
		}
		return 0, false
	}
	for j := i; j < len(b); j++ {
		switch b[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return j, j > i
		}
	}
	return len(b), true
}

// objectFields splits the object at b[s.start:s.end] into fields. Keys
// with escapes are left to the full path.
func objectFields(b []byte, s span, out []jsonField) ([]jsonField, bool) {
	i := skipSpace(b, s.start)
	if i >= s.end || b[i] != '{' {
		return nil, false
	}
	i = skipSpace(b, i+1)
	if i < s.end && b[i] == '}' {
		return out, skipSpace(b, i+1) == s.end
	}
	for {
		if i >= s.end || b[i] != '"' {
			return nil, false
		}
		j, ok := skipString(b, i)
		if !ok {
			return nil, false
		}
		key := b[i+1 : j-1]
		for _, c := range key {
			if c == '\\' {
				return nil, false
			}
		}
		i = skipSpace(b, j)
		if i >= s.end || b[i] != ':' {
			return nil, false
		}
		i = skipSpace(b, i+1)
		end, ok := skipValue(b, i)
		if !ok || end > s.end {
			return nil, false
		}
		out = append(out, jsonField{key: string(key), val: span{i, end}})
		i = skipSpace(b, end)
		if i < s.end && b[i] == ',' {
			i = skipSpace(b, i+1)
			continue
		}
		if i < s.end && b[i] == '}' {
			return out, skipSpace(b, i+1) == s.end
		}
		return nil, false
	}
}

// arrayItems splits the array at b[s.start:s.end] into its items.
func arrayItems(b []byte, s span) ([]span, bool) {
	i := skipSpace(b, s.start)
	if i >= s.end || b[i] != '[' {
		return nil, false
	}
	var out []span
	i = skipSpace(b, i+1)
	if i < s.end && b[i] == ']' {
		return out, true
	}
	for {
		end, ok := skipValue(b, i)
		if !ok || end > s.end {
			return nil, false
		}
		out = append(out, span{i, end})
		i = skipSpace(b, end)
		if i < s.end && b[i] == ',' {
			i = skipSpace(b, i+1)
			continue
		}
		return out, i < s.end && b[i] == ']'
	}
}

// fastScenario builds the line's scenario when every policy in it is
// cached; ok is false when the full path must run.
func (b *batchRunner) fastScenario(line []byte) (*Scenario, bool) {
	fields, ok := objectFields(line, span{0, len(line)}, b.fields[:0])
	if !ok {
		return nil, false
	}
	b.fields = fields
	s := &Scenario{File: b.opts.File}
	pol := func(sp span, path string, typ PolicyType) *policy.Policy {
		if !ok {
			return nil
		}
		p := b.lookup(line[sp.start:sp.end], path, typ)
		ok = p != nil
		return p
	}
	str := func(sp span) string {
		n, err := node.ParseJSON(b.opts.File, line[sp.start:sp.end])
		if err != nil || n.Kind != node.String {
			ok = false
			return ""
		}
		return n.Text
	}
	seen := 0
	var request span
	for _, f := range fields {
		bit := 0
		switch f.key {
		case "name":
			bit, s.Name = 1, str(f.val)
		case "description":
			bit, s.Description = 2, str(f.val)
		case "expect":
			bit, s.Expect = 4, str(f.val)
			ok = ok && ValidExpect(s.Expect)
		case "request":
			bit, request = 8, f.val
		case "identityPolicies":
			bit = 16
			items, good := arrayItems(line, f.val)
			ok = ok && good
			for i, it := range items {
				s.Policies.Identity = append(s.Policies.Identity, pol(it, "identityPolicies["+strconv.Itoa(i)+"]", IdentityPolicy))
			}
		case "resourcePolicy", "trustPolicy", "kmsKeyPolicy":
			bit = 32
			if s.Policies.Resource != nil {
				ok = false
			}
			s.Policies.Resource = pol(f.val, f.key, ResourcePolicy)
		case "permissionsBoundary":
			bit, s.Policies.Boundary = 64, pol(f.val, f.key, PermissionsBoundary)
		case "sessionPolicy":
			bit, s.Policies.Session = 128, pol(f.val, f.key, SessionPolicy)
		case "serviceControlPolicies":
			bit = 256
			s.Policies.SCPs = b.fastLevels(line, f.val, f.key, ServiceControlPolicy, pol, &ok)
		case "resourceControlPolicies":
			bit = 512
			s.Policies.RCPs = b.fastLevels(line, f.val, f.key, ResourceControlPolicy, pol, &ok)
		default:
			ok = false
		}
		if seen&bit != 0 {
			ok = false // a duplicate field: the full path reports it
		}
		seen |= bit
		if !ok {
			return nil, false
		}
	}
	if request.end == 0 {
		return nil, false
	}
	n, err := node.ParseJSON(b.opts.File, line[request.start:request.end])
	if err != nil {
		return nil, false
	}
	d := &scenarioDecoder{file: b.opts.File, fieldPos: map[string]node.Pos{}}
	d.request(&s.Request, n)
	if len(d.errs) > 0 {
		return nil, false
	}
	p, err := Prepare(s.Request)
	if err != nil {
		return nil, false
	}
	s.prepared = p
	return s, true
}

// fastLevels mirrors scenarioDecoder.levels (a flat list is one level).
func (b *batchRunner) fastLevels(line []byte, sp span, key string, typ PolicyType,
	pol func(span, string, PolicyType) *policy.Policy, ok *bool) [][]*policy.Policy {
	items, good := arrayItems(line, sp)
	if !good {
		*ok = false
		return nil
	}
	flat := len(items) > 0
	for _, it := range items {
		if line[it.start] == '[' {
			flat = false
		}
	}
	if flat {
		lv := make([]*policy.Policy, 0, len(items))
		for i, it := range items {
			lv = append(lv, pol(it, key+"["+strconv.Itoa(i)+"]", typ))
		}
		return [][]*policy.Policy{lv}
	}
	out := make([][]*policy.Policy, 0, len(items))
	for li, level := range items {
		pols, good := arrayItems(line, level)
		if !good {
			*ok = false
			return nil
		}
		lv := make([]*policy.Policy, 0, len(pols))
		for pi, it := range pols {
			lv = append(lv, pol(it, key+"["+strconv.Itoa(li)+"]["+strconv.Itoa(pi)+"]", typ))
		}
		out = append(out, lv)
	}
	return out
}
