package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/apikey"
)

type apiKeyRequest struct {
	Label string `json:"label"`
	Scope string `json:"scope"`
}

// apiKeyResponse is a key as listed: never the key or its hash.
type apiKeyResponse struct {
	ID         string     `json:"id"`
	Label      string     `json:"label"`
	Scope      string     `json:"scope"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// createdAPIKeyResponse is the one answer that shows a key.
type createdAPIKeyResponse struct {
	ID        string    `json:"id"`
	Label     string    `json:"label"`
	Scope     string    `json:"scope"`
	Key       string    `json:"key"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *Server) createAPIKey(c echo.Context) error {
	var req apiKeyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	label, err := requiredText("label", req.Label, 64)
	if err != nil {
		return err
	}
	scope := db.ApiKeyScope(req.Scope)
	if !scope.Valid() {
		return invalid(`scope: must be "admin" or "ingest"`)
	}
	k, err := apikey.Create(c.Request().Context(), s.queries, workspaceID(c), label, scope)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, createdAPIKeyResponse{
		ID: k.ID.String(), Label: k.Label, Scope: string(k.Scope), Key: k.Key, CreatedAt: k.CreatedAt,
	})
}

func (s *Server) listAPIKeys(c echo.Context) error {
	rows, err := s.queries.ListAPIKeys(c.Request().Context(), workspaceID(c))
	if err != nil {
		return err
	}
	items := make([]apiKeyResponse, len(rows))
	for i, k := range rows {
		items[i] = apiKeyResponse{
			ID: k.ID.String(), Label: k.Label, Scope: string(k.Scope), CreatedAt: k.CreatedAt,
			LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt,
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// revokeAPIKey revokes a key; revoking one that is revoked already is a
// 204 too, so a retried DELETE succeeds.
func (s *Server) revokeAPIKey(c echo.Context) error {
	id, err := pathID(c.Param("id"))
	if err != nil {
		return err
	}
	err = apikey.Revoke(c.Request().Context(), s.pool, workspaceID(c), id)
	if errors.Is(err, apikey.ErrLastAdminKey) {
		return newError(http.StatusConflict, "conflict",
			"this is the workspace's last admin key; create another admin key before revoking it")
	} else if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
