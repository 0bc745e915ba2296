package zalo

import (
	"context"
	"strings"
)

// Template is a ZBS template message: a template approved in Zalo's
// console, filled with data (ZALO.md §5). It goes by user id or by phone.
type Template struct {
	ID   string
	Data map[string]string
}

// SendTemplate sends a template to an OA-scoped user id
// (POST /v3.0/oa/message/template): any user id of the OA, no interaction
// window. The answer carries no tracking id: its message id is the
// message's only name.
func (c *Client) SendTemplate(ctx context.Context, accessToken, userID string, t Template) (SendResult, error) {
	switch {
	case userID == "":
		return SendResult{}, &Error{Code: CodeInvalidParam, Message: "empty recipient user id"}
	case t.ID == "":
		return SendResult{}, &Error{Code: CodeInvalidParam, Message: "empty template id"}
	}
	// One source nests the id as recipient.user_id: the shape is kept
	// here, in one place.
	body := struct {
		UserID       string            `json:"user_id"`
		TemplateID   string            `json:"template_id"`
		TemplateData map[string]string `json:"template_data"`
	}{userID, t.ID, dataOf(t)}
	var res SendResult
	err := c.postOA(ctx, "/v3.0/oa/message/template", accessToken, body, &res)
	if res.UserID == "" {
		res.UserID = userID
	}
	return res, err
}

// SendTemplateByPhone sends a template to a phone number
// (POST {ZNS}/message/template): anyone with a Zalo account on it.
// trackingID is ours (at most 48 characters): Zalo's user_received_message
// webhook carries it back, the evidence of a send whose answer was lost.
func (c *Client) SendTemplateByPhone(ctx context.Context, accessToken, phone, trackingID string, t Template) (SendResult, error) {
	switch {
	case c.cfg.ZNSURL == "":
		return SendResult{}, &Error{Code: CodeInvalidParam, Message: "no ZNS URL configured"}
	case strings.TrimSpace(phone) == "":
		return SendResult{}, &Error{Code: CodeInvalidParam, Message: "empty phone number"}
	case t.ID == "":
		return SendResult{}, &Error{Code: CodeInvalidParam, Message: "empty template id"}
	case len(trackingID) > MaxTrackingID:
		return SendResult{}, &Error{Code: CodeInvalidParam, Message: "tracking id longer than 48 characters"}
	}
	body := struct {
		Phone        string            `json:"phone"`
		TemplateID   string            `json:"template_id"`
		TemplateData map[string]string `json:"template_data"`
		TrackingID   string            `json:"tracking_id,omitempty"`
	}{phone, t.ID, dataOf(t), trackingID}
	var ans struct {
		MsgID flexID `json:"msg_id"`
	}
	if err := c.post(ctx, c.cfg.ZNSURL, "/message/template", accessToken, body, &ans); err != nil {
		return SendResult{}, err
	}
	return SendResult{MessageID: string(ans.MsgID)}, nil
}

// MaxTrackingID is the longest tracking id Zalo takes.
const MaxTrackingID = 48

func dataOf(t Template) map[string]string {
	if t.Data == nil {
		return map[string]string{}
	}
	return t.Data
}
