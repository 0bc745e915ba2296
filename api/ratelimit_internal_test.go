package api

import (
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestAnIPv6ClientIsItsSlash64(t *testing.T) {
	require.Equal(t, addressGroup("2001:db8::1"), addressGroup("2001:db8::ffff:abcd:1"))
	require.NotEqual(t, addressGroup("2001:db8::1"), addressGroup("2001:db8:0:1::1"))
	require.Equal(t, addressGroup("203.0.113.7"), addressGroup("::ffff:203.0.113.7"), "an IPv4-mapped address is its IPv4 address")
	require.NotEqual(t, addressGroup("203.0.113.7"), addressGroup("203.0.113.8"))
}

// TestTheAddressTableIsBounded: a flood from a million addresses (an IPv6
// attacker has them) costs the per-address limiter no memory.
func TestTheAddressTableIsBounded(t *testing.T) {
	l := newAddressLimits(60)
	now := time.Now()
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	prefix := netip.MustParseAddr("2001:db8::").As16()
	for i := range 1_000_000 {
		a := prefix
		a[4], a[5], a[6], a[7] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
		l.take(netip.AddrFrom16(a).String(), now)
	}
	after := heap()
	runtime.KeepAlive(l)
	require.Less(t, int64(after)-int64(before), int64(1<<20), "a million addresses left %d bytes behind", int64(after)-int64(before))
}
