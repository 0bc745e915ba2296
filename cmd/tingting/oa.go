package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/tingting-vn/tingting/cmd/internal/app"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/route"
)

// oa runs the operator's commands about the OA: connect prints the link
// its admin consents through; status and resume read and end the pauses
// of routes Zalo stopped for the whole OA (README: runbook).
func oa(ctx context.Context, a *app.App, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: tingting oa connect | status | resume [ROUTE]")
	}
	if args[0] == "connect" {
		if a.Config.ZaloOAConsentURL == "" || a.Config.ZaloOACodeVerifier == "" {
			return fmt.Errorf("set ZALO_OA_CONSENT_URL and ZALO_OA_CODE_VERIFIER: in Zalo's developer console, give the OA the callback %s/v1/oauth/zalo-oa/callback "+
				"and the PKCE challenge of a verifier you keep secret; the console generates the consent link", a.Config.PublicURL)
		}
		fmt.Fprintf(stdout, "Open this link as the OA's admin and consent; Zalo brings you back to %s and the OA is connected:\n%s\n",
			a.Config.PublicURL, a.Config.ZaloOAConsentURL)
		return nil
	}
	pool, err := a.OpenDB(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	q := db.New(pool)
	switch args[0] {
	case "status":
		h, err := q.GetOAHealth(ctx)
		switch {
		case errors.Is(err, db.ErrNotFound):
			fmt.Fprintln(stdout, "OA: not read from Zalo yet (the worker reads getoa at start and every few minutes)")
		case err != nil:
			return err
		default:
			fmt.Fprintf(stdout, "OA %s %q, read %s: verified %t, package %q, linked paying account %t\n",
				h.OaID, h.Name, h.CheckedAt.Format("2006-01-02 15:04:05"), h.IsVerified, h.PackageName, h.LinkedZca)
		}
		pauses, err := q.ListPauses(ctx)
		if err != nil {
			return err
		}
		if len(pauses) == 0 {
			fmt.Fprintln(stdout, "Every route takes messages.")
		}
		for _, p := range pauses {
			fmt.Fprintf(stdout, "STOPPED %s since %s: Zalo said %d: %s (probed again at %s)\n",
				p.Route, p.Since.Format("2006-01-02 15:04:05"), p.Code, p.Message, p.ProbeAt.Format("15:04:05"))
		}
		return nil
	case "resume":
		routes := []string{}
		if len(args) > 1 {
			if _, err := route.Parse(args[1]); err != nil && args[1] != "all" {
				return err
			}
			routes = append(routes, args[1])
		}
		resumed, err := q.ResumeRoutes(ctx, db.ResumeRoutesParams{Routes: routes, Codes: []int32{}})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Resumed: %v (messages waiting on them go at their next retry)\n", resumed)
		return nil
	}
	return errors.New("usage: tingting oa connect | status | resume [ROUTE]")
}
