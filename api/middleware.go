package api

import (
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// limitBody makes reading more than maxBody fail, which decodeJSON turns
// into a 413; a declared Content-Length over the limit is refused at once.
// Either way the rest of the body is read and thrown away (up to
// maxDrain), so a client that writes its whole body before reading the
// answer gets the 413 rather than a reset connection.
func limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		body := r.Body
		if r.ContentLength > maxBody {
			drain(body)
			return errTooLarge
		}
		r.Body = http.MaxBytesReader(c.Response(), body, maxBody)
		err := next(c)
		if toError(err) == errTooLarge {
			drain(body)
		}
		return err
	}
}

// maxDrain bounds what is read of a refused body: past it, the connection
// is closed mid-upload after all.
const maxDrain = 16 << 20

func drain(body io.Reader) { _, _ = io.Copy(io.Discard, io.LimitReader(body, maxDrain)) }

// requestLog logs one line per request: never headers or bodies, which may
// carry keys and signatures.
func (s *Server) requestLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		status := c.Response().Status
		if err != nil {
			status = toError(err).Status
		}
		s.log.InfoContext(c.Request().Context(), "http request",
			"method", c.Request().Method, "route", c.Path(), "status", status,
			"duration_ms", time.Since(start).Milliseconds())
		return err
	}
}
