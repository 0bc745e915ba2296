package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tingting-vn/tingting/casso"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/secret"
)

type webhookSourceRequest struct {
	Provider string `json:"provider"`
	Secret   string `json:"secret"`
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
	if len(req.Secret) < 8 || len(req.Secret) > 256 {
		return invalid("secret: 8 to 256 characters, as Casso shows it")
	}
	src, err := s.queries.CreateWebhookSource(c.Request().Context(), db.CreateWebhookSourceParams{
		WorkspaceID: workspaceID(c), Provider: req.Provider, Secret: s.box.Seal(req.Secret, secret.WebhookSecret),
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]string{
		"id": src.ID.String(), "provider": src.Provider, "url": s.publicURL + "/v1/hooks/casso/" + src.ID.String(),
	})
}

// cassoHook takes Casso's webhook. It answers 2xx only once every
// transaction in the body is recorded, with its notification queued, all in
// one database transaction: a rejected body stores nothing, and an
// accepted one is notified whether or not Temporal answers now.
// Transactions seen before are acknowledged and not notified again.
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
	key, err := s.box.Open(src.Secret, secret.WebhookSecret)
	if err != nil {
		return err
	}
	txns, err := s.readCasso(src.Provider, key, body, c.Request().Header)
	if err != nil {
		return err
	}
	params := make([]db.RecordTransactionParams, len(txns))
	for i, t := range txns {
		params[i] = db.RecordTransactionParams{
			WorkspaceID: src.WorkspaceID, ExternalID: t.ID, Amount: t.Amount, BalanceAfter: t.BalanceAfter,
			OccurredAt: t.OccurredAt, Description: t.Description, Reference: t.Reference,
			CounterAccountName: t.CounterAccountName, CounterAccountNumber: t.CounterAccountNumber,
			CounterBankName: t.CounterBankName, Raw: storableJSON(t.Raw),
		}
		if err := cleanTransaction(&params[i]); err != nil {
			return err
		}
	}
	recorded, err := s.recordCasso(ctx, txns, params)
	if err != nil {
		return err
	}
	for _, duplicate := range recorded {
		s.metrics.Ingested.WithLabelValues(src.Provider, strconv.FormatBool(duplicate)).Inc()
	}
	return c.JSON(http.StatusOK, map[string]bool{"success": true})
}

// readCasso verifies and parses a body the way its source's provider signs it.
func (s *Server) readCasso(provider, secret string, body []byte, h http.Header) ([]casso.Transaction, error) {
	var txns []casso.Transaction
	var err error
	switch provider {
	case "casso_v2":
		if err = casso.VerifyV2(secret, body, h.Get("X-Casso-Signature"), time.Now(), s.cassoMaxAge); err == nil {
			var t casso.Transaction
			t, err = casso.ParseV2(body)
			txns = []casso.Transaction{t}
		}
	default:
		if err = casso.VerifyV1(secret, h.Get("secure-token")); err == nil {
			txns, err = casso.ParseV1(body)
		}
	}
	var fe *casso.FieldError
	switch {
	case errors.Is(err, casso.ErrStale):
		return nil, newError(http.StatusUnauthorized, "bad_signature", "the signature's timestamp is too old")
	case errors.Is(err, casso.ErrBadSignature):
		return nil, newError(http.StatusUnauthorized, "bad_signature", "the signature does not match this source's secret")
	case errors.As(err, &fe):
		return nil, invalid("%s: %s", fe.Field, fe.Problem)
	}
	return txns, err
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
			acct, err := q.EnsureBankAccount(ctx, db.EnsureBankAccountParams{
				WorkspaceID: params[i].WorkspaceID, AccountNumber: t.AccountNumber, BankName: t.BankName, BankCode: t.BankAbbreviation,
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
