// Package message renders the Vietnamese texts the OA sends. Pure functions:
// no I/O, no clock.
package message

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/tingting-vn/tingting/internal/vntime"
)

// Field is one piece of a transaction an integration chooses to show.
type Field string

// The fields an owner can choose; amount is always shown.
const (
	FieldAmount         Field = "amount"
	FieldTime           Field = "time"
	FieldAccount        Field = "account"
	FieldSubAccount     Field = "sub_account" // a virtual account (SePay's subAccount, Casso's virtualAccountNumber)
	FieldDescription    Field = "description"
	FieldPaymentCode    Field = "payment_code" // the payment code SePay found in the content
	FieldBalance        Field = "balance"
	FieldReference      Field = "reference"
	FieldCounterAccount Field = "counter_account"
)

// AllFields lists every field in display order.
var AllFields = []Field{
	FieldAmount, FieldTime, FieldAccount, FieldSubAccount, FieldDescription, FieldPaymentCode, FieldBalance, FieldReference, FieldCounterAccount,
}

// ParseFields validates field names and returns them in display order,
// without duplicates and always with amount.
func ParseFields(names []string) ([]Field, error) {
	chosen := map[Field]bool{FieldAmount: true}
	for _, n := range names {
		f := Field(n)
		if !isField(f) {
			return nil, fmt.Errorf("unknown field %q", n)
		}
		chosen[f] = true
	}
	var out []Field
	for _, f := range AllFields {
		if chosen[f] {
			out = append(out, f)
		}
	}
	return out, nil
}

func isField(f Field) bool {
	for _, g := range AllFields {
		if f == g {
			return true
		}
	}
	return false
}

// Transaction is what a message can show of a bank transaction.
type Transaction struct {
	Amount                                                    int64 // đồng; negative = money out
	Description                                               string
	BalanceAfter                                              *int64
	OccurredAt                                                time.Time
	BankName, AccountNumber, AccountName                      string
	Reference                                                 string
	CounterAccountName, CounterAccountNumber, CounterBankName string
	SubAccount, PaymentCode                                   string // what only some feeds give
}

// MaxRunes is Zalo's limit on a customer-service text.
const MaxRunes = 2000

// Card is a message as a header and key/value rows: the cs route sends its
// Text, the transaction route its parts, so both say the same.
type Card struct {
	Header string
	Rows   []Row
}

// Row is one "key: value" line of a Card.
type Row struct{ Key, Value string }

// Text is the card as one text: the header, then a "key: value" line per
// row, at most MaxRunes long.
func (c Card) Text() string { return cutEnd(strings.Join(flatten(c), "\n"), MaxRunes) }

// Alert is the balance-change message for t showing fields.
func Alert(t Transaction, fields []Field) Card { return alert("", t, fields) }

// Render is Alert's text.
func Render(t Transaction, fields []Field) string { return Alert(t, fields).Text() }

// AlertTest is Alert marked as a test, for the wizard's test call.
func AlertTest(t Transaction, fields []Field) Card { return alert("[Tin nhắn thử] ", t, fields) }

// RenderTest is AlertTest's text.
func RenderTest(t Transaction, fields []Field) string { return AlertTest(t, fields).Text() }

func alert(prefix string, t Transaction, fields []Field) Card {
	c := Card{Header: prefix + "Biến động số dư"}
	descAt := -1
	for _, f := range fields {
		label, value := line(t, f)
		if value = strings.TrimSpace(value); value == "" {
			continue
		}
		if f == FieldDescription {
			descAt = len(c.Rows)
		}
		c.Rows = append(c.Rows, Row{label, value})
	}
	// The description is the long free text: it is what gets shorter.
	// Should the other fields alone be too long, Text cuts the end.
	if over := utf8.RuneCountInString(strings.Join(flatten(c), "\n")) - MaxRunes; over > 0 && descAt >= 0 {
		v := c.Rows[descAt].Value
		c.Rows[descAt].Value = cutEnd(v, utf8.RuneCountInString(v)-over)
	}
	return c
}

func flatten(c Card) []string {
	lines := []string{c.Header}
	for _, r := range c.Rows {
		lines = append(lines, r.Key+": "+r.Value)
	}
	return lines
}

// cutEnd shortens s to at most n runes, ending with "…" when it cuts.
func cutEnd(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:max(n-1, 0)]) + "…"
}

// line is a field's label and value, its free text cleaned (Clean): the
// last line of defence, whatever stored it.
func line(t Transaction, f Field) (label, value string) {
	label, value = rawLine(t, f)
	return label, Clean(value)
}

func rawLine(t Transaction, f Field) (label, value string) {
	switch f {
	case FieldAmount:
		return "Số tiền", FormatVND(t.Amount)
	case FieldTime:
		if t.OccurredAt.IsZero() {
			return "", ""
		}
		return "Thời gian", t.OccurredAt.In(vntime.Zone).Format("15:04:05 02/01/2006")
	case FieldAccount:
		return "Tài khoản", joinNonEmpty(" - ", t.AccountNumber, t.BankName)
	case FieldSubAccount:
		return "Tài khoản ảo", t.SubAccount
	case FieldDescription:
		return "Nội dung", t.Description
	case FieldPaymentCode:
		return "Mã thanh toán", t.PaymentCode
	case FieldBalance:
		if t.BalanceAfter == nil {
			return "", ""
		}
		return "Số dư", FormatBalance(*t.BalanceAfter)
	case FieldReference:
		return "Mã tham chiếu", t.Reference
	case FieldCounterAccount:
		return "Tài khoản đối ứng", joinNonEmpty(" - ", t.CounterAccountName, t.CounterAccountNumber, t.CounterBankName)
	}
	return "", ""
}

func joinNonEmpty(sep string, parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}

// FormatVND shows a signed amount the way Vietnamese banks do:
// +599.000 VND, -1.250.000 VND, 0 VND.
func FormatVND(amount int64) string {
	switch {
	case amount > 0:
		return "+" + groupThousands(uint64(amount)) + " VND"
	case amount < 0:
		return "-" + groupThousands(uint64(-(amount+1))+1) + " VND" // no overflow at MinInt64
	}
	return "0 VND"
}

// FormatBalance shows a balance: no plus sign, a minus if overdrawn.
func FormatBalance(amount int64) string {
	if amount < 0 {
		return "-" + groupThousands(uint64(-(amount+1))+1) + " VND"
	}
	return groupThousands(uint64(amount)) + " VND"
}

func groupThousands(n uint64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// SampleTransaction is the made-up transaction the wizard previews and
// test-sends.
func SampleTransaction(now time.Time) Transaction {
	balance := int64(25_000_000)
	return Transaction{
		Amount: 599_000, Description: "NGUYEN VAN A chuyen tien mua hang", BalanceAfter: &balance,
		OccurredAt: now, BankName: "Vietcombank", AccountNumber: "0123456789", AccountName: "CONG TY DEMO",
		Reference: "FT24277123456", CounterAccountName: "NGUYEN VAN A", CounterAccountNumber: "1903xxxx5678",
		CounterBankName: "Techcombank", SubAccount: "VQR0123456789", PaymentCode: "DH1234",
	}
}

// Param is one parameter of a ZBS template approved in Zalo's console.
type Param struct {
	Name      string `json:"name"`
	MaxLength int    `json:"max_length"` // in runes, after NFC; 0: no limit
	Required  bool   `json:"required"`
}

// Withheld is what a template parameter shows of a field the recipient may
// not see, or one the transaction lacks, when the template requires it.
const Withheld = "-"

// TemplateData fills a template's parameters from a transaction: each the
// field mapping names (param → field), if the field is visible to the
// recipient. Values are NFC-normalised (Zalo counts composed characters),
// cleaned (Clean) and cut to the parameter's length. A parameter without a
// value is left out, or Withheld when the template requires it.
func TemplateData(t Transaction, visible []Field, params []Param, mapping map[string]Field) map[string]string {
	data := map[string]string{}
	for _, p := range params {
		value := ""
		if f, ok := mapping[p.Name]; ok && slices.Contains(visible, f) {
			_, value = line(t, f)
		}
		value = norm.NFC.String(value)
		switch {
		case value == "" && p.Required:
			value = Withheld
		case value == "":
			continue
		case p.MaxLength > 0:
			value = cutEnd(value, p.MaxLength)
		}
		data[p.Name] = value
	}
	return data
}
