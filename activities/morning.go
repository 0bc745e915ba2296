package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/zalo"
)

// MorningInput names a recipient's morning message: every alert held for
// them until DueAt. DigestID comes from the workflow run that sends it, so
// a retried activity finds the same message.
type MorningInput struct {
	DigestID  uuid.UUID
	Recipient string
	DueAt     time.Time
}

// MorningPlan is what the morning brings: a message holding Count alerts,
// and alerts no morning message can carry now (the recipient is reached
// by ZNS only, say), to be sent one by one.
type MorningPlan struct {
	Count   int
	Release []uuid.UUID
}

// PrepareMorning gathers the recipient's held alerts into one morning
// message and decides its text, once. Alerts no longer wanted (a member
// removed, an integration paused overnight) are skipped as a send would.
func (a *Activities) PrepareMorning(ctx context.Context, in MorningInput) (MorningPlan, error) {
	var plan MorningPlan
	err := db.InTx(ctx, a.Pool, func(q *db.Queries) error {
		if err := q.CreateDigest(ctx, db.CreateDigestParams{ID: in.DigestID, Recipient: in.Recipient, DueAt: in.DueAt}); err != nil {
			return err
		}
		if err := q.HoldForDigest(ctx, db.HoldForDigestParams{DigestID: uuid.NullUUID{UUID: in.DigestID, Valid: true}, Recipient: in.Recipient, DueAt: in.DueAt}); err != nil {
			return err
		}
		rows, err := q.DigestDeliveries(ctx, uuid.NullUUID{UUID: in.DigestID, Valid: true})
		if err != nil {
			return err
		}
		var held []message.Held
		for _, r := range rows {
			reason := ""
			switch {
			case r.IntegrationStatus != db.IntegrationStatusActive:
				reason = "integration_" + string(r.IntegrationStatus)
			case !r.StillMember:
				reason = "member_removed"
			case r.Muted:
				reason = "muted: paused with /tamdung"
			}
			if reason != "" {
				if err := a.finish(ctx, q, []RecordInput{{DeliveryID: r.ID, Outcome: Outcome{Status: StatusSkipped, Reason: reason}}}); err != nil {
					return err
				}
				continue
			}
			fields, _ := message.ParseFields(r.Fields)
			held = append(held, message.Held{Transaction: heldTransaction(r), Fields: message.Visible(fields, r.HiddenFields)})
		}
		if len(held) == 0 {
			return nil
		}
		routes, err := a.morningRoutes(ctx, q, in.Recipient)
		if err != nil {
			return err
		}
		if len(routes) == 0 {
			released, err := q.ReleaseDigest(ctx, uuid.NullUUID{UUID: in.DigestID, Valid: true})
			plan.Release = released
			return err
		}
		card, err := json.Marshal(message.Morning(held))
		if err != nil {
			return err
		}
		plan.Count = len(held)
		return q.SetDigestCard(ctx, db.SetDigestCardParams{ID: in.DigestID, Card: card})
	})
	if err != nil {
		return MorningPlan{}, fmt.Errorf("prepare the morning message: %w", err)
	}
	return plan, nil
}

func heldTransaction(r db.DigestDeliveriesRow) message.Transaction {
	return message.Transaction{
		Amount: r.Amount, Description: r.Description, BalanceAfter: r.BalanceAfter, OccurredAt: r.OccurredAt,
		BankName: r.BankName, AccountNumber: r.AccountNumber, AccountName: r.AccountName, Reference: r.Reference,
		CounterAccountName: r.CounterAccountName, CounterAccountNumber: r.CounterAccountNumber, CounterBankName: r.CounterBankName,
	}
}

// morningRoutes are the routes that can carry a morning message to the
// recipient now: chat or a transaction message; a ZNS template holds one
// transaction, not a night's. An error is returned, never taken for "no
// route": that would release the night's alerts one by one.
func (a *Activities) morningRoutes(ctx context.Context, q *db.Queries, recipient string) ([]route.Route, error) {
	who, err := a.believe(ctx, q, recipient)
	if err != nil {
		return nil, err
	}
	var out []route.Route
	for _, rt := range a.Reach.Policy.Routes(who, a.Now()) {
		if rt == route.CS || rt == route.Transaction {
			out = append(out, rt)
		}
	}
	return out, nil
}

// SendMorning sends a morning message prepared by PrepareMorning and
// records it, with every alert in it, as sent under its message id. Like
// SendZaloMessage it writes ahead that the send is in doubt, and a later
// attempt looks for the message in the conversation before it sends again.
// Should no route reach the recipient any more, its alerts are given back
// (Outcome.Release) to be sent one by one.
func (a *Activities) SendMorning(ctx context.Context, in MorningInput) (Outcome, error) {
	q := db.New(a.Pool)
	digestID := uuid.NullUUID{UUID: in.DigestID, Valid: true}
	d, err := q.StartDigestAttempt(ctx, in.DigestID)
	if err != nil {
		return Outcome{}, fmt.Errorf("start the morning message: %w", err)
	}
	if d.Status != db.DeliveryStatusPending {
		return Outcome{Status: string(d.Status), MessageID: d.ZaloMessageID, Recorded: true}, nil
	}
	var card message.Card
	if err := json.Unmarshal(d.Card, &card); err != nil {
		return Outcome{}, temporal.NewNonRetryableApplicationError("the morning message cannot be read", "bad_digest", err)
	}
	if d.Doubted {
		id, found, err := a.findSent(ctx, d.Recipient, card.Text(), *d.InDoubtSince)
		if err != nil {
			return Outcome{}, inDoubt(a.InDoubt.Wait, "cannot tell whether the morning message arrived: %v", err)
		}
		if found {
			return a.finishMorning(ctx, q, in.DigestID, Outcome{Status: StatusSent, MessageID: id, Route: string(d.Route.DeliveryRoute)})
		}
	}
	routes, err := a.morningRoutes(ctx, q, d.Recipient)
	if err != nil {
		return Outcome{}, fmt.Errorf("the recipient's routes: %w", err)
	}
	res, err := a.reach(ctx, q, routes, letter{To: d.Recipient, Card: card})
	switch {
	case err != nil:
		return a.morningFailed(ctx, q, in.DigestID, err)
	case !res.Until.IsZero():
		// Zalo's night is not over yet by its clock.
		if err := q.RecordDigestError(ctx, db.RecordDigestErrorParams{ID: in.DigestID, LastError: "night: Zalo holds transaction messages", Settled: true}); err != nil {
			return Outcome{}, err
		}
		wait := res.Until.Sub(a.Now())
		return Outcome{}, temporal.NewApplicationErrorWithOptions("Zalo's night is not over", "zalo_night_block",
			temporal.ApplicationErrorOptions{NextRetryDelay: max(wait, time.Second)})
	case res.Route == route.None:
		released, err := q.ReleaseDigest(ctx, digestID)
		if err != nil {
			return Outcome{}, err
		}
		return Outcome{Status: StatusSkipped, Reason: refusedReason(res), Recorded: true, Release: released}, nil
	}
	return a.finishMorning(ctx, q, in.DigestID, Outcome{Status: StatusSent, MessageID: res.Sent.MessageID, Route: string(res.Route), Reason: res.why()})
}

// RecordMorning records how a morning message ended when SendMorning
// could not (it failed for good).
func (a *Activities) RecordMorning(ctx context.Context, in MorningInput, out Outcome) error {
	_, err := a.finishMorning(ctx, db.New(a.Pool), in.DigestID, out)
	return err
}

func (a *Activities) finishMorning(ctx context.Context, q *db.Queries, digestID uuid.UUID, out Outcome) (Outcome, error) {
	rt := routeOf(out.Route)
	if !rt.Valid {
		rt.DeliveryRoute = db.DeliveryRouteCs // a failure before any route was tried
	}
	arrived, err := q.FinishDigest(ctx, db.FinishDigestParams{
		ID: digestID, Status: db.DeliveryStatus(out.Status), ZaloMessageID: out.MessageID, Route: rt.DeliveryRoute, LastError: out.Reason,
	})
	if err != nil {
		return Outcome{}, fmt.Errorf("record the morning message: %w", err)
	}
	for _, at := range arrived {
		a.countOutcome(out.Status, out.Reason, at)
	}
	out.Recorded = true
	return out, nil
}

// morningFailed sorts an error sending a morning message as sendFailed
// sorts a delivery's.
func (a *Activities) morningFailed(ctx context.Context, q *db.Queries, digestID uuid.UUID, err error) (Outcome, error) {
	class := zalo.ClassRetryable
	if fromZalo(err) {
		class = zalo.Classify(err)
	}
	note := func(settled bool) {
		if rerr := q.RecordDigestError(ctx, db.RecordDigestErrorParams{ID: digestID, LastError: publicError(err), Settled: settled}); rerr != nil {
			activity.GetLogger(ctx).Warn("recording a morning message's error", "error", rerr)
		}
	}
	var appErr *temporal.ApplicationError
	switch {
	case errors.As(err, &appErr):
		note(true)
		return Outcome{}, err
	case class == zalo.ClassInDoubt:
		note(false)
		return Outcome{}, inDoubt(a.InDoubt.Wait, "the answer to a morning message was lost; looking for it in %s", a.InDoubt.Wait)
	case class == zalo.ClassRateLimited:
		note(true)
		return Outcome{}, temporal.NewApplicationErrorWithOptions(err.Error(), "zalo_"+class.String(),
			temporal.ApplicationErrorOptions{NextRetryDelay: rateLimitPause})
	case class.Retryable():
		note(true)
		return Outcome{}, temporal.NewApplicationError(err.Error(), "zalo_"+class.String())
	}
	return a.finishMorning(ctx, q, digestID, Outcome{Status: StatusFailed, Reason: publicError(err)})
}

// findSent looks through a person's conversation, newest first, back to
// since, for a message of ours with this text.
func (a *Activities) findSent(ctx context.Context, recipient, text string, since time.Time) (string, bool, error) {
	if !a.InDoubt.Check {
		return "", false, nil
	}
	if wait := since.Add(a.InDoubt.Wait).Sub(a.Now()); wait > 0 {
		return "", false, fmt.Errorf("an earlier send may still be arriving; looking in %s", wait.Round(time.Second))
	}
	offset := 0
	for range conversationPages {
		msgs, err := callZalo(ctx, a, "conversation", func(token string) ([]zalo.ConversationMessage, error) {
			return a.Zalo.Conversation(ctx, token, recipient, offset, zalo.MaxConversationCount)
		})
		if err != nil {
			return "", false, err
		}
		for _, m := range msgs {
			if m.FromID != recipient && m.Text == text && !m.Time.Before(since.Add(-clockSkew)) {
				return m.MessageID, true, nil
			}
		}
		offset += len(msgs)
		if len(msgs) < zalo.MaxConversationCount || msgs[len(msgs)-1].Time.Before(since.Add(-clockSkew)) {
			return "", false, nil
		}
	}
	return "", false, errTooDeep
}
