package lint

import (
	"errors"
	"fmt"
	"strings"

	"github.com/iamguard/iamguard/catalog"
)

var errMalformedAction = errors.New(`an action is written "service:Action" or "*"`)

// checkActions: every Action/NotAction value names real actions; none is
// covered by another value of the same statement.
func (ps *pass) checkActions(si *stmtInfo) {
	for i := range si.acts {
		av := &si.acts[i]
		if av.ok {
			continue
		}
		text := av.v.Text
		var ue *catalog.UnknownError
		switch {
		case errors.As(av.err, &ue) && ue.Kind == "service":
			prefix, _, _ := strings.Cut(text, ":")
			fix := ""
			if ue.Suggestion != "" {
				fix = fmt.Sprintf("Did you mean %q?", ue.Suggestion)
			}
			ps.reportAt("INVALID_SERVICE", av.v, fmt.Sprintf("%q is not an AWS service prefix (in %q)", prefix, text), fix)
		case errors.As(av.err, &ue):
			fix := ""
			if ue.Suggestion != "" {
				fix = fmt.Sprintf("Use %q.", ue.Suggestion)
			}
			ps.reportAt("INVALID_ACTION", av.v, fmt.Sprintf("%q is not an action of its service", text), fix)
		case av.err != nil && !av.wildcard || errors.Is(av.err, errMalformedAction):
			ps.reportAt("INVALID_ACTION", av.v, fmt.Sprintf("%q is not an action: %s", text, strings.TrimPrefix(av.err.Error(), "catalog: ")), `Write actions as "service:ActionName", e.g. "s3:GetObject".`)
		case av.err != nil:
			ps.reportAt("INVALID_ACTION", av.v, fmt.Sprintf("%q is not an action pattern: %v", text, av.err), `Write actions as "service:ActionName", e.g. "s3:Get*".`)
		default:
			ps.reportAt("INVALID_ACTION", av.v, fmt.Sprintf("the pattern %q matches no action", text), "")
		}
	}
	if !ps.enabled("REDUNDANT_ACTION") || len(si.acts) < 2 {
		return
	}
	// Named actions are compared through a map and against the wildcard
	// values only, so long lists stay linear.
	var wild []int
	for i := range si.acts {
		if si.acts[i].ok && si.acts[i].wildcard {
			wild = append(wild, i)
		}
	}
	first := ps.firstByID
	clear(first)
	for i := range si.acts {
		a := &si.acts[i]
		if !a.ok {
			continue
		}
		var by *actionValue
		if !a.wildcard {
			if j, dup := first[a.id]; dup {
				by = &si.acts[j]
			} else {
				first[a.id] = i
			}
		}
		for _, j := range wild {
			b := &si.acts[j]
			if by != nil || i == j || !covers(b, a) {
				continue
			}
			if a.wildcard && covers(a, b) && j > i {
				continue // two patterns matching the same actions: the later one is redundant
			}
			by = b
		}
		if by != nil {
			ps.reportAt("REDUNDANT_ACTION", a.v, fmt.Sprintf("%q is already covered by %q in the same statement", a.v.Text, by.v.Text), fmt.Sprintf("Remove %q.", a.v.Text))
		}
	}
}

// covers reports whether every action of a is in b.
func covers(b, a *actionValue) bool {
	if a.wildcard && b.wildcard && a.service != "" && b.service != "" && a.service != b.service {
		return false // patterns of two services never cover each other
	}
	switch {
	case !a.wildcard && !b.wildcard:
		return a.id == b.id
	case !a.wildcard:
		return b.set.Has(a.id)
	case !b.wildcard:
		return a.set.Len() == 1 && a.set.Has(b.id)
	}
	return a.set.IsSubsetOf(b.set)
}
