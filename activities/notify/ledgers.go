package notify

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/route"
)

// deliveries is the send core's Ledger of alerts: the deliveries table.
type deliveries struct{ a *Activities }

func (l deliveries) Doubts(ctx context.Context, recipient string, before time.Time) ([]send.Doubt, error) {
	rows, err := db.New(l.a.Pool).DeliveriesInDoubt(ctx, db.DeliveriesInDoubtParams{Recipient: recipient, Before: before})
	if err != nil {
		return nil, err
	}
	var out []send.Doubt
	for _, r := range rows {
		fields, err := visible(r.Fields, r.HiddenFields)
		if err != nil {
			continue // it cannot be sent either; its own attempt fails it
		}
		text := message.Alert(transactionOf(r.AlertTransaction), fields).Text()
		out = append(out, send.Doubt{ID: r.ID, Since: r.InDoubtSince, Route: route.Route(r.Route), Fingerprint: send.Fingerprint(text)})
	}
	return out, nil
}

func (l deliveries) Redoubt(ctx context.Context, id uuid.UUID) error {
	return db.New(l.a.Pool).RedoubtDelivery(ctx, id)
}

func (l deliveries) SentAfter(ctx context.Context, recipient string, after time.Time) (int, error) {
	n, err := db.New(l.a.Pool).CountSentAfter(ctx, db.CountSentAfterParams{Recipient: recipient, After: after})
	return int(n), err
}

func (l deliveries) Arrived(ctx context.Context, id uuid.UUID, messageID string) error {
	out := send.Outcome{Status: send.Sent, MessageID: messageID}
	return l.a.finish(ctx, db.New(l.a.Pool), []RecordInput{{DeliveryID: id, Outcome: out}})
}

func (l deliveries) Note(ctx context.Context, id uuid.UUID, rt route.Route, log string, settled bool) error {
	return db.New(l.a.Pool).RecordDeliveryError(ctx, db.RecordDeliveryErrorParams{ID: id, Route: send.RouteOf(string(rt)), LastError: log, Settled: settled})
}

// mornings is the send core's Ledger of morning messages: the digests
// table, each row one message carrying a night's alerts.
type mornings struct{ a *Activities }

func (l mornings) Doubts(ctx context.Context, recipient string, before time.Time) ([]send.Doubt, error) {
	rows, err := db.New(l.a.Pool).DigestsInDoubt(ctx, db.DigestsInDoubtParams{Recipient: recipient, Before: before})
	if err != nil {
		return nil, err
	}
	var out []send.Doubt
	for _, r := range rows {
		var card message.Card
		if json.Unmarshal(r.Card, &card) != nil {
			continue // it cannot be sent either; its own attempt fails it
		}
		out = append(out, send.Doubt{ID: r.ID, Since: r.InDoubtSince, Route: route.Route(r.Route), Fingerprint: send.Fingerprint(card.Text())})
	}
	return out, nil
}

func (l mornings) Redoubt(ctx context.Context, id uuid.UUID) error {
	return db.New(l.a.Pool).RedoubtDigest(ctx, id)
}

func (l mornings) SentAfter(ctx context.Context, recipient string, after time.Time) (int, error) {
	n, err := db.New(l.a.Pool).CountDigestsSentAfter(ctx, db.CountDigestsSentAfterParams{Recipient: recipient, After: after})
	return int(n), err
}

func (l mornings) Arrived(ctx context.Context, id uuid.UUID, messageID string) error {
	_, err := l.a.finishMorning(ctx, db.New(l.a.Pool), id, send.Outcome{Status: send.Sent, MessageID: messageID})
	return err
}

func (l mornings) Note(ctx context.Context, id uuid.UUID, _ route.Route, log string, settled bool) error {
	return db.New(l.a.Pool).RecordDigestError(ctx, db.RecordDigestErrorParams{ID: id, LastError: log, Settled: settled})
}
