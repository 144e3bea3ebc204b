package gate

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/internal/iac/spec"
)

// ManagedByValue is what the gate writes in a required MANAGED_BY tag: the
// tool that applied the resource (the seed's tag named its MCP server).
const ManagedByValue = "iamguard"

// untaggedTypes cannot carry tags; consulted only for types the embedded
// CloudFormation registry does not know (spec.Lookup decides the others).
var untaggedTypes = []string{
	"AWS::IAM::Policy", "AWS::IAM::RolePolicy", "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy",
	"AWS::IAM::UserToGroupAddition", "AWS::IAM::AccessKey",
	"AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy", "AWS::SNS::Subscription",
	"AWS::Lambda::Permission", "AWS::Lambda::Version", "AWS::Lambda::Alias",
	"AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress", "AWS::EC2::Route",
	"AWS::EC2::SubnetRouteTableAssociation", "AWS::EC2::VPCGatewayAttachment",
	"AWS::ApiGateway::Deployment", "AWS::ApiGateway::Method", "AWS::ApiGateway::Resource",
}

// mapTaggedTypes write Tags as a {key: value} object rather than a list of
// {Key, Value}; consulted only for types the registry does not know
// (AWS::Serverless::* are SAM's, not CloudFormation's).
var mapTaggedTypes = []string{"AWS::SSM::Parameter", "AWS::Serverless::Function", "AWS::Serverless::Api", "AWS::Batch::ComputeEnvironment", "AWS::Glue::Job"}

// Taggable reports whether the gate injects tags into a resource type: the
// CloudFormation registry says whether the type has a "Tags" property
// (AWS::IAM::Policy, for one, has none).
func Taggable(resourceType string) bool {
	if resourceType == "AWS::IAM::ManagedPolicy" {
		// CloudFormation's type has no Tags, but the gate creates managed
		// policies through IAM's CreatePolicy, which takes them.
		return true
	}
	if t, ok := spec.Lookup(resourceType); ok {
		return t.Taggable() && t.TagProperty == "Tags" && t.TagStyle != spec.TagsASG
	}
	return !slices.Contains(untaggedTypes, resourceType)
}

// tagsAsMap reports whether a type writes Tags as a {key: value} object.
func tagsAsMap(resourceType string) bool {
	if t, ok := spec.Lookup(resourceType); ok {
		return t.TagStyle == spec.TagsMap || t.TagStyle == spec.TagsJSON
	}
	return slices.Contains(mapTaggedTypes, resourceType)
}

// TagResult says what tag injection did.
type TagResult struct {
	// Added are the tags the gate set (key → value).
	Added map[string]string `json:"added,omitempty"`
	// Replaced are values the gate overwrote (key → the old value): only
	// Environment, which must name the change's environment.
	Replaced map[string]string `json:"replaced,omitempty"`
	// Missing are required keys that need a value from a person.
	Missing []string `json:"missing,omitempty"`
	// Invalid are required keys whose value is not one of the allowed ones.
	Invalid []string `json:"invalid,omitempty"`
	// Skipped says why no tags were injected, when none were.
	Skipped string `json:"skipped,omitempty"`
}

// injectTags fills the configuration's required tags into c.Properties:
// Environment (the environment's tagValue), CreatedDate (today, UTC, ISO
// date), CreatedBy (the requester), MANAGED_BY (iamguard), Project (the
// configured project) and any required key with a single allowed value.
// Only keys the configuration requires are touched, and only on create and
// update of taggable types; values already present are kept, except a wrong
// Environment.
func injectTags(cfg *config.Config, c *Change, today string) (TagResult, error) {
	var res TagResult
	switch {
	case c.Operation != Create && c.Operation != Update:
		res.Skipped = fmt.Sprintf("a %s carries no properties to tag", c.Operation)
		return res, nil
	case !Taggable(c.ResourceType):
		res.Skipped = c.ResourceType + " does not take tags"
		return res, nil
	case len(cfg.Tags.Required) == 0:
		res.Skipped = "the configuration requires no tags"
		return res, nil
	}
	if c.Properties == nil {
		c.Properties = map[string]any{}
	}
	tags, err := readTags(c)
	if err != nil {
		return res, err
	}
	env := cfg.Environments[c.Environment]
	envValue := env.TagValue
	if envValue == "" {
		envValue = c.Environment
	}
	derived := map[string]string{
		"Environment": envValue,
		"CreatedDate": today,
		"CreatedBy":   c.Requester,
		"MANAGED_BY":  ManagedByValue,
		"Project":     cfg.Project,
	}
	keys := make([]string, 0, len(cfg.Tags.Required))
	for k := range cfg.Tags.Required {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		allowed := cfg.Tags.Required[key]
		cur, present := tags.get(key)
		want := derived[key]
		if len(allowed) == 1 && want == "" {
			want = allowed[0]
		}
		switch {
		case key == "Environment" && present && cur != want:
			tags.set(key, want)
			setMap(&res.Replaced, key, cur)
			setMap(&res.Added, key, want)
		case present:
			if len(allowed) > 0 && !slices.Contains(allowed, cur) {
				res.Invalid = append(res.Invalid, fmt.Sprintf("%s=%s (allowed: %s)", key, cur, strings.Join(allowed, ", ")))
			}
		case want != "":
			tags.set(key, want)
			setMap(&res.Added, key, want)
		default:
			res.Missing = append(res.Missing, key)
		}
	}
	c.Properties["Tags"] = tags.value()
	return res, nil
}

func setMap(m *map[string]string, k, v string) {
	if *m == nil {
		*m = map[string]string{}
	}
	(*m)[k] = v
}

// tagSet is a resource's Tags in whichever form the type uses.
type tagSet struct {
	asMap bool
	list  []any          // list form: {Key, Value} objects
	m     map[string]any // map form
}

func readTags(c *Change) (*tagSet, error) {
	raw, ok := c.Properties["Tags"]
	if !ok || raw == nil {
		if tagsAsMap(c.ResourceType) {
			return &tagSet{asMap: true, m: map[string]any{}}, nil
		}
		return &tagSet{}, nil
	}
	bad := func(msg string) error {
		return &InputError{Pos: c.PosOf("properties", "Tags"), Msg: msg}
	}
	switch t := raw.(type) {
	case map[string]any:
		return &tagSet{asMap: true, m: t}, nil
	case []any:
		for i, e := range t {
			o, ok := e.(map[string]any)
			if !ok {
				return nil, bad(fmt.Sprintf("Tags[%d] must be an object with Key and Value", i))
			}
			if _, ok := o["Key"].(string); !ok {
				return nil, bad(fmt.Sprintf("Tags[%d] needs a string Key", i))
			}
		}
		return &tagSet{list: t}, nil
	}
	return nil, bad("Tags must be a list of {Key, Value} or an object")
}

func (t *tagSet) get(key string) (string, bool) {
	if t.asMap {
		v, ok := t.m[key]
		if !ok {
			return "", false
		}
		return scalarText(v), true
	}
	for _, e := range t.list {
		o := e.(map[string]any)
		if o["Key"] == key {
			return scalarText(o["Value"]), true
		}
	}
	return "", false
}

func (t *tagSet) set(key, value string) {
	if t.asMap {
		t.m[key] = value
		return
	}
	for _, e := range t.list {
		o := e.(map[string]any)
		if o["Key"] == key {
			o["Value"] = value
			return
		}
	}
	t.list = append(t.list, map[string]any{"Key": key, "Value": value})
}

func (t *tagSet) value() any {
	if t.asMap {
		return t.m
	}
	// Sorted by key so the same tags always hash alike, however written.
	sort.SliceStable(t.list, func(i, j int) bool {
		return t.list[i].(map[string]any)["Key"].(string) < t.list[j].(map[string]any)["Key"].(string)
	})
	return t.list
}

func scalarText(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	}
	return fmt.Sprint(v)
}

// removeTags drops keys from a properties map's Tags, in either form.
func removeTags(props map[string]any, keys []string) {
	switch t := props["Tags"].(type) {
	case map[string]any:
		for _, k := range keys {
			delete(t, k)
		}
	case []any:
		out := t[:0]
		for _, e := range t {
			if o, ok := e.(map[string]any); ok {
				if k, _ := o["Key"].(string); slices.Contains(keys, k) {
					continue
				}
			}
			out = append(out, e)
		}
		props["Tags"] = out
	}
}
