// Package vntime is Vietnam's time zone, in which Zalo's night, its days of
// last interaction, Casso's transaction times and every message's dates
// are read. Vietnam keeps UTC+7 all year, so a fixed zone needs no tzdata.
package vntime

import "time"

// Zone is Indochina Time, UTC+7.
var Zone = time.FixedZone("ICT", 7*60*60)

// Midnight is the start of t's day in Vietnam.
func Midnight(t time.Time) time.Time {
	l := t.In(Zone)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, Zone)
}
