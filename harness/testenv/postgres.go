// Package testenv gives tests real infrastructure: a fresh PostgreSQL
// database per test, cloned from one migrated template (the local server
// at TEST_DATABASE_URL or its default, else a testcontainers Postgres when
// Docker is there), and a Temporal dev server.
package testenv

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/testcontainers/testcontainers-go"
	tcpostgres "github.com/testcontainers/testcontainers-go/modules/postgres"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/tingting-vn/tingting/db"
)

// DefaultDatabaseURL is the local server `make test` and CI use, when
// TEST_DATABASE_URL is unset.
const DefaultDatabaseURL = "postgres://postgres:postgres@127.0.0.1:5432/postgres?sslmode=disable"

var (
	serverOnce sync.Once
	serverURL  string
	template   string
	serverErr  error
)

// server finds the Postgres server and makes sure the migrated template
// database exists on it, once per test binary.
func server(ctx context.Context) (string, string, error) {
	serverOnce.Do(func() {
		serverURL, serverErr = findServer(ctx)
		if serverErr == nil {
			template, serverErr = ensureTemplate(ctx, serverURL)
		}
	})
	return serverURL, template, serverErr
}

// findServer is TEST_DATABASE_URL, else the local default if it answers,
// else a container (reaped by testcontainers when the binary exits) when
// Docker is there.
func findServer(ctx context.Context) (string, error) {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u, nil
	}
	pingCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if conn, err := pgx.Connect(pingCtx, DefaultDatabaseURL); err == nil {
		conn.Close(ctx)
		return DefaultDatabaseURL, nil
	}
	if _, err := exec.LookPath("docker"); err != nil || exec.CommandContext(ctx, "docker", "info").Run() != nil {
		return "", fmt.Errorf("no PostgreSQL answers at %s and Docker is not running: start one "+
			"(Debian: `sudo pg_ctlcluster 15 main start`) or set TEST_DATABASE_URL", DefaultDatabaseURL)
	}
	c, err := tcpostgres.Run(ctx, "postgres:16-alpine",
		tcpostgres.WithDatabase("postgres"), tcpostgres.WithUsername("postgres"), tcpostgres.WithPassword("postgres"),
		testcontainers.WithWaitStrategy(wait.ForListeningPort("5432/tcp").WithStartupTimeout(time.Minute)))
	if err != nil {
		return "", fmt.Errorf("no local PostgreSQL, and no Postgres container could be started: %w", err)
	}
	return c.ConnectionString(ctx, "sslmode=disable")
}

// ensureTemplate makes the migrated template database for the current
// migrations, named by their digest, if no test binary has yet. Cloning it
// is much faster than migrating every test's database.
func ensureTemplate(ctx context.Context, base string) (string, error) {
	sum := sha256.New()
	err := fs.WalkDir(db.Migrations, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(db.Migrations, path)
		sum.Write([]byte(path))
		sum.Write(b)
		return err
	})
	if err != nil {
		return "", err
	}
	name := "tt_template_" + hex.EncodeToString(sum.Sum(nil))[:16]
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", fmt.Errorf("connecting to the test Postgres: %w", err)
	}
	defer admin.Close(ctx)
	// Test binaries run in parallel: one makes the template, the others wait.
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(hashtext('tingting test template'))"); err != nil {
		return "", err
	}
	defer func() {
		_, _ = admin.Exec(context.Background(), "SELECT pg_advisory_unlock(hashtext('tingting test template'))")
	}()
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil || exists {
		return name, err
	}
	// Migrate under another name, then rename: a template must have no
	// connections when it is cloned, and a half-migrated one is never used.
	building := "tt_building_" + randomSuffix()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+building); err != nil {
		return "", fmt.Errorf("creating the template database: %w", err)
	}
	u, err := withDatabase(base, building)
	if err != nil {
		return "", err
	}
	pool, err := db.Open(ctx, u)
	if err != nil {
		return "", err
	}
	err = db.Migrate(ctx, pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	pool.Close()
	if err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+building+" RENAME TO "+name); err != nil {
		return "", fmt.Errorf("naming the template database: %w", err)
	}
	return name, nil
}

// DatabaseURL creates a new, migrated database for the calling test and
// drops it when the test ends. A test never shares data with another one.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base, tmpl, err := server(ctx)
	if err != nil {
		t.Fatal(err)
	}
	name := "tt_test_" + randomSuffix()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connecting to the test Postgres: %v", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tmpl); err != nil {
		t.Fatalf("creating test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Logf("dropping %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("dropping %s: %v", name, err)
		}
	})
	u, err := withDatabase(base, name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Pool is DatabaseURL with a pool on it, closed when the test ends.
func Pool(t testing.TB) *db.Pool {
	t.Helper()
	pool, err := db.Open(context.Background(), DatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// withDatabase points a postgres:// URL at another database.
func withDatabase(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("TEST_DATABASE_URL must be a postgres:// URL")
	}
	u.Path = "/" + name
	// Tests run side by side, each with its own pools: a few connections
	// each keep them all within the server's max_connections.
	if q := u.Query(); !q.Has("pool_max_conns") {
		q.Set("pool_max_conns", "4")
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
