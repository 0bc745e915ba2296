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
	"github.com/tingting-vn/tingting/zalosim"
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

var bdsd = zalo.TransactionMessage{Header: "Biến động số dư", Rows: []zalo.Row{
	{Key: "Số tiền", Value: "+599.000 VND"}, {Key: "Nội dung", Value: "thanh toan don 42"},
}}

// TestSendTransactionBody: the body is ZALO.md §5's, defaults included.
func TestSendTransactionBody(t *testing.T) {
	t.Parallel()
	url, last, sent := recordingZalo(t, `{"error":0,"message":"Success","data":{"message_id":"m1","user_id":"u1"}}`)
	c := zalo.NewClient(zalo.Config{OpenAPIURL: url})
	res, err := c.SendTransaction(context.Background(), token, "u1", bdsd)
	require.NoError(t, err)
	require.Equal(t, zalo.SendResult{MessageID: "m1", UserID: "u1"}, res)
	require.Equal(t, "/v3.0/oa/message/transaction", last.Load().URL.Path)
	require.Equal(t, token, last.Load().Header.Get("access_token"))
	require.Equal(t, "application/json", last.Load().Header.Get("Content-Type"))
	require.JSONEq(t, `{"recipient":{"user_id":"u1"},
 "message":{"attachment":{"type":"template","payload":{
   "template_type":"transaction_transaction","language":"VI",
   "elements":[{"type":"header","content":"Biến động số dư","align":"left"},
               {"type":"table","content":[{"key":"Số tiền","value":"+599.000 VND"},
                                          {"key":"Nội dung","value":"thanh toan don 42"}]}]}}}}`, *sent.Load())

	m := bdsd
	m.TemplateType, m.Language = "transaction_billing", "EN"
	_, err = c.SendTransaction(context.Background(), token, "u1", m)
	require.NoError(t, err)
	require.Contains(t, *sent.Load(), `"template_type":"transaction_billing","language":"EN"`)
}

// TestSendTransactionThroughTheSandbox: it arrives by day to a follower,
// and Zalo's refusals sort into their classes.
func TestSendTransactionThroughTheSandbox(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	s.sim.SetClock(time.Date(2026, 3, 10, 10, 0, 0, 0, time.FixedZone("ICT", 7*3600)))
	lan, tu := s.sim.CreateUser("Lan", true), s.sim.CreateUser("Tú", false)
	ctx := context.Background()

	res, err := s.client.SendTransaction(ctx, token, lan.OAUserID, bdsd)
	require.NoError(t, err)
	inbox := s.sim.Inbox(lan.OAUserID)
	require.Len(t, inbox, 1)
	require.Equal(t, res.MessageID, inbox[0].MessageID)
	require.Equal(t, zalosim.KindTransaction, inbox[0].Kind)
	require.Equal(t, "Biến động số dư\nSố tiền: +599.000 VND\nNội dung: thanh toan don 42", inbox[0].Text)

	_, err = s.client.SendTransaction(ctx, token, tu.OAUserID, bdsd)
	require.Equal(t, zalo.ClassNotFollowing, zalo.Classify(err), "error: %v", err)
	s.sim.SetClock(time.Date(2026, 3, 10, 22, 0, 0, 0, time.FixedZone("ICT", 7*3600)))
	_, err = s.client.SendTransaction(ctx, token, lan.OAUserID, bdsd)
	require.Equal(t, zalo.ClassNightBlock, zalo.Classify(err), "error: %v", err)
	s.faults(t, `{"error_code":-224}`)
	_, err = s.client.SendTransaction(ctx, token, lan.OAUserID, bdsd)
	require.Equal(t, zalo.ClassPermanent, zalo.Classify(err), "wrong tier: %v", err)
}

// TestSendZNS: through the sandbox by user id and by phone; the answer's
// msg_id (or message_id, or a number) becomes the message id.
func TestSendZNS(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	c := zalo.NewClient(zalo.Config{ZNSURL: s.url + "/"})
	tu := s.sim.CreateUser("Tú", false)
	ctx := context.Background()

	res, err := c.SendZNS(ctx, token, zalo.ZNSMessage{UserID: tu.OAUserID, TemplateID: "230918", Data: map[string]string{"so_tien": "+599.000 VND"}, TrackingID: "t-1"})
	require.NoError(t, err)
	require.Equal(t, tu.OAUserID, res.UserID)
	inbox := s.sim.Inbox(tu.OAUserID)
	require.Len(t, inbox, 1)
	require.Equal(t, res.MessageID, inbox[0].MessageID)
	require.Equal(t, "[zns 230918]\nso_tien: +599.000 VND", inbox[0].Text)
	require.Equal(t, "t-1", inbox[0].TrackingID)

	res, err = c.SendZNS(ctx, token, zalo.ZNSMessage{Phone: "84912345678", TemplateID: "230918"})
	require.NoError(t, err)
	require.NotEmpty(t, res.MessageID)
	_, err = c.SendZNS(ctx, "stale", zalo.ZNSMessage{Phone: "84912345678", TemplateID: "230918"})
	require.Equal(t, zalo.ClassToken, zalo.Classify(err))

	for answer, want := range map[string]string{
		`{"error":0,"message":"Success","data":{"msg_id":"z1","sent_time":"1700000000000"}}`: "z1",
		`{"error":0,"message":"Success","data":{"message_id":"z2"}}`:                         "z2",
		`{"error":0,"message":"Success","data":{"msg_id":123456789012345678}}`:               "123456789012345678",
	} {
		url, last, sent := recordingZalo(t, answer)
		c := zalo.NewClient(zalo.Config{ZNSURL: url})
		res, err := c.SendZNS(ctx, token, zalo.ZNSMessage{Phone: "84912345678", TemplateID: "7"})
		require.NoError(t, err)
		require.Equal(t, want, res.MessageID, answer)
		require.Equal(t, "/message/template", last.Load().URL.Path)
		require.Equal(t, token, last.Load().Header.Get("access_token"))
		require.JSONEq(t, `{"phone":"84912345678","template_id":"7","template_data":{}}`, *sent.Load())
	}
	_, err = zalo.NewClient(zalo.Config{}).SendZNS(ctx, token, zalo.ZNSMessage{Phone: "84912345678", TemplateID: "7"})
	require.Equal(t, zalo.ClassPermanent, zalo.Classify(err), "no ZNS URL: refused without a call")
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
