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

	"github.com/google/uuid"

	"github.com/tingting-vn/tingting/apiclient"
	"github.com/tingting-vn/tingting/harness/jsonhttp"
)

// Load is one run's traffic.
type Load struct {
	Transactions int
	// Rate is transactions per second; 0 posts as fast as the target
	// accepts them, MaxInFlight at a time.
	Rate   float64
	Copies int // each transaction is posted this many times at once (Casso retrying, a double click)
	// Patience is how long the run waits for messages after the last post.
	Patience time.Duration
	// Fresh makes the run a burst's: once the Transactions are all
	// accepted, one more transaction is posted every second until they are
	// all delivered (at least one), and those fresh transactions' latency is
	// reported apart: how long a new payment waits behind a backlog.
	Fresh bool
	// Watch, if set, reads the message log every Watch while posting: a
	// long run's log is read as it grows instead of all at the end.
	Watch time.Duration
}

// Duration is how long posting the load takes at its rate; at rate 0 it
// cannot be known beforehand and is taken as 30 s.
func (l Load) Duration() time.Duration {
	if l.Rate <= 0 {
		return 30 * time.Second
	}
	return time.Duration(float64(l.Transactions) / l.Rate * float64(time.Second))
}

// Target is where a run posts and what it expects to be delivered.
type Target struct {
	IngestURL     string // POST …/v1/transactions
	APIKey        string
	BankAccountID uuid.UUID
	// Body, if set, is transaction i's body (its marker, in the text the
	// message shows, finds its messages); else the REST API's.
	Body       func(marker string, i int, at time.Time) []byte
	Recipients []string // each transaction goes to every one of them
	// MessagesURL lists what was delivered, as the sandbox's
	// /_sandbox/messages does: GET ?offset=N → {"items":[{user_id, text, received_at}]}.
	MessagesURL string
	// Settle, if set, returns once nothing is left in flight; messages
	// are counted once more after it, to catch late duplicates.
	Settle func(context.Context) error
	// ClockOffset is the message log's clock minus the real one (a pinned
	// sandbox clock): it is taken off every received_at.
	ClockOffset time.Duration
}

// Result is what a run measured.
type Result struct {
	Mode         string
	Load         Load
	Recipients   int
	Transactions int // posted, fresh ones included
	Expected     int // transactions × recipients
	Received     int // distinct (transaction, recipient) pairs that got a message
	Duplicates   []Duplicate
	Missing      int
	PostErrors   int // posts never accepted
	Retries      int // posts retried after a network error or 5xx
	// Rerouted is how many requests the balancer in front of several APIs
	// passed to another after the connection to one failed: no client saw
	// those failures (Stack.Rerouted).
	Rerouted  int
	Latencies []time.Duration // post → message delivered, sorted; fresh transactions apart
	Fresh     []time.Duration // the fresh transactions' (Load.Fresh), sorted
	Ingest    []time.Duration // each accepted post's own duration, sorted
	Posting   time.Duration   // first post → last post sent
	Accepted  time.Duration   // first post → last of the Load.Transactions answered
	Window    time.Duration   // first post → last message
	// CPU is the CPU time each process spent on the run, RSS the peak
	// resident memory of each during it, in kB.
	CPU map[string]time.Duration
	RSS map[string]int64
	// Zalo is what the sandbox counted during the run, if it was read.
	Zalo *ZaloStats
	// Chatter is what strangers wrote during the run and what the OA
	// answered them, if they wrote.
	Chatter *ChatterResult
	// Shops is each shop's part of a many-shops run (RunShops), and Noisy
	// marks the noisy shop's.
	Shops []Result
	Noisy bool
}

// Duplicate is a (transaction, recipient) pair that got more than one message.
type Duplicate struct {
	Transaction int
	Recipient   string
	At          []time.Time
}

// Run posts load.Transactions to the target, at load.Rate or as fast as it
// accepts them, and counts what is delivered.
func Run(ctx context.Context, mode string, tgt Target, load Load) (Result, error) {
	if load.Copies < 1 {
		load.Copies = 1
	}
	res := Result{Mode: mode, Load: load, Recipients: len(tgt.Recipients)}
	runID := make([]byte, 3)
	_, _ = rand.Read(runID)
	marker := "BENCH-" + hex.EncodeToString(runID) + "-"

	col, err := newCollector(ctx, tgt.MessagesURL, marker, tgt.ClockOffset)
	if err != nil {
		return res, err
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 30 * time.Second}
	sent := make([]time.Time, load.Transactions)
	var retries, postErrs atomic.Int64
	var mu sync.Mutex
	var lastAccepted time.Time
	var wg sync.WaitGroup
	lim := newLimiter(load.Rate, MaxInFlight)
	start := time.Now()
	// send posts transaction i (every copy) in the background.
	send := func(i int, slot bool) error {
		for range load.Copies {
			if slot {
				if err := lim.wait(ctx, i); err != nil {
					return err
				}
			}
			if sent[i].IsZero() {
				sent[i] = time.Now()
			}
			body, giveUp := tgt.body(marker, i, sent[i]), sent[i].Add(load.Patience)
			wg.Add(1)
			go func() {
				defer wg.Done()
				if slot {
					defer lim.done()
				}
				took, n, ok := post(ctx, client, tgt, body, giveUp)
				retries.Add(int64(n))
				if !ok {
					postErrs.Add(1)
					return
				}
				mu.Lock()
				res.Ingest = append(res.Ingest, took)
				lastAccepted = maxTime(lastAccepted, time.Now())
				mu.Unlock()
			}()
		}
		return nil
	}
	watched := time.Now()
	for i := range load.Transactions {
		if err := send(i, true); err != nil {
			return res, err
		}
		if load.Watch > 0 && time.Since(watched) >= load.Watch {
			if err := col.poll(ctx); err != nil {
				return res, err
			}
			watched = time.Now()
		}
	}
	res.Posting = time.Since(start)
	wg.Wait()
	if !lastAccepted.IsZero() {
		res.Accepted = lastAccepted.Sub(start)
	}

	burst := load.Transactions * len(tgt.Recipients)
	deadline := time.Now().Add(load.Patience)
	if load.Fresh {
		for {
			next := time.Now().Add(time.Second)
			sent = append(sent, time.Time{})
			if err := send(len(sent)-1, false); err != nil {
				return res, err
			}
			if err := col.pollUntil(ctx, next); err != nil {
				return res, err
			}
			if col.delivered(load.Transactions) >= burst || time.Now().After(deadline) {
				break
			}
		}
		wg.Wait()
		deadline = time.Now().Add(load.Patience)
	}
	res.Retries, res.PostErrors = int(retries.Load()), int(postErrs.Load())
	res.Transactions = len(sent)
	res.Expected = res.Transactions * len(tgt.Recipients)

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
	res.tally(col.got, sent, load.Transactions, start)
	return res, nil
}

// tally counts what was delivered: latencies from each transaction's post
// (those from fresh on apart), duplicates and what is missing.
func (res *Result) tally(got map[pair][]time.Time, sent []time.Time, fresh int, start time.Time) {
	var last time.Time
	for key, at := range got {
		res.Received++
		if key.tx < len(sent) {
			if key.tx >= fresh {
				res.Fresh = append(res.Fresh, at[0].Sub(sent[key.tx]))
			} else {
				res.Latencies = append(res.Latencies, at[0].Sub(sent[key.tx]))
			}
		}
		last = maxTime(last, at[0])
		if len(at) > 1 {
			res.Duplicates = append(res.Duplicates, Duplicate{Transaction: key.tx, Recipient: key.user, At: at})
		}
	}
	res.Missing = res.Expected - res.Received
	res.Window = last.Sub(start)
	slices.Sort(res.Latencies)
	slices.Sort(res.Fresh)
	slices.Sort(res.Ingest)
	slices.SortFunc(res.Duplicates, func(a, b Duplicate) int { return a.At[1].Compare(b.At[1]) })
}

func (tgt Target) body(marker string, i int, at time.Time) []byte {
	if tgt.Body != nil {
		return tgt.Body(marker, i, at)
	}
	return transactionBody(tgt.BankAccountID, marker, i, at)
}

// transactionBody is transaction i of a run, as posted to the REST API;
// the marker in its external id and description finds its messages.
func transactionBody(bankAccountID uuid.UUID, marker string, i int, at time.Time) []byte {
	description := fmt.Sprintf("%s%06d chuyen tien", marker, i)
	body, _ := json.Marshal(apiclient.TransactionRequest{
		BankAccountID: &bankAccountID, ExternalID: fmt.Sprintf("%s%06d", marker, i), Amount: int64(100_000 + i),
		OccurredAt: at.Truncate(time.Second), Description: &description,
	})
	return body
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

// collector reads a message log (the sandbox's, or the floor's) from where
// it stood when the run began, keeping the messages of this run.
type collector struct {
	url, marker string
	offset      int
	clock       time.Duration // the log's clock minus the real one
	got         map[pair][]time.Time
}

type pair struct {
	tx   int
	user string
}

func newCollector(ctx context.Context, messagesURL, marker string, clock time.Duration) (*collector, error) {
	c := &collector{url: messagesURL, marker: marker, clock: clock, got: map[pair][]time.Time{}}
	// Skip what earlier runs left.
	return c, c.poll(ctx)
}

func (c *collector) distinct() int { return len(c.got) }

// delivered counts the distinct messages of transactions below n.
func (c *collector) delivered(n int) int {
	k := 0
	for p := range c.got {
		if p.tx < n {
			k++
		}
	}
	return k
}

// pollUntil polls every 200 ms until t.
func (c *collector) pollUntil(ctx context.Context, t time.Time) error {
	for {
		if err := c.poll(ctx); err != nil {
			return err
		}
		d := time.Until(t)
		if d <= 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(min(d, 200*time.Millisecond)):
		}
	}
}

func (c *collector) poll(ctx context.Context) error {
	var page struct {
		Items []struct {
			UserID     string    `json:"user_id"`
			Text       string    `json:"text"`
			ReceivedAt time.Time `json:"received_at"`
		} `json:"items"`
	}
	if err := jsonhttp.Do(ctx, http.MethodGet, c.url+"?offset="+strconv.Itoa(c.offset), "", nil, http.StatusOK, &page); err != nil {
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
		c.got[k] = append(c.got[k], m.ReceivedAt.Add(-c.clock))
	}
	return nil
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
