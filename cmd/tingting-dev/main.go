// Command tingting-dev is tingting's harness: `dev` runs the whole product
// on one machine, `zalosim` serves the Zalo sandbox, `bench` measures.
// It imports the product; the product (cmd/tingting) never imports it.
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

const usage = `tingting-dev runs tingting on this machine, with a local Zalo.

Usage:
  tingting-dev dev            run everything: Temporal dev server, Zalo sandbox, API, worker; seeds a demo
  tingting-dev zalosim        serve the Zalo sandbox alone
  tingting-dev bench [flags]  measure latency and throughput on this machine (see docs/BENCHMARKS.md)
  tingting-dev env            list the environment variables the harness reads besides tingting's

Configuration comes from the environment; see README.md.
`

var errUsage = errors.New("see `tingting-dev help`")

func main() {
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tingting-dev:", err)
		os.Exit(1)
	}
}

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
	case "zalosim":
		return runSandbox(ctx, getenv, stderr)
	case "bench":
		return runBench(ctx, rest, getenv, stdout, stderr)
	case "env":
		for _, v := range sandboxVars {
			fmt.Fprintf(stdout, "%-24s %s (default %q)\n", v.name, v.doc, v.def)
		}
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", cmd, usage)
		return errUsage
	}
}
