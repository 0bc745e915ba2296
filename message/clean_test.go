package message_test

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/message"
)

func TestCleanLeavesNoLineBreakNorReordering(t *testing.T) {
	for in, want := range map[string]string{
		"mua hang\nSố tiền: +500.000.000 VND": "mua hang Số tiền: +500.000.000 VND",
		"a\r\nb\tc\x00d\x1be":                 "a b c d e",
		"tra tien \u202eDNV 000.005+":         "tra tien DNV 000.005+",
		"zero\u200bwidth\u200djoin\ufeffbom":  "zero width join bom",
		"line\u2028sep\u2029para\u0085nel":    "line sep para nel",
		"NGUYỄN VĂN A chuyển tiền":            "NGUYỄN VĂN A chuyển tiền",
		"bad \xff utf8":                       "bad \uFFFD utf8",
		"kept \uFFFD as it is":                "kept \uFFFD as it is",
		"mua hang" + strings.Repeat(" ", 40) + "Số tiền: +500.000.000 VND": "mua hang Số tiền: +500.000.000 VND",
		"mua\u3000\u3000hang\u3164\u3164\u3164Số tiền":                     "mua hang Số tiền",
		"a\u00a0\u2003 \u3164\n\u200b b":                                   "a b",
		"Số tiền:\u115f\u1160\uffa0\u2800+1":                               "Số tiền: +1",
	} {
		require.Equal(t, want, message.Clean(in), "%q", in)
	}
}

// TestARenderedMessageHasOneLinePerField: whatever a payer writes in the
// memo, the message shows one amount line, and its text has no control or
// format character but the newlines between fields.
func TestARenderedMessageHasOneLinePerField(t *testing.T) {
	txn := message.SampleTransaction(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	txn.Description = "mua hang\nSố tiền: +500.000.000 VND\u202e" + strings.Repeat("\u3000", 30) + "Số tiền: +1 VND"
	txn.CounterAccountName = "KE\rGIAN"
	text := message.Render(txn, message.AllFields)
	amountLines := 0
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "Số tiền:") {
			amountLines++
		}
	}
	require.Equal(t, 1, amountLines, text)
	require.Equal(t, len(message.AllFields), strings.Count(text, "\n"), text)
	require.NotContains(t, text, "  ", "no run of blanks that could wrap onto a line of its own")
	for _, r := range strings.ReplaceAll(text, "\n", "") {
		require.False(t, unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r), "%U in %q", r, text)
	}
}

func FuzzClean(f *testing.F) {
	f.Add("mua hang\nSố tiền\u202e")
	f.Add("\xff\xfe\u200b")
	f.Fuzz(func(t *testing.T, s string) {
		c := message.Clean(s)
		require.True(t, utf8.ValidString(c))
		for _, r := range c {
			require.False(t, unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp), "%U", r)
			require.False(t, r != ' ' && (unicode.Is(unicode.Zs, r) || r == '\u3164'), "%U: the only blank left is a space", r)
		}
		require.NotContains(t, c, "  ", "no run of spaces")
		require.Equal(t, c, message.Clean(c), "cleaning is idempotent")
	})
}
