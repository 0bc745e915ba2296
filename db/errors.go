package db

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The kinds of database error callers act on. Every error leaving this
// package has passed through interpret, so callers test these with
// errors.Is and never see a driver error's type.
var (
	// ErrNotFound: the row does not exist (or belongs to another workspace).
	ErrNotFound = errors.New("not found")
	// ErrConflict: a unique constraint refused the write.
	ErrConflict = errors.New("conflict")
	// ErrUnavailable: PostgreSQL did not answer (down, restarting, out of
	// connections); the same call may succeed later.
	ErrUnavailable = errors.New("database unavailable")
)

// interpret is the one place that turns driver errors into those kinds;
// other errors are returned unchanged.
func interpret(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "23505":
			return fmt.Errorf("%w: %s", ErrConflict, pgErr.ConstraintName)
		case strings.HasPrefix(pgErr.Code, "08"), // connection exception
			pgErr.Code == "53300",                // too many connections
			strings.HasPrefix(pgErr.Code, "57P"): // shutting down, cannot connect now
			return fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		return err
	}
	if unreachable(err) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}

// unreachable tells a server that did not answer from everything else. A
// cancelled caller is not the database's fault and keeps its error.
func unreachable(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, context.DeadlineExceeded) && pgconn.Timeout(err)
}
