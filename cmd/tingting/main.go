// Command tingting is the product: the API, the worker and the few
// operations around them, one per process, for production and
// docker-compose. Development tools (`dev`, the Zalo sandbox, the
// benchmark) are in cmd/tingting-dev, which this command never links.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/tingting-vn/tingting/cmd/internal/app"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/apikey"
	"github.com/tingting-vn/tingting/internal/config"
	"github.com/tingting-vn/tingting/internal/team"
	"github.com/tingting-vn/tingting/internal/vntime"
	"github.com/tingting-vn/tingting/message"
)

const usage = `tingting sends a Zalo OA message for every new bank transaction.

Usage:
  tingting api                         serve the HTTP API
  tingting worker                      run the Temporal worker
  tingting migrate                     apply database migrations
  tingting sync-followers              record the OA's existing followers (a worker must be running)
  tingting workspace create --name N   create a workspace; prints its API key last
  tingting workspace invite --id ID [--role owner|manager|viewer]
                                       print a link that puts whoever opens it and signs in with
                                       Zalo on the workspace's team (default owner), last
  tingting oa connect                  print the OA consent link (connect, or reconnect, the OA)
  tingting oa status                   the OA's health and the routes stopped for it
  tingting oa resume [ROUTE]           start again a route stopped for the OA (all of them without ROUTE)
  tingting outbox list                 the recorded work Temporal refused to start for good (parked)
  tingting outbox retry [ID...]        start parked work again (all of it, or the ids given)
  tingting rekey                       seal every stored secret again with TINGTING_ENCRYPTION_KEY
  tingting env                         list the environment variables tingting reads

Configuration comes from the environment; see README.md. To run everything
on one machine, use tingting-dev (make dev).
`

var errUsage = errors.New("see `tingting help`")

func main() {
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tingting:", err)
		os.Exit(1)
	}
}

// run is the whole program; tests call it with their own environment.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	cmd, rest := args[1], args[2:]
	switch cmd {
	case "env":
		for _, v := range config.Vars {
			fmt.Fprintf(stdout, "%-24s %s (default %q)\n", v.Name, v.Doc, v.Default)
		}
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	case "api", "worker", "migrate", "sync-followers", "workspace", "outbox", "rekey", "oa":
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", cmd, usage)
		return errUsage
	}
	a, err := app.New(getenv, stderr)
	if err != nil {
		return err
	}
	switch cmd {
	case "workspace":
		return workspace(ctx, a, rest, stdout)
	case "outbox":
		return outbox(ctx, a, rest, stdout)
	case "rekey":
		return rekeyCommand(ctx, a, stdout)
	case "oa":
		return oa(ctx, a, rest, stdout)
	}
	if cmd == "api" {
		if err := a.CheckAPI(); err != nil {
			return err
		}
	}
	pool, err := a.OpenDB(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	if cmd == "migrate" {
		return db.Migrate(ctx, pool, a.Log)
	}
	tc, err := a.DialTemporal(ctx)
	if err != nil {
		return err
	}
	defer tc.Close()
	if cmd == "sync-followers" {
		return a.SyncFollowers(ctx, tc)
	}
	g, gctx := errgroup.WithContext(ctx)
	if cmd == "api" {
		g.Go(func() error { return a.ServeAPI(gctx, pool, tc) })
	} else {
		g.Go(func() error { return a.RunWorker(gctx, pool, tc) })
	}
	// Metrics, the process's probes and profiles are served on addresses
	// of their own, never on the API's public one.
	g.Go(func() error { return a.Serve(gctx, "metrics", a.Config.MetricsAddr, a.OpsHandler()) })
	if a.Config.DebugAddr != "" {
		g.Go(func() error { return a.Serve(gctx, "debug", a.Config.DebugAddr, app.DebugHandler()) })
	}
	return g.Wait()
}

const workspaceUsage = "usage: tingting workspace create --name NAME | tingting workspace invite --id ID [--role owner|manager|viewer]"

func workspace(ctx context.Context, a *app.App, args []string, stdout io.Writer) error {
	switch {
	case len(args) > 0 && args[0] == "create":
		return createWorkspace(ctx, a, args[1:], stdout)
	case len(args) > 0 && args[0] == "invite":
		return inviteToWorkspace(ctx, a, args[1:], stdout)
	}
	return errors.New(workspaceUsage)
}

func createWorkspace(ctx context.Context, a *app.App, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("workspace create", flag.ContinueOnError)
	name := fs.String("name", "", "the workspace's name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	*name = strings.TrimSpace(message.Clean(*name)) // it appears in what the OA sends
	if *name == "" {
		return errors.New(workspaceUsage)
	}
	pool, err := a.OpenDB(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	ws, key, err := apikey.CreateWorkspace(ctx, pool, *name)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Workspace %q created (id %s). Its API key, shown only now:\n%s\n", ws.Name, ws.ID, key)
	return nil
}

// inviteToWorkspace prints a team invite link: how a workspace an operator
// made gets its owner, who signs in with Zalo through it.
func inviteToWorkspace(ctx context.Context, a *app.App, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("workspace invite", flag.ContinueOnError)
	id := fs.String("id", "", "the workspace's id")
	role := fs.String("role", "owner", "owner, manager or viewer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ws, err := uuid.Parse(*id)
	if err != nil || !db.TeamRole(*role).Valid() {
		return errors.New(workspaceUsage)
	}
	pool, err := a.OpenDB(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	q := db.New(pool)
	w, err := q.GetWorkspace(ctx, ws)
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("no workspace %s", ws)
	} else if err != nil {
		return err
	}
	inv, err := team.NewInvite(ctx, q, a.Config.PublicURL, ws, db.TeamRole(*role))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Whoever opens this link before %s and signs in with Zalo joins the team of %q as %s (once):\n%s\n",
		inv.ExpiresAt.In(vntime.Zone).Format("15:04 02/01/2006"), w.Name, *role, inv.URL)
	return nil
}
