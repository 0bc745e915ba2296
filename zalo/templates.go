package zalo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// TemplateInfo is one of the OA's templates as Zalo describes it.
type TemplateInfo struct {
	ID      string
	Name    string
	Status  string // ENABLE, PENDING_REVIEW, REJECT, DISABLE
	Tag     string // TRANSACTION, CUSTOMER_CARE, PROMOTION
	Quality string // HIGH, MEDIUM, LOW, UNDEFINED
	Params  []TemplateParam
	// Prices in đồng of one message by user id and by phone.
	PriceUID, PricePhone int64
	// SendableByUID: approved after 2025-12-10 (earlier ones go by phone
	// only, -249); absent from some answers, when it reads as true.
	SendableByUID bool
	PreviewURL    string
}

// TemplateParam is one parameter a template's data fills.
type TemplateParam struct {
	Name      string `json:"name"`
	MaxLength int    `json:"max_length"`
	Required  bool   `json:"required"`
}

// MaxTemplatePage is the most templates Zalo lists in one page.
const MaxTemplatePage = 100

// Templates lists one page of the OA's templates
// (GET {ZNS}/template/all); status "" lists every status. The list's
// entries say little: TemplateDetail reads one whole.
func (c *Client) Templates(ctx context.Context, accessToken string, offset, limit int) ([]TemplateInfo, error) {
	if offset < 0 || limit < 1 || limit > MaxTemplatePage {
		return nil, &Error{Code: CodeInvalidParam, Message: fmt.Sprintf("offset must be 0 or more and limit 1 to %d", MaxTemplatePage)}
	}
	q := url.Values{"offset": {strconv.Itoa(offset)}, "limit": {strconv.Itoa(limit)}}
	var raw []json.RawMessage
	if err := c.getZNS(ctx, "/template/all", accessToken, q, &raw); err != nil {
		return nil, err
	}
	out := make([]TemplateInfo, 0, len(raw))
	for _, r := range raw {
		if t, ok := parseTemplate(r); ok {
			out = append(out, t)
		}
	}
	return out, nil
}

// TemplateDetail reads one template (GET {ZNS}/template/info/v2).
func (c *Client) TemplateDetail(ctx context.Context, accessToken, templateID string) (TemplateInfo, error) {
	var raw json.RawMessage
	if err := c.getZNS(ctx, "/template/info/v2", accessToken, url.Values{"template_id": {templateID}}, &raw); err != nil {
		return TemplateInfo{}, err
	}
	t, ok := parseTemplate(raw)
	if !ok {
		return TemplateInfo{}, &Error{Code: CodeUnknown, Message: "unreadable template"}
	}
	return t, nil
}

// parseTemplate reads a template whatever spelling its fields come in:
// Zalo's sources disagree, so every spelling is read here and nowhere else.
func parseTemplate(b []byte) (TemplateInfo, bool) {
	o, ok := parseObject(b)
	if !ok {
		return TemplateInfo{}, false
	}
	first := func(keys ...string) string { return firstOf(o, keys...) }
	t := TemplateInfo{
		ID:         first("template_id", "templateId"),
		Name:       first("template_name", "templateName", "name"),
		Status:     first("template_status", "status"),
		Tag:        first("template_tag", "templateTag", "tag"),
		Quality:    first("template_quality", "templateQuality", "quality"),
		PreviewURL: first("preview_url", "previewUrl"),
	}
	t.PriceUID, _ = strconv.ParseInt(first("price_uid", "priceUid"), 10, 64)
	t.PricePhone, _ = strconv.ParseInt(first("price_sdt", "price", "priceSdt"), 10, 64)
	t.SendableByUID = !isFalse(o, "sendable_by_uid") && !isFalse(o, "sendableByUid")
	var params []json.RawMessage
	for _, k := range []string{"listParams", "list_params", "params"} {
		if json.Unmarshal(o[k], &params) == nil && len(params) > 0 {
			break
		}
	}
	for _, p := range params {
		po, ok := parseObject(p)
		if !ok {
			continue
		}
		max, _ := strconv.Atoi(firstOf(po, "maxLength", "max_length"))
		t.Params = append(t.Params, TemplateParam{
			Name: po.id("name"), MaxLength: max, Required: isTrue(po, "require") || isTrue(po, "required"),
		})
	}
	return t, t.ID != ""
}

func firstOf(o object, keys ...string) string {
	for _, k := range keys {
		if v := o.id(k); v != "" {
			return v
		}
	}
	return ""
}

func isTrue(o object, key string) bool {
	var b bool
	return json.Unmarshal(o[key], &b) == nil && b || o.text(key) == "true"
}

func isFalse(o object, key string) bool {
	var b bool
	return json.Unmarshal(o[key], &b) == nil && !b || o.text(key) == "false"
}

// getZNS reads from the ZNS host, parameters in the query.
func (c *Client) getZNS(ctx context.Context, path, accessToken string, q url.Values, out any) error {
	if c.cfg.ZNSURL == "" {
		return &Error{Code: CodeInvalidParam, Message: "no ZNS URL configured"}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.ZNSURL+path+"?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	return c.callOA(req, path, accessToken, out)
}

// FitForAlerts tells a template an alert may go by: enabled, tagged
// TRANSACTION (ZALO.md §5: a balance alert is one), and not of low quality
// (Zalo disables those, -146).
func (t TemplateInfo) FitForAlerts() bool {
	return t.Status == "ENABLE" && t.Tag == "TRANSACTION" && t.Quality != "LOW"
}
