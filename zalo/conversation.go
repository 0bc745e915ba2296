package zalo

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// MaxConversationCount is the most messages Zalo lists in one
// conversation page.
const MaxConversationCount = 10

// ConversationMessage is one message between the OA and a user. Zalo's
// values of Src are unconfirmed (ZALO.md §5): match on FromID and Text.
// The sandbox answers 0 for the OA, 1 for the user.
type ConversationMessage struct {
	MessageID string
	Src       int
	Time      time.Time // zero when Zalo gave none
	Type      string    // "text", "template", …
	Text      string    // the "message" field, when it is a string
	FromID    string
	ToID      string
}

// Conversation reads count messages between the OA and a user, skipping
// the offset newest, newest first as Zalo answers: the way to learn
// whether a message whose answer was lost (ClassInDoubt) did arrive.
func (c *Client) Conversation(ctx context.Context, accessToken, userID string, offset, count int) ([]ConversationMessage, error) {
	switch {
	case userID == "":
		return nil, &Error{Code: CodeInvalidParam, Message: "empty user id"}
	case offset < 0 || count < 1 || count > MaxConversationCount:
		return nil, &Error{Code: CodeInvalidParam, Message: fmt.Sprintf("offset must be 0 or more and count 1 to %d", MaxConversationCount)}
	}
	var raw []json.RawMessage
	params := map[string]any{"user_id": userID, "offset": offset, "count": count}
	if err := c.getOA(ctx, "/v2.0/oa/conversation", accessToken, params, &raw); err != nil {
		return nil, err
	}
	out := []ConversationMessage{}
	for _, r := range raw {
		o, ok := parseObject(r)
		if !ok {
			continue
		}
		m := ConversationMessage{
			MessageID: o.id("message_id"), Type: o.text("type"), Text: o.text("message"),
			FromID: o.id("from_id"), ToID: o.id("to_id"),
		}
		m.Src, _ = strconv.Atoi(o.id("src"))
		if ms, err := strconv.ParseInt(o.id("time"), 10, 64); err == nil && ms > 0 {
			m.Time = time.UnixMilli(ms)
		}
		out = append(out, m)
	}
	return out, nil
}
