package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/tingting-vn/tingting/harness/seed"
	"github.com/tingting-vn/tingting/zalosim"
)

// seedFeeds gives the demo workspace a Casso source (with an API key, so it
// is read back) and a SePay source, through the API as an owner would,
// tells the sandbox's providers where to post, and makes the first payment
// at each: both reach the owner's sandbox inbox as the providers' signed
// webhooks. The sandbox starts afresh every run, so the sources get fresh
// secrets every run.
func seedFeeds(ctx context.Context, apiURL, apiKey, sandboxURL string, sim *zalosim.Sim) ([]seed.Feed, error) {
	for _, url := range []string{apiURL + "/readyz", sandboxURL + "/_sandbox"} {
		if err := waitReady(ctx, url); err != nil {
			return nil, err
		}
	}
	first := map[string]zalosim.PaymentRequest{
		zalosim.ProviderCasso: {AccountNumber: demoAccount, Amount: 599_000, Description: "Thanh toan don hang 1234"},
		zalosim.ProviderSePay: {AccountNumber: demoAccount, Amount: 250_000, Description: "chuyen tien DH5678", Code: "DH5678"},
	}
	var feeds []seed.Feed
	for _, provider := range []string{zalosim.ProviderCasso, zalosim.ProviderSePay} {
		f, err := seed.NewFeed(ctx, apiURL, apiKey, sandboxURL, provider, provider == zalosim.ProviderCasso)
		if err != nil {
			return nil, fmt.Errorf("the demo's bank feeds: %w", err)
		}
		pay := first[provider]
		pay.SourceID = f.Sandbox
		if _, status, err := sim.Pay(pay); err != nil {
			return nil, err
		} else if status != http.StatusOK {
			return nil, fmt.Errorf("the first %s payment's webhook answered %d", provider, status)
		}
		feeds = append(feeds, f)
	}
	return feeds, nil
}

// waitReady waits until url answers 200.
func waitReady(ctx context.Context, url string) error {
	for {
		if res, err := http.Get(url); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
