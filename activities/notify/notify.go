// Package notify holds the activities of a transaction's alerts: planning
// one delivery per recipient, sending them (each through the send core),
// recording their outcomes, and the morning message that carries the
// alerts a night held.
package notify

import (
	"time"

	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/metrics"
	"github.com/tingting-vn/tingting/message"
)

// Activities' fields are its dependencies; workflows call its methods
// through a nil *Activities.
type Activities struct {
	Pool    *db.Pool
	Sender  *send.Core
	Metrics *metrics.Metrics
	Now     func() time.Time
}

// transactionOf is what an alert shows of its transaction.
func transactionOf(t db.AlertTransaction) message.Transaction {
	return message.Transaction{
		Amount: t.Amount, Description: t.Description, BalanceAfter: t.BalanceAfter, OccurredAt: t.OccurredAt,
		BankName: t.BankName, AccountNumber: t.AccountNumber, AccountName: t.AccountName, Reference: t.Reference,
		CounterAccountName: t.CounterAccountName, CounterAccountNumber: t.CounterAccountNumber, CounterBankName: t.CounterBankName,
		SubAccount: t.SubAccount, PaymentCode: t.PaymentCode,
	}
}

// visible is the fields an alert shows: the integration's, less what the
// member hides.
func visible(fields, hidden []string) ([]message.Field, error) {
	fs, err := message.ParseFields(fields)
	return message.Visible(fs, hidden), err
}
