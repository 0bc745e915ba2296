package message_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/message"
)

// The recipients' answers, word for word as the README gives them.
func TestTheAnswersToCommands(t *testing.T) {
	vn := time.FixedZone("ICT", 7*60*60)
	require.Equal(t, strings.Join([]string{
		"Các lệnh bạn có thể gửi cho OA:",
		"/homnay: tổng kết giao dịch hôm nay",
		"/tamdung 2h: tạm dừng nhận thông báo (30m, 2h, tối đa 24h)",
		"/tieptuc: nhận thông báo trở lại",
		"/dung: rời mọi tích hợp bạn là thành viên",
		"/trogiup: xem các lệnh này",
	}, "\n"), message.Help)
	require.Equal(t, "Đã tạm dừng thông báo đến 16:30 25/11. Gửi /tieptuc để nhận lại sớm hơn.",
		message.Muted(time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)))
	require.Equal(t, "Bạn đã rời 2 tích hợp và sẽ không nhận thông báo biến động số dư nữa. "+
		"Muốn nhận lại, hãy gửi /invite: <mã giới thiệu> với mã từ chủ tích hợp.", message.Left(2))

	day := time.Date(2026, 11, 25, 20, 0, 0, 0, vn)
	shop := message.Totals{Business: "Tiệm\nbánh", Accounts: []string{"0123 - VCB"}, Fields: message.AllFields, Count: 3, In: 1_500_000, Out: -200_000}
	private := message.Totals{Business: "Quán cà phê", Accounts: []string{"999"}, Fields: []message.Field{message.FieldAmount}, Count: 0}
	require.Equal(t, strings.Join([]string{
		"Hôm nay 25/11, Tiệm bánh:",
		"Tài khoản: 0123 - VCB",
		"Số giao dịch: 3",
		"Tổng tiền vào: +1.500.000 VND",
		"Tổng tiền ra: -200.000 VND",
		"",
		"Hôm nay 25/11, Quán cà phê:",
		"Số giao dịch: 0",
		"Tổng tiền vào: 0 VND",
		"Tổng tiền ra: 0 VND",
	}, "\n"), message.Today(day, []message.Totals{shop, private}), "the account only where the reader may see it")
	require.Equal(t, message.NotARecipient, message.Today(day, nil))
}

func TestVisibleFieldsNeverLoseTheAmount(t *testing.T) {
	require.Equal(t, []message.Field{message.FieldAmount, message.FieldTime},
		message.Visible([]message.Field{message.FieldAmount, message.FieldTime, message.FieldBalance}, []string{"balance", "amount"}))
}

// The owner's notices, word for word as the README gives them.
func TestTheOwnersNotices(t *testing.T) {
	require.Equal(t, "Minh đã bỏ Quan tâm OA nên không còn nhận thông báo biến động số dư. Nhờ họ Quan tâm lại OA để nhận tiếp.", message.MemberUnfollowed("Minh"))
	require.Equal(t, "Minh đã chặn OA nên không nhận được thông báo biến động số dư. Nhờ họ bỏ chặn OA trong Zalo.", message.MemberBlocked("Minh"))
	require.Equal(t, "Tài khoản Zalo Minh đã rời tích hợp nhận thông báo biến động số dư.", message.MemberLeft("Minh"))
	require.Equal(t, "Tài khoản 0123 chưa có giao dịch nào trong 6 giờ qua (giao dịch cuối lúc 09:15 25/11). Hãy kiểm tra kết nối ngân hàng, Casso hoặc SePay.",
		message.Silence("0123", 6, time.Date(2026, 11, 25, 2, 15, 0, 0, time.UTC)))
	require.Equal(t, "Casso từ chối API key của nguồn giao dịch 1a2b3c4d: tingting không đọc lại được những giao dịch "+
		"mà webhook của Casso bỏ lỡ. Hãy tạo API key mới trên Casso và cập nhật cho nguồn này.", message.CassoKeyRefused("1a2b3c4d"))
	require.Equal(t, "Tài khoản 0123 đã có giao dịch trở lại.", message.Resumed("0123"))
}
