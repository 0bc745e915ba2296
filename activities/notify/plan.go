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
	if res.Notices, err = a.endSilences(ctx, q, in.TransactionID); err != nil {
		return PlanResult{}, err
	}
	return res, nil
}

// endSilences ends the silences of the transaction's account that owners
// were told of, and returns the notices that tell them it is over.
func (a *Activities) endSilences(ctx context.Context, q *db.Queries, txn uuid.UUID) ([]contract.OwnerNotice, error) {
	resumed, err := q.EndSilences(ctx, txn)
	if err != nil {
		return nil, fmt.Errorf("end silences: %w", err)
	}
	var notices []contract.OwnerNotice
	for _, r := range resumed {
		notices = append(notices, contract.OwnerNotice{
			IntegrationID: r.IntegrationID, Kind: contract.NoticeResumed, About: r.AccountNumber, Key: txn.String(),
		})
	}
	return notices, nil
}
