package portal

// The submitter's and approver's pages (SPEC §9, §11): the quarters an organisation owes
// and where each stands, a quarter's page with its template and version history, one
// version with what changed from the one before, and an approver's sign-off. The upload
// journey is in submitter_upload.go, staff extracts in submitter_extract.go.
//
// What an organisation owes is worked out here, not asked for: GET /collection/{period}
// answers it, but only to leaders and admins (workforce.FollowCollection). The portal reads
// the register (GET /organisations, for the organisation's kind and active dates) and the
// current returns (GET /returns?org=), and puts them against the collection's calendar —
// the same calendar the API uses (Config.Calendar, built by app from the same DUE_DAYS and
// FIRST_QUARTER; template.yaml gives every function both).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ddat-workforce/returns/shared/collection"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

func init() {
	pageGroups = append(pageGroups, func(s *Server) []page {
		b := s.cfg.BasePath + "/returns"
		q := b + "/{org}/{period}"
		return []page{
			{"GET " + b, s.retList},
			{"GET " + q, s.retQuarter},
			{"GET " + q + "/template", s.retTemplate},
			{"GET " + q + "/versions/{n}", s.retVersion},
			{"POST " + q + "/versions/{n}/sign-off", s.retSignOff},
		}
	})
	addFuncs(map[string]any{"retPlural": plural})
}

// The API's answers, as the portal reads them (shared/httpapi, docs/openapi.yaml).
type (
	retSummary struct {
		Org        string    `json:"org"`
		Period     string    `json:"period"`
		Version    int       `json:"version"`
		ReceivedAt time.Time `json:"received_at"`
	}
	retVersionRef struct {
		Version    int       `json:"version"`
		ReceivedAt time.Time `json:"received_at"`
		SHA256     string    `json:"sha256"`
		SignedOff  bool      `json:"signed_off"`
		// SubmittedBy is the sender's token subject, an opaque id.
		SubmittedBy string `json:"submitted_by"`
	}
	retSignOffView struct {
		Version     int       `json:"version"`
		SHA256      string    `json:"sha256"`
		SignedOffBy string    `json:"signed_off_by"`
		SignedOffAt time.Time `json:"signed_off_at"`
	}
	// retView is GET /returns/{org}/{period} and …/versions/{n}.
	retView struct {
		Org            string                     `json:"org"`
		Period         string                     `json:"period"`
		Version        int                        `json:"version"`
		Current        bool                       `json:"current"`
		SubmissionID   string                     `json:"submission_id"`
		SHA256         string                     `json:"sha256"`
		Format         string                     `json:"format"`
		Values         map[string]json.RawMessage `json:"values"`
		Warnings       []workforce.Problem        `json:"warnings"`
		ReceivedAt     time.Time                  `json:"received_at"`
		SubmittedBy    string                     `json:"submitted_by"`
		Versions       []retVersionRef            `json:"versions"`
		RevisionReason string                     `json:"revision_reason"`
		SignOff        *retSignOffView            `json:"sign_off"`
	}
	retChange struct {
		Field string          `json:"field"`
		Label string          `json:"label"`
		Old   json.RawMessage `json:"old"`
		New   json.RawMessage `json:"new"`
	}
	retChanges struct {
		Version         int         `json:"version"`
		PreviousVersion *int        `json:"previous_version"`
		RevisionReason  *string     `json:"revision_reason"`
		Changes         []retChange `json:"changes"`
	}
)

// retStatus is where a quarter stands for an organisation, as a GOV.UK tag: a word, never
// only a colour, and what it means in a sentence.
type retStatus struct {
	Text   string // the tag's word
	Class  string // the tag's colour
	Detail string // for a return received: "Version 2, received 3 August 2026"
}

// retStatusOf judges a quarter: received (with or without warnings) when it has a current
// version; otherwise overdue once its due date has passed, due from its first reminder
// (two weeks before the due date by default) and not started before that.
func retStatusOf(sched collection.Schedule, cur *retSummary, warnings int, today time.Time) retStatus {
	switch {
	case cur != nil && warnings > 0:
		return retStatus{"Received with warnings", "govuk-tag--yellow", fmt.Sprintf("Version %d, received %s, with %d %s",
			cur.Version, cur.ReceivedAt.In(london).Format("2 January 2006"), warnings, plural(warnings, "warning", "warnings"))}
	case cur != nil:
		return retStatus{"Received", "govuk-tag--green", fmt.Sprintf("Version %d, received %s", cur.Version, cur.ReceivedAt.In(london).Format("2 January 2006"))}
	case today.After(sched.Due):
		return retStatus{Text: "Overdue", Class: "govuk-tag--red"}
	}
	dueFrom := sched.Due
	for _, r := range sched.Reminders {
		if r.Date.Before(dueFrom) {
			dueFrom = r.Date
		}
	}
	if !today.Before(dueFrom) {
		return retStatus{Text: "Due", Class: "govuk-tag--blue"}
	}
	return retStatus{Text: "Not started", Class: "govuk-tag--grey"}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// retToday is the UK's date now, as the calendar counts days.
func (s *Server) retToday() time.Time { return collection.Today(s.now()) }

// retEveryOrg reports whether the user may choose any organisation: the API lets leaders
// and admins read every organisation's returns. It only decides what the page offers.
func retEveryOrg(sess *Session) bool { return workforce.ReadReturns.EveryOrg(sess.Principal()) }

// retCanSend reports whether the page offers sending a return for org: a submitter for its
// own, an admin for any. The API decides again.
func retCanSend(sess *Session, org string) bool {
	return workforce.WriteReturns.Allows(sess.Principal(), org)
}

// retCanSignOff reports whether the page offers an approver's sign-off for org.
func retCanSignOff(sess *Session, org string) bool {
	return workforce.SignOffReturns.Allows(sess.Principal(), org)
}

// retRegister reads the register.
func (s *Server) retRegister(ctx context.Context, sess *Session) ([]workforce.Organisation, error) {
	var out struct {
		Organisations []workforce.Organisation `json:"organisations"`
	}
	if err := s.api.getJSON(ctx, sess, "/organisations", nil, &out); err != nil {
		return nil, err
	}
	slices.SortFunc(out.Organisations, func(a, b workforce.Organisation) int { return strings.Compare(a.Name, b.Name) })
	return out.Organisations, nil
}

func retFind(orgs []workforce.Organisation, code string) *workforce.Organisation {
	for i := range orgs {
		if orgs[i].Code == code {
			return &orgs[i]
		}
	}
	return nil
}

// retCurrent reads a quarter's current version; nil when it has none yet.
func (s *Server) retCurrent(ctx context.Context, sess *Session, org string, q period.Quarter) (*retView, error) {
	var v retView
	err := s.api.getJSON(ctx, sess, apiPath("returns", org, q.String()), nil, &v)
	if apiStatus(err) == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func (s *Server) retGetVersion(ctx context.Context, sess *Session, org string, q period.Quarter, n int) (*retView, error) {
	var v retView
	if err := s.api.getJSON(ctx, sess, apiPath("returns", org, q.String(), "versions", strconv.Itoa(n)), nil, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// retEach runs f for 0..n-1, at most four at a time, and answers the first error.
func retEach(n int, f func(i int) error) error {
	errs := make([]error, n)
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = f(i)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// retPath is the portal's address of a quarter, with more segments after it.
func (s *Server) retPath(org string, q period.Quarter, more ...string) string {
	p := s.cfg.BasePath + "/returns/" + url.PathEscape(org) + "/" + q.String()
	for _, m := range more {
		p += "/" + m
	}
	return p
}

// retOrgPeriod reads {org} and {period} from the address; false (after answering "Page
// not found") when they are not an organisation code and a quarter. Whether the user may
// see the organisation is the API's to say.
func (s *Server) retOrgPeriod(w http.ResponseWriter, r *http.Request) (string, period.Quarter, bool) {
	org := strings.ToUpper(r.PathValue("org"))
	q, err := period.ParseQuarter(r.PathValue("period"))
	if !workforce.ValidOrgCode(org) || err != nil {
		s.notFound(w, r)
		return "", period.Quarter{}, false
	}
	return org, q, true
}

// retQuarterHead is what every page about a quarter shows at its top.
type retQuarterHead struct {
	Org      workforce.Organisation
	Period   period.Quarter
	Label    string // "July to September 2026"
	Href     string // the quarter's page
	ListURL  string // "Your returns" for the organisation
	Schedule collection.Schedule
	HasDates bool // the quarter is in the collection (from FIRST_QUARTER on)
}

func (s *Server) retHead(org workforce.Organisation, q period.Quarter) (retQuarterHead, error) {
	cal := s.cfg.Calendar
	h := retQuarterHead{Org: org, Period: q, Label: q.Label(), Href: s.retPath(org.Code, q),
		ListURL: s.cfg.BasePath + "/returns?org=" + url.QueryEscape(org.Code)}
	h.Schedule, h.HasDates = cal.Schedule(q)
	return h, nil
}

// retHeadFor reads the register for the address's organisation: "Page not found" when it
// has no such organisation.
func (s *Server) retHeadFor(w http.ResponseWriter, r *http.Request, sess *Session, org string, q period.Quarter) (retQuarterHead, bool) {
	orgs, err := s.retRegister(r.Context(), sess)
	if err != nil {
		s.apiFail(w, r, err)
		return retQuarterHead{}, false
	}
	o := retFind(orgs, org)
	if o == nil {
		s.notFound(w, r)
		return retQuarterHead{}, false
	}
	h, err := s.retHead(*o, q)
	if err != nil {
		s.fail(w, r, err)
		return retQuarterHead{}, false
	}
	return h, true
}

// ---- Your returns

type retListRow struct {
	Period period.Quarter
	Label  string
	Href   string
	Due    time.Time
	Status retStatus
}

type retListPage struct {
	Org       *workforce.Organisation // nil until a leader or admin chooses one
	Choose    bool                    // offer the organisation select
	Orgs      []workforce.Organisation
	Rows      []retListRow
	CanSend   bool
	NoneOwed  bool
	FirstDate time.Time
}

// retList is "Your returns": every quarter the organisation owes, newest first, and where
// each stands.
func (s *Server) retList(w http.ResponseWriter, r *http.Request, sess *Session) {
	ctx := r.Context()
	cal := s.cfg.Calendar
	orgs, err := s.retRegister(ctx, sess)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	data := retListPage{Choose: retEveryOrg(sess)}
	if data.Choose {
		data.Orgs = orgs
	}
	code := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("org")))
	if code == "" {
		code = sess.Org
	}
	if code == "" && data.Choose {
		s.render(w, r, http.StatusOK, "returns-list", sess, data)
		return
	}
	// The list is asked for whatever the address says: a submitter asking for another
	// organisation is refused by the API.
	var list struct {
		Returns []retSummary `json:"returns"`
	}
	if err := s.api.getJSON(ctx, sess, "/returns", url.Values{"org": {code}}, &list); err != nil {
		s.apiFail(w, r, err)
		return
	}
	o := retFind(orgs, code)
	if o == nil {
		s.notFound(w, r)
		return
	}
	data.Org = o
	data.CanSend = retCanSend(sess, o.Code)
	current := map[period.Quarter]*retSummary{}
	for i, rs := range list.Returns {
		if q, err := period.ParseQuarter(rs.Period); err == nil && strings.EqualFold(rs.Org, o.Code) {
			current[q] = &list.Returns[i]
		}
	}
	// Owed: every quarter of the collection whose collection has opened, on whose reference
	// date the organisation exists; and any quarter it has sent a return for.
	today := s.retToday()
	var quarters []period.Quarter
	for q := cal.FirstQuarter; !q.After(period.Containing(today)); q = q.Next() {
		sched, _ := cal.Schedule(q)
		if _, sent := current[q]; sent || (collection.Expected(*o, q) && !today.Before(sched.Opens)) {
			quarters = append(quarters, q)
		}
	}
	slices.Reverse(quarters)
	// Warnings are on each version, not in the list: read the current version of each
	// quarter received.
	warnings := make([]int, len(quarters))
	err = retEach(len(quarters), func(i int) error {
		if current[quarters[i]] == nil {
			return nil
		}
		v, err := s.retCurrent(ctx, sess, o.Code, quarters[i])
		if err == nil && v != nil {
			warnings[i] = len(v.Warnings)
		}
		return err
	})
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	for i, q := range quarters {
		sched, _ := cal.Schedule(q)
		data.Rows = append(data.Rows, retListRow{Period: q, Label: q.Label(), Href: s.retPath(o.Code, q), Due: sched.Due,
			Status: retStatusOf(sched, current[q], warnings[i], today)})
	}
	data.NoneOwed = len(data.Rows) == 0
	s.render(w, r, http.StatusOK, "returns-list", sess, data)
}

// ---- A quarter

type retHistoryRow struct {
	Version    int
	Href       string
	ReceivedAt time.Time
	SentBy     string
	Warnings   int
	Reason     string
	SignedOff  bool
	Current    bool
}

type retQuarterPage struct {
	retQuarterHead
	Status      retStatus
	Current     *retView
	History     []retHistoryRow
	CanSend     bool
	CanExtract  bool // a staff extract is for a civil-service organisation
	TemplateURL string
	// PreviousURL is the template with the quarter before's figures, when it has a return.
	PreviousURL string
	Previous    string // that quarter
	UploadURL   string
	ExtractURL  string
}

// retQuarter is a quarter's page: where it stands, the template, the way to upload, and
// every version sent.
func (s *Server) retQuarter(w http.ResponseWriter, r *http.Request, sess *Session) {
	org, q, ok := s.retOrgPeriod(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	head, ok := s.retHeadFor(w, r, sess, org, q)
	if !ok {
		return
	}
	cur, err := s.retCurrent(ctx, sess, org, q)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	data := retQuarterPage{retQuarterHead: head, Current: cur, CanSend: retCanSend(sess, org),
		CanExtract:  retCanSend(sess, org) && head.Org.Kind == workforce.CivilService,
		TemplateURL: s.retPath(org, q, "template"), UploadURL: s.retPath(org, q, "upload"), ExtractURL: s.retPath(org, q, "extract")}
	if prev, err := s.retCurrent(ctx, sess, org, q.Prev()); err == nil && prev != nil {
		data.PreviousURL, data.Previous = data.TemplateURL+"?figures=previous", q.Prev().String()
	}
	var summary *retSummary
	if cur != nil {
		summary = &retSummary{Org: cur.Org, Period: cur.Period, Version: cur.Version, ReceivedAt: cur.ReceivedAt}
		// Each version's warnings and reason are on the version: read them.
		refs := slices.Clone(cur.Versions)
		slices.Reverse(refs)
		data.History = make([]retHistoryRow, len(refs))
		err := retEach(len(refs), func(i int) error {
			ref := refs[i]
			row := retHistoryRow{Version: ref.Version, Href: s.retPath(org, q, "versions", strconv.Itoa(ref.Version)),
				ReceivedAt: ref.ReceivedAt, SentBy: ref.SubmittedBy, SignedOff: ref.SignedOff, Current: ref.Version == cur.Version}
			v := cur
			if ref.Version != cur.Version {
				var err error
				if v, err = s.retGetVersion(ctx, sess, org, q, ref.Version); err != nil {
					return err
				}
			}
			row.Warnings, row.Reason = len(v.Warnings), v.RevisionReason
			data.History[i] = row
			return nil
		})
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
	}
	warnings := 0
	if cur != nil {
		warnings = len(cur.Warnings)
	}
	data.Status = retStatusOf(head.Schedule, summary, warnings, s.retToday())
	s.render(w, r, http.StatusOK, "returns-quarter", sess, data)
}

// retTemplate hands on the API's template, pre-filled with the organisation and quarter.
func (s *Server) retTemplate(w http.ResponseWriter, r *http.Request, sess *Session) {
	org, q, ok := s.retOrgPeriod(w, r)
	if !ok {
		return
	}
	query := url.Values{"org": {org}, "period": {q.String()}}
	if r.URL.Query().Get("figures") == "previous" {
		query.Set("figures", "previous") // last quarter's figures, to edit
	}
	a, err := s.api.do(r.Context(), sess, request{method: http.MethodGet, path: "/template", query: query})
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	// The name is the portal's own, from the checked code and quarter, not a header
	// passed on.
	h := w.Header()
	h.Set("Content-Type", workforce.ContentTypeXLSX)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="ddat-workforce-return-%s-%s.xlsx"`, org, q))
	h.Set("Content-Length", strconv.Itoa(len(a.Body)))
	_, _ = w.Write(a.Body)
}

// ---- A version

// retFigure is one answer of a return, as people read it.
type retFigure struct {
	Key, Label, Value string
	Multiline         bool // text whose line breaks are kept (notes)
}

// retSection is a section of the return with the answers it gives.
type retSection struct {
	Title   string
	Figures []retFigure
}

// retValueText writes a value of field f as people read it: counts with thousands
// separators, yes or no, text as given; "Not given" for null.
func retValueText(f workforce.Field, raw json.RawMessage) string {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return "Not given"
	}
	switch f.Type {
	case workforce.TypeCount:
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return printer.Sprintf("%d", n)
		}
	case workforce.TypeFTE:
		if whole, frac, ok := strings.Cut(s, "."); ok {
			if n, err := strconv.ParseInt(whole, 10, 64); err == nil {
				return printer.Sprintf("%d", n) + "." + frac
			}
		} else if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return printer.Sprintf("%d", n)
		}
	case workforce.TypeYesNo:
		switch s {
		case "true":
			return "Yes"
		case "false":
			return "No"
		}
	}
	var text string
	if json.Unmarshal(raw, &text) == nil {
		return text
	}
	return s
}

// retSections lays values out by the template's sections, in catalogue order, leaving out
// the revision reason (shown on its own) and fields not given.
func retSections(values map[string]json.RawMessage) []retSection {
	var out []retSection
	for _, sec := range workforce.Sections {
		rs := retSection{Title: sec.Title}
		for _, f := range workforce.Fields {
			raw, ok := values[f.Key]
			if f.Section.ID != sec.ID || !ok || f.Key == workforce.KeyRevisionReason {
				continue
			}
			rs.Figures = append(rs.Figures, retFigure{Key: f.Key, Label: f.Label, Value: retValueText(f, raw), Multiline: f.Multiline})
		}
		if len(rs.Figures) > 0 {
			out = append(out, rs)
		}
	}
	return out
}

// retProblemRow is a warning or problem as a table row: the field's label, where in the
// file, and the sentence.
type retProblemRow struct {
	ID      string // "problem-3", for the error summary's links
	Key     string // the field's key, as the file names it
	Field   string // its label
	Where   string // "Return!D12", "line 14", "row 2"
	Code    string
	Message string
}

func retProblemRows(ps []workforce.Problem, idPrefix string) []retProblemRow {
	out := make([]retProblemRow, len(ps))
	for i, p := range ps {
		row := retProblemRow{ID: fmt.Sprintf("%s-%d", idPrefix, i+1), Key: p.Field, Field: p.Field, Code: p.Code, Message: p.Message}
		if f, ok := workforce.FieldByKey(p.Field); ok {
			row.Field = f.Label
		}
		switch {
		case p.Cell != "":
			row.Where = p.Cell
		case p.Line > 0:
			row.Where = fmt.Sprintf("Line %d", p.Line)
		case p.Row > 0:
			row.Where = fmt.Sprintf("Row %d", p.Row)
		}
		out[i] = row
	}
	return out
}

type retVersionPage struct {
	retQuarterHead
	View       *retView
	Sections   []retSection
	Warnings   []retProblemRow
	Changes    *retChanges
	ChangeRows []retChangeRow
	Previous   int
	Receipt    string
	SignOff    *retSignOffView
	SignedByMe bool
	CanSignOff bool
	SignOffURL string
	SignedNow  bool
}

type retChangeRow struct {
	Label, Old, New string
}

// retVersion is one version: its receipt, sign-off, what changed from the version before,
// its warnings and its figures.
func (s *Server) retVersion(w http.ResponseWriter, r *http.Request, sess *Session) {
	s.retVersionPage(w, r, sess, http.StatusOK, nil)
}

func (s *Server) retVersionPage(w http.ResponseWriter, r *http.Request, sess *Session, status int, errs []FormError) {
	org, q, ok := s.retOrgPeriod(w, r)
	if !ok {
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || strconv.Itoa(n) != r.PathValue("n") {
		s.notFound(w, r)
		return
	}
	ctx := r.Context()
	head, ok := s.retHeadFor(w, r, sess, org, q)
	if !ok {
		return
	}
	v, err := s.retGetVersion(ctx, sess, org, q, n)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var ch retChanges
	if err := s.api.getJSON(ctx, sess, apiPath("returns", org, q.String(), "versions", strconv.Itoa(n), "changes"), nil, &ch); err != nil {
		s.apiFail(w, r, err)
		return
	}
	data := retVersionPage{retQuarterHead: head, View: v, Sections: retSections(v.Values),
		Warnings: retProblemRows(v.Warnings, "warning"), SignOff: v.SignOff,
		SignOffURL: s.retPath(org, q, "versions", strconv.Itoa(n), "sign-off"),
		SignedNow:  r.URL.Query().Get("signed-off") == "1" && v.SignOff != nil}
	if ch.PreviousVersion != nil {
		data.Changes, data.Previous = &ch, *ch.PreviousVersion
		for _, c := range ch.Changes {
			f, _ := workforce.FieldByKey(c.Field)
			label := c.Label
			if label == "" {
				label = c.Field
			}
			data.ChangeRows = append(data.ChangeRows, retChangeRow{Label: label, Old: retValueText(f, c.Old), New: retValueText(f, c.New)})
		}
	}
	if v.SignOff != nil {
		data.SignedByMe = v.SignOff.SignedOffBy == sess.Subject
	}
	// Only the current version can be signed off, once.
	data.CanSignOff = retCanSignOff(sess, org) && v.Current && v.SignOff == nil
	if !data.CanSignOff {
		// The error is about the sign-off: without the button, it links to what the
		// page says of the sign-off.
		for i := range errs {
			if errs[i].Href == "#sign-off" {
				errs[i].Href = "#sign-off-status"
			}
		}
	}
	s.render(w, r, status, "returns-version", sess, data, errs...)
}

// retSignOff is an approver signing off the version they read: the form carries the hash
// of the content the page showed, and the API refuses it if that is not the version's.
func (s *Server) retSignOff(w http.ResponseWriter, r *http.Request, sess *Session) {
	org, q, ok := s.retOrgPeriod(w, r)
	if !ok {
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		s.notFound(w, r)
		return
	}
	body := map[string]string{"sha256": r.PostFormValue("sha256")}
	err = s.api.sendJSON(r.Context(), sess, http.MethodPost, apiPath("returns", org, q.String(), "versions", strconv.Itoa(n), "sign-off"), body, nil)
	switch st := apiStatus(err); {
	case err == nil:
		http.Redirect(w, r, s.retPath(org, q, "versions", strconv.Itoa(n))+"?signed-off=1", http.StatusSeeOther)
	case st == http.StatusConflict || st == http.StatusUnprocessableEntity:
		// Signed off already, or no longer the current version: say what the API said.
		var ae *APIError
		msg := "This version could not be signed off."
		if errors.As(err, &ae) {
			msg = ae.Problem.Detail
		}
		s.retVersionPage(w, r, sess, st, []FormError{{Href: "#sign-off", Text: msg}})
	default:
		s.apiFail(w, r, err)
	}
}
