// Package rekey seals every stored secret again with the current
// encryption key, so that the keys it replaced can be dropped from the
// configuration (docs/SECURITY.md has the rotation runbook). It is
// `tingting rekey`; it may run while the API and the worker do.
package rekey

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/secret"
)

// purposes is what each sealed column (db/queries/sealed.sql) is sealed
// for.
var purposes = map[string]secret.Purpose{
	"oa_tokens.access_token":          secret.OAAccessToken,
	"oa_tokens.refresh_token":         secret.OARefreshToken,
	"oauth_logins.code_verifier":      secret.CodeVerifier,
	"oauth_logins.code":               secret.OAuthCode,
	"webhook_sources.secret":          secret.WebhookSecret,
	"webhook_sources.previous_secret": secret.WebhookSecret,
	"webhook_sources.casso_api_key":   secret.CassoAPIKey,
}

// Columns are the sealed columns, as table.column.
func Columns() []string {
	return slices.Sorted(maps.Keys(purposes))
}

// Column is what a run did to one sealed column: values sealed again,
// values the current key had sealed already, values changed meanwhile
// (each by a write that sealed with the current key), and values no
// configured key opens.
type Column struct {
	Name                                 string
	Resealed, Current, Changed, Unopened int
}

// ErrUnopened: some values were sealed with a key that is not configured.
var ErrUnopened = errors.New("some values open with no configured key: add the key that sealed them to TINGTING_ENCRYPTION_OLD_KEYS and run rekey again")

// Run seals every stored secret that an old key sealed with box's current
// key, one compare-and-swap each, and says what it did per column.
func Run(ctx context.Context, pool *db.Pool, box *secret.Box) ([]Column, error) {
	q := db.New(pool)
	rows, err := q.ListSealed(ctx)
	if err != nil {
		return nil, err
	}
	byName := map[string]*Column{}
	var out []*Column
	unopened := false
	for _, r := range rows {
		purpose, ok := purposes[r.Col]
		if !ok {
			return nil, fmt.Errorf("rekey: no purpose for sealed column %s", r.Col)
		}
		c := byName[r.Col]
		if c == nil {
			c = &Column{Name: r.Col}
			byName[r.Col] = c
			out = append(out, c)
		}
		resealed, changed, err := box.Reseal(r.Sealed, purpose)
		switch {
		case errors.Is(err, secret.ErrOpen):
			c.Unopened++
			unopened = true
			continue
		case !changed:
			c.Current++
			continue
		}
		stored, err := q.Reseal(ctx, db.ResealParams{Col: r.Col, Key: r.Key, Sealed: r.Sealed, Resealed: resealed})
		if err != nil {
			return nil, fmt.Errorf("rekey: %s: %w", r.Col, err)
		}
		if stored == 1 {
			c.Resealed++
		} else {
			c.Changed++
		}
	}
	counts := make([]Column, len(out)) // in the query's order, by column
	for i, c := range out {
		counts[i] = *c
	}
	if unopened {
		return counts, ErrUnopened
	}
	return counts, nil
}
