package bench

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeStack accepts transactions and "delivers" each to every recipient
// in the background, into a message log served as the sandbox serves its
// own; it can answer slowly, pace its sends, lose a transaction or deliver
// one twice, and stamp its messages by a clock set apart from the real one.
type fakeStack struct {
	recipients []string
	answer     time.Duration // how long a POST takes
	// gather holds the first POSTs until this many are open at once (or
	// 5 s pass), so a loaded machine's slowness cannot hide the peak.
	gather      int64
	gathered    chan struct{}
	gatherOne   sync.Once
	pace        *rate.Limiter
	lose, twice string        // external id suffixes ("000007")
	clock       time.Duration // added to every received_at, as a pinned sandbox clock would
	log         MessageLog
	open, peak  atomic.Int64
}

func (f *fakeStack) serve(t *testing.T) Target {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/transactions", func(w http.ResponseWriter, r *http.Request) {
		n := f.open.Add(1)
		defer f.open.Add(-1)
		for p := f.peak.Load(); n > p && !f.peak.CompareAndSwap(p, n); p = f.peak.Load() {
		}
		if f.gather > 0 {
			if n >= f.gather {
				f.gatherOne.Do(func() { close(f.gathered) })
			}
			select {
			case <-f.gathered:
			case <-time.After(5 * time.Second):
			}
		}
		var tx struct {
			ExternalID string `json:"external_id"`
		}
		if err := json.NewDecoder(r.Body).Decode(&tx); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		time.Sleep(f.answer)
		w.WriteHeader(http.StatusAccepted)
		if f.lose != "" && strings.HasSuffix(tx.ExternalID, f.lose) {
			return
		}
		go func() {
			for _, to := range f.recipients {
				if f.pace != nil {
					_ = f.pace.Wait(t.Context())
				}
				f.log.Add(to, tx.ExternalID)
				if f.twice != "" && strings.HasSuffix(tx.ExternalID, f.twice) {
					f.log.Add(to, tx.ExternalID)
				}
			}
		}()
	})
	mux.HandleFunc("GET /_sandbox/messages", func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		f.log.ServeHTTP(rec, r)
		var page struct {
			Items []loggedMessage `json:"items"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		for i := range page.Items {
			page.Items[i].ReceivedAt = page.Items[i].ReceivedAt.Add(f.clock)
		}
		_ = json.NewEncoder(w).Encode(page)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return Target{IngestURL: srv.URL + "/v1/transactions", BankAccountID: uuid.New(), Recipients: f.recipients,
		MessagesURL: srv.URL + "/_sandbox/messages"}
}

func TestRunCountsEveryMessage(t *testing.T) {
	f := &fakeStack{recipients: []string{"u1", "u2", "u3"}, lose: "000004", twice: "000007"}
	r, err := Run(t.Context(), "fake", f.serve(t), Load{Transactions: 10, Rate: 200, Patience: 300 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, 10, r.Transactions)
	assert.Equal(t, 30, r.Expected)
	assert.Equal(t, 27, r.Received)
	assert.Equal(t, 3, r.Missing, "transaction 4, to each recipient")
	require.Len(t, r.Duplicates, 3, "transaction 7, to each recipient")
	assert.Equal(t, 7, r.Duplicates[0].Transaction)
	assert.Len(t, r.Latencies, 27)
	assert.Len(t, r.Ingest, 10)
	assert.Empty(t, r.Fresh)
}

// A sandbox whose clock is pinned hours away (-quiet) stamps its messages
// by that clock: latencies are still the real time they took.
func TestRunTakesThePinnedClockOff(t *testing.T) {
	f := &fakeStack{recipients: []string{"u1", "u2"}, clock: -8 * time.Hour}
	tgt := f.serve(t)
	tgt.ClockOffset = -8 * time.Hour
	r, err := Run(t.Context(), "fake", tgt, Load{Transactions: 5, Rate: 100, Patience: 2 * time.Second})
	require.NoError(t, err)
	require.Len(t, r.Latencies, 10)
	assert.GreaterOrEqual(t, r.Latencies[0], time.Duration(0))
	assert.Less(t, Percentile(r.Latencies, 100), time.Second)
	assert.Less(t, r.Window, 2*time.Second)
}

func TestRunRateZero(t *testing.T) {
	f := &fakeStack{recipients: []string{"u1"}, answer: 20 * time.Millisecond, gather: MaxInFlight, gathered: make(chan struct{})}
	r, err := Run(t.Context(), "fake", f.serve(t), Load{Transactions: 300, Rate: 0, Patience: 10 * time.Second})
	require.NoError(t, err)
	assert.Zero(t, r.Missing)
	assert.Empty(t, r.Duplicates)
	assert.Len(t, r.Ingest, 300)
	// As fast as accepted: the fake holds its answers until MaxInFlight
	// posts wait at once, which a paced run (or one post at a time) never
	// reaches. (How long that took is the machine's, not asserted.)
	assert.EqualValues(t, MaxInFlight, f.peak.Load(), "as fast as accepted, %d posts in flight", MaxInFlight)
}

func TestRunBurst(t *testing.T) {
	// 20 transactions × 3 recipients at 40 sends/s: a 1.5 s backlog.
	p := newPacer(40)
	f := &fakeStack{recipients: []string{"u1", "u2", "u3"}, pace: p}
	r, err := Run(t.Context(), "fake", f.serve(t), Load{Transactions: 20, Fresh: true, Patience: 10 * time.Second})
	require.NoError(t, err)
	fresh := r.Transactions - 20
	assert.GreaterOrEqual(t, fresh, 1, "one fresh transaction a second while the burst drains")
	assert.LessOrEqual(t, fresh, 3)
	assert.Equal(t, 3*r.Transactions, r.Received)
	assert.Zero(t, r.Missing)
	assert.Empty(t, r.Duplicates)
	assert.Len(t, r.Latencies, 60, "the burst's messages")
	assert.Len(t, r.Fresh, 3*fresh, "the fresh ones', apart")
	assert.Greater(t, r.IngestPerSecond(), 20.0, "the burst is accepted long before it is delivered")
	assert.Greater(t, Percentile(r.Latencies, 100), time.Second, "the last of the burst waited for the backlog")

	rep := r.Report()
	require.NotNil(t, rep.IngestPerSecond)
	require.NotNil(t, rep.FreshP99)
	assert.Positive(t, *rep.FreshP99)
	assert.Equal(t, r.Transactions, rep.Transactions)
}

// TestRunShopsCountsEachShop: two shops post at once, each to its own
// people; the noisy one loses a transaction and doubles another. Each
// shop's part is counted apart, and the whole is their sum.
func TestRunShopsCountsEachShop(t *testing.T) {
	noisy := &fakeStack{recipients: []string{"n1", "n2", "n3", "n4"}, lose: "000002", twice: "000005"}
	quiet := &fakeStack{recipients: []string{"q1", "q2"}}
	shops := ShopLoads(2, 20, 4, 2, 500*time.Millisecond, 0)
	for i := range shops {
		shops[i].Load.Patience = 300 * time.Millisecond
	}
	r, err := RunShops(t.Context(), "fake", []Target{noisy.serve(t), quiet.serve(t)}, shops)
	require.NoError(t, err)
	require.Len(t, r.Shops, 2)
	assert.True(t, r.Shops[0].Noisy)
	assert.False(t, r.Shops[1].Noisy)
	assert.Equal(t, 10, r.Shops[0].Transactions, "20 a second for half a second")
	assert.Equal(t, 1, r.Shops[1].Transactions, "the quiet shop's one a second, at least one")
	assert.Equal(t, 4, r.Shops[0].Missing)
	assert.Zero(t, r.Shops[1].Missing)
	assert.Equal(t, 11, r.Transactions)
	assert.Equal(t, 42, r.Expected)
	assert.Equal(t, 4, r.Missing)
	assert.Len(t, r.Duplicates, 4, "transaction 5, to each of the noisy shop's recipients")
	assert.Len(t, r.Latencies, 38)

	rep := r.Report()
	require.Len(t, rep.Shops, 2)
	assert.Equal(t, ShopReport{Noisy: false, Transactions: 1, TxPerSecond: rep.Shops[1].TxPerSecond, MsgPerSecond: rep.Shops[1].MsgPerSecond,
		FreshP50: rep.Shops[1].FreshP50, FreshP99: rep.Shops[1].FreshP99}, rep.Shops[1])
	assert.Positive(t, rep.Shops[1].FreshP99)
	assert.Equal(t, 4, rep.Missing, "over all shops")
	assert.Equal(t, 4, rep.Duplicates)
}

func ExamplePercentile() {
	d := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	fmt.Println(Percentile(d, 50), Percentile(d, 95), Percentile(d, 99), Percentile(d, 100), Percentile(nil, 50))
	// Output: 5ns 10ns 10ns 10ns 0s
}
