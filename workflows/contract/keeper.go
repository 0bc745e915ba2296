package contract

import (
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// The OATokenKeeper: a singleton, the only refresher of the OA token.
const (
	OATokenKeeperID      = "zalo-oa-token"
	RefreshOATokenUpdate = "RefreshOAToken"
	// ReloadOATokenSignal tells the keeper a pair was stored from outside
	// (the OA connected again by an operator): it reads it.
	ReloadOATokenSignal = "ReloadOAToken"
)

// KeeperStartOptions start the keeper unless it runs already.
func KeeperStartOptions() client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       OATokenKeeperID,
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}
}

// KeeperInput configures the keeper; zero values take the defaults.
type KeeperInput struct {
	// Margin: refresh this long before the access token expires (default 1h
	// of Zalo's 25h).
	Margin time.Duration
	// RetryAfter: after a failed refresh, wait this long before trying again
	// on the keeper's own schedule (default 5m); sends may ask sooner.
	RetryAfter time.Duration
}

// OATokenState is what is known of the stored pair without opening it.
type OATokenState struct {
	Present   bool
	Version   int64
	ExpiresAt time.Time
}

// RefreshRequest is a send's report that the token of StaleVersion was
// refused by Zalo.
type RefreshRequest struct {
	StaleVersion int64
}

// RefreshResponse names the version now current.
type RefreshResponse struct {
	Version int64
}
