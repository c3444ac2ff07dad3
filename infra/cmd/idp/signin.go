package main

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/ddat-workforce/returns/shared/workforce"
)

//go:embed pages
var pageFiles embed.FS

// signInPages are the provider's own pages: the sign-in form the library sends people to,
// the page for a sign-in that has expired, and the page after signing out.
type signInPages struct {
	store      *storage
	callback   func(ctx context.Context, authRequestID string) string // where the library issues the code
	csp        string
	signInT    *template.Template
	expiredT   *template.Template
	signedOutT *template.Template
	css        []byte
}

func newSignInPages(store *storage, callback func(context.Context, string) string, formTargets []string) (*signInPages, error) {
	p := &signInPages{store: store, callback: callback, csp: pageCSP(formTargets)}
	for _, t := range []struct {
		dst  **template.Template
		file string
	}{{&p.signInT, "pages/signin.html"}, {&p.expiredT, "pages/expired.html"}, {&p.signedOutT, "pages/signedout.html"}} {
		tmpl, err := template.ParseFS(pageFiles, "pages/layout.html", t.file)
		if err != nil {
			return nil, err
		}
		*t.dst = tmpl
	}
	css, err := pageFiles.ReadFile("pages/idp.css")
	if err != nil {
		return nil, err
	}
	p.css = css
	return p, nil
}

// pageCSP allows the pages nothing but their stylesheet and a form that posts here and is
// redirected on to the client.
func pageCSP(formTargets []string) string {
	return strings.Join([]string{
		"default-src 'none'",
		"style-src 'self'",
		"form-action " + strings.Join(append([]string{"'self'"}, formTargets...), " "),
		"frame-ancestors 'none'",
		"base-uri 'none'",
	}, "; ")
}

// signInPage is what the sign-in template shows.
type signInPage struct {
	Title     string
	RequestID string
	Roles     []roleOption
	Orgs      []workforce.Organisation
	Role, Org string // chosen before, when the form comes back with a problem
	Error     bool
	Problems  []problem
}

type roleOption struct{ Value, Label string }

type problem struct{ Field, Message string }

// Problem is the message for field, "" when it has none.
func (p signInPage) Problem(field string) string {
	for _, pr := range p.Problems {
		if pr.Field == field {
			return pr.Message
		}
	}
	return ""
}

func (p *signInPages) page(requestID string) signInPage {
	opts := make([]roleOption, len(roles))
	for i, r := range roles {
		opts[i] = roleOption{Value: string(r), Label: strings.ToUpper(string(r)[:1]) + string(r)[1:]}
	}
	return signInPage{Title: "Sign in", RequestID: requestID, Roles: opts, Orgs: p.store.people.orgs}
}

func (p *signInPages) signInForm(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("authRequestID")
	if !p.store.waiting(id) {
		p.render(w, http.StatusBadRequest, p.expiredT, signInPage{Title: "This sign-in has expired"})
		return
	}
	p.render(w, http.StatusOK, p.signInT, p.page(id))
}

// signIn takes the choice and hands back to the library, which redirects to the client with
// the code and state.
func (p *signInPages) signIn(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "cannot read the form", http.StatusBadRequest)
		return
	}
	id := r.PostForm.Get("authRequestID")
	if !p.store.waiting(id) {
		p.render(w, http.StatusBadRequest, p.expiredT, signInPage{Title: "This sign-in has expired"})
		return
	}
	page := p.page(id)
	page.Role, page.Org = r.PostForm.Get("role"), r.PostForm.Get("org")
	who, err := p.store.people.identity(page.Role, page.Org)
	if err != nil {
		page.Error = true
		for _, f := range []struct {
			err error
			problem
		}{{errNoRole, problem{"role", "Select a role"}}, {errNoOrg, problem{"org", "Select an organisation"}}} {
			if errors.Is(err, f.err) {
				page.Problems = append(page.Problems, f.problem)
			}
		}
		p.render(w, http.StatusBadRequest, p.signInT, page)
		return
	}
	if err := p.store.signIn(id, who); err != nil {
		p.render(w, http.StatusBadRequest, p.expiredT, signInPage{Title: "This sign-in has expired"})
		return
	}
	slog.Info("signed in", slog.String("sub", who.Subject()))
	http.Redirect(w, r, p.callback(r.Context(), id), http.StatusFound)
}

func (p *signInPages) signedOut(w http.ResponseWriter, _ *http.Request) {
	p.render(w, http.StatusOK, p.signedOutT, signInPage{Title: "You have signed out"})
}

func (p *signInPages) styles(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(p.css)
}

func (p *signInPages) render(w http.ResponseWriter, status int, t *template.Template, data signInPage) {
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", data); err != nil {
		slog.Error("render page", slog.String("error", err.Error()))
		http.Error(w, "cannot show this page", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", p.csp)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}
