package api

import (
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/vntime"
	"github.com/tingting-vn/tingting/message"
)

// What a signed-in person sees of themselves: who they are, where they
// are and may go, their signed-in browsers, and the alerts they received.

type meResponse struct {
	User        meUser      `json:"user"`
	WorkspaceID string      `json:"workspace_id"`
	Role        string      `json:"role"`
	Workspaces  []placeItem `json:"workspaces"`
	CSRFToken   string      `json:"csrf_token"`
}

type meUser struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	ZaloAppUserID string `json:"zalo_app_user_id"`
}

type placeItem struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

func (s *Server) me(c echo.Context) error {
	who := callerOf(c)
	places, err := s.places(c, who.person)
	if err != nil {
		return err
	}
	p := who.person
	return c.JSON(http.StatusOK, meResponse{
		User:        meUser{ID: p.user.String(), Name: p.name, ZaloAppUserID: p.appID},
		WorkspaceID: who.workspace.String(), Role: string(who.role), Workspaces: places, CSRFToken: csrfToken(p.token),
	})
}

// places are the workspaces a person may be in, with their role in each.
func (s *Server) places(c echo.Context, p *signedIn) ([]placeItem, error) {
	rows, err := s.queries.WorkspacesOf(c.Request().Context(), db.WorkspacesOfParams{AppUserID: p.appID, LinkMembers: s.people.LinkMembers})
	if err != nil {
		return nil, err
	}
	out := make([]placeItem, len(rows))
	for i, r := range rows {
		out[i] = placeItem{ID: r.ID.String(), Name: r.Name, Role: r.Role}
	}
	return out, nil
}

// switchWorkspace is PUT /v1/me/workspace: the session moves to another of
// the person's workspaces (404 for any other) and answers as GET /v1/me.
func (s *Server) switchWorkspace(c echo.Context) error {
	var req struct {
		WorkspaceID string `json:"workspace_id"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	id, err := uuid.Parse(req.WorkspaceID)
	if err != nil {
		return invalid("workspace_id: required, an id from GET /v1/me's workspaces")
	}
	who := callerOf(c)
	places, err := s.places(c, who.person)
	if err != nil {
		return err
	}
	for _, pl := range places {
		if pl.ID != id.String() {
			continue
		}
		if err := s.queries.SwitchSessionWorkspace(c.Request().Context(), db.SwitchSessionWorkspaceParams{ID: who.person.session, WorkspaceID: id}); err != nil {
			return err
		}
		p := who.person
		return c.JSON(http.StatusOK, meResponse{
			User:        meUser{ID: p.user.String(), Name: p.name, ZaloAppUserID: p.appID},
			WorkspaceID: id.String(), Role: pl.Role, Workspaces: places, CSRFToken: csrfToken(p.token),
		})
	}
	return errNotFound
}

type sessionItem struct {
	ID          string    `json:"id"`
	WorkspaceID string    `json:"workspace_id"`
	UserAgent   string    `json:"user_agent"`
	CreatedAt   time.Time `json:"created_at"`
	LastSeenAt  time.Time `json:"last_seen_at"`
	ExpiresAt   time.Time `json:"expires_at"`
	Current     bool      `json:"current"`
}

// listSessions is the person's signed-in browsers, the one asking marked
// current.
func (s *Server) listSessions(c echo.Context) error {
	p := callerOf(c).person
	rows, err := s.queries.ListSessions(c.Request().Context(), db.ListSessionsParams{UserID: p.user, IdleSeconds: s.people.IdleTimeout.Seconds()})
	if err != nil {
		return err
	}
	items := make([]sessionItem, len(rows))
	for i, r := range rows {
		items[i] = sessionItem{
			ID: r.ID.String(), WorkspaceID: r.WorkspaceID.String(), UserAgent: r.UserAgent,
			CreatedAt: r.CreatedAt, LastSeenAt: r.LastSeenAt, ExpiresAt: r.ExpiresAt, Current: r.ID == p.session,
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// endSession signs one of the person's browsers out (another person's
// session, or one ended already, is not found).
func (s *Server) endSession(c echo.Context) error {
	id, err := pathID(c.Param("id"))
	if err != nil {
		return err
	}
	p := callerOf(c).person
	n, err := s.queries.EndSession(c.Request().Context(), db.EndSessionParams{ID: id, UserID: p.user})
	if err != nil {
		return err
	}
	if n == 0 {
		return errNotFound
	}
	if id == p.session {
		s.forgetSession(c)
	}
	return c.NoContent(http.StatusNoContent)
}

type myAlert struct {
	SentAt      time.Time   `json:"sent_at"`
	Text        string      `json:"text"`
	Integration alertSource `json:"integration"`
}

type alertSource struct {
	ID           string   `json:"id"`
	BankAccounts []string `json:"bank_accounts"`
}

// myAlerts is GET /v1/my/alerts?day=YYYY-MM-DD (Vietnam's day; today by
// default): the alerts the person received from this workspace's
// integrations that day, newest first, each as it was sent to them: a
// member's hidden fields stay hidden.
func (s *Server) myAlerts(c echo.Context) error {
	day := vntime.Midnight(s.now())
	if v := c.QueryParam("day"); v != "" {
		d, err := time.ParseInLocation(time.DateOnly, v, vntime.Zone)
		if err != nil {
			return invalid("day: a date, YYYY-MM-DD")
		}
		day = d
	}
	who := callerOf(c)
	rows, err := s.queries.MyAlerts(c.Request().Context(), db.MyAlertsParams{
		WorkspaceID: who.workspace, AppUserID: who.person.appID, LinkMembers: s.people.LinkMembers,
		FromAt: day, UntilAt: day.AddDate(0, 0, 1),
	})
	if err != nil {
		return err
	}
	items := make([]myAlert, 0, len(rows))
	for _, r := range rows {
		fields, err := message.ParseFields(r.Fields)
		if err != nil {
			return err
		}
		txn := message.Transaction{
			Amount: r.Amount, Description: r.Description, BalanceAfter: r.BalanceAfter, OccurredAt: r.OccurredAt,
			BankName: r.BankName, AccountNumber: r.AccountNumber, AccountName: r.AccountName, Reference: r.Reference,
			CounterAccountName: r.CounterAccountName, CounterAccountNumber: r.CounterAccountNumber, CounterBankName: r.CounterBankName,
		}
		items = append(items, myAlert{
			SentAt: *r.SentAt, Text: message.Render(txn, message.Visible(fields, r.HiddenFields)),
			Integration: alertSource{ID: r.IntegrationID.String(), BankAccounts: r.IntegrationAccounts},
		})
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}
