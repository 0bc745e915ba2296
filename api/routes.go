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

	// Webhooks authenticate by signature, not by API key or session, and
	// are limited per source once it is verified (never per address: Casso
	// and Zalo send every tenant's from a few); what they refuse is counted.
	// The Zalo logins (the wizard's and signing in) prove nothing of their
	// caller until their single-use state and their browser's cookie are
	// checked, so each client address has a rate limit there.
	limited := s.publicLimits.middleware
	e.POST("/v1/webhooks/zalo", s.zaloWebhook, s.countRefused("zalo"))
	e.GET("/v1/oauth/zalo/callback", s.zaloCallback, limited)
	e.GET("/v1/oauth/zalo-oa/callback", s.oaCallback, limited)
	e.POST("/v1/hooks/casso/:id", s.cassoHook, s.countRefused("casso"))
	e.GET("/v1/auth/zalo", s.signIn, limited)
	e.GET("/v1/auth/zalo/callback", s.signInCallback, limited)
	e.POST("/v1/hooks/sepay/:id", s.sepayHook, s.countRefused("sepay"))

	// Everything else needs an API key or a session; access.go says who
	// may call each route.
	v1 := e.Group("/v1", s.authenticate)
	v1.GET("/me", s.me)
	v1.PUT("/me/workspace", s.switchWorkspace)
	v1.POST("/auth/logout", s.signOut)
	v1.GET("/sessions", s.listSessions)
	v1.DELETE("/sessions/:id", s.endSession)
	v1.GET("/my/alerts", s.myAlerts)
	v1.POST("/team/invites", s.createInvite)
	v1.POST("/team/join", s.joinTeam)
	v1.GET("/team", s.listTeam)
	v1.DELETE("/team/:user_id", s.removeTeammate)
	v1.GET("/checklist", s.checklist)

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
	v1.GET("/integrations/:id/changes", s.listChanges)
	v1.GET("/integrations/:id/deliveries", s.listDeliveries)
	v1.POST("/integrations/:id/deliveries/:delivery_id/retry", s.retryDelivery)
	v1.DELETE("/integrations/:id/members/:member_id", s.removeMember)
	v1.PATCH("/integrations/:id/members/:member_id", s.patchMember)
	v1.POST("/integrations/:id/referral-code", s.rotateReferralCode)

	v1.GET("/zalo-templates", s.listTemplates)
	v1.POST("/zalo-templates/:template_id/preview", s.previewTemplate)
	v1.GET("/zalo-oa", s.getOA)

	v1.POST("/api-keys", s.createAPIKey)
	v1.GET("/api-keys", s.listAPIKeys)
	v1.DELETE("/api-keys/:id", s.revokeAPIKey)

	v1.GET("/webhook-sources", s.listWebhookSources)
	v1.DELETE("/webhook-sources/:id", s.deleteWebhookSource)
	v1.POST("/webhook-sources/:id/rotate", s.rotateWebhookSource)
	v1.PATCH("/webhook-sources/:id", s.patchWebhookSource)
	v1.POST("/webhook-sources/:id/sync", s.syncWebhookSource)
}
