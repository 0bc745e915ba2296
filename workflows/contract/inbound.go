package contract

// Zalo events the ZaloInbound workflow acts on.
const (
	EventFollow       = "follow"
	EventUnfollow     = "unfollow"
	EventUserSendText = "user_send_text"
)

// ZaloInboundWorkflowID is an event's identity: Zalo's msg_id, or a hash of
// the event, so a redelivered event is processed once.
func ZaloInboundWorkflowID(dedupKey string) string { return "zalo-event:" + dedupKey }

// InboundEvent is the part of a Zalo webhook event the workflow acts on.
type InboundEvent struct {
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
