package zalosim

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tingting-vn/tingting/internal/vntime"
)

// The bank-feed side of the sandbox: it plays Casso (webhook v2 and the
// read-back API) and SePay. A source says where and how a provider posts
// its webhooks; a payment made at the provider is posted there, signed,
// and posted again on a non-2xx answer, seconds apart; Casso's payments
// can be read back with the source's API key.

// The bank feeds the sandbox plays.
const (
	ProviderCasso = "casso_v2"
	ProviderSePay = "sepay"
)

// BankSource is where and how the sandbox posts a provider's webhooks.
type BankSource struct {
	ID       string `json:"id"`
	Provider string `json:"provider"` // casso_v2 or sepay
	URL      string `json:"url"`
	Secret   string `json:"-"`
	// Auth is a SePay source's: hmac (default) or apikey.
	Auth string `json:"auth,omitempty"`
	// CassoAPIKey opens the source's payments to GET /v2/transactions.
	CassoAPIKey string `json:"-"`
}

// Payment is a bank transaction at the provider.
type Payment struct {
	ID            int64     `json:"id"` // the provider's id
	SourceID      string    `json:"source_id"`
	AccountNumber string    `json:"account_number"`
	Amount        int64     `json:"amount"` // đồng, negative = money out
	Description   string    `json:"description"`
	Code          string    `json:"code,omitempty"`        // SePay's payment code
	SubAccount    string    `json:"sub_account,omitempty"` // a virtual account
	Balance       int64     `json:"balance"`               // the account's, after it
	At            time.Time `json:"at"`                    // by the sandbox clock
}

// BankDelivery is one attempt to post a payment's webhook.
type BankDelivery struct {
	TransactionID int64     `json:"transaction_id"`
	SourceID      string    `json:"source_id"`
	Attempt       int       `json:"attempt"`
	Status        int       `json:"status"` // 0: no answer
	AnsweredAt    time.Time `json:"answered_at"`
}

// bankRetries are the waits before each retry of a webhook answered
// with anything but 2xx: SePay's Fibonacci schedule (1, 1, 2, 3, 5, 8,
// 13 minutes), in seconds. Casso's own schedule is not published; it gets
// the same.
var bankRetries = []time.Duration{1 * time.Second, 1 * time.Second, 2 * time.Second, 3 * time.Second,
	5 * time.Second, 8 * time.Second, 13 * time.Second}

// openingBalance is every account's balance before its first payment.
const openingBalance = 10_000_000

type bank struct {
	mu         sync.Mutex
	sources    map[string]*BankSource
	order      []string
	payments   []Payment
	deliveries []BankDelivery
	balances   map[string]int64
	nextID     int64 // provider ids: from the start time, so no run repeats another's
}

func newBank(now time.Time) *bank {
	return &bank{sources: map[string]*BankSource{}, balances: map[string]int64{}, nextID: now.UnixMilli()}
}

// AddBankSource registers where and how a provider's webhooks go, as POST
// /_sandbox/bank/sources does.
func (s *Sim) AddBankSource(src BankSource) (BankSource, error) {
	switch {
	case src.Provider != ProviderCasso && src.Provider != ProviderSePay:
		return src, fmt.Errorf("provider: casso_v2 or sepay")
	case !strings.HasPrefix(src.URL, "http://") && !strings.HasPrefix(src.URL, "https://"):
		return src, fmt.Errorf("url: an http(s) URL, the source's webhook URL")
	case src.Secret == "":
		return src, fmt.Errorf("secret: required")
	case src.Provider == ProviderCasso && src.Auth != "":
		return src, fmt.Errorf("auth: only for sepay")
	case src.Provider == ProviderSePay && src.CassoAPIKey != "":
		return src, fmt.Errorf("casso_api_key: only for casso_v2")
	}
	if src.Provider == ProviderSePay && src.Auth == "" {
		src.Auth = "hmac"
	}
	if src.Auth != "" && src.Auth != "hmac" && src.Auth != "apikey" {
		return src, fmt.Errorf("auth: hmac or apikey")
	}
	s.mu.Lock()
	src.ID = fmt.Sprintf("bank-%x", s.rnd.Uint64())
	s.mu.Unlock()
	b := s.bank
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sources[src.ID] = &src
	b.order = append(b.order, src.ID)
	return src, nil
}

// PaymentRequest is a payment to make at a provider.
type PaymentRequest struct {
	SourceID      string `json:"source_id"`
	AccountNumber string `json:"account_number"`
	Amount        int64  `json:"amount"`
	Description   string `json:"description"`
	// Deliver: post the webhook (nil: yes); false drops it, as a provider
	// that gave up would, leaving the payment to read-back.
	Deliver    *bool  `json:"deliver"`
	Code       string `json:"code"`
	SubAccount string `json:"sub_account"`
}

// Pay records a payment at its source's provider and, unless asked not
// to, posts its signed webhook: the first attempt before it returns (its
// status, 0 if none), the retries in the background.
func (s *Sim) Pay(req PaymentRequest) (Payment, int, error) {
	b := s.bank
	b.mu.Lock()
	src, ok := b.sources[req.SourceID]
	switch {
	case !ok:
		b.mu.Unlock()
		return Payment{}, 0, fmt.Errorf("source_id: no such sandbox bank source")
	case strings.TrimSpace(req.AccountNumber) == "":
		b.mu.Unlock()
		return Payment{}, 0, fmt.Errorf("account_number: required")
	case req.Amount == 0:
		b.mu.Unlock()
		return Payment{}, 0, fmt.Errorf("amount: must not be 0 (negative for money out)")
	}
	if _, ok := b.balances[req.AccountNumber]; !ok {
		b.balances[req.AccountNumber] = openingBalance
	}
	b.balances[req.AccountNumber] += req.Amount
	b.nextID++
	p := Payment{
		ID: b.nextID, SourceID: src.ID, AccountNumber: strings.TrimSpace(req.AccountNumber), Amount: req.Amount,
		Description: req.Description, Code: req.Code, SubAccount: req.SubAccount,
		Balance: b.balances[req.AccountNumber], At: s.Now().Truncate(time.Second),
	}
	b.payments = append(b.payments, p)
	source := *src
	b.mu.Unlock()
	if req.Deliver != nil && !*req.Deliver {
		return p, 0, nil
	}
	return p, s.deliverPayment(source, p), nil
}

// Resend posts a payment's webhook once more, as a merchant replaying it
// by hand from the provider's log does (retried the same way); it answers
// the first attempt's status.
func (s *Sim) Resend(id int64) (int, error) {
	b := s.bank
	b.mu.Lock()
	i := slices.IndexFunc(b.payments, func(p Payment) bool { return p.ID == id })
	if i < 0 {
		b.mu.Unlock()
		return 0, fmt.Errorf("no such sandbox payment")
	}
	p := b.payments[i]
	source := *b.sources[p.SourceID]
	b.mu.Unlock()
	return s.deliverPayment(source, p), nil
}

// deliverPayment posts a payment's webhook before it returns (its status,
// 0 if no answer) and, on anything but 2xx, again in the background.
func (s *Sim) deliverPayment(src BankSource, p Payment) int {
	status := s.postPayment(src, p, 1)
	if status < 200 || status > 299 {
		s.hooks.background(func() { s.repostPayment(src, p) })
	}
	return status
}

// repostPayment retries a payment's webhook on bankRetries' schedule
// until it gets a 2xx, then gives up, as the providers do.
func (s *Sim) repostPayment(src BankSource, p Payment) {
	for i, wait := range bankRetries {
		select {
		case <-s.hooks.ctx.Done():
			return
		case <-time.After(wait):
		}
		if status := s.postPayment(src, p, i+2); status >= 200 && status <= 299 {
			return
		}
	}
}

// postPayment posts one attempt of a payment's webhook, signed afresh
// with the real time (the provider's servers' clock), and logs it.
func (s *Sim) postPayment(src BankSource, p Payment, attempt int) int {
	body, header := paymentWebhook(src, p, s.cfg.Now())
	req, err := http.NewRequestWithContext(s.hooks.ctx, http.MethodPost, src.URL, bytes.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	status := 0
	if res, err := s.cfg.HTTPClient.Do(req); err == nil {
		res.Body.Close()
		status = res.StatusCode
	}
	b := s.bank
	b.mu.Lock()
	b.deliveries = append(b.deliveries, BankDelivery{TransactionID: p.ID, SourceID: src.ID, Attempt: attempt, Status: status, AnsweredAt: s.Now()})
	b.mu.Unlock()
	return status
}

// paymentWebhook is a payment's webhook as its provider posts it: the body
// and the headers that authenticate it.
func paymentWebhook(src BankSource, p Payment, now time.Time) ([]byte, map[string]string) {
	if src.Provider == ProviderSePay {
		body := mustJSON(sepayWebhook(p))
		if src.Auth == "apikey" {
			return body, map[string]string{"Authorization": "Apikey " + src.Secret}
		}
		ts := strconv.FormatInt(now.Unix(), 10)
		mac := hmac.New(sha256.New, []byte(src.Secret))
		mac.Write([]byte(ts + "."))
		mac.Write(body)
		return body, map[string]string{"X-SePay-Timestamp": ts, "X-SePay-Signature": hex.EncodeToString(mac.Sum(nil))}
	}
	// Casso sends its fields in its own order, and signs them sorted A→Z
	// (which encoding/json does for a map).
	data := cassoRecord(p)
	body := mustJSON(struct {
		Error int         `json:"error"`
		Data  cassoFields `json:"data"`
	}{0, data})
	sorted := mustJSON(map[string]any{"error": 0, "data": data.sorted()})
	t := strconv.FormatInt(now.UnixMilli(), 10)
	mac := hmac.New(sha512.New, []byte(src.Secret))
	mac.Write([]byte(t + "."))
	mac.Write(sorted)
	return body, map[string]string{"X-Casso-Signature": "t=" + t + ",v1=" + hex.EncodeToString(mac.Sum(nil))}
}

// cassoFields are a Casso v2 transaction, in Casso's order.
type cassoFields struct {
	ID                     int64  `json:"id"`
	Reference              string `json:"reference"`
	Description            string `json:"description"`
	Amount                 int64  `json:"amount"`
	RunningBalance         int64  `json:"runningBalance"`
	TransactionDateTime    string `json:"transactionDateTime"`
	AccountNumber          string `json:"accountNumber"`
	BankName               string `json:"bankName"`
	BankAbbreviation       string `json:"bankAbbreviation"`
	VirtualAccountNumber   string `json:"virtualAccountNumber"`
	VirtualAccountName     string `json:"virtualAccountName"`
	CounterAccountName     string `json:"counterAccountName"`
	CounterAccountNumber   string `json:"counterAccountNumber"`
	CounterAccountBankID   string `json:"counterAccountBankId"`
	CounterAccountBankName string `json:"counterAccountBankName"`
}

// sorted is the fields as a map: marshalled, its keys come sorted.
func (c cassoFields) sorted() map[string]any {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(mustJSON(c)))
	dec.UseNumber()
	_ = dec.Decode(&m)
	return m
}

func cassoRecord(p Payment) cassoFields {
	return cassoFields{
		ID: p.ID, Reference: fmt.Sprint("FT", p.ID), Description: p.Description, Amount: p.Amount, RunningBalance: p.Balance,
		TransactionDateTime: p.At.In(vntime.Zone).Format(time.DateTime), AccountNumber: p.AccountNumber,
		BankName: "Vietcombank", BankAbbreviation: "VCB", VirtualAccountNumber: p.SubAccount,
		CounterAccountName: "NGUYEN VAN A", CounterAccountNumber: "1903xxxx5678", CounterAccountBankID: "970407",
		CounterAccountBankName: "Techcombank",
	}
}

// sepayFields are a SePay webhook, in SePay's order.
type sepayFields struct {
	ID              int64   `json:"id"`
	Gateway         string  `json:"gateway"`
	TransactionDate string  `json:"transactionDate"`
	AccountNumber   string  `json:"accountNumber"`
	Code            *string `json:"code"`
	Content         string  `json:"content"`
	TransferType    string  `json:"transferType"`
	TransferAmount  int64   `json:"transferAmount"`
	Accumulated     int64   `json:"accumulated"`
	SubAccount      *string `json:"subAccount"`
	ReferenceCode   string  `json:"referenceCode"`
	Description     string  `json:"description"`
}

func sepayWebhook(p Payment) sepayFields {
	f := sepayFields{
		ID: p.ID, Gateway: "Vietcombank", TransactionDate: p.At.In(vntime.Zone).Format(time.DateTime),
		AccountNumber: p.AccountNumber, Content: p.Description, TransferType: "in", TransferAmount: p.Amount,
		Accumulated: p.Balance, ReferenceCode: fmt.Sprint("MBVCB.", p.ID), Description: "BankAPINotify " + p.Description,
	}
	if p.Amount < 0 {
		f.TransferType, f.TransferAmount = "out", -p.Amount
	}
	if p.Code != "" {
		f.Code = &p.Code
	}
	if p.SubAccount != "" {
		f.SubAccount = &p.SubAccount
	}
	return f
}

func mustJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// BankDeliveries lists every attempt to post a payment's webhook, in order.
func (s *Sim) BankDeliveries() []BankDelivery {
	b := s.bank
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]BankDelivery(nil), b.deliveries...)
}

// list is the sources, in the order they were added.
func (b *bank) list() []BankSource {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]BankSource, len(b.order))
	for i, id := range b.order {
		out[i] = *b.sources[id]
	}
	return out
}
