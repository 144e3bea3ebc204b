package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/iamguard/iamguard/config"
	"github.com/iamguard/iamguard/internal/gate"
	"github.com/iamguard/iamguard/internal/gate/apply"
	"github.com/iamguard/iamguard/internal/gate/store"
	"github.com/iamguard/iamguard/internal/service"
	"github.com/iamguard/iamguard/node"
)

// gateDBEnv names the store when --db is not given, so a team can point
// every command at its PostgreSQL once.
const gateDBEnv = "IAMGUARD_DB"

// gateParams are the flags every change and audit subcommand shares.
type gateParams struct {
	configFile string
	db         string
	format     string
	// stderr receives refusal messages (the command's error stream).
	stderr io.Writer
	// now is the gate's clock (tests pin it); nil is time.Now.
	now func() time.Time
	// scanner, when set, replaces the real scanner (tests).
	scanner gate.Scanner
}

func addGateFlags(cmd *cobra.Command, p *gateParams) {
	f := cmd.PersistentFlags()
	f.StringVar(&p.configFile, "config", "", "iamguard.yaml to use (default: the nearest one beside the change file or the working directory)")
	f.StringVar(&p.db, "db", "", "change store: a SQLite file or a postgres:// URL (default: $"+gateDBEnv+", else "+defaultStoreHint()+")")
	f.StringVar(&p.format, "format", "text", "output format: text or json")
}

func (p gateParams) checkFormat() error {
	if p.format != "text" && p.format != "json" {
		return inputErrorf("--format %q: want text or json", p.format)
	}
	return nil
}

// openGate opens the store and builds a gate. withScanner gives it the
// real change scanner (only plan scans).
func openGate(ctx context.Context, p gateParams, configNear string, withScanner bool) (*gate.Gate, func(), error) {
	if err := p.checkFormat(); err != nil {
		return nil, nil, err
	}
	if configNear == "" {
		configNear = "."
	}
	cfg, err := config.Find(p.configFile, configNear)
	if err != nil {
		return nil, nil, asInputError(err)
	}
	st, err := p.openStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	closeStore := func() { st.Close() }
	opts := gate.Options{Now: p.now, Scanner: p.scanner}
	if withScanner && opts.Scanner == nil {
		// The scanner MCP and HTTP use: resource rules, the linter on every
		// policy in the change, and the secret detectors.
		return service.New(service.Options{Config: cfg, Store: st, Now: p.now}).Gate(), closeStore, nil
	}
	return gate.New(st, cfg, opts), closeStore, nil
}

// openStore opens --db, else $IAMGUARD_DB, else the default store.
func (p gateParams) openStore(ctx context.Context) (store.Store, error) {
	dsn := p.db
	if dsn == "" {
		dsn = os.Getenv(gateDBEnv)
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, inputErrorf("--db: %v", err)
	}
	return st, nil
}

// osUserName is who runs the command when no name is given.
func osUserName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if v := os.Getenv("USER"); v != "" {
		return v
	}
	return ""
}

// gateError maps the gate's errors to the exit-code contract: a refusal is
// printed and exits 1 (the gate said no); bad input exits 2.
func gateError(p gateParams, out io.Writer, err error) error {
	if err == nil {
		return nil
	}
	var r *gate.Refusal
	if errors.As(err, &r) {
		if p.format == "json" {
			writeJSON(out, map[string]any{"refused": r})
		}
		fmt.Fprintf(p.stderr, "iamguard: refused (%s): %s\n", r.Code, r.Message)
		return errExitFindings
	}
	var ie *gate.InputError
	var se *node.SyntaxError
	if errors.As(err, &ie) || errors.As(err, &se) || errors.Is(err, store.ErrNotFound) {
		return asInputError(err)
	}
	return err
}

func newChangeCmd() *cobra.Command {
	var p gateParams
	cmd := &cobra.Command{
		Use:   "change",
		Short: "Plan, approve and apply AWS changes through the change gate",
		Long: `change runs the change gate: a change request (JSON or YAML: environment,
operation, resourceType, properties…) is planned — priced, tagged, decided by
the approval rules, scanned — and then applied, after a recorded approval of
exactly that content when the rules or the scan say so. Every step issues a
token bound to the content's SHA-256 and the step, and every step, refusals
included, is written to a hash-chained audit log ("iamguard audit").

  iamguard change plan change.yaml
  iamguard change request --token PLAN_TOKEN
  iamguard change approve CHANGE_ID --approver alice [--accept CODE@PATH] [--mfa 123456]
  iamguard change apply change.yaml --token APPROVAL_TOKEN            (dry run)
  iamguard change apply change.yaml --token APPROVAL_TOKEN --allow-write

Exit status: 0 done; 1 the gate refused, or the plan's scan failed; 2 bad
input or usage. The file format, the rules and a whole session are in
docs/gate.md.`,
		PersistentPreRun: func(cmd *cobra.Command, _ []string) { p.stderr = cmd.ErrOrStderr() },
	}
	addGateFlags(cmd, &p)
	cmd.AddCommand(newChangePlanCmd(&p), newChangeRequestCmd(&p), newChangeApproveCmd(&p), newChangeRejectCmd(&p),
		newChangeCancelCmd(&p), newChangeApplyCmd(&p), newChangeStatusCmd(&p), newChangeListCmd(&p))
	return cmd
}

// ---- plan

type changePlanParams struct {
	file      string
	requester string
}

func newChangePlanCmd(gp *gateParams) *cobra.Command {
	var p changePlanParams
	cmd := &cobra.Command{
		Use:   "plan CHANGE",
		Short: "Price, tag, decide and scan a change request, record it, and issue a plan token",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.file = args[0]
			return runChangePlan(cmd.Context(), *gp, p, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&p.requester, "requester", "", "who asks for the change, when the file names no requester (default: the OS user)")
	return cmd
}

// readChangeFile parses a change file, filling the requester from the flag
// or the OS user when the file names none.
func readChangeFile(file, requester string) (*gate.Change, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, asInputError(err)
	}
	c, err := gate.ParseChange(file, data)
	if err != nil {
		return nil, asInputError(err)
	}
	switch {
	case c.Requester != "" && requester != "" && !strings.EqualFold(c.Requester, requester):
		return nil, inputErrorf("%s names requester %q but --requester says %q", file, c.Requester, requester)
	case c.Requester == "" && requester != "":
		c.Requester = requester
	case c.Requester == "":
		c.Requester = osUserName()
	}
	return c, nil
}

func runChangePlan(ctx context.Context, gp gateParams, p changePlanParams, out io.Writer) error {
	c, err := readChangeFile(p.file, p.requester)
	if err != nil {
		return err
	}
	g, done, err := openGate(ctx, gp, p.file, true)
	if err != nil {
		return err
	}
	defer done()
	plan, err := g.Plan(ctx, c)
	if err != nil {
		return gateError(gp, out, err)
	}
	if gp.format == "json" {
		if err := writeJSON(out, plan); err != nil {
			return err
		}
	} else {
		writePlanText(out, plan)
	}
	if plan.ScanStatus == gate.ScanFailed {
		return errExitFindings
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func writePlanText(w io.Writer, p *gate.Plan) {
	env := p.Environment
	if p.Production {
		env += " (production)"
	}
	fmt.Fprintf(w, "change %s: %s %s in %s\n", p.ChangeID, p.Operation, p.ResourceType, env)
	ruleIndex := "no rule matched"
	if p.Rule.Index >= 0 {
		ruleIndex = fmt.Sprintf("approvals.rules[%d]", p.Rule.Index)
	}
	fmt.Fprintf(w, "  rule        %s (%s: %s): approval %s, scan %s\n", p.Rule.Name, ruleIndex, p.Rule.Why, yesNo(p.Rule.Approval), yesNo(p.Rule.Scan))
	fmt.Fprintf(w, "  cost        %s\n", costText(p.Cost))
	fmt.Fprintf(w, "  tags        %s\n", tagsText(p.Tags))
	fmt.Fprintf(w, "  scan        %s", p.ScanStatus)
	if p.ScanReason != "" {
		fmt.Fprintf(w, " (%s)", p.ScanReason)
	}
	fmt.Fprintf(w, ", %d finding(s)\n", len(p.Findings))
	for _, f := range p.Findings {
		writeScanFinding(w, f)
	}
	fmt.Fprintf(w, "  approval    %s\n", yesNo(p.ApprovalRequired))
	fmt.Fprintf(w, "  content     sha256:%s\n", p.ContentHash)
	fmt.Fprintf(w, "  promotion   %s", p.PromotionHash)
	if p.Promotion.Required {
		fmt.Fprintf(w, " (required: %s)", p.Promotion.Message)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  token       %s\n", p.Token)
	fmt.Fprintf(w, "              plan token, expires %s\n", p.TokenExpires.Format(time.RFC3339))
	fmt.Fprintf(w, "next: %s\n", p.Next)
	for _, s := range p.Steps {
		fmt.Fprintf(w, "  %s\n", s)
	}
}

func writeScanFinding(w io.Writer, f gate.ScanFinding) {
	where := f.File
	if f.Line > 0 {
		where = fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Column)
	}
	block := ""
	if f.Blocking {
		block = ", blocking"
	}
	fmt.Fprintf(w, "    %s: %s %s: %s\n", where, f.Severity, f.Code, f.Message)
	fmt.Fprintf(w, "      at %s (fingerprint %s%s)\n", f.Path, f.Fingerprint, block)
	if f.Fix != "" {
		fmt.Fprintf(w, "      fix: %s\n", f.Fix)
	}
	if f.Suppressed != "" {
		fmt.Fprintf(w, "      suppressed: %s\n", f.Suppressed)
	}
}

func costText(c gate.CostInfo) string {
	amount := "unknown (the rules take it as expensive)"
	if c.USD != nil {
		amount = fmt.Sprintf("$%.2f/month", *c.USD)
	}
	switch c.Source {
	case gate.CostEstimated:
		return fmt.Sprintf("%s, estimated: %s (price table of %s)", amount, c.Basis, c.PriceTableDate)
	case gate.CostGiven:
		return amount + ", as given"
	}
	return amount + ": " + c.Basis
}

func tagsText(t gate.TagResult) string {
	if t.Skipped != "" {
		return "none injected: " + t.Skipped
	}
	var parts []string
	keys := make([]string, 0, len(t.Added))
	for k := range t.Added {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var added []string
	for _, k := range keys {
		added = append(added, k+"="+t.Added[k])
	}
	if len(added) > 0 {
		parts = append(parts, "added "+strings.Join(added, ", "))
	}
	for k, old := range t.Replaced {
		parts = append(parts, fmt.Sprintf("replaced %s=%s", k, old))
	}
	if len(t.Missing) > 0 {
		parts = append(parts, "missing "+strings.Join(t.Missing, ", "))
	}
	if len(t.Invalid) > 0 {
		parts = append(parts, "invalid "+strings.Join(t.Invalid, "; "))
	}
	if len(parts) == 0 {
		return "all required tags present"
	}
	return strings.Join(parts, "; ")
}

// ---- request, approve, reject, cancel

type changeStepParams struct {
	id          string
	token       string
	by          string
	note        string
	approver    string
	accept      []string
	mfa         string
	contentHash string
	comment     string
	reason      string
}

func newChangeRequestCmd(gp *gateParams) *cobra.Command {
	var p changeStepParams
	cmd := &cobra.Command{
		Use:   "request --token PLAN_TOKEN",
		Short: "Ask for an approval of a planned change",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runChangeStep(cmd.Context(), *gp, "request", p, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&p.token, "token", "", "the plan token")
	cmd.Flags().StringVar(&p.by, "by", "", "who asks (default: the change's requester)")
	cmd.Flags().StringVar(&p.note, "note", "", "a note for the approver")
	cmd.MarkFlagRequired("token")
	return cmd
}

func newChangeApproveCmd(gp *gateParams) *cobra.Command {
	var p changeStepParams
	cmd := &cobra.Command{
		Use:   "approve CHANGE_ID --approver NAME [--accept CODE@PATH]... [--mfa CODE]",
		Short: "Approve a requested change (never your own), accepting its blocking findings by name",
		Long: `approve records an approval of the change's exact content and prints the
approval token that apply takes. The approver cannot be the requester, must
be in approvals.approvers when that list is set, and must give an MFA code
or assertion (--mfa) for production when mfa.requireForProduction is set.

A change whose scan found blocking findings (at or above scan.failOn) is
approved only when --accept names every one of them: CODE@PATH (as plan
prints them), a fingerprint, or a bare CODE (every finding with that code).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.id = args[0]
			return runChangeStep(cmd.Context(), *gp, "approve", p, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&p.approver, "approver", "", "who approves")
	cmd.Flags().StringArrayVar(&p.accept, "accept", nil, "a blocking finding the approval accepts: CODE@PATH, a fingerprint, or CODE (repeatable)")
	cmd.Flags().StringVar(&p.mfa, "mfa", "", "MFA code (6–8 digits) or identity-provider assertion; recorded as a fingerprint")
	cmd.Flags().StringVar(&p.mfa, "mfa-code", "", "same as --mfa")
	cmd.Flags().StringVar(&p.contentHash, "content-hash", "", "the content hash you reviewed (at least 12 hex digits): refuse if the change is something else")
	cmd.Flags().StringVar(&p.comment, "comment", "", "why it is approved")
	cmd.MarkFlagRequired("approver")
	return cmd
}

func newChangeRejectCmd(gp *gateParams) *cobra.Command {
	var p changeStepParams
	cmd := &cobra.Command{
		Use:   "reject CHANGE_ID --approver NAME --reason TEXT",
		Short: "Reject a requested (or approved, not applied) change; it can never be applied",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.id = args[0]
			return runChangeStep(cmd.Context(), *gp, "reject", p, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&p.approver, "approver", "", "who rejects")
	cmd.Flags().StringVar(&p.reason, "reason", "", "why")
	cmd.MarkFlagRequired("approver")
	return cmd
}

func newChangeCancelCmd(gp *gateParams) *cobra.Command {
	var p changeStepParams
	cmd := &cobra.Command{
		Use:   "cancel CHANGE_ID",
		Short: "Withdraw a change that is not applied (its requester or an approver)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.id = args[0]
			return runChangeStep(cmd.Context(), *gp, "cancel", p, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&p.by, "by", "", "who cancels (default: the OS user)")
	cmd.Flags().StringVar(&p.reason, "reason", "", "why")
	return cmd
}

func runChangeStep(ctx context.Context, gp gateParams, step string, p changeStepParams, out io.Writer) error {
	g, done, err := openGate(ctx, gp, "", false)
	if err != nil {
		return err
	}
	defer done()
	var res *gate.StepOutcome
	switch step {
	case "request":
		res, err = g.Request(ctx, gate.RequestInput{Token: p.token, By: p.by, Note: p.note})
	case "approve":
		res, err = g.Approve(ctx, gate.ApproveInput{ChangeID: p.id, Approver: p.approver, Accept: p.accept, MFA: p.mfa,
			Channel: gate.ChannelCLI, ContentHash: p.contentHash, Comment: p.comment})
	case "reject":
		res, err = g.Reject(ctx, gate.RejectInput{ChangeID: p.id, Approver: p.approver, Reason: p.reason, Channel: gate.ChannelCLI})
	case "cancel":
		by := p.by
		if by == "" {
			by = osUserName()
		}
		res, err = g.Cancel(ctx, gate.CancelInput{ChangeID: p.id, By: by, Reason: p.reason})
	}
	if err != nil {
		if !errors.Is(err, gate.ErrRefused) && strings.Contains(err.Error(), "needs the") {
			return asInputError(err)
		}
		return gateError(gp, out, err)
	}
	if gp.format == "json" {
		return writeJSON(out, res)
	}
	fmt.Fprintf(out, "%s\n", res.Message)
	fmt.Fprintf(out, "  change   %s (%s)\n", res.ChangeID, res.State)
	fmt.Fprintf(out, "  content  sha256:%s\n", res.ContentHash)
	if res.Token != "" {
		fmt.Fprintf(out, "  token    %s\n", res.Token)
		fmt.Fprintf(out, "           %s token, expires %s\n", step, res.TokenExpires.Format(time.RFC3339))
	}
	return nil
}

// ---- apply

type changeApplyParams struct {
	file       string
	token      string
	by         string
	out        string
	dryRun     bool
	dryRunSet  bool
	allowWrite bool
	resume     bool
	// applier replaces apply.AWS for --allow-write (tests).
	applier apply.Applier
}

func newChangeApplyCmd(gp *gateParams) *cobra.Command {
	var p changeApplyParams
	cmd := &cobra.Command{
		Use:   "apply [CHANGE] --token TOKEN [--allow-write]",
		Short: "Apply a planned (and, where needed, approved) change: a dry run unless --allow-write",
		Long: `apply checks the token (signature, expiry, step, content), the change's state,
the recorded scan, the approval and its accepted findings, and the dev→prod
promotion, and then carries the change out.

By default it is a dry run: it prints the exact AWS CLI lines (and writes the
documents they read to --out) and changes nothing. With --allow-write it
calls AWS with the environment's profile and region from iamguard.yaml and
the standard credential chain, after checking the credentials belong to the
environment's account.

Give the change file to check it is the content the token was issued for.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				p.file = args[0]
			}
			p.dryRunSet = cmd.Flags().Changed("dry-run")
			return runChangeApply(cmd.Context(), *gp, p, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&p.token, "token", "", "the plan token (no approval needed) or the approval token")
	cmd.Flags().StringVar(&p.by, "by", "", "who applies (default: the OS user)")
	cmd.Flags().StringVar(&p.out, "out", "", "directory for the documents a dry run's command lines read (default: a directory under the system temp dir)")
	cmd.Flags().BoolVar(&p.dryRun, "dry-run", true, "print the AWS calls instead of making them")
	cmd.Flags().BoolVar(&p.allowWrite, "allow-write", false, "make the calls: change AWS")
	cmd.Flags().BoolVar(&p.resume, "resume", false, "take over a change left 'applying' by an interrupted apply")
	cmd.MarkFlagRequired("token")
	return cmd
}

func runChangeApply(ctx context.Context, gp gateParams, p changeApplyParams, out io.Writer) error {
	write := p.allowWrite
	switch {
	case p.allowWrite && p.dryRunSet && p.dryRun:
		return inputErrorf("--dry-run and --allow-write contradict each other")
	case !p.allowWrite && p.dryRunSet && !p.dryRun:
		return inputErrorf("a real apply needs --allow-write")
	}
	var c *gate.Change
	if p.file != "" {
		// Parsed as written: the gate fills in the planned requester and
		// tags before comparing it with the token's content.
		data, err := os.ReadFile(p.file)
		if err != nil {
			return asInputError(err)
		}
		if c, err = gate.ParseChange(p.file, data); err != nil {
			return asInputError(err)
		}
	}
	g, done, err := openGate(ctx, gp, p.file, false)
	if err != nil {
		return err
	}
	defer done()
	by := p.by
	if by == "" {
		by = osUserName()
	}
	in := gate.ApplyInput{Token: p.token, Change: c, By: by, Resume: p.resume}
	if write {
		in.Applier = p.applier
		if in.Applier == nil {
			in.Applier = &apply.AWS{}
		}
	} else {
		dir := p.out
		if dir == "" {
			id := "unknown"
			if claims, ok := gate.InspectToken(p.token); ok {
				id = filepath.Base(claims.ChangeID)
			}
			dir = filepath.Join(os.TempDir(), "iamguard-"+id)
		}
		in.DryRunDir = dir
	}
	res, err := g.Apply(ctx, in)
	if err != nil {
		if res != nil && gp.format == "text" && res.Result != nil {
			writeCalls(out, res.Result)
		}
		return gateError(gp, out, err)
	}
	if gp.format == "json" {
		return writeJSON(out, res)
	}
	if res.DryRun {
		fmt.Fprintf(out, "# dry run of change %s (content sha256:%s): nothing was changed.\n", res.ChangeID, res.ContentHash)
		fmt.Fprintf(out, "# These are the calls apply --allow-write makes; the documents are in %s.\n", in.DryRunDir)
	} else {
		fmt.Fprintf(out, "# change %s applied (content sha256:%s)\n", res.ChangeID, res.ContentHash)
	}
	writeCalls(out, res.Result)
	if !res.DryRun {
		if res.Result.Identifier != "" {
			fmt.Fprintf(out, "identifier  %s\n", res.Result.Identifier)
		}
		fmt.Fprintf(out, "promotion   %s\n", res.PromotionHash)
		fmt.Fprintf(out, "receipt     %s\n", res.Token)
	}
	fmt.Fprintln(out, res.Message)
	return nil
}

func writeCalls(w io.Writer, r *apply.Result) {
	for _, c := range r.Calls {
		fmt.Fprintf(w, "# %s\n%s\n", c.API, c.CLI)
	}
}

// ---- status, list

func newChangeStatusCmd(gp *gateParams) *cobra.Command {
	return &cobra.Command{
		Use:   "status CHANGE_ID",
		Short: "Show a change: state, content, rule, scan, approval, apply",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runChangeStatus(cmd.Context(), *gp, args[0], cmd.OutOrStdout())
		},
	}
}

func runChangeStatus(ctx context.Context, gp gateParams, id string, out io.Writer) error {
	g, done, err := openGate(ctx, gp, "", false)
	if err != nil {
		return err
	}
	defer done()
	st, err := g.Status(ctx, id)
	if err != nil {
		return gateError(gp, out, err)
	}
	if gp.format == "json" {
		return writeJSON(out, st)
	}
	fmt.Fprintf(out, "change %s: %s\n", st.ID, st.State)
	fmt.Fprintf(out, "  what        %s %s in %s, requested by %s\n", st.Operation, st.ResourceType, st.Environment, st.Requester)
	fmt.Fprintf(out, "  planned     %s\n", st.Created.Format(time.RFC3339))
	fmt.Fprintf(out, "  rule        %s: approval %s, scan %s\n", st.Rule.Name, yesNo(st.Rule.Approval), yesNo(st.Rule.Scan))
	fmt.Fprintf(out, "  cost        %s\n", costText(st.Cost))
	fmt.Fprintf(out, "  scan        %s, %d finding(s)\n", st.Scan.Status, len(st.Scan.Findings))
	for _, f := range st.Scan.Findings {
		writeScanFinding(out, f)
	}
	fmt.Fprintf(out, "  content     sha256:%s\n", st.ContentHash)
	fmt.Fprintf(out, "  promotion   %s\n", st.PromotionHash)
	if e := st.Requested; e != nil {
		fmt.Fprintf(out, "  requested   by %s at %s%s\n", e.By, e.At.Format(time.RFC3339), quoted(e.Reason))
	}
	if a := st.Approval; a != nil {
		mfa := "no MFA"
		if a.MFA != nil {
			mfa = "MFA " + a.MFA.Kind + " " + a.MFA.Fingerprint
		}
		fmt.Fprintf(out, "  approved    by %s at %s via %s, %s, accepting %d finding(s)%s\n", a.By, a.At.Format(time.RFC3339), a.Channel, mfa, len(a.Accepted), quoted(a.Comment))
	}
	if e := st.Rejection; e != nil {
		fmt.Fprintf(out, "  rejected    by %s at %s%s\n", e.By, e.At.Format(time.RFC3339), quoted(e.Reason))
	}
	if e := st.Cancellation; e != nil {
		fmt.Fprintf(out, "  cancelled   by %s at %s%s\n", e.By, e.At.Format(time.RFC3339), quoted(e.Reason))
	}
	if a := st.Applied; a != nil {
		fmt.Fprintf(out, "  applied     by %s at %s", a.By, a.At.Format(time.RFC3339))
		if a.Result != nil && a.Result.Identifier != "" {
			fmt.Fprintf(out, " as %s", a.Result.Identifier)
		}
		fmt.Fprintln(out)
	}
	fmt.Fprintf(out, "  content:\n    %s\n", st.Content)
	return nil
}

// quoted renders an optional note after a colon.
func quoted(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf(": %q", s)
}

type changeListParams struct {
	state, env string
	limit      int
}

func newChangeListCmd(gp *gateParams) *cobra.Command {
	var p changeListParams
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List changes, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runChangeList(cmd.Context(), *gp, p, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&p.state, "state", "", "only changes in this state: planned, requested, approved, rejected, cancelled, applying, applied")
	cmd.Flags().StringVar(&p.env, "env", "", "only changes for this environment")
	cmd.Flags().IntVar(&p.limit, "limit", 50, "at most this many (0: all)")
	return cmd
}

var changeStates = []gate.State{gate.StatePlanned, gate.StateRequested, gate.StateApproved, gate.StateRejected, gate.StateCancelled, gate.StateApplying, gate.StateApplied}

func runChangeList(ctx context.Context, gp gateParams, p changeListParams, out io.Writer) error {
	if p.state != "" && !slices.Contains(changeStates, gate.State(p.state)) {
		return inputErrorf("--state %q is not a change state", p.state)
	}
	g, done, err := openGate(ctx, gp, "", false)
	if err != nil {
		return err
	}
	defer done()
	list, err := g.List(ctx, gate.ListFilter{State: gate.State(p.state), Environment: p.env, Limit: p.limit})
	if err != nil {
		return gateError(gp, out, err)
	}
	if gp.format == "json" {
		if list == nil {
			list = []*gate.Status{}
		}
		return writeJSON(out, list)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tENV\tOPERATION\tTYPE\tREQUESTER\tSCAN\tPLANNED")
	for _, st := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", st.ID, st.State, st.Environment, st.Operation, st.ResourceType, st.Requester, st.Scan.Status, st.Created.Format(time.RFC3339))
	}
	return tw.Flush()
}
