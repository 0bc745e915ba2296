package bench

import (
	"bufio"
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDatabaseProxyCutsOneProcessOff(t *testing.T) {
	// An echo server stands in for PostgreSQL.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				sc := bufio.NewScanner(c)
				for sc.Scan() {
					_, _ = c.Write(append(sc.Bytes(), '\n'))
				}
			}()
		}
	}()
	p, err := startDatabaseProxy("postgres://u:p@" + ln.Addr().String() + "/db")
	require.NoError(t, err)
	defer p.Close()

	echo := func(c net.Conn, line string) (string, error) {
		_ = c.SetDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.Write([]byte(line + "\n")); err != nil {
			return "", err
		}
		return bufio.NewReader(c).ReadString('\n')
	}
	before, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err)
	defer before.Close()
	got, err := echo(before, "select 1")
	require.NoError(t, err)
	assert.Equal(t, "select 1\n", got)

	cut := make(chan error, 1)
	go func() { cut <- p.Cut(context.Background(), 300*time.Millisecond) }()
	time.Sleep(50 * time.Millisecond)
	_, err = echo(before, "select 2")
	assert.Error(t, err, "an open connection is dropped")
	during, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err)
	_, err = echo(during, "select 3")
	assert.Error(t, err, "a new connection is closed as it opens")
	during.Close()

	require.NoError(t, <-cut)
	after, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err)
	defer after.Close()
	got, err = echo(after, "select 4")
	require.NoError(t, err, "once the cut is over, connections pass again")
	assert.Equal(t, "select 4\n", got)
}
