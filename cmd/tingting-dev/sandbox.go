package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/tingting-vn/tingting/cmd/internal/app"
	"github.com/tingting-vn/tingting/internal/config"
	"github.com/tingting-vn/tingting/zalosim"
)

// sandboxVars are the settings of the sandbox, read by the harness only.
var sandboxVars = []struct{ name, def, doc string }{
	{"ZALOSIM_ADDR", ":8090", "Where the Zalo sandbox listens (`dev` and `zalosim`)."},
	{"ZALOSIM_TOKEN_TTL", "25h", "Lifetime of the sandbox's OA access tokens (Zalo's is 25h); shorten it to watch the OATokenKeeper work."},
	{"ZALOSIM_WEBHOOK_URL", "", "Where the sandbox posts the OA's webhooks; empty means PUBLIC_URL/v1/webhooks/zalo."},
	{"ZALOSIM_CONVERSATION_TEMPLATES", "uid", "Which template messages the sandbox's conversation listing shows (Zalo's is unconfirmed): uid (by user id, not by phone), none, or all."},
}

// oaCallbackPath is where the product takes Zalo's OA consent back.
const oaCallbackPath = "/v1/oauth/zalo-oa/callback"

// oaConsole is what Zalo's developer console holds for the OA's consent,
// as the sandbox plays it: the product's OA callback, and the challenge of
// the verifier the product is given (ZALO_OA_CODE_VERIFIER, else the
// sandbox's default one).
func oaConsole(c config.Config, getenv func(string) string) zalosim.Config {
	verifier := withDefault(getenv("ZALO_OA_CODE_VERIFIER"), zalosim.DefaultOACodeVerifier)
	return zalosim.Config{AppID: c.ZaloAppID, OARedirectURI: c.PublicURL + oaCallbackPath, OACodeChallenge: zalosim.CodeChallenge(verifier)}
}

// sandbox is a Zalo sandbox that matches the Zalo settings of a, so an API
// and a worker configured alike talk to it, and the address to serve it on.
func sandbox(a *app.App, getenv func(string) string) (*zalosim.Sim, string, error) {
	addr := withDefault(getenv("ZALOSIM_ADDR"), ":8090")
	ttl, err := time.ParseDuration(withDefault(getenv("ZALOSIM_TOKEN_TTL"), "25h"))
	if err != nil || ttl <= 0 {
		return nil, "", fmt.Errorf("ZALOSIM_TOKEN_TTL: not a positive Go duration: %q", getenv("ZALOSIM_TOKEN_TTL"))
	}
	listing, err := zalosim.ParseConversationTemplates(getenv("ZALOSIM_CONVERSATION_TEMPLATES"))
	if err != nil {
		return nil, "", fmt.Errorf("ZALOSIM_CONVERSATION_TEMPLATES: %w", err)
	}
	c := a.Config
	cfg := oaConsole(c, getenv)
	cfg.AppSecret, cfg.OASecretKey = c.ZaloAppSecret, c.ZaloWebhookSecret
	cfg.OAAccessToken, cfg.OARefreshToken, cfg.AccessTokenTTL = c.ZaloOAAccessToken, c.ZaloOARefreshToken, ttl
	cfg.ConversationTemplates = listing
	cfg.WebhookURL, cfg.Seed = withDefault(getenv("ZALOSIM_WEBHOOK_URL"), c.PublicURL+"/v1/webhooks/zalo"), 1
	return zalosim.New(cfg), addr, nil
}

// runSandbox is `tingting-dev zalosim`: the sandbox alone (docker-compose).
func runSandbox(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	a, err := app.New(getenv, stderr)
	if err != nil {
		return err
	}
	sim, addr, err := sandbox(a, getenv)
	if err != nil {
		return err
	}
	defer sim.Close()
	return a.Serve(ctx, "zalosim", addr, sim)
}

func withDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
