package api

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/referral"
)

type memberResponse struct {
	ID       string    `json:"id"`
	OAUserID string    `json:"oa_user_id"`
	Name     string    `json:"name"`
	AddedAt  time.Time `json:"added_at"`
}

type integrationResponse struct {
	ID             string           `json:"id"`
	Status         string           `json:"status"`
	BankAccountIDs []string         `json:"bank_account_ids"`
	Direction      string           `json:"direction"`
	MinAmount      int64            `json:"min_amount"`
	Fields         []string         `json:"fields"`
	MessageKind    string           `json:"message_kind"`
	ReferralCode   string           `json:"referral_code"`
	Owner          ownerResponse    `json:"owner"`
	Members        []memberResponse `json:"members"`
	CreatedAt      time.Time        `json:"created_at"`
}

type ownerResponse struct {
	ZaloAccountID string  `json:"zalo_account_id"`
	Name          string  `json:"name"`
	OAUserID      *string `json:"oa_user_id"`
}

// integration loads one integration with its owner, accounts and members.
func (s *Server) integration(ctx context.Context, ws, id uuid.UUID) (integrationResponse, error) {
	i, err := s.queries.GetIntegration(ctx, db.GetIntegrationParams{WorkspaceID: ws, ID: id})
	if err != nil {
		return integrationResponse{}, db.Classify(err)
	}
	accts, err := s.queries.ListIntegrationBankAccountIDs(ctx, i.ID)
	if err != nil {
		return integrationResponse{}, err
	}
	members, err := s.queries.ListIntegrationMembers(ctx, i.ID)
	if err != nil {
		return integrationResponse{}, err
	}
	res := integrationResponse{
		ID: i.ID.String(), Status: string(i.Status), Direction: string(i.Direction), MinAmount: i.MinAmount,
		Fields: i.Fields, MessageKind: string(i.MessageKind), ReferralCode: i.ReferralCode, CreatedAt: i.CreatedAt,
		Owner:          ownerResponse{ZaloAccountID: i.OwnerAccountID.String(), Name: i.OwnerName, OAUserID: i.OwnerOAUserID},
		BankAccountIDs: make([]string, len(accts)), Members: make([]memberResponse, len(members)),
	}
	for k, a := range accts {
		res.BankAccountIDs[k] = a.String()
	}
	for k, m := range members {
		res.Members[k] = memberResponse{ID: m.ID.String(), OAUserID: m.OAUserID, Name: m.Name, AddedAt: m.AddedAt}
	}
	return res, nil
}

func (s *Server) listIntegrations(c echo.Context) error {
	ctx := c.Request().Context()
	rows, err := s.queries.ListIntegrations(ctx, workspaceID(c))
	if err != nil {
		return err
	}
	items := make([]integrationResponse, 0, len(rows))
	for _, r := range rows {
		i, err := s.integration(ctx, r.WorkspaceID, r.ID)
		if err != nil {
			return err
		}
		items = append(items, i)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func (s *Server) getIntegration(c echo.Context) error {
	id, err := pathID(c.Param("id"))
	if err != nil {
		return err
	}
	i, err := s.integration(c.Request().Context(), workspaceID(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, i)
}

// patchIntegration pauses or resumes an integration.
func (s *Server) patchIntegration(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := pathID(c.Param("id"))
	if err != nil {
		return err
	}
	var req struct {
		Status string `json:"status"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Status != "active" && req.Status != "paused" {
		return invalid("status: active or paused")
	}
	if _, err := s.queries.SetIntegrationStatus(ctx, db.SetIntegrationStatusParams{
		WorkspaceID: workspaceID(c), ID: id, Status: db.IntegrationStatus(req.Status),
	}); err != nil {
		return db.Classify(err)
	}
	i, err := s.integration(ctx, workspaceID(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, i)
}

// removeMember takes a member out at once: a notification already queued
// for them is skipped when its turn comes.
func (s *Server) removeMember(c echo.Context) error {
	id, err := pathID(c.Param("id"))
	if err != nil {
		return err
	}
	member, err := pathID(c.Param("member_id"))
	if err != nil {
		return err
	}
	if _, err := s.queries.RemoveMember(c.Request().Context(), db.RemoveMemberParams{
		ID: member, IntegrationID: id, WorkspaceID: workspaceID(c),
	}); err != nil {
		return db.Classify(err)
	}
	return c.NoContent(http.StatusNoContent)
}

// rotateReferralCode gives the integration a new code; the old one stops
// working at once.
func (s *Server) rotateReferralCode(c echo.Context) error {
	id, err := pathID(c.Param("id"))
	if err != nil {
		return err
	}
	code, err := s.queries.RotateReferralCode(c.Request().Context(), db.RotateReferralCodeParams{
		WorkspaceID: workspaceID(c), ID: id, ReferralCode: referral.New(),
	})
	if err != nil {
		return db.Classify(err)
	}
	return c.JSON(http.StatusOK, map[string]string{"referral_code": code})
}
