package api

import (
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalo"
)

// zaloWebhook verifies an OA event, records it once and hands it to a
// ZaloInbound workflow; Zalo wants its 200 within two seconds, so nothing
// else happens here.
func (s *Server) zaloWebhook(c echo.Context) error {
	ctx := c.Request().Context()
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return jsonError(err)
	}
	signature := c.Request().Header.Get("X-ZEvent-Signature")
	switch err := zalo.VerifyWebhook(s.webhooks.AppID, s.webhooks.WebhookSecret, body, signature); {
	case signature == "":
		return newError(http.StatusUnauthorized, "bad_signature", "X-ZEvent-Signature is missing")
	case errors.Is(err, zalo.ErrBadSignature):
		return newError(http.StatusUnauthorized, "bad_signature", "X-ZEvent-Signature does not match the body")
	case err != nil:
		return invalid("not a Zalo webhook: %v", err)
	}
	ev, err := zalo.ParseEvent(body)
	if err != nil {
		return invalid("not a Zalo event: %v", err)
	}
	if _, err := s.queries.RecordZaloEvent(ctx, db.RecordZaloEventParams{DedupKey: ev.DedupKey, EventName: ev.Name, Raw: body}); err != nil {
		return err
	}
	if ev.Kind == zalo.EventIgnored {
		return c.JSON(http.StatusOK, map[string]bool{"success": true})
	}
	// Started on redeliveries too: if the first delivery was recorded but
	// Temporal was away, Zalo's retry gets the event processed.
	_, err = s.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                                       contract.ZaloInboundWorkflowID(ev.DedupKey),
		TaskQueue:                                contract.TaskQueue,
		WorkflowIDReusePolicy:                    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}, contract.ZaloInboundName, contract.InboundEvent{
		Kind: string(ev.Kind), OAUserID: ev.UserID, AppUserID: ev.UserIDByApp, Text: ev.Text, DedupKey: ev.DedupKey,
	})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		s.log.ErrorContext(ctx, "starting ZaloInbound failed", "dedup_key", ev.DedupKey, "error", err)
		return newError(http.StatusServiceUnavailable, "unavailable", "event recorded but not yet processed; redeliver it")
	}
	return c.JSON(http.StatusOK, map[string]bool{"success": true})
}
