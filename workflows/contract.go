// Package workflows holds tingting's Temporal workflows and their contract:
// the task queue, workflow ids and names that the API and worker share.
package workflows

import (
	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
)

// TaskQueue is the one task queue tingting's workers poll.
const TaskQueue = "tingting"

// Workflow type names, registered explicitly so that a rename of a Go
// function never breaks running workflows.
const (
	NotifyTransactionName = "NotifyTransaction"
)

// TransactionWorkflowID is a transaction's identity as Temporal sees it.
// Started with REJECT_DUPLICATE, it makes a re-delivered transaction a
// no-op rather than a second round of messages.
func TransactionWorkflowID(workspaceID, bankAccountID uuid.UUID, externalID string) string {
	return "txn:" + workspaceID.String() + ":" + bankAccountID.String() + ":" + externalID
}

// Search attributes set on every NotifyTransaction, so an operator can find
// "every notification for account X" in the Temporal web UI.
var (
	WorkspaceIDKey   = temporal.NewSearchAttributeKeyKeyword("WorkspaceId")
	IntegrationIDKey = temporal.NewSearchAttributeKeyKeywordList("IntegrationId") // a transaction may match several
	BankAccountKey   = temporal.NewSearchAttributeKeyKeyword("BankAccount")
	AmountVNDKey     = temporal.NewSearchAttributeKeyInt64("AmountVnd")
)
