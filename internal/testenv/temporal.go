package testenv

import (
	"context"
	"fmt"
	"os"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/tingting-vn/tingting/internal/devtemporal"
)

// StartTemporal starts a Temporal dev server (in memory, headless, with
// tingting's search attributes) for a test binary; call it from TestMain
// and Stop the server after m.Run.
func StartTemporal() (*testsuite.DevServer, error) {
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
