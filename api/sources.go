package api

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/secret"
	"github.com/tingting-vn/tingting/workflows/contract"
)

// The bank feeds a webhook source can be.
const (
	providerCassoV2 = "casso_v2"
	providerCassoV1 = "casso_v1"
	providerSePay   = "sepay"
)

type webhookSourceRequest struct {
	Provider    string `json:"provider"`
	Secret      string `json:"secret"`
	Auth        string `json:"auth"`
	CassoAPIKey string `json:"casso_api_key"`
}

type rotateSecretRequest struct {
	Secret string `json:"secret"`
}

type patchSourceRequest struct {
	CassoAPIKey *string `json:"casso_api_key"`
}

// webhookSourceResponse is a webhook source as clients see it: never a
// secret or a key, only whether it holds one.
type webhookSourceResponse struct {
	ID        string    `json:"id"`
	Provider  string    `json:"provider"`
	URL       string    `json:"url"`
	CreatedAt time.Time `json:"created_at"`
	// Auth is how a SePay source's webhooks authenticate: hmac or apikey
	// (null for Casso, which signs its own way).
	Auth           *string `json:"auth"`
	HasCassoAPIKey bool    `json:"has_casso_api_key"`
	// LastWebhookAt is when a verified webhook last came, to about a
	// minute; LastSyncAt when read-back last finished.
	LastWebhookAt *time.Time `json:"last_webhook_at"`
	LastSyncAt    *time.Time `json:"last_sync_at"`
	// Recovered7d counts the transactions read-back recovered in the last
	// 7 days: what the webhooks missed.
	Recovered7d int32 `json:"recovered_7d"`
	// SyncError is why Casso refused the key; null while it works.
	SyncError *string `json:"sync_error"`
}

func (s *Server) toWebhookSource(v db.WebhookSourceViewsRow) webhookSourceResponse {
	res := webhookSourceResponse{
		ID: v.ID.String(), Provider: v.Provider, URL: s.hookURL(v.Provider, v.ID), CreatedAt: v.CreatedAt, Auth: v.Auth,
		HasCassoAPIKey: v.HasCassoAPIKey, LastWebhookAt: v.LastWebhookAt, LastSyncAt: v.LastSyncAt, Recovered7d: v.Recovered7d,
	}
	if v.SyncError != "" {
		res.SyncError = &v.SyncError
	}
	return res
}

// hookURL is where a source's provider posts its webhooks.
func (s *Server) hookURL(provider string, id uuid.UUID) string {
	path := "/v1/hooks/casso/"
	if provider == providerSePay {
		path = "/v1/hooks/sepay/"
	}
	return s.publicURL + path + id.String()
}

// sourceView is one of the workspace's live sources as clients see it.
func (s *Server) sourceView(ctx context.Context, ws, id uuid.UUID) (webhookSourceResponse, error) {
	rows, err := s.queries.WebhookSourceViews(ctx, db.WebhookSourceViewsParams{WorkspaceID: ws, ID: uuid.NullUUID{UUID: id, Valid: true}})
	if err != nil {
		return webhookSourceResponse{}, err
	}
	if len(rows) == 0 {
		return webhookSourceResponse{}, errNotFound
	}
	return s.toWebhookSource(rows[0]), nil
}

// previousSecretGrace is how long a rotated-out secret is still accepted:
// the provider's queued deliveries carry the old signature.
const previousSecretGrace = 24 * time.Hour

// checkWebhookSecret checks a secret as the provider shows it.
func checkWebhookSecret(secret string) error {
	if len(secret) < 8 || len(secret) > 256 {
		return invalid("secret: 8 to 256 characters, as the provider shows it")
	}
	return nil
}

// checkCassoAPIKey checks a Casso API key as Casso shows it.
func checkCassoAPIKey(key string) error {
	if len(key) < 8 || len(key) > 256 || strings.IndexFunc(key, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return invalid("casso_api_key: 8 to 256 characters without spaces, as Casso shows it (\"\" removes it)")
	}
	return nil
}

// createWebhookSource stores a provider's secret (sealed), and a Casso API
// key for read-back if given, and answers the URL to give the provider.
func (s *Server) createWebhookSource(c echo.Context) error {
	var req webhookSourceRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p := db.CreateWebhookSourceParams{WorkspaceID: workspaceID(c), Provider: req.Provider}
	switch req.Provider {
	case providerCassoV2, providerCassoV1:
		if req.Auth != "" {
			return invalid("auth: only for a sepay source (Casso signs its own way)")
		}
	case providerSePay:
		if req.Auth == "" {
			req.Auth = "hmac"
		}
		if req.Auth != "hmac" && req.Auth != "apikey" {
			return invalid("auth: hmac or apikey, as chosen for the webhook in SePay")
		}
		if req.CassoAPIKey != "" {
			return invalid("casso_api_key: only a Casso source reads back with a Casso API key")
		}
		p.Auth = &req.Auth
	default:
		return invalid("provider: casso_v2, casso_v1 or sepay")
	}
	if err := checkWebhookSecret(req.Secret); err != nil {
		return err
	}
	p.Secret = s.box.Seal(req.Secret, secret.WebhookSecret)
	if req.CassoAPIKey != "" {
		if err := checkCassoAPIKey(req.CassoAPIKey); err != nil {
			return err
		}
		p.CassoAPIKey = s.box.Seal(req.CassoAPIKey, secret.CassoAPIKey)
	}
	id, err := s.queries.CreateWebhookSource(c.Request().Context(), p)
	if err != nil {
		return err
	}
	src, err := s.sourceView(c.Request().Context(), workspaceID(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, src)
}

// listWebhookSources lists the workspace's sources, deleted ones left out.
func (s *Server) listWebhookSources(c echo.Context) error {
	rows, err := s.queries.WebhookSourceViews(c.Request().Context(), db.WebhookSourceViewsParams{WorkspaceID: workspaceID(c)})
	if err != nil {
		return err
	}
	items := make([]webhookSourceResponse, len(rows))
	for i, r := range rows {
		items[i] = s.toWebhookSource(r)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// patchWebhookSource sets or removes ("") a Casso source's API key, and
// forgets what Casso said of the key before.
func (s *Server) patchWebhookSource(c echo.Context) error {
	id, err := pathID(c.Param("id"))
	if err != nil {
		return err
	}
	var req patchSourceRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.CassoAPIKey == nil {
		return invalid("casso_api_key: required (\"\" removes it)")
	}
	ctx, ws := c.Request().Context(), workspaceID(c)
	src, err := s.sourceView(ctx, ws, id)
	if err != nil {
		return err
	}
	if src.Provider == providerSePay {
		return invalid("casso_api_key: only a Casso source reads back with a Casso API key")
	}
	p := db.SetCassoAPIKeyParams{WorkspaceID: ws, ID: id}
	if *req.CassoAPIKey != "" {
		if err := checkCassoAPIKey(*req.CassoAPIKey); err != nil {
			return err
		}
		p.CassoAPIKey = s.box.Seal(*req.CassoAPIKey, secret.CassoAPIKey)
	}
	if n, err := s.queries.SetCassoAPIKey(ctx, p); err != nil {
		return err
	} else if n == 0 {
		return errNotFound // deleted meanwhile
	}
	if src, err = s.sourceView(ctx, ws, id); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, src)
}

// syncWebhookSource reads a Casso source back now, over the same days as
// the schedule does: its workflow runs while the answer goes back, and a
// second call while it runs joins it.
func (s *Server) syncWebhookSource(c echo.Context) error {
	id, err := pathID(c.Param("id"))
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	src, err := s.sourceView(ctx, workspaceID(c), id)
	if err != nil {
		return err
	}
	if !src.HasCassoAPIKey {
		return newError(http.StatusConflict, "no_api_key",
			"this source holds no Casso API key to read back with; give it one with PATCH /v1/webhook-sources/%s", id)
	}
	from, to := contract.ReadBackDates(s.now(), s.readBackDays)
	_, err = s.temporal.ExecuteWorkflow(ctx, contract.ReadBackStartOptions(id), contract.ReadBackName,
		contract.ReadBackInput{SourceIDs: []uuid.UUID{id}, From: from, To: to})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]string{"from": from, "to": to})
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
	ctx, ws := c.Request().Context(), workspaceID(c)
	err = db.InTx(ctx, s.pool, func(q *db.Queries) error {
		src, err := q.LockWebhookSource(ctx, db.LockWebhookSourceParams{WorkspaceID: ws, ID: id})
		if err != nil {
			return err
		}
		current, err := s.box.Open(src.Secret, secret.WebhookSecret)
		if err == nil && subtle.ConstantTimeCompare([]byte(current), []byte(req.Secret)) == 1 {
			return nil
		}
		return q.RotateWebhookSourceSecret(ctx, db.RotateWebhookSourceSecretParams{
			WorkspaceID: ws, ID: id, Secret: s.box.Seal(req.Secret, secret.WebhookSecret),
			PreviousExpiresAt: s.now().Add(previousSecretGrace),
		})
	})
	if err != nil {
		return err
	}
	src, err := s.sourceView(ctx, ws, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, src)
}
