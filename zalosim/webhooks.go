package zalosim

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"time"
)

// Redelivery after a non-200 answer backs off 1 s, 2 s, 4 s, like Zalo's
// (whose exact schedule is not published).
const (
	retries    = 3
	firstDelay = time.Second
)

// keptDeliveries is how many delivery attempts the /_sandbox page shows.
const keptDeliveries = 30

// hook is one event to deliver.
type hook struct {
	event string
	about string // the user id, phone or template id it is about
	body  []byte
}

// delivery is one attempt to deliver a hook, for the /_sandbox page.
type delivery struct {
	At      time.Time
	Event   string
	About   string
	Attempt int
	Status  int // 0: no answer
}

// webhooks runs redeliveries in the background until closed.
type webhooks struct {
	now    func() time.Time
	ctx    context.Context // ends when the sandbox closes
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	closed bool
	log    []delivery // newest last
}

func newWebhooks(now func() time.Time) *webhooks {
	ctx, cancel := context.WithCancel(context.Background())
	return &webhooks{now: now, ctx: ctx, cancel: cancel}
}

// background runs f in the background unless the sandbox is closed.
func (h *webhooks) background(f func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		f()
	}()
}

func (h *webhooks) close() {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	h.cancel()
	h.wg.Wait()
}

func (h *webhooks) record(d delivery) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.log = append(h.log, d)
	if len(h.log) > keptDeliveries {
		h.log = h.log[len(h.log)-keptDeliveries:]
	}
}

// recent lists the latest delivery attempts, newest first.
func (h *webhooks) recent() []delivery {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]delivery, len(h.log))
	for i, d := range h.log {
		out[len(h.log)-1-i] = d
	}
	return out
}

// sendWebhook delivers a signed event to the configured URL before it
// returns, so callers see the outcome, and answers the HTTP status of that
// first attempt (0: no URL configured, or no answer). Anything but 200 is
// redelivered in the background, as Zalo does, with the same body.
func (s *Sim) sendWebhook(h hook) int {
	if s.cfg.WebhookURL == "" {
		return 0
	}
	status := s.deliver(h, 1)
	if status != http.StatusOK {
		s.hooks.background(func() { s.redeliver(h) })
	}
	return status
}

func (s *Sim) redeliver(h hook) {
	delay := firstDelay
	for attempt := 2; attempt <= retries+1; attempt++ {
		select {
		case <-s.hooks.ctx.Done():
			return
		case <-time.After(delay):
		}
		if s.deliver(h, attempt) == http.StatusOK {
			return
		}
		delay *= 2
	}
}

func (s *Sim) deliver(h hook, attempt int) int {
	req, err := http.NewRequestWithContext(s.hooks.ctx, http.MethodPost, s.cfg.WebhookURL, bytes.NewReader(h.body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-ZEvent-Signature", "mac="+Sign(s.cfg.AppID, s.cfg.OASecretKey, h.body))
	status := 0
	if res, err := s.cfg.HTTPClient.Do(req); err == nil {
		res.Body.Close()
		status = res.StatusCode
	}
	s.hooks.record(delivery{At: s.hooks.now(), Event: h.event, About: h.about, Attempt: attempt, Status: status})
	return status
}
