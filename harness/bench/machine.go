package bench

import (
	"bufio"
	"bytes"
	"context"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
)

// Machine is where a benchmark ran, for its report.
type Machine struct {
	CPU       string `json:"cpu"`
	Cores     int    `json:"cores"`
	MemoryMiB int64  `json:"memory_mib"`
	Go        string `json:"go"`
	Kernel    string `json:"kernel"`
	Date      string `json:"date"`     // RFC 3339, UTC
	Temporal  string `json:"temporal"` // the flavour: devserver or postgres
	// TemporalServer is the version the Temporal server reports; Postgres
	// the PostgreSQL server's.
	TemporalServer string `json:"temporal_server"`
	Postgres       string `json:"postgres"`
}

// Machine describes this machine and the stack's servers.
func (e *Env) Machine(ctx context.Context) Machine {
	m := Machine{
		CPU:      procField("/proc/cpuinfo", "model name"),
		Cores:    runtime.NumCPU(),
		Go:       runtime.Version(),
		Kernel:   strings.TrimSpace(readFile("/proc/sys/kernel/osrelease")),
		Date:     time.Now().UTC().Format(time.RFC3339),
		Temporal: e.Stack.cfg.Flavour(),
	}
	if kb, err := strconv.ParseInt(strings.TrimSuffix(procField("/proc/meminfo", "MemTotal"), " kB"), 10, 64); err == nil {
		m.MemoryMiB = kb / 1024
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_ = e.Pool.QueryRow(ctx, "SHOW server_version").Scan(&m.Postgres)
	c, err := client.DialContext(ctx, client.Options{HostPort: e.Stack.temporal,
		Logger: tlog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err == nil {
		defer c.Close()
		if info, err := c.WorkflowService().GetSystemInfo(ctx, &workflowservice.GetSystemInfoRequest{}); err == nil {
			m.TemporalServer = info.GetServerVersion()
		}
	}
	return m
}

// procField is the value of the first "name: value" line of a /proc file.
func procField(path, name string) string {
	sc := bufio.NewScanner(bytes.NewReader([]byte(readFile(path))))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}
