package bench

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestQuietRecipients(t *testing.T) {
	two := []string{"o1", "a1", "b1", "o2", "a2", "b2"} // 2 integrations × 3, owners first
	for _, tc := range []struct {
		name       string
		recipients []string
		m          int
		share      float64
		want       []string
	}{
		{"nobody", two, 3, 0, nil},
		{"a third: the last of each", two, 3, 0.34, []string{"b1", "b2"}},
		{"half of 3 rounds to 2", two, 3, 0.5, []string{"a1", "b1", "a2", "b2"}},
		{"all, owners too", two, 3, 1, two},
		{"half of 10", []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, 10, 0.5, []string{"5", "6", "7", "8", "9"}},
		{"too few to round up", two, 3, 0.1, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, QuietRecipients(tc.recipients, tc.m, tc.share))
		})
	}
}

func TestNoonInVietnam(t *testing.T) {
	ict := time.FixedZone("ICT", 7*60*60)
	for _, tc := range []struct {
		name      string
		now, want time.Time
	}{
		{"evening: today's noon", time.Date(2026, 11, 25, 20, 30, 0, 0, ict), time.Date(2026, 11, 25, 12, 0, 0, 0, ict)},
		{"noon itself", time.Date(2026, 11, 25, 12, 0, 0, 0, ict), time.Date(2026, 11, 25, 12, 0, 0, 0, ict)},
		{"morning: yesterday's", time.Date(2026, 11, 25, 9, 0, 0, 0, ict), time.Date(2026, 11, 24, 12, 0, 0, 0, ict)},
		{"given in UTC: 23:30 UTC is 06:30 the next day in Vietnam", time.Date(2026, 11, 24, 23, 30, 0, 0, time.UTC),
			time.Date(2026, 11, 24, 12, 0, 0, 0, ict)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := NoonInVietnam(tc.now)
			assert.True(t, tc.want.Equal(got), "got %s", got.In(ict))
			assert.False(t, got.After(tc.now), "never in the future")
		})
	}
}
