package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/tingting-vn/tingting/workflows/contract"
)

// RedeliverMessage sends one delivery again, on the owner's request, the
// way NotifyTransaction sends each: the send re-checks who is still wanted,
// and a delivery sent meanwhile is not sent twice.
func RedeliverMessage(ctx workflow.Context, in contract.RedeliverInput) (contract.NotifyResult, error) {
	return tally(deliver(ctx, in.DeliveryID)), nil
}
