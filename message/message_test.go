package message_test

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/message"
)

func TestFormatVND(t *testing.T) {
	for _, tc := range []struct {
		in   int64
		want string
	}{
		{0, "0 VND"},
		{1, "+1 VND"},
		{999, "+999 VND"},
		{1000, "+1.000 VND"},
		{599000, "+599.000 VND"},
		{-1250000, "-1.250.000 VND"},
		{1_000_000_000_000, "+1.000.000.000.000 VND"},
		{math.MaxInt64, "+9.223.372.036.854.775.807 VND"},
		{math.MinInt64, "-9.223.372.036.854.775.808 VND"},
	} {
		require.Equal(t, tc.want, message.FormatVND(tc.in), "FormatVND(%d)", tc.in)
	}
	require.Equal(t, "25.000.000 VND", message.FormatBalance(25_000_000))
	require.Equal(t, "-5.000 VND", message.FormatBalance(-5000))
}

func FuzzFormatVND(f *testing.F) {
	for _, n := range []int64{0, 1, -1, 1000, -999999, math.MaxInt64, math.MinInt64} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n int64) {
		s := message.FormatVND(n)
		digits := strings.NewReplacer(".", "", "+", "", " VND", "").Replace(s)
		got, err := strconv.ParseInt(digits, 10, 64)
		require.NoError(t, err, s)
		require.Equal(t, n, got, s)
	})
}

func TestParseFields(t *testing.T) {
	got, err := message.ParseFields([]string{"balance", "time", "balance"})
	require.NoError(t, err)
	require.Equal(t, []message.Field{message.FieldAmount, message.FieldTime, message.FieldBalance}, got)
	_, err = message.ParseFields([]string{"amount", "secret"})
	require.ErrorContains(t, err, `"secret"`)
}

func TestRender(t *testing.T) {
	at := time.Date(2024, 10, 3, 8, 6, 37, 0, time.UTC) // 15:06:37 in Vietnam
	txn := message.SampleTransaction(at)

	require.Equal(t, "Biến động số dư\nSố tiền: +599.000 VND", message.Render(txn, []message.Field{message.FieldAmount}))

	all := message.Render(txn, message.AllFields)
	require.Equal(t, strings.Join([]string{
		"Biến động số dư",
		"Số tiền: +599.000 VND",
		"Thời gian: 15:06:37 03/10/2024",
		"Tài khoản: 0123456789 - Vietcombank",
		"Tài khoản ảo: VQR0123456789",
		"Nội dung: NGUYEN VAN A chuyen tien mua hang",
		"Mã thanh toán: DH1234",
		"Số dư: 25.000.000 VND",
		"Mã tham chiếu: FT24277123456",
		"Tài khoản đối ứng: NGUYEN VAN A - 1903xxxx5678 - Techcombank",
	}, "\n"), all)

	t.Run("empty values leave their line out", func(t *testing.T) {
		bare := message.Transaction{Amount: -5000, OccurredAt: at}
		require.Equal(t, "Biến động số dư\nSố tiền: -5.000 VND\nThời gian: 15:06:37 03/10/2024", message.Render(bare, message.AllFields))
	})
	t.Run("test messages say so", func(t *testing.T) {
		require.True(t, strings.HasPrefix(message.RenderTest(txn, message.AllFields), "[Tin nhắn thử] "))
	})
	t.Run("a long description is cut to fit Zalo's 2000 characters", func(t *testing.T) {
		long := txn
		long.Description = strings.Repeat("Thanh toán ", 400)
		text := message.Render(long, message.AllFields)
		require.Equal(t, message.MaxRunes, utf8.RuneCountInString(text))
		require.Contains(t, text, "…\nMã thanh toán: DH1234\nSố dư: 25.000.000 VND", "only the description is shortened")
	})
	t.Run("other long fields still fit", func(t *testing.T) {
		long := txn
		long.Reference = strings.Repeat("R", 2500)
		text := message.Render(long, message.AllFields)
		require.Equal(t, message.MaxRunes, utf8.RuneCountInString(text))
		require.Contains(t, text, "\nNội dung: …\n", "the description goes first, its label stays")
		require.True(t, strings.HasSuffix(text, "R…"))
	})
}

// TestTemplateData: each parameter gets the field the owner mapped to it,
// NFC-normalised, cleaned and cut to its length; a field the recipient
// may not see, or one the transaction lacks, is left out, or withheld
// when the template requires the parameter.
func TestTemplateData(t *testing.T) {
	txn := message.Transaction{Amount: 599_000, Description: "Thanh toa\u0301n\ndon 42 ZZZZZZZZZZZZ"}
	params := []message.Param{
		{Name: "so_tien", MaxLength: 20, Required: true},
		{Name: "noi_dung", MaxLength: 15},
		{Name: "so_du", MaxLength: 20, Required: true},
		{Name: "tham_chieu", MaxLength: 20},
	}
	mapping := map[string]message.Field{
		"so_tien": message.FieldAmount, "noi_dung": message.FieldDescription, "so_du": message.FieldBalance, "tham_chieu": message.FieldReference,
	}
	all := []message.Field{message.FieldAmount, message.FieldDescription, message.FieldBalance, message.FieldReference}
	require.Equal(t, map[string]string{
		"so_tien": "+599.000 VND", "noi_dung": "Thanh toán don…", "so_du": message.Withheld,
	}, message.TemplateData(txn, all, params, mapping), "no balance, no reference: required one withheld, the other left out")

	hidden := []message.Field{message.FieldAmount, message.FieldBalance}
	require.Equal(t, map[string]string{"so_tien": "+599.000 VND", "so_du": message.Withheld},
		message.TemplateData(txn, hidden, params, mapping), "a hidden description is not sent")
}
