package catalog

import (
	"strings"
)

// How an ARN template such as
// "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}"
// is matched. Each ${...} placeholder stands for one or more characters:
//
//   - never ':' (ARN segments and the ':'-separated parts of a resource are
//     not crossed by a name; a pattern's '*' may still cross them);
//   - never '/' when the template's next character is '/' (a bucket name
//     stops at the first '/', an object key after it may hold more);
//   - a placeholder that ends the template may hold '/' (paths, object keys,
//     secret names), unless another template of the same service continues
//     the same text with '/' or ':' (then it excludes that separator): "…:log-group:${LogGroupName}" excludes ':' because
//     "…:log-group:${LogGroupName}:log-stream:…" exists, and
//     "arn:…:s3:::${BucketName}" excludes '/' because "…${BucketName}/${ObjectName}"
//     exists. Otherwise a bucket template would claim every object ARN.
//
// The ARN given may itself be a policy pattern with '*' and '?'; a template
// matches when some ARN matches both (an automaton intersection).

const (
	exclColon = 1 << iota
	exclSlash
)

type tkind uint8

const (
	tLit  tkind = iota // one literal byte
	tOne               // one byte not in excl
	tMany              // zero or more bytes not in excl (follows a tOne)
)

type ttok struct {
	kind tkind
	c    byte
	excl uint8
}

type compiledTemplate struct {
	rt   *ResourceType
	text string
	toks []ttok
}

// templateGroup is a list of templates in catalog order with, for each,
// how many leading tokens it shares with the one before it: the rows of
// the matcher for those tokens are the same and are not recomputed.
type templateGroup struct {
	tmpls  []*compiledTemplate
	shared []int
}

func (g *templateGroup) add(ct *compiledTemplate) {
	n := 0
	if len(g.tmpls) > 0 {
		prev := g.tmpls[len(g.tmpls)-1].toks
		for n < len(prev) && n < len(ct.toks) && prev[n] == ct.toks[n] {
			n++
		}
	}
	g.tmpls = append(g.tmpls, ct)
	g.shared = append(g.shared, n)
}

type templateIndex struct {
	all       templateGroup
	byService map[string]*templateGroup // ARN service segment → templates
	byType    map[*ResourceType][]*compiledTemplate
}

// arnService is the service segment of an ARN template or ARN, or "" when
// it cannot be told (a wildcard in or before it, or not an ARN).
func arnService(s string) string {
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return ""
	}
	part, rest, ok := strings.Cut(rest, ":")
	if !ok || strings.ContainsAny(part, "*?") {
		return ""
	}
	svc, _, ok := strings.Cut(rest, ":")
	if !ok || strings.ContainsAny(svc, "*?") || strings.Contains(svc, "${") {
		return ""
	}
	return svc
}

func (c *Catalog) buildTemplates() *templateIndex {
	var all []*compiledTemplate
	byService := map[string][]*compiledTemplate{}
	ix := &templateIndex{byService: map[string]*templateGroup{}, byType: map[*ResourceType][]*compiledTemplate{}}
	for _, s := range c.services {
		for _, rt := range s.ResourceTypes {
			for _, t := range rt.ARNTemplates {
				ct := &compiledTemplate{rt: rt, text: t}
				all = append(all, ct)
				byService[arnService(t)] = append(byService[arnService(t)], ct)
				ix.byType[rt] = append(ix.byType[rt], ct)
			}
		}
	}
	for _, group := range byService {
		for _, ct := range group {
			var final uint8
			for _, other := range group {
				if len(other.text) > len(ct.text) && strings.HasPrefix(other.text, ct.text) {
					switch other.text[len(ct.text)] {
					case ':':
						final |= exclColon
					case '/':
						final |= exclSlash
					}
				}
			}
			ct.toks = compileTemplate(ct.text, final)
		}
	}
	// Groups are filled once every template is compiled, so that shared
	// prefixes are counted on final tokens.
	for _, ct := range all {
		ix.all.add(ct)
	}
	for svc, group := range byService {
		g := &templateGroup{}
		for _, ct := range group {
			g.add(ct)
		}
		ix.byService[svc] = g
	}
	return ix
}

func compileTemplate(t string, finalExcl uint8) []ttok {
	var toks []ttok
	for i := 0; i < len(t); {
		if strings.HasPrefix(t[i:], "${") {
			if j := strings.IndexByte(t[i:], '}'); j > 0 {
				end := i + j + 1
				var excl uint8
				switch {
				case end == len(t):
					excl = exclColon | finalExcl
				case t[end] == '/':
					excl = exclColon | exclSlash
				default:
					excl = exclColon
				}
				toks = append(toks, ttok{kind: tOne, excl: excl}, ttok{kind: tMany, excl: excl})
				i = end
				continue
			}
		}
		toks = append(toks, ttok{kind: tLit, c: t[i]})
		i++
	}
	return toks
}

func (t ttok) accepts(b byte) bool {
	switch t.kind {
	case tLit:
		return t.c == b
	default:
		return !(b == ':' && t.excl&exclColon != 0) && !(b == '/' && t.excl&exclSlash != 0)
	}
}

// intersects reports whether some string matches both the template and the
// pattern p ('*' any run, '?' one byte, everything else literal). Dynamic
// programming over (template token, pattern byte) pairs, two rows at a time.
func intersects(toks []ttok, p string) bool {
	np := len(p)
	var bufA, bufB [160]bool
	cur, next := bufA[:0], bufB[:0]
	if np+1 > len(bufA) {
		cur, next = make([]bool, np+1), make([]bool, np+1)
	} else {
		cur, next = bufA[:np+1], bufB[:np+1]
	}
	cur[0] = true
	for i := 0; i <= len(toks); i++ {
		clear(next)
		any := false
		for j := 0; j <= np; j++ {
			if !cur[j] {
				continue
			}
			any = true
			if i == len(toks) {
				if j < np && p[j] == '*' {
					cur[j+1] = true
				}
				continue
			}
			t := toks[i]
			if t.kind == tMany {
				next[j] = true // the run may be empty
			}
			if j == np {
				continue
			}
			pc := p[j]
			if pc == '*' {
				cur[j+1] = true // the pattern's run may be empty
			}
			var ok bool
			switch pc {
			case '*', '?':
				ok = true
			default:
				ok = t.accepts(pc)
			}
			if !ok {
				continue
			}
			switch {
			case t.kind == tMany && pc == '*':
				// both runs consume: no progress, covered by the skips above
			case t.kind == tMany:
				cur[j+1] = true
			case pc == '*':
				next[j] = true
			default:
				next[j+1] = true
			}
		}
		if i == len(toks) {
			return cur[np]
		}
		if !any {
			return false
		}
		cur, next = next, cur
	}
	return false
}

// ResourceTypesForARN returns the resource types whose ARN templates an ARN,
// or an ARN pattern with '*' and '?', can match, in catalog order.
// "arn:aws:s3:::engify-ai-uploads/users/a.txt" → s3 object;
// "arn:aws:s3:::engify-ai-uploads" → s3 bucket; "*" → every type.
func (c *Catalog) ResourceTypesForARN(resourceARN string) []*ResourceType {
	ix := c.templates()
	cands := &ix.all
	if svc := arnService(resourceARN); svc != "" {
		cands = ix.byService[svc]
		if cands == nil {
			return nil
		}
	}
	var cp compiledPattern
	fast := compilePattern(&cp, resourceARN)
	if fast && cp.nw == 1 {
		return matchGroup1(cands, &cp)
	}
	var out []*ResourceType
	for _, ct := range cands.tmpls {
		if len(out) > 0 && out[len(out)-1] == ct.rt {
			continue // another template of a type already found
		}
		if fast && intersectsFast(ct.toks, &cp) || !fast && intersects(ct.toks, resourceARN) {
			out = append(out, ct.rt)
		}
	}
	return out
}

// matchGroup1 is ResourceTypesForARN's loop for one-word patterns, reusing
// the matcher's rows over the tokens a template shares with the previous one.
func matchGroup1(g *templateGroup, cp *compiledPattern) []*ResourceType {
	var rows [maxSharedRows]uint64
	rows[0] = 1
	valid := 1 // rows[:valid] hold the states entering those rows for the last template
	var out []*ResourceType
	for k, ct := range g.tmpls {
		shared := g.shared[k]
		if len(out) > 0 && out[len(out)-1] == ct.rt {
			// Another template of a type already found: skipped, but the
			// next template may share rows with this one.
			valid = min(valid, shared+1)
			continue
		}
		if len(ct.toks) >= maxSharedRows {
			valid = 1
			if intersects1(ct.toks, cp) {
				out = append(out, ct.rt)
			}
			continue
		}
		var ok bool
		ok, valid = intersects1From(ct.toks, cp, &rows, min(valid-1, shared))
		if ok {
			out = append(out, ct.rt)
		}
	}
	return out
}

// ActionResourceMatches reports whether resourceARN (an ARN or ARN pattern)
// can name a resource the action acts on: one of the action's resource
// types matches it. An action without resource types only accepts "*".
func (c *Catalog) ActionResourceMatches(a *Action, resourceARN string) bool {
	if isStar(resourceARN) {
		return true
	}
	ix := c.templates()
	var cp compiledPattern
	fast := compilePattern(&cp, resourceARN)
	for _, r := range a.Resources {
		if r.Type == nil {
			continue
		}
		for _, ct := range ix.byType[r.Type] {
			if fast && intersectsFast(ct.toks, &cp) || !fast && intersects(ct.toks, resourceARN) {
				return true
			}
		}
	}
	return false
}

func isStar(s string) bool { return s != "" && strings.Trim(s, "*") == "" }
