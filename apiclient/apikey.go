package apiclient

import (
	"context"
	"fmt"
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

// Answer is what every typed call answers.
type Answer interface {
	Status() string
	StatusCode() int
}

// Expect is err, or an error naming the answer when its status is not
// want: for callers outside tests, who have no require.
func Expect(res Answer, err error, want int) error {
	switch {
	case err != nil:
		return err
	case res.StatusCode() != want:
		return fmt.Errorf("answered %s, not %d", res.Status(), want)
	}
	return nil
}
