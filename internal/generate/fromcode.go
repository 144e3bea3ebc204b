package generate

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/iamguard/iamguard/catalog"
	"github.com/iamguard/iamguard/internal/generate/fromcode"
	"github.com/iamguard/iamguard/internal/generate/grant"
	"github.com/iamguard/iamguard/internal/generate/sdkmap"
)

// Evidence ties one granted action on one resource to where it was seen.
type Evidence struct {
	Action   string `json:"action"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Resource string `json:"resource"`
	// Call is how the call was written ("new GetSecretValueCommand").
	Call string `json:"call,omitempty"`
}

// CodeResult is a policy derived from source code.
type CodeResult struct {
	*Generated
	Evidence []Evidence
	Files    int
	Calls    int
}

// FromCode derives the policy the SDK calls under root need.
func FromCode(ctx context.Context, fsys fs.FS, root string, opts Options, co fromcode.Options) (*CodeResult, error) {
	an, err := fromcode.AnalyzeFS(ctx, fsys, root, co)
	if err != nil {
		return nil, err
	}
	return fromCalls(an, opts)
}

func fromCalls(an *fromcode.Result, opts Options) (*CodeResult, error) {
	cfg := opts.config()
	m := sdkmap.Default()
	cat := m.Catalog()
	var perms []grant.Permission
	var evidence []Evidence
	var warnings []string
	for _, w := range an.Warnings {
		warnings = append(warnings, fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Msg))
	}
	add := func(c fromcode.Call, a *catalog.Action, resource string, conds []grant.Clause) {
		perms = append(perms, grant.Permission{Action: a.FullName(), Resource: resource, Conditions: conds,
			Evidence: []grant.Evidence{{File: c.File, Line: c.Line, Note: c.Form}}})
		evidence = append(evidence, Evidence{Action: a.FullName(), File: c.File, Line: c.Line, Resource: resource, Call: c.Form})
	}
	// Secrets created or updated with a customer managed key: reading them
	// needs kms:Decrypt on that key too.
	secretKeys := map[string]string{}
	for _, c := range an.Calls {
		if c.Service != "secretsmanager" {
			continue
		}
		key, hasKey := kmsKey(m, c.Fields)
		name, hasName := c.Fields.Get("SecretId", "Name")
		if hasKey && hasName {
			secretKeys[name] = key
		}
	}
	for _, c := range an.Calls {
		actions, ok := m.Actions(c.Service, c.Operation)
		if !ok {
			continue
		}
		sc := scopeOf(cfg)
		if c.Region != "" {
			sc.Region = c.Region
		}
		writes := false
		for _, a := range actions {
			fields := c.Fields
			if c.Service == "s3" && a.Name == "GetObject" && isCopy(c.Operation) {
				fields = copySource(c.Fields) // a copy reads its source, not its destination
			}
			res := m.Resources(a, fields, sc)
			if res.Origin == sdkmap.OriginWildcard {
				what := "no resource named"
				if len(c.NonLiteral) > 0 {
					what = strings.Join(c.NonLiteral, ", ") + " not literal"
				}
				warnings = append(warnings, fmt.Sprintf("%s:%d: %s: %s and no project or scope.prefixes.%s configured, so %s is granted on %s", c.File, c.Line, c.Form, what, a.Service.Prefix, a.FullName(), strings.Join(res.ARNs, ", ")))
			}
			for _, r := range res.ARNs {
				add(c, a, r, nil)
			}
			writes = writes || a.HasAccessLevel(catalog.Write)
		}
		// Companion KMS permissions for a customer managed key named literally.
		key, hasKey := kmsKey(m, c.Fields)
		if !hasKey && c.Service == "secretsmanager" {
			if name, ok := c.Fields.Get("SecretId", "Name"); ok {
				key, hasKey = secretKeys[name]
			}
		}
		if hasKey {
			kmsActions := []string{"kms:Decrypt"}
			if writes {
				kmsActions = append(kmsActions, "kms:GenerateDataKey")
			}
			resource, conds := kmsResource(key, sc)
			for _, name := range kmsActions {
				if a, err := cat.Action(name); err == nil {
					add(c, a, resource, conds)
				}
			}
		}
	}
	if len(perms) == 0 {
		return &CodeResult{Generated: &Generated{Warnings: warnings, Explanation: []string{
			fmt.Sprintf("From code: no AWS SDK calls found in %d source file%s (Go, TypeScript/JavaScript, Python).", an.Files, plural(an.Files))}}, Files: an.Files}, nil
	}
	name := nameFor(cfg, cat, perms)
	g, err := finish(cfg, name, perms)
	if err != nil {
		return nil, err
	}
	g.Warnings = dedupe(warnings)
	g.Explanation = append(g.Explanation,
		fmt.Sprintf("From code: %d AWS SDK call%s in %d source file%s → %d action%s; every action cites its file:line in evidence.",
			len(an.Calls), plural(len(an.Calls)), an.Files, plural(an.Files), len(g.Document.Actions()), plural(len(g.Document.Actions()))),
		"Resources: literal arguments (bucket, key prefix, secret, queue URL, table, function, topic) name them; otherwise "+strings.TrimPrefix(scopeLine(cfg), "Resources: "),
		fmt.Sprintf("Name: %s, by the naming convention %s.", g.Name, cfg.Naming.Pattern))
	g.Accepted = acceptedReasons()
	g.Explanation = append(g.Explanation, lintLines(g, g.Accepted)...)
	g.Explanation = append(g.Explanation, g.Proof.Summary())
	slices.SortStableFunc(evidence, func(a, b Evidence) int {
		if a.File != b.File {
			return strings.Compare(a.File, b.File)
		}
		return a.Line - b.Line
	})
	return &CodeResult{Generated: g, Evidence: evidence, Files: an.Files, Calls: len(an.Calls)}, nil
}

func isCopy(op string) bool {
	switch op {
	case "CopyObject", "UploadPartCopy", "Copy":
		return true
	}
	return false
}

// copySource reads a copy's source, "bucket/key" (or "/bucket/key",
// "bucket/prefix*"), into Bucket and Key fields.
func copySource(f sdkmap.Fields) sdkmap.Fields {
	v, ok := f.Get("CopySource")
	if !ok {
		return sdkmap.Fields{}
	}
	bucket, key, found := strings.Cut(strings.TrimPrefix(v, "/"), "/")
	if bucket == "" || strings.Contains(bucket, "*") {
		return sdkmap.Fields{}
	}
	out := sdkmap.Fields{"Bucket": bucket}
	if found && key != "" {
		out["Key"] = key
	}
	return out
}

// kmsKey finds a literal KMS key among the call's fields.
func kmsKey(m *sdkmap.Map, f sdkmap.Fields) (string, bool) {
	for k, v := range f {
		if m.IsKMSKeyField(k) && v != "" && !strings.HasSuffix(v, "*") {
			return v, true
		}
	}
	return "", false
}

// kmsResource turns a key reference into a resource: a key ARN or ID as
// is, an alias through the kms:ResourceAliases condition (IAM authorizes
// the key, never the alias).
func kmsResource(key string, sc sdkmap.Scope) (string, []grant.Clause) {
	region, account := or(sc.Region, "*"), or(sc.Account, "*")
	switch {
	case strings.HasPrefix(key, "arn:") && strings.Contains(key, ":key/"):
		return key, nil
	case strings.HasPrefix(key, "arn:") && strings.Contains(key, ":alias/"):
		f := strings.SplitN(key, ":", 6)
		return "arn:" + f[1] + ":kms:" + f[3] + ":" + f[4] + ":key/*", []grant.Clause{{Operator: "ForAnyValue:StringEquals", Key: "kms:ResourceAliases", Values: []string{f[5]}}}
	case strings.HasPrefix(key, "alias/"):
		return "arn:aws:kms:" + region + ":" + account + ":key/*", []grant.Clause{{Operator: "ForAnyValue:StringEquals", Key: "kms:ResourceAliases", Values: []string{key}}}
	}
	return "arn:aws:kms:" + region + ":" + account + ":key/" + key, nil
}
