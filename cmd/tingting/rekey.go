package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/tingting-vn/tingting/cmd/internal/app"
	"github.com/tingting-vn/tingting/internal/rekey"
)

// rekeyCommand seals every stored secret again with TINGTING_ENCRYPTION_KEY
// (the rotation runbook, docs/SECURITY.md) and says what it did.
func rekeyCommand(ctx context.Context, a *app.App, stdout io.Writer) error {
	box, err := a.Box()
	if err != nil {
		return err
	}
	pool, err := a.OpenDB(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	columns, err := rekey.Run(ctx, pool, box)
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "COLUMN\tSEALED AGAIN\tALREADY CURRENT\tCHANGED MEANWHILE\tNO KEY OPENS")
	for _, c := range columns {
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\n", c.Name, c.Resealed, c.Current, c.Changed, c.Unopened)
	}
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Every stored secret is sealed with the current key. Temporal's histories cannot be sealed again:"+
		" keep the old keys in TINGTING_ENCRYPTION_OLD_KEYS until the workflows they sealed have closed and passed the namespace's retention.")
	return nil
}
