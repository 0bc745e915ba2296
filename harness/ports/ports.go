// Package ports finds TCP ports for the harness's processes.
package ports

import (
	"errors"
	"math/rand/v2"
	"net"
	"strconv"
)

// Free is a port on host that nothing listens on, below the kernel's
// ephemeral range (32768 and up). A process the harness kills and starts
// again must get its port back; an ephemeral one can be taken meanwhile by
// any connection the machine opens, and a restarted server then fails with
// "address already in use". (Temporal's membership ports must be below
// 32768 anyway: the cluster_membership table stores them as smallints.)
func Free(host string) (string, error) {
	for range 100 {
		port := strconv.Itoa(10_000 + rand.IntN(31_000-10_000))
		if ln, err := net.Listen("tcp", net.JoinHostPort(host, port)); err == nil {
			ln.Close()
			return port, nil
		}
	}
	return "", errors.New("no free port between 10000 and 31000")
}

// FreeAddr is Free on the loopback, as host:port.
func FreeAddr() (string, error) {
	p, err := Free("127.0.0.1")
	return net.JoinHostPort("127.0.0.1", p), err
}
