package portal

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/shared/workforce"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

//go:embed templates
var templateFiles embed.FS

// views are the parsed pages: templates/layout.html around each templates/<page>.html,
// which defines "title" and "main".
type views struct {
	pages map[string]*template.Template
}

// View is what every template receives.
type View struct {
	Service   string   // ServiceName
	Owner     string   // the organisation that runs the service, for the header
	Base      string   // BasePath
	Session   *Session // nil on pages for anyone
	CSRF      string   // the session's CSRF token, for every form's hidden field
	Nav       []NavItem
	Errors    []FormError // the error summary; a page with errors is titled "Error: …"
	Data      any         // the page's own data
	Now       time.Time
	CSRFField string
}

// NavItem is a link of the service navigation.
type NavItem struct {
	Text, Href string
	Active     bool
}

// FormError is an entry of a GOV.UK error summary: its message and the field it links to.
type FormError struct {
	Href string // "#field-id"
	Text string
}

// funcs are the template functions; a page file adds its own with addFuncs in init.
var funcs = template.FuncMap{
	"longDate": func(t time.Time) string { return t.Format("2 January 2006") },
	"dateTime": func(t time.Time) string {
		return t.In(london).Format("2 January 2006 at 3:04pm")
	},
	"number": func(v any) string { return printer.Sprintf("%v", v) },
	"lower":  strings.ToLower,
	"join":   strings.Join,
}

func addFuncs(m template.FuncMap) {
	for k, v := range m {
		if _, dup := funcs[k]; dup {
			panic("portal: template function " + k + " defined twice")
		}
		funcs[k] = v
	}
}

var printer = message.NewPrinter(language.BritishEnglish)

var london = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return l
}()

func loadViews(a *assets) (*views, error) {
	fm := template.FuncMap{"asset": a.url}
	for k, v := range funcs {
		fm[k] = v
	}
	layout, err := template.New("layout.html").Funcs(fm).ParseFS(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	v := &views{pages: map[string]*template.Template{}}
	for _, n := range names {
		if n == "templates/layout.html" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFiles, n)
		if err != nil {
			return nil, err
		}
		for _, block := range []string{"title", "main"} {
			if t.Lookup(block) == nil {
				return nil, fmt.Errorf("%s defines no %q template", n, block)
			}
		}
		v.pages[strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")] = t
	}
	return v, nil
}

// render writes a page. It renders into a buffer first, so a template error is a clean
// error page rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, sess *Session, data any, errs ...FormError) {
	t, ok := s.views.pages[name]
	if !ok {
		s.fail(w, r, fmt.Errorf("no page template %q", name))
		return
	}
	v := View{Service: ServiceName, Owner: s.cfg.OrganisationName, Base: s.cfg.BasePath, Session: sess,
		Data: data, Errors: errs, Now: s.now(), CSRFField: csrfField}
	if sess != nil {
		v.CSRF = sess.CSRF
		v.Nav = s.nav(sess, r.URL.Path)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		if name == "problem" {
			http.Error(w, "Sorry, there is a problem with the service", http.StatusInternalServerError)
			return
		}
		s.fail(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// nav is the service navigation for the user's roles; the item whose path starts the
// current one is marked.
func (s *Server) nav(sess *Session, current string) []NavItem {
	b := s.cfg.BasePath
	var items []NavItem
	add := func(text, href string) {
		for _, it := range items {
			if it.Href == href {
				return
			}
		}
		items = append(items, NavItem{Text: text, Href: href})
	}
	if sess.Has(workforce.RoleSubmitter) || sess.Has(workforce.RoleApprover) {
		add("Your returns", b+"/returns")
	}
	if sess.Has(workforce.RoleLeader) || sess.Has(workforce.RoleAdmin) {
		add("Progress", b+"/progress")
		add("Organisations", b+"/organisations")
		add("Workbooks", b+"/workbooks")
	}
	if sess.Has(workforce.RoleAdmin) {
		add("Administration", b+"/admin")
	}
	best := -1
	for i, it := range items {
		if (current == it.Href || strings.HasPrefix(current, it.Href+"/")) && (best < 0 || len(it.Href) > len(items[best].Href)) {
			best = i
		}
	}
	if best >= 0 {
		items[best].Active = true
	}
	return items
}

// problem is the data of the problem page: a heading and what to do.
type problem struct {
	Heading string
	Body    string
	Status  int
}

// problemPage answers with a page saying what went wrong and what to do next.
func (s *Server) problemPage(w http.ResponseWriter, r *http.Request, status int, heading, body string) {
	s.render(w, r, status, "problem", s.session(r), problem{Heading: heading, Body: body, Status: status})
}

// fail is the answer to an error the user cannot fix: logged with its cause, shown as the
// Design System's "Sorry, there is a problem with the service" page.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "portal error", "path", r.URL.Path, "error", err.Error())
	s.problemPage(w, r, http.StatusInternalServerError, "Sorry, there is a problem with the service",
		"Try again later. Nothing you sent has been lost: a return is only kept once the page says it was sent.")
}

// apiFail answers an error from the API: a session the API no longer accepts signs the
// user in again, a refusal is a page saying they cannot see it, and the rest is fail's.
func (s *Server) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	switch apiStatus(err) {
	case http.StatusUnauthorized:
		clearCookie(w, sessionCookie)
		if r.Method == http.MethodGet {
			http.Redirect(w, r, s.cfg.BasePath+"/sign-in?return_to="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		s.problemPage(w, r, http.StatusUnauthorized, "You have been signed out",
			"Your session ended, so what you sent was not kept. Sign in and try again.")
	case http.StatusForbidden:
		s.problemPage(w, r, http.StatusForbidden, "You cannot see this page",
			"Your account does not give you access to this page. If you think it should, contact your administrator.")
	case http.StatusNotFound:
		s.notFound(w, r)
	default:
		s.fail(w, r, err)
	}
}
