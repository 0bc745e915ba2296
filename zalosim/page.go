package zalosim

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"time"

	"github.com/tingting-vn/tingting/internal/vntime"
)

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Zalo sandbox</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
.box{border:1px solid #ccc;border-radius:8px;padding:1rem;margin:1rem 0}
.msg{white-space:pre-wrap;background:#eef5ff;border-radius:8px;padding:.5rem;margin:.5rem 0}
.kind{display:inline-block;border-radius:4px;padding:0 .3rem;background:#dde;color:#224}
.bad{color:#b00}.ok{color:#070}form{display:inline}small{color:#666}button{cursor:pointer}
table{border-collapse:collapse}td,th{padding:.2rem .6rem;text-align:left;border-bottom:1px solid #eee;vertical-align:top}</style></head><body>
<h1>Zalo sandbox</h1>
<p><small>Zalo chạy tại máy: người dùng, trạng thái quan tâm OA, tin họ nhắn cho OA và tin OA gửi họ.
<a href="/_sandbox">Tải lại</a></small></p>

<div class="box"><h2>Đồng hồ sandbox</h2>
<p><b>{{.Now.Format "15:04:05 02/01/2006"}}</b> (giờ Việt Nam) ·
{{if .Shifted}}<span class="bad">đã chỉnh</span>{{else}}<span class="ok">giờ thật</span>{{end}}
{{if .Night}} · <span class="bad">ban đêm: tin mẫu đến không chuông (silent) đến 06:00</span>{{end}}</p>
<form method="post" action="/_sandbox/clock"><input type="datetime-local" name="now" value="{{.Now.Format "2006-01-02T15:04"}}" required>
<button>Đặt giờ</button></form>
<form method="post" action="/_sandbox/clock"><button>Về giờ thật</button></form>
<br><small>Mọi quy tắc đọc đồng hồ này: cửa sổ tương tác 7 ngày (tin tư vấn), giờ ban đêm 22:00–06:00 (tin mẫu đến không chuông), giới hạn số lần gọi mỗi phút.</small></div>

<div class="box"><h2>Official Account</h2>
<p>Webhook: {{with .WebhookURL}}<code>{{.}}</code>{{else}}<small>chưa cấu hình</small>{{end}}<br>
Token OA: {{if .Revoked}}<b class="bad">đã bị thu hồi</b> — refresh token bị dùng lại; quản trị viên cần cấp quyền lại cho ứng dụng{{else if .AccessExpires.IsZero}}<small>chưa có</small>{{else}}hết hạn lúc {{.AccessExpires.Format "15:04:05 02/01/2006"}}{{end}}
· {{.Refreshes}} lần làm mới<br>
Cấp quyền cho ứng dụng: {{if .ConsentURL}}<a href="{{.ConsentURL}}">link của console</a>{{else}}<small>chưa cấu hình callback của OA</small>{{end}}</p>
<form method="post" action="/_sandbox/oa">Tình trạng OA:
<label><input type="checkbox" name="is_verified"{{if .OA.IsVerified}} checked{{end}}> Đã xác thực</label>
<input name="package_name" placeholder="gói dịch vụ" size="12" value="{{.OA.PackageName}}">
<label><input type="checkbox" name="linked_zca"{{if .OA.LinkedZCA}} checked{{end}}> Liên kết ZCA{{with .OA.LinkedZCA}} <small>{{.}}</small>{{end}}</label>
<button>Lưu</button></form>
{{if not .OA.IsVerified}}<br><span class="bad">Chưa xác thực: mọi tin bị từ chối (-221)</span>{{end}}
{{if not .OA.PackageName}}<br><span class="bad">Không có gói: tin tư vấn và tin mẫu theo user id bị từ chối (-224)</span>{{end}}
{{if not .OA.LinkedZCA}}<br><span class="bad">Không liên kết ZCA: tin mẫu bị từ chối (-320)</span>{{end}}
<p><form method="post" action="/_sandbox/faults">Lỗi giả lập:
<input name="error_code" placeholder="mã lỗi, vd -32" size="12" value="{{with .Faults.ErrorCode}}{{.}}{{end}}">
<input name="error_rate" placeholder="tỉ lệ 0..1" size="8" value="{{with .Faults.ErrorRate}}{{.}}{{end}}">
<input name="http_status" placeholder="HTTP, vd 503" size="10" value="{{with .Faults.HTTPStatus}}{{.}}{{end}}">
<input name="latency_ms" placeholder="độ trễ ms" size="8" value="{{with .Faults.LatencyMS}}{{.}}{{end}}">
<input name="routes" placeholder="route, vd cs,template" size="16" value="{{.FaultRoutes}}">
<input name="rate_limit_per_minute" placeholder="giới hạn/phút" size="10" value="{{with .Faults.RateLimitPerMinute}}{{.}}{{end}}">
<button>Áp dụng</button></form>
<form method="post" action="/_sandbox/faults"><button>Xoá lỗi</button></form></p>
<small>-32 quá giới hạn · -211 hết quota · -217 bị chặn · -230 chưa tương tác 7 ngày · -234 chặn ban đêm · -201 tham số sai · -146 mẫu bị vô hiệu ·
route: {{.Faultable}} (trống: mọi lệnh gọi OA API)</small>
<p>Số lần gọi: {{range .Calls}}{{.Label}} <b>{{.N}}</b> · {{end}}bị từ chối: {{range .Refused}}<b>{{.Code}}</b>×{{.N}} {{else}}chưa có{{end}}</p></div>

<div class="box"><h2>Mẫu tin ZBS</h2>
{{if .Templates}}<table><tr><th>Mẫu</th><th>Loại · chất lượng</th><th>Tham số</th><th>Giá (UID / SĐT)</th><th>Trạng thái</th></tr>
{{range .Templates}}<tr id="template-{{.ID}}"><td><b>{{.Name}}</b><br><small>{{.ID}}</small></td><td>{{.Tag}} · {{.Quality}}</td>
<td>{{range .Params}}{{.Name}} <small>≤{{.MaxLength}}{{if .Required}}, bắt buộc{{end}}</small><br>{{end}}</td>
<td>{{if .SendableByUID}}{{.PriceUID}}đ{{else}}<small>chỉ SĐT</small>{{end}} / {{.PriceSDT}}đ</td>
<td><form method="post" action="/_sandbox/templates/{{.ID}}/status"><select name="status">{{$st := .Status}}{{range $.Statuses}}<option{{if eq . $st}} selected{{end}}>{{.}}</option>{{end}}</select>
<button>Đổi</button></form></td></tr>
{{end}}</table>{{else}}<p><small>Chưa có mẫu tin. Tạo bằng PUT /_sandbox/templates/{id}.</small></p>{{end}}</div>

<div class="box"><h2>Tạo người dùng</h2>
<form method="post" action="/_sandbox/users"><input name="name" placeholder="Tên người dùng" required>
<label><input type="checkbox" name="follows" checked> Quan tâm OA</label> <button>Tạo người dùng</button></form></div>

{{range .Users}}<div class="box"><h2>{{.User.Name}} {{if .User.Follows}}<span class="ok">✓ Đã quan tâm OA</span>{{else}}<span class="bad">✗ Chưa quan tâm</span>{{end}}</h2>
<small>oa_user_id {{.User.OAUserID}} · app_user_id {{.User.AppUserID}} · SĐT {{with .User.Phone}}{{.}}{{else}}chưa có{{end}}</small>
<p>{{if .Stale}}<span class="bad">{{.Age}}</span> <small>(quá 7 ngày: tin tư vấn bị từ chối -230)</small>{{else}}{{.Age}}{{end}}
<form method="post" action="/_sandbox/users/{{.User.OAUserID}}/last-interaction"><input name="days_ago" type="number" min="0" step="any" placeholder="số ngày trước" size="8">
<button>Đặt lần tương tác cuối</button></form>
<form method="post" action="/_sandbox/users/{{.User.OAUserID}}/phone"><input name="phone" placeholder="84901234567" size="13" value="{{.User.Phone}}">
<button>Đặt SĐT</button></form></p><p>
{{if .User.Follows}}<form method="post" action="/_sandbox/users/{{.User.OAUserID}}/unfollow"><button>Bỏ quan tâm</button></form>
{{else}}<form method="post" action="/_sandbox/users/{{.User.OAUserID}}/follow"><button>Quan tâm</button></form>{{end}}
<form method="post" action="/_sandbox/users/{{.User.OAUserID}}/messages"><input name="text" placeholder="/invite: MÃ" size="30" required> <button>Nhắn cho OA</button></form>
<form method="post" action="/_sandbox/users/{{.User.OAUserID}}/seen"><button>Đã xem tin</button></form></p>
{{range .Inbox}}<div class="msg">{{.Text}}<br><small><span class="kind">{{.Label}}</span> · {{.At.Format "15:04:05 02/01/2006"}}{{if .Silent}} · không chuông{{end}}{{if not .SeenAt.IsZero}} · đã xem {{.SeenAt.Format "15:04"}}{{end}} · {{.MessageID}}</small></div>{{else}}<p><small>Hộp thư trống.</small></p>{{end}}
</div>{{else}}<p>Chưa có người dùng.</p>{{end}}

{{template "bank" .Bank}}

<div class="box"><h2>Webhook gần đây</h2>
{{if .Deliveries}}<table><tr><th>Lúc</th><th>Sự kiện</th><th>Về</th><th>Lần</th><th>Kết quả</th></tr>
{{range .Deliveries}}<tr><td>{{.At.Format "15:04:05"}}</td><td>{{.Event}}</td><td>{{.About}}</td><td>{{.Attempt}}</td>
<td>{{if eq .Status 200}}<span class="ok">200</span>{{else if .Status}}<span class="bad">HTTP {{.Status}}</span>{{else}}<span class="bad">không trả lời</span>{{end}}</td></tr>
{{end}}</table>{{else}}<p><small>Chưa gửi webhook nào.</small></p>{{end}}</div>
</body></html>`))

// kindLabels name the kinds of call on the page.
var kindLabels = map[Kind]string{
	KindCS: "tư vấn (cs)", KindTemplate: "mẫu theo user id (template)", KindTemplatePhone: "mẫu theo SĐT (template_phone)",
	KindTransaction: "giao dịch (đã tắt)", KindConversation: "hội thoại", KindQuota: "quota", KindGetOA: "getoa",
	KindStatus: "trạng thái tin", KindToken: "token OA",
}

type pageMessage struct {
	MessageID, Text, Label string
	At, SeenAt             time.Time // Vietnam time
	Silent                 bool
}

type pageUser struct {
	User  User
	Age   string // "tương tác 3 ngày trước", "chưa tương tác"
	Stale bool   // last interaction over 7 days ago
	Inbox []pageMessage
}

type pageCount struct {
	Label string
	Code  int
	N     int
}

type pageData struct {
	Now           time.Time // the sandbox clock, Vietnam time
	Shifted       bool
	Night         bool
	WebhookURL    string
	Revoked       bool
	AccessExpires time.Time
	Refreshes     int
	ConsentURL    string
	OA            OA
	Faults        Faults
	FaultRoutes   string
	Faultable     string
	Calls         []pageCount
	Refused       []pageCount
	Templates     []Template
	Statuses      []string
	Users         []pageUser
	Deliveries    []delivery
	Bank          bankPage
}

// page is GET /_sandbox: everything a person demoing the product needs.
func (s *Sim) page(w http.ResponseWriter, r *http.Request) {
	now := s.Now()
	st := s.Stats()
	s.mu.Lock()
	d := pageData{
		Now: now.In(vntime.Zone), Shifted: s.shifted.Load(), Night: atNight(now),
		WebhookURL: s.cfg.WebhookURL, Revoked: s.tokens.revoked, Refreshes: s.tokens.refreshes,
		AccessExpires: s.tokens.access[s.tokens.currentAccess], OA: s.oa.OA, Faults: s.faults,
		FaultRoutes: joinKinds(s.faults.Routes), Faultable: joinKinds(faultable),
		Templates: s.tpl.list(), Statuses: templateStatuses,
	}
	if s.cfg.OARedirectURI != "" {
		d.ConsentURL = ConsentURL("http://"+r.Host, s.cfg)
	}
	for _, u := range s.usersInOrder() {
		pu := pageUser{User: u, Age: "chưa tương tác"}
		if t := u.LastInteractionAt; t != nil {
			pu.Age, pu.Stale = interactionAge(now, *t), now.Sub(*t) > interactionWindow
		}
		d.Users = append(d.Users, pu)
	}
	s.mu.Unlock()
	for _, k := range kinds {
		d.Calls = append(d.Calls, pageCount{Label: kindLabels[k], N: st.Calls[k]})
	}
	for code, n := range st.Refused {
		d.Refused = append(d.Refused, pageCount{Code: code, N: n})
	}
	slices.SortFunc(d.Refused, func(a, b pageCount) int { return b.Code - a.Code }) // -32 before -230
	for i := range d.Users {
		for _, m := range s.Inbox(d.Users[i].User.OAUserID) {
			d.Users[i].Inbox = append(d.Users[i].Inbox, pageMessage{
				MessageID: m.MessageID, Text: m.Text, Label: kindLabels[m.Kind], At: m.ReceivedAt.In(vntime.Zone),
				SeenAt: m.SeenAt.In(vntime.Zone), Silent: m.Silent,
			})
		}
	}
	d.Deliveries = s.hooks.recent()
	d.Bank = s.bankPage()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTmpl.Execute(w, d)
}

// interactionAge says how long ago t was, in Vietnamese.
func interactionAge(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 0:
		return "tương tác lúc " + t.In(vntime.Zone).Format("15:04 02/01/2006") + " (sau giờ sandbox)"
	case d < time.Minute:
		return "tương tác vừa xong"
	case d < time.Hour:
		return fmt.Sprintf("tương tác %d phút trước", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("tương tác %d giờ trước", int(d/time.Hour))
	}
	return fmt.Sprintf("tương tác %d ngày trước", int(d/(24*time.Hour)))
}
