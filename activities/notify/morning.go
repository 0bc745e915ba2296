package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/workflows/contract"
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
// by template only, say), to be sent one by one.
type MorningPlan struct {
	Count   int
	Release []uuid.UUID
}

// PrepareMorning gathers the recipient's held alerts into one morning
// message and decides its text, once. Alerts no longer wanted (a member
// removed, an integration paused overnight) are skipped as a send would.
func (a *Activities) PrepareMorning(ctx context.Context, in MorningInput) (MorningPlan, error) {
	var plan MorningPlan
	digestID := uuid.NullUUID{UUID: in.DigestID, Valid: true}
	// Read before the transaction, not in it: a second connection asked for
	// while the transaction holds one waits for ever once every connection
	// is held so (many morning messages gathering at once). An error is
	// returned, never taken for "no route": that would release the night's
	// alerts one by one.
	who, err := a.Sender.Believe(ctx, in.Recipient)
	if err != nil {
		return MorningPlan{}, fmt.Errorf("what we believe of the recipient: %w", err)
	}
	err = db.InTx(ctx, a.Pool, func(q *db.Queries) error {
		if err := q.CreateDigest(ctx, db.CreateDigestParams{ID: in.DigestID, Recipient: in.Recipient, DueAt: in.DueAt}); err != nil {
			return err
		}
		if err := q.HoldForDigest(ctx, db.HoldForDigestParams{DigestID: digestID, Recipient: in.Recipient, DueAt: in.DueAt}); err != nil {
			return err
		}
		rows, err := q.DigestDeliveries(ctx, digestID)
		if err != nil {
			return err
		}
		var held []message.Held
		var skipped []RecordInput
		for _, r := range rows {
			switch {
			case r.IntegrationStatus == db.IntegrationStatusPaused:
				skipped = append(skipped, RecordInput{r.ID, send.Skip(send.IntegrationPaused, "")})
			case r.IntegrationStatus != db.IntegrationStatusActive:
				skipped = append(skipped, RecordInput{r.ID, send.Skip(send.IntegrationDeleted, "")})
			case !r.StillMember:
				skipped = append(skipped, RecordInput{r.ID, send.Skip(send.MemberRemoved, "")})
			case r.Muted:
				skipped = append(skipped, RecordInput{r.ID, send.Skip(send.Muted, "paused with /tamdung")})
			default:
				fields, _ := visible(r.Fields, r.HiddenFields)
				held = append(held, message.Held{Transaction: transactionOf(r.AlertTransaction), Fields: fields})
			}
		}
		if err := a.finish(ctx, q, skipped); err != nil || len(held) == 0 {
			return err
		}
		// Only chat carries a morning message (a template holds one
		// transaction, not a night's): without it, its alerts go one by one.
		if !slices.Contains(a.Sender.Routes.Routes(who, a.Now()), route.CS) {
			released, err := q.ReleaseDigest(ctx, digestID)
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

// SendMorning sends a morning message prepared by PrepareMorning, through
// the send core, and records it, with every alert in it, as sent under its
// message id. Should no route reach the recipient any more, its alerts are
// given back (Outcome.Release) to be sent one by one.
func (a *Activities) SendMorning(ctx context.Context, in MorningInput) (send.Outcome, error) {
	q := db.New(a.Pool)
	d, err := q.StartDigestAttempt(ctx, in.DigestID)
	if err != nil {
		return send.Outcome{}, fmt.Errorf("start the morning message: %w", err)
	}
	if d.Status != db.DeliveryStatusPending {
		return send.Outcome{Status: send.Status(d.Status), MessageID: d.ZaloMessageID, Recorded: true}, nil
	}
	var card message.Card
	if err := json.Unmarshal(d.Card, &card); err != nil {
		return send.Outcome{}, contract.FailUnreadable.Final("the morning message cannot be read: %v", err)
	}
	who, err := a.Sender.Believe(ctx, d.Recipient)
	if err != nil {
		return send.Outcome{}, fmt.Errorf("what we believe of the recipient: %w", err)
	}
	m := send.Message{ID: in.DigestID, Ledger: mornings{a}, To: d.Recipient, Belief: who, Card: card, Routes: []route.Route{route.CS}}
	if d.Doubted {
		m.DoubtedSince = d.InDoubtSince
	}
	out, err := a.Sender.Send(ctx, m)
	switch {
	case err != nil || out.Recorded:
		return out, err
	case out.Status == send.Deferred:
		// Zalo refuses it until then (-234, or today's quota).
		if err := q.RecordDigestError(ctx, db.RecordDigestErrorParams{ID: in.DigestID, LastError: out.Log(), Settled: true}); err != nil {
			return send.Outcome{}, err
		}
		wait := max(out.DeferredUntil.Sub(a.Now()), time.Second)
		return send.Outcome{}, contract.FailNightBlock.After(wait, "Zalo refuses it until %s", out.DeferredUntil.Format(time.RFC3339))
	case out.Status == send.Skipped:
		released, err := q.ReleaseDigest(ctx, uuid.NullUUID{UUID: in.DigestID, Valid: true})
		if err != nil {
			return send.Outcome{}, err
		}
		out.Release, out.Recorded = released, true
		return out, nil
	}
	return a.finishMorning(ctx, q, in.DigestID, out)
}

// RecordMorning records how a morning message ended when SendMorning
// could not (it failed for good).
func (a *Activities) RecordMorning(ctx context.Context, in MorningInput, out send.Outcome) error {
	_, err := a.finishMorning(ctx, db.New(a.Pool), in.DigestID, out)
	return err
}

// finishMorning records a morning message's outcome for it and for every
// alert it carries, and counts each alert's.
func (a *Activities) finishMorning(ctx context.Context, q *db.Queries, digestID uuid.UUID, out send.Outcome) (send.Outcome, error) {
	arrived, err := q.FinishDigest(ctx, db.FinishDigestParams{
		ID: digestID, Status: db.DeliveryStatus(out.Status), ZaloMessageID: out.MessageID, Route: send.RouteOf(out.Route), LastError: out.Log(),
	})
	if err != nil {
		return send.Outcome{}, fmt.Errorf("record the morning message: %w", err)
	}
	for _, at := range arrived {
		a.count(out, at)
	}
	out.Recorded = true
	return out, nil
}
