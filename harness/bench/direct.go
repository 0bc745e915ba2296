package bench

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"time"

	"golang.org/x/time/rate"

	"golang.org/x/sync/errgroup"

	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/zalo"
)

// Direct is the baseline tingting is measured against: an ingest handler
// that renders the message and sends it to every recipient itself, in
// parallel, before it answers. No database, no Temporal, no retries —
// nothing that makes a message survive a crash — through the same Zalo
// client, paced as the worker's sends are (ZALO_SEND_RATE).
type Direct struct {
	Zalo       *zalo.Client
	Token      string
	Recipients []string
	Pacer      *rate.Limiter
}

func (d *Direct) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Amount      int64     `json:"amount"`
		Description string    `json:"description"`
		OccurredAt  time.Time `json:"occurred_at"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	text := message.Render(message.Transaction{
		Amount: req.Amount, Description: req.Description, OccurredAt: req.OccurredAt,
		BankName: "Vietcombank", AccountNumber: "1000000000", AccountName: "CUA HANG BENCH",
	}, message.AllFields)
	var g errgroup.Group
	for _, to := range d.Recipients {
		g.Go(func() error {
			if err := d.Pacer.Wait(r.Context()); err != nil {
				return err
			}
			_, err := d.Zalo.SendText(r.Context(), d.Token, to, text)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// Serve runs the handler on a free loopback port until ctx ends and
// returns its ingest URL.
func (d *Direct) Serve(ctx context.Context) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: d, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	go func() { <-ctx.Done(); _ = srv.Close() }()
	return "http://" + ln.Addr().String() + "/v1/transactions", nil
}
