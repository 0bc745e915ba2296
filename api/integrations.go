package api

import (
	"context"
	"encoding/json"
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
	"github.com/tingting-vn/tingting/internal/vntime"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/zalo"
)

type memberResponse struct {
	ID           string    `json:"id"`
	OAUserID     string    `json:"oa_user_id"`
	Name         string    `json:"name"`
	AddedAt      time.Time `json:"added_at"`
	HiddenFields []string  `json:"hidden_fields"`
	recipientResponse
}

// recipientResponse is what the owner and each member have alike: how
// the OA reaches them now (their last known interaction with it, and the
// route their next alert would take: cs, template, template_phone, or
// none), their phone (for the template by phone; masked but to the owner)
// and their quiet hours ("HH:MM-HH:MM", or null).
type recipientResponse struct {
	LastInteractionAt *time.Time `json:"last_interaction_at"`
	ReachableBy       string     `json:"reachable_by"`
	Phone             *string    `json:"phone"`
	QuietHours        *string    `json:"quiet_hours"`
}

type integrationResponse struct {
	ID             string   `json:"id"`
	Status         string   `json:"status"`
	BankAccountIDs []string `json:"bank_account_ids"`
	Direction      string   `json:"direction"`
	MinAmount      int64    `json:"min_amount"`
	Fields         []string `json:"fields"`
	MessageKind    string   `json:"message_kind"`
	// TemplateID is the ZBS template the alerts go by beyond chat's 7 days
	// ("" none); TemplateParams which field fills each of its parameters.
	TemplateID     string            `json:"template_id"`
	TemplateParams map[string]string `json:"template_params"`
	ReferralCode   string            `json:"referral_code"`
	// SilenceAlertHours: the owner is told when a watched account has had
	// no transaction this long (0: never). DailySummaryAt: "HH:MM" in
	// Vietnam, when the owner gets the day's summary ("": none).
	SilenceAlertHours int32            `json:"silence_alert_hours"`
	DailySummaryAt    string           `json:"daily_summary_at"`
	Owner             ownerResponse    `json:"owner"`
	Members           []memberResponse `json:"members"`
	CreatedAt         time.Time        `json:"created_at"`
	// CostMonth is what the alerts sent this month (Vietnam time) cost,
	// and how many went, by route.
	CostMonth costResponse `json:"cost_month"`
}

type ownerResponse struct {
	ZaloAccountID string  `json:"zalo_account_id"`
	Name          string  `json:"name"`
	OAUserID      *string `json:"oa_user_id"`
	recipientResponse
}

type costResponse struct {
	Since   time.Time                    `json:"since"`
	CostVND int64                        `json:"cost_vnd"`
	ByRoute map[string]routeCostResponse `json:"by_route"`
}

type routeCostResponse struct {
	Sent    int64 `json:"sent"`
	CostVND int64 `json:"cost_vnd"`
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
	if err := json.Unmarshal(i.TemplateParams, &res.TemplateParams); err != nil {
		return integrationResponse{}, err
	}
	if res.CostMonth, err = s.costMonth(ctx, i.ID); err != nil {
		return integrationResponse{}, err
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
	reach, err := s.reachOf(ctx, i.TemplateID, ids)
	if err != nil {
		return integrationResponse{}, err
	}
	if i.OwnerOAUserID != nil {
		res.Owner.recipientResponse = reach.of(*i.OwnerOAUserID, i.OwnerPhone, i.OwnerQuietHours)
	} else {
		res.Owner.ReachableBy = string(route.None) // not following the OA yet
		res.Owner.Phone, res.Owner.QuietHours = i.OwnerPhone, i.OwnerQuietHours
	}
	for k, m := range members {
		res.Members[k] = toMember(m, reach)
	}
	return res, nil
}

// reach says how each person is reached, by the same policy the worker
// sends by: what the follower table believes of them, and what the
// integration's template allows.
type reach struct {
	policy   route.Policy
	now      time.Time
	template route.Recipient // Template and ByUID, as the integration's template allows
	belief   map[string]route.Recipient
	last     map[string]*time.Time
}

func (s *Server) reachOf(ctx context.Context, templateID string, oaUserIDs []string) (reach, error) {
	r := reach{policy: s.policy, now: s.now(), belief: map[string]route.Recipient{}, last: map[string]*time.Time{}}
	if templateID != "" {
		t, err := s.queries.GetTemplate(ctx, templateID)
		switch {
		case err == nil:
			r.template = route.Recipient{Template: zalo.TemplateInfo{Status: t.Status, Tag: t.Tag, Quality: t.Quality}.FitForAlerts(), ByUID: t.SendableByUid}
		case !errors.Is(err, db.ErrNotFound):
			return reach{}, err
		}
	}
	rows, err := s.queries.ReachOf(ctx, oaUserIDs)
	if err != nil {
		return reach{}, err
	}
	for _, f := range rows {
		r.belief[f.OAUserID] = route.Recipient{Following: f.Following, LastInteraction: f.LastInteractionAt, CSRefusedAt: f.CSRefusedAt}
		r.last[f.OAUserID] = f.LastInteractionAt
	}
	return r, nil
}

// of is a person's reach, with their phone and quiet hours.
func (r reach) of(oaUserID string, phone, quiet *string) recipientResponse {
	who, ok := r.belief[oaUserID]
	if !ok {
		who = route.Recipient{Following: true} // unknown to the follower table: Zalo decides
	}
	who.Template, who.ByUID, who.Phone = r.template.Template, r.template.ByUID, phone != nil
	return recipientResponse{
		LastInteractionAt: r.last[oaUserID], ReachableBy: string(r.policy.Best(who, r.now)), Phone: phone, QuietHours: quiet,
	}
}

// costMonth is what the integration's alerts cost this month.
func (s *Server) costMonth(ctx context.Context, integrationID uuid.UUID) (costResponse, error) {
	day := vntime.Midnight(s.now())
	res := costResponse{Since: day.AddDate(0, 0, 1-day.Day()), ByRoute: map[string]routeCostResponse{}}
	rows, err := s.queries.IntegrationCosts(ctx, db.IntegrationCostsParams{IntegrationID: integrationID, Since: res.Since})
	for _, r := range rows {
		res.ByRoute[r.Route] = routeCostResponse{Sent: r.Sent, CostVND: r.CostVnd}
		res.CostVND += r.CostVnd
	}
	return res, err
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
		items = append(items, s.shown(c, i))
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
	return c.JSON(http.StatusOK, s.shown(c, i))
}

// patchIntegration pauses or resumes an integration, sets its ZBS
// template (template_id, with template_params: which field fills each of
// its parameters), the owner's phone and quiet hours, and what the owner
// is told of (silences, the daily summary). message_kind is kept for
// clients written before routes were chosen per recipient; it no longer
// decides anything.
func (s *Server) patchIntegration(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := pathID(c.Param("id"))
	if err != nil {
		return err
	}
	var req struct {
		Status            *string            `json:"status"`
		MessageKind       *string            `json:"message_kind"`
		TemplateID        *string            `json:"template_id"`
		TemplateParams    *map[string]string `json:"template_params"`
		OwnerPhone        *string            `json:"owner_phone"`
		OwnerQuietHours   *string            `json:"owner_quiet_hours"`
		SilenceAlertHours *int32             `json:"silence_alert_hours"`
		DailySummaryAt    *string            `json:"daily_summary_at"`
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
	if req.TemplateID != nil || req.TemplateParams != nil {
		if p.TemplateID, p.TemplateParams, err = s.templateChoice(ctx, workspaceID(c), id, req.TemplateID, req.TemplateParams); err != nil {
			return err
		}
	}
	if p.OwnerPhone, err = phoneField("owner_phone", req.OwnerPhone); err != nil {
		return err
	}
	if p.OwnerQuietHours, err = quietField("owner_quiet_hours", req.OwnerQuietHours); err != nil {
		return err
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
	return c.JSON(http.StatusOK, s.shown(c, i))
}

// templateChoice checks an integration's new template and the fields that
// fill its parameters: a template fit to send alerts (enabled, tagged
// TRANSACTION, not of low quality: else 422 template_unusable), each
// parameter mapped to one of the alert's fields, every required one
// mapped. "" as template_id removes the template.
func (s *Server) templateChoice(ctx context.Context, ws, id uuid.UUID, templateID *string, params *map[string]string) (*string, []byte, error) {
	if templateID == nil {
		i, err := s.queries.GetIntegration(ctx, db.GetIntegrationParams{WorkspaceID: ws, ID: id})
		if err != nil {
			return nil, nil, err
		}
		templateID = &i.TemplateID
	}
	mapping := map[string]string{}
	if params != nil {
		mapping = *params
	}
	if *templateID == "" {
		return templateID, []byte("{}"), nil
	}
	t, err := s.template(ctx, *templateID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil, newError(http.StatusUnprocessableEntity, "template_unusable", "the OA has no template %q (GET /v1/zalo-templates lists them)", *templateID)
	} else if err != nil {
		return nil, nil, err
	}
	if !(zalo.TemplateInfo{Status: t.Status, Tag: t.Tag, Quality: t.Quality}).FitForAlerts() {
		return nil, nil, newError(http.StatusUnprocessableEntity, "template_unusable",
			"template %q is %s, tagged %s, of %s quality: an alert needs an enabled TRANSACTION template not of LOW quality", t.Name, t.Status, t.Tag, t.Quality)
	}
	var specs []message.Param
	if err := json.Unmarshal(t.Params, &specs); err != nil {
		return nil, nil, err
	}
	names := map[string]message.Param{}
	for _, p := range specs {
		names[p.Name] = p
	}
	for param, field := range mapping {
		if _, ok := names[param]; !ok {
			return nil, nil, invalid("template_params: the template has no parameter %q", param)
		}
		if _, err := message.ParseFields([]string{field}); err != nil {
			return nil, nil, invalid("template_params: %q is not a field (amount, time, account, description, balance, reference, counter_account)", field)
		}
	}
	for _, p := range specs {
		if _, ok := mapping[p.Name]; p.Required && !ok {
			return nil, nil, invalid("template_params: the template requires %q; say which field fills it", p.Name)
		}
	}
	b, err := json.Marshal(mapping)
	return templateID, b, err
}

// phoneField reads an optional phone ("" clears it).
func phoneField(name string, v *string) (*string, error) {
	if v == nil || *v == "" {
		return v, nil
	}
	p, ok := phoneE164(*v)
	if !ok {
		return nil, invalid("%s: a phone number, e.g. 0912345678 or 84912345678", name)
	}
	return &p, nil
}

// quietField reads optional quiet hours, "HH:MM-HH:MM" ("" clears them).
func quietField(name string, v *string) (*string, error) {
	if v == nil || *v == "" {
		return v, nil
	}
	w, err := route.ParseWindow(*v)
	if err != nil {
		return nil, invalid(`%s: "HH:MM-HH:MM" (Vietnam time), e.g. "22:00-06:00", or "" for none`, name)
	}
	q := w.String()
	return &q, nil
}

// shown is an integration as the caller may see it: recipients' phones
// masked but to the owner.
func (s *Server) shown(c echo.Context, i integrationResponse) integrationResponse {
	if asOwner(c) {
		return i
	}
	i.Owner.Phone = masked(i.Owner.Phone)
	for k := range i.Members {
		i.Members[k].Phone = masked(i.Members[k].Phone)
	}
	return i
}

func masked(p *string) *string {
	if p == nil {
		return nil
	}
	m := maskPhone(*p)
	return &m
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
	name, err := s.queries.RemoveMember(c.Request().Context(), db.RemoveMemberParams{
		ID: member, IntegrationID: id, WorkspaceID: workspaceID(c),
	})
	if err != nil {
		return err
	}
	note(c, "name", name)
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

// listDeliveries is an integration's delivery log, newest first, a page at
// a time: next_before (null on the last page) is the next page's ?before=.
func (s *Server) listDeliveries(c echo.Context) error {
	id, err := pathID(c.Param("id"))
	if err != nil {
		return err
	}
	limit := 50
	if v := c.QueryParam("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 500 {
			return invalid("limit: 1 to 500")
		}
	}
	// One row more than the page says whether another page follows.
	p := db.ListIntegrationDeliveriesParams{IntegrationID: id, WorkspaceID: workspaceID(c), MaxRows: int32(limit) + 1}
	if v := c.QueryParam("before"); v != "" {
		before, err := parseDeliveryCursor(v)
		if err != nil {
			return err
		}
		p.BeforeAt, p.BeforeID = &before.At, before.ID
	}
	if _, err := s.queries.GetIntegration(c.Request().Context(), db.GetIntegrationParams{WorkspaceID: p.WorkspaceID, ID: id}); err != nil {
		return err
	}
	rows, err := s.queries.ListIntegrationDeliveries(c.Request().Context(), p)
	if err != nil {
		return err
	}
	var next *string
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		cursor := deliveryCursor{At: last.Delivery.CreatedAt, ID: last.Delivery.ID}.String()
		next = &cursor
	}
	items := make([]deliveryLogItem, len(rows))
	for i, r := range rows {
		items[i] = deliveryLogItem{
			deliveryResponse: toDelivery(r.Delivery, r.OccurredAt),
			TransactionID:    r.Delivery.TransactionID.String(), ExternalID: r.ExternalID, Amount: r.Amount,
			OccurredAt: r.OccurredAt, CreatedAt: r.Delivery.CreatedAt,
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "next_before": next})
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

func toMember(m db.IntegrationMember, r reach) memberResponse {
	return memberResponse{ID: m.ID.String(), OAUserID: m.OAUserID, Name: m.Name, AddedAt: m.AddedAt, HiddenFields: m.HiddenFields,
		recipientResponse: r.of(m.OAUserID, m.Phone, m.QuietHours)}
}

// patchMember sets what a member's alerts (and their /homnay answers)
// leave out (any field but the amount), their phone and their quiet hours.
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
		Phone        *string   `json:"phone"`
		QuietHours   *string   `json:"quiet_hours"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.HiddenFields == nil && req.Phone == nil && req.QuietHours == nil {
		return invalid("give hidden_fields, phone or quiet_hours")
	}
	p := db.PatchMemberParams{ID: member, IntegrationID: id, WorkspaceID: workspaceID(c)}
	if req.HiddenFields != nil {
		p.HiddenFields = []string{}
		for _, f := range *req.HiddenFields {
			if _, err := message.ParseFields([]string{f}); err != nil || f == string(message.FieldAmount) {
				return invalid("hidden_fields: %q is not a field that can be hidden (time, account, sub_account, description, payment_code, balance, reference, counter_account)", f)
			}
			if !slices.Contains(p.HiddenFields, f) {
				p.HiddenFields = append(p.HiddenFields, f)
			}
		}
	}
	if p.Phone, err = phoneField("phone", req.Phone); err != nil {
		return err
	}
	if p.QuietHours, err = quietField("quiet_hours", req.QuietHours); err != nil {
		return err
	}
	m, err := s.queries.PatchMember(ctx, p)
	if err != nil {
		return err
	}
	note(c, "name", m.Name)
	i, err := s.queries.GetIntegration(ctx, db.GetIntegrationParams{WorkspaceID: workspaceID(c), ID: id})
	if err != nil {
		return err
	}
	r, err := s.reachOf(ctx, i.TemplateID, []string{m.OAUserID})
	if err != nil {
		return err
	}
	res := toMember(m, r)
	if !asOwner(c) {
		res.Phone = masked(res.Phone)
	}
	return c.JSON(http.StatusOK, res)
}
