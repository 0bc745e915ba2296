package notify

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/workflows/contract"
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
