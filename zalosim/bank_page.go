package zalosim

import (
	"html/template"
	"slices"

	"github.com/tingting-vn/tingting/internal/vntime"
)

// The /_sandbox page's bank box: the sources, a form to make a payment,
// and the latest webhook attempts.
var _ = template.Must(pageTmpl.New("bank").Parse(`<div class="box"><h2>Ngân hàng (Casso, SePay)</h2>
{{if .Sources}}<table><tr><th>Nguồn</th><th>Webhook tới</th><th>Xác thực</th><th>Đọc lại (API key)</th></tr>
{{range .Sources}}<tr><td>{{if eq .Provider "sepay"}}SePay{{else}}Casso{{end}} <small>{{.ID}}</small></td><td><code>{{.URL}}</code></td>
<td>{{if eq .Provider "sepay"}}{{.Auth}}{{else}}X-Casso-Signature{{end}}</td><td>{{if .CassoAPIKey}}<span class="ok">có</span>{{else}}<small>không</small>{{end}}</td></tr>
{{end}}</table>
<form method="post" action="/_sandbox/bank/transactions"><select name="source_id">{{range .Sources}}<option value="{{.ID}}">{{if eq .Provider "sepay"}}SePay{{else}}Casso{{end}} {{.ID}}</option>{{end}}</select>
<input name="account_number" placeholder="số tài khoản" size="14" required value="{{.Account}}">
<input name="amount" type="number" placeholder="số tiền (âm: tiền ra)" size="14" required value="599000">
<input name="description" placeholder="nội dung" size="28" value="Thanh toan don hang">
<input name="code" placeholder="mã thanh toán (SePay)" size="16">
<label><input type="checkbox" name="deliver" checked> Gửi webhook</label> <button>Tạo giao dịch</button></form>
<br><small>Bỏ "Gửi webhook" để giả lập một webhook bị mất: chỉ đọc lại (Casso, GET /v2/transactions) mới tìm thấy giao dịch.</small>
{{else}}<p><small>Chưa có nguồn nào: POST /_sandbox/bank/sources với URL webhook của một nguồn tingting.</small></p>{{end}}
{{if .Deliveries}}<h3>Webhook ngân hàng gần đây</h3><table><tr><th>Lúc</th><th>Giao dịch</th><th>Lần</th><th>Kết quả</th></tr>
{{range .Deliveries}}<tr><td>{{.AnsweredAt.Format "15:04:05"}}</td><td>{{.TransactionID}}</td><td>{{.Attempt}}</td>
<td>{{if and (ge .Status 200) (le .Status 299)}}<span class="ok">{{.Status}}</span>{{else if .Status}}<span class="bad">HTTP {{.Status}}</span>{{else}}<span class="bad">không trả lời</span>{{end}}</td></tr>
{{end}}</table>{{end}}</div>`))

type bankPage struct {
	Sources    []BankSource
	Account    string // the last payment's account, to pay it again
	Deliveries []BankDelivery
}

func (s *Sim) bankPage() bankPage {
	b := s.bank
	p := bankPage{Sources: b.list()}
	b.mu.Lock()
	if n := len(b.payments); n > 0 {
		p.Account = b.payments[n-1].AccountNumber
	}
	p.Deliveries = slices.Clone(b.deliveries[max(len(b.deliveries)-keptDeliveries, 0):])
	b.mu.Unlock()
	slices.Reverse(p.Deliveries)
	for i := range p.Deliveries {
		p.Deliveries[i].AnsweredAt = p.Deliveries[i].AnsweredAt.In(vntime.Zone)
	}
	return p
}
