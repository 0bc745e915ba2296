// Package contract is what callers of tingting's workflows may know: the
// task queue, workflow type names and ids, update and query names, their
// input and output types, the failures they raise (failure.go) and the
// search attributes. The API and the worker import it; it imports nothing
// of activities, workflows or db.
package contract

import (
	"time"

	"github.com/google/uuid"
	"github.com/tingting-vn/tingting/internal/vntime"
	"go.temporal.io/sdk/temporal"
)

// TaskQueue is the task queue of every workflow and of the activities that
// do not send a message.
const TaskQueue = "tingting"

// SendTaskQueue is where a message send waits when it runs as a regular
// activity: Temporal hands out its tasks at most at ZALO_SEND_RATE a
// second, across every worker.
const SendTaskQueue = "tingting-send"

// BacklogTaskQueue is where a backlog's transactions wait, each whole: one
// task sends a transaction's deliveries, a few at a time on each worker,
// in the gaps the fresh sends leave in the OA's send rate.
const BacklogTaskQueue = "tingting-backlog"

// Workflow type names, registered explicitly so that a rename of a Go
// function never breaks running workflows.
const (
	NotifyTransactionName = "NotifyTransaction"
	ZaloInboundName       = "ZaloInbound"
	SetupWizardName       = "SetupWizard"
	OATokenKeeperName     = "OATokenKeeper"
	SyncFollowersName     = "SyncZaloFollowers"
	RedeliverName         = "RedeliverMessage"
	MaintenanceName       = "Maintenance"
	MorningName           = "MorningMessage"
	OwnerNoticeName       = "OwnerNotice"
)

// Search attributes set on every NotifyTransaction, so an operator can find
// "every notification for account X" in the Temporal web UI. Temporal
// keeps them in plain text, so they are our own row ids only: they say
// which rows, never an account number, an amount or a name
// (docs/SECURITY.md).
var (
	WorkspaceIDKey   = temporal.NewSearchAttributeKeyKeyword("WorkspaceId")
	IntegrationIDKey = temporal.NewSearchAttributeKeyKeywordList("IntegrationId") // a transaction may match several
	BankAccountIDKey = temporal.NewSearchAttributeKeyKeyword("BankAccountId")
	TransactionIDKey = temporal.NewSearchAttributeKeyKeyword("TransactionId")
)

// SearchAttributes lists every search attribute with a placeholder value,
// for whoever registers them with a server (only names and types count).
func SearchAttributes() temporal.SearchAttributes {
	return temporal.NewSearchAttributes(
		WorkspaceIDKey.ValueSet(""),
		IntegrationIDKey.ValueSet(nil),
		BankAccountIDKey.ValueSet(""),
		TransactionIDKey.ValueSet(""),
	)
}

// MaxIndexedIntegrations bounds the IntegrationId list: Temporal refuses a
// start whose search attribute value passes 2 KB (about 50 ids), and a
// transaction may match hundreds of integrations. One that matches more
// is found by its first ones (by id), its workspace, account or id.
const MaxIndexedIntegrations = 40

// NotifySearchAttributes are a transaction's NotifyTransaction attributes.
func NotifySearchAttributes(workspace, bankAccount, transaction uuid.UUID, integrations []uuid.UUID) temporal.SearchAttributes {
	ids := make([]string, min(len(integrations), MaxIndexedIntegrations))
	for i := range ids {
		ids[i] = integrations[i].String()
	}
	return temporal.NewSearchAttributes(
		WorkspaceIDKey.ValueSet(workspace.String()),
		BankAccountIDKey.ValueSet(bankAccount.String()),
		TransactionIDKey.ValueSet(transaction.String()),
		IntegrationIDKey.ValueSet(ids),
	)
}

// TransactionWorkflowID is the id of a transaction's NotifyTransaction: the
// id of its row in the database, which alone decides what is new (a
// transaction delivered twice is one row). Started with REJECT_DUPLICATE,
// it makes a second start of the same row a no-op.
func TransactionWorkflowID(transactionID uuid.UUID) string { return "txn:" + transactionID.String() }

// RedeliverWorkflowID is the id of one request to send a delivery again.
func RedeliverWorkflowID(deliveryID, requestID uuid.UUID) string {
	return "redeliver:" + deliveryID.String() + ":" + requestID.String()
}

// MorningWorkflowID is the id of a recipient's morning message for the
// night that ends at at: every alert the night held for them goes in one.
// A second start while it runs is refused (it will gather that alert too);
// one after it ended starts it again for what came late. The recipient is
// named by our row id (zalo_followers.id), never by their Zalo user id:
// Temporal keeps workflow ids in plain text.
func MorningWorkflowID(recipientID uuid.UUID, at time.Time) string {
	return "morning:" + recipientID.String() + ":" + at.In(vntime.Zone).Format("2006-01-02T15:04")
}

// MorningInput is a recipient and the end of their night. RecipientID, our
// row id of the recipient, names the workflow (zero for a recipient held
// before row ids named it).
type MorningInput struct {
	Recipient   string
	RecipientID uuid.UUID `json:",omitzero"`
	At          time.Time
}

// RedeliverInput names a delivery the owner asked to send again.
type RedeliverInput struct {
	DeliveryID uuid.UUID
}

// Maintenance runs on a Temporal Schedule: it keeps the OA token keeper
// running, purges what is kept only for a while, sends the morning
// messages still held after their night, and starts the owner notices
// that fall due (silent accounts, daily summaries).
const MaintenanceScheduleID = "tingting-maintenance"

// MaintenanceInput is the retention the schedule was created with; zero
// durations keep everything.
type MaintenanceInput struct {
	WebhookBodies  time.Duration // raw Zalo and Casso bodies
	OAuthLogins    time.Duration // finished or abandoned logins
	InviteFailures time.Duration // the invite guard's log
	// ZaloEvents: how long a Zalo event's row is kept (it recognises a
	// redelivery): the webhook age limit, past which one is refused anyway.
	ZaloEvents time.Duration `json:",omitempty"`
}

// NotifyInput names the transaction to notify; everything else is read from
// the database by activities, so no message text or secret enters history.
type NotifyInput struct {
	TransactionID uuid.UUID
	// Backlog: started long after it was recorded (an outage, a burst)
	// while sends are paced, so its sends wait behind fresh ones.
	Backlog bool `json:",omitempty"`
	// OneStep: the notification plans and sends in one activity
	// (DeliverTransaction): local when fresh, on BacklogTaskQueue in a
	// backlog. Every start sets it; runs started before it existed replay
	// their plan and their sends apart.
	OneStep bool `json:",omitempty"`
	// Messages is how many messages the dispatcher expects it to send: a
	// backlog's one task weighs as many sends in the shops' fair shares.
	Messages int `json:",omitempty"`
}

// NotifyResult counts the outcomes of the transaction's deliveries.
type NotifyResult struct {
	Sent, Skipped, Failed int
	// Deferred: held for the recipients' morning message (the night).
	Deferred int `json:",omitempty"`
}

// Plus is r and o counted together.
func (r NotifyResult) Plus(o NotifyResult) NotifyResult {
	return NotifyResult{Sent: r.Sent + o.Sent, Skipped: r.Skipped + o.Skipped, Failed: r.Failed + o.Failed, Deferred: r.Deferred + o.Deferred}
}

// Add counts n deliveries that ended with status.
func (r *NotifyResult) Add(status string, n int) {
	switch status {
	case "sent":
		r.Sent += n
	case "skipped":
		r.Skipped += n
	case "deferred":
		r.Deferred += n
	default:
		r.Failed += n
	}
}

// Owner notices: what the OA tells an integration's owner of its own
// accord, each an OwnerNotice workflow.
const (
	NoticeMemberUnfollowed  = "member_unfollowed"
	NoticeMemberBlocked     = "member_blocked"
	NoticeMemberUnreachable = "member_unreachable"
	NoticeMemberLeft        = "member_left"
	NoticeSilence           = "silence"
	NoticeResumed           = "resumed"
	NoticeDailySummary      = "daily_summary"
	// NoticeQuota: today's quota of Zalo messages is spent; the alerts
	// wait for tomorrow's. Told once a day per integration.
	NoticeQuota = "quota"
	// NoticeTemplate: the integration's template became unfit to send
	// (rejected, disabled, low quality), or fit again; About is its name.
	NoticeTemplate = "template"
)

// OwnerNotice is one thing to tell an integration's owner: Kind, About
// whom (a member's name) or what (an account number), and for a silence
// since when and for how many hours. A daily summary waits until DueAt and
// sums the day up to it.
type OwnerNotice struct {
	IntegrationID uuid.UUID
	Kind          string
	About         string    `json:",omitempty"`
	Since         time.Time `json:",omitempty"`
	Hours         int       `json:",omitempty"`
	DueAt         time.Time `json:",omitempty"`
	// Template: the template a NoticeTemplate is about, and Fit whether it
	// can be sent now.
	Template string `json:",omitempty"`
	Fit      bool   `json:",omitempty"`
	// BankAccountID: the account a NoticeSilence is about, whose silence
	// the notice marks told once sent.
	BankAccountID uuid.UUID `json:",omitzero"`
	// Key makes the notice's workflow id: what it is about, once (the
	// event, the delivery, the day). Temporal keeps ids in plain text, so a
	// key is made of our row ids and times, never an account number.
	Key string
}

// NoticeWorkflowID is a notice's id: the same notice is told once.
func NoticeWorkflowID(n OwnerNotice) string {
	return "notice:" + n.IntegrationID.String() + ":" + n.Kind + ":" + n.Key
}
