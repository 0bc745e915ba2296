package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/tingting-vn/tingting/casso"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/message"
)

// maxAmount rejects absurd amounts: 10^15 đồng is far beyond any real
// transfer and far inside int64.
const maxAmount = 1_000_000_000_000_000

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
// outbox, in one statement, and answers 202 at once: the dispatcher starts
// the notification whether or not Temporal answers now. A transaction seen
// before answers duplicate:true and notifies nobody again.
func (s *Server) createTransaction(c echo.Context) error {
	ctx := c.Request().Context()
	var req transactionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := s.transactionParams(ctx, workspaceID(c), req)
	if err != nil {
		return err
	}
	txn, duplicate, err := recordTransaction(ctx, s.queries, p)
	if errors.Is(err, errReusedID) {
		return newError(http.StatusConflict, "conflict", "external_id %s was recorded before with a different amount or time", p.ExternalID)
	} else if err != nil {
		return err
	}
	s.metrics.Ingested.WithLabelValues("api", strconv.FormatBool(duplicate)).Inc()
	return c.JSON(http.StatusAccepted, transactionAccepted{TransactionID: txn.ID.String(), Duplicate: duplicate})
}

// transactionParams validates the request and resolves its bank account.
func (s *Server) transactionParams(ctx context.Context, ws uuid.UUID, req transactionRequest) (db.RecordTransactionParams, error) {
	p := db.RecordTransactionParams{WorkspaceID: ws, ExternalID: req.ExternalID}
	var err error
	switch {
	case req.Amount == nil:
		return p, invalid("amount: required (integer đồng, negative for money out)")
	case *req.Amount == 0:
		return p, invalid("amount: must not be 0")
	case *req.Amount > maxAmount || *req.Amount < -maxAmount:
		return p, invalid("amount: absurd value; at most %d đồng either way", maxAmount)
	}
	p.Amount = *req.Amount
	if b := req.BalanceAfter; b != nil && (*b > maxAmount || *b < -maxAmount) {
		return p, invalid("balance_after: absurd value; at most %d đồng either way", maxAmount)
	}
	p.BalanceAfter = req.BalanceAfter
	if req.OccurredAt == "" {
		return p, invalid("occurred_at: required (RFC 3339, e.g. 2024-10-03T15:06:37+07:00)")
	}
	if p.OccurredAt, err = time.Parse(time.RFC3339, req.OccurredAt); err != nil {
		return p, invalid("occurred_at: not an RFC 3339 time (e.g. 2024-10-03T15:06:37+07:00)")
	}
	if p.OccurredAt.Year() < 2000 || p.OccurredAt.After(s.now().Add(casso.MaxAhead)) {
		return p, invalid("occurred_at: must be after 2000 and not more than a day ahead")
	}
	p.Description, p.Reference = req.Description, req.Reference
	p.CounterAccountName, p.CounterAccountNumber, p.CounterBankName = req.CounterAccountName, req.CounterAccountNumber, req.CounterBankName
	if err := cleanTransaction(&p, refuseOverLimit); err != nil {
		return p, err
	}
	acct, err := s.resolveBankAccount(ctx, ws, req.BankAccountID, req.AccountNumber)
	p.BankAccountID = acct.ID
	return p, err
}

// overLimit says what becomes of text longer than its field allows.
type overLimit int

const (
	// refuseOverLimit answers 400: a REST client can fix what it sends.
	refuseOverLimit overLimit = iota
	// cutOverLimit cuts the text to the limit at a character boundary: a
	// signed webhook body must never be lost (its raw JSON keeps it whole).
	cutOverLimit
)

// maxExternalID is the longest external id, in characters.
const maxExternalID = 128

// cleanTransaction checks and trims a transaction's free text, whichever
// source it came from: one table of limits, and over decides what text
// over its limit becomes.
func cleanTransaction(p *db.RecordTransactionParams, over overLimit) error {
	if over == cutOverLimit && utf8.RuneCountInString(strings.TrimSpace(p.ExternalID)) > maxExternalID {
		// An id is an identity: cut, two could become one. Its digest is
		// as distinct, and as stable for the redeliveries.
		sum := sha256.Sum256([]byte(p.ExternalID))
		p.ExternalID = "sha256:" + hex.EncodeToString(sum[:])
	}
	var err error
	if p.ExternalID, err = requiredText("external_id", p.ExternalID, maxExternalID); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{
		{"description", &p.Description, 1000},
		{"reference", &p.Reference, 128},
		{"counter_account_name", &p.CounterAccountName, 128},
		{"counter_account_number", &p.CounterAccountNumber, 64},
		{"counter_bank_name", &p.CounterBankName, 128},
	} {
		s := cleanText(*f.v)
		if over == cutOverLimit {
			s = cut(s, f.max)
		}
		if *f.v, err = text(f.name, s, f.max); err != nil {
			return err
		}
	}
	return nil
}

// cleanText is applied to every free-text field of a transaction, from
// every source, before its limit: control and format characters become
// spaces (message.Clean), so whoever pays cannot add a line to the OA's
// message, and invalid UTF-8 cannot sink a signed body.
func cleanText(s string) string {
	return strings.TrimSpace(message.Clean(s))
}

// cut shortens s to at most max characters, at a character boundary.
func cut(s string, max int) string {
	n := 0
	for i := range s {
		if n == max {
			return s[:i]
		}
		n++
	}
	return s
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

// errReusedID: a transaction id seen before, with another amount or time.
var errReusedID = errors.New("transaction id reused for a different transaction")

// recordTransaction stores the transaction once and queues its
// notification (one statement: RecordTransaction): the REST and Casso
// paths both come here. A second post of the same (bank account, external
// id) is a duplicate and queues nothing; one that disagrees on the amount
// or time is errReusedID, with the transaction first recorded.
func recordTransaction(ctx context.Context, q *db.Queries, p db.RecordTransactionParams) (db.RecordTransactionRow, bool, error) {
	txn, err := q.RecordTransaction(ctx, p)
	switch {
	case err != nil:
		return txn, false, err
	case !txn.Inserted && (txn.Amount != p.Amount || !txn.OccurredAt.Equal(p.OccurredAt)):
		return txn, true, errReusedID
	}
	return txn, !txn.Inserted, nil
}

type transactionResponse struct {
	ID                   string             `json:"id"`
	BankAccountID        string             `json:"bank_account_id"`
	ExternalID           string             `json:"external_id"`
	Amount               int64              `json:"amount"`
	Description          string             `json:"description"`
	BalanceAfter         *int64             `json:"balance_after"`
	OccurredAt           time.Time          `json:"occurred_at"`
	Reference            string             `json:"reference"`
	CounterAccountName   string             `json:"counter_account_name"`
	CounterAccountNumber string             `json:"counter_account_number"`
	CounterBankName      string             `json:"counter_bank_name"`
	ReceivedAt           time.Time          `json:"received_at"`
	Deliveries           []deliveryResponse `json:"deliveries"`
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
		CounterBankName: t.CounterBankName, ReceivedAt: t.ReceivedAt, Deliveries: make([]deliveryResponse, len(ds)),
	}
	for i, d := range ds {
		res.Deliveries[i] = toDelivery(d, t.OccurredAt)
	}
	return c.JSON(http.StatusOK, res)
}
