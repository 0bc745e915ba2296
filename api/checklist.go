package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tingting-vn/tingting/db"
)

type checklistResponse struct {
	BankAccount   bool       `json:"bank_account"`
	BankFeed      bool       `json:"bank_feed"`
	LastWebhookAt *time.Time `json:"last_webhook_at"`
	FollowsOA     bool       `json:"follows_oa"`
	Integration   bool       `json:"integration"`
	Staff         bool       `json:"staff"`
	FirstAlert    bool       `json:"first_alert"`
}

// checklist is GET /v1/checklist, the home page's list of what is set up
// and what is next. follows_oa is the signed-in person's (for a key: any
// integration owner's).
func (s *Server) checklist(c echo.Context) error {
	ctx := c.Request().Context()
	who := callerOf(c)
	var app *string
	if who.person != nil {
		app = &who.person.appID
	}
	r, err := s.queries.Checklist(ctx, db.ChecklistParams{WorkspaceID: who.workspace, AppUserID: app})
	if err != nil {
		return err
	}
	res := checklistResponse{BankAccount: r.BankAccount, BankFeed: r.BankFeed, FollowsOA: r.FollowsOA,
		Integration: r.Integration, Staff: r.Staff, FirstAlert: r.FirstAlert}
	last, err := s.queries.LastWebhookAt(ctx, who.workspace)
	if err == nil {
		res.LastWebhookAt = &last
	} else if !errors.Is(err, db.ErrNotFound) {
		return err
	}
	return c.JSON(http.StatusOK, res)
}
