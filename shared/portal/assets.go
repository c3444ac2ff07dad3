package portal

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// static holds GOV.UK Frontend's compiled CSS and JavaScript and the portal's own start-up
// script, built from the pinned npm package by frontend/build.mjs and committed, so the Go
// build needs no Node.js.
//
//go:embed static
var static embed.FS

// assets serves the static files under fingerprinted names (portal-3f2a9c1b0d4e.css), so
// each can be cached for a year: a changed file gets a new name.
type assets struct {
	prefix string            // the URL path they are served under, ending in /
	byName map[string]string // file name → fingerprinted URL path
	files  map[string]asset  // fingerprinted file name → content
}

type asset struct {
	body        []byte
	contentType string
}

func loadAssets(prefix string) (*assets, error) {
	a := &assets{prefix: prefix, byName: map[string]string{}, files: map[string]asset{}}
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(body)
		ext := path.Ext(name)
		printed := strings.TrimSuffix(name, ext) + "-" + hex.EncodeToString(sum[:6]) + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		a.byName[name] = prefix + printed
		a.files[printed] = asset{body: body, contentType: ct}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, need := range []string{"portal.css", "init.js"} {
		if a.byName[need] == "" {
			return nil, fmt.Errorf("portal assets: static/%s is missing (rebuild with shared/portal/frontend)", need)
		}
	}
	return a, nil
}

// url is the fingerprinted path of a static file; templates call it as {{asset "portal.css"}}.
func (a *assets) url(name string) (string, error) {
	u, ok := a.byName[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return u, nil
}

func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := a.files[strings.TrimPrefix(r.URL.Path, a.prefix)]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(f.body)
}
