package bench

import (
	"context"
	"slices"
	"sync"
	"time"
)

// ShopLoad is one shop's part of a many-shops run (-shops): a workspace
// with one integration of Recipients people, posting Load.
type ShopLoad struct {
	Noisy      bool
	Recipients int
	Load       Load
}

// ShopLoads are -shops N: shop 0 posts noisyRate transactions a second to
// noisyRecipients people, the N-1 others one a second to quietRecipients,
// all for d. Patience is shared: three minutes, and twice the time the
// paced sends need to drain them all.
func ShopLoads(n int, noisyRate float64, noisyRecipients, quietRecipients int, d time.Duration, sendRate float64) []ShopLoad {
	shops := make([]ShopLoad, n)
	messages := 0
	for i := range shops {
		s := ShopLoad{Noisy: i == 0, Recipients: quietRecipients, Load: Load{Rate: 1, Copies: 1}}
		if s.Noisy {
			s.Recipients, s.Load.Rate = noisyRecipients, noisyRate
		}
		s.Load.Transactions = max(1, int(s.Load.Rate*d.Seconds()))
		messages += s.Load.Transactions * s.Recipients
		shops[i] = s
	}
	patience := 3 * time.Minute
	if sendRate > 0 {
		patience += 2 * time.Duration(float64(messages)/sendRate*float64(time.Second))
	}
	for i := range shops {
		shops[i].Load.Patience = patience
	}
	return shops
}

// total is the shops' loads as one: every transaction, at their rates
// together.
func total(shops []ShopLoad) Load {
	l := Load{Copies: 1}
	for _, s := range shops {
		l.Transactions += s.Load.Transactions
		l.Rate += s.Load.Rate
		l.Patience = max(l.Patience, s.Load.Patience)
	}
	return l
}

// RunShops posts each shop's load to its target at once and counts what
// each shop got; the result is their sum, with each shop's own in Shops.
func RunShops(ctx context.Context, mode string, targets []Target, shops []ShopLoad) (Result, error) {
	results := make([]Result, len(shops))
	errs := make([]error, len(shops))
	var wg sync.WaitGroup
	for i := range shops {
		wg.Go(func() {
			results[i], errs[i] = Run(ctx, mode, targets[i], shops[i].Load)
			results[i].Noisy = shops[i].Noisy
		})
	}
	wg.Wait()
	sum := Result{Mode: mode, Load: total(shops), Shops: results}
	for _, r := range results {
		sum.Transactions += r.Transactions
		sum.Expected += r.Expected
		sum.Received += r.Received
		sum.Missing += r.Missing
		sum.PostErrors += r.PostErrors
		sum.Retries += r.Retries
		sum.Duplicates = append(sum.Duplicates, r.Duplicates...)
		sum.Latencies = append(sum.Latencies, r.Latencies...)
		sum.Ingest = append(sum.Ingest, r.Ingest...)
		sum.Posting = max(sum.Posting, r.Posting)
		sum.Accepted = max(sum.Accepted, r.Accepted)
		sum.Window = max(sum.Window, r.Window)
	}
	slices.Sort(sum.Latencies)
	slices.Sort(sum.Ingest)
	for _, err := range errs {
		if err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// ShopReport is one shop's numbers in a many-shops run: its transactions
// and messages a second over its own window (its first post to its last
// message), and its transactions' latency (post to message delivered).
type ShopReport struct {
	Noisy        bool    `json:"noisy"`
	Transactions int     `json:"transactions"`
	TxPerSecond  float64 `json:"tx_per_s"`
	MsgPerSecond float64 `json:"msg_per_s"`
	FreshP50     float64 `json:"fresh_p50_ms"`
	FreshP99     float64 `json:"fresh_p99_ms"`
}

// shopReports is each shop's part of r, in the shops' order.
func (r Result) shopReports() []ShopReport {
	var out []ShopReport
	for _, s := range r.Shops {
		out = append(out, ShopReport{
			Noisy: s.Noisy, Transactions: s.transactions(),
			TxPerSecond: round1(s.TransactionsPerSecond()), MsgPerSecond: round1(s.MessagesPerSecond()),
			FreshP50: msf(Percentile(s.Latencies, 50)), FreshP99: msf(Percentile(s.Latencies, 99)),
		})
	}
	return out
}
