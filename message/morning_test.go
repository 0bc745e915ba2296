package message_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/message"
)

func TestTheMorningMessageSumsTheNight(t *testing.T) {
	vn := time.FixedZone("ICT", 7*60*60)
	night := time.Date(2026, 11, 25, 23, 10, 0, 0, vn)
	held := []message.Held{
		{Transaction: message.Transaction{Amount: -200_000, Description: "tra tien dien", OccurredAt: night.Add(2 * time.Hour)}, Fields: []message.Field{message.FieldAmount}},
		{Transaction: message.Transaction{Amount: 500_000, Description: "mua\nbanh", OccurredAt: night}, Fields: []message.Field{message.FieldAmount, message.FieldDescription}},
		{Transaction: message.Transaction{Amount: 1_000_000, OccurredAt: night.Add(time.Hour)}, Fields: []message.Field{message.FieldAmount}},
	}
	require.Equal(t, strings.Join([]string{
		"Biến động số dư trong đêm",
		"Số giao dịch: 3",
		"Tổng tiền vào: +1.500.000 VND",
		"Tổng tiền ra: -200.000 VND",
		"23:10 25/11: +500.000 VND · mua banh",
		"00:10 26/11: +1.000.000 VND",
		"01:10 26/11: -200.000 VND", // its integration does not show descriptions
	}, "\n"), message.Morning(held).Text())
}

func TestALongNightFitsOneMessage(t *testing.T) {
	var held []message.Held
	start := time.Date(2026, 11, 25, 22, 0, 0, 0, time.UTC)
	for i := range 300 {
		held = append(held, message.Held{
			Transaction: message.Transaction{Amount: 10_000, Description: strings.Repeat("x", 200), OccurredAt: start.Add(time.Duration(i) * time.Minute)},
			Fields:      []message.Field{message.FieldDescription},
		})
	}
	text := message.Morning(held).Text()
	require.LessOrEqual(t, utf8.RuneCountInString(text), message.MaxRunes)
	require.Contains(t, text, "Số giao dịch: 300\n")
	require.Contains(t, text, "Tổng tiền vào: +3.000.000 VND")
	lines := strings.Split(text, "\n")
	listed := len(lines) - 5 // header, three sums, the rest
	require.Equal(t, fmt.Sprintf("Chưa liệt kê: %d giao dịch (xem nhật ký gửi)", 300-listed), lines[len(lines)-1])
	require.False(t, strings.HasSuffix(text, "…"), "cut between lines, never inside one")
}
