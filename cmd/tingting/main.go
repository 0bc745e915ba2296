// Command tingting runs tingting: `dev` for a laptop, or the pieces alone
// (api, worker, zalosim, migrate) for production and docker-compose.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `tingting sends a Zalo OA message for every new bank transaction.

Usage:
  tingting dev                         run everything on this machine (Temporal dev server, sandbox, API, worker)
  tingting api                         serve the HTTP API
  tingting worker                      run the Temporal worker
  tingting zalosim                     serve the Zalo sandbox
  tingting migrate                     apply database migrations
  tingting sync-followers              record the OA's existing followers (a worker must be running)
  tingting workspace create --name N   create a workspace; prints its API key last
  tingting env                         list the environment variables tingting reads
  tingting bench [flags]               measure latency and throughput on this machine (see docs/BENCHMARKS.md)

Configuration comes from the environment; see README.md.
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
	switch cmd, rest := args[1], args[2:]; cmd {
	case "dev":
		return runDev(ctx, getenv, stdout, stderr)
	case "api", "worker", "zalosim", "migrate", "sync-followers":
		p, err := newProcess(getenv, stderr)
		if err != nil {
			return err
		}
		return p.runPiece(ctx, cmd)
	case "workspace":
		p, err := newProcess(getenv, stderr)
		if err != nil {
			return err
		}
		return p.runWorkspace(ctx, rest, stdout)
	case "env":
		return printEnv(stdout)
	case "bench":
		return runBench(ctx, rest, getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", cmd, usage)
		return errUsage
	}
}
