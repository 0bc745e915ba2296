package seed

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"

	"github.com/tingting-vn/tingting/harness/jsonhttp"
)

// Feed is a bank feed of a workspace: its webhook source in tingting, and
// the same source at the sandbox's provider.
type Feed struct {
	Provider string // casso_v2 or sepay
	ID       string // tingting's source
	URL      string // where the provider posts
	Sandbox  string // the sandbox's id for it: where to make payments
}

// NewFeed gives a workspace a source of provider through tingting's API
// (apiURL, an admin key), as its owner would: the workspace's first
// source of that provider, with a fresh secret (rotated: the API keeps
// the old one a day), or a new one; readBack gives it a fresh Casso API
// key too. Then it tells the sandbox's provider (sandboxURL) where and
// how to post, and with which key its payments are read back.
func NewFeed(ctx context.Context, apiURL, apiKey, sandboxURL, provider string, readBack bool) (Feed, error) {
	f := Feed{Provider: provider}
	secret, key := randomHex(), ""
	if readBack {
		key = randomHex()
	}
	var list struct {
		Items []struct{ ID, Provider, URL string }
	}
	if err := jsonhttp.Do(ctx, http.MethodGet, apiURL+"/v1/webhook-sources", apiKey, nil, http.StatusOK, &list); err != nil {
		return f, err
	}
	for _, s := range list.Items {
		if s.Provider == provider && f.ID == "" {
			f.ID, f.URL = s.ID, s.URL
		}
	}
	var err error
	if f.ID == "" {
		var created struct{ ID, URL string }
		err = jsonhttp.Do(ctx, http.MethodPost, apiURL+"/v1/webhook-sources", apiKey,
			map[string]string{"provider": provider, "secret": secret, "casso_api_key": key}, http.StatusCreated, &created)
		f.ID, f.URL = created.ID, created.URL
	} else {
		err = jsonhttp.Do(ctx, http.MethodPost, apiURL+"/v1/webhook-sources/"+f.ID+"/rotate", apiKey,
			map[string]string{"secret": secret}, http.StatusOK, nil)
		if err == nil && readBack {
			err = jsonhttp.Do(ctx, http.MethodPatch, apiURL+"/v1/webhook-sources/"+f.ID, apiKey,
				map[string]string{"casso_api_key": key}, http.StatusOK, nil)
		}
	}
	if err != nil {
		return f, fmt.Errorf("the %s source: %w", provider, err)
	}
	var at struct{ ID string }
	err = jsonhttp.Do(ctx, http.MethodPost, sandboxURL+"/_sandbox/bank/sources", "",
		map[string]string{"provider": provider, "url": f.URL, "secret": secret, "casso_api_key": key}, http.StatusCreated, &at)
	f.Sandbox = at.ID
	return f, err
}

func randomHex() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
