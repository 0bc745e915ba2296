package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/vntime"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalo"
)

// Delivery statuses, as stored in deliveries.status.
const (
	StatusSent     = string(db.DeliveryStatusSent)
	StatusSkipped  = string(db.DeliveryStatusSkipped)
	StatusFailed   = string(db.DeliveryStatusFailed)
	StatusDeferred = string(db.DeliveryStatusDeferred)
)

// PlanInput names the transaction to plan deliveries for.
type PlanInput struct {
	TransactionID uuid.UUID
}

// PlannedDelivery is one message still to send.
type PlannedDelivery struct {
	DeliveryID uuid.UUID
}

// PlanResult lists the deliveries still pending for the transaction, and
// what to tell owners: the transaction ends a silence they were told of.
type PlanResult struct {
	Deliveries []PlannedDelivery
	Notices    []contract.OwnerNotice `json:",omitempty"`
	// Together: send the deliveries in one SendZaloMessages. Always set
	// now; its absence in a recorded result is how runs started before
	// it existed replay their one activity per delivery.
	Together bool `json:",omitempty"`
}

// PlanNotifications records a pending delivery for every recipient of every
// matching active integration and returns those not yet finished. Running it
// twice plans nothing twice.
func (a *Activities) PlanNotifications(ctx context.Context, in PlanInput) (PlanResult, error) {
	q := db.New(a.Pool)
	ids, err := q.PlanDeliveries(ctx, in.TransactionID)
	if err != nil {
		return PlanResult{}, fmt.Errorf("plan deliveries: %w", err)
	}
	res := PlanResult{Deliveries: make([]PlannedDelivery, len(ids)), Together: true}
	for i, id := range ids {
		res.Deliveries[i] = PlannedDelivery{DeliveryID: id}
	}
	resumed, err := q.EndSilences(ctx, in.TransactionID)
	if err != nil {
		return PlanResult{}, fmt.Errorf("end silences: %w", err)
	}
	for _, r := range resumed {
		res.Notices = append(res.Notices, contract.OwnerNotice{
			IntegrationID: r.IntegrationID, Kind: contract.NoticeResumed, About: r.AccountNumber, Key: in.TransactionID.String(),
		})
	}
	return res, nil
}

// SendInput names the delivery to send.
type SendInput struct {
	DeliveryID uuid.UUID
}

// Outcome is how a delivery ended, or that it waits for the morning.
// Every field but Status is left out of its JSON when empty: an outcome is
// in workflow history once per recipient.
type Outcome struct {
	Status    string // StatusSent, StatusSkipped, StatusFailed or StatusDeferred
	MessageID string `json:",omitempty"` // Zalo's message id when sent
	Reason    string `json:",omitempty"` // why it was skipped or failed; routes refused on the way
	Recorded  bool   `json:",omitempty"` // stored already; false leaves it to RecordDelivery
	Route     string `json:",omitempty"` // the route that carried it, or that the night closed
	// Deferred: the recipient and when the night ends, for their morning
	// message.
	Recipient     string     `json:",omitempty"`
	DeferredUntil *time.Time `json:",omitempty"`
	// Release: the alerts of a morning message no route carries, given
	// back to be sent one by one.
	Release []uuid.UUID `json:",omitempty"`
	// Notice: the owner is to be told that this member cannot be reached.
	Notice *contract.OwnerNotice `json:",omitempty"`
	// trouble is what the owner is told of, once (see TellOwnerOnce): not
	// following (whether they unfollowed or never followed), blocked, or
	// unreachable. SendZaloMessage reads it; it never leaves the activity.
	trouble string
}

// SendZaloMessage sends one delivery's message unless it was sent already
// or its recipient is no longer wanted, and records the outcome at once:
// a later attempt then finds it and sends nothing, so a worker dying after
// this point never doubles a message. If that write fails, the outcome is
// returned unrecorded for RecordDelivery; the send is not repeated for it.
// Transient Zalo errors are returned for Temporal to retry; permanent ones
// are non-retryable; a recipient Zalo will not let us reach is a skip.
func (a *Activities) SendZaloMessage(ctx context.Context, in SendInput) (Outcome, error) {
	q := db.New(a.Pool)
	rows, err := q.StartDeliveryAttempts(ctx, []uuid.UUID{in.DeliveryID})
	if err != nil {
		return Outcome{}, fmt.Errorf("start attempt: %w", err)
	}
	if len(rows) == 0 {
		return Outcome{}, temporal.NewNonRetryableApplicationError("no such delivery", "not_found", nil)
	}
	out, err := a.attempt(ctx, q, rows[0])
	if err != nil {
		return Outcome{}, err
	}
	if err := a.noticeOnce(ctx, q, &out); err != nil {
		return Outcome{}, err
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

// BatchInput is a transaction's deliveries, to send together.
type BatchInput struct {
	DeliveryIDs []uuid.UUID
}

// BatchResult is the outcome of each delivery, in BatchInput's order. An
// outcome with no Status was not settled (a transient error, an answer
// lost, a token to refresh): it is to be sent on its own, by
// SendZaloMessage, whose retries wait as each needs.
type BatchResult struct {
	Outcomes []Outcome
}

// sendsAtOnce bounds the Zalo calls one batch makes at the same time.
const sendsAtOnce = 16

// SendZaloMessages is SendZaloMessage for a transaction's deliveries
// together: one statement starts every attempt (marking each in doubt
// before its send), the messages go out in parallel, and one statement
// records every settled outcome. The cost of a transaction then barely
// grows with its recipients: two statements and one local activity,
// whether they are three or a hundred.
func (a *Activities) SendZaloMessages(ctx context.Context, in BatchInput) (BatchResult, error) {
	q := db.New(a.Pool)
	rows, err := q.StartDeliveryAttempts(ctx, in.DeliveryIDs)
	if err != nil {
		return BatchResult{}, fmt.Errorf("start attempts: %w", err)
	}
	outs := make([]Outcome, len(rows))
	var wg sync.WaitGroup
	slots := make(chan struct{}, sendsAtOnce)
	for i, d := range rows {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			outs[i] = a.sendOne(ctx, q, d)
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
	} else {
		for i := range outs {
			outs[i].Recorded = outs[i].Status != ""
		}
	}
	// In the order asked: StartDeliveryAttempts orders its rows so, and an
	// id it did not find has no outcome (the workflow sends it alone).
	res := BatchResult{Outcomes: make([]Outcome, len(in.DeliveryIDs))}
	for i, d := range rows {
		res.Outcomes[slices.Index(in.DeliveryIDs, d.ID)] = outs[i]
	}
	return res, nil
}

// sendOne is SendZaloMessages' send of one delivery. An outcome with no
// Status is left for SendZaloMessage, whose retries wait as each error
// needs; a permanent error is a failure; an owner's notice that cannot be
// written is dropped (the owner is told when the trouble next shows).
func (a *Activities) sendOne(ctx context.Context, q *db.Queries, d db.StartDeliveryAttemptsRow) Outcome {
	out, err := a.attempt(ctx, q, d)
	switch {
	case Permanent(err):
		out = Outcome{Status: StatusFailed, Reason: InternalFailure}
		if reason, ok := ZaloFailure(err); ok {
			out.Reason = reason
		} else {
			activity.GetLogger(ctx).Error("delivery failed", "delivery_id", d.ID, "error", err)
		}
	case err != nil:
		activity.GetLogger(ctx).Info("delivery to be sent on its own", "delivery_id", d.ID, "error", err)
		return Outcome{}
	}
	if err := a.noticeOnce(ctx, q, &out); err != nil {
		activity.GetLogger(ctx).Warn("telling the owner", "delivery_id", d.ID, "error", err)
		out.Notice = nil
	}
	return out
}

// noticeOnce keeps an outcome's notice only if the owner was not told of
// that trouble yet: the member's row says whether they were.
func (a *Activities) noticeOnce(ctx context.Context, q *db.Queries, out *Outcome) error {
	if out.Notice == nil {
		return nil
	}
	name, err := q.TellOwnerOnce(ctx, db.TellOwnerOnceParams{
		IntegrationID: out.Notice.IntegrationID, OAUserID: out.Notice.About, Trouble: out.trouble, Key: out.Notice.Key,
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

// attempt sends one delivery whose attempt StartDeliveryAttempts began.
func (a *Activities) attempt(ctx context.Context, q *db.Queries, d db.StartDeliveryAttemptsRow) (Outcome, error) {
	deliveryID := d.ID
	switch {
	case d.Status != db.DeliveryStatusPending:
		// Finished (or held for the morning) by an earlier attempt: report
		// it again, send nothing.
		out := Outcome{Status: string(d.Status), MessageID: d.ZaloMessageID, Route: string(d.Route.DeliveryRoute), Recorded: true}
		if d.Status == db.DeliveryStatusDeferred {
			out.Recipient, out.DeferredUntil = d.Recipient, d.DeferredUntil
		}
		if d.ToldOwner != "" {
			// The attempt that told the owner may not have reached the
			// workflow: tell again, under the same notice id.
			out = a.withNotice(d, out, d.ToldOwner)
		}
		return out, nil
	case d.IntegrationStatus != db.IntegrationStatusActive:
		return Outcome{Status: StatusSkipped, Reason: "integration_" + string(d.IntegrationStatus)}, nil
	case !d.StillMember:
		return Outcome{Status: StatusSkipped, Reason: "member_removed"}, nil
	case d.MutedUntil != nil && d.MutedUntil.After(a.Now()):
		return Outcome{Status: StatusSkipped, Reason: "muted: paused with /tamdung until " + d.MutedUntil.In(vntime.Zone).Format("15:04 02/01")}, nil
	}

	txn, fields, err := transactionOf(d)
	if err != nil {
		return Outcome{}, temporal.NewNonRetryableApplicationError(err.Error(), "bad_fields", nil)
	}
	if d.Doubted {
		// An earlier attempt's outcome is unknown (its answer was lost, or
		// its worker died): Zalo may have delivered it.
		if id, found, err := a.settleInDoubt(ctx, q, d); err != nil || found {
			return Outcome{Status: StatusSent, MessageID: id}, err
		}
	}
	if d.AskInteraction {
		if at := a.askInteraction(ctx, q, d.Recipient); at != nil && (d.LastInteractionAt == nil || at.After(*d.LastInteractionAt)) {
			d.LastInteractionAt = at
		}
	}
	who := recipientOf(d)
	routes := a.Reach.Policy.Routes(who, a.Now())
	if len(routes) == 0 {
		out := Outcome{Status: StatusSkipped, Reason: "unreachable: no route reaches them (quiet too long, and no ZNS template)"}
		if !who.Following {
			out.Reason = zalo.ClassNotFollowing.String()
		}
		return a.withNotice(d, out, troubleOf(out)), nil
	}
	l := letter{To: d.Recipient, Card: message.Alert(txn, fields), ZNSTemplate: d.TemplateID, TrackingID: deliveryID.String()}
	if d.TemplateID != "" {
		l.ZNSData = message.TemplateData(txn, fields, a.Reach.ZNSParams)
	}
	res, err := a.reach(ctx, q, routes, l)
	switch {
	case err != nil:
		out, err := a.sendFailed(ctx, q, deliveryID, res.Route, err)
		if out.Status == StatusSkipped {
			out = a.withNotice(d, out, troubleOf(out))
		}
		return out, err
	case !res.Until.IsZero():
		until := res.Until
		return Outcome{Status: StatusDeferred, Route: string(res.Route), Reason: res.why(), Recipient: d.Recipient, DeferredUntil: &until}, nil
	case res.Route == route.None:
		out := Outcome{Status: StatusSkipped, Reason: refusedReason(res)}
		return a.withNotice(d, out, troubleOf(out)), nil
	}
	return Outcome{Status: StatusSent, MessageID: res.Sent.MessageID, Route: string(res.Route), Reason: res.why()}, nil
}

// withNotice asks that a member's owner be told of the trouble a skipped
// delivery shows: noticeOnce tells once per trouble. The owner's own
// deliveries ask nothing: there is no one else to tell.
func (a *Activities) withNotice(d db.StartDeliveryAttemptsRow, out Outcome, trouble string) Outcome {
	if d.Role != db.RecipientRoleMember {
		return out
	}
	kind := contract.NoticeMemberUnreachable
	if trouble == zalo.ClassBlocked.String() {
		kind = contract.NoticeMemberBlocked
	}
	out.Notice = &contract.OwnerNotice{IntegrationID: d.IntegrationID, Kind: kind, About: d.Recipient, Key: d.ID.String()}
	out.trouble = trouble
	return out
}

// troubleOf is a skip's trouble, the class its reason starts with:
// not_following, blocked, unreachable, no_interaction.
func troubleOf(out Outcome) string {
	trouble, _, _ := strings.Cut(out.Reason, ":")
	return trouble
}

// refusedReason is why a delivery every route refused is skipped: the
// class of the last refusal (e.g. no_interaction), then each refusal.
func refusedReason(res reached) string { return res.Last.String() + ": " + res.why() }

// transactionOf is what a delivery's message shows, and which fields: the
// integration's, less what the member hides.
func transactionOf(d db.StartDeliveryAttemptsRow) (message.Transaction, []message.Field, error) {
	fields, err := message.ParseFields(d.Fields)
	fields = message.Visible(fields, d.HiddenFields)
	return message.Transaction{
		Amount:               d.Amount,
		Description:          d.Description,
		BalanceAfter:         d.BalanceAfter,
		OccurredAt:           d.OccurredAt,
		BankName:             d.BankName,
		AccountNumber:        d.AccountNumber,
		AccountName:          d.AccountName,
		Reference:            d.Reference,
		CounterAccountName:   d.CounterAccountName,
		CounterAccountNumber: d.CounterAccountNumber,
		CounterBankName:      d.CounterBankName,
		SubAccount:           d.SubAccount,
		PaymentCode:          d.PaymentCode,
	}, fields, err
}

// sendFailed sorts a Zalo error into skip, permanent failure, retry, or
// in doubt (Zalo may have accepted it).
func (a *Activities) sendFailed(ctx context.Context, q *db.Queries, deliveryID uuid.UUID, rt route.Route, err error) (Outcome, error) {
	skip, typed := typeSendError(err)
	switch {
	case skip != "":
		return Outcome{Status: StatusSkipped, Reason: skip, Route: string(rt)}, nil
	case fromZalo(err) && zalo.Classify(err) == zalo.ClassInDoubt:
		// Zalo may have accepted it: the delivery stays in doubt, and the
		// next attempt looks before it sends.
		a.noteError(ctx, q, deliveryID, rt, err, false)
		return Outcome{}, inDoubt(a.InDoubt.Wait, "the answer to a send was lost; looking for the message in %s", a.InDoubt.Wait)
	case !Permanent(typed):
		a.noteError(ctx, q, deliveryID, rt, err, true)
	}
	return Outcome{}, typed
}

// typeSendError is what any failed send (an alert, an owner's notice) comes
// to: a skip, the class of Zalo's refusal to reach the person (not
// following, blocked, no interaction), or the error typed for the
// workflow's retry policy: -32 is tried again after a pause and never
// fails a message, Zalo's permanent refusals are not retried, and our own
// trouble (database, token store) is retried by the policy.
func typeSendError(err error) (skip string, typed error) {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return "", err // typed already
	}
	class := zalo.ClassRetryable
	if fromZalo(err) {
		class = zalo.Classify(err)
	}
	switch {
	case class == zalo.ClassNotFollowing, class == zalo.ClassBlocked, class == zalo.ClassNoInteraction:
		return class.String(), nil
	case class == zalo.ClassRateLimited:
		// Every worker holds its sends a moment; this one is tried again
		// after them.
		return "", temporal.NewApplicationErrorWithOptions(err.Error(), "zalo_"+class.String(),
			temporal.ApplicationErrorOptions{NextRetryDelay: rateLimitPause})
	case !class.Retryable():
		return "", temporal.NewNonRetryableApplicationError(err.Error(), "zalo_"+class.String(), nil)
	}
	return "", temporal.NewApplicationError(err.Error(), "zalo_"+class.String())
}

// Permanent tells an error retrying cannot fix (Zalo refused for good).
func Permanent(err error) bool {
	var appErr *temporal.ApplicationError
	return errors.As(err, &appErr) && appErr.NonRetryable()
}

// InternalFailure is the delivery log's reason for a send that failed on
// our side: our errors can name hosts and SQL, so the worker's log has
// them, not the log a tenant reads.
const InternalFailure = "internal: failed (the worker's log has the details)"

// ZaloFailure is Zalo's own words for a send it refused, as the delivery
// log shows them; ok is false for any other error.
func ZaloFailure(err error) (reason string, ok bool) {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && strings.HasPrefix(appErr.Type(), "zalo_") {
		return appErr.Type() + ": " + appErr.Message(), true
	}
	return "", false
}

// noteError keeps the delivery log honest while Temporal retries. settled:
// the attempt is known not to have delivered, so the delivery is no longer
// in doubt (if this write fails, the next attempt merely looks first).
func (a *Activities) noteError(ctx context.Context, q *db.Queries, deliveryID uuid.UUID, rt route.Route, err error, settled bool) {
	if rerr := q.RecordDeliveryError(ctx, db.RecordDeliveryErrorParams{ID: deliveryID, Route: routeOf(string(rt)), LastError: publicError(err), Settled: settled}); rerr != nil {
		activity.GetLogger(ctx).Warn("recording delivery error", "error", rerr)
	}
}

// publicError is what the delivery log may show of an error: Zalo's code
// and message, or what kind of trouble it is. Our own errors can name
// hosts, users and SQL; those stay in the worker's log.
func publicError(err error) string {
	var zerr *zalo.Error
	var terr *zalo.TransportError
	var appErr *temporal.ApplicationError
	switch {
	case errors.As(err, &zerr):
		return fmt.Sprintf("zalo_%s: Zalo refused (%d): %s", zalo.Classify(err), zerr.Code, message.Clean(zerr.Message))
	case errors.As(err, &terr) && zalo.Classify(err) == zalo.ClassInDoubt:
		return "in_doubt: Zalo's answer was lost; the next attempt looks for the message before sending"
	case errors.As(err, &terr) && terr.Status != 0:
		return fmt.Sprintf("zalo_retryable: Zalo answered HTTP %d", terr.Status)
	case errors.As(err, &terr):
		return "zalo_retryable: Zalo did not answer"
	case errors.As(err, &appErr) && appErr.Type() == ErrTokenRefused:
		return ErrTokenRefused + ": the OA token was refused; waiting for a new one"
	case errors.As(err, &appErr) && appErr.Type() == ErrPaced:
		return ErrPaced + ": waiting for its turn in the OA's send rate"
	}
	return "internal: retrying (the worker's log has the details)"
}

// RecordInput is a delivery's final outcome.
type RecordInput struct {
	DeliveryID uuid.UUID
	Outcome    Outcome
}

// RecordDelivery stores a delivery's outcome and counts it. A delivery
// already recorded as sent is never changed, nor counted again.
func (a *Activities) RecordDelivery(ctx context.Context, in RecordInput) error {
	return a.finish(ctx, db.New(a.Pool), []RecordInput{in})
}

// finish records outcomes, in one statement, and counts those it changed
// (a delivery held for the night is not an outcome yet: its morning
// message's is).
func (a *Activities) finish(ctx context.Context, q *db.Queries, outcomes []RecordInput) error {
	if len(outcomes) == 0 {
		return nil
	}
	var p db.FinishDeliveriesParams
	byID := make(map[uuid.UUID]Outcome, len(outcomes))
	for _, o := range outcomes {
		var deferred time.Time
		if o.Outcome.DeferredUntil != nil {
			deferred = *o.Outcome.DeferredUntil
		}
		rt := routeOf(o.Outcome.Route)
		p.Ids = append(p.Ids, o.DeliveryID)
		p.Statuses = append(p.Statuses, o.Outcome.Status)
		p.MessageIds = append(p.MessageIds, o.Outcome.MessageID)
		p.LastErrors = append(p.LastErrors, o.Outcome.Reason)
		p.Routes = append(p.Routes, string(rt.DeliveryRoute))
		p.DeferredUntil = append(p.DeferredUntil, deferred)
		byID[o.DeliveryID] = o.Outcome
	}
	changed, err := q.FinishDeliveries(ctx, p)
	if err != nil {
		return fmt.Errorf("record deliveries: %w", err)
	}
	for _, c := range changed {
		if o := byID[c.ID]; o.Status != StatusDeferred {
			a.countOutcome(o.Status, o.Reason, c.ReceivedAt)
		}
	}
	return nil
}

// countOutcome counts a delivery's final outcome, once.
func (a *Activities) countOutcome(status, reason string, receivedAt time.Time) {
	reason, _, _ = strings.Cut(reason, ":") // the stable part, a bounded label
	a.Metrics.Messages.WithLabelValues(status, reason).Inc()
	if status == StatusSent {
		a.Metrics.IngestToSent.Observe(a.Now().Sub(receivedAt).Seconds())
	}
}

// routeOf is a route as the database stores it; "" or "none" is NULL
// (DeliveryRoute "").
func routeOf(rt string) db.NullDeliveryRoute {
	r := db.DeliveryRoute(rt)
	if !r.Valid() {
		return db.NullDeliveryRoute{}
	}
	return db.NullDeliveryRoute{DeliveryRoute: r, Valid: true}
}

func fromZalo(err error) bool {
	var zerr *zalo.Error
	var terr *zalo.TransportError
	return errors.As(err, &zerr) || errors.As(err, &terr)
}
