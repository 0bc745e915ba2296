// Package web is tingting's browser UI: one page, one script, one
// stylesheet, written by hand and embedded in the binary. There is no build
// step and nothing is fetched at run time; the API serves these files at /
// and /ui/ (see api/web.go).
package web

import "embed"

// Files holds the UI's files, flat, by name.
//
//go:embed index.html app.js style.css icon.svg
var Files embed.FS
