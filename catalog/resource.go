package catalog

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// How an ARN template such as
// "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}"
// is matched. Each ${...} placeholder stands for one or more characters:
//
//   - never ':' (ARN segments and the ':'-separated parts of a resource are
//     not crossed by a name; a pattern's '*' may still cross them), except
//     in the final name of the few types in namesHoldColons;
//   - never '/' when the template's next character is '/' (a bucket name
//     stops at the first '/', an object key after it may hold more);
//   - a placeholder that ends the template may hold '/' (paths, object keys,
//     secret names), unless another template of the same service continues
//     the same text with '/' or ':' (then it excludes that separator):
//     "…:log-group:${LogGroupName}" excludes ':' because
//     "…:log-group:${LogGroupName}:log-stream:…" exists, and
//     "arn:…:s3:::${BucketName}" excludes '/' because
//     "…${BucketName}/${ObjectName}" exists. Otherwise a bucket template
//     would claim every object ARN.
//
// The ARN given may itself be a policy pattern with '*' and '?'; a template
// matches when some ARN matches both (an automaton intersection).

// namesHoldColons reports the resource types whose final name may hold
// ':' although the reference's format does not say so: AWS Backup names the
// RDS snapshots it takes "awsbackup:job-<id>", so its own service role
// policy grants on "arn:aws:rds:*:*:snapshot:awsbackup:*". Only these: a
// colon in every final name would let '*' patterns reach types they cannot
// name (a Lambda event-source mapping for "function:engify-*").
func namesHoldColons(rt *ResourceType) bool {
	switch rt.Service.Prefix + " " + rt.Name {
	case "rds snapshot", "rds cluster-snapshot":
		return true
	}
	return false
}

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
	// owner is the group that compiles toks; group() must run before
	// toks is read.
	owner *serviceTemplates
	// starSuffix: text ends in ":*" meant literally (see withStarSuffix).
	starSuffix bool
}

// withStarSuffix reports the types whose ARN, as IAM authorizes most of
// their actions, carries a literal ":*" after the name: CloudWatch Logs
// checks log-group actions against "arn:aws:logs:r:a:log-group:NAME:*", so
// policies write "…:log-group:NAME:*" for a log group
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/iam-access-control-overview-cwl.html).
func withStarSuffix(rt *ResourceType) bool {
	return rt.Service.Prefix == "logs" && rt.Name == "log-group"
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

// templateIndex holds the catalog's ARN templates, grouped by the ARN's
// service segment. A group is made and compiled the first time an ARN of
// its service is matched, so a run that looks at three services makes
// three groups, not 2,334 templates.
type templateIndex struct {
	c      *Catalog
	mu     sync.Mutex            // serialises making groups
	groups sync.Map              // ARN service segment → *serviceTemplates
	all    func() *templateGroup // every template compiled (patterns naming no service)
	// knownKeys: every group's service segment, found on first use.
	knownKeys func() map[string]bool
	// byType: by ResourceType.index, the type's compiled templates, filled
	// on first use.
	byType []atomic.Pointer[[]*compiledTemplate]
}

// typeTemplates returns the compiled templates of one resource type,
// making and compiling only the groups they belong to (usually one).
func (ix *templateIndex) typeTemplates(rt *ResourceType) []*compiledTemplate {
	if rt.Service == nil || rt.Service.cat != ix.c || rt.index >= len(ix.byType) {
		return nil // a type of another catalog
	}
	if p := ix.byType[rt.index].Load(); p != nil {
		return *p
	}
	var cts []*compiledTemplate
	for _, t := range rt.ARNTemplates {
		st := ix.group(groupKey(rt, t))
		st.group()
		for _, ct := range st.tmpls {
			if ct.rt == rt && (ct.text == t || ct.starSuffix && ct.text == t+":*") && !slices.Contains(cts, ct) {
				cts = append(cts, ct)
			}
		}
	}
	ix.byType[rt.index].Store(&cts)
	return cts
}

// groupKey is the group a template of rt belongs to: its ARN service
// segment, or rt's own service when the segment is a variable (AWS
// Backup's recovery points: "arn:${Partition}:${Vendor}:…"; the vendors are
// not listed, so the format is matched for ARNs of its own service; under
// '*' crossing segments it would otherwise claim almost any pattern).
func groupKey(rt *ResourceType, t string) string {
	svc := arnService(t)
	if svc == "" && strings.HasPrefix(t, "arn:") {
		svc = rt.Service.Prefix
	}
	return svc
}

// group returns the templates of ARN service segment svc (possibly none),
// collecting them on first use.
func (ix *templateIndex) group(svc string) *serviceTemplates {
	if st, ok := ix.groups.Load(svc); ok {
		return st.(*serviceTemplates)
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if st, ok := ix.groups.Load(svc); ok {
		return st.(*serviceTemplates)
	}
	st := &serviceTemplates{}
	ix.c.eachTemplate(func(rt *ResourceType, t string) {
		if groupKey(rt, t) == svc {
			st.addTemplate(rt, t)
		}
	})
	ix.groups.Store(svc, st)
	return st
}

// lookupGroup is group for a service segment taken from an ARN being
// matched: nil when no template has it, and nothing is remembered for it,
// so arbitrary input cannot grow the index.
func (ix *templateIndex) lookupGroup(svc string) *serviceTemplates {
	if !ix.knownKeys()[svc] {
		return nil
	}
	return ix.group(svc)
}

// eachTemplate calls f with every ARN template of the catalog, in catalog
// order.
func (c *Catalog) eachTemplate(f func(rt *ResourceType, t string)) {
	for _, s := range c.services {
		for _, rt := range s.ResourceTypes {
			for _, t := range rt.ARNTemplates {
				f(rt, t)
			}
		}
	}
}

// serviceTemplates is the templates of one ARN service segment.
type serviceTemplates struct {
	once  sync.Once
	tmpls []*compiledTemplate // catalog order; toks filled by group()
	g     templateGroup
}

// addTemplate appends template t of rt (and its literal ":*" form where
// IAM uses one).
func (st *serviceTemplates) addTemplate(rt *ResourceType, t string) {
	st.tmpls = append(st.tmpls, &compiledTemplate{rt: rt, text: t, owner: st})
	if withStarSuffix(rt) {
		st.tmpls = append(st.tmpls, &compiledTemplate{rt: rt, text: t + ":*", owner: st, starSuffix: true})
	}
}

// group compiles the templates once and returns them with their shared
// prefix lengths.
func (st *serviceTemplates) group() *templateGroup {
	st.once.Do(func() {
		for _, ct := range st.tmpls {
			// A final placeholder stops at a separator by which another
			// template of the service goes on (see the top of this file).
			var final uint8
			for _, other := range st.tmpls {
				if len(other.text) > len(ct.text) && strings.HasPrefix(other.text, ct.text) {
					switch other.text[len(ct.text)] {
					case ':':
						final |= exclColon
					case '/':
						final |= exclSlash
					}
				}
			}
			if ct.starSuffix {
				base := strings.TrimSuffix(ct.text, ":*")
				ct.toks = append(compileTemplate(base, exclColon, false), ttok{kind: tLit, c: ':'}, ttok{kind: tLit, c: '*'})
				continue
			}
			ct.toks = compileTemplate(ct.text, final, namesHoldColons(ct.rt))
		}
		// Shared prefixes are counted once every template has its tokens.
		for _, ct := range st.tmpls {
			st.g.add(ct)
		}
	})
	return &st.g
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
	ix := &templateIndex{c: c,
		byType: make([]atomic.Pointer[[]*compiledTemplate], c.nResourceTypes)}
	ix.knownKeys = sync.OnceValue(func() map[string]bool {
		keys := map[string]bool{}
		c.eachTemplate(func(rt *ResourceType, t string) { keys[groupKey(rt, t)] = true })
		return keys
	})
	ix.all = sync.OnceValue(func() *templateGroup {
		// Every type's templates, in catalog order.
		g := &templateGroup{}
		for _, s := range c.services {
			for _, rt := range s.ResourceTypes {
				for _, ct := range ix.typeTemplates(rt) {
					g.add(ct)
				}
			}
		}
		return g
	})
	return ix
}

func compileTemplate(t string, finalExcl uint8, colonNames bool) []ttok {
	var toks []ttok
	for i := 0; i < len(t); {
		// A placeholder: "${Name}", or a bare '*', which the reference
		// writes for "any account" in a few formats (AWS Backup's recovery
		// points: "arn:${Partition}:${Vendor}:${Region}:*:…").
		end := -1
		if t[i] == '*' {
			end = i + 1
		} else if strings.HasPrefix(t[i:], "${") {
			if j := strings.IndexByte(t[i:], '}'); j > 0 {
				end = i + j + 1
			}
		}
		if end > 0 {
			var excl uint8
			switch {
			case end == len(t):
				excl = exclColon | finalExcl
				if colonNames {
					excl = finalExcl
				}
			case t[end] == '/':
				excl = exclColon | exclSlash
			default:
				excl = exclColon
			}
			toks = append(toks, ttok{kind: tOne, excl: excl}, ttok{kind: tMany, excl: excl})
			i = end
			continue
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
	var cp compiledPattern
	fast := compilePattern(&cp, resourceARN)
	match := func(g *templateGroup, hits []*compiledTemplate) []*compiledTemplate {
		if fast && cp.nw == 1 {
			return matchGroup1(g, &cp, hits)
		}
		for _, ct := range g.tmpls {
			if len(hits) > 0 && hits[len(hits)-1].rt == ct.rt {
				continue // another template of a type already found
			}
			if fast && intersectsFast(ct.toks, &cp) || !fast && intersects(ct.toks, resourceARN) {
				hits = append(hits, ct)
			}
		}
		return hits
	}
	var buf [32]*compiledTemplate
	hits := buf[:0]
	if svc := arnService(resourceARN); svc != "" {
		if st := ix.lookupGroup(svc); st != nil {
			hits = match(st.group(), hits)
		}
	} else {
		hits = match(ix.all(), hits)
	}
	if len(hits) == 0 {
		return nil
	}
	out := make([]*ResourceType, 0, len(hits))
	for _, h := range hits {
		if !slices.Contains(out, h.rt) {
			out = append(out, h.rt)
		}
	}
	return out
}

// matchGroup1 is ResourceTypesForARN's loop for one-word patterns, reusing
// the matcher's rows over the tokens a template shares with the previous
// one. It appends to hits the first matching template of each type.
func matchGroup1(g *templateGroup, cp *compiledPattern, hits []*compiledTemplate) []*compiledTemplate {
	var rows [maxSharedRows]uint64
	rows[0] = 1
	valid := 1 // rows[:valid] hold the states entering those rows for the last template
	first := len(hits)
	for k, ct := range g.tmpls {
		shared := g.shared[k]
		if len(hits) > first && hits[len(hits)-1].rt == ct.rt {
			// Another template of a type already found: skipped, but the
			// next template may share rows with this one.
			valid = min(valid, shared+1)
			continue
		}
		if len(ct.toks) >= maxSharedRows {
			valid = 1
			if intersects1(ct.toks, cp) {
				hits = append(hits, ct)
			}
			continue
		}
		var ok bool
		ok, valid = intersects1From(ct.toks, cp, &rows, min(valid-1, shared))
		if ok {
			hits = append(hits, ct)
		}
	}
	return hits
}

// ActionResourceMatches reports whether resourceARN (an ARN or ARN pattern)
// can name a resource the action acts on: one of the action's resource
// types matches it. An action without resource types only accepts "*".
// To test one ARN against many actions, compile it once with
// CompileResourceMatcher.
func (c *Catalog) ActionResourceMatches(a *Action, resourceARN string) bool {
	if isStar(resourceARN) {
		return true
	}
	var m ResourceMatcher
	m.init(c, resourceARN)
	return m.Matches(a)
}

// ResourceMatcher is an ARN (or ARN pattern) compiled once for
// ActionResourceMatches-style questions about many actions.
type ResourceMatcher struct {
	c    *Catalog
	arn  string
	star bool
	fast bool
	cp   compiledPattern
}

// CompileResourceMatcher compiles resourceARN for Matches.
func (c *Catalog) CompileResourceMatcher(resourceARN string) *ResourceMatcher {
	m := &ResourceMatcher{}
	m.init(c, resourceARN)
	return m
}

func (m *ResourceMatcher) init(c *Catalog, resourceARN string) {
	m.c, m.arn, m.star = c, resourceARN, isStar(resourceARN)
	if !m.star {
		m.fast = compilePattern(&m.cp, resourceARN)
	}
}

// Matches is ActionResourceMatches(a, the compiled ARN).
func (m *ResourceMatcher) Matches(a *Action) bool {
	if m.star {
		return true
	}
	ix := m.c.templates()
	for _, r := range a.Resources {
		if r.Type == nil {
			continue
		}
		for _, ct := range ix.typeTemplates(r.Type) {
			if m.fast && intersectsFast(ct.toks, &m.cp) || !m.fast && intersects(ct.toks, m.arn) {
				return true
			}
		}
	}
	return false
}

func isStar(s string) bool { return s != "" && strings.Trim(s, "*") == "" }
