package message

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tingting-vn/tingting/internal/vntime"
)

// Held is an alert held back overnight: its transaction and the fields its
// integration shows.
type Held struct {
	Transaction
	Fields []Field
}

// Morning is the one message a recipient gets at the end of the night for
// every alert held back: how many, the total in and out, then a line per
// transaction (time, amount, and the description where its integration
// shows it), oldest first, while the text fits Zalo's MaxRunes; the rest
// are counted on a last line.
func Morning(held []Held) Card {
	var in, out int64
	for _, h := range held {
		if h.Amount >= 0 {
			in += h.Amount
		} else {
			out += h.Amount
		}
	}
	c := Card{Header: "Biến động số dư trong đêm", Rows: []Row{
		{"Số giao dịch", fmt.Sprint(len(held))},
		{"Tổng tiền vào", FormatVND(in)},
		{"Tổng tiền ra", FormatVND(out)},
	}}
	sorted := slices.Clone(held)
	slices.SortStableFunc(sorted, func(a, b Held) int { return a.OccurredAt.Compare(b.OccurredAt) })
	for i, h := range sorted {
		row := morningRow(h)
		rest := Row{"Chưa liệt kê", fmt.Sprintf("%d giao dịch (xem nhật ký gửi)", len(sorted)-i)}
		// Room for this line, and for the "rest" line should the next not fit.
		need := utf8.RuneCountInString(row.Key + ": " + row.Value + "\n")
		if i < len(sorted)-1 {
			need += utf8.RuneCountInString(rest.Key + ": " + rest.Value + "\n")
		}
		if utf8.RuneCountInString(strings.Join(flatten(c), "\n"))+need > MaxRunes {
			c.Rows = append(c.Rows, rest)
			break
		}
		c.Rows = append(c.Rows, row)
	}
	return c
}

func morningRow(h Held) Row {
	key := "—"
	if !h.OccurredAt.IsZero() {
		key = h.OccurredAt.In(vntime.Zone).Format("15:04 02/01")
	}
	value := FormatVND(h.Amount)
	if slices.Contains(h.Fields, FieldDescription) {
		if _, d := line(h.Transaction, FieldDescription); strings.TrimSpace(d) != "" {
			value += " · " + cutEnd(strings.TrimSpace(d), 80)
		}
	}
	return Row{key, value}
}
