package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/db"
)

// RecordInput is a delivery's final outcome.
type RecordInput struct {
	DeliveryID uuid.UUID
	Outcome    send.Outcome
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
	byID := make(map[uuid.UUID]send.Outcome, len(outcomes))
	for _, o := range outcomes {
		var deferred time.Time
		if o.Outcome.DeferredUntil != nil {
			deferred = *o.Outcome.DeferredUntil
		}
		p.Ids = append(p.Ids, o.DeliveryID)
		p.Statuses = append(p.Statuses, string(o.Outcome.Status))
		p.MessageIds = append(p.MessageIds, o.Outcome.MessageID)
		p.LastErrors = append(p.LastErrors, o.Outcome.Log())
		p.Routes = append(p.Routes, string(send.RouteOf(o.Outcome.Route).DeliveryRoute))
		p.DeferredUntil = append(p.DeferredUntil, deferred)
		p.Costs = append(p.Costs, o.Outcome.CostVND)
		p.Silent = append(p.Silent, o.Outcome.Silent)
		p.MaybeDuplicate = append(p.MaybeDuplicate, o.Outcome.MaybeDuplicate)
		byID[o.DeliveryID] = o.Outcome
	}
	changed, err := q.FinishDeliveries(ctx, p)
	if err != nil {
		return fmt.Errorf("record deliveries: %w", err)
	}
	for _, c := range changed {
		if o := byID[c.ID]; o.Status != send.Deferred {
			a.count(o, c.ReceivedAt)
		}
	}
	return nil
}

// count counts an alert's final outcome, once.
func (a *Activities) count(o send.Outcome, receivedAt time.Time) {
	a.Metrics.Messages.WithLabelValues(string(o.Status), string(o.Reason)).Inc()
	if o.Status == send.Sent {
		a.Metrics.IngestToSent.Observe(a.Now().Sub(receivedAt).Seconds())
		a.Metrics.CostVND.WithLabelValues(o.Route).Add(float64(o.CostVND))
	}
}
