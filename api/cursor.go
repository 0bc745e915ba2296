package api

import (
	"encoding/base64"
	"encoding/binary"
	"time"

	"github.com/google/uuid"
)

// deliveryCursor is where a page of the delivery log ends: the last item's
// created_at and id. Clients get it as next_before, opaque; the time alone
// cannot say where a page ends, since all of a transaction's deliveries
// share it.
type deliveryCursor struct {
	At time.Time
	ID uuid.UUID // uuid.Nil for a client's RFC 3339 time: before all of that instant
}

// String is the cursor as clients see it: 8 bytes of microseconds since
// the epoch (PostgreSQL's precision) and the 16 of the id, base64url.
func (c deliveryCursor) String() string {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 24), uint64(c.At.UnixMicro()))
	return base64.RawURLEncoding.EncodeToString(append(b, c.ID[:]...))
}

// parseDeliveryCursor reads a next_before, or an RFC 3339 time as clients
// written before next_before send.
func parseDeliveryCursor(s string) (deliveryCursor, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return deliveryCursor{At: t}, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != 24 {
		return deliveryCursor{}, invalid("before: the next_before of the page before (or an RFC 3339 time)")
	}
	c := deliveryCursor{At: time.UnixMicro(int64(binary.BigEndian.Uint64(b))).UTC()}
	copy(c.ID[:], b[8:])
	return c, nil
}
