package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/tingting-vn/tingting/zalosim"
)

// demoFeed is a bank feed of the demo workspace: a webhook source in
// tingting and the same source at the sandbox's provider.
type demoFeed struct {
	provider string // casso_v2 or sepay
	sourceID string // tingting's
	url      string
}

// seedFeeds gives the demo workspace a Casso source (with an API key, so it
// is read back) and a SePay source, through the API as an owner would,
// tells the sandbox's providers where to post, and makes the first
// payments there: each reaches the owner's sandbox inbox as a provider's
// signed webhook. The sandbox starts afresh every run, so the sources get
// fresh secrets every run (rotated: the API keeps the old one a day).
func seedFeeds(ctx context.Context, apiURL, apiKey string, sim *zalosim.Sim) ([]demoFeed, error) {
	if err := waitReady(ctx, apiURL+"/readyz"); err != nil {
		return nil, err
	}
	var list struct {
		Items []struct {
			ID       string `json:"id"`
			Provider string `json:"provider"`
			URL      string `json:"url"`
		} `json:"items"`
	}
	if err := callAPI(ctx, http.MethodGet, apiURL+"/v1/webhook-sources", apiKey, nil, &list); err != nil {
		return nil, err
	}
	var feeds []demoFeed
	for _, provider := range []string{zalosim.ProviderCasso, zalosim.ProviderSePay} {
		secret, cassoKey := randomHex(16), ""
		if provider == zalosim.ProviderCasso {
			cassoKey = randomHex(16)
		}
		f := demoFeed{provider: provider}
		for _, s := range list.Items {
			if s.Provider == provider && f.sourceID == "" {
				f.sourceID, f.url = s.ID, s.URL
			}
		}
		var err error
		if f.sourceID == "" {
			var created struct{ ID, URL string }
			err = callAPI(ctx, http.MethodPost, apiURL+"/v1/webhook-sources", apiKey,
				map[string]string{"provider": provider, "secret": secret, "casso_api_key": cassoKey}, &created)
			f.sourceID, f.url = created.ID, created.URL
		} else {
			err = callAPI(ctx, http.MethodPost, apiURL+"/v1/webhook-sources/"+f.sourceID+"/rotate", apiKey, map[string]string{"secret": secret}, nil)
			if err == nil && cassoKey != "" {
				err = callAPI(ctx, http.MethodPatch, apiURL+"/v1/webhook-sources/"+f.sourceID, apiKey, map[string]string{"casso_api_key": cassoKey}, nil)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("the demo's %s source: %w", provider, err)
		}
		at, err := sim.AddBankSource(zalosim.BankSource{Provider: provider, URL: f.url, Secret: secret, CassoAPIKey: cassoKey})
		if err != nil {
			return nil, err
		}
		first := zalosim.PaymentRequest{SourceID: at.ID, AccountNumber: demoAccount, Amount: 599_000, Description: "Thanh toan don hang 1234"}
		if provider == zalosim.ProviderSePay {
			first = zalosim.PaymentRequest{SourceID: at.ID, AccountNumber: demoAccount, Amount: 250_000, Description: "chuyen tien DH5678", Code: "DH5678"}
		}
		if _, status, err := sim.Pay(first); err != nil {
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

// callAPI sends body as JSON with the API key and decodes a 2xx answer
// into out.
func callAPI(ctx context.Context, method, url, key string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("%s %s: %d %s", method, url, res.StatusCode, b)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}
