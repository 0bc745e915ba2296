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
		{"wrote an hour ago", route.Recipient{Following: true, LastInteraction: ago(noon, time.Hour)}, []route.Route{route.CS}},
		{"wrote six days ago: chat, charged", route.Recipient{Following: true, LastInteraction: ago(noon, 6*day)}, []route.Route{route.CS}},
		{"eight days ago, no template", route.Recipient{Following: true, LastInteraction: ago(noon, 8*day)}, nil},
		{"quiet for ten days: the template by user id", route.Recipient{Following: true, LastInteraction: ago(noon, 10*day), Template: true, ByUID: true},
			[]route.Route{route.Template}},
		{"and by phone when they have one", route.Recipient{Following: true, LastInteraction: ago(noon, 10*day), Template: true, ByUID: true, Phone: true},
			[]route.Route{route.Template, route.TemplatePhone}},
		{"a template approved before 2025-12-10 goes by phone only", route.Recipient{Template: true, Phone: true}, []route.Route{route.TemplatePhone}},
		{"a phone but no template", route.Recipient{Phone: true}, nil},
		{"never seen to interact, no template", route.Recipient{Following: true}, nil},
		{"a non-follower who wrote today: told to follow first", route.Recipient{LastInteraction: ago(noon, time.Hour)}, nil},
		{"a non-follower: the template reaches any user id", route.Recipient{Template: true, ByUID: true}, []route.Route{route.Template}},
		{"cs refused since the last interaction", route.Recipient{Following: true, LastInteraction: ago(noon, time.Hour), CSRefusedAt: ago(noon, time.Minute), Template: true, ByUID: true},
			[]route.Route{route.Template}},
		{"wrote again after the refusal", route.Recipient{Following: true, LastInteraction: ago(noon, time.Minute), CSRefusedAt: ago(noon, time.Hour)}, []route.Route{route.CS}},
		{"everything", route.Recipient{Following: true, LastInteraction: ago(noon, time.Hour), Template: true, ByUID: true, Phone: true},
			[]route.Route{route.CS, route.Template, route.TemplatePhone}},
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
		p.Order = []route.Route{route.TemplatePhone, route.CS}
		r := route.Recipient{Following: true, LastInteraction: ago(noon, time.Hour), Template: true, Phone: true}
		require.Equal(t, []route.Route{route.TemplatePhone, route.CS}, p.Routes(r, noon))
	})
}

// TestTheNight: since 2026 Zalo refuses nothing at night but promotion;
// a template arrives without its push sound; a night route, if one is
// configured, opens at the night's end; -234 is answered whatever our clock.
func TestTheNight(t *testing.T) {
	p := route.Default()
	for _, rt := range []route.Route{route.CS, route.Template, route.TemplatePhone} {
		require.True(t, p.BlockedUntil(rt, at("23:00")).IsZero(), "%s is not refused at night", rt)
	}
	require.True(t, p.Silent(route.Template, at("23:00")))
	require.True(t, p.Silent(route.TemplatePhone, at("05:59")))
	require.False(t, p.Silent(route.Template, at("06:00")))
	require.False(t, p.Silent(route.CS, at("23:00")), "chat has no push of its own to hold")

	p.NightRoutes = []route.Route{route.Template}
	for _, tc := range []struct {
		now, until string // until "" = not blocked
	}{
		{"21:59", ""}, {"22:00", "2026-11-26 06:00"}, {"23:30", "2026-11-26 06:00"},
		{"00:00", "2026-11-25 06:00"}, {"05:59", "2026-11-25 06:00"}, {"06:00", ""}, {"12:00", ""},
	} {
		got := p.BlockedUntil(route.Template, at(tc.now))
		if tc.until == "" {
			require.True(t, got.IsZero(), "%s: %v", tc.now, got)
			continue
		}
		want, _ := time.ParseInLocation("2006-01-02 15:04", tc.until, vn)
		require.Equal(t, want, got, tc.now)
	}
	require.True(t, p.BlockedUntil(route.CS, at("23:00")).IsZero())

	require.Equal(t, at("06:00"), p.AfterNight(at("05:00")))
	require.Equal(t, at("06:01"), p.AfterNight(at("06:00")), "the night just ended here: Zalo's clock may lag")
	require.Equal(t, at("06:00").AddDate(0, 0, 1), p.AfterNight(at("21:30")), "Zalo's night began before ours")
}

// TestQuietHours: a recipient's own window, read and ended.
func TestQuietHours(t *testing.T) {
	w, err := route.ParseWindow(" 21:30-07:00 ")
	require.NoError(t, err)
	require.Equal(t, "21:30-07:00", w.String())
	require.Equal(t, at("07:00"), w.Until(at("03:00")))
	require.Equal(t, at("07:00").AddDate(0, 0, 1), w.Until(at("22:00")))
	require.True(t, w.Until(at("12:00")).IsZero())
	lunch, err := route.ParseWindow("12:00-13:30")
	require.NoError(t, err)
	require.Equal(t, at("13:30"), lunch.Until(at("12:45")))
	for _, bad := range []string{"", "22:00", "25:00-06:00", "22:00-22:00", "ten-six"} {
		_, err := route.ParseWindow(bad)
		require.Error(t, err, bad)
	}
}
