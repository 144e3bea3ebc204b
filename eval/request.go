package eval

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/iamguard/iamguard/catalog"
)

// Request is one API call to decide: who (Principal) does what (Action) to
// which resource, with the request context's keys and values.
type Request struct {
	// Principal is the caller: an IAM user, role or assumed-role session
	// ARN, an account ("123456789012" or its root ARN), a service principal
	// ("lambda.amazonaws.com"), a federated identity provider, a canonical
	// user ID, or "anonymous".
	Principal string
	// PrincipalType forces how Principal is read: "AWS", "Service",
	// "Federated", "CanonicalUser" or "Anonymous". Empty infers it.
	PrincipalType string
	Action        string // "service:Name"; no wildcards
	Resource      string // an ARN, or "*" for actions without resource types
	// ResourceAccount owns the resource when its ARN does not say (S3
	// buckets, for one). Empty means the ARN's account, else the caller's.
	ResourceAccount string
	// Context holds the request context keys (case-insensitive) and their
	// values; a multivalued key has several.
	Context map[string][]string
	// PrincipalTags and ResourceTags become aws:PrincipalTag/<key> and
	// aws:ResourceTag/<key>.
	PrincipalTags map[string]string
	ResourceTags  map[string]string
}

// principalKind is what sort of caller made the request. It decides which
// policy types apply and how a resource policy's Principal matches.
type principalKind uint8

const (
	callerAnonymous     principalKind = iota
	callerAccount                     // the account's root user
	callerUser                        // an IAM user
	callerRoleSession                 // a session of an IAM role (an assumed-role ARN, or the role ARN itself)
	callerFederatedUser               // an STS federated-user session
	callerService                     // an AWS service principal
	callerFederated                   // a web identity or SAML provider
	callerCanonicalUser               // an S3 canonical user ID
)

func (k principalKind) String() string {
	switch k {
	case callerAnonymous:
		return "anonymous caller"
	case callerAccount:
		return "account root user"
	case callerUser:
		return "IAM user"
	case callerRoleSession:
		return "IAM role session"
	case callerFederatedUser:
		return "federated user session"
	case callerService:
		return "AWS service principal"
	case callerFederated:
		return "federated identity provider"
	case callerCanonicalUser:
		return "canonical user"
	}
	return "principal"
}

// principalType is the aws:PrincipalType value AWS sets for the caller.
func (k principalKind) principalType() string {
	switch k {
	case callerAccount:
		return "Account"
	case callerUser:
		return "User"
	case callerRoleSession:
		return "AssumedRole"
	case callerFederatedUser:
		return "FederatedUser"
	case callerAnonymous:
		return "Anonymous"
	}
	return ""
}

// isIAM reports whether the caller is an identity of an AWS account, to
// which identity policies, boundaries and SCPs apply.
func (k principalKind) isIAM() bool {
	return k == callerAccount || k == callerUser || k == callerRoleSession || k == callerFederatedUser
}

type caller struct {
	kind      principalKind
	text      string // as given
	arn       string // the caller's own ARN (session ARN for sessions)
	partition string
	account   string
	userName  string
	roleName  string // for role sessions
	roleARN   string // arn:partition:iam::account:role/name (no path: session ARNs do not carry it)
	session   string
	service   string // lowercased service principal
}

// Prepared is a request parsed once: the principal classified, the action
// resolved in the catalog, the resource split into ARN segments, and every
// context value parsed as number, date, IP address and ARN. Decisions read
// it without allocating. A Prepared is read-only and safe to share.
type Prepared struct {
	req      Request
	caller   caller
	action   string // canonical "prefix:Name"
	actionID catalog.ActionID
	actionLC string // lowercased, what action patterns match
	service  string // lowercased service prefix
	resource arnValue
	// resourceAccount is the account that owns the resource ("" unknown).
	resourceAccount string
	ctx             map[string]*ctxEntry // the context and tags as given, by lowercased key
	// derived are the global keys the request implies (aws:PrincipalArn, …),
	// held inline so that preparing a request allocates little.
	derived     [maxDerived]ctxEntry
	derivedKey  [maxDerived]string // lowercased
	derivedVal  [maxDerived]ctxValue
	derivedUsed int
}

// maxDerived bounds the global keys deriveGlobalKeys can set.
const maxDerived = 8

// ctxEntry is one context key's values.
type ctxEntry struct {
	name   string // as written (or canonical for derived keys)
	values []ctxValue
	// derived is true for keys iamguard filled in from the request.
	derived bool
}

// ctxValue is one value, pre-parsed for every comparison family.
type ctxValue struct {
	s     string
	num   float64
	numOK bool
	time  int64 // Unix nanoseconds
	timOK bool
	ip    netip.Addr
	ipOK  bool
	arn   arnValue
}

func newCtxValue(s string) ctxValue {
	v := ctxValue{s: s}
	if s == "" {
		return v
	}
	// Cheap first-character checks keep failed parses (which allocate
	// their errors) off the common path of ARNs and names.
	c := s[0]
	digit := c >= '0' && c <= '9'
	if digit || c == '-' || c == '+' || c == '.' {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			v.num, v.numOK = f, true
		}
	}
	if digit && len(s) >= 4 {
		if t, ok := parseDate(s); ok {
			v.time, v.timOK = t, true
		}
	}
	if (digit || c == ':' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') && strings.ContainsAny(s, ".:") && !strings.HasPrefix(s, "arn:") {
		if a, err := netip.ParseAddr(s); err == nil {
			v.ip, v.ipOK = a.Unmap(), true
		}
	}
	if strings.HasPrefix(s, "arn:") {
		v.arn = splitARNValue(s)
	}
	return v
}

// FieldError is a request field that cannot be read; Field names it as the
// scenario does ("principal", "action", "context.aws:SourceIp").
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Prepare parses a request once so that it can be decided many times.
func Prepare(r Request) (*Prepared, error) {
	p := &Prepared{req: r}
	c, err := parseCaller(r.Principal, r.PrincipalType)
	if err != nil {
		return nil, &FieldError{Field: "principal", Msg: err.Error()}
	}
	p.caller = c
	if err := p.setAction(r.Action); err != nil {
		return nil, &FieldError{Field: "action", Msg: err.Error()}
	}
	switch {
	case r.Resource == "":
		return nil, &FieldError{Field: "resource", Msg: `missing: give the resource ARN, or "*" for an action without resource types`}
	case r.Resource == "*":
		p.resource = arnValue{s: "*"}
	default:
		if err := checkARN(r.Resource); err != nil {
			return nil, &FieldError{Field: "resource", Msg: err.Error()}
		}
		p.resource = splitARNValue(r.Resource)
	}
	switch {
	case r.ResourceAccount != "":
		if !isAccountID(r.ResourceAccount) {
			return nil, &FieldError{Field: "resourceAccount", Msg: fmt.Sprintf("%q is not a 12-digit account ID", r.ResourceAccount)}
		}
		p.resourceAccount = r.ResourceAccount
	case p.resource.n == maxARNSegments && p.resource.segs[4] != "" && p.resource.segs[4] != "aws":
		p.resourceAccount = p.resource.segs[4]
	default:
		// S3 and a few others leave the account out of the ARN: the
		// resource is taken to be the caller's own unless told otherwise.
		p.resourceAccount = c.account
	}
	p.ctx = make(map[string]*ctxEntry, len(r.Context)+len(r.PrincipalTags)+len(r.ResourceTags))
	for k, vals := range r.Context {
		if k == "" {
			return nil, &FieldError{Field: "context", Msg: "empty context key"}
		}
		e := &ctxEntry{name: k, values: make([]ctxValue, len(vals))}
		for i, s := range vals {
			e.values[i] = newCtxValue(s)
		}
		lk := strings.ToLower(k)
		if old, ok := p.ctx[lk]; ok {
			return nil, &FieldError{Field: "context." + k, Msg: fmt.Sprintf("the key is also given as %q (keys are case-insensitive)", old.name)}
		}
		p.ctx[lk] = e
	}
	for k, v := range r.PrincipalTags {
		p.setTag("aws:PrincipalTag/"+k, v)
	}
	for k, v := range r.ResourceTags {
		p.setTag("aws:ResourceTag/"+k, v)
	}
	p.deriveGlobalKeys()
	return p, nil
}

// setTag sets a tag key unless the context gave it.
func (p *Prepared) setTag(key, value string) {
	lk := strings.ToLower(key)
	if _, ok := p.ctx[lk]; ok {
		return
	}
	p.ctx[lk] = &ctxEntry{name: key, derived: true, values: []ctxValue{newCtxValue(value)}}
}

// derive sets a global key the request implies unless the context gave
// it. key must be given in canonical case; lower is its lowercase.
func (p *Prepared) derive(key, lower, value string) {
	if _, ok := p.ctx[lower]; ok || p.derivedUsed == maxDerived {
		return
	}
	i := p.derivedUsed
	p.derivedUsed++
	p.derivedVal[i] = newCtxValue(value)
	p.derivedKey[i] = lower
	p.derived[i] = ctxEntry{name: key, derived: true, values: p.derivedVal[i : i+1 : i+1]}
}

// deriveGlobalKeys fills the global condition keys AWS sets from the
// principal and the resource. Time keys (aws:CurrentTime, aws:EpochTime) are
// deliberately left out so a decision never depends on the clock: give them
// in the context when a policy tests them.
func (p *Prepared) deriveGlobalKeys() {
	c := &p.caller
	if c.kind.isIAM() {
		principalARN := c.arn
		if c.kind == callerRoleSession {
			principalARN = c.roleARN
		}
		p.derive("aws:PrincipalArn", "aws:principalarn", principalARN)
		p.derive("aws:PrincipalAccount", "aws:principalaccount", c.account)
		p.derive("aws:PrincipalIsAWSService", "aws:principalisawsservice", "false")
	}
	if t := c.kind.principalType(); t != "" {
		p.derive("aws:PrincipalType", "aws:principaltype", t)
	}
	if c.kind == callerUser {
		p.derive("aws:username", "aws:username", c.userName)
	}
	if c.kind == callerService {
		p.derive("aws:PrincipalIsAWSService", "aws:principalisawsservice", "true")
		p.derive("aws:PrincipalServiceName", "aws:principalservicename", c.service)
	}
	if p.resourceAccount != "" {
		p.derive("aws:ResourceAccount", "aws:resourceaccount", p.resourceAccount)
	}
	if p.resource.n == maxARNSegments && p.resource.segs[3] != "" {
		p.derive("aws:RequestedRegion", "aws:requestedregion", p.resource.segs[3])
	}
}

func (p *Prepared) setAction(action string) error {
	if action == "" {
		return fmt.Errorf("missing: give the action as service:Name, e.g. s3:GetObject")
	}
	if strings.ContainsAny(action, "*?") {
		return fmt.Errorf("%q has a wildcard: a request performs one action (the CLI's --action expands wildcards)", action)
	}
	colon := strings.IndexByte(action, ':')
	if colon <= 0 || colon == len(action)-1 {
		return fmt.Errorf("%q is not service:Name", action)
	}
	cat := catalog.Default()
	a, err := cat.Action(action)
	if err != nil {
		return err
	}
	p.action = a.FullName()
	p.actionID = a.ID
	p.actionLC = strings.ToLower(p.action)
	p.service = strings.ToLower(a.Service.Prefix)
	return nil
}

// Action returns the canonical action name; Resource the resource.
func (p *Prepared) Action() string   { return p.action }
func (p *Prepared) Resource() string { return p.resource.s }

// Request returns the request as it was given.
func (p *Prepared) Request() Request { return p.req }

// variable resolves a policy variable. Only single-valued keys can be
// variables.
func (p *Prepared) variable(key string) (string, bool) {
	e := p.lookup(key)
	if e == nil || len(e.values) != 1 {
		return "", false
	}
	return e.values[0].s, true
}

// lookup returns a context key's entry (key lowercased).
func (p *Prepared) lookup(key string) *ctxEntry {
	if e, ok := p.ctx[key]; ok {
		return e
	}
	for i := 0; i < p.derivedUsed; i++ {
		if p.derivedKey[i] == key {
			return &p.derived[i]
		}
	}
	return nil
}

// sameAccount reports whether the caller and the resource are in one account.
func (p *Prepared) sameAccount() bool {
	return p.caller.account != "" && (p.resourceAccount == "" || p.resourceAccount == p.caller.account)
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isCanonicalUserID(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// checkARN validates the shape arn:partition:service:region:account:resource.
func checkARN(s string) error {
	v := splitARNValue(s)
	if v.n != maxARNSegments {
		return fmt.Errorf("%q is not an ARN (arn:partition:service:region:account:resource)", s)
	}
	if v.segs[1] == "" || v.segs[2] == "" || v.segs[5] == "" {
		return fmt.Errorf("%q is not an ARN: the partition, service and resource parts must not be empty", s)
	}
	if acct := v.segs[4]; acct != "" && acct != "aws" && !isAccountID(acct) {
		return fmt.Errorf("%q is not an ARN: the account %q is not 12 digits", s, acct)
	}
	return nil
}

// isFederatedProvider recognizes the web identity providers AWS names by host.
func isFederatedProvider(s string) bool {
	switch strings.ToLower(s) {
	case "cognito-identity.amazonaws.com", "accounts.google.com", "graph.facebook.com", "www.amazon.com", "appleid.apple.com":
		return true
	}
	return false
}

func parseCaller(s, typ string) (caller, error) {
	c := caller{text: s}
	switch typ {
	case "", "AWS", "Service", "Federated", "CanonicalUser", "Anonymous":
	default:
		return c, fmt.Errorf("principalType %q: want AWS, Service, Federated, CanonicalUser or Anonymous", typ)
	}
	switch {
	case s == "" && typ != "Anonymous":
		return c, fmt.Errorf(`missing: give the caller's ARN, an account ID, a service principal, or "anonymous"`)
	case typ == "Anonymous" || strings.EqualFold(s, "anonymous"):
		c.kind = callerAnonymous
		return c, nil
	case typ == "Service" || typ == "" && !strings.HasPrefix(s, "arn:") && !isFederatedProvider(s) &&
		(strings.HasSuffix(s, ".amazonaws.com") || strings.HasSuffix(s, ".amazonaws.com.cn")):
		c.kind, c.service = callerService, strings.ToLower(s)
		return c, nil
	case typ == "CanonicalUser" || typ == "" && isCanonicalUserID(s):
		c.kind = callerCanonicalUser
		return c, nil
	case typ == "Federated" || typ == "" && isFederatedProvider(s):
		c.kind = callerFederated
		return c, nil
	case isAccountID(s):
		c.kind, c.account, c.partition = callerAccount, s, "aws"
		c.arn = "arn:aws:iam::" + s + ":root"
		return c, nil
	}
	if err := checkARN(s); err != nil {
		return c, fmt.Errorf("%v; a caller is an ARN, an account ID, a service principal (name.amazonaws.com), a federated provider or \"anonymous\"", err)
	}
	v := splitARNValue(s)
	c.partition, c.account, c.arn = v.segs[1], v.segs[4], s
	service, res := v.segs[2], v.segs[5]
	if !isAccountID(c.account) {
		return c, fmt.Errorf("%q: a principal ARN needs a 12-digit account", s)
	}
	switch {
	case service == "iam" && res == "root":
		c.kind = callerAccount
	case service == "iam" && strings.HasPrefix(res, "user/"):
		c.kind = callerUser
		c.userName = res[strings.LastIndexByte(res, '/')+1:]
	case service == "iam" && strings.HasPrefix(res, "role/"):
		// A role ARN as the caller stands for a session of that role.
		c.kind = callerRoleSession
		c.roleName = res[strings.LastIndexByte(res, '/')+1:]
		c.roleARN = "arn:" + c.partition + ":iam::" + c.account + ":role/" + c.roleName
	case service == "iam" && (strings.HasPrefix(res, "saml-provider/") || strings.HasPrefix(res, "oidc-provider/")):
		c.kind = callerFederated
		c.account = ""
	case service == "sts" && strings.HasPrefix(res, "assumed-role/"):
		parts := strings.Split(res, "/")
		if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
			return c, fmt.Errorf("%q: an assumed-role ARN is arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION", s)
		}
		c.kind, c.roleName, c.session = callerRoleSession, parts[1], parts[2]
		c.roleARN = "arn:" + c.partition + ":iam::" + c.account + ":role/" + c.roleName
	case service == "sts" && strings.HasPrefix(res, "federated-user/"):
		c.kind = callerFederatedUser
		c.userName = strings.TrimPrefix(res, "federated-user/")
	default:
		return c, fmt.Errorf("%q is not a principal ARN (user, role, assumed-role, federated-user or root)", s)
	}
	return c, nil
}

// dateLayouts are the ISO 8601 forms AWS accepts in Date conditions.
func dateLayouts() [8]string {
	return [...]string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05Z0700",
		"2006-01-02T15:04Z07:00",
		"2006-01-02T15:04:05",
		"2006-01-02T15:04",
		"2006-01-02",
		"2006-01",
		"2006",
	}
}

// parseDate reads an ISO 8601 date-time or epoch seconds into Unix
// nanoseconds. A date without a zone is UTC.
func parseDate(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if isDigits(s) && len(s) > 4 {
		secs, err := strconv.ParseInt(s, 10, 64)
		if err != nil || secs > 9e9 {
			return 0, false
		}
		return secs * int64(time.Second), true
	}
	if len(s) < 4 || !isDigits(s[:4]) {
		return 0, false
	}
	for _, layout := range dateLayouts() {
		if !layoutFits(layout, s) {
			continue
		}
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixNano(), true
		}
	}
	return 0, false
}

// layoutFits skips layouts that cannot parse s (each failed time.Parse
// allocates its error): a date-only layout needs a date-only value.
func layoutFits(layout, s string) bool {
	hasT := strings.IndexByte(s, 'T') >= 0
	switch layout {
	case "2006-01-02", "2006-01", "2006":
		return !hasT && len(s) == len(layout)
	}
	return hasT
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
