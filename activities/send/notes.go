package send

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/route"
)

// noteSpace names notes' ids, made from their keys.
var noteSpace = uuid.MustParse("0f5a3c1e-2b7d-4f61-9a0e-6c8d1e2f3a4b")

// SendNote sends a message that has no row of its own (an owner's notice,
// an answer to a command) exactly once: key names it, the same key being
// the same note, so a retried activity finds it sent, or in doubt and
// settles it as an alert is. The outcome comes back recorded.
func (c *Core) SendNote(ctx context.Context, key string, m Message) (Outcome, error) {
	m.ID, m.Ledger = uuid.NewSHA1(noteSpace, []byte(key)), notes{c}
	q := db.New(c.Pool)
	n, err := q.StartNote(ctx, db.StartNoteParams{ID: m.ID, Recipient: m.To, Fingerprint: []byte(Fingerprint(m.Chat()))})
	if err != nil {
		return Outcome{}, fmt.Errorf("start a note: %w", err)
	}
	if n.Status != db.DeliveryStatusPending {
		return Outcome{Status: Status(n.Status), MessageID: n.ZaloMessageID, Route: string(n.Route.DeliveryRoute), Recorded: true}, nil
	}
	if n.Doubted {
		m.DoubtedSince = n.InDoubtSince
	}
	out, err := c.Send(ctx, m)
	if err != nil || out.Recorded {
		return out, err
	}
	if err := q.FinishNote(ctx, db.FinishNoteParams{
		ID: m.ID, Status: db.DeliveryStatus(out.Status), ZaloMessageID: out.MessageID, LastError: out.Log(), Route: RouteOf(out.Route),
	}); err != nil {
		return Outcome{}, fmt.Errorf("record a note: %w", err)
	}
	out.Recorded = true
	return out, nil
}

// Fingerprint is what a ledger keeps of a text to recognise it in a
// conversation without keeping the text.
func Fingerprint(text string) string {
	sum := sha256.Sum256([]byte(text))
	return string(sum[:])
}

// notes is the Ledger of notes.
type notes struct{ c *Core }

func (l notes) Doubts(ctx context.Context, recipient string, before time.Time) ([]Doubt, error) {
	rows, err := db.New(l.c.Pool).NotesInDoubt(ctx, db.NotesInDoubtParams{Recipient: recipient, Before: before})
	out := make([]Doubt, len(rows))
	for i, r := range rows {
		out[i] = Doubt{ID: r.ID, Since: r.InDoubtSince, Route: route.Route(r.Route), Fingerprint: string(r.Fingerprint)}
	}
	return out, err
}

func (l notes) SentAfter(ctx context.Context, recipient string, after time.Time) (int, error) {
	n, err := db.New(l.c.Pool).CountNotesSentAfter(ctx, db.CountNotesSentAfterParams{Recipient: recipient, After: after})
	return int(n), err
}

func (l notes) Arrived(ctx context.Context, id uuid.UUID, messageID string) error {
	return db.New(l.c.Pool).FinishNote(ctx, db.FinishNoteParams{ID: id, Status: db.DeliveryStatusSent, ZaloMessageID: messageID})
}

func (l notes) Redoubt(ctx context.Context, id uuid.UUID) error {
	return db.New(l.c.Pool).RedoubtNote(ctx, id)
}

func (l notes) Note(ctx context.Context, id uuid.UUID, rt route.Route, log string, settled bool) error {
	return db.New(l.c.Pool).NoteNoteError(ctx, db.NoteNoteErrorParams{ID: id, Route: RouteOf(string(rt)), LastError: log, Settled: settled})
}

// RouteOf is a route as the database stores it; "" or "none" is NULL.
func RouteOf(rt string) db.NullDeliveryRoute {
	r := db.DeliveryRoute(rt)
	if !r.Valid() {
		return db.NullDeliveryRoute{}
	}
	return db.NullDeliveryRoute{DeliveryRoute: r, Valid: true}
}
