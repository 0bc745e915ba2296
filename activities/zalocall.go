package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/google/uuid"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/route"
	"github.com/tingting-vn/tingting/zalo"
)

// ErrTokenRefused is the error type of a local activity whose OA token Zalo
// refused: it does not wait for the keeper inside the workflow task, but
// ends at once so the regular activity can.
const ErrTokenRefused = "oa_token_refused"

// ErrInDoubt is the error type of a send whose answer was lost: Zalo may
// have delivered it. It is retried after InDoubt.Wait, and that attempt
// looks in the recipient's conversation before sending again.
const ErrInDoubt = "zalo_in_doubt"

// InDoubt is how sends whose answer was lost are settled.
type InDoubt struct {
	// Check: look in the recipient's conversation before sending again.
	// Off, such a send is simply sent again (and may arrive twice).
	Check bool
	// Wait: how long after the lost answer to look, so that a message Zalo
	// was still delivering has arrived.
	Wait time.Duration
}

// clockSkew is how far Zalo's clock and ours may disagree (both kept by
// NTP).
const clockSkew = 5 * time.Second

// recordLag is how long before we record a message as sent Zalo may have
// stamped it: the client's timeout, plus the skew.
const recordLag = 10*time.Second + clockSkew

// conversationPages bounds how many pages (of 10) one reading reads, from
// where the database says the doubts begin: 3,000 messages, more than one
// person can be sent in a band's minute at Zalo's whole rate limit.
const conversationPages = 300

// conversationMargin is how many messages before that point the reading
// starts: the person's own messages, and other sends whose outcome is
// unknown, come between.
const conversationMargin = 10

// sendText sends a customer-service text with the current OA token.
func (a *Activities) sendText(ctx context.Context, recipient, text string) (zalo.SendResult, error) {
	return callZalo(ctx, a, "cs", func(token string) (zalo.SendResult, error) {
		return a.Zalo.SendText(ctx, token, recipient, text)
	})
}

// settleInDoubt decides a delivery whose earlier attempt's outcome is
// unknown (d.InDoubtSince on): found says Zalo delivered it, with its id;
// an error means it cannot be told yet (too early, Zalo not answering, or
// another attempt is reading the same conversation), and the delivery
// waits rather than risk sending twice; neither means it never arrived and
// is to be sent.
//
// It settles every doubt about the same person at once: it reads their
// conversation with the OA (newest first) back to the oldest doubt, and
// records each message it finds as its delivery's. A busy recipient may
// have been sent hundreds of messages since; the reading skips those the
// database has recorded as sent since the doubts arose, less a margin.
func (a *Activities) settleInDoubt(ctx context.Context, q *db.Queries, d db.StartDeliveryAttemptsRow) (id string, found bool, err error) {
	if !a.InDoubt.Check {
		a.Metrics.InDoubt.WithLabelValues("unchecked").Inc()
		return "", false, nil
	}
	since := *d.InDoubtSince
	if wait := since.Add(a.InDoubt.Wait).Sub(a.Now()); wait > 0 {
		return "", false, inDoubt(wait, "an earlier send may still be arriving; looking for it in %s", wait.Round(time.Second))
	}
	// One reader per person at a time, without a transaction held while
	// Zalo answers: a lease on the person, ended when done (or when it
	// runs out, should this worker die).
	ok, err := q.TakeDoubtReading(ctx, db.TakeDoubtReadingParams{Recipient: d.Recipient, Seconds: readingLease.Seconds()})
	if err != nil {
		return "", false, err
	}
	if !ok {
		return "", false, inDoubt(2*time.Second, "another attempt is looking through %s's conversation", d.Recipient)
	}
	id, v, err := a.settleRecipient(ctx, q, d.Recipient, d.ID)
	if rerr := q.EndDoubtReading(ctx, d.Recipient); rerr != nil {
		activity.GetLogger(ctx).Warn("ending a conversation reading; its lease runs out", "error", rerr)
	}
	switch {
	case err != nil:
		return "", false, inDoubt(a.InDoubt.Wait, "cannot tell whether an earlier send arrived: %v", err)
	case v == arrived:
		return id, true, nil
	case v == later:
		return "", false, inDoubt(2*time.Second, "older doubts about %s are settled first", d.Recipient)
	}
	a.Metrics.InDoubt.WithLabelValues("resent").Inc()
	return "", false, nil
}

// readingLease is how long a reader of a person's conversation holds it:
// longer than a reading of conversationPages takes.
const readingLease = 2 * time.Minute

// verdict is what a reading decided about the delivery that asked.
type verdict int

const (
	absent  verdict = iota // read: the message is not there; send it
	arrived                // found: recorded as sent
	later                  // not among the doubts this reading settled
)

// errTooDeep: the reading could not reach back to the doubts in
// conversationPages; the next one skips more (what was recorded since).
var errTooDeep = errors.New("the conversation is too long to read back to the doubt yet")

// settleRecipient reads a person's conversation and settles their oldest
// doubts: those whose messages could have arrived within Wait of the
// oldest (one band, so a reading stays about Wait long in messages, however
// long an outage was). Each message found is recorded as its delivery's;
// want's verdict is returned.
func (a *Activities) settleRecipient(ctx context.Context, q *db.Queries, recipient string, want uuid.UUID) (string, verdict, error) {
	doubts, err := q.InDoubtToward(ctx, db.InDoubtTowardParams{Recipient: recipient, Before: a.Now().Add(-a.InDoubt.Wait)})
	if err != nil || len(doubts) == 0 {
		return "", later, err
	}
	from := *doubts[0].InDoubtSince
	band, inBand := doubts[:0], false
	texts := map[string][]db.InDoubtTowardRow{} // by the text each would show
	for _, d := range doubts {
		if d.InDoubtSince.After(from.Add(a.InDoubt.Wait)) {
			break
		}
		band = append(band, d)
		inBand = inBand || d.ID == want
		if txn, fields, err := transactionOf(db.StartDeliveryAttemptsRow(d)); err == nil {
			text := message.Render(txn, fields)
			texts[text] = append(texts[text], d)
		}
	}
	// The band's messages arrived by its newest doubt's start + Wait, so
	// what was recorded as sent well after that is newer than all of them.
	newer, err := q.CountSentAfter(ctx, db.CountSentAfterParams{
		Recipient: recipient, After: band[len(band)-1].InDoubtSince.Add(a.InDoubt.Wait + recordLag),
	})
	if err != nil {
		return "", later, err
	}
	offset := max(0, int(newer)-conversationMargin)
	var id string
	found, reached := false, false
	for range conversationPages {
		msgs, err := callZalo(ctx, a, "conversation", func(token string) ([]zalo.ConversationMessage, error) {
			return a.Zalo.Conversation(ctx, token, recipient, offset, zalo.MaxConversationCount)
		})
		if err != nil {
			return "", later, err
		}
		for _, m := range msgs {
			cands := texts[m.Text]
			if m.FromID == recipient || len(cands) == 0 || m.Time.Before(cands[0].InDoubtSince.Add(-clockSkew)) {
				continue
			}
			d := cands[0] // the oldest doubt with this text takes the message
			texts[m.Text] = cands[1:]
			if err := a.finish(ctx, q, []RecordInput{{DeliveryID: d.ID, Outcome: Outcome{Status: StatusSent, MessageID: m.MessageID}}}); err != nil {
				return "", later, err
			}
			a.Metrics.InDoubt.WithLabelValues("found").Inc()
			if d.ID == want {
				id, found = m.MessageID, true
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

// inDoubt is a retryable error that asks to be tried again after wait.
func inDoubt(wait time.Duration, format string, args ...any) error {
	return temporal.NewApplicationErrorWithOptions(fmt.Sprintf(format, args...), ErrInDoubt,
		temporal.ApplicationErrorOptions{NextRetryDelay: wait})
}

// callZalo calls Zalo with the current OA token. If Zalo refuses the token,
// it asks the OATokenKeeper for a new one and tries once more; however many
// calls hit the same stale token, the keeper refreshes once. A message
// (op cs, transaction or zns) waits for its slot of the OA's send rate
// first, and a -32 holds every worker's sends a moment. Each call is timed
// by op and result.
func callZalo[T any](ctx context.Context, a *Activities, op string, call func(token string) (T, error)) (T, error) {
	var zero T
	timed := func(token string) (T, error) {
		if isMessage(op) {
			if err := a.pace(ctx); err != nil {
				return zero, err
			}
		}
		start := time.Now()
		res, err := call(token)
		result := "ok"
		if err != nil {
			result = zalo.Classify(err).String()
		}
		if zalo.Classify(err) == zalo.ClassRateLimited {
			a.slowDown(ctx)
		}
		a.Metrics.ObserveZalo(op, result, start)
		return res, err
	}
	token, version, err := a.Tokens.Current(ctx)
	if err != nil {
		return zero, err
	}
	res, err := timed(token)
	if zalo.Classify(err) != zalo.ClassToken {
		return res, err
	}
	if activity.IsActivity(ctx) && activity.GetInfo(ctx).IsLocalActivity {
		return zero, temporal.NewApplicationError("the OA token was refused; a regular attempt will wait for a new one", ErrTokenRefused)
	}
	if rerr := a.Refresher.RequestRefresh(ctx, version); rerr != nil {
		return zero, fmt.Errorf("OA token refused and not refreshed: %w", rerr)
	}
	if token, _, err = a.Tokens.Fresh(ctx); err != nil {
		return zero, err
	}
	return timed(token)
}

// isMessage tells the calls that send a message, which the OA's send rate
// counts.
func isMessage(op string) bool {
	switch route.Route(op) {
	case route.CS, route.Transaction, route.ZNS:
		return true
	}
	return false
}
