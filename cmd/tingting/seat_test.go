package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/harness/testenv"
	"github.com/tingting-vn/tingting/internal/vntime"
	"github.com/tingting-vn/tingting/message"
)

// TestTheOwnersOwnSeat is a shop owner starting without an operator, in a
// real browser: from the signed-out page through the sandbox's Zalo
// consent to a workspace of her own, its checklist, a bank account, a bank
// feed, the wizard and a team invite. A co-worker joins with the invite
// link as a viewer, and is refused a change; a staff member who receives
// the alerts joins over Zalo chat; a transaction arrives through the feed
// and the owner sees it in the log, and who changed what; the staff member
// signs in and sees the alert as they got it (a hidden field hidden); the
// owner signs her other browser out, then this one. SIGNUP=open, as in dev.
// RECORD_SCREENSHOTS=1 saves the screens to docs/screenshots.
func TestTheOwnersOwnSeat(t *testing.T) {
	testenv.SkipShort(t, "a browser and a Temporal dev server")
	chromium := findChromium(t)
	s := startStack(t, "SIGNUP", "open")
	lan, minh, hoa := s.sim.CreateUser("Chị Lan", true), s.sim.CreateUser("Anh Minh", true), s.sim.CreateUser("Chị Hoa", true)
	for _, u := range []string{lan.OAUserID, minh.OAUserID, hoa.OAUserID} {
		s.waitFollower(t, u, "following")
	}
	b := openBrowser(t, chromium, s.apiURL)

	// Signed out: "Đăng nhập bằng Zalo", the key behind a small link.
	b.do(chromedp.Navigate(s.apiURL + "/"))
	b.waitText("#sign-in", "Đăng nhập bằng Zalo")
	b.poll(`document.querySelector("#key-sign-in").hidden`, "the key field waits behind “dùng khóa API”")
	b.shot("01-sign-in", "#sign-in")
	b.signInWithZalo("#zalo-sign-in", "Chị Lan")

	// A workspace of her own, and what is left to do.
	b.waitText("#checklist", "Thêm tài khoản ngân hàng")
	b.waitText("#who", "Chị Lan · Chủ")
	b.waitText("#todo-follows_oa", "Tài khoản Zalo của bạn đã Quan tâm Zalo OA.")
	require.Equal(t, []string{"follows_oa"}, b.done())
	b.waitText("#todo-bank_account", "Làm tiếp")
	b.shot("02-home", "#checklist")

	// A bank account, and a Casso feed whose URL and secret she copies.
	b.do(chromedp.SendKeys(chromedp.CSS("#bank-name"), "Vietcombank"), chromedp.SendKeys(chromedp.CSS("#account-number"), "0123456789"),
		chromedp.SendKeys(chromedp.CSS("#account-name"), "TIEM BANH CHI LAN"))
	b.click("#add-bank")
	b.waitText("#bank-accounts", "Vietcombank · 0123456789 · TIEM BANH CHI LAN")
	b.do(chromedp.SetValue(chromedp.CSS("#feed-provider"), "casso_v1"))
	b.click("#add-feed")
	b.waitText("#new-feed", "Dán vào Casso")
	hook, secret := b.text("#feed-url"), b.text("#feed-secret-value")
	require.True(t, strings.HasPrefix(hook, s.apiURL+"/v1/hooks/casso/"), hook)
	require.GreaterOrEqual(t, len(secret), 20)
	require.Equal(t, []string{"bank_account", "bank_feed", "follows_oa"}, b.done())
	b.click("#copy-feed-secret")
	b.waitText("#copy-feed-secret", "Đã sao chép")
	copied, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	require.Equal(t, secret, copied)
	b.shot("16-bank-feed", "#todo-bank_feed")

	// The wizard, as the owner herself.
	b.click("#new-integration")
	b.waitText("#step-1", "Vietcombank · 0123456789 · TIEM BANH CHI LAN")
	b.do(chromedp.Click(chromedp.CSS("#banks input")))
	b.click("#save-banks")
	b.signInWithZalo("#zalo-login", "Chị Lan")
	b.waitText("#step-4", "Zalo của Chị Lan")
	b.waitText("#preview", "Biến động số dư")
	b.click("#test-call")
	b.waitText("#test-result", "Gọi thử thành công")
	b.click("#save")
	b.waitText("#invite-step", "Mời tài khoản khác nhận thông báo")
	code := b.text("#referral-code")
	attrs, err := chromedp.Run(b.ctx, chromedp.Attributes(chromedp.CSS("#open-integration")))
	require.NoError(t, err)
	integPage := attrs["href"]
	require.Regexp(t, `^#/integrations/[0-9a-f-]+$`, integPage)

	// A co-worker, invited as a viewer by a link.
	b.do(chromedp.Navigate(s.apiURL + "/#/"))
	b.waitText("#todo-integration", "Đã có tích hợp")
	b.click("#team-link")
	b.waitRow("#team li", "Chị Lan", "(bạn)", "Chủ")
	b.do(chromedp.SetValue(chromedp.CSS("#invite-role"), "viewer"))
	b.click("#create-invite")
	b.waitText("#new-invite", "Liên kết mời")
	link := b.text("#invite-link")
	require.Regexp(t, `^`+regexp.QuoteMeta(s.apiURL)+`/#/join/[A-Za-z0-9_-]{32}$`, link)
	b.shot("17-team", "#new-invite")

	// Anh Minh opens it in his own browser, signs in with Zalo and is on
	// the team; as a viewer, he is refused a change.
	minhs := b.another()
	minhs.do(chromedp.Navigate(link))
	minhs.waitText("#join", "Đăng nhập bằng Zalo để tham gia")
	minhs.signInWithZalo("#join-sign-in", "Anh Minh")
	minhs.waitText("#join", "Bạn đã vào nhóm của Chị Lan với vai trò Người xem.")
	minhs.shot("18-joined", "#join")
	minhs.do(chromedp.Navigate(s.apiURL + "/" + integPage))
	minhs.waitText("#status", "Đang hoạt động")
	minhs.click("#toggle-status")
	minhs.waitText("main", "Bạn có quyền Người xem trong workspace này: chỉ xem được, không thay đổi được gì.")
	minhs.shot("19-viewer-refused", "#toggle-status")
	b.do(chromedp.Reload())
	b.waitRow("#team li", "Anh Minh", "Người xem")

	// Chị Hoa, who helps at the till, joins the alerts over Zalo chat.
	s.sim.UserSendsText(hoa.OAUserID, "/invite: "+code)
	require.Eventually(t, func() bool { return lastText(s.sim, hoa) == message.InviteAdded }, 15*time.Second, 50*time.Millisecond)
	// The owner is told who joined; that notice travels on its own, so
	// wait for it before the payment, or it may land after the alert.
	require.Eventually(t, func() bool { return lastText(s.sim, lan) == message.InviteOwnerNotice("Chị Hoa") }, 15*time.Second, 50*time.Millisecond)

	// On the integration page the owner hides what was bought from her; a
	// payment comes through the feed, and the log shows both alerts.
	b.do(chromedp.Navigate(s.apiURL + "/" + integPage))
	b.waitRow("#members li", "Chị Hoa")
	b.do(chromedp.Click(`//ul[@id="members"]/li[contains(., "Chị Hoa")]//input[@value="description"]`))
	b.waitRow("#members li", "Chị Hoa", "Đã lưu")
	req, err := http.NewRequest("POST", hook, strings.NewReader(`{"error":0,"data":[{"id":9001,"tid":"FT9001","description":"Mua bánh sinh nhật",`+
		`"amount":250000,"cusum_balance":25250000,"when":"`+time.Now().In(vntime.Zone).Format(time.DateTime)+`","bank_sub_acc_id":"0123456789"}]}`))
	require.NoError(t, err)
	req.Header.Set("secure-token", secret)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, "Casso's webhook, with the copied secret")
	b.waitRow("#deliveries tr", "9001", "+250.000 VND", "Chị Lan (chủ tích hợp)", "Đã gửi")
	b.waitRow("#deliveries tr", "9001", "Chị Hoa", "Đã gửi")
	require.Contains(t, lastText(s.sim, lan), "Nội dung: Mua bánh sinh nhật")
	require.NotContains(t, lastText(s.sim, hoa), "Mua bánh sinh nhật")

	// Who changed what, a person at a time.
	b.waitRow("#changes tr", "Chị Lan", "Ẩn nội dung với Chị Hoa")
	b.waitRow("#changes tr", "Chị Lan", "Tạo tích hợp")
	b.shot("20-changes", "#changes")

	// Chị Hoa signs in and sees her alert as she got it, and nothing else.
	hoas := b.another()
	hoas.do(chromedp.Navigate(s.apiURL + "/"))
	hoas.signInWithZalo("#zalo-sign-in", "Chị Hoa")
	hoas.waitText("#my-alerts", "+250.000 VND")
	hoas.waitText("#who", "Chị Hoa · Người nhận thông báo")
	require.NotContains(t, hoas.text("#my-alerts"), "Mua bánh sinh nhật")
	require.NotContains(t, hoas.text("main"), "Chị Lan", "nothing else of the workspace")
	hoas.shot("21-my-alerts", "main")
	hoas.do(chromedp.SetValue(chromedp.CSS("#alerts-day"), time.Now().AddDate(0, 0, -1).Format(time.DateOnly)),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#alerts-day").dispatchEvent(new Event("change"))`))
	hoas.waitText("#my-alerts", "Không có thông báo nào trong ngày này.")

	// The owner also signed in on another browser: she signs it out from
	// here ("đăng xuất khỏi thiết bị khác"), then signs out here.
	phone := b.another()
	phone.do(chromedp.Navigate(s.apiURL + "/"))
	phone.signInWithZalo("#zalo-sign-in", "Chị Lan")
	phone.waitText("#checklist", "Bắt đầu")
	b.click("#sessions-link")
	b.waitRow("#sessions tr", "Thiết bị này")
	b.waitRow("#sessions tr", "Chrome trên Linux", "Đăng xuất")
	b.click("#sign-out-others")
	b.waitText("#sessions-msg", "Đã đăng xuất 1 thiết bị khác.")
	b.shot("22-sessions", "main")
	phone.do(chromedp.Reload())
	phone.waitText("#sign-in", "Đăng nhập bằng Zalo")
	b.click("#sign-out")
	b.waitText("#sign-in", "Đăng nhập bằng Zalo")
	b.do(chromedp.Reload())
	b.waitText("#sign-in", "Đăng nhập bằng Zalo")
	for _, tab := range []*browser{b, minhs, hoas, phone} {
		require.Empty(t, tab.exceptions(), "no script errors on any page")
	}
}

// signInWithZalo clicks a "Đăng nhập bằng Zalo" and chooses who on the
// sandbox's consent page.
func (b *browser) signInWithZalo(button, who string) {
	b.t.Helper()
	b.click(button)
	b.waitText("body", "Chọn tài khoản Zalo (sandbox) để đồng ý")
	b.do(chromedp.Click(`//a[contains(., "` + who + `")]`))
	b.waitGone("body", "Chọn tài khoản Zalo (sandbox) để đồng ý")
}

// done lists the checklist's items that are done.
func (b *browser) done() []string {
	b.t.Helper()
	items, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#checklist .todo.done")].map((li) => li.dataset.item)`))
	require.NoError(b.t, err)
	return items
}

// TestAnOperatorsWorkspaceGetsItsOwner: `tingting workspace invite` prints
// a link (last) that puts whoever signs in through it on the team, as its
// owner by default; an unknown workspace or role is refused.
func TestAnOperatorsWorkspaceGetsItsOwner(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": testenv.DatabaseURL(t), "PUBLIC_URL": "https://tingting.example"}
	getenv := func(k string) string { return env[k] }
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"tingting", "workspace", "create", "--name", "Tiệm bánh"}, getenv, &out, io.Discard))
	id := regexp.MustCompile(`id ([0-9a-f-]{36})`).FindStringSubmatch(out.String())[1]

	out.Reset()
	require.NoError(t, run(context.Background(), []string{"tingting", "workspace", "invite", "--id", id}, getenv, &out, io.Discard))
	require.Contains(t, out.String(), `joins the team of "Tiệm bánh" as owner (once)`)
	link := lastLine(out.String())
	require.Regexp(t, `^https://tingting\.example/#/join/[A-Za-z0-9_-]{32}$`, link)
	code := link[strings.LastIndex(link, "/")+1:]
	pool, err := db.Open(context.Background(), env["DATABASE_URL"])
	require.NoError(t, err)
	defer pool.Close()
	var role string
	require.NoError(t, pool.QueryRow(context.Background(), "SELECT role FROM team_invites WHERE workspace_id = $1 AND code_hash = sha256($2::bytea)", id, []byte(code)).Scan(&role))
	require.Equal(t, "owner", role, "stored by the code's hash")

	for _, args := range [][]string{
		{"--id", "00000000-0000-0000-0000-000000000000"},
		{"--id", id, "--role", "member"},
		{"--id", "not-an-id"},
	} {
		err := run(context.Background(), append([]string{"tingting", "workspace", "invite"}, args...), getenv, io.Discard, io.Discard)
		require.Error(t, err, "%v", args)
	}
}
