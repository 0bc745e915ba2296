package api

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tingting-vn/tingting/db"
)

type bankAccountRequest struct {
	BankCode      string `json:"bank_code"`
	BankName      string `json:"bank_name"`
	AccountNumber string `json:"account_number"`
	AccountName   string `json:"account_name"`
}

type bankAccountResponse struct {
	ID            string `json:"id"`
	BankCode      string `json:"bank_code"`
	BankName      string `json:"bank_name"`
	AccountNumber string `json:"account_number"`
	AccountName   string `json:"account_name"`
}

func toBankAccount(b db.BankAccount) bankAccountResponse {
	return bankAccountResponse{
		ID: b.ID.String(), BankCode: b.BankCode, BankName: b.BankName,
		AccountNumber: b.AccountNumber, AccountName: b.AccountName,
	}
}

func (s *Server) createBankAccount(c echo.Context) error {
	var req bankAccountRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p := db.CreateBankAccountParams{WorkspaceID: workspaceID(c)}
	var err error
	if p.AccountNumber, err = requiredText("account_number", req.AccountNumber, 64); err != nil {
		return err
	}
	if p.BankCode, err = text("bank_code", req.BankCode, 32); err != nil {
		return err
	}
	if p.BankName, err = text("bank_name", req.BankName, 128); err != nil {
		return err
	}
	if p.AccountName, err = text("account_name", req.AccountName, 128); err != nil {
		return err
	}
	b, err := s.queries.CreateBankAccount(c.Request().Context(), p)
	if errors.Is(err, db.ErrConflict) {
		return newError(http.StatusConflict, "conflict", "account_number %s is registered already", p.AccountNumber)
	} else if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toBankAccount(b))
}

func (s *Server) listBankAccounts(c echo.Context) error {
	rows, err := s.queries.ListBankAccounts(c.Request().Context(), workspaceID(c))
	if err != nil {
		return err
	}
	items := make([]bankAccountResponse, len(rows))
	for i, b := range rows {
		items[i] = toBankAccount(b)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}
