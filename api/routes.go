package api

import (
	"github.com/labstack/echo/v4/middleware"
)

// routes lists every route of the API in one place.
func (s *Server) routes() {
	e := s.echo
	e.Use(middleware.Recover(), s.requestLog, limitBody)

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)

	// Webhooks authenticate by signature, not API key.
	e.POST("/v1/webhooks/zalo", s.zaloWebhook)

	v1 := e.Group("/v1", s.authenticate)
	v1.POST("/bank-accounts", s.createBankAccount)
	v1.GET("/bank-accounts", s.listBankAccounts)
	v1.POST("/transactions", s.createTransaction)
	v1.GET("/transactions/:id", s.getTransaction)
}
