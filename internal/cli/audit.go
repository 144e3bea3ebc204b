package cli

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/iamguard/iamguard/internal/gate/store"
)

func newAuditCmd() *cobra.Command {
	var p gateParams
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Read and verify the change gate's hash-chained audit log",
		Long: `The audit log records every plan, scan, request, approval, rejection,
cancellation, apply and refusal of the change gate: who, when, which change
and content hash, and the particulars. Each record's hash covers the previous
record's hash and its own canonical content, so editing, reordering or
removing any record breaks the chain, and "audit verify" names the record.

Keep the head hash "audit verify" prints somewhere outside the store (a
ticket, a commit, a chat message): "audit verify --anchor HASH" later proves
the log still contains that point, which catches a log rewritten from scratch
or truncated together with its head.`,
		PersistentPreRun: func(cmd *cobra.Command, _ []string) { p.stderr = cmd.ErrOrStderr() },
	}
	f := cmd.PersistentFlags()
	f.StringVar(&p.db, "db", "", "change store: a SQLite file or a postgres:// URL (default: $"+gateDBEnv+", else "+defaultStoreHint()+")")
	f.StringVar(&p.format, "format", "text", "output format: text or json")
	cmd.AddCommand(newAuditLogCmd(&p), newAuditVerifyCmd(&p))
	return cmd
}

type auditLogParams struct {
	change string
	after  int64
	limit  int
}

func newAuditLogCmd(gp *gateParams) *cobra.Command {
	var p auditLogParams
	cmd := &cobra.Command{
		Use:   "log",
		Short: "List audit records in chain order",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAuditLog(cmd.Context(), *gp, p, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&p.change, "change", "", "only this change's records")
	cmd.Flags().Int64Var(&p.after, "after", 0, "only records after this sequence number")
	cmd.Flags().IntVar(&p.limit, "limit", 0, "at most this many records (0: all)")
	return cmd
}

// openAuditStore opens the store the audit commands read.
func openAuditStore(ctx context.Context, gp gateParams) (store.Store, error) {
	if err := gp.checkFormat(); err != nil {
		return nil, err
	}
	return gp.openStore(ctx)
}

func runAuditLog(ctx context.Context, gp gateParams, p auditLogParams, out io.Writer) error {
	st, err := openAuditStore(ctx, gp)
	if err != nil {
		return err
	}
	defer st.Close()
	q := store.AuditQuery{ChangeID: p.change, AfterSeq: p.after, Limit: p.limit}
	if gp.format == "json" {
		recs := []store.Record{}
		if err := st.Records(ctx, q, func(r store.Record) error { recs = append(recs, r); return nil }); err != nil {
			return err
		}
		return writeJSON(out, recs)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tTIME\tEVENT\tCHANGE\tACTOR\tCONTENT\tDETAIL\tHASH")
	err = st.Records(ctx, q, func(r store.Record) error {
		_, err := fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Seq, r.Time.Format(time.RFC3339), r.Event, dash(r.ChangeID), dash(r.Actor), dash(shortHash(r.ContentHash)), r.Detail, shortHash(r.Hash))
		return err
	})
	if err != nil {
		return err
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

func newAuditVerifyCmd(gp *gateParams) *cobra.Command {
	var anchor string
	cmd := &cobra.Command{
		Use:   "verify [--anchor HASH]",
		Short: "Check the whole chain; name every edited, reordered or removed record (exit 1 if any)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runAuditVerify(cmd.Context(), *gp, anchor, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&anchor, "anchor", "", "a record hash kept outside the store that the log must still contain")
	return cmd
}

func runAuditVerify(ctx context.Context, gp gateParams, anchor string, out io.Writer) error {
	st, err := openAuditStore(ctx, gp)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := store.Verify(ctx, st, anchor)
	if err != nil {
		return err
	}
	if gp.format == "json" {
		if err := writeJSON(out, rep); err != nil {
			return err
		}
	} else if rep.OK {
		fmt.Fprintf(out, "audit log intact: %d records, head #%d %s\n", rep.Records, rep.HeadSeq, rep.HeadHash)
		if rep.Anchor != "" {
			fmt.Fprintf(out, "anchor %s found in the log\n", rep.Anchor)
		}
	} else {
		fmt.Fprintf(out, "audit log BROKEN: %d problem(s) in %d records\n", len(rep.Problems), rep.Records)
		for _, p := range rep.Problems {
			fmt.Fprintf(out, "  record %d: %s: %s\n", p.Seq, p.Kind, p.Message)
		}
	}
	if !rep.OK {
		return errExitFindings
	}
	return nil
}
