package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/workflows/contract"
)

type oaResponse struct {
	OAID   string          `json:"oa_id"`
	Name   string          `json:"name"`
	Health *healthResponse `json:"health"` // null until getoa was read
	Paused []pauseResponse `json:"paused"`
}

type healthResponse struct {
	IsVerified  bool      `json:"is_verified"`
	PackageName string    `json:"package_name"`
	LinkedZCA   bool      `json:"linked_zca"`
	CheckedAt   time.Time `json:"checked_at"`
}

type pauseResponse struct {
	Route   string    `json:"route"`
	Code    int32     `json:"code"`
	Message string    `json:"message"`
	Since   time.Time `json:"since"`
}

// getOA is the OA as the operator needs to see it: getoa's health, and
// the routes stopped for the whole OA until a person acts (README:
// runbook).
func (s *Server) getOA(c echo.Context) error {
	ctx := c.Request().Context()
	var res oaResponse
	h, err := s.queries.GetOAHealth(ctx)
	switch {
	case err == nil:
		res.OAID, res.Name = h.OaID, h.Name
		res.Health = &healthResponse{IsVerified: h.IsVerified, PackageName: h.PackageName, LinkedZCA: h.LinkedZca, CheckedAt: h.CheckedAt}
	case !errors.Is(err, db.ErrNotFound):
		return err
	}
	if res.Paused, err = s.pauses(ctx); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

func (s *Server) pauses(ctx context.Context) ([]pauseResponse, error) {
	rows, err := s.queries.ListPauses(ctx)
	out := make([]pauseResponse, len(rows))
	for i, r := range rows {
		out[i] = pauseResponse{Route: r.Route, Code: r.Code, Message: r.Message, Since: r.Since}
	}
	return out, err
}

// oaCallback finishes connecting the OA: an admin consented through the
// link Zalo's console generated (ZALO_OA_CONSENT_URL), and Zalo sends
// their browser here with ?code&oa_id. The code is exchanged with the one
// verifier that matches the console's challenge; the pair is stored
// sealed, replacing any other; the keeper reads it, and routes stopped for
// a refused token start again. Only the OA tingting already knows (by
// getoa, or ZALO_OA_ID) may be connected: anyone can consent their own OA
// to this callback, and must not take over the sending. Knowing none, it
// takes a first connection only, never a replacement.
func (s *Server) oaCallback(c echo.Context) error {
	ctx := c.Request().Context()
	code, oaID := c.QueryParam("code"), c.QueryParam("oa_id")
	switch {
	case code == "" || oaID == "":
		return invalid("code and oa_id are required: open the consent link `tingting oa connect` prints")
	case s.oa.CodeVerifier == "":
		return newError(http.StatusServiceUnavailable, "not_configured", "ZALO_OA_CODE_VERIFIER is not set: the OA cannot be connected here")
	}
	known := s.oa.ID
	if h, err := s.queries.GetOAHealth(ctx); err == nil && h.OaID != "" && known == "" {
		known = h.OaID
	}
	if known != "" && oaID != known {
		return newError(http.StatusForbidden, "wrong_oa", "this is not the OA tingting sends as; connect OA %s", known)
	}
	if known == "" {
		st, err := s.oa.Tokens.State(ctx)
		if err != nil {
			return err
		}
		if st.Present {
			return newError(http.StatusForbidden, "wrong_oa", "an OA is connected already and tingting cannot tell which: set ZALO_OA_ID to reconnect it")
		}
	}
	tok, err := s.zalo.ExchangeOACode(ctx, code, s.oa.CodeVerifier)
	if err != nil {
		return newError(http.StatusBadGateway, "zalo_refused", "Zalo refused the OA's consent code (used, expired, or the verifier does not match the console's challenge)")
	}
	if err := s.oa.Tokens.Put(ctx, tok.AccessToken, tok.RefreshToken, s.now().Add(tok.ExpiresIn), true); err != nil {
		return err
	}
	if _, err := s.queries.ResumeRoutes(ctx, db.ResumeRoutesParams{Routes: []string{"all"}, Codes: []int32{}}); err != nil {
		return err
	}
	_, err = s.temporal.SignalWithStartWorkflow(ctx, contract.OATokenKeeperID, contract.ReloadOATokenSignal, nil,
		client.StartWorkflowOptions(contract.KeeperStartOptions()), contract.OATokenKeeperName, contract.KeeperInput{})
	if err != nil {
		s.log.WarnContext(ctx, "the OA is connected; the keeper reads the new pair at its next refresh", "error", err)
	}
	s.log.InfoContext(ctx, "the OA is connected", "oa_id", oaID)
	return c.Redirect(http.StatusFound, "/?oa=connected")
}
