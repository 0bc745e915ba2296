package route_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tingting-vn/tingting/route"
)

var vn = time.FixedZone("ICT", 7*60*60)

func at(hhmm string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", "2026-11-25 "+hhmm, vn)
	if err != nil {
		panic(err)
	}
	return t
}

func ago(now time.Time, d time.Duration) *time.Time {
	t := now.Add(-d)
	return &t
}

// TestTheRouteForEachRecipient is the choice as a table: who gets which
// route, in which order, by the default policy.
func TestTheRouteForEachRecipient(t *testing.T) {
	p := route.Default()
	noon := at("12:00")
	const day = 24 * time.Hour
	for _, tc := range []struct {
		name string
		r    route.Recipient
		want []route.Route
	}{
		{"wrote an hour ago", route.Recipient{Following: true, LastInteraction: ago(noon, time.Hour)}, []route.Route{route.CS, route.Transaction}},
		{"wrote 47 hours ago", route.Recipient{Following: true, LastInteraction: ago(noon, 47*time.Hour)}, []route.Route{route.CS, route.Transaction}},
		{"wrote three days ago: cs would be charged", route.Recipient{Following: true, LastInteraction: ago(noon, 3*day)}, []route.Route{route.Transaction}},
		{"eight days ago", route.Recipient{Following: true, LastInteraction: ago(noon, 8*day)}, []route.Route{route.Transaction}},
		{"never seen to interact: left to Zalo", route.Recipient{Following: true}, []route.Route{route.Transaction}},
		{"two years ago", route.Recipient{Following: true, LastInteraction: ago(noon, 730*day)}, nil},
		{"two years ago, with a ZNS template", route.Recipient{Following: true, LastInteraction: ago(noon, 730*day), HasZNS: true}, []route.Route{route.ZNS}},
		{"a non-follower who wrote today: told to follow first", route.Recipient{LastInteraction: ago(noon, time.Hour)}, nil},
		{"a non-follower, quiet", route.Recipient{LastInteraction: ago(noon, 3*day)}, nil},
		{"a non-follower, ZNS", route.Recipient{HasZNS: true}, []route.Route{route.ZNS}},
		{"cs refused since the last interaction", route.Recipient{Following: true, LastInteraction: ago(noon, time.Hour), CSRefusedAt: ago(noon, time.Minute)}, []route.Route{route.Transaction}},
		{"wrote again after the refusal", route.Recipient{Following: true, LastInteraction: ago(noon, time.Minute), CSRefusedAt: ago(noon, time.Hour)}, []route.Route{route.CS, route.Transaction}},
		{"everything", route.Recipient{Following: true, LastInteraction: ago(noon, time.Hour), HasZNS: true}, []route.Route{route.CS, route.Transaction, route.ZNS}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, p.Routes(tc.r, noon))
			best := route.None
			if len(tc.want) > 0 {
				best = tc.want[0]
			}
			require.Equal(t, best, p.Best(tc.r, noon))
		})
	}

	t.Run("the order is configuration", func(t *testing.T) {
		p := route.Default()
		p.Order = []route.Route{route.ZNS, route.CS}
		r := route.Recipient{Following: true, LastInteraction: ago(noon, time.Hour), HasZNS: true}
		require.Equal(t, []route.Route{route.ZNS, route.CS}, p.Routes(r, noon))
	})
}

func TestTheNight(t *testing.T) {
	p := route.Default()
	for _, tc := range []struct {
		now, until string // until "" = not blocked
	}{
		{"21:59", ""}, {"22:00", "2026-11-26 06:00"}, {"23:30", "2026-11-26 06:00"},
		{"00:00", "2026-11-25 06:00"}, {"05:59", "2026-11-25 06:00"}, {"06:00", ""}, {"12:00", ""},
	} {
		got := p.BlockedUntil(route.Transaction, at(tc.now))
		if tc.until == "" {
			require.True(t, got.IsZero(), "%s: %v", tc.now, got)
			continue
		}
		want, _ := time.ParseInLocation("2006-01-02 15:04", tc.until, vn)
		require.Equal(t, want, got, tc.now)
	}
	require.True(t, p.BlockedUntil(route.CS, at("23:00")).IsZero(), "cs is not refused at night")
	require.True(t, p.BlockedUntil(route.ZNS, at("23:00")).IsZero())

	// A refusal Zalo gives whatever our clock says.
	require.Equal(t, at("06:00"), p.AfterNight(at("05:00")))
	require.Equal(t, at("06:01"), p.AfterNight(at("06:00")), "the night just ended here: Zalo's clock may lag")
	require.Equal(t, at("06:00").AddDate(0, 0, 1), p.AfterNight(at("21:30")), "Zalo's night began before ours")
}
