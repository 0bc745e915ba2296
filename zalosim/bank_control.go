package zalosim

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tingting-vn/tingting/internal/vntime"
)

func (s *Sim) bankRoutes() {
	s.mux.HandleFunc("POST /_sandbox/bank/sources", s.postBankSource)
	s.mux.HandleFunc("POST /_sandbox/bank/transactions", s.postBankTransaction)
	s.mux.HandleFunc("POST /_sandbox/bank/transactions/{id}/resend", s.resendBankTransaction)
	s.mux.HandleFunc("GET /_sandbox/bank/deliveries", s.getBankDeliveries)
	// Casso's read-back API (its real host is CASSO_API_URL).
	s.mux.HandleFunc("GET /v2/transactions", s.cassoTransactions)
}

// postBankSource is POST /_sandbox/bank/sources {provider, url, secret,
// auth?, casso_api_key?}.
func (s *Sim) postBankSource(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Provider    string `json:"provider"`
		URL         string `json:"url"`
		Secret      string `json:"secret"`
		Auth        string `json:"auth"`
		CassoAPIKey string `json:"casso_api_key"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		controlError(w, http.StatusBadRequest, "bad_request", `body must be JSON like {"provider":"casso_v2","url":"http://…/v1/hooks/casso/…","secret":"…"}`)
		return
	}
	src, err := s.AddBankSource(BankSource{Provider: req.Provider, URL: req.URL, Secret: req.Secret, Auth: req.Auth, CassoAPIKey: req.CassoAPIKey})
	if err != nil {
		controlError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"id": src.ID})
}

// postBankTransaction is POST /_sandbox/bank/transactions {source_id,
// account_number, amount, description, deliver?} (and the page's form).
func (s *Sim) postBankTransaction(w http.ResponseWriter, r *http.Request) {
	var req PaymentRequest
	if isForm(r) {
		amount, err := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("amount")), 10, 64)
		if err != nil {
			controlError(w, http.StatusBadRequest, "bad_request", "amount: a whole number of đồng")
			return
		}
		deliver := r.PostFormValue("deliver") != ""
		req = PaymentRequest{
			SourceID: r.PostFormValue("source_id"), AccountNumber: r.PostFormValue("account_number"), Amount: amount,
			Description: r.PostFormValue("description"), Deliver: &deliver,
			Code: r.PostFormValue("code"), SubAccount: r.PostFormValue("sub_account"),
		}
	} else if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		controlError(w, http.StatusBadRequest, "bad_request",
			`body must be JSON like {"source_id":"bank-…","account_number":"0123456789","amount":599000,"description":"…"}`)
		return
	}
	p, status, err := s.Pay(req)
	if err != nil {
		controlError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	if isForm(r) {
		http.Redirect(w, r, "/_sandbox", http.StatusSeeOther)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": p.ID, "webhook_status": status})
}

// resendBankTransaction is POST /_sandbox/bank/transactions/{id}/resend:
// the payment's webhook posted again, as a merchant's replay.
func (s *Sim) resendBankTransaction(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	status := 0
	if err == nil {
		status, err = s.Resend(id)
	}
	if err != nil {
		controlError(w, http.StatusNotFound, "not_found", "no such sandbox payment")
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"webhook_status": status})
}

// getBankDeliveries is GET /_sandbox/bank/deliveries: every attempt to
// post a payment's webhook, oldest first.
func (s *Sim) getBankDeliveries(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"items": s.BankDeliveries()})
}

// cassoTransactions is Casso's GET /v2/transactions: the payments of the
// Casso sources whose API key the Authorization header carries
// ("Apikey <key>"), between fromDate and toDate (Vietnam dates, both
// included; the last 7 days by default), paged (10 a page by default)
// and sorted by time (sort=ASC or DESC).
func (s *Sim) cassoTransactions(w http.ResponseWriter, r *http.Request) {
	scheme, key, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	b := s.bank
	b.mu.Lock()
	sources := map[string]bool{}
	for _, src := range b.sources {
		if src.Provider == ProviderCasso && src.CassoAPIKey != "" && strings.EqualFold(scheme, "Apikey") && src.CassoAPIKey == strings.TrimSpace(key) {
			sources[src.ID] = true
		}
	}
	var all []Payment
	for _, p := range b.payments {
		if sources[p.SourceID] {
			all = append(all, p)
		}
	}
	b.mu.Unlock()
	if len(sources) == 0 {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": 401, "message": "Unauthorized: invalid API key", "data": nil})
		return
	}
	q := r.URL.Query()
	today := s.Now().In(vntime.Zone)
	from, to := today.AddDate(0, 0, -7).Format(time.DateOnly), today.Format(time.DateOnly)
	if v := q.Get("fromDate"); v != "" {
		from = v
	}
	if v := q.Get("toDate"); v != "" {
		to = v
	}
	page, size := min(atLeastOne(q.Get("page"), 1), 1_000_000), min(atLeastOne(q.Get("pageSize"), 10), 1000)
	var in []Payment
	for _, p := range all {
		if day := p.At.In(vntime.Zone).Format(time.DateOnly); day >= from && day <= to {
			in = append(in, p)
		}
	}
	slices.SortStableFunc(in, func(a, b Payment) int { return a.At.Compare(b.At) })
	if strings.EqualFold(q.Get("sort"), "DESC") {
		slices.Reverse(in)
	}
	pages := (len(in) + size - 1) / size
	records := []cassoFields{}
	for _, p := range in[min((page-1)*size, len(in)):min(page*size, len(in))] {
		records = append(records, cassoRecord(p))
	}
	var next, prev any
	if page < pages {
		next = page + 1
	}
	if page > 1 {
		prev = page - 1
	}
	writeJSON(w, http.StatusOK, map[string]any{"error": 0, "message": "success", "data": map[string]any{
		"page": page, "pageSize": size, "nextPage": next, "prevPage": prev, "totalPages": pages, "totalRecords": len(in),
		"records": records,
	}})
}

// atLeastOne reads a page number or size: a whole number, 1 or more, else def.
func atLeastOne(v string, def int) int {
	if n, err := strconv.Atoi(v); err == nil && n >= 1 {
		return n
	}
	return def
}
