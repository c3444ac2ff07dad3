package portal

// The upload journey (SPEC §9): Upload a return → There is a problem (with the problems as
// CSV), or Check your answers before sending your return → Send return → Return sent.
//
// The portal keeps no state between pages, so the file travels in the check page's form,
// sealed (AES-256-GCM with the session key) to the organisation, quarter, signed-in user
// and an expiry: it cannot be edited, moved to another return or used by anyone else, and
// "Send return" sends exactly the bytes that were checked. The Idempotency-Key is derived
// from the sealed upload, so a second click sends nothing new.
//
// A revision's reason typed on the page is sealed with the file and sent beside it
// (?revision_reason= on POST /returns/check and /returns), so the file is sent exactly as
// it was chosen; the API takes it as the file's revision_reason, and refuses a file that
// gives a different one.

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/textsafe"
	"github.com/ddat-workforce/returns/shared/workforce"
)

func init() {
	pageGroups = append(pageGroups, func(s *Server) []page {
		q := s.cfg.BasePath + "/returns/{org}/{period}"
		return []page{
			{"GET " + q + "/upload", s.retUploadForm},
			{"POST " + q + "/upload", s.retUploadPost},
			{"POST " + q + "/problems.csv", s.retProblemsCSV},
			{"POST " + q + "/send", s.retSend},
			{"GET " + q + "/sent", s.retSent},
		}
	})
}

// Form fields of the journey.
const (
	retFileField    = "file"
	retReasonField  = "revision_reason"
	retConfirmField = "warnings_checked"
	retSealedField  = "upload"
	retProblemField = "problems"
)

// Seal names: a value sealed for one use cannot be opened as another.
const (
	retUploadSeal   = "portal-upload"
	retProblemsSeal = "portal-problems"
)

// retUploadLifetime is how long a checked upload can be sent, and its problems downloaded.
const retUploadLifetime = time.Hour

// retUpload is a checked file on its way to being sent, sealed into the check page's form.
type retUpload struct {
	ID       string `json:"id"` // random: the Idempotency-Key is derived from it and the body
	Subject  string `json:"sub"`
	Org      string `json:"org"`
	Period   string `json:"period"`
	Format   string `json:"format"` // "xlsx" or "csv"
	FileName string `json:"name"`
	Warnings int    `json:"warnings"`         // how many the check found: the page asks they were checked
	Reason   string `json:"reason,omitempty"` // the reason typed on the page, sent beside the file
	Expires  int64  `json:"exp"`
	Body     []byte `json:"-"`
}

// retSealUpload seals u. The file is sealed as bytes beside its JSON header, not inside
// it, so it is base64-encoded once: a 2 MiB file is 2.7 MB in the form, which fits the
// form limit and Lambda's 6 MB request.
func (s *Server) retSealUpload(u retUpload) (string, error) {
	head, err := json.Marshal(u)
	if err != nil {
		return "", err
	}
	plain := make([]byte, 4, 4+len(head)+len(u.Body))
	binary.BigEndian.PutUint32(plain, uint32(len(head)))
	plain = append(append(plain, head...), u.Body...)
	aead := s.seal.aead
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, plain, []byte(retUploadSeal))), nil
}

var errUploadNotYours = errors.New("the upload is for another return, user, or has expired")

// retOpenUpload opens a sealed upload for this user, organisation and quarter.
func (s *Server) retOpenUpload(value string, sess *Session, org string, q period.Quarter) (retUpload, error) {
	raw, err := base64.RawURLEncoding.DecodeString(value)
	aead := s.seal.aead
	if err != nil || len(raw) < aead.NonceSize() {
		return retUpload{}, errBadSeal
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, raw[:n], raw[n:], []byte(retUploadSeal))
	if err != nil || len(plain) < 4 {
		return retUpload{}, errBadSeal
	}
	hl := binary.BigEndian.Uint32(plain)
	if uint64(hl) > uint64(len(plain)-4) {
		return retUpload{}, errBadSeal
	}
	var u retUpload
	if err := json.Unmarshal(plain[4:4+hl], &u); err != nil {
		return retUpload{}, errBadSeal
	}
	u.Body = plain[4+hl:]
	if u.Subject != sess.Subject || u.Org != org || u.Period != q.String() || s.now().Unix() >= u.Expires {
		return retUpload{}, errUploadNotYours
	}
	return u, nil
}

// idempotencyKey names the sending of this upload: the same sealed upload sent twice is
// one request to the API.
func (u retUpload) idempotencyKey() string {
	h := sha256.New()
	body := sha256.Sum256(u.Body)
	fmt.Fprintf(h, "%s\n%s\n%s\n%x", u.ID, u.Org, u.Period, body)
	return "portal-" + hex.EncodeToString(h.Sum(nil))
}

func (u retUpload) contentType() string {
	if u.Format == string(workforce.FormatXLSX) {
		return workforce.ContentTypeXLSX
	}
	return httpapi.ContentTypeCSV
}

// retSealedProblems is a file's problems, sealed into the page so they can be downloaded as
// CSV without the portal keeping them or trusting the browser's copy.
type retSealedProblems struct {
	Subject  string              `json:"sub"`
	Org      string              `json:"org"`
	Period   string              `json:"period"`
	FileName string              `json:"name"`
	Expires  int64               `json:"exp"`
	Problems []workforce.Problem `json:"problems"`
}

// ---- Upload a return

type retUploadPage struct {
	retQuarterHead
	Action       string
	AskReason    bool // the return has a version, so this one is a revision
	Current      int
	Reason       string
	FileError    string
	ReasonError  string
	FileName     string
	Problems     []retProblemRow
	MoreProblems int // found but not listed by the API
	ProblemsSeal string
	ProblemsURL  string
	MaxSize      string
}

func (s *Server) retMaxSize() string {
	if n := s.cfg.MaxUploadBytes; n >= 1<<20 {
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', -1, 64) + "MB"
	}
	return strconv.FormatInt((s.cfg.MaxUploadBytes+1023)/1024, 10) + "KB"
}

// retUploadStart reads what every step of the journey needs: the quarter, its current
// version (a revision needs a reason) and whether the user may send it at all.
func (s *Server) retUploadStart(w http.ResponseWriter, r *http.Request, sess *Session) (retUploadPage, bool) {
	org, q, ok := s.retOrgPeriod(w, r)
	if !ok {
		return retUploadPage{}, false
	}
	head, ok := s.retHeadFor(w, r, sess, org, q)
	if !ok {
		return retUploadPage{}, false
	}
	cur, err := s.retCurrent(r.Context(), sess, org, q)
	if err != nil {
		s.apiFail(w, r, err)
		return retUploadPage{}, false
	}
	if !retCanSend(sess, org) {
		// Reading a return is not sending one: the API would refuse the file.
		s.apiFail(w, r, &APIError{Status: http.StatusForbidden})
		return retUploadPage{}, false
	}
	p := retUploadPage{retQuarterHead: head, Action: s.retPath(org, q, "upload"), MaxSize: s.retMaxSize(),
		ProblemsURL: s.retPath(org, q, "problems.csv")}
	if cur != nil {
		p.AskReason, p.Current = true, cur.Version
	}
	return p, true
}

func (s *Server) retUploadForm(w http.ResponseWriter, r *http.Request, sess *Session) {
	p, ok := s.retUploadStart(w, r, sess)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "returns-upload", sess, p)
}

// retRenderUpload shows the upload page with its errors: the file's, the reason's, and
// each problem the API found, linking to its row of the problems table.
func (s *Server) retRenderUpload(w http.ResponseWriter, r *http.Request, sess *Session, status int, p retUploadPage) {
	var errs []FormError
	if p.FileError != "" {
		errs = append(errs, FormError{Href: "#" + retFileField, Text: p.FileError})
	}
	if p.ReasonError != "" {
		errs = append(errs, FormError{Href: "#revision-reason", Text: p.ReasonError})
	}
	for _, pr := range p.Problems {
		text := pr.Message
		if pr.Where != "" {
			text = pr.Where + ": " + text
		}
		errs = append(errs, FormError{Href: "#" + pr.ID, Text: text})
	}
	s.render(w, r, status, "returns-upload", sess, p, errs...)
}

// retUploadPost takes the file and asks the API to check it.
func (s *Server) retUploadPost(w http.ResponseWriter, r *http.Request, sess *Session) {
	p, ok := s.retUploadStart(w, r, sess)
	if !ok {
		return
	}
	if p.AskReason {
		p.Reason = strings.TrimSpace(strings.ReplaceAll(r.PostFormValue(retReasonField), "\r\n", "\n"))
	}
	u, fileErr := s.retReadFile(r)
	if fileErr != "" {
		p.FileError = fileErr
		s.retRenderUpload(w, r, sess, http.StatusUnprocessableEntity, p)
		return
	}
	p.FileName = u.FileName
	u.ID, u.Subject, u.Org, u.Period = randomToken(), sess.Subject, p.Org.Code, p.Period.String()
	u.Expires = s.now().Add(retUploadLifetime).Unix()
	// The reason typed on the page goes beside the file (?revision_reason=), whatever its
	// format: the API takes it as the file's own, and says so if the file gives another.
	u.Reason = p.Reason
	s.retCheck(w, r, sess, p, u, false)
}

// retReadFile reads the uploaded file, or says what is wrong with it in the Design
// System's words.
func (s *Server) retReadFile(r *http.Request) (retUpload, string) {
	if r.MultipartForm == nil || len(r.MultipartForm.File[retFileField]) == 0 {
		return retUpload{}, "Select a file"
	}
	fh := r.MultipartForm.File[retFileField][0]
	name := path.Base(strings.ReplaceAll(fh.Filename, "\\", "/"))
	if name == "." || name == "/" {
		name = ""
	}
	var format string
	switch strings.ToLower(path.Ext(name)) {
	case ".xlsx":
		format = string(workforce.FormatXLSX)
	case ".csv":
		format = string(workforce.FormatCSV)
	}
	switch {
	case name == "" && fh.Size == 0:
		return retUpload{}, "Select a file"
	case fh.Size == 0:
		return retUpload{}, "The selected file is empty"
	case fh.Size > s.cfg.MaxUploadBytes:
		return retUpload{}, "The selected file must be smaller than " + s.retMaxSize()
	case format == "":
		return retUpload{}, "The selected file must be an XLSX or CSV file"
	}
	f, err := fh.Open()
	if err != nil {
		return retUpload{}, "The selected file could not be read. Upload it again"
	}
	defer f.Close()
	body, err := io.ReadAll(io.LimitReader(f, s.cfg.MaxUploadBytes+1))
	if err != nil || int64(len(body)) > s.cfg.MaxUploadBytes {
		return retUpload{}, "The selected file could not be read. Upload it again"
	}
	return retUpload{Format: format, FileName: textsafe.TruncateTo(name, 120), Body: body}, ""
}

// retChecked is the answer of POST /returns/check.
type retChecked struct {
	Org       string                     `json:"org"`
	Period    string                     `json:"period"`
	Version   int                        `json:"version"`
	Duplicate bool                       `json:"duplicate"`
	SHA256    string                     `json:"sha256"`
	Values    map[string]json.RawMessage `json:"values"`
	Warnings  []workforce.Problem        `json:"warnings"`
}

// retPostFile sends the upload's file to the API.
func (s *Server) retPostFile(r *http.Request, sess *Session, apiPath string, u retUpload, idem bool) (answer, error) {
	req := request{method: http.MethodPost, path: apiPath, body: u.Body, contentType: u.contentType()}
	if u.Reason != "" {
		req.query = url.Values{"revision_reason": {u.Reason}}
	}
	if idem {
		req.header = map[string]string{"Idempotency-Key": u.idempotencyKey()}
	}
	return s.api.do(r.Context(), sess, req)
}

// retRefused shows what the API found wrong with a file on the upload page, and reports
// whether err was such a refusal (anything else is the caller's to answer).
func (s *Server) retRefused(w http.ResponseWriter, r *http.Request, sess *Session, p retUploadPage, u retUpload, err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.Status {
	case http.StatusUnprocessableEntity:
		var table []workforce.Problem
		for _, pr := range ae.Problem.Errors {
			// A missing or conflicting reason is the page's own question when it asked one.
			if pr.Field == workforce.KeyRevisionReason && p.AskReason {
				if pr.Code == workforce.CodeRevisionReasonRequired {
					p.ReasonError = "Enter the reason for the revision"
				} else {
					p.ReasonError = pr.Message
				}
				continue
			}
			table = append(table, pr)
		}
		p.Problems = retProblemRows(table, "problem")
		if ae.Problem.MoreErrors != nil {
			p.MoreProblems = ae.Problem.MoreErrors.Total - len(ae.Problem.Errors)
		}
		if len(table) > 0 {
			sealed, err := s.seal.seal(retProblemsSeal, retSealedProblems{Subject: sess.Subject, Org: p.Org.Code, Period: p.Period.String(),
				FileName: u.FileName, Expires: s.now().Add(retUploadLifetime).Unix(), Problems: table})
			if err != nil {
				s.fail(w, r, err)
				return true
			}
			p.ProblemsSeal = sealed
		}
		if p.ReasonError == "" && len(table) == 0 {
			p.FileError = ae.Problem.Detail
		}
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
		p.FileError = ae.Problem.Detail
	case http.StatusForbidden:
		// The page's organisation is the user's (its return was read), so the file's
		// content names another: say so on the field.
		p.FileError = "The file is a return for an organisation you cannot send returns for. " + ae.Problem.Detail
	default:
		return false
	}
	s.retRenderUpload(w, r, sess, http.StatusUnprocessableEntity, p)
	return true
}

// ---- Check your answers before sending your return

type retCheckPage struct {
	retQuarterHead
	Checked      retChecked
	KeyFigures   []retFigure
	Sections     []retSection
	Warnings     []retProblemRow
	Reason       string
	Sealed       string
	SendURL      string
	UploadURL    string
	FileName     string
	ConfirmError string
	SealedField  string
	ConfirmField string
}

// retCheck asks the API to check the upload and shows the problems, or the answers to
// check before sending.
func (s *Server) retCheck(w http.ResponseWriter, r *http.Request, sess *Session, p retUploadPage, u retUpload, confirmMissing bool) {
	a, err := s.retPostFile(r, sess, "/returns/check", u, false)
	if err != nil {
		if !s.retRefused(w, r, sess, p, u, err) {
			s.apiFail(w, r, err)
		}
		return
	}
	var c retChecked
	if err := json.Unmarshal(a.Body, &c); err != nil {
		s.fail(w, r, fmt.Errorf("POST /returns/check: decode answer: %w", err))
		return
	}
	if !strings.EqualFold(c.Org, p.Org.Code) || c.Period != p.Period.String() {
		p.FileError = fmt.Sprintf("The file is a return for %s %s, not %s %s. Upload it from that quarter's page, or correct the organisation and quarter in the file",
			textsafe.Truncate(c.Org), textsafe.Truncate(c.Period), p.Org.Code, p.Period)
		s.retRenderUpload(w, r, sess, http.StatusUnprocessableEntity, p)
		return
	}
	u.Warnings = len(c.Warnings)
	sealed, err := s.retSealUpload(u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := retCheckPage{retQuarterHead: p.retQuarterHead, Checked: c, KeyFigures: retKeyFigures(p.Org, c.Values),
		Sections: retSections(c.Values), Warnings: retProblemRows(c.Warnings, "warning"), Sealed: sealed,
		SendURL: s.retPath(p.Org.Code, p.Period, "send"), UploadURL: s.retPath(p.Org.Code, p.Period, "upload"),
		FileName: u.FileName, SealedField: retSealedField, ConfirmField: retConfirmField}
	if raw, ok := c.Values[workforce.KeyRevisionReason]; ok {
		_ = json.Unmarshal(raw, &data.Reason)
	}
	var errs []FormError
	status := http.StatusOK
	if confirmMissing {
		data.ConfirmError = "Confirm you have checked the warnings and the figures are correct"
		errs = append(errs, FormError{Href: "#warnings-checked", Text: data.ConfirmError})
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "returns-check", sess, data, errs...)
}

// retKeyFigures are the figures a submitter checks before sending: the totals, the DDaT
// share they make, entrants and the leadership answers. A local-government body answers
// only the two leadership questions.
func retKeyFigures(org workforce.Organisation, values map[string]json.RawMessage) []retFigure {
	var out []retFigure
	add := func(key string) {
		if raw, ok := values[key]; ok {
			f, _ := workforce.FieldByKey(key)
			out = append(out, retFigure{Key: key, Label: f.Label, Value: retValueText(f, raw)})
		}
	}
	num := func(key string) (float64, bool) {
		raw, ok := values[key]
		if !ok {
			return 0, false
		}
		v, err := strconv.ParseFloat(string(raw), 64)
		return v, err == nil
	}
	out = append(out, retFigure{Label: "Organisation", Value: org.Name + " (" + org.Code + ")"})
	if raw, ok := values[workforce.KeyPeriod]; ok {
		f, _ := workforce.FieldByKey(workforce.KeyPeriod)
		out = append(out, retFigure{Key: workforce.KeyPeriod, Label: f.Label, Value: retValueText(f, raw)})
	}
	for _, k := range []string{workforce.KeyHeadcount, workforce.KeyFTE, workforce.KeyDDaTHeadcount} {
		add(k)
	}
	hc, ok1 := num(workforce.KeyHeadcount)
	dd, ok2 := num(workforce.KeyDDaTHeadcount)
	if ok1 && ok2 && hc > 0 {
		out = append(out, retFigure{Key: "ddat_share", Label: "DDaT share of headcount", Value: strconv.FormatFloat(100*dd/hc, 'f', 1, 64) + "%"})
	}
	add(workforce.KeyDDaTFTE)
	add(workforce.KeyEntrantsTotal)
	early, any := 0.0, false
	for _, k := range workforce.EarlyCareerKeys {
		if v, ok := num(k); ok {
			early, any = early+v, true
		}
	}
	if any {
		out = append(out, retFigure{Key: "early_career_entrants", Label: "Early-career entrants", Value: printer.Sprintf("%d", int64(early))})
	}
	add(workforce.KeyExecDigitalLeader)
	add(workforce.KeyBoardDigitalNED)
	// The people ratios of the commitments, each as "x of y".
	for _, r := range []struct{ part, whole, label, of string }{
		{workforce.KeySeniorAppointmentsAssessed, workforce.KeySeniorAppointments, "Directors and directors general appointed and assessed on digital and data skills", "appointed"},
		{workforce.KeyDigitalSeniorRolesSuccessor, workforce.KeyDigitalSeniorRoles, "Digital and data director and DG roles with a succession plan", "roles"},
		{workforce.KeyCSLGMembersAIImmersion, workforce.KeyCSLGMembers, "Civil Service Leadership Group members who have attended an AI immersion workshop", "members"},
	} {
		part, ok1 := num(r.part)
		whole, ok2 := num(r.whole)
		if ok1 && ok2 {
			out = append(out, retFigure{Key: r.part, Label: r.label, Value: printer.Sprintf("%d of %d %s", int64(part), int64(whole), r.of)})
		}
	}
	return out
}

// ---- Send return

// retSend sends the checked upload: the sealed file, exactly as checked, with an
// Idempotency-Key derived from it.
func (s *Server) retSend(w http.ResponseWriter, r *http.Request, sess *Session) {
	p, ok := s.retUploadStart(w, r, sess)
	if !ok {
		return
	}
	u, err := s.retOpenUpload(r.PostFormValue(retSealedField), sess, p.Org.Code, p.Period)
	if err != nil {
		p.FileError = "Upload the file again: what you sent could not be used, because it was changed, it is for another return, or it is more than an hour old"
		s.retRenderUpload(w, r, sess, http.StatusBadRequest, p)
		return
	}
	p.FileName = u.FileName
	if u.Warnings > 0 && r.PostFormValue(retConfirmField) != "yes" {
		s.retCheck(w, r, sess, p, u, true)
		return
	}
	a, err := s.retPostFile(r, sess, "/returns", u, true)
	if err != nil {
		switch {
		case s.retRefused(w, r, sess, p, u, err):
		case apiStatus(err) == http.StatusConflict:
			var ae *APIError
			errors.As(err, &ae)
			s.problemPage(w, r, http.StatusConflict, "Your return was not sent",
				ae.Problem.Detail+" Go to the return's page to see its versions, then upload the file again if it is still needed.")
		default:
			s.apiFail(w, r, err)
		}
		return
	}
	var rc workforce.Receipt
	if err := json.Unmarshal(a.Body, &rc); err != nil || rc.Version < 1 {
		s.fail(w, r, fmt.Errorf("POST /returns: decode receipt: %v", err))
		return
	}
	to := s.retPath(p.Org.Code, p.Period, "sent") + "?version=" + strconv.Itoa(rc.Version)
	if rc.Duplicate {
		to += "&duplicate=1"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// ---- Return sent

type retSentPage struct {
	retQuarterHead
	View       *retView
	Duplicate  bool
	Title      string
	VersionURL string
}

// retSent confirms a version: the receipt is read from the API, not carried in the
// address, which says only which version.
func (s *Server) retSent(w http.ResponseWriter, r *http.Request, sess *Session) {
	org, q, ok := s.retOrgPeriod(w, r)
	if !ok {
		return
	}
	n, err := strconv.Atoi(r.URL.Query().Get("version"))
	if err != nil || n < 1 {
		s.notFound(w, r)
		return
	}
	head, ok := s.retHeadFor(w, r, sess, org, q)
	if !ok {
		return
	}
	v, err := s.retGetVersion(r.Context(), sess, org, q, n)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	data := retSentPage{retQuarterHead: head, View: v, Duplicate: r.URL.Query().Get("duplicate") == "1", Title: "Return sent",
		VersionURL: s.retPath(org, q, "versions", strconv.Itoa(n))}
	if data.Duplicate {
		data.Title = fmt.Sprintf("This return is the same as version %d", n)
	}
	s.render(w, r, http.StatusOK, "returns-sent", sess, data)
}

// ---- Download the problems as a CSV

// retProblemsCSV writes the sealed problems as CSV, each field neutralised so that a
// spreadsheet runs none of them as a formula.
func (s *Server) retProblemsCSV(w http.ResponseWriter, r *http.Request, sess *Session) {
	org, q, ok := s.retOrgPeriod(w, r)
	if !ok {
		return
	}
	var sp retSealedProblems
	if err := s.seal.open(retProblemsSeal, r.PostFormValue(retProblemField), &sp); err != nil ||
		sp.Subject != sess.Subject || sp.Org != org || sp.Period != q.String() || s.now().Unix() >= sp.Expires {
		s.problemPage(w, r, http.StatusBadRequest, "The problems could not be downloaded",
			"The list of problems has expired or was changed. Upload the file again to see its problems.")
		return
	}
	var b bytes.Buffer
	b.WriteString("\xef\xbb\xbf") // so Excel reads the file as UTF-8
	cw := csv.NewWriter(&b)
	_ = cw.Write([]string{"field", "field_name", "cell_or_line", "code", "problem"})
	for _, row := range retProblemRows(sp.Problems, "problem") {
		_ = cw.Write(textsafe.CSVRecord([]string{row.Key, row.Field, row.Where, row.Code, row.Message}))
	}
	cw.Flush()
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="problems-%s-%s.csv"`, org, q))
	_, _ = w.Write(b.Bytes())
}
