package send

import (
	"errors"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"

	"github.com/tingting-vn/tingting/workflows/contract"
)

// Status is how a message ended, as deliveries.status stores it.
type Status string

const (
	Sent    Status = "sent"
	Skipped Status = "skipped" // no one to send it to, or no way to reach them
	Failed  Status = "failed"  // Zalo refused it for good, or retries ran out
	// Deferred: held until the night ends (an alert joins the recipient's
	// morning message; a notice waits).
	Deferred Status = "deferred"
)

// Reason is why a message was skipped or failed: a stable name the
// delivery log, the metrics and the web UI key on. Its words are in
// Outcome.Detail.
type Reason string

// Why a message was skipped: the recipient is not wanted any more…
const (
	MemberRemoved      Reason = "member_removed"
	IntegrationPaused  Reason = "integration_paused"
	IntegrationDeleted Reason = "integration_deleted"
	IntegrationGone    Reason = "integration_gone"
	Muted              Reason = "muted" // the recipient paused their alerts (/tamdung)
	OwnerNotFollowing  Reason = "owner_not_following"
	// Busy: an answer to a command whose share of the send budget was
	// taken for longer than an answer is worth.
	Busy Reason = "busy"
)

// …or Zalo will not let the OA reach them: the troubles an owner is told
// of (see notify's notices).
const (
	NotFollowing  Reason = "not_following"
	Blocked       Reason = "blocked"
	NoInteraction Reason = "no_interaction" // chat refused: no interaction within 7 days
	Unreachable   Reason = "unreachable"    // no route may carry it
)

// Why a message waits: Zalo's quota for today is spent (the OA's, the
// template's or the recipient's), and it goes when the next window opens;
// or the recipient's quiet hours, and it goes with the others of those
// hours in one message when they end.
const (
	Quota      Reason = "quota"
	QuietHours Reason = "quiet_hours"
)

// Why a message failed.
const (
	ZaloPermanent Reason = "zalo_permanent" // Zalo refused it for good
	GaveUp        Reason = "gave_up"        // retries ran out
	// Internal: our own trouble; its details stay in the worker's log, since
	// they can name hosts and SQL.
	Internal Reason = "internal"
)

// Outcome is how a message ended, or that it waits for the morning. It is
// in workflow history once per message, so every field but Status is left
// out of its JSON when empty.
type Outcome struct {
	Status    Status
	MessageID string `json:",omitempty"` // Zalo's message id when sent
	Reason    Reason `json:",omitempty"` // why it was skipped or failed
	// Detail is the words for the log: what Zalo said, or the routes Zalo
	// refused on the way to the one that carried it.
	Detail   string `json:",omitempty"`
	ZaloCode int    `json:",omitempty"` // Zalo's code for the refusal that decided it
	Recorded bool   `json:",omitempty"` // stored already; false leaves it to the caller
	Route    string `json:",omitempty"` // the route that carried it, or that the night closed
	// Deferred: the recipient (and our row id of them, which names their
	// morning message) and when the night ends, for their morning message.
	Recipient     string     `json:",omitempty"`
	RecipientID   uuid.UUID  `json:",omitzero"`
	DeferredUntil *time.Time `json:",omitempty"`
	// Release: the alerts of a morning message no route carries, given
	// back to be sent one by one.
	Release []uuid.UUID `json:",omitempty"`
	// Notice: the owner is to be told that this member cannot be reached.
	Notice *contract.OwnerNotice `json:",omitempty"`
	// CostVND is what Zalo charges for it; Silent: it arrived without its
	// push sound (a template at night); MaybeDuplicate: an earlier send
	// whose answer was lost may have arrived too (no evidence either way
	// came in time).
	CostVND        int64 `json:",omitempty"`
	Silent         bool  `json:",omitempty"`
	MaybeDuplicate bool  `json:",omitempty"`
}

// Log is the outcome as the delivery log shows it (last_error): the
// reason, then its words.
func (o Outcome) Log() string {
	switch {
	case o.Reason == "":
		return o.Detail
	case o.Detail == "":
		return string(o.Reason)
	}
	return string(o.Reason) + ": " + o.Detail
}

// Skip is a message skipped for reason.
func Skip(reason Reason, detail string) Outcome {
	return Outcome{Status: Skipped, Reason: reason, Detail: detail}
}

// FailedBy is the outcome of a send that failed with err once Temporal
// stopped retrying it: Zalo's refusal in Zalo's words, retries that ran
// out (with the last refusal's words), or our own trouble, whose words
// stay out of the log (ok false: the caller logs err). Pure: workflows
// call it.
func FailedBy(err error) (out Outcome, ok bool) {
	f, msg := contract.FailureOf(err)
	var timeout *temporal.TimeoutError
	switch {
	case errors.As(err, &timeout):
		detail := "retries ran out"
		if f.Zalo() {
			detail += "; the last: " + msg
		}
		return Outcome{Status: Failed, Reason: GaveUp, Detail: detail}, true
	case f == contract.FailZaloPermanent:
		return Outcome{Status: Failed, Reason: ZaloPermanent, Detail: msg}, true
	}
	return InternalFailure, false
}

// InternalFailure is a send that failed on our side.
var InternalFailure = Outcome{Status: Failed, Reason: Internal, Detail: "failed (the worker's log has the details)"}
