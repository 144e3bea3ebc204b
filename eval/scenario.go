package eval

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/iamguard/iamguard/node"
	"github.com/iamguard/iamguard/policy"
)

// Scenario is one request and every policy that applies to it: what
// `iamguard simulate` reads (DESIGN.md's scenario contract, JSON or YAML).
type Scenario struct {
	File        string
	Name        string
	Description string
	// Expect is the decision the author expects: "allowed", "denied",
	// "explicitDeny" or "implicitDeny" (empty when not said).
	Expect    string
	ExpectPos node.Pos
	Request   Request
	Policies  Policies

	prepared *Prepared
	set      *PolicySet
}

// Prepared returns the scenario's request, parsed (ParseScenario already
// checked that it parses).
func (s *Scenario) Prepared() *Prepared { return s.prepared }

// PolicySet returns the scenario's policies, compiled by ParseScenario.
func (s *Scenario) PolicySet() *PolicySet { return s.set }

// ExpectMet reports whether d satisfies the scenario's Expect ("denied"
// accepts either deny). An empty Expect is always met.
func ExpectMet(expect string, d Decision) bool {
	switch expect {
	case "":
		return true
	case "denied":
		return d != Allowed
	}
	return expect == d.String()
}

// ExpectValues lists, for messages, the expectations a scenario or a
// caller may state.
const ExpectValues = "allowed, denied, explicitDeny or implicitDeny"

// ValidExpect reports whether expect is one a scenario may say.
func ValidExpect(expect string) bool {
	switch expect {
	case "allowed", "denied", "explicitDeny", "implicitDeny":
		return true
	}
	return false
}

// ParseScenario reads a scenario written as JSON or YAML. Every error names
// file:line:col: text that is not JSON or YAML (a *node.SyntaxError), and
// an ErrorList for unknown or missing fields, malformed ARNs, unknown
// condition operators and policy grammar errors.
func ParseScenario(file string, data []byte) (*Scenario, error) {
	n, err := node.Parse(file, data)
	if err != nil {
		return nil, err
	}
	s, err := decodeScenario(n, file, nil)
	if err != nil {
		return nil, err
	}
	if s.set, err = Compile(s.Policies); err != nil {
		return nil, err
	}
	return s, nil
}

// scenarioFields are the top-level fields a scenario may have.
func scenarioFields() []string {
	return []string{
		"name", "description", "expect", "request",
		"identityPolicies", "resourcePolicy", "trustPolicy", "kmsKeyPolicy",
		"permissionsBoundary", "serviceControlPolicies", "resourceControlPolicies", "sessionPolicy",
	}
}

func requestFields() []string {
	return []string{
		"principal", "principalType", "action", "resource", "resourceAccount",
		"context", "principalTags", "resourceTags",
	}
}

// policyCache lets the batch runner decode each distinct policy (the
// item as written, {name, document} wrapper included) once.
type policyCache interface {
	cachedPolicy(n *node.Node, path string, typ PolicyType) *policy.Policy
	storePolicy(n *node.Node, path string, typ PolicyType, p *policy.Policy)
}

type scenarioDecoder struct {
	file      string
	errs      ErrorList
	cache     policyCache
	fieldPos  map[string]node.Pos
	resources []string // fields that gave the resource policy
}

func decodeScenario(n *node.Node, file string, cache policyCache) (*Scenario, error) {
	d := &scenarioDecoder{file: file, cache: cache, fieldPos: map[string]node.Pos{}}
	s := &Scenario{File: file}
	if n.Kind != node.Object {
		d.errs.add(n.Pos, "", fmt.Sprintf("a scenario is an object with request and policies, not %s", article(n.Kind)))
		return nil, d.errs.err()
	}
	var requestNode *node.Node
	seen := map[string]bool{}
	for _, f := range n.Fields {
		if seen[f.Key] {
			d.errs.add(f.KeyPos, f.Key, fmt.Sprintf("field %q is given twice", f.Key))
			continue
		}
		seen[f.Key] = true
		switch f.Key {
		case "name":
			s.Name = d.str(f.Value, f.Key)
		case "description":
			s.Description = d.str(f.Value, f.Key)
		case "expect":
			s.Expect, s.ExpectPos = d.str(f.Value, f.Key), f.Value.Pos
			if !ValidExpect(s.Expect) {
				d.errs.add(f.Value.Pos, f.Key, fmt.Sprintf("expect %q: want %s", s.Expect, ExpectValues))
			}
		case "request":
			requestNode = f.Value
			d.request(&s.Request, f.Value)
		case "identityPolicies":
			for i, item := range d.array(f.Value, f.Key) {
				if p := d.policy(item, fmt.Sprintf("identityPolicies[%d]", i), IdentityPolicy); p != nil {
					s.Policies.Identity = append(s.Policies.Identity, p)
				}
			}
		case "resourcePolicy", "trustPolicy", "kmsKeyPolicy":
			d.resources = append(d.resources, f.Key)
			if len(d.resources) > 1 {
				d.errs.add(f.KeyPos, f.Key, fmt.Sprintf("%s and %s are both the resource's policy: give one", d.resources[0], f.Key))
				continue
			}
			s.Policies.Resource = d.policy(f.Value, f.Key, ResourcePolicy)
		case "permissionsBoundary":
			s.Policies.Boundary = d.policy(f.Value, f.Key, PermissionsBoundary)
		case "sessionPolicy":
			s.Policies.Session = d.policy(f.Value, f.Key, SessionPolicy)
		case "serviceControlPolicies":
			s.Policies.SCPs = d.levels(f.Value, f.Key, ServiceControlPolicy)
		case "resourceControlPolicies":
			s.Policies.RCPs = d.levels(f.Value, f.Key, ResourceControlPolicy)
		default:
			d.unknown(f, scenarioFields(), "scenario")
		}
	}
	if requestNode == nil {
		d.errs.add(n.Pos, "request", "the scenario has no request: give request.principal, request.action and request.resource")
	}
	if len(d.errs) == 0 {
		p, err := Prepare(s.Request)
		if err != nil {
			var fe *FieldError
			if errors.As(err, &fe) {
				pos, ok := d.fieldPos[fe.Field]
				if !ok {
					pos = requestNode.Pos
				}
				d.errs.add(pos, "request."+fe.Field, err.Error())
			} else {
				d.errs.add(requestNode.Pos, "request", err.Error())
			}
		}
		s.prepared = p
	}
	if err := d.errs.err(); err != nil {
		return nil, err
	}
	return s, nil
}

func (d *scenarioDecoder) unknown(f *node.Field, valid []string, what string) {
	msg := fmt.Sprintf("unknown %s field %q", what, f.Key)
	for _, v := range valid {
		if strings.EqualFold(v, f.Key) {
			msg += fmt.Sprintf(" (did you mean %q? field names are case-sensitive)", v)
			d.errs.add(f.KeyPos, f.Key, msg)
			return
		}
	}
	msg += " (known: " + strings.Join(valid, ", ") + ")"
	d.errs.add(f.KeyPos, f.Key, msg)
}

func article(k node.Kind) string {
	switch k {
	case node.Array, node.Object:
		return "an " + k.String()
	}
	return "a " + k.String()
}

func (d *scenarioDecoder) str(n *node.Node, path string) string {
	if n.Kind != node.String {
		d.errs.add(n.Pos, path, fmt.Sprintf("%s must be a string, not %s", path, article(n.Kind)))
		return ""
	}
	return n.Text
}

// scalar accepts a string, number or boolean as text (context values such
// as 10 or true are written unquoted in YAML).
func (d *scenarioDecoder) scalar(n *node.Node, path string) (string, bool) {
	switch n.Kind {
	case node.String, node.Number, node.Bool:
		return n.Text, true
	}
	d.errs.add(n.Pos, path, fmt.Sprintf("%s must be a string, number or boolean, not %s", path, article(n.Kind)))
	return "", false
}

func (d *scenarioDecoder) array(n *node.Node, path string) []*node.Node {
	if n.Kind != node.Array {
		d.errs.add(n.Pos, path, fmt.Sprintf("%s must be an array, not %s", path, article(n.Kind)))
		return nil
	}
	return n.Items
}

func (d *scenarioDecoder) request(r *Request, n *node.Node) {
	if n.Kind != node.Object {
		d.errs.add(n.Pos, "request", "request must be an object with principal, action and resource")
		return
	}
	for _, f := range n.Fields {
		d.fieldPos[f.Key] = f.Value.Pos
		path := "request." + f.Key
		switch f.Key {
		case "principal":
			r.Principal = d.str(f.Value, path)
		case "principalType":
			r.PrincipalType = d.str(f.Value, path)
		case "action":
			r.Action = d.str(f.Value, path)
		case "resource":
			r.Resource = d.str(f.Value, path)
		case "resourceAccount":
			// YAML reads an unquoted account ID as a number: accept it.
			r.ResourceAccount, _ = d.scalar(f.Value, path)
		case "context":
			r.Context = d.context(f.Value, path)
		case "principalTags":
			r.PrincipalTags = d.tags(f.Value, path)
		case "resourceTags":
			r.ResourceTags = d.tags(f.Value, path)
		default:
			d.unknown(f, requestFields(), "request")
		}
	}
	for _, req := range []string{"principal", "action", "resource"} {
		if n.Get(req) == nil {
			d.errs.add(n.Pos, "request."+req, fmt.Sprintf("request has no %s", req))
		}
	}
}

func (d *scenarioDecoder) context(n *node.Node, path string) map[string][]string {
	if n.Kind != node.Object {
		d.errs.add(n.Pos, path, "context must be an object: key → value or list of values")
		return nil
	}
	out := make(map[string][]string, len(n.Fields))
	for _, f := range n.Fields {
		d.fieldPos["context."+f.Key] = f.KeyPos
		kp := path + "." + f.Key
		if f.Value.Kind == node.Array {
			vals := make([]string, 0, len(f.Value.Items))
			for _, it := range f.Value.Items {
				if s, ok := d.scalar(it, kp); ok {
					vals = append(vals, s)
				}
			}
			out[f.Key] = vals
			continue
		}
		if s, ok := d.scalar(f.Value, kp); ok {
			out[f.Key] = []string{s}
		}
	}
	return out
}

func (d *scenarioDecoder) tags(n *node.Node, path string) map[string]string {
	if n.Kind != node.Object {
		d.errs.add(n.Pos, path, path+" must be an object: tag key → value")
		return nil
	}
	out := make(map[string]string, len(n.Fields))
	for _, f := range n.Fields {
		if s, ok := d.scalar(f.Value, path+"."+f.Key); ok {
			out[f.Key] = s
		}
	}
	return out
}

// policy decodes a policy: a document, or {name, document}.
func (d *scenarioDecoder) policy(n *node.Node, path string, typ PolicyType) *policy.Policy {
	if n.Kind != node.Object {
		d.errs.add(n.Pos, path, fmt.Sprintf("%s must be a policy document or {name, document}, not %s", path, article(n.Kind)))
		return nil
	}
	if d.cache != nil {
		if p := d.cache.cachedPolicy(n, path, typ); p != nil {
			return p
		}
	}
	item, itemPath := n, path
	name := ""
	doc := n
	if n.Get("document") != nil {
		for _, f := range n.Fields {
			switch f.Key {
			case "name":
				name = d.str(f.Value, path+".name")
			case "document":
				doc = f.Value
			default:
				d.unknown(f, []string{"name", "document"}, "policy")
			}
		}
		path += ".document"
		if doc.Kind != node.Object {
			d.errs.add(doc.Pos, path, fmt.Sprintf("%s must be a policy document, not %s", path, article(doc.Kind)))
			return nil
		}
	}
	p := policy.Decode(doc, d.file, path+".")
	if name != "" {
		p.Name = name
	} else if p.Name == "" {
		p.Name = strings.TrimSuffix(path, ".document")
	}
	for _, pr := range p.Problems {
		d.errs.add(pr.Pos, pr.Path, pr.Message)
	}
	if d.cache != nil && len(p.Problems) == 0 {
		d.cache.storePolicy(item, itemPath, typ, p)
	}
	return p
}

// levels decodes SCPs or RCPs: one array of policies per level, root first.
// A flat array of policies is taken as a single level.
func (d *scenarioDecoder) levels(n *node.Node, path string, typ PolicyType) [][]*policy.Policy {
	items := d.array(n, path)
	if items == nil {
		return nil
	}
	flat := len(items) > 0 && !slices.ContainsFunc(items, func(it *node.Node) bool { return it.Kind == node.Array })
	if flat {
		items = []*node.Node{n}
	}
	out := make([][]*policy.Policy, 0, len(items))
	for li, level := range items {
		lp := path + "[" + strconv.Itoa(li) + "]"
		if flat {
			lp = path
		}
		pols := d.array(level, lp)
		lv := make([]*policy.Policy, 0, len(pols))
		for pi, pn := range pols {
			if p := d.policy(pn, lp+"["+strconv.Itoa(pi)+"]", typ); p != nil {
				lv = append(lv, p)
			}
		}
		out = append(out, lv)
	}
	return out
}
