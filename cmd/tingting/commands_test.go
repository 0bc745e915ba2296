package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/apiclient"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/workflows/contract"
	"github.com/tingting-vn/tingting/zalosim"
)

// texts is a user's inbox, as text.
func (sh *shop) texts(u zalosim.User) []string {
	var out []string
	for _, m := range sh.sim.Inbox(u.OAUserID) {
		out = append(out, m.Text)
	}
	return out
}

// answered waits for u's next message and returns it.
func (sh *shop) answered(t *testing.T, u zalosim.User, before int) string {
	t.Helper()
	require.Eventually(t, func() bool { return len(sh.sim.Inbox(u.OAUserID)) > before }, 15*time.Second, 50*time.Millisecond)
	return lastText(sh.sim, u)
}

// ask has u send text and returns the OA's answer.
func (sh *shop) ask(t *testing.T, u zalosim.User, text string) string {
	t.Helper()
	before := len(sh.sim.Inbox(u.OAUserID))
	sh.says(t, u, text)
	return sh.answered(t, u, before)
}

// joined makes a follower a member with the shop's referral code.
func (sh *shop) joined(t *testing.T, name string) zalosim.User {
	u := sh.sim.CreateUser(name, true)
	sh.waitFollower(t, u.OAUserID, "following")
	owner := len(sh.sim.Inbox(sh.owner.OAUserID))
	require.Equal(t, message.InviteAdded, sh.ask(t, u, "/invite: "+sh.integ.ReferralCode))
	require.Equal(t, message.InviteOwnerNotice(name), sh.answered(t, sh.owner, owner))
	return u
}

// TestRecipientsActOnTheirAlerts: a member asks for today's totals,
// pauses and resumes their alerts, asks for help, and leaves; the owner is
// told who left, and an owner asking to stop is told how instead.
func TestRecipientsActOnTheirAlerts(t *testing.T) {
	sh := newShop(t)
	minh := sh.joined(t, "Minh")

	sh.pay(t, 500_000)
	sh.pay(t, -20_000)
	require.Equal(t, message.Today(time.Now(), []message.Totals{{
		Business: "Shop", Accounts: []string{"111"}, Fields: message.AllFields, Count: 2, In: 500_000, Out: -20_000,
	}}), sh.ask(t, minh, "/homnay"))
	require.Equal(t, sh.ask(t, minh, "/homnay"), sh.ask(t, minh, "/TODAY"), "the English name is the same command")

	require.Regexp(t, `^Đã tạm dừng thông báo đến \d\d:\d\d \d\d/\d\d\. Gửi /tieptuc để nhận lại sớm hơn\.$`, sh.ask(t, minh, "/tamdung 30m"))
	before := len(sh.sim.Inbox(minh.OAUserID))
	sh.pay(t, 30_000)
	require.Len(t, sh.sim.Inbox(minh.OAUserID), before, "nothing while paused")
	require.Contains(t, lastText(sh.sim, sh.owner), "+30.000 VND", "the owner is not paused")
	log := sh.deliveries(t)
	muted := false
	for _, d := range log[:2] {
		muted = muted || d.Status == "skipped" && strings.HasPrefix(d.LastError, "muted")
	}
	require.True(t, muted, "the delivery log keeps it as skipped: muted (%+v)", log[:2])
	require.Equal(t, message.MuteSyntax, sh.ask(t, minh, "/tamdung mãi"))
	require.Equal(t, message.Unmuted, sh.ask(t, minh, "/tieptuc"))
	sh.pay(t, 40_000)
	require.Contains(t, lastText(sh.sim, minh), "+40.000 VND")

	require.Equal(t, message.Help, sh.ask(t, minh, "/trogiup"))
	require.Equal(t, message.Help, sh.ask(t, minh, "/xinchao"), "an unknown command gets the help")
	before = len(sh.sim.Inbox(minh.OAUserID))
	sh.says(t, minh, "/hello")
	sh.says(t, minh, "/invite") // malformed too: the same throttle
	require.Equal(t, message.Help, sh.ask(t, minh, "/help"), "asked for, help is always answered")
	require.Len(t, sh.sim.Inbox(minh.OAUserID), before+1, "malformed commands are answered once a minute")

	owner, before := len(sh.sim.Inbox(sh.owner.OAUserID)), len(sh.sim.Inbox(minh.OAUserID))
	stop := sh.says(t, minh, "/dung")
	require.Equal(t, message.Left(1), sh.answered(t, minh, before))
	require.Equal(t, message.MemberLeft("Minh"), sh.answered(t, sh.owner, owner), "the owner is told who left")
	recordHistory(t, contract.ZaloInboundName, contract.ZaloInboundWorkflowID(sh.eventID(t, stop)))
	recordHistory(t, contract.OwnerNoticeName, workflowsOfType(t, contract.OwnerNoticeName)[0])
	before = len(sh.sim.Inbox(minh.OAUserID))
	sh.pay(t, 50_000)
	require.Len(t, sh.sim.Inbox(minh.OAUserID), before, "a member who left gets nothing")
	require.Equal(t, message.NotARecipient, sh.ask(t, minh, "/homnay"))

	require.Equal(t, message.OwnerCannotStop, sh.ask(t, sh.owner, "/dung"))
}

// TestAMembersPrivacyIsKept: a member's hidden fields are left out of
// their alerts and their /homnay; the owner still sees everything.
func TestAMembersPrivacyIsKept(t *testing.T) {
	sh := newShop(t)
	minh := sh.joined(t, "Minh")
	ctx := context.Background()
	member := sh.integration(t).Members[0]
	require.Empty(t, member.HiddenFields)

	hide := func(fields ...apiclient.UpdateMemberJSONBodyHiddenFields) *apiclient.UpdateMemberResponse {
		t.Helper()
		res, err := sh.api.UpdateMemberWithResponse(ctx, sh.integ.ID, member.ID, apiclient.UpdateMemberJSONRequestBody{HiddenFields: &fields})
		require.NoError(t, err)
		return res
	}
	refused := hide("amount") // not a field the spec lets a member hide
	require.Equal(t, http.StatusBadRequest, refused.StatusCode(), "the amount is always shown")
	require.Equal(t, "invalid_request", refused.JSON400.Error.Code)
	hidden := hide(apiclient.UpdateMemberJSONBodyHiddenFieldsBalance, apiclient.UpdateMemberJSONBodyHiddenFieldsAccount, apiclient.UpdateMemberJSONBodyHiddenFieldsDescription)
	require.Equal(t, http.StatusOK, hidden.StatusCode())
	require.Equal(t, []string{"balance", "account", "description"}, hidden.JSON200.HiddenFields)
	require.Equal(t, []string{"balance", "account", "description"}, sh.integration(t).Members[0].HiddenFields)

	posted, err := sh.api.CreateTransactionWithResponse(ctx, apiclient.TransactionRequest{
		AccountNumber: ptr("111"), ExternalID: "private-1", Amount: 250_000, Description: ptr("LUONG THANG 11"), BalanceAfter: ptr[int64](99_000_000),
		OccurredAt: time.Now(),
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, posted.StatusCode())
	require.Eventually(t, func() bool { return strings.Contains(lastText(sh.sim, minh), "+250.000 VND") }, 15*time.Second, 50*time.Millisecond)
	require.Eventually(t, func() bool { return strings.Contains(lastText(sh.sim, sh.owner), "+250.000 VND") }, 15*time.Second, 50*time.Millisecond)
	for _, hidden := range []string{"LUONG", "Số dư", "Tài khoản: 111"} {
		require.NotContains(t, lastText(sh.sim, minh), hidden)
		require.Contains(t, lastText(sh.sim, sh.owner), hidden, "the owner's alert shows it")
	}
	today := sh.ask(t, minh, "/homnay")
	require.Contains(t, today, "Số giao dịch: 1")
	require.NotContains(t, today, "Tài khoản", "nor does /homnay show the hidden account")
	require.Contains(t, sh.ask(t, sh.owner, "/homnay"), "Tài khoản: 111")
}

// TestTheOwnerHearsOfMembersAlertsCannotReach: a member who stops
// following, or never followed, is named to the owner, once.
func TestTheOwnerHearsOfMembersAlertsCannotReach(t *testing.T) {
	sh := newShop(t)
	minh := sh.joined(t, "Minh")
	owner := len(sh.sim.Inbox(sh.owner.OAUserID))
	_, status, ok := sh.sim.Follow(minh.OAUserID, false)
	require.True(t, ok)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, message.MemberUnfollowed("Minh"), sh.answered(t, sh.owner, owner))

	lan := sh.sim.CreateUser("Lan", false) // joins without following
	owner = len(sh.sim.Inbox(sh.owner.OAUserID))
	require.Equal(t, message.InviteAddedFollowFirst, sh.ask(t, lan, "/invite: "+sh.integ.ReferralCode))
	require.Equal(t, message.InviteOwnerNotice("Lan"), sh.answered(t, sh.owner, owner))
	sh.pay(t, 10_000)
	require.Eventually(t, func() bool {
		for _, text := range sh.texts(sh.owner) {
			if text == message.MemberUnreachable("Lan") {
				return true
			}
		}
		return false
	}, 15*time.Second, 50*time.Millisecond)
	sh.pay(t, 20_000)
	time.Sleep(time.Second)
	told := 0
	for _, text := range sh.texts(sh.owner) {
		if text == message.MemberUnreachable("Lan") {
			told++
		}
	}
	require.Equal(t, 1, told, "told once, not at every alert")
	for _, text := range sh.texts(sh.owner) {
		require.NotEqual(t, message.MemberUnreachable("Minh"), text, "Minh's trouble was told when he unfollowed")
	}
}

// TestAlertsGoBeforeChatter: twenty people in no integration write ten
// commands each while payments arrive. Every alert arrives, once, and all
// before the strangers' answers are through: answers take a twentieth of
// the OA's send budget here (ZALO_ANSWER_SHARE), alerts the rest. Each
// stranger gets one answer, whatever they write that day.
func TestAlertsGoBeforeChatter(t *testing.T) {
	sh := newShopWith(t, "ZALO_SEND_RATE", "20", "ZALO_ANSWER_SHARE", "0.05")
	minh := sh.joined(t, "Minh")
	strangers := make([]zalosim.User, 20)
	for i := range strangers {
		strangers[i] = sh.sim.CreateUser(fmt.Sprint("Khách ", i), true)
	}
	commands := []string{"/trogiup", "/homnay", "/xinchao", "/dung", "/tamdung 1h"}
	var wg sync.WaitGroup
	for i, u := range strangers {
		wg.Go(func() {
			for j := range 10 {
				sh.says(t, u, commands[(i+j)%len(commands)])
			}
		})
	}
	const payments = 20
	for i := range payments {
		sh.post(t, int64(10_000+i))
	}
	wg.Wait()

	alerts := func(u zalosim.User) []zalosim.Message {
		var out []zalosim.Message
		for _, m := range sh.sim.Inbox(u.OAUserID) {
			if strings.Contains(m.Text, "VND") && !strings.Contains(m.Text, "Tổng") {
				out = append(out, m)
			}
		}
		return out
	}
	require.Eventually(t, func() bool { return len(alerts(sh.owner)) >= payments && len(alerts(minh)) >= payments },
		time.Minute, 100*time.Millisecond, "every alert")
	var lastAlert time.Time
	for _, u := range []zalosim.User{sh.owner, minh} {
		seen := map[string]bool{}
		for _, m := range alerts(u) {
			require.False(t, seen[m.Text], "%s got %q twice", u.Name, m.Text)
			seen[m.Text] = true
			lastAlert = later(lastAlert, m.ReceivedAt)
		}
		require.Len(t, seen, payments)
	}

	require.Eventually(t, func() bool {
		for _, u := range strangers {
			if len(sh.sim.Inbox(u.OAUserID)) == 0 {
				return false
			}
		}
		return true
	}, 2*time.Minute, 100*time.Millisecond, "each stranger's answer")
	time.Sleep(2 * time.Second) // what more would come
	var lastAnswer time.Time
	for i, u := range strangers {
		inbox := sh.sim.Inbox(u.OAUserID)
		require.Len(t, inbox, 1, "%s: one answer a day", u.Name)
		want := message.NotARecipient
		if first := commands[i%len(commands)]; first == "/trogiup" || first == "/xinchao" {
			want = message.Help
		}
		require.Equal(t, want, inbox[0].Text, "%s: the answer to their first command", u.Name)
		lastAnswer = later(lastAnswer, inbox[0].ReceivedAt)
	}
	require.True(t, lastAlert.Before(lastAnswer), "the alerts went first: the last at %s, the strangers' last answer at %s",
		lastAlert.Format(time.StampMilli), lastAnswer.Format(time.StampMilli))
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
