package main

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/harness/testenv"
	"github.com/tingting-vn/tingting/zalosim"
)

// TestTheSourcesPage is an owner adding bank feeds in the web UI: a Casso
// source with an API key and a SePay one, each with the URL to give its
// provider; the page says when Casso was last heard from, and "Đọc lại
// ngay" recovers a payment whose webhook Casso never sent.
func TestTheSourcesPage(t *testing.T) {
	testenv.SkipShort(t, "a browser and a Temporal dev server")
	chromium := findChromium(t)
	s := startStack(t)
	key := s.workspace(t, "Tiệm bánh")
	b := openBrowser(t, chromium, s.apiURL)
	b.do(chromedp.Navigate(s.apiURL + "/"))
	b.click("#use-key")
	b.do(chromedp.SendKeys(chromedp.CSS("#api-key"), key), chromedp.Click(chromedp.CSS("#key-sign-in button")))
	b.waitText("main", "Chưa có tích hợp nào")
	b.click("#sources-link")
	b.waitText("#sources", "Chưa có nguồn nào.")

	b.do(chromedp.SendKeys(chromedp.CSS("#source-secret"), "casso-secret-key"),
		chromedp.SendKeys(chromedp.CSS("#source-casso-key"), "casso-api-key-1"))
	b.click("#create-source")
	b.waitText("#sources-msg", "Đã tạo nguồn Casso (webhook v2): dán URL của nó vào Casso.")
	b.waitText("#sources", "Chưa nhận webhook nào")
	b.waitText("#sources", "Chưa đọc lại lần nào")

	b.do(chromedp.SetValue(chromedp.CSS("#source-provider"), "sepay"))
	b.do(chromedp.Evaluate[chromedp.Void](`document.querySelector("#source-provider").dispatchEvent(new Event("change"))`))
	b.do(chromedp.SendKeys(chromedp.CSS("#source-secret"), "sepay-api-key-1"), chromedp.SetValue(chromedp.CSS("#source-auth"), "apikey"))
	b.click("#create-source")
	b.waitText("#sources", "Xác thực: API key")

	// Casso pays twice; the second webhook never comes.
	var list struct {
		Items []struct{ ID, Provider, URL string }
	}
	require.Equal(t, http.StatusOK, call(t, "GET", s.apiURL+"/v1/webhook-sources", key, nil, &list))
	require.Equal(t, "casso_v2", list.Items[0].Provider)
	at, err := s.sim.AddBankSource(zalosim.BankSource{Provider: zalosim.ProviderCasso, URL: list.Items[0].URL, Secret: "casso-secret-key", CassoAPIKey: "casso-api-key-1"})
	require.NoError(t, err)
	no := false
	for _, deliver := range []*bool{nil, &no} {
		_, _, err := s.sim.Pay(zalosim.PaymentRequest{SourceID: at.ID, AccountNumber: "0123456789", Amount: 599_000, Description: "don", Deliver: deliver})
		require.NoError(t, err)
	}
	b.do(chromedp.Reload())
	b.waitText("#sources", "Lần cuối nhận webhook:")
	b.do(chromedp.Click(`//li[contains(., "Casso")]//button[text()="Đọc lại ngay"]`))
	b.waitText("#sources-msg", "Đang đọc lại giao dịch Casso từ")
	b.poll(`(async () => {
		const res = await fetch("/v1/webhook-sources", {headers: {Authorization: "Bearer " + sessionStorage.getItem("tingting.apiKey")}});
		return (await res.json()).items[0].recovered_7d === 1;
	})()`, "read-back recovered the payment")
	b.do(chromedp.Reload())
	b.waitText("#sources", "tìm lại được 1 giao dịch webhook bỏ lỡ trong 7 ngày qua")
	b.shot("16-sources", "#sources")
	require.Empty(t, b.exceptions())
}
