package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/harness/seed"
	"github.com/tingting-vn/tingting/harness/testenv"
	"github.com/tingting-vn/tingting/internal/vntime"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/zalosim"
)

// TestTheWebUI is an owner clicking through the web UI in a real browser
// (Debian's chromium, headless): back from Zalo's OA consent, the page
// says the OA is connected, signed out or in; sign in with the API key (as
// an operator does; TestTheOwnersOwnSeat signs in with Zalo), choose the
// bank account, log in with Zalo on the sandbox's consent page as someone
// who has not followed the OA (the test call says to tap "Quan tâm"), log
// in again as the owner, choose the fields, beside the OA's ZBS templates;
// test-call ten days after her last message to the OA (the page says to
// write to the OA), write, and test-call by chat; save and copy the
// invite, with the commands those invited can send the OA; then on the
// integration page see how each recipient is reached (a member quiet for
// ten days: by nothing, until the owner picks a template, maps its
// parameters to the alert's fields, sees its preview and saves; his next
// alert then arrives as that template, silently at night, and the log
// shows the route, the price, his receipt and the month's cost), set his
// phone and his quiet hours (an alert inside them waits), hide the
// description from him (whose next alert leaves it out), set the owner's
// alerts (an account gone quiet, the day's summary), remove the member,
// pause and rotate the code; on the keys page make an ingest key and
// revoke it, and sign in with one. It checks what the owner sees: the
// page's text, the API, and the sandbox's Zalo inboxes. It is Zalo's night
// for the whole test (tingting's ZALO_NIGHT is set around now), whatever
// the clock says. RECORD_SCREENSHOTS=1 saves each screen to
// docs/screenshots.
func TestTheWebUI(t *testing.T) {
	testenv.SkipShort(t, "a browser and a Temporal dev server")
	chromium := findChromium(t)
	now := time.Now().In(vntime.Zone).Truncate(time.Minute)
	s := startStack(t, "ZALO_NIGHT", now.Add(-time.Hour).Format("15:04")+"-"+now.Add(time.Hour).Format("15:04"))
	key := s.workspace(t, "Tiệm bánh")
	require.Equal(t, http.StatusCreated, call(t, "POST", s.apiURL+"/v1/bank-accounts", key, map[string]string{
		"bank_code": "VCB", "bank_name": "Vietcombank", "account_number": "0123456789", "account_name": "TIEM BANH CHI LAN",
	}, nil))
	lan := s.sim.CreateUser("Chị Lan", true)
	minh := s.sim.CreateUser("Anh Minh", false)
	// The OA's ZBS templates, as Zalo approves them: one for alerts, and a
	// promotion, which alerts may not go by.
	promo := zalosim.Template{
		ID: "230919", Name: "Ưu đãi tháng 12", Tag: "PROMOTION", Quality: "MEDIUM", PriceUID: 150, PriceSDT: 250, SendableByUID: true,
		Params: []zalosim.TemplateParam{{Name: "ma_giam_gia", MaxLength: 20, Required: true}},
	}
	s.approveTemplates(t, key, seed.AlertTemplate(), promo)
	b := openBrowser(t, chromium, s.apiURL)

	// Zalo's OA consent comes back to /?oa=connected: the page says so,
	// signed out (and forgets it on a reload).
	b.do(chromedp.Navigate(s.apiURL + "/?oa=connected"))
	b.waitText("#oa-connected", "Đã kết nối Zalo OA.")
	b.waitText("#sign-in", "Đăng nhập bằng Zalo")
	require.Equal(t, s.apiURL+"/", b.location())
	b.shot("23-oa-connected", "#oa-connected")
	b.do(chromedp.Reload())
	b.waitText("#sign-in", "Đăng nhập bằng Zalo")
	require.NotContains(t, b.text("body"), "Đã kết nối Zalo OA")

	// Sign in with the API key, behind "dùng khóa API": a wrong key is
	// refused in plain words, the right one shows the (empty) list of
	// integrations.
	b.click("#use-key")
	b.waitText("#sign-in", "Khóa API")
	b.do(chromedp.SendKeys(chromedp.CSS("#api-key"), "tt_not-a-real-key"), chromedp.Click(chromedp.CSS("#key-sign-in button")))
	b.waitText("#sign-in", "Khóa API không đúng hoặc đã bị thu hồi")
	b.do(chromedp.SendKeys(chromedp.CSS("#api-key"), key), chromedp.Click(chromedp.CSS("#key-sign-in button")))
	b.waitText("main", "Chưa có tích hợp nào")

	// Signed in, the OA's consent says the same above the home page.
	b.do(chromedp.Navigate(s.apiURL + "/?oa=connected"))
	b.waitText("#oa-connected", "Đã kết nối Zalo OA.")
	b.waitText("main", "Chưa có tích hợp nào")

	// 1. The bank account, money in only, from 10.000 đồng.
	b.click("#new-integration")
	b.waitText("#step-1", "Vietcombank · 0123456789 · TIEM BANH CHI LAN")
	b.waitText("#step-2", "Hoàn thành bước trước")
	b.do(chromedp.Click(chromedp.CSS("#banks input")), chromedp.SetValue(chromedp.CSS("#direction"), "in"),
		chromedp.SetValue(chromedp.CSS("#min-amount"), "10000"))
	b.shot("03-bank-accounts", "#step-1")
	b.click("#save-banks")

	// 2. "Đăng nhập bằng Zalo" as Anh Minh, who has not followed the OA.
	b.waitText("#zalo-login", "Đăng nhập bằng Zalo")
	b.click("#zalo-login")
	b.waitText("body", "Chọn tài khoản Zalo (sandbox) để đồng ý")
	b.shot("04-zalo-consent", "h1")
	b.do(chromedp.Click(`//a[contains(., "Anh Minh")]`))
	b.waitText("#zalo-accounts", "Anh Minh")
	b.waitText("#step-2", "Chưa Quan tâm OA")
	b.waitText("#preview", "[Tin nhắn thử] Biến động số dư") // 3. the usual fields, previewed
	b.shot("05-zalo-account", "#step-2")
	b.click("#test-call")
	b.waitText("#test-result", `nhấn "Quan tâm"`)
	b.shot("06-not-following", "#test-result")
	require.Empty(t, s.sim.Inbox(minh.OAUserID))

	// "Đăng nhập bằng tài khoản Zalo khác": the owner, Chị Lan.
	b.waitText("#zalo-login", "Đăng nhập bằng tài khoản Zalo khác")
	b.click("#zalo-login")
	b.do(chromedp.Click(`//a[contains(., "Chị Lan")]`))
	b.waitText("#step-4", "Zalo của Chị Lan")

	// 3. The balance too: the preview follows the checkboxes. Below, the
	// OA's templates, for information: one is chosen after saving.
	require.NotContains(t, b.text("#preview"), "Số dư:")
	b.click(`#fields input[value="balance"]`)
	b.waitText("#preview", "Số dư: 25.000.000 VND")
	b.waitRow("#step-3 #templates tr", "Biến động số dư", "Mã 230918", "Đã duyệt", "Giao dịch", "Cao", "200 VND/tin", "300 VND/tin", "Dùng được")
	b.waitRow("#step-3 #templates tr", "Ưu đãi tháng 12", "Khuyến mãi", "150 VND/tin", "250 VND/tin", "Không dùng được", "không phải mẫu Giao dịch")
	b.waitText("#step-3", "Sau khi lưu, bạn chọn mẫu tin và ghép dữ liệu vào mẫu trên trang của tích hợp.")
	b.shot("07-fields", "#step-3")

	// 4. "Gọi thử" ten days after Chị Lan last wrote to the OA: chat
	// cannot reach her, and the page says what to do.
	s.quietFor(t, lan, 10*24*time.Hour)
	b.click("#test-call")
	b.waitText("#test-result", "Chưa gửi được tin thử: tài khoản này đã quá 7 ngày chưa nhắn cho Zalo OA")
	b.waitText("#test-result", `Hãy nhắn một tin bất kỳ cho Zalo OA rồi bấm "Gọi thử" lại.`)
	require.Empty(t, s.sim.Inbox(lan.OAUserID))

	// She writes to the OA, and the sample arrives by chat, as previewed.
	s.sim.UserSendsText(lan.OAUserID, "Chào shop")
	s.waitFollower(t, lan.OAUserID, "last_interaction_at > now() - interval '1 minute'")
	preview := b.text("#preview")
	b.click("#test-call")
	b.waitText("#test-result", "Gọi thử thành công. Đã gửi tin thử qua tin nhắn tư vấn tới Zalo của Chị Lan.")
	inbox := s.sim.Inbox(lan.OAUserID)
	require.Len(t, inbox, 1)
	require.Equal(t, withoutTime(preview), withoutTime(inbox[0].Text), "what arrived is what was previewed")
	b.shot("08-test-call", "#test-result")

	// 5. "Lưu", and the invite step with the text to send the OA.
	b.click("#save")
	b.waitText("#invite-step", "Mời tài khoản khác nhận thông báo")
	code := b.text("#referral-code")
	require.Regexp(t, regexp.MustCompile(`^[23456789ABCDEFGHJKMNPQRSTWXYZ]{10}$`), code)
	require.Equal(t, "/invite: "+code, b.text("#invite-text"))
	b.click("#copy-invite")
	b.waitText("#copy-invite", "Đã sao chép")
	copied, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	require.Equal(t, "/invite: "+code, copied)
	// Under it, what those invited can ask the OA, one command a line.
	for _, line := range []string{
		"/homnay — tổng kết giao dịch hôm nay",
		"/tamdung 2h — tạm dừng nhận thông báo (30m đến 24h)",
		"/tieptuc — nhận lại thông báo",
		"/dung — rời khỏi danh sách nhận",
		"/trogiup — xem các lệnh",
	} {
		b.waitRow("#invite-step #commands li", line)
	}
	b.shot("09-invite", "#invite-step")

	// Anh Minh follows the OA and, a moment later, sends the copied text:
	// he is in. (The follow and the text are separate events: sent within
	// milliseconds, the text may be handled first, and he is told to follow.)
	_, status, _ := s.sim.Follow(minh.OAUserID, true)
	require.Equal(t, http.StatusOK, status)
	s.waitFollower(t, minh.OAUserID, "following")
	s.sim.UserSendsText(minh.OAUserID, copied)
	require.Eventually(t, func() bool { return lastText(s.sim, minh) == message.InviteAdded }, 15*time.Second, 50*time.Millisecond)

	// The integration page says how each is reached: Chị Lan, who just
	// wrote, by chat; Anh Minh, taken as quiet for ten days, by nothing
	// yet: the page says what would reach him.
	s.quietFor(t, minh, 10*24*time.Hour)
	b.click("#open-integration")
	b.waitText("#commands", "/homnay — tổng kết giao dịch hôm nay")
	id := strings.TrimPrefix(b.location(), s.apiURL+"/#/integrations/")
	b.waitText("#owner", "Chị Lan")
	b.waitText("#owner", "Nhận qua tin nhắn tư vấn · tương tác lần cuối: vừa xong")
	b.waitRow("#members li", "Anh Minh", "Không gửi được: người này đã quá 7 ngày chưa nhắn cho OA",
		`hoặc chọn mẫu tin ZBS ở mục "Mẫu tin ZBS" bên dưới`, "tương tác lần cuối: 10 ngày trước")

	// Both get a transaction; the log shows how: Chị Lan's by chat, Anh
	// Minh's skipped, in words.
	require.Equal(t, http.StatusAccepted, call(t, "POST", s.apiURL+"/v1/transactions", key, map[string]any{
		"account_number": "0123456789", "external_id": "FT-UI-1", "amount": 250000, "description": "Mua bánh sinh nhật",
		"balance_after": 25250000, "occurred_at": time.Now().Format(time.RFC3339),
	}, nil))
	b.waitRow("#deliveries tr", "FT-UI-1", "+250.000 VND", "Chị Lan (chủ tích hợp)", "Tư vấn", "Đã gửi")
	b.waitRow("#deliveries tr", "FT-UI-1", "Anh Minh", "Bỏ qua", "không có cách nào gửi tới người này")
	require.True(t, received(s.sim, lan, "Nội dung: Mua bánh sinh nhật"))
	require.Equal(t, message.InviteAdded, lastText(s.sim, minh), "nothing reached him")

	// The template: Zalo's templates, which one alerts use (none yet).
	b.waitRow("#template-card #templates tr", "Biến động số dư", "Dùng được")
	b.waitText("#template-state", "Chưa dùng mẫu tin nào")
	b.waitText("#cost-total", "0 VND")
	// Only the usable one can be chosen. Its parameters each take one of
	// the alert's fields; the required one must.
	require.Equal(t, []string{"", "230918"}, b.options("#template-pick"))
	b.choose("#template-pick", "230918")
	b.waitText("#template-params", "so_tien")
	b.waitText("#template-params", "(tối đa 30 ký tự)")
	require.Equal(t, []string{"", "amount", "time", "description", "balance"}, b.options(`#template-params select[data-param="so_tien"]`),
		"the fields this integration sends")
	b.click("#save-template")
	b.waitText("#template-msg", "Hãy chọn dữ liệu cho tham số bắt buộc: so_tien.")
	b.choose(`#template-params select[data-param="so_tien"]`, "amount")
	b.waitText("#template-preview", "Biến động số dư\nso_tien: +599.000 VND")
	b.choose(`#template-params select[data-param="noi_dung"]`, "description")
	b.waitText("#template-preview", "so_tien: +599.000 VND\nnoi_dung: NGUYEN VAN A chuyen tien mua hang")
	b.shot("24-template", "#template-form")
	b.click("#save-template")
	b.waitText("#template-msg", `Đã lưu: người đã quá 7 ngày chưa nhắn cho OA sẽ nhận thông báo bằng mẫu "Biến động số dư".`)
	b.waitText("#template-state", "Đang dùng mẫu Biến động số dư (mã 230918): 200 VND/tin gửi qua UID, 300 VND/tin gửi qua SĐT.")
	b.waitRow("#members li", "Anh Minh", "Nhận qua mẫu tin ZBS (tính phí theo mẫu)")
	var chosen struct {
		TemplateID     string            `json:"template_id"`
		TemplateParams map[string]string `json:"template_params"`
	}
	require.Equal(t, http.StatusOK, call(t, "GET", s.apiURL+"/v1/integrations/"+id, key, nil, &chosen))
	require.Equal(t, "230918", chosen.TemplateID)
	require.Equal(t, seed.AlertMapping, chosen.TemplateParams)

	// Anh Minh's next alert arrives as that template, silently (it is
	// night); the log says so, with its price, and his receipt once he
	// has seen it; the month's cost counts it.
	require.Equal(t, http.StatusAccepted, call(t, "POST", s.apiURL+"/v1/transactions", key, map[string]any{
		"account_number": "0123456789", "external_id": "FT-UI-2", "amount": 180000, "description": "Bánh kem dâu",
		"balance_after": 25430000, "occurred_at": time.Now().Format(time.RFC3339),
	}, nil))
	b.waitRow("#deliveries tr", "FT-UI-2", "+180.000 VND", "Anh Minh", "Mẫu ZBS", "Đã gửi", "200 VND", "đến lúc đêm, không chuông")
	b.waitRow("#deliveries tr", "FT-UI-2", "Chị Lan (chủ tích hợp)", "Tư vấn", "Đã gửi")
	got := s.sim.Inbox(minh.OAUserID)
	last := got[len(got)-1]
	require.Equal(t, zalosim.KindTemplate, last.Kind)
	require.Equal(t, "230918", last.TemplateID)
	require.Equal(t, "Biến động số dư\nso_tien: +180.000 VND\nnoi_dung: Bánh kem dâu", last.Text)
	_, seenStatus, ok := s.sim.Seen(minh.OAUserID)
	require.True(t, ok)
	require.Equal(t, http.StatusOK, seenStatus)
	got = s.sim.Inbox(minh.OAUserID)
	seen := got[len(got)-1].SeenAt.In(vntime.Zone).Format("15:04")
	b.waitRow("#deliveries tr", "FT-UI-2", "Anh Minh", "Đã xem "+seen)
	b.waitRow("#cost tr", "Mẫu ZBS", "1", "200 VND")
	b.waitRow("#cost tr", "Tư vấn", "2", "0 VND")
	b.waitText("#cost-total", "200 VND")
	b.shot("10-integration", "#deliveries")
	b.shot("26-cost", "#cost-card")

	// His phone and quiet hours, on his row: refused in words when wrong;
	// "0912 345 678" and "…h-…h" are taken.
	quiet := now.Add(-time.Hour).Format("15:04") + "-" + now.Add(time.Hour).Format("15:04")
	b.contact("Anh Minh", "quiet_hours", "25:00-06:00")
	b.waitRow("#members li", "Anh Minh", "Giờ yên lặng phải có dạng giờ:phút-giờ:phút (giờ Việt Nam), ví dụ 22:00-06:00.")
	b.contact("Anh Minh", "quiet_hours", now.Add(-time.Hour).Format("15h04")+" - "+now.Add(time.Hour).Format("15h04"))
	b.waitRow("#members li", "Anh Minh", "Đã lưu. Thông báo từ "+strings.Replace(quiet, "-", " đến ", 1)+" được giữ lại")
	b.contact("Anh Minh", "phone", "09123")
	b.waitRow("#members li", "Anh Minh", "Số điện thoại chưa đúng")
	b.contact("Anh Minh", "phone", "0912 345 678")
	b.waitRow("#members li", "Anh Minh", "Đã lưu. Số điện thoại: 84912345678.")
	b.shot("25-recipients", "#members")
	var people struct {
		Members []struct {
			Phone      *string `json:"phone"`
			QuietHours *string `json:"quiet_hours"`
		} `json:"members"`
	}
	require.Equal(t, http.StatusOK, call(t, "GET", s.apiURL+"/v1/integrations/"+id, key, nil, &people))
	require.Len(t, people.Members, 1)
	require.Equal(t, "84912345678", *people.Members[0].Phone)
	require.Equal(t, quiet, *people.Members[0].QuietHours)

	// An alert inside his quiet hours waits for their end.
	before := len(s.sim.Inbox(minh.OAUserID))
	require.Equal(t, http.StatusAccepted, call(t, "POST", s.apiURL+"/v1/transactions", key, map[string]any{
		"account_number": "0123456789", "external_id": "FT-UI-3", "amount": 20000, "description": "Bánh mì",
		"occurred_at": time.Now().Format(time.RFC3339),
	}, nil))
	b.waitRow("#deliveries tr", "FT-UI-3", "Anh Minh", "Chờ đến "+now.Add(time.Hour).Format("15:04 02/01"),
		"giờ yên lặng của người nhận; gửi gộp khi hết giờ")
	b.waitRow("#deliveries tr", "FT-UI-3", "Chị Lan (chủ tích hợp)", "Đã gửi")
	require.Len(t, s.sim.Inbox(minh.OAUserID), before)

	// Emptied, he has none.
	b.contact("Anh Minh", "quiet_hours", "")
	b.waitRow("#members li", "Anh Minh", "Đã lưu. Không có giờ yên lặng: thông báo đến ngay.")
	require.Equal(t, http.StatusOK, call(t, "GET", s.apiURL+"/v1/integrations/"+id, key, nil, &people))
	require.Nil(t, people.Members[0].QuietHours)
	b.waitRow("#changes tr", `Dùng mẫu tin ZBS "Biến động số dư"`)
	b.waitRow("#changes tr", "Đổi giờ yên lặng của Anh Minh")

	// Anh Minh need not see what was bought: "Nội dung" is hidden from
	// him, one box among the fields this integration sends. Chị Lan, the
	// owner, has no boxes: she sees everything.
	require.Equal(t, map[string]bool{"time": false, "description": false, "balance": false}, b.hideBoxes("Anh Minh"))
	require.Empty(t, b.hideBoxes("Chị Lan"))
	b.waitText("#owner", "thấy mọi dữ liệu")
	b.do(chromedp.Click(`//ul[@id="members"]/li[contains(., "Anh Minh")]//input[@value="description"]`))
	b.waitRow("#members li", "Anh Minh", "Đã lưu: từ tin tiếp theo, Anh Minh sẽ không thấy nội dung.")
	b.shot("14-member-privacy", "#members")

	// It is kept: after a reload the page shows it, and so does the API.
	b.do(chromedp.Reload())
	b.waitRow("#members li", "Anh Minh", "Ẩn với người này")
	require.Equal(t, map[string]bool{"time": false, "description": true, "balance": false}, b.hideBoxes("Anh Minh"))
	var members struct {
		Members []struct {
			Name         string   `json:"name"`
			HiddenFields []string `json:"hidden_fields"`
		} `json:"members"`
	}
	require.Equal(t, http.StatusOK, call(t, "GET", s.apiURL+"/v1/integrations/"+id, key, nil, &members))
	require.Len(t, members.Members, 1)
	require.Equal(t, "Anh Minh", members.Members[0].Name)
	require.Equal(t, []string{"description"}, members.Members[0].HiddenFields)

	// Anh Minh asks the OA for today's totals, which opens the chat: his
	// next alert comes at once, by chat, with the amount and the balance
	// but not the description. Chị Lan's has it.
	s.sim.UserSendsText(minh.OAUserID, "/homnay")
	require.Eventually(t, func() bool { return strings.HasPrefix(lastText(s.sim, minh), "Hôm nay") }, 15*time.Second, 50*time.Millisecond)
	s.waitFollower(t, minh.OAUserID, "last_interaction_at > now() - interval '1 minute'")
	require.Equal(t, http.StatusAccepted, call(t, "POST", s.apiURL+"/v1/transactions", key, map[string]any{
		"account_number": "0123456789", "external_id": "FT-UI-4", "amount": 120000, "description": "Bánh su kem",
		"balance_after": 25570000, "occurred_at": time.Now().Format(time.RFC3339),
	}, nil))
	b.waitRow("#deliveries tr", "FT-UI-4", "+120.000 VND", "Anh Minh", "Tư vấn", "Đã gửi")
	b.waitRow("#deliveries tr", "FT-UI-4", "Chị Lan (chủ tích hợp)", "Đã gửi")
	alert := lastText(s.sim, minh)
	require.Contains(t, alert, "+120.000 VND")
	require.Contains(t, alert, "Số dư: 25.570.000 VND")
	require.NotContains(t, alert, "Nội dung")
	require.NotContains(t, alert, "Bánh su kem")
	require.True(t, received(s.sim, lan, "Nội dung: Bánh su kem"))

	// Chị Lan wants to hear when the account goes quiet for 6 hours, and
	// the day's summary at "25:00", which the page refuses in words; "21h"
	// is taken as 21:00.
	b.do(chromedp.SetValue(chromedp.CSS("#silence-hours"), "6"), chromedp.SetValue(chromedp.CSS("#summary-at"), "25:00"))
	b.click("#save-alerts")
	b.waitText("#alerts-msg", "Giờ gửi tổng kết phải có dạng giờ:phút, từ 00:00 đến 23:59 (giờ Việt Nam), ví dụ 21:00.")
	b.do(chromedp.SetValue(chromedp.CSS("#summary-at"), "21h"))
	b.click("#save-alerts")
	b.waitText("#alerts-msg", "Đã lưu. Sẽ báo khi tài khoản không có giao dịch trong 6 giờ. Sẽ gửi tổng kết lúc 21:00 mỗi ngày.")
	b.shot("15-owner-alerts", "#alerts-form")

	// Both are kept: after a reload the page shows them, and so does the API.
	var saved struct {
		SilenceAlertHours int    `json:"silence_alert_hours"`
		DailySummaryAt    string `json:"daily_summary_at"`
	}
	require.Equal(t, http.StatusOK, call(t, "GET", s.apiURL+"/v1/integrations/"+id, key, nil, &saved))
	require.Equal(t, 6, saved.SilenceAlertHours)
	require.Equal(t, "21:00", saved.DailySummaryAt)
	b.do(chromedp.Reload())
	b.waitText("#alerts-form", "Báo khi tài khoản không có giao dịch trong")
	require.Equal(t, "6", b.value("#silence-hours"))
	require.Equal(t, "21:00", b.value("#summary-at"))

	// × removes Anh Minh after a confirm.
	b.click(`#members button[title="Xóa Anh Minh"]`)
	b.waitGone("#members", "Anh Minh")
	require.Contains(t, b.dialogs(), "Xóa Anh Minh khỏi danh sách nhận thông báo? Tài khoản này sẽ không nhận tin nhắn nữa.")

	// Pause, and rotate the code after a confirm.
	b.click("#toggle-status")
	b.waitText("#status", "Tạm dừng")
	b.waitText("#toggle-status", "Tiếp tục gửi thông báo")
	b.click("#rotate-code")
	b.waitGone("#referral-code", code)
	rotated := b.text("#referral-code")
	require.Regexp(t, regexp.MustCompile(`^[23456789ABCDEFGHJKMNPQRSTWXYZ]{10}$`), rotated)
	require.Equal(t, "/invite: "+rotated, b.text("#invite-text"))
	require.Contains(t, b.dialogs(), "Đổi mã giới thiệu? Mã cũ sẽ ngừng hoạt động ngay.")
	b.shot("11-paused-rotated", "#referral-code")

	// The home screen lists it, paused.
	b.do(chromedp.Click(`//a[contains(., "Các tích hợp")]`))
	b.waitText("#integrations", "Zalo: Chị Lan")
	b.waitText("#integrations", "Tạm dừng")
	b.shot("12-integrations", "#integrations")

	// The keys page: make an ingest key (shown once, copied), see it
	// listed, revoke it after a confirm; the last admin key cannot be.
	b.click("#keys-link")
	b.waitRow("#api-keys tr", "first key", "Quản trị", "Đang dùng")
	b.do(chromedp.SendKeys(chromedp.CSS("#key-label"), "Máy POS quầy 1"), chromedp.SetValue(chromedp.CSS("#key-scope"), "ingest"))
	b.click("#create-key")
	b.waitText("#new-key", "khóa sẽ không được hiển thị lại")
	posKey := b.text("#new-key-value")
	require.Regexp(t, `^tt_[0-9A-Za-z]{32,}$`, posKey)
	b.click("#copy-key")
	b.waitText("#copy-key", "Đã sao chép")
	copied, err = chromedp.Run(b.ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	require.Equal(t, posKey, copied)
	b.waitRow("#api-keys tr", "Máy POS quầy 1", "Chỉ gửi giao dịch", "Chưa dùng", "Đang dùng")
	b.shot("13-api-keys", "#new-key")
	require.Equal(t, http.StatusForbidden, call(t, "GET", s.apiURL+"/v1/bank-accounts", posKey, nil, nil), "an ingest key")
	require.Equal(t, http.StatusAccepted, call(t, "POST", s.apiURL+"/v1/transactions", posKey, map[string]any{
		"account_number": "0123456789", "external_id": "FT-POS-1", "amount": 10000, "occurred_at": time.Now().Format(time.RFC3339),
	}, nil))
	b.do(chromedp.Click(chromedp.CSS("#refresh-keys")))
	b.waitGone("#api-keys", "Chưa dùng")
	b.click(`#api-keys button[title="Thu hồi Máy POS quầy 1"]`)
	b.waitRow("#api-keys tr", "Máy POS quầy 1", "Đã thu hồi")
	require.Contains(t, b.dialogs(), `Thu hồi khóa "Máy POS quầy 1"? Mọi nơi đang dùng khóa này sẽ bị từ chối ngay, và không thể hoàn tác.`)
	require.Equal(t, http.StatusUnauthorized, call(t, "GET", s.apiURL+"/v1/bank-accounts", posKey, nil, nil), "a revoked key")
	b.click(`#api-keys button[title="Thu hồi first key"]`)
	b.waitText("#keys-msg", "Không thể thu hồi khóa quản trị cuối cùng")
	b.waitRow("#api-keys tr", "first key", "Đang dùng")

	// A Casso v1 feed says at once that its token cannot change without a
	// new URL.
	b.click(`a[href="#/"]`)
	b.do(chromedp.SetValue(chromedp.CSS("#feed-provider"), "casso_v1"), chromedp.SetValue(chromedp.CSS("#feed-secret"), "v1-secure-token"))
	b.click("#add-feed")
	b.waitText("#source-warning", "không đổi được mà giữ nguyên địa chỉ")
	require.Contains(t, b.text("#feed-url"), s.apiURL+"/v1/hooks/casso/")

	// Signing in with an ingest key says it cannot open the UI.
	var ingest struct{ Key string }
	require.Equal(t, http.StatusCreated, call(t, "POST", s.apiURL+"/v1/api-keys", key, map[string]string{"label": "POS 2", "scope": "ingest"}, &ingest))
	b.click("#sign-out")
	b.waitText("#sign-in", "dùng khóa API") // the page is drawn before anything is typed into it
	b.click("#use-key")
	b.waitText("#sign-in", "Nhập khóa API")
	b.do(chromedp.SendKeys(chromedp.CSS("#api-key"), ingest.Key), chromedp.Click(chromedp.CSS("#key-sign-in button")))
	b.waitText("#sign-in", "chỉ dùng để gửi giao dịch, không mở được trang quản lý")
	require.Empty(t, b.exceptions(), "no script errors on any page")
}

// findChromium is Debian's chromium; without it the test skips, except in
// CI, where a skipped browser test must not pass for a green one.
func findChromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed (apt-get install -y chromium); CI must run the browser test")
	}
	t.Skip("chromium is not installed (apt-get install -y chromium)")
	return ""
}

// browser is one headless chromium tab, with the dialogs it accepted and
// the script errors it saw.
type browser struct {
	t   *testing.T
	ctx context.Context

	mu       sync.Mutex
	accepted []string
	thrown   []string
}

func openBrowser(t *testing.T, path, origin string) *browser {
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.Headless,
		chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-extensions", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("force-color-profile", "srgb"), chromedp.Flag("lang", "vi-VN"),
		chromedp.WindowSize(1000, 800))
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelTab(); cancelAlloc() })
	b := newTab(t, ctx)
	// The test reads back what "Sao chép" copied.
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		_, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: name}, Setting: cdpbrowser.PermissionSettingGranted, Origin: origin,
		})
		require.NoError(t, err)
	}
	return b
}

// another is someone else's browser: a tab of the same chromium, with
// cookies and storage of its own.
func (b *browser) another() *browser {
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	return newTab(b.t, ctx)
}

// newTab opens the tab of ctx, answering its dialogs and noting its script
// errors.
func newTab(t *testing.T, ctx context.Context) *browser {
	b := &browser{t: t, ctx: ctx}
	b.do(chromedp.EmulateViewport(1000, 800))

	// confirm() blocks the page, and the click that opened it, until it is
	// answered: answer yes from here and remember what it asked.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.accepted = append(b.accepted, ev.Message)
			b.mu.Unlock()
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	thrown := chromedp.Events(ctx, runtime.ExceptionThrown)
	go func() {
		for ev, err := range thrown {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.thrown = append(b.thrown, ev.ExceptionDetails.Text+" "+describe(ev.ExceptionDetails.Exception))
			b.mu.Unlock()
		}
	}()
	return b
}

func describe(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	return o.Description
}

func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	require.NoError(b.t, chromedp.Do(b.ctx, actions...))
}

func (b *browser) click(css string) {
	b.t.Helper()
	b.do(chromedp.Click(chromedp.CSS(css)))
}

func (b *browser) location() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	require.NoError(b.t, err)
	return loc
}

// value is an input's value.
func (b *browser) value(css string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(css)))
	require.NoError(b.t, err)
	return v
}

// hideBoxes is the "Ẩn với người này" checkboxes in the members list's row
// that shows name: each field's name, and whether it is checked.
func (b *browser) hideBoxes(name string) map[string]bool {
	b.t.Helper()
	boxes, err := chromedp.Run(b.ctx, chromedp.Evaluate[map[string]bool](fmt.Sprintf(
		`(() => {
			const row = [...document.querySelectorAll("#members li")].find((r) => r.innerText.includes(%s));
			return row ? Object.fromEntries([...row.querySelectorAll("input[name=hide]")].map((i) => [i.value, i.checked])) : null;
		})()`, js(name))))
	require.NoError(b.t, err)
	require.NotNil(b.t, boxes, "a row in #members shows %s", name)
	return boxes
}

func (b *browser) text(css string) string {
	b.t.Helper()
	text, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(css)))
	require.NoError(b.t, err)
	return text
}

// waitText waits until the element's visible text contains want.
func (b *browser) waitText(css, want string) {
	b.t.Helper()
	b.poll(fmt.Sprintf(`(document.querySelector(%s)?.innerText ?? "").includes(%s)`, js(css), js(want)), css+" shows "+want)
}

// waitGone waits until the element's visible text no longer contains text.
func (b *browser) waitGone(css, text string) {
	b.t.Helper()
	b.poll(fmt.Sprintf(`!(document.querySelector(%s)?.innerText ?? %s).includes(%s)`, js(css), js(text), js(text)), css+" no longer shows "+text)
}

// waitRow waits until one of the rows shows every one of cells.
func (b *browser) waitRow(css string, cells ...string) {
	b.t.Helper()
	b.poll(fmt.Sprintf(`[...document.querySelectorAll(%s)].some((r) => %s.every((c) => r.innerText.includes(c)))`, js(css), js(cells)),
		fmt.Sprintf("a row %s showing %q", css, cells))
}

func (b *browser) poll(expr, what string) {
	b.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		// A navigation (to Zalo's consent page and back) ends a poll early:
		// poll again on the new page.
		_, err := chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil {
			return
		}
		if time.Now().After(deadline) || b.ctx.Err() != nil {
			body, _ := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("body")))
			b.t.Fatalf("waiting for %s: %v\nthe page shows:\n%s", what, err, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b *browser) dialogs() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.accepted...)
}

func (b *browser) exceptions() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.thrown...)
}

// shot saves the screen, scrolled to show the element, as
// docs/screenshots/NAME.png when RECORD_SCREENSHOTS=1.
func (b *browser) shot(name, css string) {
	b.t.Helper()
	if os.Getenv("RECORD_SCREENSHOTS") != "1" {
		return
	}
	_, err := chromedp.Run(b.ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%s).scrollIntoView({block: "center"})`, js(css))))
	require.NoError(b.t, err)
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	require.NoError(b.t, err)
	require.NoError(b.t, os.WriteFile(filepath.Join("..", "..", "docs", "screenshots", name+".png"), png, 0o644))
}

func js(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}

// withoutTime drops a message's "Thời gian" line: the sample is stamped
// when it is rendered, and the preview is rendered before the test call.
func withoutTime(text string) string {
	var kept []string
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if !strings.HasPrefix(line, "Thời gian:") {
			kept = append(kept, line)
		}
	}
	return strings.Join(kept, "\n")
}

// approveTemplates gives the sandbox's OA the templates, each submitted
// and then approved by Zalo (ENABLE), whose change_template_status webhook
// has tingting read it; it waits until the API lists them all, approved.
func (s *stack) approveTemplates(t *testing.T, key string, templates ...zalosim.Template) {
	t.Helper()
	for _, tpl := range templates {
		tpl.Status = "PENDING_REVIEW"
		_, err := s.sim.SetTemplate(tpl)
		require.NoError(t, err)
		tpl.Status = "ENABLE"
		sent, err := s.sim.SetTemplate(tpl)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, sent["change_template_status"])
	}
	require.Eventually(t, func() bool {
		var list struct {
			Items []struct {
				Status string `json:"status"`
			} `json:"items"`
		}
		if call(t, "GET", s.apiURL+"/v1/zalo-templates", key, nil, &list) != http.StatusOK {
			return false
		}
		approved := 0
		for _, it := range list.Items {
			if it.Status == "ENABLE" {
				approved++
			}
		}
		return approved == len(templates)
	}, 15*time.Second, 100*time.Millisecond, "tingting never read the approved templates")
}

// quietFor makes u's last interaction with the OA ago, in the sandbox
// (which Zalo's quota endpoint answers from) and in what tingting believes.
func (s *stack) quietFor(t *testing.T, u zalosim.User, ago time.Duration) {
	t.Helper()
	require.True(t, s.sim.SetLastInteraction(u.OAUserID, s.sim.Now().Add(-ago)))
	s.lastInteracted(t, u.OAUserID, ago)
}

// received tells whether a message the OA sent u has text in it.
func received(sim *zalosim.Sim, u zalosim.User, text string) bool {
	for _, m := range sim.Inbox(u.OAUserID) {
		if strings.Contains(m.Text, text) {
			return true
		}
	}
	return false
}

// choose picks value in a select as a person does: the page hears the
// change.
func (b *browser) choose(css, value string) {
	b.t.Helper()
	_, err := chromedp.Run(b.ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
		`(() => { const s = document.querySelector(%s); s.value = %s; s.dispatchEvent(new Event("change")); })()`, js(css), js(value))))
	require.NoError(b.t, err)
}

// options is the values a select offers.
func (b *browser) options(css string) []string {
	b.t.Helper()
	values, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](fmt.Sprintf(`[...document.querySelector(%s).options].map((o) => o.value)`, js(css))))
	require.NoError(b.t, err)
	return values
}

// contact types value into a recipient's phone or quiet_hours field, on
// the members list's row that shows name, and saves them.
func (b *browser) contact(name, field, value string) {
	b.t.Helper()
	_, err := chromedp.Run(b.ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const row = [...document.querySelectorAll("#members li")].find((r) => r.innerText.includes(%s));
		row.querySelector("input[name=" + %s + "]").value = %s;
		row.querySelector("form.contact button[type=submit]").click();
	})()`, js(name), js(field), js(value))))
	require.NoError(b.t, err)
}
