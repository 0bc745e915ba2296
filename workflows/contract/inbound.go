package contract

import "github.com/google/uuid"

// Zalo events the ZaloInbound workflow acts on.
const (
	EventFollow       = "follow"
	EventUnfollow     = "unfollow"
	EventUserSendText = "user_send_text"
)

// ZaloInboundWorkflowID is the id of an event's ZaloInbound: the id of its
// row in zalo_events, which (being unique on Zalo's msg_id, or the body's
// hash) alone decides whether an event is new.
func ZaloInboundWorkflowID(eventID uuid.UUID) string { return "zalo-event:" + eventID.String() }

// InboundEvent names the recorded event to handle. Only EventID is set
// now: the event is read from the database inside an activity, so what a
// user wrote (an invite code) never enters history. Runs started before
// carry the event's fields instead.
type InboundEvent struct {
	EventID uuid.UUID

	Kind      string // EventFollow, EventUnfollow or EventUserSendText
	OAUserID  string
	AppUserID string
	Text      string
	DedupKey  string // the event's identity, which keys what it did
}

// SyncFollowersID is the follower sync's id: one at a time.
const SyncFollowersID = "zalo-follower-sync"

// SyncResult counts the followers a sync recorded.
type SyncResult struct {
	Followers int
}
