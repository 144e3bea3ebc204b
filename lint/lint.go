// Package lint checks IAM policies the way a security reviewer would, offline,
// on the embedded catalog: grammar errors IAM would reject, references to
// actions, resources and condition keys that do not exist, grants that let a
// principal escalate or expose data, least-privilege warnings, and the
// organisation's own rules from iamguard.yaml (naming, scopes, forbidden
// actions). Every finding names its file, line, column and JSON path and
// says how to fix it. Checks lists every code with its severity and the
// policy kinds it applies to; docs/lint.md documents them.
//
// A Linter is compiled once from a configuration and is safe for concurrent
// use:
//
//	l := lint.New(cfg)
//	findings, err := l.File("SynthCoreAI-SES-SendOnly.json", data, "")
package lint

import (
	"errors"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/iamguard/iamguard/catalog"
	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/finding"
	"github.com/iamguard/iamguard/node"
	"github.com/iamguard/iamguard/policy"
)

// Linter runs every check on policies. Create it with New; it holds the
// configuration compiled once (naming pattern, forbidden action set, scope
// patterns, severity overrides) and is safe for concurrent use.
type Linter struct {
	cfg *config.Config
	cat *catalog.Catalog
	ix  *catalogIndex

	disabled       map[string]bool
	disabledPrefix []string
	severity       map[string]finding.Severity

	naming      *regexp.Regexp
	namingGroup struct{ service, actions int }

	forbidden        catalog.ActionSet
	forbiddenPattern []string
	scope            []string

	// resourceTypes caches catalog.ResourceTypesForARN by pattern: policies
	// repeat their ARNs, and matching templates is the costliest step.
	resourceTypes  sync.Map // string → []*catalog.ResourceType
	resourceTypesN atomic.Int64
	// fixRegion and fixAccount fill ${Region} and ${Account} in the ARN
	// templates a fix proposes: the configured scope, else the placeholders.
	fixRegion, fixAccount string
	filledTemplates       sync.Map // catalog ARN template → fillTemplate's result

	passes sync.Pool // *pass, reused across policies

	// unknownActions caches the error (with its suggestion) of action
	// texts the catalog does not know; nil for a pattern that is merely empty.
	unknownActions  sync.Map // string → error
	unknownActionsN atomic.Int64
}

// resourceTypeCacheLimit bounds the cache for long-running servers.
const resourceTypeCacheLimit = 1 << 16

func (l *Linter) resourceTypesFor(arn string) []*catalog.ResourceType {
	if v, ok := l.resourceTypes.Load(arn); ok {
		return v.([]*catalog.ResourceType)
	}
	types := l.cat.ResourceTypesForARN(arn)
	if l.resourceTypesN.Load() < resourceTypeCacheLimit {
		if _, loaded := l.resourceTypes.LoadOrStore(strings.Clone(arn), types); !loaded {
			l.resourceTypesN.Add(1)
		}
	}
	return types
}

// unknownAction returns the error for an action text that names nothing,
// computing it (with its "did you mean" search over every service) once
// per linter: policies repeat their mistakes.
func (l *Linter) unknownAction(text string, compute func() error) error {
	if v, ok := l.unknownActions.Load(text); ok {
		err, _ := v.(error)
		return err
	}
	err := compute()
	if l.unknownActionsN.Load() < resourceTypeCacheLimit {
		if _, loaded := l.unknownActions.LoadOrStore(strings.Clone(text), err); !loaded {
			l.unknownActionsN.Add(1)
		}
	}
	return err
}

// fillTemplate writes an ARN template as a fix proposes it: partition
// "aws", the configured region and account; other placeholders stay.
// Results are cached: the templates are the catalog's (a bounded set) and
// many findings propose the same ones.
func (l *Linter) fillTemplate(t string) string {
	if v, ok := l.filledTemplates.Load(t); ok {
		return v.(string)
	}
	out := l.fillTemplateOnce(t)
	l.filledTemplates.Store(t, out)
	return out
}

func (l *Linter) fillTemplateOnce(t string) string {
	if !strings.Contains(t, "${") {
		return t
	}
	var b strings.Builder
	b.Grow(len(t) + 16)
	for {
		i := strings.Index(t, "${")
		if i < 0 {
			b.WriteString(t)
			return b.String()
		}
		b.WriteString(t[:i])
		t = t[i:]
		switch {
		case strings.HasPrefix(t, "${Partition}"):
			b.WriteString("aws")
			t = t[len("${Partition}"):]
		case strings.HasPrefix(t, "${Region}"):
			b.WriteString(l.fixRegion)
			t = t[len("${Region}"):]
		case strings.HasPrefix(t, "${Account}"):
			b.WriteString(l.fixAccount)
			t = t[len("${Account}"):]
		default:
			b.WriteString("${")
			t = t[2:]
		}
	}
}

// New compiles a linter for cfg (nil means config.Default()) over the
// embedded catalog.
func New(cfg *config.Config) *Linter {
	return NewWithCatalog(cfg, catalog.Default())
}

// NewWithCatalog is New over a given catalog (tests, pinned data sets).
func NewWithCatalog(cfg *config.Config, cat *catalog.Catalog) *Linter {
	if cfg == nil {
		cfg = config.Default()
	}
	l := &Linter{
		cfg:      cfg,
		cat:      cat,
		ix:       indexFor(cat),
		disabled: map[string]bool{},
		severity: map[string]finding.Severity{},
	}
	for _, code := range cfg.Lint.Disable {
		if p, ok := strings.CutSuffix(code, "*"); ok {
			l.disabledPrefix = append(l.disabledPrefix, p)
		} else {
			l.disabled[code] = true
		}
	}
	for code, s := range cfg.Lint.Severity {
		if sev, ok := finding.ParseSeverity(s); ok {
			l.severity[code] = sev
		}
	}
	if !cfg.Naming.Disabled && cfg.Naming.Pattern != "" {
		l.naming = cfg.NamingRegexp()
		l.namingGroup.service = l.naming.SubexpIndex("Service")
		l.namingGroup.actions = l.naming.SubexpIndex("Actions")
	}
	l.forbidden = cat.NewActionSet()
	for _, pat := range cfg.Forbidden {
		l.forbidden.UnionWith(cat.MatchShared(pat))
		l.forbiddenPattern = append(l.forbiddenPattern, pat)
	}
	l.scope = cfg.Scope.Resources
	region, account := "${Region}", "${Account}"
	if cfg.Scope.Region != "" {
		region = cfg.Scope.Region
	}
	if cfg.Scope.Account != "" {
		account = cfg.Scope.Account
	}
	l.fixRegion, l.fixAccount = region, account
	return l
}

// Config returns the configuration the linter was built from.
func (l *Linter) Config() *config.Config { return l.cfg }

// Policy lints one decoded policy. kind "" detects the kind from the
// content (policy.DetectKind). Grammar problems recorded by the decoder are
// reported as findings. Findings are sorted by position; suppressed ones are
// kept and marked.
func (l *Linter) Policy(p *policy.Policy, kind policy.Kind) []finding.Finding {
	if p == nil {
		return nil
	}
	if kind == policy.KindUnknown {
		kind = policy.DetectKind(p)
	}
	ps := newPass(l, p, kind)
	ps.run()
	out := ps.out
	ps.release()
	finding.Sort(out)
	return out
}

// File parses data (JSON or YAML) and lints it. The policy's name is taken
// from the file name (SynthCoreAI-S3-FileUpload.json → SynthCoreAI-S3-FileUpload)
// unless the document is a {"PolicyName": ..., "PolicyDocument": ...}
// wrapper, whose PolicyName wins. Text that is not JSON or YAML returns the
// *node.SyntaxError and, in the findings, a JSON_SYNTAX_ERROR at its position.
func (l *Linter) File(name string, data []byte, kind policy.Kind) ([]finding.Finding, error) {
	p, err := ParseFile(name, data)
	if err != nil {
		if f, ok := l.SyntaxFinding(err); ok {
			return []finding.Finding{f}, err
		}
		return nil, err
	}
	return l.Policy(p, kind), nil
}

// ParseFile parses a policy file: a policy document, or a wrapper object
// with "PolicyDocument" (and optionally "PolicyName"), as IAM's
// CreatePolicy input and our seeds write them. The policy's Name is the
// wrapper's PolicyName, else NameFromFile(name).
func ParseFile(name string, data []byte) (*policy.Policy, error) {
	n, err := node.Parse(name, data)
	if err != nil {
		return nil, err
	}
	prefix, policyName := "", NameFromFile(name)
	doc := n
	if inner := n.Get("PolicyDocument"); inner != nil && inner.Kind == node.Object && n.Get("Statement") == nil {
		doc, prefix = inner, "PolicyDocument."
		if pn := n.Get("PolicyName"); pn != nil && pn.Kind == node.String && pn.Text != "" {
			policyName = pn.Text
		}
	}
	p := policy.Decode(doc, name, prefix)
	p.Name = policyName
	return p, nil
}

// NameFromFile is the policy name a file name implies: the base name
// without its extension.
func NameFromFile(file string) string {
	base := filepath.Base(file)
	if base == "." || base == string(filepath.Separator) {
		return ""
	}
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// SyntaxFinding turns a *node.SyntaxError into the JSON_SYNTAX_ERROR finding
// (severity possibly overridden by configuration). ok is false for other errors.
func (l *Linter) SyntaxFinding(err error) (finding.Finding, bool) {
	var se *node.SyntaxError
	if !errors.As(err, &se) {
		return finding.Finding{}, false
	}
	c, _ := Lookup("JSON_SYNTAX_ERROR")
	f := finding.Finding{
		Code:     c.Code,
		Severity: l.severityOf(c),
		Message:  se.Msg,
		File:     se.Pos.File,
		Line:     se.Pos.Line,
		Column:   se.Pos.Column,
		Fix:      c.Fix,
	}
	l.suppress(&f, "")
	return f, true
}

func (l *Linter) isDisabled(code string) bool {
	if l.disabled[code] {
		return true
	}
	for _, p := range l.disabledPrefix {
		if strings.HasPrefix(code, p) {
			return true
		}
	}
	return false
}

func (l *Linter) severityOf(c Check) finding.Severity {
	if s, ok := l.severity[c.Code]; ok {
		return s
	}
	return c.Severity
}

// suppress marks f with the reason of the first configured suppression that
// matches its code, policy name, file and path.
func (l *Linter) suppress(f *finding.Finding, policyName string) {
	for _, s := range l.cfg.Suppressions {
		if s.Code != f.Code && s.Code != "*" {
			continue
		}
		if s.Policy != "" && s.Policy != policyName {
			continue
		}
		if s.File != "" && !matchFileGlob(s.File, f.File) {
			continue
		}
		if s.Path != "" && !pathHasPrefix(f.Path, s.Path) {
			continue
		}
		f.Suppressed = s.Reason
		return
	}
}

// matchFileGlob matches a suppression's file glob against a finding's file:
// the whole slash-separated path, any trailing part of it, or the base name.
// "**/" matches any number of directories.
func matchFileGlob(glob, file string) bool {
	file = filepath.ToSlash(file)
	glob = filepath.ToSlash(glob)
	if strings.HasPrefix(glob, "**/") {
		rest := strings.TrimPrefix(glob, "**/")
		for f := file; ; {
			if ok, _ := path.Match(rest, f); ok {
				return true
			}
			i := strings.IndexByte(f, '/')
			if i < 0 {
				return false
			}
			f = f[i+1:]
		}
	}
	if ok, _ := path.Match(glob, file); ok {
		return true
	}
	if ok, _ := path.Match(glob, strings.TrimPrefix(file, "./")); ok {
		return true
	}
	if !strings.Contains(glob, "/") {
		ok, _ := path.Match(glob, path.Base(file))
		return ok
	}
	return false
}

// pathHasPrefix reports whether JSON path p is prefix or lies under it:
// "Statement[1]" covers "Statement[1].Action[0]" but not "Statement[10]".
func pathHasPrefix(p, prefix string) bool {
	if !strings.HasPrefix(p, prefix) {
		return false
	}
	if len(p) == len(prefix) {
		return true
	}
	switch p[len(prefix)] {
	case '.', '[':
		return true
	}
	return strings.HasSuffix(prefix, ".")
}
