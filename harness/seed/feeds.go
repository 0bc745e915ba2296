package seed

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"

	"github.com/google/uuid"

	"github.com/tingting-vn/tingting/apiclient"
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
	api, err := apiclient.WithAPIKey(apiURL, apiKey)
	if err != nil {
		return f, err
	}
	list, err := api.ListWebhookSourcesWithResponse(ctx)
	if err := apiclient.Expect(list, err, http.StatusOK); err != nil {
		return f, err
	}
	var id uuid.UUID
	for _, s := range list.JSON200.Items {
		if string(s.Provider) == provider {
			id, f.URL = s.ID, s.URL
			break
		}
	}
	if id == uuid.Nil {
		body := apiclient.WebhookSourceRequest{Provider: apiclient.WebhookSourceRequestProvider(provider), Secret: secret}
		if readBack {
			body.CassoAPIKey = &key
		}
		created, cerr := api.CreateWebhookSourceWithResponse(ctx, body)
		if err = apiclient.Expect(created, cerr, http.StatusCreated); err == nil {
			id, f.URL = created.JSON201.ID, created.JSON201.URL
		}
	} else {
		rotated, rerr := api.RotateWebhookSourceSecretWithResponse(ctx, id, apiclient.RotateSecretRequest{Secret: secret})
		err = apiclient.Expect(rotated, rerr, http.StatusOK)
		if err == nil && readBack {
			patched, perr := api.UpdateWebhookSourceWithResponse(ctx, id, apiclient.UpdateWebhookSourceJSONRequestBody{CassoAPIKey: key})
			err = apiclient.Expect(patched, perr, http.StatusOK)
		}
	}
	f.ID = id.String()
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
