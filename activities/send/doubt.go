package send

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalo"
)

// How a send in doubt is settled, for every kind of message: its Ledger
// says which of the person's messages are in doubt and what each shows;
// the person's conversation with the OA says which arrived.

// clockSkew is how far Zalo's clock and ours may disagree (both kept by
// NTP).
const clockSkew = 5 * time.Second

// recordLag is how long before we record a message as sent Zalo may have
// stamped it: the client's timeout, plus the skew.
const recordLag = 10*time.Second + clockSkew

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

// settle decides a message whose earlier attempt's outcome is unknown:
// found says Zalo delivered it (recorded as sent in its ledger, with its
// id); an error means it cannot be told yet (too early, Zalo not
// answering, or another attempt is reading the same conversation), and the
// message waits rather than risk arriving twice; neither means it never
// arrived and is to be sent.
//
// One reading settles every doubt of the ledger about the same person: it
// reads their conversation (newest first) back to the oldest doubt and
// records each message it finds. A busy recipient may have been sent
// hundreds of messages since; the reading skips those the ledger recorded
// as sent since the doubts arose, less a margin.
func (c *Core) settle(ctx context.Context, m Message) (id string, found bool, err error) {
	if !c.Doubt.Check || m.Ledger == nil {
		c.Metrics.InDoubt.WithLabelValues("unchecked").Inc()
		return "", false, nil
	}
	if wait := m.DoubtedSince.Add(c.Doubt.Wait).Sub(c.Now()); wait > 0 {
		return "", false, contract.FailInDoubt.After(wait, "an earlier send may still be arriving; looking for it in %s", wait.Round(time.Second))
	}
	// One reader per person at a time, without a transaction held while
	// Zalo answers: a lease on the person, ended when done (or when it
	// runs out, should this worker die).
	q := db.New(c.Pool)
	ok, err := q.TakeDoubtReading(ctx, db.TakeDoubtReadingParams{Recipient: m.To, Seconds: readingLease.Seconds()})
	if err != nil {
		return "", false, err
	}
	if !ok {
		return "", false, contract.FailInDoubt.After(2*time.Second, "another attempt is looking through this person's conversation")
	}
	id, v, err := c.read(ctx, m)
	if rerr := q.EndDoubtReading(ctx, m.To); rerr != nil {
		activity.GetLogger(ctx).Warn("ending a conversation reading; its lease runs out", "error", rerr)
	}
	switch {
	case err != nil:
		return "", false, contract.FailInDoubt.After(c.Doubt.Wait, "cannot tell whether an earlier send arrived: %v", err)
	case v == arrived:
		return id, true, nil
	case v == later:
		return "", false, contract.FailInDoubt.After(2*time.Second, "older doubts about this person are settled first")
	}
	c.Metrics.InDoubt.WithLabelValues("resent").Inc()
	return "", false, nil
}

// verdict is what a reading decided about the message that asked.
type verdict int

const (
	absent  verdict = iota // read: the message is not there; send it
	arrived                // found: recorded as sent
	later                  // not among the doubts this reading settled
)

// errTooDeep: the reading could not reach back to the doubts in
// conversationPages; the next one skips more (what was recorded since).
var errTooDeep = errors.New("the conversation is too long to read back to the doubt yet")

// read reads a person's conversation and settles their oldest doubts in
// m's ledger: those whose messages could have arrived within Wait of the
// oldest (one band, so a reading stays about Wait long in messages, however
// long an outage was). Each message found is recorded as its doubt's; m's
// verdict is returned.
func (c *Core) read(ctx context.Context, m Message) (string, verdict, error) {
	doubts, err := m.Ledger.Doubts(ctx, m.To, c.Now().Add(-c.Doubt.Wait))
	if err != nil || len(doubts) == 0 {
		return "", later, err
	}
	from := doubts[0].Since
	band, inBand := doubts[:0], false
	byText := map[string][]Doubt{} // the doubts each text could settle, by fingerprint, oldest first
	for _, d := range doubts {
		if d.Since.After(from.Add(c.Doubt.Wait)) {
			break
		}
		band = append(band, d)
		inBand = inBand || d.ID == m.ID
		byText[d.Fingerprint] = append(byText[d.Fingerprint], d)
	}
	// The band's messages arrived by its newest doubt's start + Wait, so
	// what was recorded as sent well after that is newer than all of them.
	newer, err := m.Ledger.SentAfter(ctx, m.To, band[len(band)-1].Since.Add(c.Doubt.Wait+recordLag))
	if err != nil {
		return "", later, err
	}
	offset := max(0, newer-conversationMargin)
	var id string
	found, reached := false, false
	for range conversationPages {
		msgs, err := Call(ctx, c, "conversation", func(token string) ([]zalo.ConversationMessage, error) {
			return c.Zalo.Conversation(ctx, token, m.To, offset, zalo.MaxConversationCount)
		})
		if err != nil {
			return "", later, err
		}
		for _, msg := range msgs {
			fp := Fingerprint(msg.Text)
			cands := byText[fp]
			if msg.FromID == m.To || len(cands) == 0 || msg.Time.Before(cands[0].Since.Add(-clockSkew)) {
				continue
			}
			d := cands[0] // the oldest doubt with this text takes the message
			byText[fp] = cands[1:]
			if err := m.Ledger.Arrived(ctx, d.ID, msg.MessageID); err != nil {
				return "", later, err
			}
			c.Metrics.InDoubt.WithLabelValues("found").Inc()
			if d.ID == m.ID {
				id, found = msg.MessageID, true
			}
		}
		offset += len(msgs)
		if len(msgs) < zalo.MaxConversationCount || msgs[len(msgs)-1].Time.Before(from.Add(-clockSkew)) {
			reached = true // read back past the band
			break
		}
	}
	switch {
	case found:
		return id, arrived, nil
	case !inBand:
		return "", later, nil
	case !reached:
		return "", later, errTooDeep
	}
	return "", absent, nil
}
