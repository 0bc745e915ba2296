package bench

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// balancer stands in front of the APIs as a load balancer does in front of
// replicas: it passes each request to the next API in turn, and a request
// whose connection to one fails (refused, or dropped before any answer, as
// a killed API's are) to the one after. That is nginx's
// `proxy_next_upstream error non_idempotent`, or Envoy's retry on
// connect-failure and reset. It is safe for tingting because what clients
// post is idempotent: a transaction is recorded once per external id, a
// Zalo event once per event id, so a request the dying API had already
// recorded is answered as a duplicate by the other. Every such pass is
// counted: a client never sees it, but the reports show it.
type balancer struct {
	upstreams []string // base URLs
	next      atomic.Uint64
	rerouted  atomic.Int64
	client    *http.Client
	srv       *http.Server
	url       string
}

func startBalancer(upstreams []string) (*balancer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &balancer{
		upstreams: upstreams,
		url:       "http://" + ln.Addr().String(),
		client: &http.Client{
			Transport: &http.Transport{MaxIdleConnsPerHost: 256, DialContext: (&net.Dialer{Timeout: time.Second}).DialContext},
			// Redirects are the client's to follow, not the balancer's.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	b.srv = &http.Server{Handler: b, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = b.srv.Serve(ln) }()
	return b, nil
}

// URL is where clients reach the APIs.
func (b *balancer) URL() string { return b.url }

// Close stops serving.
func (b *balancer) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = b.srv.Shutdown(ctx)
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "reading the request: "+err.Error(), http.StatusBadRequest)
		return
	}
	first := b.next.Add(1)
	for i := range uint64(len(b.upstreams)) {
		if i > 0 {
			b.rerouted.Add(1)
		}
		res, err := b.pass(r, b.upstreams[(first+i)%uint64(len(b.upstreams))], body)
		if errors.Is(err, context.Canceled) || r.Context().Err() != nil {
			return // the client left
		}
		if err != nil {
			continue // that API is gone: the next one
		}
		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(res.StatusCode)
		_, _ = io.Copy(w, res.Body)
		res.Body.Close()
		return
	}
	http.Error(w, "no API answered", http.StatusBadGateway)
}

// pass sends the request to one API.
func (b *balancer) pass(r *http.Request, upstream string, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, upstream+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = r.Header.Clone()
	return b.client.Do(req)
}
