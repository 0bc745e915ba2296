package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"io/fs"
	"net/http"
	"path"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tingting-vn/tingting/web"
)

// uiPolicy lets UI pages load only this site's own files and talk only to
// this site's API: no inline script or style, no framing.
const uiPolicy = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"

// uiTypes are the file types the UI has; anything else is not served.
var uiTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
}

// uiIndex is the UI's one page, at /.
func (s *Server) uiIndex(c echo.Context) error { return serveUI(c, web.Files, "index.html") }

// uiFile is one of the UI's files, at /ui/{file}.
func (s *Server) uiFile(c echo.Context) error { return serveUI(c, web.Files, c.Param("file")) }

// serveUI answers an embedded file. The files change only with the binary,
// so browsers revalidate (no-cache) and get a 304 while the content hash, the
// ETag, is the same.
func serveUI(c echo.Context, files fs.FS, name string) error {
	ctype, ok := uiTypes[path.Ext(name)]
	if !ok {
		return errNotFound
	}
	body, err := fs.ReadFile(files, name)
	if err != nil {
		return errNotFound
	}
	sum := sha256.Sum256(body)
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, ctype)
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", `"`+base64.RawURLEncoding.EncodeToString(sum[:12])+`"`)
	h.Set("Content-Security-Policy", uiPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	http.ServeContent(c.Response(), c.Request(), name, time.Time{}, bytes.NewReader(body))
	return nil
}
