package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tingting-vn/tingting/db"
)

// tcpProxy passes a process's connections on to PostgreSQL, so that the
// harness can take the database away from that process alone: Cut drops
// every connection and closes new ones as they open, until it is over.
type tcpProxy struct {
	ln              net.Listener
	network, target string

	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	cutUntil time.Time
}

// startDatabaseProxy listens on a free port of this machine and passes
// connections to the server databaseURL names (TCP or a Unix socket).
func startDatabaseProxy(databaseURL string) (*tcpProxy, error) {
	cfg, err := db.ConnConfig(databaseURL)
	if err != nil {
		return nil, err
	}
	network, target := "tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
	if strings.HasPrefix(cfg.Host, "/") {
		network, target = "unix", filepath.Join(cfg.Host, fmt.Sprintf(".s.PGSQL.%d", cfg.Port))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &tcpProxy{ln: ln, network: network, target: target, conns: map[net.Conn]struct{}{}}
	go p.serve()
	return p, nil
}

// Addr is the proxy's host:port.
func (p *tcpProxy) Addr() string { return p.ln.Addr().String() }

func (p *tcpProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		go p.handle(c)
	}
}

func (p *tcpProxy) handle(c net.Conn) {
	if !p.track(c) {
		c.Close()
		return
	}
	defer p.untrack(c)
	up, err := net.DialTimeout(p.network, p.target, 5*time.Second)
	if err != nil {
		return
	}
	if !p.track(up) {
		up.Close()
		return
	}
	defer p.untrack(up)
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(up, c)
		up.Close()
		close(done)
	}()
	_, _ = io.Copy(c, up)
	c.Close()
	<-done
}

// track records an open connection; false while the proxy is cut.
func (p *tcpProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Now().Before(p.cutUntil) {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *tcpProxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	c.Close()
}

// Cut drops every connection and closes new ones as they open, for d.
func (p *tcpProxy) Cut(ctx context.Context, d time.Duration) error {
	p.mu.Lock()
	p.cutUntil = time.Now().Add(d)
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	select {
	case <-ctx.Done():
		p.mu.Lock()
		p.cutUntil = time.Time{}
		p.mu.Unlock()
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// Close stops listening and drops every connection.
func (p *tcpProxy) Close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
}
