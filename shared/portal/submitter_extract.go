package portal

// Upload a staff extract (SPEC §10, issue 12 item 6): the organisation gives the answers an
// extract cannot (the leadership questions) and the file; the portal asks the API for an
// upload (POST /extracts), puts the file to the presigned address itself, server-side, and
// shows the extract's progress (GET /extracts/{id}) until it is accepted or rejected.
//
// The file passes through the portal, so it is bounded by the portal's upload limit
// (Config.MaxUploadBytes, 2 MiB by default, which Lambda's 6 MB request allows). Larger
// extracts — the service takes up to 100 MB — go by the API: POST /extracts, then a PUT of
// the file to the address it answers, from the sender's own machine.

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

func init() {
	pageGroups = append(pageGroups, func(s *Server) []page {
		q := s.cfg.BasePath + "/returns/{org}/{period}/extract"
		return []page{
			{"GET " + q, s.retExtractForm},
			{"POST " + q, s.retExtractPost},
			{"GET " + s.cfg.BasePath + "/extracts/{id}", s.retExtractStatus},
		}
	})
}

// retQuestion is one of the answers asked beside an extract, with what was typed and its
// error.
type retQuestion struct {
	Field workforce.Field
	ID    string // the input's id: the key with hyphens
	Value string
	Error string
}

func (q retQuestion) YesNo() bool     { return q.Field.Type == workforce.TypeYesNo }
func (q retQuestion) Multiline() bool { return q.Field.Multiline }
func (q retQuestion) Count() bool     { return q.Field.Type == workforce.TypeCount }
func (q retQuestion) Email() bool     { return q.Field.Type == workforce.TypeEmail }

type retExtractPage struct {
	retQuarterHead
	Action    string
	Questions []retQuestion
	AskReason bool
	Current   int
	FileError string
	MaxSize   string
	Problems  []retProblemRow // what the API said that names no question
}

// retExtractQuestions are the fields a civil-service organisation answers beside an
// extract: every field the extract does not compute, but the organisation and quarter
// (the page's) and the revision reason (asked on its own when the quarter has a version).
func retExtractQuestions(r *http.Request) []retQuestion {
	var qs []retQuestion
	for _, f := range workforce.FieldsFor(workforce.CivilService) {
		if workforce.ComputedFromExtract(f) || f.Key == workforce.KeyOrg || f.Key == workforce.KeyPeriod || f.Key == workforce.KeyRevisionReason {
			continue
		}
		q := retQuestion{Field: f, ID: strings.ReplaceAll(f.Key, "_", "-")}
		if r != nil {
			q.Value = strings.TrimSpace(r.PostFormValue(f.Key))
		}
		qs = append(qs, q)
	}
	return qs
}

func (s *Server) retExtractStart(w http.ResponseWriter, r *http.Request, sess *Session) (retExtractPage, bool) {
	up, ok := s.retUploadStart(w, r, sess)
	if !ok {
		return retExtractPage{}, false
	}
	if up.Org.Kind != workforce.CivilService {
		s.problemPage(w, r, http.StatusNotFound, "A staff extract is for a civil-service organisation",
			up.Org.Name+" is a local-government body, which answers only the two yes/no leadership questions: upload a return instead.")
		return retExtractPage{}, false
	}
	return retExtractPage{retQuarterHead: up.retQuarterHead, Action: s.retPath(up.Org.Code, up.Period, "extract"),
		AskReason: up.AskReason, Current: up.Current, MaxSize: s.retMaxSize()}, true
}

func (s *Server) retExtractForm(w http.ResponseWriter, r *http.Request, sess *Session) {
	p, ok := s.retExtractStart(w, r, sess)
	if !ok {
		return
	}
	p.Questions = retExtractQuestions(nil)
	s.render(w, r, http.StatusOK, "returns-extract", sess, p)
}

// retExtractErrors are the page's errors in the order of the page.
func (p retExtractPage) errors() []FormError {
	var errs []FormError
	for _, q := range p.Questions {
		if q.Error != "" {
			// A yes/no question's first radio has the question's id.
			errs = append(errs, FormError{Href: "#" + q.ID, Text: q.Error})
		}
	}
	if p.FileError != "" {
		errs = append(errs, FormError{Href: "#" + retFileField, Text: p.FileError})
	}
	for _, pr := range p.Problems {
		errs = append(errs, FormError{Href: "#" + retFileField, Text: pr.Message})
	}
	return errs
}

// retExtractUpload is POST /extracts's answer: where to put the file.
type retExtractUpload struct {
	ExtractID string            `json:"extract_id"`
	UploadURL string            `json:"upload_url"`
	Method    string            `json:"method"`
	Headers   map[string]string `json:"headers"`
}

func (s *Server) retExtractPost(w http.ResponseWriter, r *http.Request, sess *Session) {
	p, ok := s.retExtractStart(w, r, sess)
	if !ok {
		return
	}
	p.Questions = retExtractQuestions(r)
	reason := ""
	if p.AskReason {
		reason = strings.TrimSpace(strings.ReplaceAll(r.PostFormValue(retReasonField), "\r\n", "\n"))
		// The return the extract makes is a revision: without a reason it would be
		// refused once the file had been read, so it is asked for now.
		q := retQuestion{Field: mustField(workforce.KeyRevisionReason), ID: "revision-reason", Value: reason}
		if reason == "" {
			q.Error = "Enter the reason for the revision"
		}
		p.Questions = append(p.Questions, q)
	}
	body, format, fileErr := s.retReadExtract(r)
	p.FileError = fileErr
	answers := map[string]string{workforce.KeyOrg: p.Org.Code, workforce.KeyPeriod: p.Period.String()}
	for _, q := range p.Questions {
		if q.Value != "" {
			answers[q.Field.Key] = q.Value
		}
	}
	if fileErr != "" || p.hasErrors() {
		s.render(w, r, http.StatusUnprocessableEntity, "returns-extract", sess, p, p.errors()...)
		return
	}
	answers["format"] = format
	answers["content_length"] = strconv.Itoa(len(body))
	var up retExtractUpload
	err := s.api.sendJSON(r.Context(), sess, http.MethodPost, "/extracts", answers, &up)
	var ae *APIError
	switch {
	case err == nil:
	case errors.As(err, &ae) && (ae.Status == http.StatusUnprocessableEntity || ae.Status == http.StatusUnsupportedMediaType || ae.Status == http.StatusBadRequest):
		p.place(ae)
		s.render(w, r, http.StatusUnprocessableEntity, "returns-extract", sess, p, p.errors()...)
		return
	default:
		s.apiFail(w, r, err)
		return
	}
	if err := s.retPutExtract(r, up, body); err != nil {
		s.fail(w, r, fmt.Errorf("put extract %s: %w", up.ExtractID, err))
		return
	}
	http.Redirect(w, r, s.cfg.BasePath+"/extracts/"+url.PathEscape(up.ExtractID), http.StatusSeeOther)
}

func (p retExtractPage) hasErrors() bool {
	for _, q := range p.Questions {
		if q.Error != "" {
			return true
		}
	}
	return false
}

// place puts the API's problems on the questions they name; the rest are the file's.
func (p *retExtractPage) place(ae *APIError) {
	var rest []workforce.Problem
	for _, pr := range ae.Problem.Errors {
		placed := false
		for i := range p.Questions {
			if p.Questions[i].Field.Key == pr.Field && p.Questions[i].Error == "" {
				p.Questions[i].Error, placed = pr.Message, true
				break
			}
		}
		if !placed {
			rest = append(rest, pr)
		}
	}
	p.Problems = retProblemRows(rest, "problem")
	if len(ae.Problem.Errors) == 0 {
		p.FileError = ae.Problem.Detail
	}
}

func mustField(key string) workforce.Field {
	f, ok := workforce.FieldByKey(key)
	if !ok {
		panic("no field " + key)
	}
	return f
}

// retReadExtract reads the extract file: CSV or XLSX, within the portal's upload limit.
func (s *Server) retReadExtract(r *http.Request) (body []byte, format, problem string) {
	if r.MultipartForm == nil || len(r.MultipartForm.File[retFileField]) == 0 {
		return nil, "", "Select a file"
	}
	fh := r.MultipartForm.File[retFileField][0]
	name := path.Base(strings.ReplaceAll(fh.Filename, "\\", "/"))
	switch strings.ToLower(path.Ext(name)) {
	case ".csv":
		format = "csv"
	case ".xlsx":
		format = "xlsx"
	}
	switch {
	case fh.Size == 0:
		return nil, "", "The selected file is empty"
	case fh.Size > s.cfg.MaxUploadBytes:
		return nil, "", "The selected file must be smaller than " + s.retMaxSize() + ". Send a larger extract through the API"
	case format == "":
		return nil, "", "The selected file must be a CSV or XLSX file"
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "", "The selected file could not be read. Upload it again"
	}
	defer f.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(f); err != nil || int64(b.Len()) != fh.Size {
		return nil, "", "The selected file could not be read. Upload it again"
	}
	return b.Bytes(), format, ""
}

// retPutExtract puts the file to the presigned address, with the headers it was signed
// with. It is not the API: the user's token is not sent.
func (s *Server) retPutExtract(r *http.Request, up retExtractUpload, body []byte) error {
	method := up.Method
	if method == "" {
		method = http.MethodPut
	}
	req, err := http.NewRequestWithContext(r.Context(), method, up.UploadURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	for k, v := range up.Headers {
		if !strings.EqualFold(k, "Content-Length") && !strings.EqualFold(k, "Host") {
			req.Header.Set(k, v)
		}
	}
	req.ContentLength = int64(len(body))
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the upload address answered %s", resp.Status)
	}
	return nil
}

// ---- The extract's progress

// retExtractView is GET /extracts/{id}.
type retExtractView struct {
	ExtractID      string              `json:"extract_id"`
	Org            string              `json:"org"`
	Period         string              `json:"period"`
	Format         string              `json:"format"`
	Status         string              `json:"status"`
	RequestedAt    time.Time           `json:"requested_at"`
	Rows           int                 `json:"rows"`
	IgnoredColumns []string            `json:"ignored_columns"`
	Receipt        *workforce.Receipt  `json:"receipt"`
	Message        string              `json:"message"`
	Problems       []workforce.Problem `json:"problems"`
	ProblemCounts  map[string]int      `json:"problem_counts"`
	Warnings       []workforce.Problem `json:"warnings"`
}

type retExtractStatusPage struct {
	View       retExtractView
	Heading    string
	Pending    bool
	Problems   []retProblemRow
	Counts     []retCount
	Warnings   []retProblemRow
	QuarterURL string
	VersionURL string
	Self       string
}

type retCount struct {
	Code  string
	Count int
}

// retExtractStatus shows where an extract is: pending or processing (with a button to
// check again: a page that refreshes itself fails WCAG 2.2.1), accepted with its receipt,
// or rejected with its problems.
func (s *Server) retExtractStatus(w http.ResponseWriter, r *http.Request, sess *Session) {
	id := r.PathValue("id")
	var v retExtractView
	if err := s.api.getJSON(r.Context(), sess, apiPath("extracts", id), nil, &v); err != nil {
		s.apiFail(w, r, err)
		return
	}
	data := retExtractStatusPage{View: v, Self: s.cfg.BasePath + "/extracts/" + url.PathEscape(id),
		Problems: retProblemRows(v.Problems, "problem"), Warnings: retProblemRows(v.Warnings, "warning")}
	if q, err := period.ParseQuarter(v.Period); err == nil && workforce.ValidOrgCode(v.Org) {
		data.QuarterURL = s.retPath(v.Org, q)
		if v.Receipt != nil {
			data.VersionURL = s.retPath(v.Org, q, "versions", strconv.Itoa(v.Receipt.Version))
		}
	}
	for code, n := range v.ProblemCounts {
		data.Counts = append(data.Counts, retCount{code, n})
	}
	slices.SortFunc(data.Counts, func(a, b retCount) int { return cmp.Or(b.Count-a.Count, strings.Compare(a.Code, b.Code)) })
	switch v.Status {
	case "accepted":
		data.Heading = "Staff extract accepted"
	case "rejected":
		data.Heading = "Your staff extract was not accepted"
	default:
		data.Heading, data.Pending = "Your staff extract is being checked", true
	}
	s.render(w, r, http.StatusOK, "returns-extract-status", sess, data)
}
