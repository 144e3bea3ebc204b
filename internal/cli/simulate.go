package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/iamguard/iamguard/catalog"
	"github.com/iamguard/iamguard/eval"
	"github.com/iamguard/iamguard/policy"
	"github.com/spf13/cobra"
)

// simulateParams is the input of simulate and explain: a scenario file,
// flags that build (or override) one, or a JSON Lines batch.
type simulateParams struct {
	scenario string // scenario file ("" when built from flags)
	batch    string // JSON Lines file, "-" for stdin
	format   string
	expect   string
	explain  bool // simulate: add the explanation to JSON batch results
	stdin    io.Reader

	policies        []string
	resourcePolicy  string
	trustPolicy     string
	boundary        string
	scps            []string // one level per flag; comma-separated files share a level
	rcps            []string
	sessionPolicy   string
	principal       string
	principalType   string
	action          string
	resource        string
	resourceAccount string
	context         []string // key=value or key=a,b
	principalTags   []string
	resourceTags    []string
}

func addSimulateFlags(cmd *cobra.Command, p *simulateParams) {
	f := cmd.Flags()
	f.StringVar(&p.format, "format", "text", "output format: text or json")
	f.StringArrayVar(&p.policies, "policy", nil, "identity policy file of the caller (repeatable)")
	f.StringVar(&p.resourcePolicy, "resource-policy", "", "the resource's policy file (bucket policy, KMS key policy, …)")
	f.StringVar(&p.trustPolicy, "trust-policy", "", "the role's trust policy file (for sts:AssumeRole requests)")
	f.StringVar(&p.boundary, "boundary", "", "the caller's permissions boundary file")
	f.StringArrayVar(&p.scps, "scp", nil, "SCP files of one level, root first (repeat per level; comma-separate files of one level)")
	f.StringArrayVar(&p.rcps, "rcp", nil, "RCP files of one level besides RCPFullAWSAccess (repeat per level)")
	f.StringVar(&p.sessionPolicy, "session-policy", "", "the session policy file")
	f.StringVar(&p.principal, "principal", "", "the caller: user, role or assumed-role ARN, account ID, service principal, or anonymous")
	f.StringVar(&p.principalType, "principal-type", "", "force how --principal is read: AWS, Service, Federated, CanonicalUser, Anonymous")
	f.StringVar(&p.action, "action", "", "the action; a wildcard (s3:Get*) decides every matching action")
	f.StringVar(&p.resource, "resource", "", `the resource ARN, or "*"`)
	f.StringVar(&p.resourceAccount, "resource-account", "", "the account that owns the resource when its ARN does not say")
	f.StringArrayVar(&p.context, "context", nil, "request context key=value (repeatable; key=a,b for several values)")
	f.StringArrayVar(&p.principalTags, "principal-tag", nil, "principal tag key=value (aws:PrincipalTag/key; repeatable)")
	f.StringArrayVar(&p.resourceTags, "resource-tag", nil, "resource tag key=value (aws:ResourceTag/key; repeatable)")
}

func newSimulateCmd() *cobra.Command {
	var p simulateParams
	cmd := &cobra.Command{
		Use:   "simulate [SCENARIO] [flags]",
		Short: "Decide a request as AWS would: allowed, explicitDeny or implicitDeny",
		Long: `simulate decides one request against every policy that applies to it:
identity policies, the resource's policy (bucket, trust or key policy), the
permissions boundary, SCPs per level, RCPs per level and the session policy,
within one account or across two. It works offline and explains denials
with the policy type that did not allow and the smallest fix.

The input is a scenario file (JSON or YAML, see docs/simulate.md), or flags,
or both (flags override the scenario's request). With --batch it reads one
JSON scenario per line and writes one JSON result per line.

Exit codes: 0 decided (and --expect met); 1 --expect contradicted; 2 bad input.`,
		Example: `  iamguard simulate scenario.yaml
  iamguard simulate --policy Engify-Lambda-Execution.json \
    --principal arn:aws:sts::123456789012:assumed-role/engify-lambda-execution-role/rag \
    --action 'secretsmanager:*' --resource 'arn:aws:secretsmanager:us-east-1:123456789012:secret:engify/mongodb-uri-AbCdEf'
  iamguard simulate --batch scenarios.jsonl > results.jsonl`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				p.scenario = args[0]
			}
			p.stdin = cmd.InOrStdin()
			return runSimulate(cmd.Context(), p, cmd.OutOrStdout())
		},
	}
	addSimulateFlags(cmd, &p)
	cmd.Flags().StringVar(&p.expect, "expect", "", "exit 1 unless the decision is this: "+eval.ExpectValues)
	cmd.Flags().StringVar(&p.batch, "batch", "", `JSON Lines file of scenarios ("-" for stdin): one JSON result per line`)
	cmd.Flags().BoolVar(&p.explain, "explain", false, "with --batch: add the summary, hints and fixes to each result")
	return cmd
}

// simulation is one decided request, ready to render.
type simulation struct {
	scenario *eval.Scenario
	ex       *eval.Explanation
}

func runSimulate(ctx context.Context, p simulateParams, out io.Writer) error {
	if err := checkFormat(p.format); err != nil {
		return err
	}
	if p.batch != "" {
		return runBatch(ctx, p, out)
	}
	sims, expect, err := simulateAll(p)
	if err != nil {
		return err
	}
	if p.format == "json" {
		err = writeSimulationsJSON(out, sims)
	} else {
		for _, s := range sims {
			writeSimulationText(out, s)
		}
	}
	if err != nil {
		return err
	}
	for _, s := range sims {
		if !eval.ExpectMet(expect, s.ex.Decision) {
			return errExitFindings
		}
	}
	return nil
}

func checkFormat(format string) error {
	if format != "text" && format != "json" {
		return inputErrorf("--format %q: want text or json", format)
	}
	return nil
}

func checkExpect(expect string) error {
	if expect == "" || eval.ValidExpect(expect) {
		return nil
	}
	return inputErrorf("--expect %q: want %s", expect, eval.ExpectValues)
}

// simulateAll builds the scenario from the file and flags, expands a
// wildcard action, and explains every request. It returns the expectation
// to check (--expect, else the scenario's own).
func simulateAll(p simulateParams) ([]simulation, string, error) {
	if err := checkExpect(p.expect); err != nil {
		return nil, "", err
	}
	s, err := buildScenario(p)
	if err != nil {
		return nil, "", err
	}
	expect := p.expect
	if expect == "" {
		expect = s.Expect
	}
	ps, err := eval.Compile(s.Policies)
	if err != nil {
		return nil, "", asInputError(err)
	}
	actions := []string{s.Request.Action}
	if strings.ContainsAny(s.Request.Action, "*?") {
		matched, err := catalog.Default().Expand(s.Request.Action)
		if err != nil {
			return nil, "", inputErrorf("--action: %v", err)
		}
		if len(matched) == 0 {
			return nil, "", inputErrorf("--action %q matches no action", s.Request.Action)
		}
		actions = actions[:0]
		for _, a := range matched {
			actions = append(actions, a.FullName())
		}
	}
	var sims []simulation
	for _, a := range actions {
		req := s.Request
		req.Action = a
		prep, err := eval.Prepare(req)
		if err != nil {
			return nil, "", requestError(s, err)
		}
		sims = append(sims, simulation{scenario: s, ex: eval.Explain(ps, prep)})
	}
	return sims, expect, nil
}

// requestError names the scenario file or the flag a request error comes from.
func requestError(s *eval.Scenario, err error) error {
	var fe *eval.FieldError
	if errors.As(err, &fe) {
		if s.File != "" {
			return inputErrorf("%s: request.%s", s.File, err)
		}
		flag := map[string]string{"principal": "--principal", "action": "--action", "resource": "--resource", "resourceAccount": "--resource-account"}[fe.Field]
		if flag == "" {
			flag = "--context"
		}
		return inputErrorf("%s: %s", flag, fe.Msg)
	}
	return asInputError(err)
}

// buildScenario reads the scenario file, if any, and applies the flags.
func buildScenario(p simulateParams) (*eval.Scenario, error) {
	s := &eval.Scenario{}
	if p.scenario != "" {
		data, err := readInput(p.scenario, p.stdin)
		if err != nil {
			return nil, asInputError(err)
		}
		s, err = eval.ParseScenario(p.scenario, data)
		if err != nil {
			return nil, asInputError(err)
		}
	}
	r := &s.Request
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&r.Principal, p.principal)
	set(&r.PrincipalType, p.principalType)
	set(&r.Action, p.action)
	set(&r.Resource, p.resource)
	set(&r.ResourceAccount, p.resourceAccount)
	if len(p.context) > 0 {
		if r.Context == nil {
			r.Context = map[string][]string{}
		}
		for _, kv := range p.context {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return nil, inputErrorf("--context %q: want key=value (key=a,b for several values)", kv)
			}
			if v == "" {
				r.Context[k] = []string{}
			} else {
				r.Context[k] = strings.Split(v, ",")
			}
		}
	}
	tags := func(flag string, in []string, dst *map[string]string) error {
		for _, kv := range in {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return inputErrorf("%s %q: want key=value", flag, kv)
			}
			if *dst == nil {
				*dst = map[string]string{}
			}
			(*dst)[k] = v
		}
		return nil
	}
	if err := tags("--principal-tag", p.principalTags, &r.PrincipalTags); err != nil {
		return nil, err
	}
	if err := tags("--resource-tag", p.resourceTags, &r.ResourceTags); err != nil {
		return nil, err
	}

	var bad []error
	load := func(file string) *policy.Policy {
		data, err := readInput(file, p.stdin)
		if err != nil {
			bad = append(bad, err)
			return nil
		}
		pol, err := policy.Parse(file, data)
		if err != nil {
			bad = append(bad, err)
			return nil
		}
		for _, pr := range pol.Problems {
			bad = append(bad, fmt.Errorf("%s: %s", pr.Pos, pr.Message))
		}
		pol.Name = policyName(file)
		return pol
	}
	for _, f := range p.policies {
		if pol := load(f); pol != nil {
			s.Policies.Identity = append(s.Policies.Identity, pol)
		}
	}
	single := []struct {
		flag string
		file string
		dst  **policy.Policy
	}{
		{"--resource-policy", p.resourcePolicy, &s.Policies.Resource},
		{"--trust-policy", p.trustPolicy, &s.Policies.Resource},
		{"--boundary", p.boundary, &s.Policies.Boundary},
		{"--session-policy", p.sessionPolicy, &s.Policies.Session},
	}
	if p.resourcePolicy != "" && p.trustPolicy != "" {
		return nil, inputErrorf("--resource-policy and --trust-policy are both the resource's policy: give one")
	}
	for _, sp := range single {
		if sp.file == "" {
			continue
		}
		if *sp.dst != nil {
			return nil, inputErrorf("%s: the scenario already gives this policy", sp.flag)
		}
		*sp.dst = load(sp.file)
	}
	levels := func(in []string) [][]*policy.Policy {
		var out [][]*policy.Policy
		for _, level := range in {
			lv := []*policy.Policy{}
			for _, f := range strings.Split(level, ",") {
				if f = strings.TrimSpace(f); f == "" {
					continue
				}
				if pol := load(f); pol != nil {
					lv = append(lv, pol)
				}
			}
			out = append(out, lv)
		}
		return out
	}
	if len(p.scps) > 0 {
		s.Policies.SCPs = append(s.Policies.SCPs, levels(p.scps)...)
	}
	if len(p.rcps) > 0 {
		s.Policies.RCPs = append(s.Policies.RCPs, levels(p.rcps)...)
	}
	if len(bad) > 0 {
		return nil, &inputError{err: &partialInputError{errs: bad}}
	}
	if p.scenario == "" {
		var missing []string
		for _, f := range []struct{ flag, v string }{{"--principal", r.Principal}, {"--action", r.Action}, {"--resource", r.Resource}} {
			if f.v == "" {
				missing = append(missing, f.flag)
			}
		}
		if len(missing) > 0 {
			return nil, inputErrorf("give a scenario file, or %s", strings.Join(missing, ", "))
		}
	}
	return s, nil
}

// policyName names a policy by its file: "Engify-Lambda-Execution".
func policyName(file string) string {
	base := file[strings.LastIndexAny(file, `/\`)+1:]
	for _, ext := range []string{".json", ".yaml", ".yml"} {
		base = strings.TrimSuffix(base, ext)
	}
	return base
}

func readInput(file string, stdin io.Reader) ([]byte, error) {
	if file == "-" {
		if stdin == nil {
			return nil, fmt.Errorf("-: no standard input")
		}
		return io.ReadAll(stdin)
	}
	return os.ReadFile(file)
}

func runBatch(ctx context.Context, p simulateParams, out io.Writer) error {
	if p.scenario != "" || p.principal != "" || p.action != "" || p.resource != "" || len(p.policies) > 0 {
		return inputErrorf("--batch reads every scenario from its file: give no scenario file or request flags with it")
	}
	var in io.Reader
	if p.batch == "-" {
		in = p.stdin
	} else {
		f, err := os.Open(p.batch)
		if err != nil {
			return asInputError(err)
		}
		defer f.Close()
		in = f
	}
	st, err := eval.RunBatch(ctx, in, out, eval.BatchOptions{File: p.batch, Explain: p.explain})
	if err != nil {
		return asInputError(err)
	}
	if st.Bad > 0 {
		return inputErrorf("%s: %d of %d scenarios could not be read (see their \"error\" results)", p.batch, st.Bad, st.Scenarios)
	}
	if st.Contradicted > 0 {
		return errExitFindings
	}
	return nil
}

func writeSimulationsJSON(out io.Writer, sims []simulation) error {
	if len(sims) == 1 {
		return writeJSON(out, sims[0].ex)
	}
	all := make([]*eval.Explanation, len(sims))
	for i, s := range sims {
		all[i] = s.ex
	}
	return writeJSON(out, all)
}

// writeSimulationText prints the decision in a line or two; a denial adds
// the fix. `iamguard explain` prints the whole reasoning.
func writeSimulationText(out io.Writer, s simulation) {
	ex := s.ex
	fmt.Fprintln(out, ex.Summary)
	if ex.Decision == eval.Allowed {
		return
	}
	for _, f := range ex.Fixes {
		fmt.Fprintf(out, "  fix: %s\n", f.Message)
		if len(f.Statement) > 0 {
			fmt.Fprintf(out, "       %s\n", f.Statement)
		}
	}
	for _, h := range ex.Hints {
		fmt.Fprintf(out, "  hint: %s\n", h)
	}
}
