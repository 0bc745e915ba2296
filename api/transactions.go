package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/ingest"
)

type transactionRequest struct {
	BankAccountID        string `json:"bank_account_id"`
	AccountNumber        string `json:"account_number"`
	ExternalID           string `json:"external_id"`
	Amount               *int64 `json:"amount"`
	Description          string `json:"description"`
	BalanceAfter         *int64 `json:"balance_after"`
	OccurredAt           string `json:"occurred_at"`
	Reference            string `json:"reference"`
	CounterAccountName   string `json:"counter_account_name"`
	CounterAccountNumber string `json:"counter_account_number"`
	CounterBankName      string `json:"counter_bank_name"`
}

type transactionAccepted struct {
	TransactionID string `json:"transaction_id"`
	Duplicate     bool   `json:"duplicate"`
}

// createTransaction records a transaction, and its notification in the
// outbox, in one database transaction, and answers 202 at once: the
// dispatcher starts the notification whether or not Temporal answers now.
// The workspace's REST API is one source: an external id it gave before
// answers duplicate:true and notifies nobody again; the same id from a
// bank feed is another transaction.
func (s *Server) createTransaction(c echo.Context) error {
	ctx := c.Request().Context()
	var req transactionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	t, err := s.transactionOf(ctx, workspaceID(c), req)
	if err != nil {
		return err
	}
	var rec ingest.Recorded
	err = db.InTx(ctx, s.pool, func(q *db.Queries) error {
		rec, err = ingest.Record(ctx, q, ingest.API(workspaceID(c)), t)
		return err
	})
	if errors.Is(err, ingest.ErrReusedID) {
		return newError(http.StatusConflict, "conflict", "external_id %s was recorded before with a different amount, time or bank account", t.ExternalID)
	} else if err != nil {
		return err
	}
	s.metrics.Ingested.WithLabelValues("api", strconv.FormatBool(rec.Duplicate)).Inc()
	return c.JSON(http.StatusAccepted, transactionAccepted{TransactionID: rec.ID.String(), Duplicate: rec.Duplicate})
}

// transactionOf validates the request and resolves its bank account.
func (s *Server) transactionOf(ctx context.Context, ws uuid.UUID, req transactionRequest) (ingest.Transaction, error) {
	t := ingest.Transaction{
		ExternalID: req.ExternalID, BalanceAfter: req.BalanceAfter, Description: req.Description, Reference: req.Reference,
		CounterAccountName: req.CounterAccountName, CounterAccountNumber: req.CounterAccountNumber, CounterBankName: req.CounterBankName,
	}
	if req.Amount == nil {
		return t, invalid("amount: required (integer đồng, negative for money out)")
	}
	t.Amount = *req.Amount
	if req.OccurredAt == "" {
		return t, invalid("occurred_at: required (RFC 3339, e.g. 2024-10-03T15:06:37+07:00)")
	}
	var err error
	if t.OccurredAt, err = time.Parse(time.RFC3339, req.OccurredAt); err != nil {
		return t, invalid("occurred_at: not an RFC 3339 time (e.g. 2024-10-03T15:06:37+07:00)")
	}
	acct, err := s.resolveBankAccount(ctx, ws, req.BankAccountID, req.AccountNumber)
	if err != nil {
		return t, err
	}
	t.BankAccountID = acct.ID
	return t, t.Check(ingest.Refuse, s.now())
}

func (s *Server) resolveBankAccount(ctx context.Context, ws uuid.UUID, id, number string) (db.BankAccount, error) {
	unknown := newError(http.StatusUnprocessableEntity, "unknown_bank_account",
		"no such bank account in this workspace; register it with POST /v1/bank-accounts")
	var b db.BankAccount
	var err error
	switch {
	case id != "" && number != "":
		return b, invalid("give bank_account_id or account_number, not both")
	case id != "":
		parsed, perr := uuid.Parse(id)
		if perr != nil {
			return b, unknown
		}
		b, err = s.queries.GetBankAccount(ctx, db.GetBankAccountParams{WorkspaceID: ws, ID: parsed})
	case number != "":
		b, err = s.queries.GetBankAccountByNumber(ctx, db.GetBankAccountByNumberParams{WorkspaceID: ws, AccountNumber: number})
	default:
		return b, invalid("bank_account_id or account_number: required")
	}
	if errors.Is(err, db.ErrNotFound) {
		return b, unknown
	}
	return b, err
}

type transactionResponse struct {
	ID                   string    `json:"id"`
	BankAccountID        string    `json:"bank_account_id"`
	ExternalID           string    `json:"external_id"`
	Amount               int64     `json:"amount"`
	Description          string    `json:"description"`
	BalanceAfter         *int64    `json:"balance_after"`
	OccurredAt           time.Time `json:"occurred_at"`
	Reference            string    `json:"reference"`
	CounterAccountName   string    `json:"counter_account_name"`
	CounterAccountNumber string    `json:"counter_account_number"`
	CounterBankName      string    `json:"counter_bank_name"`
	SubAccount           string    `json:"sub_account"`
	PaymentCode          string    `json:"payment_code"`
	ReceivedAt           time.Time `json:"received_at"`
	// Via is how it arrived: api, webhook or reconcile (read back from the
	// provider); null for transactions recorded before tingting kept it.
	Via *string `json:"via"`
	// SourceID is the webhook source it came from; null for the REST API.
	SourceID   *string            `json:"source_id"`
	Deliveries []deliveryResponse `json:"deliveries"`
}

type deliveryResponse struct {
	ID            string     `json:"id"`
	IntegrationID string     `json:"integration_id"`
	Recipient     string     `json:"recipient"`
	Role          string     `json:"role"`
	Status        string     `json:"status"`
	Attempts      int32      `json:"attempts"`
	ZaloMessageID string     `json:"zalo_message_id"`
	LastError     string     `json:"last_error"`
	SentAt        *time.Time `json:"sent_at"`
	// Route is the route that carried it (or is to): cs, template or
	// template_phone (transaction and zns on deliveries from before 2026);
	// null before the first try.
	Route *string `json:"route"`
	// DeferredUntil: held until then (the recipient's quiet hours, Zalo's
	// quota or -234), for the one message that carries what was held.
	DeferredUntil *time.Time `json:"deferred_until"`
	// LagMS is from the bank's transaction time to Zalo accepting the
	// message: how long the recipient waited.
	LagMS *int64 `json:"lag_ms"`
	// SeenAt and ReceivedAt are Zalo's receipts: seen by the recipient,
	// delivered to their phone (a template by phone).
	SeenAt     *time.Time `json:"seen_at"`
	ReceivedAt *time.Time `json:"received_at"`
	// CostVND is what Zalo charges for it (a template's price; chat after
	// 48 h).
	CostVND int64 `json:"cost_vnd"`
	// MaybeDuplicate: an earlier send whose answer was lost may have
	// arrived too. Silent: a template that arrived at night, without its
	// push sound.
	MaybeDuplicate bool `json:"maybe_duplicate"`
	Silent         bool `json:"silent"`
}

func toDelivery(d db.Delivery, occurredAt time.Time) deliveryResponse {
	res := deliveryResponse{
		ID: d.ID.String(), IntegrationID: d.IntegrationID.String(), Recipient: d.Recipient,
		Role: string(d.Role), Status: string(d.Status), Attempts: d.Attempts,
		ZaloMessageID: d.ZaloMessageID, LastError: d.LastError, SentAt: d.SentAt, DeferredUntil: d.DeferredUntil,
		SeenAt: d.SeenAt, ReceivedAt: d.ReceivedAt, CostVND: d.CostVnd, MaybeDuplicate: d.MaybeDuplicate, Silent: d.Silent,
	}
	if d.Route.Valid {
		rt := string(d.Route.DeliveryRoute)
		res.Route = &rt
	}
	if d.SentAt != nil {
		lag := d.SentAt.Sub(occurredAt).Milliseconds()
		res.LagMS = &lag
	}
	return res
}

func (s *Server) getTransaction(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := pathID(c.Param("id"))
	if err != nil {
		return err
	}
	t, err := s.queries.GetTransaction(ctx, db.GetTransactionParams{WorkspaceID: workspaceID(c), ID: id})
	if err != nil {
		return err
	}
	ds, err := s.queries.ListTransactionDeliveries(ctx, t.ID)
	if err != nil {
		return err
	}
	res := transactionResponse{
		ID: t.ID.String(), BankAccountID: t.BankAccountID.String(), ExternalID: t.ExternalID,
		Amount: t.Amount, Description: t.Description, BalanceAfter: t.BalanceAfter, OccurredAt: t.OccurredAt,
		Reference: t.Reference, CounterAccountName: t.CounterAccountName, CounterAccountNumber: t.CounterAccountNumber,
		CounterBankName: t.CounterBankName, SubAccount: t.SubAccount, PaymentCode: t.PaymentCode, ReceivedAt: t.ReceivedAt,
		Deliveries: make([]deliveryResponse, len(ds)),
	}
	if t.Via.Valid {
		via := string(t.Via.TransactionVia)
		res.Via = &via
	}
	if t.SourceID.Valid {
		id := t.SourceID.UUID.String()
		res.SourceID = &id
	}
	for i, d := range ds {
		res.Deliveries[i] = toDelivery(d, t.OccurredAt)
	}
	return c.JSON(http.StatusOK, res)
}
