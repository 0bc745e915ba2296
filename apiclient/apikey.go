package apiclient

import (
	"context"
	"net/http"
)

// WithAPIKey is a client of the tingting API at baseURL that sends apiKey
// as its Bearer token on every request.
func WithAPIKey(baseURL, apiKey string, opts ...ClientOption) (*ClientWithResponses, error) {
	bearer := WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+apiKey)
		return nil
	})
	return NewClientWithResponses(baseURL, append([]ClientOption{bearer}, opts...)...)
}
