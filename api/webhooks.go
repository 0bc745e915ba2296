package api

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tingting-vn/tingting/command"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/zalo"
)

// zaloWebhook verifies an OA event and records it once, with its ZaloInbound
// workflow queued in the same database transaction; Zalo wants its 200
// within two seconds, so nothing else happens here, and Temporal being away
// changes nothing for Zalo. A receipt (a message seen, one sent by phone
// delivered) needs no workflow: it is applied in the same transaction,
// once, and is the evidence a send in doubt waits for. Nor does a command
// from someone in no integration who was answered today already: nothing
// of it is kept (answerable).
func (s *Server) zaloWebhook(c echo.Context) error {
	ctx := c.Request().Context()
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return jsonError(err)
	}
	// Nothing of the body is trusted, or even parsed beyond the timestamp
	// the signature covers, before the signature is checked.
	signature := c.Request().Header.Get("X-ZEvent-Signature")
	switch err := zalo.VerifyWebhook(s.webhooks.AppID, s.webhooks.WebhookSecret, body, signature, s.now(), s.webhooks.MaxAge); {
	case signature == "":
		return newError(http.StatusUnauthorized, "bad_signature", "X-ZEvent-Signature is missing")
	case errors.Is(err, zalo.ErrStale):
		return newError(http.StatusUnauthorized, "bad_signature", "the event's timestamp is too old or in the future")
	case err != nil:
		return newError(http.StatusUnauthorized, "bad_signature", "X-ZEvent-Signature does not match the body")
	}
	ev, err := zalo.ParseEvent(body)
	if err != nil {
		return invalid("not a Zalo event: %v", err)
	}
	if err := s.sourceLimits.allow(c, "zalo:"+ev.OAID); err != nil {
		return err
	}
	if ev.Kind == zalo.EventUserSendText && answerable(ev.Text) {
		answered, err := db.New(s.pool).StrangerAnsweredToday(ctx, ev.UserID)
		if err != nil {
			return err
		}
		if answered {
			s.metrics.AnswersHeldBack.WithLabelValues("stranger").Inc()
			return c.JSON(http.StatusOK, map[string]bool{"success": true})
		}
	}
	heldBack := false
	err = db.InTx(ctx, s.pool, func(q *db.Queries) error {
		rec, err := q.RecordZaloEvent(ctx, db.RecordZaloEventParams{DedupKey: ev.DedupKey, EventName: ev.Name, Raw: body})
		switch {
		case err != nil || !rec.Inserted || ev.Kind == zalo.EventIgnored:
			return err // a redelivery, or an event tingting does not act on
		case ev.Kind == zalo.EventSeen:
			_, err := q.RecordSeen(ctx, db.RecordSeenParams{MessageIds: ev.MsgIDs, SeenAt: eventTime(ev, s.now())})
			return err
		case ev.Kind == zalo.EventReceived:
			at := eventTime(zalo.Event{Timestamp: ev.DeliveredAt}, s.now())
			return q.RecordPhoneReceipt(ctx, db.RecordPhoneReceiptParams{TrackingID: ev.TrackingID, MsgID: ev.MsgID, DeliveredAt: at})
		case ev.Kind == zalo.EventUserSendText && answerable(ev.Text):
			claim, err := q.ClaimStrangerAnswer(ctx, db.ClaimStrangerAnswerParams{OAUserID: ev.UserID, Event: ev.DedupKey})
			if err != nil || claim.Stranger && !claim.Granted {
				heldBack = err == nil
				return err
			}
		}
		return q.Enqueue(ctx, db.EnqueueParams{Kind: db.OutboxKindZaloEvent, Ref: rec.ID})
	})
	if err != nil {
		return err
	}
	if heldBack {
		s.metrics.AnswersHeldBack.WithLabelValues("stranger").Inc()
	}
	return c.JSON(http.StatusOK, map[string]bool{"success": true})
}

// answerable tells a command the OA answers (not ordinary text, which it
// does not, nor an invite, which has its own guard). One from someone in
// no integration who had today's answer already is neither recorded nor
// queued: a flood of them costs a read each, not a workflow and a message
// each. The first of the day claims the answer in the transaction that
// records it (ClaimStrangerAnswer, which the workflow's activity asks
// again with the same event), so of racing commands one is queued.
func answerable(text string) bool {
	k := command.Parse(text).Kind
	return k != command.NotCommand && k != command.Invite
}

// eventTime is when Zalo says an event happened, or now when it does not
// say (or says the future).
func eventTime(ev zalo.Event, now time.Time) time.Time {
	if ev.Timestamp.IsZero() || ev.Timestamp.After(now) {
		return now
	}
	return ev.Timestamp
}
