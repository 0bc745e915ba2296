package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"

	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/vntime"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalo"
)

// SendInput names the delivery to send.
type SendInput struct {
	DeliveryID uuid.UUID
	// TransactionID is the delivery's transaction; runs started before it
	// was passed leave it for the activity to look up.
	TransactionID uuid.UUID `json:",omitzero"`
}

// SendZaloMessage sends one delivery's alert unless it was sent already or
// its recipient is no longer wanted, and records the outcome at once: a
// later attempt then finds it and sends nothing, so a worker dying after
// this point never doubles a message. If that write fails, the outcome is
// returned unrecorded for RecordDelivery; the send is not repeated for it.
// What Zalo's answers come to is the send core's (send.Core.Send).
func (a *Activities) SendZaloMessage(ctx context.Context, in SendInput) (send.Outcome, error) {
	q := db.New(a.Pool)
	txn := in.TransactionID
	if txn == uuid.Nil {
		var err error
		if txn, err = q.DeliveryTransaction(ctx, in.DeliveryID); errors.Is(err, db.ErrNotFound) {
			return send.Outcome{}, contract.FailNotFound.Final("no such delivery")
		} else if err != nil {
			return send.Outcome{}, fmt.Errorf("the delivery's transaction: %w", err)
		}
	}
	rows, err := q.StartDeliveries(ctx, a.starting(txn, false, in.DeliveryID))
	if err != nil {
		return send.Outcome{}, fmt.Errorf("start attempt: %w", err)
	}
	if len(rows) == 0 {
		return send.Outcome{}, contract.FailNotFound.Final("no such delivery")
	}
	out, err := a.attempt(ctx, rows[0])
	if err != nil {
		return send.Outcome{}, err
	}
	if err := a.noticeOnce(ctx, q, &out); err != nil {
		return send.Outcome{}, err
	}
	if out.Recorded {
		return out, nil
	}
	if err := a.finish(ctx, q, []RecordInput{{DeliveryID: in.DeliveryID, Outcome: out}}); err != nil {
		activity.GetLogger(ctx).Warn("recording the outcome after the send; the workflow will retry it", "error", err)
		return out, nil
	}
	out.Recorded = true
	return out, nil
}

// DeliverInput names the transaction whose alerts to send.
type DeliverInput struct {
	TransactionID uuid.UUID
}

// DeliverResult is how a transaction's deliveries went, as small as it can
// be, for it is kept in the workflow's history: the count of those that
// ended here with nothing left to do, and each of the others.
type DeliverResult struct {
	Done contract.NotifyResult `json:",omitzero"`
	// Left are the deliveries the workflow still has to see to: those not
	// settled (no Status: each is sent on its own, by SendZaloMessage, whose
	// retries wait as each error needs), those settled but not recorded,
	// held for the morning, or with an owner to tell.
	Left []Left `json:",omitempty"`
	// Notices are the owners to tell that the transaction ended a silence.
	Notices []contract.OwnerNotice `json:",omitempty"`
}

// Left is a delivery the workflow still has to see to, and how it went.
type Left struct {
	DeliveryID uuid.UUID
	Outcome    send.Outcome `json:",omitzero"`
}

// DeliverTransaction plans a transaction's deliveries and sends them, in
// one local activity: one statement plans every delivery and starts its
// attempt (marking it in doubt before its send), the messages go out in
// parallel, and one statement records every settled outcome. A
// transaction costs two statements and one history marker, however many
// its recipients. Run again (a worker that died on the way), it plans
// nothing twice and settles what the first run left in doubt.
func (a *Activities) DeliverTransaction(ctx context.Context, in DeliverInput) (DeliverResult, error) {
	q := db.New(a.Pool)
	rows, err := q.StartDeliveries(ctx, a.starting(in.TransactionID, true, uuid.Nil))
	if err != nil {
		return DeliverResult{}, fmt.Errorf("plan and start deliveries: %w", err)
	}
	var res DeliverResult
	for i, out := range a.sendAll(ctx, q, rows) {
		if out.Status != "" && out.Recorded && out.Notice == nil && out.DeferredUntil == nil {
			res.Done.Add(string(out.Status), 1)
			continue
		}
		res.Left = append(res.Left, Left{DeliveryID: rows[i].ID, Outcome: out})
	}
	if len(rows) == 0 || rows[0].SilenceTold {
		// Once the sends are recorded, a run again after a failure here
		// finds nothing pending and only ends the silences.
		if res.Notices, err = a.endSilences(ctx, q, in.TransactionID); err != nil {
			return DeliverResult{}, err
		}
	}
	return res, nil
}

// BatchInput is a transaction's deliveries, to send together.
type BatchInput struct {
	DeliveryIDs []uuid.UUID
}

// BatchResult is the outcome of each delivery, in BatchInput's order. An
// outcome with no Status was not settled (a transient error, an answer
// lost, a token to refresh): it is to be sent on its own, by
// SendZaloMessage, whose retries wait as each needs.
type BatchResult struct {
	Outcomes []send.Outcome
}

// SendZaloMessages is DeliverTransaction for runs planned before it: the
// deliveries their plan returned, sent together.
func (a *Activities) SendZaloMessages(ctx context.Context, in BatchInput) (BatchResult, error) {
	res := BatchResult{Outcomes: make([]send.Outcome, len(in.DeliveryIDs))}
	if len(in.DeliveryIDs) == 0 {
		return res, nil
	}
	q := db.New(a.Pool)
	txn, err := q.DeliveryTransaction(ctx, in.DeliveryIDs[0])
	if err != nil {
		return BatchResult{}, fmt.Errorf("the deliveries' transaction: %w", err)
	}
	var rows []db.StartDeliveriesRow
	for _, id := range in.DeliveryIDs {
		started, err := q.StartDeliveries(ctx, a.starting(txn, false, id))
		if err != nil {
			return BatchResult{}, fmt.Errorf("start attempts: %w", err)
		}
		rows = append(rows, started...)
	}
	// In the order asked; an id not found has no outcome (the workflow
	// sends it alone).
	for i, out := range a.sendAll(ctx, q, rows) {
		res.Outcomes[slices.Index(in.DeliveryIDs, rows[i].ID)] = out
	}
	return res, nil
}

// sendsAtOnce bounds the Zalo calls one transaction makes at the same time.
const sendsAtOnce = 16

// sendAll sends the deliveries whose attempts StartDeliveries began, in
// parallel, and records every settled outcome in one statement; it returns
// their outcomes in rows' order.
func (a *Activities) sendAll(ctx context.Context, q *db.Queries, rows []db.StartDeliveriesRow) []send.Outcome {
	outs := make([]send.Outcome, len(rows))
	var wg sync.WaitGroup
	slots := make(chan struct{}, sendsAtOnce)
	for i, d := range rows {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			outs[i] = a.sendOne(ctx, q, d)
			if activity.IsActivity(ctx) && !activity.GetInfo(ctx).IsLocalActivity {
				activity.RecordHeartbeat(ctx) // a backlog's: it may wait for its turn
			}
		}()
	}
	wg.Wait()
	var settled []RecordInput
	for i, out := range outs {
		if out.Status != "" && !out.Recorded {
			settled = append(settled, RecordInput{DeliveryID: rows[i].ID, Outcome: out})
		}
	}
	if err := a.finish(ctx, q, settled); err != nil {
		activity.GetLogger(ctx).Warn("recording the outcomes after the sends; the workflow will retry them", "error", err)
		return outs
	}
	for i := range outs {
		outs[i].Recorded = outs[i].Status != ""
	}
	return outs
}

// sendOne is sendAll's send of one delivery. An outcome with no Status is
// left for SendZaloMessage, whose retries wait as each error needs; an
// owner's notice that cannot be written is dropped (the owner is told when
// the trouble next shows).
func (a *Activities) sendOne(ctx context.Context, q *db.Queries, d db.StartDeliveriesRow) send.Outcome {
	out, err := a.attempt(ctx, d)
	switch {
	case contract.IsFinal(err):
		activity.GetLogger(ctx).Error("delivery failed", "delivery_id", d.ID, "error", err)
		out = send.InternalFailure
	case err != nil:
		activity.GetLogger(ctx).Info("delivery to be sent on its own", "delivery_id", d.ID, "error", err)
		return send.Outcome{}
	}
	if err := a.noticeOnce(ctx, q, &out); err != nil {
		activity.GetLogger(ctx).Warn("telling the owner", "delivery_id", d.ID, "error", err)
		out.Notice = nil
	}
	return out
}

// starting is StartDeliveries' parameters: a transaction's deliveries,
// planned (plan), or its one delivery.
func (a *Activities) starting(txn uuid.UUID, plan bool, delivery uuid.UUID) db.StartDeliveriesParams {
	return db.StartDeliveriesParams{TransactionID: txn, Plan: plan, DeliveryID: delivery, CsWindowSeconds: a.Sender.Routes.CSWindow.Seconds()}
}

// alert is one delivery of a transaction's alert, as the send path needs
// it: built once from its row.
type alert struct {
	delivery    uuid.UUID
	integration uuid.UUID
	to          string
	member      bool // a member's; the owner's own troubles have no one else to tell
	// told is the trouble an earlier attempt told the owner of ('' none).
	told string
	// done, when set, is how it ended already: finished (or held for the
	// morning) by an earlier attempt, or no longer wanted.
	done *send.Outcome
	msg  send.Message
}

// alertOf reads a delivery's row once into what sending it needs.
func (a *Activities) alertOf(d db.StartDeliveriesRow) (alert, error) {
	al := alert{delivery: d.ID, integration: d.IntegrationID, to: d.Recipient, member: d.Role == db.RecipientRoleMember, told: d.ToldOwner}
	skip := func(reason send.Reason, detail string) (alert, error) {
		out := send.Skip(reason, detail)
		al.done = &out
		return al, nil
	}
	switch {
	case d.Status != db.DeliveryStatusPending:
		out := send.Outcome{Status: send.Status(d.Status), MessageID: d.ZaloMessageID, Route: string(d.Route.DeliveryRoute), Recorded: true}
		if d.Status == db.DeliveryStatusDeferred {
			out.Recipient, out.DeferredUntil = d.Recipient, d.DeferredUntil
		}
		al.done = &out
		return al, nil
	case d.IntegrationStatus == db.IntegrationStatusPaused:
		return skip(send.IntegrationPaused, "")
	case d.IntegrationStatus != db.IntegrationStatusActive:
		return skip(send.IntegrationDeleted, "")
	case !d.StillMember:
		return skip(send.MemberRemoved, "")
	case d.MutedUntil != nil && d.MutedUntil.After(a.Now()):
		return skip(send.Muted, "paused with /tamdung until "+d.MutedUntil.In(vntime.Zone).Format("15:04 02/01"))
	}
	if quiet, err := route.ParseWindow(d.QuietHours); err == nil && d.QuietHours != "" {
		if until := quiet.Until(a.Now()); !until.IsZero() {
			// The recipient's quiet hours: the alert waits, and goes with
			// the others of those hours in one message when they end.
			al.done = &send.Outcome{Status: send.Deferred, Reason: send.QuietHours, Recipient: d.Recipient, DeferredUntil: &until}
			return al, nil
		}
	}
	fields, err := visible(d.Fields, d.HiddenFields)
	if err != nil {
		return alert{}, contract.FailUnreadable.Final("the integration's fields: %v", err)
	}
	txn := transactionOf(d.AlertTransaction)
	al.msg = send.Message{
		ID: d.ID, Ledger: deliveries{a}, To: al.to,
		Belief: route.Recipient{Following: d.Following, LastInteraction: d.LastInteractionAt, CSRefusedAt: d.CSRefusedAt},
		Unsure: d.AskInteraction,
		Card:   message.Alert(txn, fields),
		Phone:  d.Phone,
	}
	if d.Doubted {
		al.msg.DoubtedSince = d.InDoubtSince
	}
	if t := (zalo.TemplateInfo{Status: d.TemplateStatus, Tag: d.TemplateTag, Quality: d.TemplateQuality}); d.TemplateID != "" && t.FitForAlerts() {
		var params []message.Param
		var mapping map[string]message.Field
		if json.Unmarshal(d.TemplateParamSpecs, &params) != nil || json.Unmarshal(d.TemplateParams, &mapping) != nil {
			return alert{}, contract.FailUnreadable.Final("the integration's template cannot be read")
		}
		al.msg.Template = &send.Template{
			ID: d.TemplateID, Data: message.TemplateData(txn, fields, params, mapping),
			ByUID: d.TemplateByUid, PriceUID: d.PriceUid, PricePhone: d.PriceSdt,
		}
	}
	return al, nil
}

// attempt sends one delivery whose attempt StartDeliveries began. A
// deferred one names its recipient by our row id too, for the morning
// message's workflow id.
func (a *Activities) attempt(ctx context.Context, d db.StartDeliveriesRow) (send.Outcome, error) {
	out, err := a.try(ctx, d)
	if err == nil && out.Status == send.Deferred {
		out.RecipientID, err = db.New(a.Pool).RecipientID(ctx, d.Recipient)
	}
	return out, err
}

// try is attempt's send, or how the delivery ended already.
func (a *Activities) try(ctx context.Context, d db.StartDeliveriesRow) (send.Outcome, error) {
	al, err := a.alertOf(d)
	switch {
	case err != nil:
		return send.Outcome{}, err
	case al.done != nil && al.told != "":
		// The attempt that told the owner may not have reached the
		// workflow: tell again, under the same notice id.
		out := *al.done
		out.Reason = send.Reason(al.told)
		return al.withNotice(out), nil
	case al.done != nil:
		return *al.done, nil
	}
	out, err := a.Sender.Send(ctx, al.msg)
	switch {
	case err != nil:
	case out.Status == send.Skipped:
		out = al.withNotice(out)
	case out.Reason == send.Quota:
		// The owner is told once a day that today's quota is spent.
		day := out.DeferredUntil.In(vntime.Zone).Format("2006-01-02")
		out.Notice = &contract.OwnerNotice{IntegrationID: al.integration, Kind: contract.NoticeQuota, Key: day}
	}
	return out, err
}

// withNotice asks that a member's owner be told of the trouble (the
// reason) a skipped delivery shows: noticeOnce tells once per trouble.
func (al alert) withNotice(out send.Outcome) send.Outcome {
	if !al.member {
		return out
	}
	kind := contract.NoticeMemberUnreachable
	if out.Reason == send.Blocked {
		kind = contract.NoticeMemberBlocked
	}
	out.Notice = &contract.OwnerNotice{IntegrationID: al.integration, Kind: kind, About: al.to, Key: al.delivery.String()}
	return out
}

// noticeOnce keeps an outcome's notice only if the owner was not told of
// that trouble yet: the member's row says whether they were.
func (a *Activities) noticeOnce(ctx context.Context, q *db.Queries, out *send.Outcome) error {
	if out.Notice == nil || out.Notice.Kind == contract.NoticeQuota {
		return nil // a quota notice is told once by its workflow id
	}
	name, err := q.TellOwnerOnce(ctx, db.TellOwnerOnceParams{
		IntegrationID: out.Notice.IntegrationID, OAUserID: out.Notice.About, Trouble: string(out.Reason), Key: out.Notice.Key,
	})
	switch {
	case errors.Is(err, db.ErrNotFound):
		out.Notice = nil
	case err != nil:
		return err
	default:
		out.Notice.About = name
	}
	return nil
}
