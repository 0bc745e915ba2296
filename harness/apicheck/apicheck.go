// Package apicheck holds tingting's API to its description: every answer
// the API gives a client is checked against docs/openapi.yaml (a status the
// operation declares, a body its schema allows), so a spec that says what
// the server does not do fails the test that saw it.
package apicheck

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Spec is docs/openapi.yaml, loaded once.
var Spec = sync.OnceValues(func() (routers.Router, error) {
	_, here, _, _ := runtime.Caller(0)
	doc, err := openapi3.NewLoader().LoadFromFile(filepath.Join(filepath.Dir(here), "..", "..", "docs", "openapi.yaml"))
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("docs/openapi.yaml: %w", err)
	}
	doc.Servers = nil // the API under test is on a port of its own
	return gorillamux.NewRouter(doc)
})

// Transport checks every answer from the API at base (other hosts pass
// unchecked: a redirect to Zalo, say) and reports those the spec does not
// describe: a status the operation does not declare, or a body its schema
// refuses.
type Transport struct {
	Base   *url.URL
	Report func(error)
	Next   http.RoundTripper // http.DefaultTransport when nil
}

// Client is an HTTP client for the API at baseURL whose answers are
// checked; report is told of each the spec does not describe (t.Errorf).
func Client(baseURL string, report func(format string, args ...any)) (*http.Client, error) {
	base, err := url.Parse(baseURL)
	if err != nil {
		return nil, err
	}
	if _, err := Spec(); err != nil {
		return nil, err
	}
	return &http.Client{Transport: &Transport{Base: base, Report: func(err error) { report("%v", err) }}}, nil
}

func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	next := t.Next
	if next == nil {
		next = http.DefaultTransport
	}
	res, err := next.RoundTrip(req)
	if err != nil || req.URL.Host != t.Base.Host {
		return res, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	if err := check(req, res, body); err != nil {
		t.Report(fmt.Errorf("%s %s answered %d %s, which docs/openapi.yaml does not describe: %w", req.Method, req.URL.Path, res.StatusCode, body, err))
	}
	return res, nil
}

func check(req *http.Request, res *http.Response, body []byte) error {
	router, err := Spec()
	if err != nil {
		return err
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		return err
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, ExcludeRequestBody: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	return openapi3filter.ValidateResponse(req.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts},
		Status:                 res.StatusCode,
		Header:                 res.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                opts,
	})
}
