package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes lists every route of the API in one place.
func (s *Server) routes() {
	e := s.echo
	e.Use(middleware.Recover(), s.requestLog, limitBody)

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)

	// The web UI (package web), outside /v1; docs/openapi.yaml lists these
	// too, so it stays the whole list of what the server answers.
	e.GET("/", s.uiIndex)
	e.GET("/ui/:file", s.uiFile)

	// The codec endpoint, for operators reading Temporal (codec.go).
	codec := e.Group("/codec", s.codecCORS)
	codec.POST("/encode", s.codecEncode)
	codec.POST("/decode", s.codecDecode)
	codec.POST("/session", s.codecSession)
	codec.OPTIONS("/:op", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })

	// Webhooks authenticate by signature, and the OAuth callback by its
	// single-use state and its browser's cookie, not by API key; anyone
	// can call them, so each client address has a rate limit.
	limited := s.publicLimits.middleware
	e.POST("/v1/webhooks/zalo", s.zaloWebhook, limited)
	e.GET("/v1/oauth/zalo/callback", s.zaloCallback, limited)
	e.POST("/v1/hooks/casso/:id", s.cassoHook, limited)
	e.POST("/v1/hooks/sepay/:id", s.sepayHook, limited)

	v1 := e.Group("/v1", s.authenticate)
	v1.POST("/bank-accounts", s.createBankAccount)
	v1.GET("/bank-accounts", s.listBankAccounts)
	v1.POST("/webhook-sources", s.createWebhookSource)
	v1.POST("/transactions", s.createTransaction)
	v1.GET("/transactions/:id", s.getTransaction)

	v1.POST("/wizards", s.createWizard)
	v1.GET("/wizards/:id", s.getWizard)
	v1.PUT("/wizards/:id/bank-accounts", s.wizardBankAccounts)
	v1.POST("/wizards/:id/zalo-login", s.wizardZaloLogin)
	v1.PUT("/wizards/:id/zalo-account", s.wizardZaloAccount)
	v1.PUT("/wizards/:id/fields", s.wizardFields)
	v1.POST("/wizards/:id/test-call", s.wizardTestCall)
	v1.POST("/wizards/:id/save", s.wizardSave)
	v1.DELETE("/wizards/:id", s.cancelWizard)
	v1.GET("/zalo-accounts", s.listZaloAccounts)

	v1.GET("/integrations", s.listIntegrations)
	v1.GET("/integrations/:id", s.getIntegration)
	v1.PATCH("/integrations/:id", s.patchIntegration)
	v1.GET("/integrations/:id/deliveries", s.listDeliveries)
	v1.POST("/integrations/:id/deliveries/:delivery_id/retry", s.retryDelivery)
	v1.DELETE("/integrations/:id/members/:member_id", s.removeMember)
	v1.PATCH("/integrations/:id/members/:member_id", s.patchMember)
	v1.POST("/integrations/:id/referral-code", s.rotateReferralCode)

	v1.POST("/api-keys", s.createAPIKey)
	v1.GET("/api-keys", s.listAPIKeys)
	v1.DELETE("/api-keys/:id", s.revokeAPIKey)

	v1.GET("/webhook-sources", s.listWebhookSources)
	v1.DELETE("/webhook-sources/:id", s.deleteWebhookSource)
	v1.POST("/webhook-sources/:id/rotate", s.rotateWebhookSource)
	v1.PATCH("/webhook-sources/:id", s.patchWebhookSource)
	v1.POST("/webhook-sources/:id/sync", s.syncWebhookSource)
}
