package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/iamguard/iamguard/eval"
	"github.com/spf13/cobra"
)

func newExplainCmd() *cobra.Command {
	var p simulateParams
	cmd := &cobra.Command{
		Use:   "explain [SCENARIO] [flags]",
		Short: "Say in plain words why a request is allowed or denied, and what to change",
		Long: `explain takes the same input as simulate and walks through AWS's evaluation:
explicit denies, RCPs, SCPs level by level, the resource's policy, the
identity policies, the permissions boundary and the session policy. For
every statement it says whether it applied and, if not, which of action,
resource, principal or condition did not match, with the values compared.
For a denial it prints the smallest statement to add and where, or the
Deny that blocks the request, and runs the usual "Access Denied" checks:
a resource ARN that almost matches (region, account, case, a missing
Secrets Manager suffix), a missing trust policy, a policy not attached.`,
		Example: `  iamguard explain scenario.yaml
  iamguard explain --policy Engify-Lambda-Execution.json \
    --principal arn:aws:sts::123456789012:assumed-role/engify-lambda-execution-role/rag \
    --action secretsmanager:DescribeSecret \
    --resource arn:aws:secretsmanager:us-east-2:123456789012:secret:engify/mongodb-uri-AbCdEf`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				p.scenario = args[0]
			}
			p.stdin = cmd.InOrStdin()
			return runExplain(cmd.Context(), p, cmd.OutOrStdout())
		},
	}
	addSimulateFlags(cmd, &p)
	return cmd
}

func runExplain(_ context.Context, p simulateParams, out io.Writer) error {
	if err := checkFormat(p.format); err != nil {
		return err
	}
	sims, _, err := simulateAll(p)
	if err != nil {
		return err
	}
	if p.format == "json" {
		return writeSimulationsJSON(out, sims)
	}
	for i, s := range sims {
		if i > 0 {
			fmt.Fprintln(out)
		}
		writeExplanationText(out, s.ex)
	}
	return nil
}

// writeExplanationText renders an explanation for a person.
func writeExplanationText(out io.Writer, ex *eval.Explanation) {
	w := &textWriter{out: out}
	w.line(ex.Summary)
	r := ex.Request
	w.line("")
	w.line("Request")
	w.line("  caller:   %s (%s)", r.Principal, r.PrincipalKind)
	w.line("  action:   %s", r.Action)
	w.line("  resource: %s", r.Resource)
	switch {
	case r.CrossAccount:
		w.line("  owner:    %s (another account: both sides must allow)", r.ResourceAccount)
	case r.ResourceAccount != "":
		w.line("  owner:    %s", r.ResourceAccount)
	}

	w.line("")
	w.line("How AWS decided, step by step")
	for i, st := range ex.Steps {
		w.line("  %d. %-30s %-14s %s", i+1, st.Name, outcomeWord(st.Outcome), st.Detail)
	}

	w.line("")
	w.line("Policies")
	if len(ex.Policies) == 0 {
		w.line("  (none given)")
	}
	for _, pt := range ex.Policies {
		name := pt.Name
		if name == "" {
			name = pt.PolicyType.String()
		}
		head := fmt.Sprintf("  %s (%s", name, pt.PolicyType)
		if pt.PolicyType == eval.ServiceControlPolicy || pt.PolicyType == eval.ResourceControlPolicy {
			head += fmt.Sprintf(", level %d", pt.Level)
		}
		head += ") " + pt.Pos.String()
		if !pt.Applies {
			head += ": does not apply: " + pt.Note
		} else if pt.Note != "" {
			head += ": " + pt.Note
		}
		w.line("%s", head)
		for _, st := range pt.Statements {
			label := st.Path
			if st.Sid != "" {
				label += " (" + st.Sid + ")"
			}
			if st.Applied {
				w.line("    ✓ %s %s applies", label, st.Effect)
			} else {
				w.line("    ✗ %s %s does not apply: %s", label, st.Effect, st.Reason)
			}
			for _, c := range st.Conditions {
				mark := "true"
				if !c.Result {
					mark = "false"
				}
				req := "absent"
				if c.Present {
					req = strings.Join(c.Request, ", ")
				}
				note := ""
				if c.Note != "" {
					note = " — " + c.Note
				}
				w.line("        %s %s [%s] vs request [%s]: %s%s", c.Operator, c.Key, strings.Join(c.Values, ", "), req, mark, note)
			}
		}
	}

	if len(ex.Decisive) > 0 {
		w.line("")
		w.line("Decisive statements")
		for _, d := range ex.Decisive {
			w.line("  %s %s at %s", d.Effect, d.Where(), d.Pos)
		}
	}
	if len(ex.Fixes) > 0 {
		w.line("")
		w.line("What to change")
		for _, f := range ex.Fixes {
			w.line("  - %s", f.Message)
			if len(f.Statement) > 0 {
				var pretty bytes.Buffer
				if json.Indent(&pretty, f.Statement, "      ", "  ") != nil {
					pretty.Write(f.Statement)
				}
				w.line("      %s", pretty.String())
			}
		}
	}
	if len(ex.Hints) > 0 {
		w.line("")
		w.line("Troubleshooting")
		for _, h := range ex.Hints {
			w.line("  - %s", h)
		}
	}
}

func outcomeWord(o string) string {
	switch o {
	case "deny":
		return "DENY"
	case "allow":
		return "allows"
	case "noAllow":
		return "no allow"
	case "notApplicable":
		return "n/a"
	}
	return o
}

type textWriter struct{ out io.Writer }

func (w *textWriter) line(format string, args ...any) {
	if len(args) == 0 {
		fmt.Fprintln(w.out, format)
		return
	}
	fmt.Fprintf(w.out, format+"\n", args...)
}
