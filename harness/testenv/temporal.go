package testenv

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/tingting-vn/tingting/harness/devtemporal"
)

// StartTemporal starts a Temporal dev server (in memory, headless, with
// tingting's search attributes) for a test binary; call it from TestMain
// and Stop the server after m.Run. Under -short it starts nothing and
// returns nil: the tests that need it skip (SkipShort).
func StartTemporal() (*testsuite.DevServer, error) {
	flag.Parse() // TestMain runs before the testing package parses -short
	if testing.Short() {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin, err := devtemporal.Binary(ctx, os.Stderr)
	if err != nil {
		return nil, err
	}
	srv, err := devtemporal.Start(ctx, devtemporal.Options{Binary: bin, Namespace: "default", Logger: quietLogger{}})
	if err != nil {
		return nil, fmt.Errorf("starting the Temporal dev server: %w", err)
	}
	return srv, nil
}

// quietLogger drops the SDK's info chatter from test output.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(msg string, kv ...any) {
	fmt.Fprintln(os.Stderr, append([]any{"temporal warn:", msg}, kv...)...)
}
func (quietLogger) Error(msg string, kv ...any) {
	fmt.Fprintln(os.Stderr, append([]any{"temporal error:", msg}, kv...)...)
}

// SkipShort leaves a test out of `go test -short`, the loop run every few
// minutes, because it needs what that loop does without (a Temporal dev
// server, a browser, minutes). make test and CI run it.
func SkipShort(t testing.TB, needs string) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: this test needs " + needs)
	}
}
