package portal

// leader_workbooks.go is the workbook downloads: every month rolled up (GET /rollups), in
// each edition and format its revision has, each a link through the portal to GET
// /reports/{month}, which the API answers with a redirect to a short-lived presigned URL.
// The portal passes that redirect on to the browser without following it, so the file
// never passes through the portal, and the only place a download can lead is where the
// API said.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// The editions and formats the portal offers, in the order it lists them: published
// first, as the one people may share. The words say what each link downloads.
var (
	leadEditions = []struct{ Code, Name, About string }{
		{"published", "Published edition", "with statistical disclosure control: it can be shared"},
		{"management", "Management edition", "with exact figures and organisations' contacts: for leaders only, do not share it"},
	}
	leadFormats = []struct{ Code, Name string }{
		{"xlsx", "XLSX (spreadsheet)"},
		{"ods", "ODS (OpenDocument spreadsheet)"},
	}
)

type leadWorkbooksView struct {
	Months   []leadWorkbookMonth
	Editions []leadEditionNote
	Admin    bool
}

type leadEditionNote struct{ Name, About string }

type leadWorkbookMonth struct {
	Month      string // "November 2026"
	Code       string
	Revision   int
	Made       string
	RefQuarter string
	Links      []leadWorkbookLink
}

type leadWorkbookLink struct {
	Href, Text, Size string
}

// leadMaySeeManagement is whether the page offers the management edition. The API decides
// who may download it; the page only leaves out what would be refused.
func leadMaySeeManagement(sess *Session) bool {
	return sess.Has(workforce.RoleLeader) || sess.Has(workforce.RoleAdmin)
}

func leadSize(bytes int) string {
	switch {
	case bytes <= 0:
		return ""
	case bytes < 1024*1024:
		return fmt.Sprintf("%d KB", max(1, (bytes+512)/1024))
	default:
		return fmt.Sprintf("%.1f MB", float64(bytes)/(1024*1024))
	}
}

// leadWorkbooks lists the downloads.
func (s *Server) leadWorkbooks(w http.ResponseWriter, r *http.Request, sess *Session) {
	var list struct {
		Rollups []leadRollup `json:"rollups"`
	}
	if err := s.api.getJSON(r.Context(), sess, "/rollups", nil, &list); err != nil {
		s.apiFail(w, r, err)
		return
	}
	management := leadMaySeeManagement(sess)
	v := leadWorkbooksView{Admin: sess.Has(workforce.RoleAdmin)}
	for _, e := range leadEditions {
		if e.Code == "management" && !management {
			continue
		}
		v.Editions = append(v.Editions, leadEditionNote{e.Name, e.About})
	}
	for _, rec := range list.Rollups {
		m := leadWorkbookMonth{Month: leadMonthName(rec.Month), Code: rec.Month, Revision: rec.Revision,
			RefQuarter: leadQuarterLong(rec.ReferenceQuarter)}
		if !rec.CreatedAt.IsZero() {
			m.Made = rec.CreatedAt.In(london).Format("2 January 2006")
		}
		for _, e := range leadEditions {
			if e.Code == "management" && !management {
				continue
			}
			for _, f := range leadFormats {
				rep, ok := leadFindReport(rec.Reports, e.Code, f.Code)
				if !ok {
					continue
				}
				q := url.Values{"edition": {e.Code}, "format": {f.Code}, "revision": {strconv.Itoa(rec.Revision)}}
				m.Links = append(m.Links, leadWorkbookLink{
					Href: s.cfg.BasePath + "/workbooks/" + url.PathEscape(rec.Month) + "?" + q.Encode(),
					Text: e.Name + ", " + f.Name, Size: leadSize(rep.Bytes)})
			}
		}
		v.Months = append(v.Months, m)
	}
	s.render(w, r, http.StatusOK, "workbooks", sess, v)
}

// leadFindReport finds a revision's workbook; reports from before formats were recorded
// are XLSX, as the API reads them.
func leadFindReport(reps []leadReport, edition, format string) (leadReport, bool) {
	for _, r := range reps {
		if r.Edition == edition && (r.Format == format || r.Format == "" && format == "xlsx") {
			return r, true
		}
	}
	return leadReport{}, false
}

// leadWorkbookDownload sends the browser to a workbook: the month, edition, format and
// revision are checked against what the service makes, the API is asked for the
// workbook, and its redirect is passed on. Nothing in the request can choose where the
// browser goes.
func (s *Server) leadWorkbookDownload(w http.ResponseWriter, r *http.Request, sess *Session) {
	m, err := period.ParseMonth(r.PathValue("month"))
	q := r.URL.Query()
	edition, format, revision := q.Get("edition"), q.Get("format"), q.Get("revision")
	ok := err == nil && m.String() == r.PathValue("month")
	ok = ok && leadKnown(edition, "published", "management") && leadKnown(format, "xlsx", "ods")
	if revision != "" {
		n, err := strconv.Atoi(revision)
		ok = ok && err == nil && n >= 1 && strconv.Itoa(n) == revision
	}
	if !ok {
		s.notFound(w, r)
		return
	}
	query := url.Values{"edition": {edition}, "format": {format}}
	if revision != "" {
		query.Set("revision", revision)
	}
	to, err := s.api.redirectTarget(r.Context(), sess, apiPath("reports", m.String()), query)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func leadKnown(v string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

// redirectTarget calls GET path, which the API answers with a redirect (303 to a presigned
// URL), and returns where the redirect points without following it: the browser fetches
// the file, not the portal. Any other answer is an error, a refusal an *APIError.
func (c *apiClient) redirectTarget(ctx context.Context, sess *Session, path string, query url.Values) (string, error) {
	base := urlsOf(ctx).api
	if base == "" {
		return "", fmt.Errorf("GET %s: no API URL for this request", path)
	}
	u := base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+sess.AccessToken)
	req.Header.Set("Accept", "application/json")
	client := *c.http
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch resp.StatusCode {
	case http.StatusSeeOther, http.StatusFound, http.StatusTemporaryRedirect:
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || (loc.Scheme != "https" && loc.Scheme != "http") || loc.Host == "" {
			return "", fmt.Errorf("GET %s: the API's redirect %q is not an absolute web address", path, resp.Header.Get("Location"))
		}
		return loc.String(), nil
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return "", fmt.Errorf("GET %s: the API answered %d, not a redirect", path, resp.StatusCode)
	}
	ae := &APIError{Status: resp.StatusCode}
	if strings.Contains(resp.Header.Get("Content-Type"), "json") {
		_ = json.Unmarshal(data, &ae.Problem)
	}
	if ae.Problem.Detail == "" {
		ae.Problem.Detail = http.StatusText(resp.StatusCode)
	}
	return "", ae
}
