package api

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/referral"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/route"
)

type memberResponse struct {
	ID           string    `json:"id"`
	OAUserID     string    `json:"oa_user_id"`
	Name         string    `json:"name"`
	AddedAt      time.Time `json:"added_at"`
	HiddenFields []string  `json:"hidden_fields"`
	reachResponse
}

// reachResponse is how the OA reaches a person now: their last known
// interaction with it, and the route their next alert would take (cs,
// transaction, zns, or none).
type reachResponse struct {
	LastInteractionAt *time.Time `json:"last_interaction_at"`
	ReachableBy       string     `json:"reachable_by"`
}

type integrationResponse struct {
	ID             string   `json:"id"`
	Status         string   `json:"status"`
	BankAccountIDs []string `json:"bank_account_ids"`
	Direction      string   `json:"direction"`
	MinAmount      int64    `json:"min_amount"`
	Fields         []string `json:"fields"`
	MessageKind    string   `json:"message_kind"`
	TemplateID     string   `json:"template_id"`
	ReferralCode   string   `json:"referral_code"`
	// SilenceAlertHours: the owner is told when a watched account has had
	// no transaction this long (0: never). DailySummaryAt: "HH:MM" in
	// Vietnam, when the owner gets the day's summary ("": none).
	SilenceAlertHours int32            `json:"silence_alert_hours"`
	DailySummaryAt    string           `json:"daily_summary_at"`
	Owner             ownerResponse    `json:"owner"`
	Members           []memberResponse `json:"members"`
	CreatedAt         time.Time        `json:"created_at"`
}

type ownerResponse struct {
	ZaloAccountID string  `json:"zalo_account_id"`
	Name          string  `json:"name"`
	OAUserID      *string `json:"oa_user_id"`
	reachResponse
}

// integration loads one integration with its owner, accounts and members.
func (s *Server) integration(ctx context.Context, ws, id uuid.UUID) (integrationResponse, error) {
	i, err := s.queries.GetIntegration(ctx, db.GetIntegrationParams{WorkspaceID: ws, ID: id})
	if err != nil {
		return integrationResponse{}, err
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
		Fields: i.Fields, MessageKind: string(i.MessageKind), TemplateID: i.TemplateID, ReferralCode: i.ReferralCode, CreatedAt: i.CreatedAt,
		SilenceAlertHours: i.SilenceAlertHours, DailySummaryAt: i.DailySummaryAt,
		Owner:          ownerResponse{ZaloAccountID: i.OwnerAccountID.String(), Name: i.OwnerName, OAUserID: i.OwnerOAUserID},
		BankAccountIDs: make([]string, len(accts)), Members: make([]memberResponse, len(members)),
	}
	for k, a := range accts {
		res.BankAccountIDs[k] = a.String()
	}
	ids := make([]string, 0, len(members)+1)
	if i.OwnerOAUserID != nil {
		ids = append(ids, *i.OwnerOAUserID)
	}
	for _, m := range members {
		ids = append(ids, m.OAUserID)
	}
	reach, err := s.reachOf(ctx, ids, i.TemplateID != "")
	if err != nil {
		return integrationResponse{}, err
	}
	if i.OwnerOAUserID != nil {
		res.Owner.reachResponse = reach[*i.OwnerOAUserID]
	} else {
		res.Owner.ReachableBy = string(route.None) // not following the OA yet
	}
	for k, m := range members {
		res.Members[k] = toMember(m, reach[m.OAUserID])
	}
	return res, nil
}

// reachOf says how each person is reached, by the same policy the worker
// sends by.
func (s *Server) reachOf(ctx context.Context, oaUserIDs []string, hasZNS bool) (map[string]reachResponse, error) {
	rows, err := s.queries.ReachOf(ctx, oaUserIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[string]reachResponse, len(oaUserIDs))
	for _, id := range oaUserIDs { // unknown to the follower table: Zalo decides
		out[id] = reachResponse{ReachableBy: string(s.policy.Best(route.Recipient{Following: true, HasZNS: hasZNS}, s.now()))}
	}
	for _, r := range rows {
		who := route.Recipient{Following: r.Following, LastInteraction: r.LastInteractionAt, CSRefusedAt: r.CSRefusedAt, HasZNS: hasZNS}
		out[r.OAUserID] = reachResponse{LastInteractionAt: r.LastInteractionAt, ReachableBy: string(s.policy.Best(who, s.now()))}
	}
	return out, nil
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

// patchIntegration pauses or resumes an integration, or sets its ZNS
// template (template_id), the route for people no free route reaches.
// message_kind is kept for clients written before routes were chosen per
// recipient; it no longer decides anything.
func (s *Server) patchIntegration(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := pathID(c.Param("id"))
	if err != nil {
		return err
	}
	var req struct {
		Status            *string `json:"status"`
		MessageKind       *string `json:"message_kind"`
		TemplateID        *string `json:"template_id"`
		SilenceAlertHours *int32  `json:"silence_alert_hours"`
		DailySummaryAt    *string `json:"daily_summary_at"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p := db.UpdateIntegrationParams{WorkspaceID: workspaceID(c), ID: id}
	if req.Status != nil {
		if *req.Status != "active" && *req.Status != "paused" {
			return invalid("status: active or paused")
		}
		p.Status = db.NullIntegrationStatus{IntegrationStatus: db.IntegrationStatus(*req.Status), Valid: true}
	}
	if req.MessageKind != nil {
		if *req.MessageKind != "cs" && *req.MessageKind != "template" {
			return invalid("message_kind: cs or template")
		}
		p.MessageKind = db.NullMessageKind{MessageKind: db.MessageKind(*req.MessageKind), Valid: true}
	}
	if req.TemplateID != nil {
		tid, err := text("template_id", *req.TemplateID, 64)
		if err != nil {
			return err
		}
		p.TemplateID = &tid
	}
	if h := req.SilenceAlertHours; h != nil {
		if *h < 0 || *h > 720 {
			return invalid("silence_alert_hours: 0 (off) to 720")
		}
		p.SilenceAlertHours = h
	}
	if at := req.DailySummaryAt; at != nil {
		if *at != "" && !dayTime.MatchString(*at) {
			return invalid(`daily_summary_at: "HH:MM" (Vietnam time), or "" for none`)
		}
		p.DailySummaryAt = at
	}
	if _, err := s.queries.UpdateIntegration(ctx, p); err != nil {
		return err
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
		return err
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
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"referral_code": code})
}

type deliveryLogItem struct {
	deliveryResponse
	TransactionID string    `json:"transaction_id"`
	ExternalID    string    `json:"external_id"`
	Amount        int64     `json:"amount"`
	OccurredAt    time.Time `json:"occurred_at"`
	CreatedAt     time.Time `json:"created_at"`
}

// listDeliveries is an integration's delivery log, newest first; pass the
// last item's created_at as ?before= for the next page.
func (s *Server) listDeliveries(c echo.Context) error {
	id, err := pathID(c.Param("id"))
	if err != nil {
		return err
	}
	p := db.ListIntegrationDeliveriesParams{IntegrationID: id, WorkspaceID: workspaceID(c), MaxRows: 50}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return invalid("limit: 1 to 500")
		}
		p.MaxRows = int32(n)
	}
	if v := c.QueryParam("before"); v != "" {
		before, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return invalid("before: an RFC 3339 time, the created_at of the last item seen")
		}
		p.Before = &before
	}
	if _, err := s.queries.GetIntegration(c.Request().Context(), db.GetIntegrationParams{WorkspaceID: p.WorkspaceID, ID: id}); err != nil {
		return err
	}
	rows, err := s.queries.ListIntegrationDeliveries(c.Request().Context(), p)
	if err != nil {
		return err
	}
	items := make([]deliveryLogItem, len(rows))
	for i, r := range rows {
		items[i] = deliveryLogItem{
			deliveryResponse: toDelivery(db.Delivery{
				ID: r.ID, IntegrationID: id, Recipient: r.Recipient, Role: r.Role, Status: r.Status, Attempts: r.Attempts,
				ZaloMessageID: r.ZaloMessageID, LastError: r.LastError, SentAt: r.SentAt, Route: r.Route, DeferredUntil: r.DeferredUntil,
			}, r.OccurredAt),
			TransactionID: r.TransactionID.String(), ExternalID: r.ExternalID, Amount: r.Amount,
			OccurredAt: r.OccurredAt, CreatedAt: r.CreatedAt,
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// retryDelivery sends a failed or skipped delivery again: it goes back to
// pending, and a RedeliverMessage workflow is queued in the same database
// transaction. The send re-checks everything (a member removed since is
// skipped again); one already sent is never sent twice.
func (s *Server) retryDelivery(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := pathID(c.Param("id"))
	if err != nil {
		return err
	}
	deliveryID, err := pathID(c.Param("delivery_id"))
	if err != nil {
		return err
	}
	ws := workspaceID(c)
	err = db.InTx(ctx, s.pool, func(q *db.Queries) error {
		if _, err := q.RequestRedelivery(ctx, db.RequestRedeliveryParams{ID: deliveryID, IntegrationID: id, WorkspaceID: ws}); err != nil {
			return err
		}
		return q.Enqueue(ctx, db.EnqueueParams{Kind: db.OutboxKindRedeliver, Ref: deliveryID})
	})
	if errors.Is(err, db.ErrNotFound) {
		d, err := s.queries.GetIntegrationDelivery(ctx, db.GetIntegrationDeliveryParams{ID: deliveryID, IntegrationID: id, WorkspaceID: ws})
		if err != nil {
			return err // not this integration's: 404
		}
		return newError(http.StatusConflict, "conflict", "this delivery is %s; only a failed or skipped one can be sent again", d.Status)
	} else if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]string{"id": deliveryID.String(), "status": string(db.DeliveryStatusPending)})
}

// dayTime is a time of day, HH:MM.
var dayTime = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

func toMember(m db.IntegrationMember, reach reachResponse) memberResponse {
	return memberResponse{ID: m.ID.String(), OAUserID: m.OAUserID, Name: m.Name, AddedAt: m.AddedAt, HiddenFields: m.HiddenFields, reachResponse: reach}
}

// patchMember sets what a member's alerts (and their /homnay answers)
// leave out: any field but the amount.
func (s *Server) patchMember(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := pathID(c.Param("id"))
	if err != nil {
		return err
	}
	member, err := pathID(c.Param("member_id"))
	if err != nil {
		return err
	}
	var req struct {
		HiddenFields *[]string `json:"hidden_fields"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.HiddenFields == nil {
		return invalid("hidden_fields: required, a list of fields (any but amount)")
	}
	hidden := []string{}
	for _, f := range *req.HiddenFields {
		if _, err := message.ParseFields([]string{f}); err != nil || f == string(message.FieldAmount) {
			return invalid("hidden_fields: %q is not a field that can be hidden (time, account, sub_account, description, payment_code, balance, reference, counter_account)", f)
		}
		if !slices.Contains(hidden, f) {
			hidden = append(hidden, f)
		}
	}
	m, err := s.queries.SetMemberHiddenFields(ctx, db.SetMemberHiddenFieldsParams{
		ID: member, IntegrationID: id, WorkspaceID: workspaceID(c), HiddenFields: hidden,
	})
	if err != nil {
		return err
	}
	i, err := s.queries.GetIntegration(ctx, db.GetIntegrationParams{WorkspaceID: workspaceID(c), ID: id})
	if err != nil {
		return err
	}
	reach, err := s.reachOf(ctx, []string{m.OAUserID}, i.TemplateID != "")
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toMember(m, reach[m.OAUserID]))
}
