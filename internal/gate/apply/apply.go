// Package apply carries an approved change to AWS. One plan of calls is
// built per change; the dry-run Applier prints it as exact AWS CLI lines,
// the AWS Applier makes the same calls with the AWS SDK. IAM resources are
// created through IAM's own API (CreatePolicy, CreateRole, PutRolePolicy,
// AttachRolePolicy…); everything else, and every update and delete, goes
// through Cloud Control.
package apply

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Request is one change to carry out, as the gate hands it over: content
// already scanned, approved and tagged.
type Request struct {
	ChangeID    string
	ContentHash string
	Environment string
	// Account, Region and Profile come from the environment's configuration.
	// When Account is set the AWS applier refuses credentials of another
	// account.
	Account, Region, Profile string

	Operation    string // create, read, update, delete
	ResourceType string
	Identifier   string
	Properties   map[string]any
}

// Call is one AWS API call an apply makes (or would make).
type Call struct {
	// API is service:Operation, e.g. iam:CreatePolicy.
	API string `json:"api"`
	// CLI is the AWS CLI command line that makes the same call.
	CLI string `json:"cli"`
	// Files are the documents the command line reads with file://.
	Files []File `json:"files,omitempty"`
}

// File is a document a call reads.
type File struct {
	Path    string `json:"path"`
	Content []byte `json:"-"`
}

// Result is what an apply did.
type Result struct {
	DryRun bool   `json:"dryRun"`
	Calls  []Call `json:"calls"`
	// Identifier is the resource's identifier once applied (a policy ARN, a
	// role name, Cloud Control's identifier), when known.
	Identifier string `json:"identifier,omitempty"`
	// Status is Cloud Control's final operation status, when it was used.
	Status string `json:"status,omitempty"`
}

// Applier carries out a change.
type Applier interface {
	Apply(ctx context.Context, req Request) (*Result, error)
}

// Validate reports whether a request can be turned into calls (required
// properties present and of the right type), without calling anything.
func Validate(req Request) error {
	_, err := buildSteps(req, "")
	return err
}

// step is one call: how to print it and how to make it.
type step struct {
	api   string
	args  []string // after "aws"; a leading "VAR=$(" capture is in assign
	files []File
	// assign, when set, captures the command's output in a shell variable.
	assign string
	// comment is printed after the command line.
	comment string
	// raw marks args (by index) that are already quoted for the shell
	// because they expand a variable the lines set ($ACCOUNT_ID,
	// $REQUEST_TOKEN); every other arg is quoted when printed.
	raw map[int]bool
	run func(ctx context.Context, c *clients, st *runState) error
}

// runState carries values from one call to the next.
type runState struct {
	policyARN    string
	requestToken string
	identifier   string
	status       string
}

func (s step) call() Call {
	var b strings.Builder
	if s.assign != "" {
		b.WriteString(s.assign + "=$(")
	}
	b.WriteString("aws")
	for i, a := range s.args {
		b.WriteByte(' ')
		if s.raw[i] {
			b.WriteString(a)
		} else {
			b.WriteString(shellQuote(a))
		}
	}
	if s.assign != "" {
		b.WriteString(")")
	}
	if s.comment != "" {
		b.WriteString("  # " + s.comment)
	}
	return Call{API: s.api, CLI: b.String(), Files: s.files}
}

// shellQuote quotes a word for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,@+%", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// builder assembles the steps of one request.
type builder struct {
	req   Request
	dir   string
	steps []step
}

func (b *builder) file(name string, v any) (File, string, error) {
	data, err := canonicalIndent(v)
	if err != nil {
		return File{}, "", err
	}
	p := name
	if b.dir != "" {
		p = filepath.Join(b.dir, name)
	}
	return File{Path: p, Content: data}, "file://" + p, nil
}

// common appends the profile (and region) flags of the environment.
func (b *builder) common(args []string, region bool) []string {
	if region && b.req.Region != "" {
		args = append(args, "--region", b.req.Region)
	}
	if b.req.Profile != "" {
		args = append(args, "--profile", b.req.Profile)
	}
	return args
}

func (b *builder) add(s step) { b.steps = append(b.steps, s) }

// buildSteps turns a request into calls; dir is where file:// documents are
// said to be (the dry-run writes them there).
func buildSteps(req Request, dir string) ([]step, error) {
	b := &builder{req: req, dir: dir}
	if req.ResourceType == "" {
		return nil, errors.New("no resource type")
	}
	b.callerIdentity()
	var err error
	switch {
	case req.Operation == "create" && req.ResourceType == "AWS::IAM::ManagedPolicy":
		err = b.createManagedPolicy()
	case req.Operation == "create" && req.ResourceType == "AWS::IAM::Role":
		err = b.createRole()
	case req.Operation == "create" && req.ResourceType == "AWS::IAM::RolePolicy":
		err = b.createRolePolicy()
	case req.Operation == "create" && req.ResourceType == "AWS::IAM::Policy":
		err = b.createInlinePolicy()
	case req.Operation == "create":
		err = b.cloudControlCreate()
	case req.Operation == "update":
		err = b.cloudControlUpdate()
	case req.Operation == "delete":
		err = b.cloudControlDelete()
	case req.Operation == "read":
		err = b.cloudControlRead()
	default:
		err = fmt.Errorf("unknown operation %q", req.Operation)
	}
	if err != nil {
		return nil, err
	}
	return b.steps, nil
}

// callerIdentity is the first call: it names the account the credentials
// belong to, so a change for one environment never lands in another.
func (b *builder) callerIdentity() {
	s := step{
		api:  "sts:GetCallerIdentity",
		args: b.common([]string{"sts", "get-caller-identity", "--query", "Account", "--output", "text"}, false),
		run:  runCallerIdentity,
	}
	if b.req.Account != "" {
		s.comment = "must print " + b.req.Account + " (environment " + b.req.Environment + ")"
	} else {
		s.assign = "ACCOUNT_ID"
	}
	b.add(s)
}

// accountVar is what the dry-run lines say where the account is not
// configured: the first line sets it from the credentials.
const accountVar = "${ACCOUNT_ID}"

func (b *builder) account() string {
	if b.req.Account != "" {
		return b.req.Account
	}
	return accountVar
}

// expandQuote double-quotes s for the shell so that ${ACCOUNT_ID} in it
// expands and nothing else does.
func expandQuote(s string) string {
	esc := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", "$", `\$`)
	parts := strings.Split(s, accountVar)
	for i, p := range parts {
		parts[i] = esc.Replace(p)
	}
	return `"` + strings.Join(parts, accountVar) + `"`
}

func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// props reads typed properties, collecting what is wrong.
type props struct {
	m    map[string]any
	errs []string
}

func (p *props) str(key string, required bool) string {
	v, ok := p.m[key]
	if !ok || v == nil {
		if required {
			p.errs = append(p.errs, key+" is required")
		}
		return ""
	}
	switch t := v.(type) {
	case string:
		if required && t == "" {
			p.errs = append(p.errs, key+" must not be empty")
		}
		return t
	case json.Number:
		return t.String()
	}
	p.errs = append(p.errs, key+" must be a string")
	return ""
}

func (p *props) doc(key string, required bool) map[string]any {
	v, ok := p.m[key]
	if !ok || v == nil {
		if required {
			p.errs = append(p.errs, key+" is required")
		}
		return nil
	}
	if s, isStr := v.(string); isStr {
		// CloudFormation also takes a policy document as a JSON string.
		var m map[string]any
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		if err := dec.Decode(&m); err == nil {
			return m
		}
	}
	m, ok := v.(map[string]any)
	if !ok {
		p.errs = append(p.errs, key+" must be a policy document (an object)")
		return nil
	}
	return m
}

func (p *props) strings(key string) []string {
	v, ok := p.m[key]
	if !ok || v == nil {
		return nil
	}
	l, ok := v.([]any)
	if !ok {
		p.errs = append(p.errs, key+" must be a list of strings")
		return nil
	}
	out := make([]string, 0, len(l))
	for _, x := range l {
		s, ok := x.(string)
		if !ok {
			p.errs = append(p.errs, key+" must be a list of strings")
			return nil
		}
		out = append(out, s)
	}
	return out
}

func (p *props) err(resourceType string) error {
	if len(p.errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s properties: %s", resourceType, strings.Join(p.errs, "; "))
}

// tagList reads Tags as [{Key, Value}] in key order.
func tagList(m map[string]any) []tag {
	var out []tag
	switch t := m["Tags"].(type) {
	case []any:
		for _, e := range t {
			if o, ok := e.(map[string]any); ok {
				k, _ := o["Key"].(string)
				out = append(out, tag{Key: k, Value: fmt.Sprint(valueOr(o["Value"], ""))})
			}
		}
	case map[string]any:
		for k, v := range t {
			out = append(out, tag{Key: k, Value: fmt.Sprint(valueOr(v, ""))})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

func valueOr(v, def any) any {
	if v == nil {
		return def
	}
	return v
}

func tagsJSON(tags []tag) string {
	b, _ := json.Marshal(tags) // plain strings always marshal
	return string(b)
}

// canonicalIndent renders a document the way it is written to a file: keys
// sorted, two-space indent, no HTML escaping.
func canonicalIndent(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// compactJSON renders a document as the one-line string IAM's API takes.
func compactJSON(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimRight(buf.String(), "\n"), nil
}

func (b *builder) createManagedPolicy() error {
	p := &props{m: b.req.Properties}
	name := p.str("ManagedPolicyName", false)
	if alias := p.str("PolicyName", false); name == "" {
		name = alias
	} else if alias != "" && alias != name {
		p.errs = append(p.errs, "ManagedPolicyName and PolicyName differ")
	}
	if name == "" {
		p.errs = append(p.errs, "ManagedPolicyName (or PolicyName) is required: iamguard names every policy")
	}
	doc := p.doc("PolicyDocument", true)
	path := p.str("Path", false)
	desc := p.str("Description", false)
	roles, users, groups := p.strings("Roles"), p.strings("Users"), p.strings("Groups")
	if err := p.err(b.req.ResourceType); err != nil {
		return err
	}
	f, ref, err := b.file("policy-document.json", doc)
	if err != nil {
		return err
	}
	docJSON, err := compactJSON(doc)
	if err != nil {
		return err
	}
	tags := tagList(b.req.Properties)
	args := []string{"iam", "create-policy", "--policy-name", name, "--policy-document", ref}
	if path != "" {
		args = append(args, "--path", path)
	}
	if desc != "" {
		args = append(args, "--description", desc)
	}
	if len(tags) > 0 {
		args = append(args, "--tags", tagsJSON(tags))
	}
	b.add(step{
		api: "iam:CreatePolicy", args: b.common(args, false), files: []File{f},
		run: func(ctx context.Context, c *clients, st *runState) error {
			arn, err := c.createPolicy(ctx, name, docJSON, path, desc, tags)
			st.policyARN, st.identifier = arn, arn
			return err
		},
	})
	if path == "" {
		path = "/"
	}
	arn := fmt.Sprintf("arn:%s:iam::%s:policy%s%s", partition(b.req.Region), b.account(), path, name)
	for _, kind := range []struct {
		api, cmd, flag string
		names          []string
	}{
		{"iam:AttachRolePolicy", "attach-role-policy", "--role-name", roles},
		{"iam:AttachUserPolicy", "attach-user-policy", "--user-name", users},
		{"iam:AttachGroupPolicy", "attach-group-policy", "--group-name", groups},
	} {
		for _, who := range kind.names {
			api := kind.api
			args := []string{"iam", kind.cmd, kind.flag, who, "--policy-arn", arn}
			var raw map[int]bool
			if strings.Contains(arn, accountVar) {
				args[5], raw = expandQuote(arn), map[int]bool{5: true}
			}
			b.add(step{
				api:  api,
				raw:  raw,
				args: b.common(args, false),
				run: func(ctx context.Context, c *clients, st *runState) error {
					return c.attachPolicy(ctx, api, who, st.policyARN)
				},
			})
		}
	}
	return nil
}

func (b *builder) createRole() error {
	p := &props{m: b.req.Properties}
	name := p.str("RoleName", true)
	trust := p.doc("AssumeRolePolicyDocument", true)
	path := p.str("Path", false)
	desc := p.str("Description", false)
	boundary := p.str("PermissionsBoundary", false)
	maxSession := p.str("MaxSessionDuration", false)
	managed := p.strings("ManagedPolicyArns")
	type inline struct {
		name string
		doc  map[string]any
	}
	var inlines []inline
	if raw, ok := b.req.Properties["Policies"]; ok {
		list, ok := raw.([]any)
		if !ok {
			p.errs = append(p.errs, "Policies must be a list")
		}
		for i, e := range list {
			pp := &props{m: asMap(e)}
			in := inline{name: pp.str("PolicyName", true), doc: pp.doc("PolicyDocument", true)}
			for _, msg := range pp.errs {
				p.errs = append(p.errs, fmt.Sprintf("Policies[%d].%s", i, msg))
			}
			inlines = append(inlines, in)
		}
	}
	var maxSeconds int32
	if maxSession != "" {
		n, err := strconv.Atoi(maxSession)
		if err != nil || n < 3600 || n > 43200 {
			p.errs = append(p.errs, "MaxSessionDuration must be 3600 to 43200 seconds")
		}
		maxSeconds = int32(n)
	}
	if err := p.err(b.req.ResourceType); err != nil {
		return err
	}
	f, ref, err := b.file("assume-role-policy.json", trust)
	if err != nil {
		return err
	}
	trustJSON, err := compactJSON(trust)
	if err != nil {
		return err
	}
	tags := tagList(b.req.Properties)
	args := []string{"iam", "create-role", "--role-name", name, "--assume-role-policy-document", ref}
	if path != "" {
		args = append(args, "--path", path)
	}
	if desc != "" {
		args = append(args, "--description", desc)
	}
	if maxSession != "" {
		args = append(args, "--max-session-duration", maxSession)
	}
	if boundary != "" {
		args = append(args, "--permissions-boundary", boundary)
	}
	if len(tags) > 0 {
		args = append(args, "--tags", tagsJSON(tags))
	}
	b.add(step{
		api: "iam:CreateRole", args: b.common(args, false), files: []File{f},
		run: func(ctx context.Context, c *clients, st *runState) error {
			arn, err := c.createRole(ctx, name, trustJSON, path, desc, boundary, maxSeconds, tags)
			st.identifier = name
			_ = arn
			return err
		},
	})
	for i, in := range inlines {
		if err := b.putPolicy("iam:PutRolePolicy", "put-role-policy", "--role-name", name, in.name, in.doc, fmt.Sprintf("role-policy-%d.json", i)); err != nil {
			return err
		}
	}
	for _, arn := range managed {
		b.add(step{
			api:  "iam:AttachRolePolicy",
			args: b.common([]string{"iam", "attach-role-policy", "--role-name", name, "--policy-arn", arn}, false),
			run: func(ctx context.Context, c *clients, st *runState) error {
				return c.attachPolicy(ctx, "iam:AttachRolePolicy", name, arn)
			},
		})
	}
	return nil
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	if m == nil {
		return map[string]any{}
	}
	return m
}

func (b *builder) putPolicy(api, cmd, flag, who, policyName string, doc map[string]any, fileName string) error {
	f, ref, err := b.file(fileName, doc)
	if err != nil {
		return err
	}
	docJSON, err := compactJSON(doc)
	if err != nil {
		return err
	}
	b.add(step{
		api:   api,
		args:  b.common([]string{"iam", cmd, flag, who, "--policy-name", policyName, "--policy-document", ref}, false),
		files: []File{f},
		run: func(ctx context.Context, c *clients, st *runState) error {
			if st.identifier == "" {
				st.identifier = policyName
			}
			return c.putPolicy(ctx, api, who, policyName, docJSON)
		},
	})
	return nil
}

func (b *builder) createRolePolicy() error {
	p := &props{m: b.req.Properties}
	role := p.str("RoleName", true)
	name := p.str("PolicyName", true)
	doc := p.doc("PolicyDocument", true)
	if err := p.err(b.req.ResourceType); err != nil {
		return err
	}
	return b.putPolicy("iam:PutRolePolicy", "put-role-policy", "--role-name", role, name, doc, "policy-document.json")
}

func (b *builder) createInlinePolicy() error {
	p := &props{m: b.req.Properties}
	name := p.str("PolicyName", true)
	doc := p.doc("PolicyDocument", true)
	roles, users, groups := p.strings("Roles"), p.strings("Users"), p.strings("Groups")
	if len(roles)+len(users)+len(groups) == 0 {
		p.errs = append(p.errs, "an inline policy needs Roles, Users or Groups to attach to")
	}
	if err := p.err(b.req.ResourceType); err != nil {
		return err
	}
	n := 0
	for _, kind := range []struct {
		api, cmd, flag string
		names          []string
	}{
		{"iam:PutRolePolicy", "put-role-policy", "--role-name", roles},
		{"iam:PutUserPolicy", "put-user-policy", "--user-name", users},
		{"iam:PutGroupPolicy", "put-group-policy", "--group-name", groups},
	} {
		for _, who := range kind.names {
			if err := b.putPolicy(kind.api, kind.cmd, kind.flag, who, name, doc, fmt.Sprintf("policy-document-%d.json", n)); err != nil {
				return err
			}
			n++
		}
	}
	return nil
}

// clientToken makes Cloud Control requests idempotent: a retried apply of
// the same change and content is the same request.
func (b *builder) clientToken() string {
	h := b.req.ContentHash
	if len(h) > 16 {
		h = h[:16]
	}
	tok := "iamguard-" + b.req.ChangeID + "-" + h
	var out strings.Builder
	for _, r := range tok {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			out.WriteRune(r)
		}
	}
	s := out.String()
	if len(s) > 128 {
		s = s[:128]
	}
	return s
}

func (b *builder) needIdentifier() error {
	if b.req.Identifier == "" {
		return fmt.Errorf("a %s needs the resource's identifier", b.req.Operation)
	}
	return nil
}

func (b *builder) cloudControlCreate() error {
	desired, err := compactJSON(b.req.Properties)
	if err != nil {
		return err
	}
	props := b.req.Properties
	if props == nil {
		props = map[string]any{}
		desired = "{}"
	}
	f, ref, err := b.file("desired-state.json", props)
	if err != nil {
		return err
	}
	token := b.clientToken()
	b.add(step{
		api:    "cloudcontrol:CreateResource",
		assign: "REQUEST_TOKEN",
		args: b.common([]string{"cloudcontrol", "create-resource", "--type-name", b.req.ResourceType, "--desired-state", ref,
			"--client-token", token, "--query", "ProgressEvent.RequestToken", "--output", "text"}, true),
		files: []File{f},
		run: func(ctx context.Context, c *clients, st *runState) error {
			return c.ccCreate(ctx, st, b.req.ResourceType, desired, token)
		},
	})
	b.poll()
	return nil
}

func (b *builder) cloudControlUpdate() error {
	if err := b.needIdentifier(); err != nil {
		return err
	}
	patch := patchDocument(b.req.Properties)
	patchJSON, err := compactJSON(patch)
	if err != nil {
		return err
	}
	f, ref, err := b.file("patch-document.json", patch)
	if err != nil {
		return err
	}
	token := b.clientToken()
	id := b.req.Identifier
	b.add(step{
		api:    "cloudcontrol:UpdateResource",
		assign: "REQUEST_TOKEN",
		args: b.common([]string{"cloudcontrol", "update-resource", "--type-name", b.req.ResourceType, "--identifier", id,
			"--patch-document", ref, "--client-token", token, "--query", "ProgressEvent.RequestToken", "--output", "text"}, true),
		files: []File{f},
		run: func(ctx context.Context, c *clients, st *runState) error {
			return c.ccUpdate(ctx, st, b.req.ResourceType, id, patchJSON, token)
		},
	})
	b.poll()
	return nil
}

func (b *builder) cloudControlDelete() error {
	if err := b.needIdentifier(); err != nil {
		return err
	}
	token := b.clientToken()
	id := b.req.Identifier
	b.add(step{
		api:    "cloudcontrol:DeleteResource",
		assign: "REQUEST_TOKEN",
		args: b.common([]string{"cloudcontrol", "delete-resource", "--type-name", b.req.ResourceType, "--identifier", id,
			"--client-token", token, "--query", "ProgressEvent.RequestToken", "--output", "text"}, true),
		run: func(ctx context.Context, c *clients, st *runState) error {
			return c.ccDelete(ctx, st, b.req.ResourceType, id, token)
		},
	})
	b.poll()
	return nil
}

func (b *builder) cloudControlRead() error {
	if err := b.needIdentifier(); err != nil {
		return err
	}
	id := b.req.Identifier
	b.add(step{
		api:  "cloudcontrol:GetResource",
		args: b.common([]string{"cloudcontrol", "get-resource", "--type-name", b.req.ResourceType, "--identifier", id}, true),
		run: func(ctx context.Context, c *clients, st *runState) error {
			return c.ccGet(ctx, st, b.req.ResourceType, id)
		},
	})
	return nil
}

// poll waits for the Cloud Control request to finish.
func (b *builder) poll() {
	b.add(step{
		api:     "cloudcontrol:GetResourceRequestStatus",
		args:    b.common([]string{"cloudcontrol", "get-resource-request-status", "--request-token", `"$REQUEST_TOKEN"`}, true),
		raw:     map[int]bool{3: true},
		comment: "repeat until ProgressEvent.OperationStatus is SUCCESS (or FAILED)",
		run: func(ctx context.Context, c *clients, st *runState) error {
			return c.ccWait(ctx, st)
		},
	})
}

// patchDocument sets each given top-level property (RFC 6902 "add"
// replaces an existing member). Properties not named are left as they are.
func patchDocument(props map[string]any) []map[string]any {
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]map[string]any, 0, len(keys))
	esc := strings.NewReplacer("~", "~0", "/", "~1")
	for _, k := range keys {
		out = append(out, map[string]any{"op": "add", "path": "/" + esc.Replace(k), "value": props[k]})
	}
	return out
}
