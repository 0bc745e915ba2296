package zalo

import (
	"context"
	"strings"
)

// Row is one line of a transaction message's table.
type Row struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// TransactionMessage is a transaction (giao dịch) message: a header and a
// table of rows (ZALO.md §5).
type TransactionMessage struct {
	TemplateType string // "": "transaction_transaction"
	Language     string // "": "VI"
	Header       string
	Rows         []Row
}

// The body of POST /v3.0/oa/message/transaction, in ZALO.md §5's order.
type (
	transactionBody struct {
		Recipient recipient          `json:"recipient"`
		Message   transactionMessage `json:"message"`
	}
	recipient struct {
		UserID string `json:"user_id"`
	}
	transactionMessage struct {
		Attachment attachment `json:"attachment"`
	}
	attachment struct {
		Type    string          `json:"type"`
		Payload templatePayload `json:"payload"`
	}
	templatePayload struct {
		TemplateType string `json:"template_type"`
		Language     string `json:"language"`
		Elements     []any  `json:"elements"`
	}
	headerElement struct {
		Type    string `json:"type"`
		Content string `json:"content"`
		Align   string `json:"align"`
	}
	tableElement struct {
		Type    string `json:"type"`
		Content []Row  `json:"content"`
	}
)

// SendTransaction sends a transaction message to an OA-scoped user id.
// Zalo takes them for followers only (-213) and not at night (-234).
func (c *Client) SendTransaction(ctx context.Context, accessToken, userID string, m TransactionMessage) (SendResult, error) {
	switch {
	case userID == "":
		return SendResult{}, &Error{Code: CodeInvalidParam, Message: "empty recipient user id"}
	case strings.TrimSpace(m.Header) == "":
		return SendResult{}, &Error{Code: CodeInvalidParam, Message: "empty transaction header"}
	case len(m.Rows) == 0:
		return SendResult{}, &Error{Code: CodeInvalidParam, Message: "a transaction message needs at least one row"}
	}
	if m.TemplateType == "" {
		m.TemplateType = "transaction_transaction"
	}
	if m.Language == "" {
		m.Language = "VI"
	}
	body := transactionBody{
		Recipient: recipient{UserID: userID},
		Message: transactionMessage{Attachment: attachment{Type: "template", Payload: templatePayload{
			TemplateType: m.TemplateType, Language: m.Language,
			Elements: []any{
				headerElement{Type: "header", Content: m.Header, Align: "left"},
				tableElement{Type: "table", Content: m.Rows},
			},
		}}},
	}
	var res SendResult
	err := c.postOA(ctx, "/v3.0/oa/message/transaction", accessToken, body, &res)
	return res, err
}

// ZNSMessage is a ZNS (Zalo Notification Service) message: an approved
// template filled with data, to a phone number or to an OA-scoped user id
// (exactly one of them).
type ZNSMessage struct {
	UserID, Phone, TemplateID string
	Data                      map[string]string
	TrackingID                string // the caller's id for the message; optional
}

// SendZNS sends a ZNS message to Config.ZNSURL + "/message/template".
// ZNS answers data.msg_id (the sandbox adds message_id, the same); either
// becomes SendResult.MessageID.
func (c *Client) SendZNS(ctx context.Context, accessToken string, m ZNSMessage) (SendResult, error) {
	switch {
	case c.cfg.ZNSURL == "":
		return SendResult{}, &Error{Code: CodeInvalidParam, Message: "no ZNS URL configured"}
	case (m.UserID == "") == (m.Phone == ""):
		return SendResult{}, &Error{Code: CodeInvalidParam, Message: "a ZNS message goes to a phone or to a user id: exactly one"}
	case m.TemplateID == "":
		return SendResult{}, &Error{Code: CodeInvalidParam, Message: "empty ZNS template id"}
	}
	data := m.Data
	if data == nil {
		data = map[string]string{}
	}
	body := struct {
		Phone        string            `json:"phone,omitempty"`
		UserID       string            `json:"user_id,omitempty"`
		TemplateID   string            `json:"template_id"`
		TemplateData map[string]string `json:"template_data"`
		TrackingID   string            `json:"tracking_id,omitempty"`
	}{m.Phone, m.UserID, m.TemplateID, data, m.TrackingID}
	var ans struct {
		MsgID     flexID `json:"msg_id"`
		MessageID flexID `json:"message_id"`
		UserID    flexID `json:"user_id"`
	}
	if err := c.post(ctx, c.cfg.ZNSURL, "/message/template", accessToken, body, &ans); err != nil {
		return SendResult{}, err
	}
	res := SendResult{MessageID: string(ans.MsgID), UserID: string(ans.UserID)}
	if res.MessageID == "" {
		res.MessageID = string(ans.MessageID)
	}
	if res.UserID == "" {
		res.UserID = m.UserID
	}
	return res, nil
}
