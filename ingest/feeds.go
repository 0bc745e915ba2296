package ingest

import (
	"strings"

	"github.com/tingting-vn/tingting/casso"
	"github.com/tingting-vn/tingting/sepay"
)

// FromCasso is a Casso transaction (a webhook's, v1 or v2, or one read
// back) in tingting's fields.
func FromCasso(t casso.Transaction) Transaction {
	return Transaction{
		ExternalID: t.ID, Amount: t.Amount, BalanceAfter: t.BalanceAfter, OccurredAt: t.OccurredAt,
		Description: t.Description, Reference: t.Reference,
		CounterAccountName: t.CounterAccountName, CounterAccountNumber: t.CounterAccountNumber, CounterBankName: t.CounterBankName,
		SubAccount: t.VirtualAccount, Raw: t.Raw,
		Account: Account{Number: t.AccountNumber, BankName: t.BankName, BankCode: t.BankAbbreviation},
	}
}

// FromSePay is a SePay transaction in tingting's fields: the content the
// payer wrote is the description (SePay's description, the bank's whole
// notification, stays in the raw body), the gateway the bank's name.
func FromSePay(t sepay.Transaction) Transaction {
	description := t.Content
	if strings.TrimSpace(description) == "" {
		description = t.Description
	}
	return Transaction{
		ExternalID: t.ID, Amount: t.Amount, BalanceAfter: t.Accumulated, OccurredAt: t.OccurredAt,
		Description: description, Reference: t.ReferenceCode, SubAccount: t.SubAccount, PaymentCode: t.Code, Raw: t.Raw,
		Account: Account{Number: t.AccountNumber, BankName: t.Gateway},
	}
}
