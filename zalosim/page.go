package zalosim

import (
	"html/template"
	"net/http"
	"time"
)

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Zalo sandbox</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
.box{border:1px solid #ccc;border-radius:8px;padding:1rem;margin:1rem 0}
.msg{white-space:pre-wrap;background:#eef5ff;border-radius:8px;padding:.5rem;margin:.5rem 0}
.bad{color:#b00}.ok{color:#070}form{display:inline}small{color:#666}button{cursor:pointer}
table{border-collapse:collapse}td,th{padding:.2rem .6rem;text-align:left;border-bottom:1px solid #eee}</style></head><body>
<h1>Zalo sandbox</h1>
<p><small>Zalo chạy tại máy: người dùng, trạng thái quan tâm OA, tin họ nhắn cho OA và tin OA gửi họ.
<a href="/_sandbox">Tải lại</a></small></p>

<div class="box"><h2>Official Account</h2>
<p>Webhook: {{with .WebhookURL}}<code>{{.}}</code>{{else}}<small>chưa cấu hình</small>{{end}}<br>
Token OA: {{if .Revoked}}<b class="bad">đã bị thu hồi</b> — refresh token bị dùng lại; cần cấp quyền lại cho OA{{else if .AccessExpires.IsZero}}<small>chưa có</small>{{else}}hết hạn lúc {{.AccessExpires.Format "15:04:05 02/01/2006"}}{{end}}
· {{.Refreshes}} lần làm mới</p>
<form method="post" action="/_sandbox/faults">Lỗi giả lập cho OA API:
<input name="error_code" placeholder="mã lỗi, vd -32" size="12" value="{{with .Faults.ErrorCode}}{{.}}{{end}}">
<input name="error_rate" placeholder="tỉ lệ 0..1" size="8" value="{{with .Faults.ErrorRate}}{{.}}{{end}}">
<input name="http_status" placeholder="HTTP, vd 503" size="10" value="{{with .Faults.HTTPStatus}}{{.}}{{end}}">
<input name="latency_ms" placeholder="độ trễ ms" size="8" value="{{with .Faults.LatencyMS}}{{.}}{{end}}">
<button>Áp dụng</button></form>
<form method="post" action="/_sandbox/faults"><button>Xoá lỗi</button></form>
<br><small>-32 quá giới hạn · -211 hết quota · -217 bị chặn · -230 chưa tương tác 7 ngày · -234 chặn ban đêm · -201 tham số sai</small></div>

<div class="box"><h2>Tạo người dùng</h2>
<form method="post" action="/_sandbox/users"><input name="name" placeholder="Tên người dùng" required>
<label><input type="checkbox" name="follows" checked> Quan tâm OA</label> <button>Tạo người dùng</button></form></div>

{{range .Users}}<div class="box"><h2>{{.User.Name}} {{if .User.Follows}}<span class="ok">✓ Đã quan tâm OA</span>{{else}}<span class="bad">✗ Chưa quan tâm</span>{{end}}</h2>
<small>oa_user_id {{.User.OAUserID}} · app_user_id {{.User.AppUserID}}</small><p>
{{if .User.Follows}}<form method="post" action="/_sandbox/users/{{.User.OAUserID}}/unfollow"><button>Bỏ quan tâm</button></form>
{{else}}<form method="post" action="/_sandbox/users/{{.User.OAUserID}}/follow"><button>Quan tâm</button></form>{{end}}
<form method="post" action="/_sandbox/users/{{.User.OAUserID}}/messages"><input name="text" placeholder="/invite: MÃ" size="30" required> <button>Nhắn cho OA</button></form></p>
{{range .Inbox}}<div class="msg">{{.Text}}<br><small>{{.ReceivedAt.Format "15:04:05 02/01/2006"}} · {{.MessageID}}</small></div>{{else}}<p><small>Hộp thư trống.</small></p>{{end}}
</div>{{else}}<p>Chưa có người dùng.</p>{{end}}

<div class="box"><h2>Webhook gần đây</h2>
{{if .Deliveries}}<table><tr><th>Lúc</th><th>Sự kiện</th><th>Người dùng</th><th>Lần</th><th>Kết quả</th></tr>
{{range .Deliveries}}<tr><td>{{.At.Format "15:04:05"}}</td><td>{{.Event}}</td><td>{{.UserID}}</td><td>{{.Attempt}}</td>
<td>{{if eq .Status 200}}<span class="ok">200</span>{{else if .Status}}<span class="bad">HTTP {{.Status}}</span>{{else}}<span class="bad">không trả lời</span>{{end}}</td></tr>
{{end}}</table>{{else}}<p><small>Chưa gửi webhook nào.</small></p>{{end}}</div>
</body></html>`))

type pageUser struct {
	User  User
	Inbox []Message
}

type pageData struct {
	WebhookURL    string
	Revoked       bool
	AccessExpires time.Time
	Refreshes     int
	Faults        Faults
	Users         []pageUser
	Deliveries    []delivery
}

// page is GET /_sandbox: everything a person demoing the product needs.
func (s *Sim) page(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	d := pageData{
		WebhookURL: s.cfg.WebhookURL, Revoked: s.tokens.revoked, Refreshes: s.tokens.refreshes,
		AccessExpires: s.tokens.access[s.tokens.currentAccess], Faults: s.faults,
	}
	for _, u := range s.usersInOrder() {
		d.Users = append(d.Users, pageUser{User: u})
	}
	s.mu.Unlock()
	for i := range d.Users {
		d.Users[i].Inbox = s.Inbox(d.Users[i].User.OAUserID)
	}
	d.Deliveries = s.hooks.recent()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTmpl.Execute(w, d)
}
