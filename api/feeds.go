package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/tingting-vn/tingting/casso"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/ingest"
	"github.com/tingting-vn/tingting/internal/secret"
	"github.com/tingting-vn/tingting/sepay"
)

// cassoHook takes Casso's webhook, v2 (one transaction, signed) or v1 (a
// batch, with a token). A v1 transaction that cannot be read is logged
// and left out while the others are recorded: Casso would retry a
// refusal forever.
func (s *Server) cassoHook(c echo.Context) error {
	ctx := c.Request().Context()
	src, body, err := s.hookSource(c, providerCassoV2, providerCassoV1)
	if err != nil {
		return err
	}
	secrets, err := s.sourceSecrets(c.Request().Context(), src)
	if err != nil {
		return err
	}
	var matched int
	if src.Provider == providerCassoV2 {
		matched, err = casso.VerifyV2(secrets, body, c.Request().Header.Get("X-Casso-Signature"), s.now(), s.cassoMaxAge)
	} else {
		matched, err = casso.VerifyV1(secrets, c.Request().Header.Get("secure-token"))
	}
	if err != nil {
		return cassoError(err)
	}
	if err := s.verified(c, src, matched); err != nil {
		return err
	}
	if src.Provider == providerCassoV2 {
		t, err := casso.ParseV2(body)
		if err != nil {
			return cassoError(err)
		}
		return s.takeFeed(c, src, []ingest.Transaction{ingest.FromCasso(t)}, nil)
	}
	txns, bad, err := casso.ParseV1(body)
	if err != nil {
		return cassoError(err)
	}
	for _, e := range bad {
		s.skipCassoItem(ctx, src.ID, e.Index, e.ID, e.Err.Error())
	}
	feed := make([]ingest.Transaction, len(txns))
	for i, t := range txns {
		feed[i] = ingest.FromCasso(t)
	}
	return s.takeFeed(c, src, feed, func(i int, problem error) {
		s.skipCassoItem(ctx, src.ID, txns[i].Index, txns[i].ID, problem.Error())
	})
}

// sepayHook takes SePay's webhook, authenticated as its source was made:
// by HMAC (X-SePay-Timestamp and X-SePay-Signature, within 5 minutes
// either way) or by API key (Authorization: Apikey).
func (s *Server) sepayHook(c echo.Context) error {
	src, body, err := s.hookSource(c, providerSePay)
	if err != nil {
		return err
	}
	secrets, err := s.sourceSecrets(c.Request().Context(), src)
	if err != nil {
		return err
	}
	h := c.Request().Header
	var matched int
	if src.Auth != nil && *src.Auth == "apikey" {
		matched, err = sepay.VerifyAPIKey(secrets, h.Get("Authorization"))
	} else {
		matched, err = sepay.VerifyHMAC(secrets, body, h.Get("X-SePay-Timestamp"), h.Get("X-SePay-Signature"), s.now())
	}
	switch {
	case errors.Is(err, sepay.ErrStale):
		return newError(http.StatusUnauthorized, "bad_signature", "X-SePay-Timestamp is more than %d minutes from our clock", int(sepay.MaxSkew.Minutes()))
	case err != nil:
		return newError(http.StatusUnauthorized, "bad_signature", "the API key or signature does not match this source's secret")
	}
	if err := s.verified(c, src, matched); err != nil {
		return err
	}
	t, err := sepay.Parse(body)
	var fe *sepay.FieldError
	if errors.As(err, &fe) {
		return invalid("%s", fe)
	} else if err != nil {
		return err
	}
	return s.takeFeed(c, src, []ingest.Transaction{ingest.FromSePay(t)}, nil)
}

// hookSource is the live source a hook URL names, if it is one of the
// providers the URL is for, and the request's body.
func (s *Server) hookSource(c echo.Context, providers ...string) (db.WebhookSource, []byte, error) {
	id, err := pathID(c.Param("id"))
	if err != nil {
		return db.WebhookSource{}, nil, err
	}
	src, err := s.queries.GetWebhookSource(c.Request().Context(), id)
	if err != nil {
		return src, nil, err
	}
	known := false
	for _, p := range providers {
		known = known || src.Provider == p
	}
	if !known {
		return src, nil, errNotFound
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return src, nil, jsonError(err)
	}
	return src, body, nil
}

// sourceSecrets are the secrets a source's webhooks may be signed with:
// its current one, then the one it replaced until that expires. A
// previous secret no configured key opens (its key retired before it was
// re-sealed) only ends its grace early: the current one still verifies.
func (s *Server) sourceSecrets(ctx context.Context, src db.WebhookSource) ([]string, error) {
	current, err := s.box.Open(src.Secret, secret.WebhookSecret)
	if err != nil {
		return nil, err
	}
	secrets := []string{current}
	if exp := src.PreviousSecretExpiresAt; exp != nil && s.now().Before(*exp) {
		previous, err := s.box.Open(src.PreviousSecret, secret.WebhookSecret)
		if err != nil {
			s.log.WarnContext(ctx, "the source's previous secret cannot be opened with any configured key; only its current one verifies",
				"source_id", src.ID, "error", err)
			return secrets, nil
		}
		secrets = append(secrets, previous)
	}
	return secrets, nil
}

// verified takes a webhook whose signature matched: within its source's
// rate (WEBHOOK_RATE_LIMIT, counted per source, never per address), it
// notes the source's last_webhook_at (to a minute, and never at the cost
// of the webhook), and logs when the previous secret verified it
// (matched > 0: sourceSecrets gave it, so it has an expiry).
func (s *Server) verified(c echo.Context, src db.WebhookSource, matched int) error {
	if err := s.sourceLimits.allow(c, src.Provider+":"+src.ID.String()); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if matched > 0 {
		s.log.InfoContext(ctx, "webhook verified with the source's previous secret",
			"source_id", src.ID, "previous_secret_expires_at", *src.PreviousSecretExpiresAt)
	}
	if err := s.queries.NoteWebhook(ctx, src.ID); err != nil {
		s.log.WarnContext(ctx, "noting a webhook's arrival failed", "source_id", src.ID, "error", err)
	}
	return nil
}

// takeFeed checks a verified webhook's transactions (text over a limit is
// cut: a signed body is never lost to our limits) and records them, each
// with its notification queued, in one database transaction, then answers
// 200 {"success":true}: a refused body stores nothing, an accepted one is
// notified whether or not Temporal answers now, and what the source sent
// before is acknowledged and not notified again. skip, if set, leaves out
// a transaction that fails its check (v1's batches) instead of refusing
// the body.
func (s *Server) takeFeed(c echo.Context, src db.WebhookSource, txns []ingest.Transaction, skip func(i int, problem error)) error {
	ctx := c.Request().Context()
	kept := make([]ingest.Transaction, 0, len(txns))
	for i, t := range txns {
		err := t.Check(ingest.Cut, s.now())
		var fe *ingest.FieldError
		if skip != nil && errors.As(err, &fe) {
			skip(i, err)
			continue
		} else if err != nil {
			return err
		}
		kept = append(kept, t)
	}
	feed := ingest.Feed(src.WorkspaceID, src.ID, db.TransactionViaWebhook)
	var duplicates []bool
	err := db.InTx(ctx, s.pool, func(q *db.Queries) error {
		duplicates = duplicates[:0]
		for _, t := range kept {
			rec, err := ingest.Record(ctx, q, feed, t)
			if errors.Is(err, ingest.ErrReusedID) {
				// The provider would retry a refusal forever; the first one stands.
				s.log.WarnContext(ctx, "a bank feed reused a transaction id",
					"source_id", src.ID, "external_id", t.ExternalID, "transaction_id", rec.ID)
			} else if err != nil {
				return err
			}
			duplicates = append(duplicates, rec.Duplicate)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, duplicate := range duplicates {
		s.metrics.Ingested.WithLabelValues(src.Provider, strconv.FormatBool(duplicate)).Inc()
	}
	return c.JSON(http.StatusOK, map[string]bool{"success": true})
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
