package message

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tingting-vn/tingting/internal/vntime"
)

// Help answers /trogiup and any command the OA does not know: one line a
// command.
const Help = "Các lệnh bạn có thể gửi cho OA:\n" +
	"/homnay: tổng kết giao dịch hôm nay\n" +
	"/tamdung 2h: tạm dừng nhận thông báo (30m, 2h, tối đa 24h)\n" +
	"/tieptuc: nhận thông báo trở lại\n" +
	"/dung: rời mọi tích hợp bạn là thành viên\n" +
	"/trogiup: xem các lệnh này"

// The answers to /tamdung, /tieptuc and /dung.
const (
	MuteSyntax    = "Cú pháp: /tamdung 30m hoặc /tamdung 2h (tối đa 24h)."
	Unmuted       = "Đã bật lại thông báo biến động số dư."
	NotARecipient = "Bạn chưa nhận thông báo biến động số dư của tích hợp nào."
	// OwnerCannotStop answers /dung from an integration's owner, who
	// leaves by pausing the integration, not by a command.
	OwnerCannotStop = "Bạn là chủ tích hợp: để ngừng nhận thông báo, hãy tạm dừng tích hợp trên trang quản lý tingting."
)

// Muted answers /tamdung: until when nothing arrives, and how to resume.
func Muted(until time.Time) string {
	return "Đã tạm dừng thông báo đến " + until.In(vntime.Zone).Format("15:04 02/01") + ". Gửi /tieptuc để nhận lại sớm hơn."
}

// Left answers /dung from a member: how many integrations they left.
func Left(n int) string {
	return fmt.Sprintf("Bạn đã rời %d tích hợp và sẽ không nhận thông báo biến động số dư nữa. "+
		"Muốn nhận lại, hãy gửi /invite: <mã giới thiệu> với mã từ chủ tích hợp.", n)
}

// Totals is what an integration alerted of over a period.
type Totals struct {
	Business string
	Accounts []string // "number - bank" of its watched accounts
	Fields   []Field  // what the reader may see
	Count    int64
	In, Out  int64
}

// Today answers /homnay: for each integration the sender receives, the
// day's count and totals, and the watched accounts if the sender may see
// the account field.
func Today(day time.Time, totals []Totals) string {
	if len(totals) == 0 {
		return NotARecipient
	}
	blocks := make([]string, len(totals))
	for i, t := range totals {
		blocks[i] = totalsText("Hôm nay "+day.In(vntime.Zone).Format("02/01")+", "+Clean(t.Business), t)
	}
	return cutEnd(strings.Join(blocks, "\n\n"), MaxRunes)
}

// DailySummary is the owner's summary of a day, at daily_summary_at.
func DailySummary(day time.Time, t Totals) string {
	return totalsText("Tổng kết ngày "+day.In(vntime.Zone).Format("02/01")+", "+Clean(t.Business), t)
}

func totalsText(title string, t Totals) string {
	lines := []string{title + ":"}
	if slices.Contains(t.Fields, FieldAccount) && len(t.Accounts) > 0 {
		lines = append(lines, "Tài khoản: "+Clean(strings.Join(t.Accounts, ", ")))
	}
	lines = append(lines,
		fmt.Sprintf("Số giao dịch: %d", t.Count),
		"Tổng tiền vào: "+FormatVND(t.In),
		"Tổng tiền ra: "+FormatVND(t.Out))
	return strings.Join(lines, "\n")
}

// Visible is what a reader may see of an integration's fields: its
// fields less what they hide (never the amount).
func Visible(fields []Field, hidden []string) []Field {
	var out []Field
	for _, f := range fields {
		if f == FieldAmount || !slices.Contains(hidden, string(f)) {
			out = append(out, f)
		}
	}
	return out
}

// What the OA tells an integration's owner about a member.
func MemberUnfollowed(name string) string {
	return Clean(name) + " đã bỏ Quan tâm OA nên không còn nhận thông báo biến động số dư. Nhờ họ Quan tâm lại OA để nhận tiếp."
}

func MemberBlocked(name string) string {
	return Clean(name) + " đã chặn OA nên không nhận được thông báo biến động số dư. Nhờ họ bỏ chặn OA trong Zalo."
}

func MemberUnreachable(name string) string {
	return "Không gửi được thông báo biến động số dư cho " + Clean(name) +
		": Zalo chỉ cho nhắn tin tư vấn đến người có tương tác với OA trong 7 ngày qua, và tích hợp chưa có mẫu tin ZBS (hoặc số điện thoại của họ). " +
		"Nhờ họ nhắn một tin bất kỳ cho OA, hoặc chọn mẫu tin cho tích hợp."
}

// Quota tells the owner Zalo's quota of messages for today is spent: the
// alerts wait for the next window.
func Quota() string {
	return "Hôm nay Zalo đã hết hạn mức tin nhắn của OA. Các thông báo biến động số dư đang chờ và sẽ được gửi khi hạn mức mới bắt đầu (sau 00:00)."
}

// TemplateUnfit tells the owner their integration's template cannot be
// sent any more: who is beyond chat's 7 days gets nothing until they pick
// another.
func TemplateUnfit(name, status, quality string) string {
	return fmt.Sprintf("Mẫu tin ZBS \"%s\" của tích hợp không còn gửi được (trạng thái %s, chất lượng %s). "+
		"Người nhận đã quá 7 ngày không tương tác với OA sẽ không nhận được thông báo cho đến khi bạn chọn một mẫu tin khác đã được duyệt.",
		Clean(name), Clean(status), Clean(quality))
}

// TemplateFit tells the owner their integration's template can be sent
// again.
func TemplateFit(name string) string {
	return "Mẫu tin ZBS \"" + Clean(name) + "\" của tích hợp đã gửi được trở lại."
}

func MemberLeft(name string) string {
	return "Tài khoản Zalo " + Clean(name) + " đã rời tích hợp nhận thông báo biến động số dư."
}

// Silence tells the owner an account has had no transaction for hours.
func Silence(account string, hours int, since time.Time) string {
	return fmt.Sprintf("Tài khoản %s chưa có giao dịch nào trong %d giờ qua (giao dịch cuối lúc %s). "+
		"Hãy kiểm tra kết nối ngân hàng, Casso hoặc SePay.", Clean(account), hours, since.In(vntime.Zone).Format("15:04 02/01"))
}

// CassoKeyRefused tells the owner Casso refused a source's API key, so
// read-back cannot recover what its webhooks miss.
func CassoKeyRefused(source string) string {
	return "Casso từ chối API key của nguồn giao dịch " + Clean(source) + ": tingting không đọc lại được những giao dịch " +
		"mà webhook của Casso bỏ lỡ. Hãy tạo API key mới trên Casso và cập nhật cho nguồn này."
}

// Resumed tells the owner transactions came again after a silence.
func Resumed(account string) string {
	return "Tài khoản " + Clean(account) + " đã có giao dịch trở lại."
}
