package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/tingting-vn/tingting/db"
)

// Every change made through the API is recorded with who made it, a person
// or a key: the routes access.go marks audit are recorded here, once they
// succeed, so no handler can forget to. The record is the route, its ids,
// the values set (secrets only named) and what a handler noted.

// shownValues are the request fields whose values the audit log keeps;
// any other field is only named ("changed"), so a secret never lands there.
var shownValues = []string{
	"status", "template_id", "silence_alert_hours", "daily_summary_at", "hidden_fields", "role", "label", "scope",
	"provider", "bank_code", "bank_name", "account_number", "account_name",
}

const (
	noteKey        = "audit.note"
	integrationKey = "audit.integration"
)

// note adds what a handler knows of its change to the audit record (a
// removed member's name).
func note(c echo.Context, key string, value any) {
	n, _ := c.Get(noteKey).(map[string]any)
	if n == nil {
		n = map[string]any{}
		c.Set(noteKey, n)
	}
	n[key] = value
}

// noteIntegration says which integration a change was to, when the route
// does not (a wizard's save).
func noteIntegration(c echo.Context, id uuid.UUID) { c.Set(integrationKey, id) }

// audited runs a change and records it if it succeeded. The change is
// committed by then: a record that cannot be written is logged, not
// answered as a failure the client would retry.
func (s *Server) audited(c echo.Context, who caller, next echo.HandlerFunc) error {
	raw, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return jsonError(err)
	}
	c.Request().Body = io.NopCloser(bytes.NewReader(raw))
	if err := next(c); err != nil || c.Response().Status >= 300 {
		return err
	}
	detail := changeDetail(c, raw)
	integration := uuid.NullUUID{}
	if id, err := uuid.Parse(c.Param("id")); err == nil && strings.HasPrefix(c.Path(), "/v1/integrations/:id") {
		integration = uuid.NullUUID{UUID: id, Valid: true}
	} else if id, ok := c.Get(integrationKey).(uuid.UUID); ok {
		integration = uuid.NullUUID{UUID: id, Valid: true}
	}
	if err := recordChange(c, s.queries, who, who.workspace, c.Request().Method+" "+c.Path(), integration, detail); err != nil {
		s.log.ErrorContext(c.Request().Context(), "a change was made but not recorded in the audit log",
			"route", c.Path(), "error", err)
	}
	return nil
}

// recordChange writes one audit record of a change to workspace ws, with q
// (the pool, or a transaction the change is made in).
func recordChange(c echo.Context, q *db.Queries, who caller, ws uuid.UUID, action string, integration uuid.NullUUID, detail map[string]any) error {
	raw, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	p := db.RecordChangeParams{WorkspaceID: ws, Action: action, IntegrationID: integration, Detail: raw}
	if who.person != nil {
		p.ActorKind, p.ActorID, p.ActorName = db.ActorKindPerson, who.person.user, who.person.name
	} else {
		p.ActorKind, p.ActorID, p.ActorName = db.ActorKindKey, who.key.ID, who.key.Label
	}
	return q.RecordChange(c.Request().Context(), p)
}

// changeDetail is what the record keeps of a change: the route's ids, the
// values of shownValues in the body, the names of its other fields, and
// the handler's notes.
func changeDetail(c echo.Context, body []byte) map[string]any {
	detail := map[string]any{}
	for i, name := range c.ParamNames() {
		if name == "id" && strings.HasPrefix(c.Path(), "/v1/integrations/:id") {
			continue // the record's integration
		}
		detail[name] = c.ParamValues()[i]
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) == nil {
		var changed []string
		for name, v := range fields {
			if slices.Contains(shownValues, name) {
				detail[name] = v
			} else {
				changed = append(changed, name)
			}
		}
		if len(changed) > 0 {
			slices.Sort(changed)
			detail["changed"] = changed
		}
	}
	if n, ok := c.Get(noteKey).(map[string]any); ok {
		for k, v := range n {
			detail[k] = v
		}
	}
	return detail
}

type changeResponse struct {
	At     time.Time       `json:"at"`
	Actor  actorResponse   `json:"actor"`
	Action string          `json:"action"`
	Detail json.RawMessage `json:"detail"`
}

type actorResponse struct {
	Kind string `json:"kind"` // person or key
	Name string `json:"name"` // their name, or the key's label, then
}

// listChanges is an integration's recent changes, newest first: who made
// each, and what it was.
func (s *Server) listChanges(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := pathID(c.Param("id"))
	if err != nil {
		return err
	}
	ws := workspaceID(c)
	if _, err := s.queries.GetIntegration(ctx, db.GetIntegrationParams{WorkspaceID: ws, ID: id}); err != nil {
		return err
	}
	rows, err := s.queries.ListIntegrationChanges(ctx, db.ListIntegrationChangesParams{
		WorkspaceID: ws, IntegrationID: uuid.NullUUID{UUID: id, Valid: true}, MaxRows: 50,
	})
	if err != nil {
		return err
	}
	items := make([]changeResponse, len(rows))
	for i, r := range rows {
		items[i] = changeResponse{At: r.At, Actor: actorResponse{Kind: string(r.ActorKind), Name: r.ActorName}, Action: r.Action, Detail: r.Detail}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}
