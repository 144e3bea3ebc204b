package config

import (
	"regexp"
	"strings"
)

// PolicyName renders the naming pattern for a service word (e.g. "S3",
// "SecretsManager") and an actions word (e.g. "ReadOnly", "FileUpload").
func (c *Config) PolicyName(service, actions string) string {
	project := c.Project
	if project == "" {
		project = "Project"
	}
	name := strings.ReplaceAll(c.Naming.Pattern, "{Project}", project)
	name = strings.ReplaceAll(name, "{Service}", service)
	return strings.ReplaceAll(name, "{Actions}", actions)
}

// NamingRegexp compiles the naming pattern into a regular expression with
// named groups Project, Service and Actions. {Project} matches the
// configured project exactly when one is set.
func (c *Config) NamingRegexp() *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	rest := c.Naming.Pattern
	for rest != "" {
		i := strings.Index(rest, "{")
		j := strings.Index(rest, "}")
		if i < 0 || j < i {
			b.WriteString(regexp.QuoteMeta(rest))
			break
		}
		b.WriteString(regexp.QuoteMeta(rest[:i]))
		switch name := rest[i+1 : j]; name {
		case "Project":
			if c.Project != "" {
				b.WriteString("(?P<Project>" + regexp.QuoteMeta(c.Project) + ")")
			} else {
				b.WriteString("(?P<Project>[A-Za-z0-9]+)")
			}
		case "Service", "Actions":
			b.WriteString("(?P<" + name + ">[A-Za-z0-9]+)")
		default:
			b.WriteString(regexp.QuoteMeta(rest[i : j+1]))
		}
		rest = rest[j+1:]
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// ResourcePrefix is the lower-case project prefix generators scope
// resources to (e.g. "synthcoreai"), or "" without a project.
func (c *Config) ResourcePrefix() string { return strings.ToLower(c.Project) }

// IsProduction reports whether the named environment is production.
func (c *Config) IsProduction(env string) bool {
	e, ok := c.Environments[env]
	return ok && e.Production
}
