package zalo

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// OAInfo is what getoa says of the OA: the three things that silently
// gate sending (verification, a tier, a linked paying Zalo Cloud Account).
type OAInfo struct {
	OAID, Name  string
	Verified    bool
	Package     string    // the OA's tier; "" none
	ValidUntil  time.Time // the package's end; zero: not said
	LinkedZCA   bool      // a Zalo Cloud Account pays for messages
	NumFollower int
}

// OAInfo reads the OA's own record (GET /v2.0/oa/getoa).
func (c *Client) OAInfo(ctx context.Context, accessToken string) (OAInfo, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.OpenAPIURL+"/v2.0/oa/getoa", nil)
	if err != nil {
		return OAInfo{}, err
	}
	var o object
	if err := c.callOA(req, "/v2.0/oa/getoa", accessToken, &o); err != nil {
		return OAInfo{}, err
	}
	info := OAInfo{
		OAID: firstOf(o, "oaid", "oa_id"), Name: o.text("name"), Package: o.text("package_name"),
		Verified: isTrue(o, "is_verified"), LinkedZCA: linked(o["linked_ZCA"]) || linked(o["linked_zca"]),
	}
	info.NumFollower, _ = strconv.Atoi(o.id("num_follower"))
	if ms, err := strconv.ParseInt(o.id("package_valid_through_date"), 10, 64); err == nil && ms > 0 {
		info.ValidUntil = time.UnixMilli(ms)
	}
	return info, nil
}

// linked reads a linked account: true, or an account's id (Zalo's sources
// show both).
func linked(raw json.RawMessage) bool {
	s := strings.Trim(string(raw), `"`)
	return s != "" && s != "null" && s != "false" && s != "0"
}

// Quota is what Zalo knows of one user's chat window.
type Quota struct {
	// LastInteraction is when the user last interacted with the OA, to the
	// millisecond (user/detail gives only the day); nil: never.
	LastInteraction *time.Time
	// Remain and Total are the chat replies left in the window, when Zalo
	// says (-1: not said).
	Remain, Total int
}

// QuotaMessage reads a user's chat window (POST /v3.0/oa/quota/message).
func (c *Client) QuotaMessage(ctx context.Context, accessToken, userID string) (Quota, error) {
	var o object
	if err := c.postOA(ctx, "/v3.0/oa/quota/message", accessToken, map[string]string{"user_id": userID}, &o); err != nil {
		return Quota{}, err
	}
	q := Quota{Remain: -1, Total: -1}
	if ms, err := strconv.ParseInt(o.id("last_interaction"), 10, 64); err == nil && ms > 0 {
		t := time.UnixMilli(ms)
		q.LastInteraction = &t
	}
	if r, err := strconv.Atoi(o.obj("cs_reply").id("remain")); err == nil {
		q.Remain = r
	}
	if t, err := strconv.Atoi(o.obj("cs_reply").id("total")); err == nil {
		q.Total = t
	}
	return q, nil
}
