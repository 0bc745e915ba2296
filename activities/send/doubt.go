package send

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalo"
)

// How a send in doubt is settled, for every kind of message, from
// evidence: its Ledger says which of the person's messages are in doubt;
// a message by chat or by user id is looked for in the person's
// conversation with the OA, one by phone in Zalo's receipts of our
// tracking id. Where no evidence can be had within GiveUp, the message is
// sent again and marked a possible duplicate (docs/RELIABILITY.md).

// clockSkew is how far Zalo's clock and ours may disagree (both kept by
// NTP).
const clockSkew = 5 * time.Second

// sendTime bounds how long after its attempt began a message can have
// been stamped by Zalo: the longest wait for its slot of the OA's send
// budget (20 s, see pace), the client's timeout (10 s), the skew, and a
// margin for the sends of one batch that wait their turn.
const sendTime = 45 * time.Second

// conversationPages bounds how many pages (of 10) one reading reads, from
// where the ledger says the doubts begin: 3,000 messages, more than one
// person can be sent in a band's minute at Zalo's whole rate limit.
const conversationPages = 300

// conversationMargin is how many messages before that point the reading
// starts: the person's own messages, and other sends whose outcome is
// unknown, come between.
const conversationMargin = 10

// readingLease is how long a reader of a person's conversation holds it:
// longer than a reading of conversationPages takes.
const readingLease = 2 * time.Minute

// evidence is what was learned of a message in doubt.
type evidence struct {
	found     bool   // it arrived, with this id (recorded in its ledger)
	messageID string // Zalo's id of it, when found
	// unknown: no evidence could be had in time; it is sent again and may
	// arrive twice. Neither found nor unknown: it never arrived.
	unknown bool
}

// settle decides a message whose earlier attempt's outcome is unknown. An
// error means it cannot be told yet (too early, Zalo not answering,
// another attempt reading the same conversation), and the message waits
// rather than risk arriving twice, until GiveUp.
func (c *Core) settle(ctx context.Context, m Message) (evidence, error) {
	if !c.Doubt.Check || m.Ledger == nil {
		c.Metrics.InDoubt.WithLabelValues("unchecked").Inc()
		return evidence{unknown: true}, nil
	}
	since := *m.DoubtedSince
	if wait := since.Add(c.Doubt.Wait).Sub(c.Now()); wait > 0 {
		return evidence{}, contract.FailInDoubt.After(wait, "an earlier send may still be arriving; looking for it in %s", wait.Round(time.Second))
	}
	ev, err := c.look(ctx, m)
	switch {
	case errors.Is(err, errBusy) && c.Now().Before(since.Add(c.Doubt.GiveUp)):
		return evidence{}, contract.FailInDoubt.After(2*time.Second, "%v", err)
	case err == nil && ev.found:
		c.Metrics.InDoubt.WithLabelValues("found").Inc()
		return ev, nil
	case err == nil && !ev.unknown:
		c.Metrics.InDoubt.WithLabelValues("resent").Inc()
		return ev, nil
	case c.Now().Before(since.Add(c.Doubt.GiveUp)):
		why := "no evidence yet"
		if err != nil {
			why = err.Error()
		}
		return evidence{}, contract.FailInDoubt.After(c.Doubt.Wait, "cannot tell yet whether an earlier send arrived (%s)", why)
	}
	activity.GetLogger(ctx).Warn("no evidence of a send in doubt in time: sent again, maybe twice", "message", m.ID, "error", err)
	c.Metrics.InDoubt.WithLabelValues("maybe_duplicate").Inc()
	return evidence{unknown: true}, nil
}

// look gathers the evidence of m's doubt: a receipt for a send by phone
// (or one whose route is unknown: its worker died before saying), the
// conversation for the rest. A doubt by a route no evidence reaches (a
// template by user id, where Zalo's listing does not show templates) is
// unknown.
func (c *Core) look(ctx context.Context, m Message) (evidence, error) {
	doubts, err := m.Ledger.Doubts(ctx, m.To, c.Now().Add(-c.Doubt.Wait))
	if err != nil {
		return evidence{}, err
	}
	mine, ok := find(doubts, m)
	if !ok {
		return evidence{}, fmt.Errorf("%w: settled meanwhile by another attempt", errBusy)
	}
	if mine.Route == route.TemplatePhone || mine.Route == "" {
		r, err := db.New(c.Pool).PhoneReceipt(ctx, m.ID.String())
		switch {
		case err == nil:
			return evidence{found: true, messageID: r.MsgID}, m.Ledger.Arrived(ctx, m.ID, r.MsgID)
		case !errors.Is(err, db.ErrNotFound):
			return evidence{}, err
		case mine.Route == route.TemplatePhone:
			return evidence{unknown: true}, nil // no receipt (yet)
		}
	}
	if mine.Route == route.Template && !c.Doubt.TemplatesListed {
		return evidence{unknown: true}, nil
	}
	return c.readConversation(ctx, m)
}

func find(doubts []Doubt, m Message) (Doubt, bool) {
	for _, d := range doubts {
		if d.ID == m.ID {
			return d, true
		}
	}
	return Doubt{}, false
}

// readConversation settles the person's doubts of m's ledger from their
// conversation, one reader at a time, and returns m's evidence.
func (c *Core) readConversation(ctx context.Context, m Message) (evidence, error) {
	// One reader per person at a time, without a transaction held while
	// Zalo answers: a lease on the person, ended when done (or when it
	// runs out, should this worker die).
	q := db.New(c.Pool)
	ok, err := q.TakeDoubtReading(ctx, db.TakeDoubtReadingParams{Recipient: m.To, Seconds: readingLease.Seconds()})
	if err != nil {
		return evidence{}, err
	}
	if !ok {
		return evidence{}, fmt.Errorf("%w: another attempt is looking through this person's conversation", errBusy)
	}
	defer func() {
		if rerr := q.EndDoubtReading(context.WithoutCancel(ctx), m.To); rerr != nil {
			activity.GetLogger(ctx).Warn("ending a conversation reading; its lease runs out", "error", rerr)
		}
	}()
	// The doubts as they are now that no one else reads: a reading that
	// ended while this one waited for the lease may have settled some.
	doubts, err := m.Ledger.Doubts(ctx, m.To, c.Now().Add(-c.Doubt.Wait))
	if err != nil {
		return evidence{}, err
	}
	if _, ok := find(doubts, m); !ok {
		return evidence{}, fmt.Errorf("%w: settled meanwhile by another attempt", errBusy)
	}
	return c.read(ctx, m, doubts)
}

// errTooDeep: the reading could not reach back to the doubts in
// conversationPages; the next one skips more (what was recorded since).
var errTooDeep = errors.New("the conversation is too long to read back to the doubt yet")

// errBusy: the evidence is being gathered by another attempt, or older
// doubts about the person go first; m looks again in a moment.
var errBusy = errors.New("busy")

// read settles the oldest band of doubts: those whose messages could have
// arrived within Wait of the oldest (so a reading stays about Wait long in
// messages, however long an outage was). Those found are recorded as
// sent; those a reading back past the band did not find never arrived,
// and are told so, each sent again by its own attempt without a reading
// of its own: a person's doubts after an outage take one reading, not
// one each. A message of the conversation
// settles a doubt when it is the OA's, stamped within the doubt's send
// (from its start, less the skew, to sendTime after), of the same text (a
// chat) or a template (a template by user id; Zalo's listing of templates
// is unconfirmed, so only their kind and time can match), and not
// recorded already for any other message: one message never settles two.
func (c *Core) read(ctx context.Context, m Message, doubts []Doubt) (evidence, error) {
	from := doubts[0].Since
	var band []Doubt
	inBand := false
	for _, d := range doubts {
		if d.Since.After(from.Add(c.Doubt.Wait)) {
			break
		}
		if d.Route == route.TemplatePhone || d.Route == route.Template && !c.Doubt.TemplatesListed {
			continue // no conversation shows them
		}
		band = append(band, d)
		inBand = inBand || d.ID == m.ID
	}
	if !inBand {
		return evidence{}, fmt.Errorf("%w: older doubts about this person are settled first", errBusy)
	}
	// The band's messages were stamped by its newest doubt's start plus
	// sendTime, so what was recorded as sent well after that is newer than
	// all of them.
	newer, err := m.Ledger.SentAfter(ctx, m.To, band[len(band)-1].Since.Add(sendTime+c.Doubt.Wait))
	if err != nil {
		return evidence{}, err
	}
	offset := max(0, newer-conversationMargin)
	open := band // the doubts still unsettled, oldest first
	var mine evidence
	reached := false
	for range conversationPages {
		msgs, err := Call(ctx, c, "conversation", func(token string) ([]zalo.ConversationMessage, error) {
			return c.Zalo.Conversation(ctx, token, m.To, offset, zalo.MaxConversationCount)
		})
		if err != nil {
			return evidence{}, err
		}
		known, err := c.known(ctx, msgs)
		if err != nil {
			return evidence{}, err
		}
		for _, msg := range msgs {
			if msg.FromID == m.To || known[msg.MessageID] {
				continue
			}
			i := match(open, msg)
			if i < 0 {
				continue
			}
			d := open[i]
			open = append(open[:i:i], open[i+1:]...)
			if err := m.Ledger.Arrived(ctx, d.ID, msg.MessageID); err != nil {
				return evidence{}, err
			}
			known[msg.MessageID] = true
			if d.ID == m.ID {
				mine = evidence{found: true, messageID: msg.MessageID}
			}
		}
		offset += len(msgs)
		if len(msgs) < zalo.MaxConversationCount || msgs[len(msgs)-1].Time.Before(from.Add(-clockSkew)) {
			reached = true // read back past the band
			break
		}
	}
	if !mine.found && !reached {
		return evidence{}, errTooDeep
	}
	if reached {
		c.neverArrived(ctx, m.Ledger, open, m.ID)
	}
	return mine, nil
}

// neverArrived settles the doubts a reading did not find, but m's own
// (its attempt sends again at once): their next attempts send without
// looking. Only a doubt older than sendTime: a younger one may be the
// send of an attempt still running.
func (c *Core) neverArrived(ctx context.Context, l Ledger, open []Doubt, mine uuid.UUID) {
	settled := c.Now().Add(-sendTime)
	for _, d := range open {
		if d.ID == mine || !d.Since.Before(settled) {
			continue
		}
		if err := l.Note(ctx, d.ID, d.Route, string(contract.FailInDoubt)+": "+notInConversation, true); err != nil {
			activity.GetLogger(ctx).Warn("settling a doubt the conversation answered; its own attempt reads again", "error", err)
			return
		}
	}
}

// notInConversation is the log's note of a doubt settled as never arrived.
const notInConversation = "not found in the recipient's conversation: it never arrived, and is sent again"

// match is the oldest open doubt msg can settle, or -1.
func match(open []Doubt, msg zalo.ConversationMessage) int {
	fp := Fingerprint(msg.Text)
	for i, d := range open {
		within := !msg.Time.Before(d.Since.Add(-clockSkew)) && !msg.Time.After(d.Since.Add(sendTime))
		chat := msg.Type == "" || msg.Type == "text"
		switch {
		case !within:
		case chat && d.Route != route.Template && d.Fingerprint == fp:
			return i
		case !chat && (d.Route == route.Template || d.Route == ""):
			return i
		}
	}
	return -1
}

// known says which of the messages a ledger has recorded already.
func (c *Core) known(ctx context.Context, msgs []zalo.ConversationMessage) (map[string]bool, error) {
	ids := make([]string, 0, len(msgs))
	for _, m := range msgs {
		if m.MessageID != "" {
			ids = append(ids, m.MessageID)
		}
	}
	found, err := db.New(c.Pool).KnownMessageIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	known := make(map[string]bool, len(found))
	for _, id := range found {
		known[id] = true
	}
	return known, nil
}
