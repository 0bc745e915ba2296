package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Load is one run's traffic.
type Load struct {
	Transactions int
	Rate         float64 // transactions per second
	Copies       int     // each transaction is posted this many times at once (Casso retrying, a double click)
	// Patience is how long the run waits for messages after the last post.
	Patience time.Duration
}

// Target is where a run posts and what it expects the sandbox to receive.
type Target struct {
	IngestURL     string // POST …/v1/transactions
	APIKey        string
	BankAccountID string
	Recipients    []string // each transaction goes to every one of them
	SandboxURL    string
	// Settle, if set, returns once nothing is left in flight; messages
	// are counted once more after it, to catch late duplicates.
	Settle func(context.Context) error
}

// Result is what a run measured.
type Result struct {
	Mode       string
	Load       Load
	Recipients int
	Expected   int // transactions × recipients
	Received   int // distinct (transaction, recipient) pairs that got a message
	Duplicates []Duplicate
	Missing    int
	PostErrors int                      // posts never accepted
	Retries    int                      // posts retried after a network error or 5xx
	Latencies  []time.Duration          // first post → message in the sandbox, sorted
	Ingest     []time.Duration          // each accepted post's own duration, sorted
	Posting    time.Duration            // first post → last post
	Window     time.Duration            // first post → last message
	CPU        map[string]time.Duration // CPU time each process spent on the run
}

// Duplicate is a (transaction, recipient) pair that got more than one message.
type Duplicate struct {
	Transaction int
	Recipient   string
	At          []time.Time
}

// Run posts load.Transactions at load.Rate to the target and counts what
// the sandbox receives.
func Run(ctx context.Context, mode string, tgt Target, load Load) (Result, error) {
	if load.Copies < 1 {
		load.Copies = 1
	}
	res := Result{Mode: mode, Load: load, Recipients: len(tgt.Recipients), Expected: load.Transactions * len(tgt.Recipients)}
	runID := make([]byte, 3)
	_, _ = rand.Read(runID)
	marker := "BENCH-" + hex.EncodeToString(runID) + "-"

	col, err := newCollector(ctx, tgt.SandboxURL, marker)
	if err != nil {
		return res, err
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 30 * time.Second}
	sent := make([]time.Time, load.Transactions)
	var retries, postErrs atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	interval := time.Duration(float64(time.Second) / load.Rate)
	for i := range load.Transactions {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			select {
			case <-ctx.Done():
				return res, ctx.Err()
			case <-time.After(d):
			}
		}
		sent[i] = time.Now()
		body, _ := json.Marshal(map[string]any{
			"bank_account_id": tgt.BankAccountID,
			"external_id":     fmt.Sprintf("%s%06d", marker, i),
			"amount":          100_000 + i,
			"occurred_at":     sent[i].Format(time.RFC3339),
			"description":     fmt.Sprintf("%s%06d chuyen tien", marker, i),
		})
		for range load.Copies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				took, n, ok := post(ctx, client, tgt, body, start.Add(time.Duration(i)*interval+load.Patience))
				retries.Add(int64(n))
				if !ok {
					postErrs.Add(1)
					return
				}
				mu.Lock()
				res.Ingest = append(res.Ingest, took)
				mu.Unlock()
			}()
		}
	}
	res.Posting = time.Since(start)
	wg.Wait()
	res.Retries, res.PostErrors = int(retries.Load()), int(postErrs.Load())

	deadline := time.Now().Add(load.Patience)
	for col.distinct() < res.Expected && time.Now().Before(deadline) {
		if err := col.poll(ctx); err != nil {
			return res, err
		}
		time.Sleep(200 * time.Millisecond)
	}
	if tgt.Settle != nil {
		settleCtx, cancel := context.WithDeadline(ctx, deadline.Add(load.Patience))
		err := tgt.Settle(settleCtx)
		cancel()
		if err != nil {
			return res, fmt.Errorf("waiting for deliveries to settle: %w", err)
		}
	}
	time.Sleep(time.Second)
	if err := col.poll(ctx); err != nil {
		return res, err
	}

	var last time.Time
	for key, at := range col.got {
		res.Received++
		if key.tx < len(sent) {
			res.Latencies = append(res.Latencies, at[0].Sub(sent[key.tx]))
		}
		last = maxTime(last, at[0])
		if len(at) > 1 {
			res.Duplicates = append(res.Duplicates, Duplicate{Transaction: key.tx, Recipient: key.user, At: at})
		}
	}
	res.Missing = res.Expected - res.Received
	res.Window = last.Sub(start)
	slices.Sort(res.Latencies)
	slices.Sort(res.Ingest)
	slices.SortFunc(res.Duplicates, func(a, b Duplicate) int { return a.At[1].Compare(b.At[1]) })
	return res, nil
}

// post sends one transaction until it is accepted, retrying network errors
// and 5xx answers (the API restarting) with the same body, as Casso would.
// It reports how long the accepted attempt took and how many retries it made.
func post(ctx context.Context, client *http.Client, tgt Target, body []byte, giveUp time.Time) (time.Duration, int, bool) {
	for attempt := 0; ; attempt++ {
		t0 := time.Now()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, tgt.IngestURL, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tgt.APIKey)
		res, err := client.Do(req)
		status := 0
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			status = res.StatusCode
		}
		switch {
		case status >= 200 && status < 300:
			return time.Since(t0), attempt, true
		case status >= 400 && status < 500, time.Now().After(giveUp), ctx.Err() != nil:
			return 0, attempt, false
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// collector reads the sandbox's message log from where it stood when the
// run began, keeping the messages of this run.
type collector struct {
	url, marker string
	offset      int
	got         map[pair][]time.Time
}

type pair struct {
	tx   int
	user string
}

func newCollector(ctx context.Context, sandboxURL, marker string) (*collector, error) {
	c := &collector{url: sandboxURL, marker: marker, got: map[pair][]time.Time{}}
	// Skip what earlier runs left.
	return c, c.poll(ctx)
}

func (c *collector) distinct() int { return len(c.got) }

func (c *collector) poll(ctx context.Context) error {
	var page struct {
		Items []struct {
			UserID     string    `json:"user_id"`
			Text       string    `json:"text"`
			ReceivedAt time.Time `json:"received_at"`
		} `json:"items"`
	}
	if err := doJSON(ctx, http.MethodGet, c.url+"/_sandbox/messages?offset="+strconv.Itoa(c.offset), "", nil, http.StatusOK, &page); err != nil {
		return err
	}
	c.offset += len(page.Items)
	for _, m := range page.Items {
		_, rest, ok := strings.Cut(m.Text, c.marker)
		if !ok || len(rest) < 6 {
			continue
		}
		tx, err := strconv.Atoi(rest[:6])
		if err != nil {
			continue
		}
		k := pair{tx: tx, user: m.UserID}
		c.got[k] = append(c.got[k], m.ReceivedAt)
	}
	return nil
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
