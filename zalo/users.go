package zalo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tingting-vn/tingting/internal/vntime"
)

// UserDetail is what the OA API tells of one user.
type UserDetail struct {
	UserID, UserIDByApp, DisplayName, Avatar string
	IsFollower                               bool
	// LastInteraction is the start (Vietnam time) of the day Zalo gives as
	// the user's last interaction; nil when it gives none.
	LastInteraction *time.Time
}

// UserDetail reads a user by OA-scoped id.
func (c *Client) UserDetail(ctx context.Context, accessToken, userID string) (UserDetail, error) {
	var d struct {
		UserID      flexID `json:"user_id"`
		UserIDByApp flexID `json:"user_id_by_app"`
		DisplayName string `json:"display_name"`
		Avatar      string `json:"avatar"`
		IsFollower  bool   `json:"user_is_follower"`
		Last        string `json:"user_last_interaction_date"`
	}
	if err := c.getOA(ctx, "/v3.0/oa/user/detail", accessToken, map[string]string{"user_id": userID}, &d); err != nil {
		return UserDetail{}, err
	}
	u := UserDetail{UserID: string(d.UserID), UserIDByApp: string(d.UserIDByApp), DisplayName: d.DisplayName, Avatar: d.Avatar, IsFollower: d.IsFollower}
	if t, err := time.ParseInLocation("02/01/2006", d.Last, vntime.Zone); err == nil {
		u.LastInteraction = &t
	}
	return u, nil
}

// MaxFollowerPage is the most followers Zalo lists in one page.
const MaxFollowerPage = 50

// FollowerPage is one page of the OA's followers.
type FollowerPage struct {
	Total   int
	UserIDs []string
}

// ListFollowers reads one page of the OA's followers.
func (c *Client) ListFollowers(ctx context.Context, accessToken string, offset, count int) (FollowerPage, error) {
	if count < 1 || count > MaxFollowerPage || offset < 0 {
		return FollowerPage{}, &Error{Code: CodeInvalidParam, Message: fmt.Sprintf("count must be 1 to %d and offset not negative", MaxFollowerPage)}
	}
	var d struct {
		Total     flexInt           `json:"total"`
		Followers []json.RawMessage `json:"followers"`
		Users     []json.RawMessage `json:"users"` // the name some of Zalo's answers use
	}
	params := map[string]any{"offset": offset, "count": count, "is_follower": true}
	if err := c.getOA(ctx, "/v3.0/oa/user/getlist", accessToken, params, &d); err != nil {
		return FollowerPage{}, err
	}
	page := FollowerPage{Total: int(d.Total), UserIDs: []string{}}
	for _, raw := range append(d.Followers, d.Users...) {
		if id := followerID(raw); id != "" {
			page.UserIDs = append(page.UserIDs, id)
		}
	}
	return page, nil
}

// followerID reads one entry of a follower list: {"user_id":…}, or a bare id.
func followerID(raw json.RawMessage) string {
	var id flexID
	if err := json.Unmarshal(raw, &id); err == nil {
		return string(id)
	}
	o, _ := parseObject(raw)
	return o.id("user_id")
}
