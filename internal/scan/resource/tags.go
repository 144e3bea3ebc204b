package resource

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/iamguard/iamguard/internal/iac"
	"github.com/iamguard/iamguard/internal/iac/spec"
)

// Required tags on every taggable resource (seed 001: "Required Tags (ALL
// Resources)").
func tagRules() []Rule {
	return []Rule{
		{
			Code: "MISSING_REQUIRED_TAGS", Severity: "error",
			Why:    "Every taggable resource must carry the organisation's required tags (MANAGED_BY, Environment, Project, CostCenter, CreatedBy, CreatedDate by default) so cost, ownership and environment are known.",
			Fix:    "Add the missing keys to the resource's tags (Terraform: or to the provider's default_tags).",
			Config: "tags.required",
			check:  checkRequiredTags,
		},
		{
			Code: "TAG_VALUE_NOT_ALLOWED", Severity: "error",
			Why:    "A required tag whose value is outside its allowed list (Environment: development or production) breaks cost reports, access rules and approvals keyed on it.",
			Fix:    "Use one of the allowed values listed in the message.",
			Config: "tags.required",
			check:  checkTagValues,
		},
		{
			Code: "TAG_VALUE_FORMAT", Severity: "error",
			Why:    "A tag value must have its configured format (CreatedDate is an ISO 8601 date, YYYY-MM-DD).",
			Fix:    "Write the value in the format named in the message.",
			Config: "tags.formats",
			check:  checkTagFormats,
		},
	}
}

func requiredKeys(c *checker) []string { return c.s.required }

func checkRequiredTags(c *checker, r *iac.Resource) {
	if !r.Tags.Taggable || !r.Tags.Known {
		return
	}
	var missing []string
	for _, k := range requiredKeys(c) {
		if r.Tags.Get(k) == nil {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return
	}
	pos, path := r.Pos, r.Path
	if r.Tags.Present && r.Tags.Pos.IsValid() {
		pos, path = r.Tags.Pos, r.Tags.Path
	}
	c.reportAt(r, pos, path,
		fmt.Sprintf("%s is missing required tags: %s", describe(r), strings.Join(missing, ", ")),
		tagsFix(c, r, missing))
}

// tagsFix renders the tags to add in the resource's own syntax.
func tagsFix(c *checker, r *iac.Resource, missing []string) string {
	var b strings.Builder
	if r.Dialect() == iac.DialectTF {
		if r.Tags.Present {
			b.WriteString("Add to tags (or to the aws provider's default_tags):\n")
		} else {
			b.WriteString("Add (or set them once in the aws provider's default_tags):\n")
		}
		b.WriteString("tags = {\n")
		width := 0
		for _, k := range missing {
			width = max(width, len(k))
		}
		for _, k := range missing {
			fmt.Fprintf(&b, "  %-*s = %q\n", width, k, sampleValue(c, k))
		}
		b.WriteString("}")
		return b.String()
	}
	prop, style := "Tags", spec.TagsList
	if st := r.Spec(); st != nil {
		prop, style = st.TagProperty, st.TagStyle
	}
	if r.Tags.Present {
		fmt.Fprintf(&b, "Add to %s:\n", prop)
	} else {
		fmt.Fprintf(&b, "Add under Properties:\n%s:\n", prop)
	}
	for _, k := range missing {
		switch style {
		case spec.TagsMap:
			fmt.Fprintf(&b, "  %s: %s\n", k, yamlScalar(sampleValue(c, k)))
		case spec.TagsASG:
			fmt.Fprintf(&b, "  - Key: %s\n    Value: %s\n    PropagateAtLaunch: true\n", k, yamlScalar(sampleValue(c, k)))
		default:
			fmt.Fprintf(&b, "  - Key: %s\n    Value: %s\n", k, yamlScalar(sampleValue(c, k)))
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// sampleValue is what the fix suggests for a key: its only allowed value,
// the allowed values joined with |, a date placeholder, or <value>.
func sampleValue(c *checker, key string) string {
	allowed := c.s.cfg.Tags.Required[key]
	switch {
	case len(allowed) == 1:
		return allowed[0]
	case len(allowed) > 1:
		return strings.Join(allowed, "|")
	}
	switch c.s.cfg.Tags.Formats[key] {
	case "date":
		return "YYYY-MM-DD"
	case "url":
		return "https://…"
	}
	return "<" + key + ">"
}

func yamlScalar(s string) string {
	if strings.ContainsAny(s, ":#|<>{}[],&*!%@`'\"") {
		return fmt.Sprintf("%q", s)
	}
	return s
}

func checkTagValues(c *checker, r *iac.Resource) {
	if !r.Tags.Taggable {
		return
	}
	for _, k := range requiredKeys(c) {
		allowed := c.s.cfg.Tags.Required[k]
		tag := r.Tags.Get(k)
		if len(allowed) == 0 || tag == nil || !tag.ValueKnown || slices.Contains(allowed, tag.Value) {
			continue
		}
		fix := fmt.Sprintf("Set %s to one of: %s.", k, strings.Join(allowed, ", "))
		for _, a := range allowed {
			if strings.EqualFold(a, tag.Value) {
				fix = fmt.Sprintf("Set %s to %q (values are case-sensitive).", k, a)
			}
		}
		c.reportAt(r, tag.ValuePos, r.Tags.Path, fmt.Sprintf("%s: tag %s = %q is not an allowed value (%s)", describe(r), k, tag.Value, strings.Join(allowed, ", ")), fix)
	}
}

func checkTagFormats(c *checker, r *iac.Resource) {
	if !r.Tags.Taggable {
		return
	}
	for _, k := range c.s.formatKeys {
		tag := r.Tags.Get(k)
		if tag == nil || !tag.ValueKnown {
			continue
		}
		format := c.s.cfg.Tags.Formats[k]
		ok, want := true, format
		switch format {
		case "date":
			_, err := time.Parse("2006-01-02", tag.Value)
			ok, want = err == nil, "an ISO 8601 date (YYYY-MM-DD)"
		case "url":
			u, err := url.Parse(tag.Value)
			ok, want = err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "", "an http(s) URL"
		default:
			if re := c.s.formats[k]; re != nil {
				ok, want = re.MatchString(tag.Value), "a value matching "+format
			}
		}
		if !ok {
			c.reportAt(r, tag.ValuePos, r.Tags.Path, fmt.Sprintf("%s: tag %s = %q is not %s", describe(r), k, tag.Value, want), fmt.Sprintf("Write %s as %s.", k, want))
		}
	}
}
