package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrUnreachable means no Postgres answered at the configured address.
var ErrUnreachable = errors.New("PostgreSQL is not answering")

// connectTimeout bounds one attempt to open a connection, so a database
// that does not answer fails a request instead of hanging it.
const connectTimeout = 5 * time.Second

// defaultMaxConns is each process's pool size unless DATABASE_URL sets
// pool_max_conns.
const defaultMaxConns = 16

// Pool is the process's connection pool. Its Exec, Query and QueryRow pass
// every error through interpret: queries run on a Pool (or in InTx) report
// only this package's error kinds.
type Pool struct {
	*pgxpool.Pool
}

// Open connects a pool to url and checks that the database answers.
func Open(ctx context.Context, url string) (*Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	if !strings.Contains(url, "pool_max_conns") {
		// pgx's default is max(4, CPUs): on two cores the worker's local
		// activities (a few statements each, hundreds at once) queue for
		// four connections. PostgreSQL's default allows 100.
		cfg.MaxConns = defaultMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, pingError(cfg.ConnConfig, err)
	}
	return &Pool{pool}, nil
}

func (p *Pool) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	tag, err := p.Pool.Exec(ctx, sql, args...)
	return tag, interpret(err)
}

func (p *Pool) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	r, err := p.Pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, interpret(err)
	}
	return rows{r}, nil
}

func (p *Pool) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return row{p.Pool.QueryRow(ctx, sql, args...)}
}

// InTx runs fn in one database transaction: committed when fn returns nil,
// rolled back otherwise.
func InTx(ctx context.Context, p *Pool, fn func(q *Queries) error) error {
	return interpret(pgx.BeginFunc(ctx, p.Pool, func(tx pgx.Tx) error {
		return fn(New(txConn{tx}))
	}))
}

// txConn is a transaction whose errors are interpreted like the pool's.
type txConn struct{ tx pgx.Tx }

func (t txConn) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	tag, err := t.tx.Exec(ctx, sql, args...)
	return tag, interpret(err)
}

func (t txConn) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	r, err := t.tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, interpret(err)
	}
	return rows{r}, nil
}

func (t txConn) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return row{t.tx.QueryRow(ctx, sql, args...)}
}

type row struct{ pgx.Row }

func (r row) Scan(dest ...any) error { return interpret(r.Row.Scan(dest...)) }

type rows struct{ pgx.Rows }

func (r rows) Scan(dest ...any) error { return interpret(r.Rows.Scan(dest...)) }
func (r rows) Err() error             { return interpret(r.Rows.Err()) }

// CreateDatabaseIfMissing creates the database url names, connecting to the
// server's "postgres" database to do so.
func CreateDatabaseIfMissing(ctx context.Context, url string) error {
	cfg, err := ConnConfig(url)
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	name := cfg.Database
	cfg.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return pingError(cfg, err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "42P04" {
		return nil // created meanwhile by someone else
	}
	return err
}

// pingError tells a server that is not there from other failures.
func pingError(cfg *pgx.ConnConfig, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return err // the server answered: wrong password, no database, …
	}
	return fmt.Errorf("%w at %s:%d", ErrUnreachable, cfg.Host, cfg.Port)
}

// ConnConfig is the configuration of one connection (not a pool) to url,
// which may carry pgxpool's own parameters (pool_max_conns, …): a plain
// pgx.ParseConfig would send those to the server, which refuses them.
func ConnConfig(url string) (*pgx.ConnConfig, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	return cfg.ConnConfig, nil
}
