package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/team"
)

// A workspace's team: its owner invites co-workers by a link (a code that
// admits one person, once, for 7 days); they sign in with Zalo and join
// with the link's role. Removing someone ends their sessions at once.

var errInviteUnknown = newError(http.StatusNotFound, "not_found", "unknown, used or expired invite code")

type inviteRequest struct {
	Role string `json:"role"`
}

type inviteResponse struct {
	Code      string    `json:"code"`
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *Server) createInvite(c echo.Context) error {
	var req inviteRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r := db.TeamRole(req.Role)
	if r != db.TeamRoleManager && r != db.TeamRoleViewer {
		return invalid(`role: "manager" or "viewer"`)
	}
	inv, err := team.NewInvite(c.Request().Context(), s.queries, s.publicURL, workspaceID(c), r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, inviteResponse{Code: inv.Code, URL: inv.URL, ExpiresAt: inv.ExpiresAt})
}

type joined struct {
	WorkspaceID uuid.UUID `json:"workspace_id"`
	Role        string    `json:"role"`
}

// joinTeam is POST /v1/team/join: a signed-in person accepts an invite,
// and their session moves to that workspace.
func (s *Server) joinTeam(c echo.Context) error {
	ctx := c.Request().Context()
	var req struct {
		Code string `json:"code"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Code == "" {
		return invalid("code: required, the code of an invite link")
	}
	p := callerOf(c).person
	var j joined
	err := db.InTx(ctx, s.pool, func(q *db.Queries) error {
		var err error
		user := db.User{ID: p.user, Name: p.name, ZaloAppUserID: p.appID}
		if j, err = join(c, q, user, team.Hash(req.Code)); err != nil {
			return err
		}
		return q.SwitchSessionWorkspace(ctx, db.SwitchSessionWorkspaceParams{ID: p.session, WorkspaceID: j.WorkspaceID})
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, j)
}

// join puts a person on the team an invite names, with its role, once:
// accepting the same invite again answers as the first time did; one that
// is unknown, expired or someone else's is errInviteUnknown, and someone
// on that team already keeps their role (409) and leaves the invite for
// another.
func join(c echo.Context, q *db.Queries, user db.User, codeHash []byte) (joined, error) {
	ctx := c.Request().Context()
	inv, err := q.TakeTeamInvite(ctx, db.TakeTeamInviteParams{CodeHash: codeHash, UserID: uuid.NullUUID{UUID: user.ID, Valid: true}})
	if errors.Is(err, db.ErrNotFound) {
		return joined{}, errInviteUnknown
	} else if err != nil {
		return joined{}, err
	}
	current, err := q.TeamRole(ctx, db.TeamRoleParams{WorkspaceID: inv.WorkspaceID, UserID: user.ID})
	switch {
	case err == nil && inv.UsedBy.Valid:
		return joined{WorkspaceID: inv.WorkspaceID, Role: string(current)}, nil // joined with it before
	case err == nil:
		return joined{}, newError(http.StatusConflict, "conflict", "you are on this workspace's team already, as %s", current)
	case inv.UsedBy.Valid:
		return joined{}, errInviteUnknown // joined with it, and removed since
	case !errors.Is(err, db.ErrNotFound):
		return joined{}, err
	}
	if err := q.AddTeamMember(ctx, db.AddTeamMemberParams{WorkspaceID: inv.WorkspaceID, UserID: user.ID, Role: inv.Role}); err != nil {
		return joined{}, err
	}
	if err := q.UseTeamInvite(ctx, db.UseTeamInviteParams{ID: inv.ID, UserID: uuid.NullUUID{UUID: user.ID, Valid: true}}); err != nil {
		return joined{}, err
	}
	err = recordChange(c, q, personCaller(user), inv.WorkspaceID, "POST /v1/team/join", uuid.NullUUID{}, map[string]any{"role": inv.Role})
	return joined{WorkspaceID: inv.WorkspaceID, Role: string(inv.Role)}, err
}

type teammate struct {
	UserID   string    `json:"user_id"`
	Name     string    `json:"name"`
	Role     string    `json:"role"`
	JoinedAt time.Time `json:"joined_at"`
}

func (s *Server) listTeam(c echo.Context) error {
	rows, err := s.queries.ListTeam(c.Request().Context(), workspaceID(c))
	if err != nil {
		return err
	}
	items := make([]teammate, len(rows))
	for i, r := range rows {
		items[i] = teammate{UserID: r.ID.String(), Name: r.Name, Role: string(r.Role), JoinedAt: r.JoinedAt}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// removeTeammate takes someone off the team and signs them out everywhere
// at once. The last owner stays (409), so a workspace keeps someone who
// can manage it.
func (s *Server) removeTeammate(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := pathID(c.Param("user_id"))
	if err != nil {
		return err
	}
	ws := workspaceID(c)
	err = db.InTx(ctx, s.pool, func(q *db.Queries) error {
		if err := q.LockTeam(ctx, ws); err != nil {
			return err
		}
		r, err := q.TeamRole(ctx, db.TeamRoleParams{WorkspaceID: ws, UserID: id})
		if err != nil {
			return err
		}
		if r == db.TeamRoleOwner {
			owners, err := q.CountOwners(ctx, ws)
			if err != nil {
				return err
			}
			if owners <= 1 {
				return newError(http.StatusConflict, "conflict", "this is the workspace's only owner; the workspace needs one")
			}
		}
		if _, err := q.RemoveTeamMember(ctx, db.RemoveTeamMemberParams{WorkspaceID: ws, UserID: id}); err != nil {
			return err
		}
		note(c, "role", r)
		return q.EndUserSessions(ctx, id)
	})
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
