package route

import (
	"fmt"
	"strings"
	"time"

	"github.com/tingting-vn/tingting/internal/vntime"
)

// Window is a time of day in Vietnam from Start to End, wrapping midnight
// when End is before Start ("22:00-06:00"); Start == End is no window.
// Zalo's night is one, and so are a recipient's quiet hours.
type Window struct {
	Start, End time.Duration // since midnight
}

// ParseWindow reads "HH:MM-HH:MM".
func ParseWindow(s string) (Window, error) {
	from, to, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return Window{}, fmt.Errorf("%q is not HH:MM-HH:MM", s)
	}
	start, err := clock(from)
	if err != nil {
		return Window{}, err
	}
	end, err := clock(to)
	if err != nil {
		return Window{}, err
	}
	if start == end {
		return Window{}, fmt.Errorf("%q starts when it ends", s)
	}
	return Window{Start: start, End: end}, nil
}

func clock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a time of day HH:MM", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// String is "HH:MM-HH:MM", as ParseWindow reads it.
func (w Window) String() string {
	hm := func(d time.Duration) string { return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60) }
	return hm(w.Start) + "-" + hm(w.End)
}

// Until is when the window containing now ends; the zero time when now is
// outside it.
func (w Window) Until(now time.Time) time.Time {
	if w.Start == w.End {
		return time.Time{}
	}
	day := vntime.Midnight(now)
	of := now.Sub(day)
	switch {
	case w.Start < w.End && of >= w.Start && of < w.End: // within one day
		return day.Add(w.End)
	case w.Start > w.End && of >= w.Start: // before midnight
		return day.AddDate(0, 0, 1).Add(w.End)
	case w.Start > w.End && of < w.End: // after midnight
		return day.Add(w.End)
	}
	return time.Time{}
}
