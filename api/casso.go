package api

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/tingting-vn/tingting/casso"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/secret"
)

type webhookSourceRequest struct {
	Provider string `json:"provider"`
	Secret   string `json:"secret"`
}

type rotateSecretRequest struct {
	Secret string `json:"secret"`
}

// webhookSourceResponse is a webhook source as clients see it: never its
// secret.
type webhookSourceResponse struct {
	ID        string    `json:"id"`
	Provider  string    `json:"provider"`
	URL       string    `json:"url"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *Server) toWebhookSource(id uuid.UUID, provider string, createdAt time.Time) webhookSourceResponse {
	return webhookSourceResponse{
		ID: id.String(), Provider: provider, URL: s.publicURL + "/v1/hooks/casso/" + id.String(), CreatedAt: createdAt,
	}
}

// previousSecretGrace is how long a rotated-out secret is still accepted:
// Casso's queued deliveries carry the old signature.
const previousSecretGrace = 24 * time.Hour

// checkWebhookSecret checks a secret as Casso shows it.
func checkWebhookSecret(secret string) error {
	if len(secret) < 8 || len(secret) > 256 {
		return invalid("secret: 8 to 256 characters, as Casso shows it")
	}
	return nil
}

// createWebhookSource stores a Casso secret (sealed) and answers the URL to
// give Casso.
func (s *Server) createWebhookSource(c echo.Context) error {
	var req webhookSourceRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Provider != "casso_v2" && req.Provider != "casso_v1" {
		return invalid("provider: casso_v2 or casso_v1")
	}
	if err := checkWebhookSecret(req.Secret); err != nil {
		return err
	}
	src, err := s.queries.CreateWebhookSource(c.Request().Context(), db.CreateWebhookSourceParams{
		WorkspaceID: workspaceID(c), Provider: req.Provider, Secret: s.box.Seal(req.Secret, secret.WebhookSecret),
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, s.toWebhookSource(src.ID, src.Provider, src.CreatedAt))
}

// listWebhookSources lists the workspace's sources, deleted ones left out.
func (s *Server) listWebhookSources(c echo.Context) error {
	rows, err := s.queries.ListWebhookSources(c.Request().Context(), workspaceID(c))
	if err != nil {
		return err
	}
	items := make([]webhookSourceResponse, len(rows))
	for i, r := range rows {
		items[i] = s.toWebhookSource(r.ID, r.Provider, r.CreatedAt)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// deleteWebhookSource stops a source: its URL answers 404 from then on.
// The row stays, for what was recorded through it; deleting it again
// answers 204 again, as a client's retry expects.
func (s *Server) deleteWebhookSource(c echo.Context) error {
	id, err := pathID(c.Param("id"))
	if err != nil {
		return err
	}
	n, err := s.queries.DeleteWebhookSource(c.Request().Context(), db.DeleteWebhookSourceParams{WorkspaceID: workspaceID(c), ID: id})
	if err != nil {
		return err
	}
	if n == 0 {
		return errNotFound
	}
	return c.NoContent(http.StatusNoContent)
}

// rotateWebhookSource makes a new secret current at once; the one it
// replaces is still accepted for previousSecretGrace, and one replaced
// before that stops at once. Rotating to the current secret (a retry)
// changes nothing: the secret it replaced keeps its grace.
func (s *Server) rotateWebhookSource(c echo.Context) error {
	id, err := pathID(c.Param("id"))
	if err != nil {
		return err
	}
	var req rotateSecretRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := checkWebhookSecret(req.Secret); err != nil {
		return err
	}
	ctx := c.Request().Context()
	var src db.WebhookSource
	err = db.InTx(ctx, s.pool, func(q *db.Queries) error {
		src, err = q.LockWebhookSource(ctx, db.LockWebhookSourceParams{WorkspaceID: workspaceID(c), ID: id})
		if err != nil {
			return err
		}
		current, err := s.box.Open(src.Secret, secret.WebhookSecret)
		if err == nil && subtle.ConstantTimeCompare([]byte(current), []byte(req.Secret)) == 1 {
			return nil
		}
		src, err = q.RotateWebhookSourceSecret(ctx, db.RotateWebhookSourceSecretParams{
			WorkspaceID: workspaceID(c), ID: id, Secret: s.box.Seal(req.Secret, secret.WebhookSecret),
			PreviousExpiresAt: s.now().Add(previousSecretGrace),
		})
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.toWebhookSource(src.ID, src.Provider, src.CreatedAt))
}

// cassoHook takes Casso's webhook. It answers 2xx only once every
// transaction in the body is recorded, with its notification queued, all in
// one database transaction: a refused body stores nothing, and an
// accepted one is notified whether or not Temporal answers now.
// Transactions seen before are acknowledged and not notified again. A
// signed body is never lost to our own limits: text over a field's limit
// is cut to it, and a v1 transaction that cannot be read is logged and
// left out while the others are recorded.
func (s *Server) cassoHook(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := pathID(c.Param("id"))
	if err != nil {
		return err
	}
	src, err := s.queries.GetWebhookSource(ctx, id)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return jsonError(err)
	}
	txns, err := s.readCasso(ctx, src, body, c.Request().Header)
	if err != nil {
		return err
	}
	if err := s.sourceLimits.allow(c, "casso:"+src.ID.String()); err != nil {
		return err
	}
	kept := make([]casso.Transaction, 0, len(txns))
	params := make([]db.RecordTransactionParams, 0, len(txns))
	for _, t := range txns {
		p := db.RecordTransactionParams{
			WorkspaceID: src.WorkspaceID, ExternalID: t.ID, Amount: t.Amount, BalanceAfter: t.BalanceAfter,
			OccurredAt: t.OccurredAt, Description: t.Description, Reference: t.Reference,
			CounterAccountName: t.CounterAccountName, CounterAccountNumber: t.CounterAccountNumber,
			CounterBankName: t.CounterBankName, Raw: storableJSON(t.Raw),
		}
		if err := cleanTransaction(&p, cutOverLimit); err != nil {
			var apiErr *Error
			if src.Provider != "casso_v1" || !errors.As(err, &apiErr) {
				return err
			}
			s.skipCassoItem(ctx, src.ID, t.Index, t.ID, apiErr.Message)
			continue
		}
		kept = append(kept, t)
		params = append(params, p)
	}
	if len(params) > 0 {
		recorded, err := s.recordCasso(ctx, kept, params)
		if err != nil {
			return err
		}
		for _, duplicate := range recorded {
			s.metrics.Ingested.WithLabelValues(src.Provider, strconv.FormatBool(duplicate)).Inc()
		}
	}
	return c.JSON(http.StatusOK, map[string]bool{"success": true})
}

// readCasso verifies a body with its source's secrets and parses it the
// way the source's provider sends it. A v1 body's transactions that cannot
// be read are logged and left out.
func (s *Server) readCasso(ctx context.Context, src db.WebhookSource, body []byte, h http.Header) ([]casso.Transaction, error) {
	secrets, err := s.sourceSecrets(src)
	if err != nil {
		return nil, err
	}
	var matched int
	if src.Provider == "casso_v2" {
		matched, err = casso.VerifyV2(secrets, body, h.Get("X-Casso-Signature"), s.now(), s.cassoMaxAge)
	} else {
		matched, err = casso.VerifyV1(secrets, h.Get("secure-token"))
	}
	if err != nil {
		return nil, cassoError(err)
	}
	if matched > 0 { // sourceSecrets gave the previous secret: it has an expiry
		s.log.InfoContext(ctx, "Casso body verified with the source's previous secret",
			"source_id", src.ID, "previous_secret_expires_at", *src.PreviousSecretExpiresAt)
	}
	if src.Provider == "casso_v2" {
		t, err := casso.ParseV2(body, s.now())
		if err != nil {
			return nil, cassoError(err)
		}
		return []casso.Transaction{t}, nil
	}
	txns, bad, err := casso.ParseV1(body, s.now())
	if err != nil {
		return nil, cassoError(err)
	}
	for _, e := range bad {
		s.skipCassoItem(ctx, src.ID, e.Index, e.ID, e.Err.Error())
	}
	return txns, nil
}

// sourceSecrets are the secrets a source's webhooks may be signed with:
// its current one, then the one it replaced until that expires.
func (s *Server) sourceSecrets(src db.WebhookSource) ([]string, error) {
	current, err := s.box.Open(src.Secret, secret.WebhookSecret)
	if err != nil {
		return nil, err
	}
	secrets := []string{current}
	if exp := src.PreviousSecretExpiresAt; exp != nil && s.now().Before(*exp) {
		previous, err := s.box.Open(src.PreviousSecret, secret.WebhookSecret)
		if err != nil {
			return nil, err
		}
		secrets = append(secrets, previous)
	}
	return secrets, nil
}

// skipCassoItem logs a v1 transaction left out of its body: where it was
// and what is wrong with it, never the body or the secret.
func (s *Server) skipCassoItem(ctx context.Context, source uuid.UUID, index int, cassoID, problem string) {
	s.log.WarnContext(ctx, "Casso v1 transaction skipped",
		"source_id", source, "index", index, "casso_id", cassoID, "problem", problem)
}

// cassoError maps what verifying or parsing a Casso body found to the
// contract's errors.
func cassoError(err error) error {
	var fe *casso.FieldError
	switch {
	case errors.Is(err, casso.ErrStale):
		return newError(http.StatusUnauthorized, "bad_signature", "the signature's timestamp is too old")
	case errors.Is(err, casso.ErrFuture):
		return newError(http.StatusUnauthorized, "bad_signature",
			"the signature's timestamp is more than %d seconds ahead of our clock", int(casso.MaxSkew.Seconds()))
	case errors.Is(err, casso.ErrBadSignature):
		return newError(http.StatusUnauthorized, "bad_signature", "the signature does not match this source's secret")
	case errors.As(err, &fe):
		return invalid("%s: %s", fe.Field, fe.Problem)
	}
	return err
}

// recordCasso stores a body's transactions (and queues their
// notifications) in one database transaction, registering the bank
// accounts it names that the workspace lacks. It says which were
// duplicates.
func (s *Server) recordCasso(ctx context.Context, txns []casso.Transaction, params []db.RecordTransactionParams) ([]bool, error) {
	var out []bool
	err := db.InTx(ctx, s.pool, func(q *db.Queries) error {
		out = out[:0]
		for i, t := range txns {
			// Cleaned and cut as POST /v1/bank-accounts would store them:
			// " 111" is account 111, and a NUL must not sink the body.
			acct, err := q.EnsureBankAccount(ctx, db.EnsureBankAccountParams{
				WorkspaceID:   params[i].WorkspaceID,
				AccountNumber: cut(cleanText(t.AccountNumber), 64),
				BankName:      cut(cleanText(t.BankName), 128),
				BankCode:      cut(cleanText(t.BankAbbreviation), 32),
			})
			if err != nil {
				return fmt.Errorf("bank account: %w", err)
			}
			params[i].BankAccountID = acct.ID
			txn, duplicate, err := recordTransaction(ctx, q, params[i])
			if errors.Is(err, errReusedID) {
				// Casso would retry a refusal forever; the first one stands.
				s.log.WarnContext(ctx, "Casso reused a transaction id", "external_id", t.ID, "transaction_id", txn.ID)
			} else if err != nil {
				return err
			}
			out = append(out, duplicate)
		}
		return nil
	})
	return out, err
}

// storableJSON is raw unless jsonb would refuse it (a \u0000 escape).
func storableJSON(raw []byte) []byte {
	if bytes.Contains(raw, []byte(`\u0000`)) {
		return nil
	}
	return raw
}
