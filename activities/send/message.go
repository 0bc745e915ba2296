package send

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/route"
)

// Message is one message for one person, ready to go by any route: the
// send path's own type, built once from whatever row it comes from.
type Message struct {
	// ID is the message's identity in its Ledger: a delivery, a morning
	// message, a notice, a reply. A message with no Ledger (a test call)
	// keeps no doubt: one whose answer is lost is sent again.
	ID     uuid.UUID
	Ledger Ledger
	// DoubtedSince, when set, is when an earlier attempt began whose
	// outcome is unknown (its answer was lost, or its worker died): Zalo
	// may have delivered it, and Send looks before it sends.
	DoubtedSince *time.Time

	To string // the recipient's OA-scoped id
	// Belief is what we believe of the recipient, which decides the routes
	// tried; ignored when Routes is set.
	Belief route.Recipient
	// Unsure: no webhook has told us when the recipient last interacted,
	// and Zalo was not asked today; Send asks (user/detail) first.
	Unsure bool
	// Routes, when set, are the only routes tried, in order (a reply goes by
	// chat, to someone who just wrote).
	Routes []route.Route

	Card message.Card
	// Text, when set, is what chat sends instead of the card's text.
	Text string
	// Template is the ZBS template form; nil: the message has none (or its
	// template is not fit to send), and no template route carries it.
	Template *Template
	// Phone is the recipient's, for the template by phone ("" none).
	Phone string
	// Answer: a reply to what someone wrote to the OA. Answers take at
	// most their share of the OA's send budget (Core.AnswerShare), so
	// alerts always find room; one that would wait for it longer than
	// answerPatience is skipped (Busy).
	Answer bool
}

// Template is a message's ZBS template form, and what it costs by each
// route.
type Template struct {
	ID   string
	Data map[string]string
	// ByUID: it may go by user id (approved after 2025-12-10).
	ByUID                bool
	PriceUID, PricePhone int64
}

// Chat is the text the message shows as chat (cs), and in the recipient's
// conversation.
func (m Message) Chat() string {
	if m.Text != "" {
		return m.Text
	}
	return m.Card.Text()
}

// Doubt is a message in doubt: its send began at Since, by Route ("" when
// the worker died before saying), and how it ended is unknown.
// Fingerprint is that of the text the recipient's conversation would show
// of it as chat.
type Doubt struct {
	ID          uuid.UUID
	Since       time.Time
	Route       route.Route
	Fingerprint string
}

// A Ledger keeps one kind of message's sends (deliveries, morning
// messages, notes): which are in doubt, and what is known of each. It is
// how the one settlement in doubt.go reads and records every kind.
type Ledger interface {
	// Doubts lists the recipient's messages left in doubt since before
	// before, oldest first.
	Doubts(ctx context.Context, recipient string, before time.Time) ([]Doubt, error)
	// SentAfter counts the messages recorded as sent to the recipient after
	// a time: Zalo lists them before any older one in the conversation.
	SentAfter(ctx context.Context, recipient string, after time.Time) (int, error)
	// Arrived records a doubt's message as sent: it was found in the
	// conversation with this id.
	Arrived(ctx context.Context, id uuid.UUID, messageID string) error
	// Note keeps the log honest while Temporal retries a send: what went
	// wrong, by which route; settled: the attempt is known not to have
	// delivered, so the message is no longer in doubt.
	Note(ctx context.Context, id uuid.UUID, rt route.Route, log string, settled bool) error
	// Redoubt starts the message's doubt afresh: the last send was found
	// never to have arrived (or could not be told), and a new one begins.
	Redoubt(ctx context.Context, id uuid.UUID) error
}
