package zalo_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/zalo"
)

// recordingZalo answers every call with body and keeps the last request.
func recordingZalo(t *testing.T, body string) (string, *atomic.Pointer[http.Request], *atomic.Pointer[string]) {
	var last atomic.Pointer[http.Request]
	var sent atomic.Pointer[string]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s := string(b)
		last.Store(r)
		sent.Store(&s)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &last, &sent
}

var alert = zalo.Template{ID: "230918", Data: map[string]string{"so_tien": "+599.000 VND", "noi_dung": "thanh toan don 42"}}

// TestSendTemplateBody: by user id to the OA API, by phone to the ZNS
// host with our tracking id; the answer's message id, however it is
// spelled, becomes SendResult.MessageID.
func TestSendTemplateBody(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, last, sent := recordingZalo(t, `{"error":0,"message":"Success","data":{"message_id":"m1","user_id":"u1","sent_time":"1700000000000","quota":{"quota_type":"purchase_quota","remain":"99"}}}`)
	res, err := zalo.NewClient(zalo.Config{OpenAPIURL: url}).SendTemplate(ctx, token, "u1", alert)
	require.NoError(t, err)
	require.Equal(t, zalo.SendResult{MessageID: "m1", UserID: "u1"}, res)
	require.Equal(t, "/v3.0/oa/message/template", last.Load().URL.Path)
	require.Equal(t, token, last.Load().Header.Get("access_token"))
	require.JSONEq(t, `{"user_id":"u1","template_id":"230918","template_data":{"so_tien":"+599.000 VND","noi_dung":"thanh toan don 42"}}`, *sent.Load())

	for answer, want := range map[string]string{
		`{"error":0,"message":"Success","data":{"msg_id":"z1","sent_time":"1700000000000","quota":{"dailyQuota":"500","remainingQuota":"499"}}}`: "z1",
		`{"error":0,"message":"Success","data":{"msg_id":123456789012345678}}`:                                                                   "123456789012345678",
	} {
		url, last, sent := recordingZalo(t, answer)
		res, err := zalo.NewClient(zalo.Config{ZNSURL: url}).SendTemplateByPhone(ctx, token, "84912345678", "d-1", zalo.Template{ID: "7"})
		require.NoError(t, err)
		require.Equal(t, want, res.MessageID, answer)
		require.Equal(t, "/message/template", last.Load().URL.Path)
		require.Equal(t, token, last.Load().Header.Get("access_token"))
		require.JSONEq(t, `{"phone":"84912345678","template_id":"7","template_data":{},"tracking_id":"d-1"}`, *sent.Load())
	}
	_, err = zalo.NewClient(zalo.Config{}).SendTemplateByPhone(ctx, token, "84912345678", "d-1", zalo.Template{ID: "7"})
	require.Equal(t, zalo.ClassPermanent, zalo.Classify(err), "no ZNS URL: refused without a call")
}

// TestTemplatesAreReadWhateverTheirSpelling: Zalo's sources spell the
// template's fields two ways; both read the same.
func TestTemplatesAreReadWhateverTheirSpelling(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, last, _ := recordingZalo(t, `{"error":0,"data":[
		{"templateId":"1","templateName":"Biến động","status":"ENABLE","templateTag":"TRANSACTION","templateQuality":"HIGH","price":"300","price_uid":200},
		{"template_id":2,"template_name":"Cũ","template_status":"DISABLE","template_tag":"TRANSACTION","template_quality":"LOW","sendable_by_uid":false}]}`)
	c := zalo.NewClient(zalo.Config{ZNSURL: url})
	ts, err := c.Templates(ctx, token, 0, 100)
	require.NoError(t, err)
	require.Equal(t, []zalo.TemplateInfo{
		{ID: "1", Name: "Biến động", Status: "ENABLE", Tag: "TRANSACTION", Quality: "HIGH", PriceUID: 200, PricePhone: 300, SendableByUID: true},
		{ID: "2", Name: "Cũ", Status: "DISABLE", Tag: "TRANSACTION", Quality: "LOW"},
	}, ts)
	require.Equal(t, "/template/all", last.Load().URL.Path)
	require.Equal(t, "100", last.Load().URL.Query().Get("limit"))

	url, last, _ = recordingZalo(t, `{"error":0,"data":{"templateId":"1","templateName":"Biến động","status":"ENABLE",
		"listParams":[{"name":"so_tien","require":true,"type":"STRING","maxLength":30},{"name":"noi_dung","require":false,"maxLength":"90"}],
		"price_uid":"200","price":"300","previewUrl":"https://example/1"}}`)
	info, err := zalo.NewClient(zalo.Config{ZNSURL: url}).TemplateDetail(ctx, token, "1")
	require.NoError(t, err)
	require.Equal(t, []zalo.TemplateParam{{Name: "so_tien", MaxLength: 30, Required: true}, {Name: "noi_dung", MaxLength: 90}}, info.Params)
	require.Equal(t, "https://example/1", info.PreviewURL)
	require.Equal(t, "1", last.Load().URL.Query().Get("template_id"))
}

// TestTheOAsHealthAndAUsersWindow: getoa's three gates and quota/message's
// exact last interaction.
func TestTheOAsHealthAndAUsersWindow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url, _, _ := recordingZalo(t, `{"error":0,"data":{"oaid":"579745863508352884","name":"Shop","is_verified":true,"package_name":"Nâng cao","linked_ZCA":"123","num_follower":42}}`)
	info, err := zalo.NewClient(zalo.Config{OpenAPIURL: url}).OAInfo(ctx, token)
	require.NoError(t, err)
	require.Equal(t, zalo.OAInfo{OAID: "579745863508352884", Name: "Shop", Verified: true, Package: "Nâng cao", LinkedZCA: true, NumFollower: 42}, info)

	url, last, sent := recordingZalo(t, `{"error":0,"data":{"last_interaction":"1700000000123","cs_reply":{"remain":7,"total":"8"}}}`)
	q, err := zalo.NewClient(zalo.Config{OpenAPIURL: url}).QuotaMessage(ctx, token, "u1")
	require.NoError(t, err)
	require.Equal(t, time.UnixMilli(1700000000123), *q.LastInteraction)
	require.Equal(t, 7, q.Remain)
	require.Equal(t, 8, q.Total)
	require.Equal(t, "/v3.0/oa/quota/message", last.Load().URL.Path)
	require.JSONEq(t, `{"user_id":"u1"}`, *sent.Load())
}

// TestConversation: the sandbox's conversation, newest first, and Zalo's
// ids and times read whether they come as strings or numbers.
func TestConversation(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	lan := s.sim.CreateUser("Lan", true)
	ctx := context.Background()
	_, ok := s.sim.UserSendsText(lan.OAUserID, "chào shop")
	require.True(t, ok)
	s.sim.SetClock(s.sim.Now().Add(time.Second))
	sent, err := s.client.SendText(ctx, token, lan.OAUserID, "Chào Lan")
	require.NoError(t, err)

	msgs, err := s.client.Conversation(ctx, token, lan.OAUserID, 0, 10)
	require.NoError(t, err)
	require.Len(t, msgs, 2)
	require.Equal(t, sent.MessageID, msgs[0].MessageID)
	require.Equal(t, "Chào Lan", msgs[0].Text)
	require.Equal(t, lan.OAUserID, msgs[0].ToID)
	require.Equal(t, 0, msgs[0].Src)
	require.Equal(t, "text", msgs[0].Type)
	require.Equal(t, "chào shop", msgs[1].Text)
	require.Equal(t, lan.OAUserID, msgs[1].FromID)
	require.Equal(t, 1, msgs[1].Src)
	require.WithinDuration(t, s.sim.Now(), msgs[0].Time, 2*time.Second)

	_, err = s.client.Conversation(ctx, token, "nobody", 0, 10)
	require.Equal(t, zalo.ClassPermanent, zalo.Classify(err))

	url, last, _ := recordingZalo(t, `{"error":0,"data":[
		{"message_id":98765432109876543,"src":"1","time":1700000000000,"type":"text","message":"hi","from_id":12,"to_id":"34"},
		"junk",
		{"message_id":"m2","src":0,"time":"1700000001000","type":"image","message":{"url":"x"},"from_id":"34","to_id":12}]}`)
	msgs, err = zalo.NewClient(zalo.Config{OpenAPIURL: url}).Conversation(ctx, token, "12", 0, 5)
	require.NoError(t, err)
	require.Equal(t, []zalo.ConversationMessage{
		{MessageID: "98765432109876543", Src: 1, Time: time.UnixMilli(1700000000000), Type: "text", Text: "hi", FromID: "12", ToID: "34"},
		{MessageID: "m2", Src: 0, Time: time.UnixMilli(1700000001000), Type: "image", FromID: "34", ToID: "12"},
	}, msgs)
	require.Equal(t, "/v2.0/oa/conversation", last.Load().URL.Path)
	require.JSONEq(t, `{"user_id":"12","offset":0,"count":5}`, last.Load().URL.Query().Get("data"))
}
