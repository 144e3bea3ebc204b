package service

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/iamguard/iamguard/catalog"
)

// ActionsRequest asks which actions a pattern matches.
type ActionsRequest struct {
	Pattern     string `json:"pattern" jsonschema:"an action or IAM action pattern: s3:GetObject, s3:Get*, secretsmanager:*, *:Describe*"`
	AccessLevel string `json:"accessLevel,omitempty" jsonschema:"only actions of this access level: List, Read, Write, Permissions management, Tagging"`
	Limit       int    `json:"limit,omitempty" jsonschema:"at most this many actions (default 200, at most 5000)"`
}

// ActionInfo is one action from the Service Authorization Reference, in
// the shape `iamguard actions --format json` prints.
type ActionInfo struct {
	Action           string               `json:"action"`
	AccessLevel      string               `json:"accessLevel"`
	AccessLevels     []string             `json:"accessLevels"`
	ResourceTypes    []ActionResourceInfo `json:"resourceTypes"`
	ConditionKeys    []string             `json:"conditionKeys"`
	DependentActions []string             `json:"dependentActions"`
	Description      string               `json:"description"`
}

// ActionResourceInfo is a resource type an action acts on.
type ActionResourceInfo struct {
	Name     string   `json:"name"`
	Required bool     `json:"required"`
	ARNs     []string `json:"arns,omitempty"`
}

// ActionsResponse lists the matching actions, sorted by name.
type ActionsResponse struct {
	Actions []ActionInfo `json:"actions"`
	// Total is how many actions matched; Truncated says Actions holds
	// only the first Limit.
	Total     int  `json:"total"`
	Truncated bool `json:"truncated"`
}

const (
	defaultActionLimit = 200
	maxActionLimit     = 5000
)

// AccessLevelByName accepts the reference's names case-insensitively, and
// "permissions-management" / "permissions" for the two-word level.
func AccessLevelByName(s string) (catalog.AccessLevel, bool) {
	norm := strings.NewReplacer("-", " ", "_", " ").Replace(strings.ToLower(strings.TrimSpace(s)))
	for _, l := range []catalog.AccessLevel{catalog.List, catalog.Read, catalog.Write, catalog.PermissionsManagement, catalog.Tagging} {
		if strings.ToLower(string(l)) == norm || (l == catalog.PermissionsManagement && norm == "permissions") {
			return l, true
		}
	}
	return "", false
}

// ListActions expands an action pattern over the embedded catalog. A plain
// name that does not exist is BadInput with the closest real action.
func (s *Service) ListActions(_ context.Context, req ActionsRequest) (ActionsResponse, error) {
	pattern := strings.TrimSpace(req.Pattern)
	if pattern == "" {
		return ActionsResponse{}, &Error{Code: BadInput, Message: "pattern is required, e.g. s3:Get* or secretsmanager:GetSecretValue", Path: "pattern"}
	}
	limit := req.Limit
	switch {
	case limit < 0:
		return ActionsResponse{}, &Error{Code: BadInput, Message: "limit must be positive", Path: "limit"}
	case limit == 0:
		limit = defaultActionLimit
	case limit > maxActionLimit:
		limit = maxActionLimit
	}
	var level catalog.AccessLevel
	if req.AccessLevel != "" {
		l, ok := AccessLevelByName(req.AccessLevel)
		if !ok {
			return ActionsResponse{}, &Error{Code: BadInput, Message: fmt.Sprintf("accessLevel %q: want List, Read, Write, Permissions management or Tagging", req.AccessLevel), Path: "accessLevel"}
		}
		level = l
	}
	cat := catalog.Default()
	if !strings.ContainsAny(pattern, "*?") {
		if _, err := cat.Action(pattern); err != nil {
			return ActionsResponse{}, &Error{Code: BadInput, Message: err.Error(), Path: "pattern"}
		}
	}
	matched, err := cat.Expand(pattern)
	if err != nil {
		return ActionsResponse{}, &Error{Code: BadInput, Message: err.Error(), Path: "pattern"}
	}
	var actions []*catalog.Action
	for _, a := range matched {
		if level == "" || slices.Contains(a.AccessLevels, level) {
			actions = append(actions, a)
		}
	}
	slices.SortFunc(actions, func(a, b *catalog.Action) int { return strings.Compare(a.FullName(), b.FullName()) })
	resp := ActionsResponse{Total: len(actions), Actions: []ActionInfo{}}
	if len(actions) > limit {
		actions, resp.Truncated = actions[:limit], true
	}
	for _, a := range actions {
		resp.Actions = append(resp.Actions, ActionInfoFor(a))
	}
	return resp, nil
}

// ActionInfoFor describes one action in the shape every face prints.
func ActionInfoFor(a *catalog.Action) ActionInfo {
	j := ActionInfo{
		Action:           a.FullName(),
		AccessLevels:     []string{},
		ConditionKeys:    nonNilStrings(a.ConditionKeys),
		DependentActions: nonNilStrings(a.DependentActions),
		Description:      a.Description,
		ResourceTypes:    []ActionResourceInfo{},
	}
	for _, l := range a.AccessLevels {
		j.AccessLevels = append(j.AccessLevels, string(l))
	}
	j.AccessLevel = strings.Join(j.AccessLevels, ", ")
	for _, r := range a.Resources {
		row := ActionResourceInfo{Name: r.Name, Required: r.Required}
		if r.Type != nil {
			row.ARNs = r.Type.ARNTemplates
		}
		j.ResourceTypes = append(j.ResourceTypes, row)
	}
	return j
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
