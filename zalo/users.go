package zalo

import (
	"context"
	"encoding/json"
	"fmt"
)

// flexID is a Zalo id: a JSON string in Zalo's answers, sometimes a number.
type flexID string

func (f *flexID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("zalo: id is neither a string nor a number: %s", b)
	}
	*f = flexID(n.String())
	return nil
}

// UserDetail is what the OA API tells of one user.
type UserDetail struct {
	UserID, UserIDByApp, DisplayName, Avatar string
	IsFollower                               bool
}

// UserDetail reads a user by OA-scoped id.
func (c *Client) UserDetail(ctx context.Context, accessToken, userID string) (UserDetail, error) {
	var d struct {
		UserID      flexID `json:"user_id"`
		UserIDByApp flexID `json:"user_id_by_app"`
		DisplayName string `json:"display_name"`
		Avatar      string `json:"avatar"`
		IsFollower  bool   `json:"user_is_follower"`
	}
	if err := c.getOA(ctx, "/v3.0/oa/user/detail", accessToken, map[string]string{"user_id": userID}, &d); err != nil {
		return UserDetail{}, err
	}
	return UserDetail{UserID: string(d.UserID), UserIDByApp: string(d.UserIDByApp), DisplayName: d.DisplayName, Avatar: d.Avatar, IsFollower: d.IsFollower}, nil
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
		Total     int `json:"total"`
		Followers []struct {
			UserID flexID `json:"user_id"`
		} `json:"followers"`
	}
	params := map[string]any{"offset": offset, "count": count, "is_follower": true}
	if err := c.getOA(ctx, "/v3.0/oa/user/getlist", accessToken, params, &d); err != nil {
		return FollowerPage{}, err
	}
	page := FollowerPage{Total: d.Total, UserIDs: make([]string, len(d.Followers))}
	for i, f := range d.Followers {
		page.UserIDs[i] = string(f.UserID)
	}
	return page, nil
}
