package feeds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/tingting-vn/tingting/casso"
	"github.com/tingting-vn/tingting/message"
)

// CassoAPI reads transactions back from Casso's API (CASSO_API_URL).
type CassoAPI struct {
	BaseURL string
	HTTP    *http.Client
}

// KeyRefusedError is Casso refusing an API key: no retry changes that,
// only a new key.
type KeyRefusedError struct {
	Status  int    // HTTP status, or Casso's error code
	Message string // what Casso said, cleaned and cut
}

func (e *KeyRefusedError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("Casso refused the API key (%d)", e.Status)
	}
	return fmt.Sprintf("Casso refused the API key (%d: %s)", e.Status, e.Message)
}

// maxPageBytes bounds an answer: a page of 100 transactions is far less.
const maxPageBytes = 8 << 20

// Transactions reads one page of the source's transactions between two
// dates (GET /v2/transactions, oldest first).
func (c CassoAPI) Transactions(ctx context.Context, apiKey, from, to string, page int) (casso.Page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		strings.TrimSuffix(c.BaseURL, "/")+"/v2/transactions?"+casso.PageQuery(from, to, page).Encode(), nil)
	if err != nil {
		return casso.Page{}, err
	}
	req.Header.Set("Authorization", "Apikey "+apiKey)
	res, err := c.HTTP.Do(req)
	if err != nil {
		return casso.Page{}, fmt.Errorf("casso: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxPageBytes))
	if err != nil {
		return casso.Page{}, fmt.Errorf("casso: reading the answer: %w", err)
	}
	p, perr := casso.ParsePage(body)
	var apiErr *casso.APIError
	switch {
	case res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden:
		msg := ""
		if errors.As(perr, &apiErr) {
			msg = apiErr.Message
		}
		return casso.Page{}, refused(res.StatusCode, msg)
	case errors.As(perr, &apiErr) && (apiErr.Code == http.StatusUnauthorized || apiErr.Code == http.StatusForbidden):
		return casso.Page{}, refused(apiErr.Code, apiErr.Message)
	case res.StatusCode != http.StatusOK:
		return casso.Page{}, fmt.Errorf("casso: HTTP %d", res.StatusCode)
	case perr != nil:
		return casso.Page{}, fmt.Errorf("casso: %w", perr)
	}
	return p, nil
}

func refused(status int, msg string) *KeyRefusedError {
	msg = strings.TrimSpace(message.Clean(msg))
	if r := []rune(msg); len(r) > 200 {
		msg = string(r[:200])
	}
	return &KeyRefusedError{Status: status, Message: msg}
}
