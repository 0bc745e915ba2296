package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"github.com/tingting-vn/tingting/cmd/internal/app"
	"github.com/tingting-vn/tingting/db"
)

const outboxUsage = "usage: tingting outbox list | tingting outbox retry [OUTBOX_ID...]"

// outbox shows and sends again the work Temporal refused to start for good
// (parked by the worker's dispatcher, with Temporal's refusal): fix what
// the refusal names, then retry.
func outbox(ctx context.Context, a *app.App, args []string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "retry") || (args[0] == "list" && len(args) > 1) {
		return fmt.Errorf("%s", outboxUsage)
	}
	var ids []uuid.UUID
	for _, arg := range args[1:] {
		id, err := uuid.Parse(arg)
		if err != nil {
			return fmt.Errorf("%q is not an outbox id (`tingting outbox list` shows them)", arg)
		}
		ids = append(ids, id)
	}
	pool, err := a.OpenDB(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	q := db.New(pool)
	if args[0] == "list" {
		return listParked(ctx, q, stdout)
	}
	retried, err := q.RetryParkedWork(ctx, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !slices.Contains(retried, id) {
			fmt.Fprintf(stdout, "%s is not parked (started already, or no such row)\n", id)
		}
	}
	fmt.Fprintf(stdout, "%d parked rows sent again; the dispatcher starts them now (a row refused again is parked again).\n", len(retried))
	return nil
}

func listParked(ctx context.Context, q *db.Queries, stdout io.Writer) error {
	rows, err := q.ListParkedWork(ctx)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		fmt.Fprintln(stdout, "Nothing is parked.")
		return nil
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tKIND\tREF\tRECORDED\tPARKED\tATTEMPTS\tERROR")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", r.ID, r.Kind, r.Ref,
			r.CreatedAt.UTC().Format(time.RFC3339), r.ParkedAt.UTC().Format(time.RFC3339), r.Attempts, r.LastError)
	}
	return w.Flush()
}
