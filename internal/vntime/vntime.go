// Package vntime is Vietnam's time zone, in which Zalo's night, its days of
// last interaction, Casso's transaction times and every message's dates
// are read. Vietnam keeps UTC+7 all year, so a fixed zone needs no tzdata.
package vntime

import "time"

// Zone is Indochina Time, UTC+7.
var Zone = time.FixedZone("ICT", 7*60*60)
