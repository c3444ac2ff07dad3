package portal

// admin_register.go is the register's pages: the organisations (GET /organisations), and
// the forms that add one or change one (PUT /organisations/{code}). The form checks what
// a person can get wrong before it sends anything, and shows the API's own problems (a
// 422's errors) beside the fields they name.

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ddat-workforce/returns/shared/workforce"
)

func init() {
	addFuncs(template.FuncMap{"admDates": admDates})
}

// admDateView is one of the form's date inputs, ready for the template.
type admDateView struct {
	Key, Label, Hint, Error string
	Parts                   []admDatePart
}

type admDatePart struct {
	Name, Label, Value string
	Width              int
	Bad                bool
}

// admDates are the form's two dates, active from and active to.
func admDates(f *adminOrgForm) []admDateView {
	view := func(key, label, hint string, d adminDate) admDateView {
		return admDateView{Key: key, Label: label, Hint: hint, Error: f.Errors[key], Parts: []admDatePart{
			{"day", "Day", d.Day, 2, d.BadDay}, {"month", "Month", d.Month, 2, d.BadMonth}, {"year", "Year", d.Year, 4, d.BadYear}}}
	}
	return []admDateView{
		view("active_from", "Active from", "The day it began to exist, if it began after the collection did. For example, 1 4 2025", f.From),
		view("active_to", "Active to", "Its last day, if it has closed or merged. For example, 31 3 2026", f.To),
	}
}

// adminOrg is an organisation as GET /organisations answers it to an admin, returns
// contacts included (workforce.OrganisationWithContacts).
type adminOrg struct {
	Code              string   `json:"code"`
	Name              string   `json:"name"`
	Parent            string   `json:"parent"`
	Kind              string   `json:"kind"`
	BaselineHeadcount int64    `json:"baseline_headcount"`
	ActiveFrom        string   `json:"active_from"`
	ActiveTo          string   `json:"active_to"`
	ReturnsContacts   []string `json:"returns_contacts"`
}

func (s *Server) adminOrganisations(r *http.Request, sess *Session) ([]adminOrg, error) {
	var list struct {
		Organisations []adminOrg `json:"organisations"`
	}
	err := s.api.getJSON(r.Context(), sess, "/organisations", nil, &list)
	return list.Organisations, err
}

func adminFind(orgs []adminOrg, code string) (adminOrg, bool) {
	for _, o := range orgs {
		if o.Code == code {
			return o, true
		}
	}
	return adminOrg{}, false
}

// --- The register ----------------------------------------------------------------------

type adminRegisterView struct {
	Orgs   []adminRegisterRow
	Banner *adminBanner
}

type adminBanner struct{ Heading, Body string }

type adminRegisterRow struct {
	Code, Name, Parent, Kind, Baseline, Active, Contacts, Href string
}

// adminActive says when an organisation exists, in words.
func adminActive(from, to string) string {
	switch {
	case from == "" && to == "":
		return "Always"
	case to == "":
		return "From " + leadDate(from)
	case from == "":
		return "Until " + leadDate(to)
	}
	return leadDate(from) + " to " + leadDate(to)
}

// adminRegister lists the register, with a success banner after a change (?added= or
// ?changed=, shown only for an organisation the register holds).
func (s *Server) adminRegister(w http.ResponseWriter, r *http.Request, sess *Session) {
	orgs, err := s.adminOrganisations(r, sess)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	sort.SliceStable(orgs, func(i, j int) bool { return strings.ToLower(orgs[i].Name) < strings.ToLower(orgs[j].Name) })
	v := adminRegisterView{}
	for _, o := range orgs {
		row := adminRegisterRow{Code: o.Code, Name: o.Name, Parent: o.Parent, Kind: leadKind(o.Kind),
			Active: adminActive(o.ActiveFrom, o.ActiveTo), Href: s.cfg.BasePath + "/admin/register/" + url.PathEscape(o.Code)}
		row.Baseline = leadNumber(o.BaselineHeadcount)
		switch n := len(o.ReturnsContacts); n {
		case 0:
			row.Contacts = "None"
		case 1:
			row.Contacts = "1 contact"
		default:
			row.Contacts = fmt.Sprintf("%d contacts", n)
		}
		v.Orgs = append(v.Orgs, row)
	}
	q := r.URL.Query()
	for _, b := range []struct{ key, heading, verb string }{{"added", "Organisation added", "added to"}, {"changed", "Organisation changed", "changed in"}} {
		if code := q.Get(b.key); code != "" {
			if o, ok := adminFind(orgs, code); ok {
				v.Banner = &adminBanner{Heading: b.heading, Body: fmt.Sprintf("%s (%s) has been %s the register.", o.Name, o.Code, b.verb)}
			}
		}
	}
	s.render(w, r, http.StatusOK, "admin-register", sess, v)
}

// --- Add or change an organisation ---------------------------------------------------

// adminOrgForm is the form's values as typed, and its errors by field key.
type adminOrgForm struct {
	New      bool
	Heading  string
	Action   string
	Button   string
	Code     string
	Name     string
	Parent   string
	Kind     string
	Baseline string
	From, To adminDate
	Contacts string
	Errors   map[string]string
}

// adminDate is a GOV.UK date input's three fields, and which of them are wrong.
type adminDate struct {
	Day, Month, Year          string
	BadDay, BadMonth, BadYear bool
}

// adminFields are the form's fields in page order, each with the id an error links to.
var adminFields = []struct{ key, href string }{
	{"code", "#code"},
	{"name", "#name"},
	{"parent", "#parent"},
	{"kind", "#kind"},
	{"baseline_headcount", "#baseline_headcount"},
	{"active_from", "#active_from-day"},
	{"active_to", "#active_to-day"},
	{"returns_contacts", "#returns_contacts"},
}

// summary is the error summary: one entry per field with an error, in page order, and
// any problem the API did not tie to a field.
func (f *adminOrgForm) summary() []FormError {
	var out []FormError
	for _, fd := range adminFields {
		msg, ok := f.Errors[fd.key]
		if !ok {
			continue
		}
		href := fd.href
		if fd.key == "active_from" || fd.key == "active_to" {
			href = "#" + fd.key + "-" + f.date(fd.key).firstBad()
		}
		out = append(out, FormError{Href: href, Text: msg})
	}
	if msg, ok := f.Errors[""]; ok {
		first := "#name"
		if f.New {
			first = "#code"
		}
		out = append(out, FormError{Href: first, Text: msg})
	}
	return out
}

func (f *adminOrgForm) date(key string) adminDate {
	if key == "active_to" {
		return f.To
	}
	return f.From
}

func (d adminDate) firstBad() string {
	switch {
	case d.BadDay:
		return "day"
	case d.BadMonth:
		return "month"
	case d.BadYear:
		return "year"
	}
	return "day"
}

func (f *adminOrgForm) fail(key, msg string) {
	if _, ok := f.Errors[key]; !ok {
		f.Errors[key] = msg
	}
}

func adminDateOf(s string) adminDate {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return adminDate{}
	}
	return adminDate{Day: strconv.Itoa(t.Day()), Month: strconv.Itoa(int(t.Month())), Year: strconv.Itoa(t.Year())}
}

func (s *Server) adminFormFor(o adminOrg, isNew bool) *adminOrgForm {
	f := &adminOrgForm{New: isNew, Code: o.Code, Name: o.Name, Parent: o.Parent, Kind: o.Kind,
		From: adminDateOf(o.ActiveFrom), To: adminDateOf(o.ActiveTo), Contacts: strings.Join(o.ReturnsContacts, "\n"),
		Errors: map[string]string{}}
	if !isNew {
		f.Baseline = strconv.FormatInt(o.BaselineHeadcount, 10)
		f.Heading, f.Button = "Change "+o.Name, "Save changes"
		f.Action = s.cfg.BasePath + "/admin/register/" + url.PathEscape(o.Code)
	} else {
		f.Heading, f.Button = "Add an organisation", "Add organisation"
		f.Action = s.cfg.BasePath + "/admin/register/new"
	}
	return f
}

// read takes the posted values into the form.
func (f *adminOrgForm) read(r *http.Request) {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	if f.New {
		f.Code = strings.ToUpper(v("code"))
	}
	f.Name, f.Parent, f.Kind, f.Baseline = v("name"), strings.ToUpper(v("parent")), v("kind"), v("baseline_headcount")
	f.From = adminDate{Day: v("active_from-day"), Month: v("active_from-month"), Year: v("active_from-year")}
	f.To = adminDate{Day: v("active_to-day"), Month: v("active_to-month"), Year: v("active_to-year")}
	f.Contacts = r.PostFormValue("returns_contacts")
}

// adminMaxName and adminMaxContacts are the register's bounds (workforce.Organisation's
// Validate), checked here so that the message comes before the round trip.
const (
	adminMaxName     = 200
	adminMaxContacts = 10
)

// check finds every mistake a person can make in the form, the GOV.UK way (one message per
// field, saying how to put it right), and builds the organisation to send.
func (f *adminOrgForm) check() adminOrg {
	o := adminOrg{Code: f.Code, Name: f.Name, Parent: f.Parent, Kind: f.Kind}
	if f.New {
		switch {
		case f.Code == "":
			f.fail("code", "Enter the organisation code")
		case !workforce.ValidOrgCode(f.Code):
			f.fail("code", "Organisation code must be 2 to 24 capital letters, numbers or single hyphens, starting with a letter, like HMRC or LGA-KENT")
		}
	}
	switch {
	case f.Name == "":
		f.fail("name", "Enter the organisation's name")
	case utf8.RuneCountInString(f.Name) > adminMaxName:
		f.fail("name", fmt.Sprintf("Name must be %d characters or fewer", adminMaxName))
	}
	if f.Parent != "" && !workforce.ValidOrgCode(f.Parent) {
		f.fail("parent", "Parent department must be an organisation code, like CO")
	}
	if !workforce.OrgKind(f.Kind).Valid() {
		f.fail("kind", "Select whether it is a civil service organisation or a local government body")
	}
	baseline := strings.ReplaceAll(f.Baseline, ",", "")
	switch n, err := strconv.ParseInt(baseline, 10, 64); {
	case baseline == "" && f.Kind == string(workforce.LocalGovernment):
	case baseline == "":
		f.fail("baseline_headcount", "Enter the baseline headcount")
	case err != nil || n < 0:
		f.fail("baseline_headcount", "Baseline headcount must be a whole number of people, like 1250")
	default:
		o.BaselineHeadcount = n
	}
	o.ActiveFrom = f.From.check(f, "active_from", "Active from")
	o.ActiveTo = f.To.check(f, "active_to", "Active to")
	if o.ActiveFrom != "" && o.ActiveTo != "" && o.ActiveTo < o.ActiveFrom {
		f.To.BadDay, f.To.BadMonth, f.To.BadYear = true, true, true
		f.fail("active_to", "Active to must be the same as or after active from")
	}
	o.ReturnsContacts = f.contacts()
	return o
}

// check reads one date, reporting its mistakes against key; "" when it is left empty.
func (d *adminDate) check(f *adminOrgForm, key, label string) string {
	if d.Day == "" && d.Month == "" && d.Year == "" {
		return ""
	}
	var missing []string
	for _, p := range []struct {
		v    string
		name string
		bad  *bool
	}{{d.Day, "a day", &d.BadDay}, {d.Month, "a month", &d.BadMonth}, {d.Year, "a year", &d.BadYear}} {
		if p.v == "" {
			missing, *p.bad = append(missing, p.name), true
		}
	}
	if len(missing) > 0 {
		f.fail(key, label+" must include "+strings.Join(missing, " and "))
		return ""
	}
	day, e1 := strconv.Atoi(d.Day)
	month, e2 := strconv.Atoi(d.Month)
	year, e3 := strconv.Atoi(d.Year)
	if e3 != nil || len(d.Year) != 4 {
		d.BadYear = true
		f.fail(key, "Year must include 4 numbers")
		return ""
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if e1 != nil || e2 != nil || t.Day() != day || int(t.Month()) != month {
		d.BadDay, d.BadMonth, d.BadYear = true, true, true
		f.fail(key, label+" must be a real date")
		return ""
	}
	return t.Format(time.DateOnly)
}

// contacts reads the returns contacts, one to a line (commas and semicolons also part
// them), reporting the first mistake by its position: an address is personal data, so
// messages never repeat it.
func (f *adminOrgForm) contacts() []string {
	var out []string
	for _, c := range strings.FieldsFunc(f.Contacts, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ';' }) {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	if len(out) > adminMaxContacts {
		f.fail("returns_contacts", fmt.Sprintf("Enter no more than %d returns contacts", adminMaxContacts))
		return out
	}
	seen := map[string]int{}
	for i, c := range out {
		switch {
		case !workforce.ValidEmail(c):
			f.fail("returns_contacts", fmt.Sprintf("Returns contact %d must be an email address, like returns@agency.gov.uk", i+1))
		case seen[strings.ToLower(c)] > 0:
			f.fail("returns_contacts", fmt.Sprintf("Returns contact %d is the same as returns contact %d", i+1, seen[strings.ToLower(c)]))
		default:
			seen[strings.ToLower(c)] = i + 1
		}
	}
	return out
}

// adminAPIMessages put the API's problems the GOV.UK way where the API's words name keys
// rather than labels; any other problem is shown in the API's own words.
var adminAPIMessages = map[string]string{
	"code/code_mismatch":       "The organisation code cannot be changed",
	"name/formula_like":        "Name must not start with =, +, - or @",
	"name/control_character":   "Name must not contain invisible characters: type it again",
	"active_to/before_start":   "Active to must be the same as or after active from",
	"active_from/invalid_date": "Active from must be a real date",
	"active_to/invalid_date":   "Active to must be a real date",
}

// apiProblems puts a 422's problems on the form's fields.
func (f *adminOrgForm) apiProblems(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusUnprocessableEntity {
		return false
	}
	known := map[string]bool{}
	for _, fd := range adminFields {
		known[fd.key] = true
	}
	for _, p := range ae.Problem.Errors {
		msg, ok := adminAPIMessages[p.Field+"/"+p.Code]
		if !ok {
			msg = strings.TrimSuffix(p.Message, ".")
		}
		key := p.Field
		if !known[key] || (key == "code" && !f.New) {
			key = ""
		}
		if key == "active_from" || key == "active_to" {
			d := &f.From
			if key == "active_to" {
				d = &f.To
			}
			d.BadDay, d.BadMonth, d.BadYear = true, true, true
		}
		f.fail(key, msg)
	}
	if len(f.Errors) == 0 {
		f.fail("", strings.TrimSuffix(ae.Problem.Detail, "."))
	}
	return true
}

func (s *Server) adminNewOrganisation(w http.ResponseWriter, r *http.Request, sess *Session) {
	s.render(w, r, http.StatusOK, "admin-organisation", sess, s.adminFormFor(adminOrg{}, true))
}

func (s *Server) adminAddOrganisation(w http.ResponseWriter, r *http.Request, sess *Session) {
	f := s.adminFormFor(adminOrg{}, true)
	f.read(r)
	s.adminSave(w, r, sess, f)
}

func (s *Server) adminEditOrganisation(w http.ResponseWriter, r *http.Request, sess *Session) {
	o, ok := s.adminExisting(w, r, sess)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "admin-organisation", sess, s.adminFormFor(o, false))
}

func (s *Server) adminChangeOrganisation(w http.ResponseWriter, r *http.Request, sess *Session) {
	o, ok := s.adminExisting(w, r, sess)
	if !ok {
		return
	}
	f := s.adminFormFor(o, false)
	f.read(r)
	s.adminSave(w, r, sess, f)
}

// adminExisting is the organisation the address names, from the register; false when the
// answer has been written (not found, or the API's refusal).
func (s *Server) adminExisting(w http.ResponseWriter, r *http.Request, sess *Session) (adminOrg, bool) {
	orgs, err := s.adminOrganisations(r, sess)
	if err != nil {
		s.apiFail(w, r, err)
		return adminOrg{}, false
	}
	o, ok := adminFind(orgs, strings.ToUpper(r.PathValue("code")))
	if !ok {
		s.notFound(w, r)
	}
	return o, ok
}

// adminSave checks the form, then sends it: PUT /organisations/{code}. An organisation
// being added must be new, so that adding never overwrites one by mistake.
func (s *Server) adminSave(w http.ResponseWriter, r *http.Request, sess *Session, f *adminOrgForm) {
	o := f.check()
	if f.New && f.Errors["code"] == "" {
		orgs, err := s.adminOrganisations(r, sess)
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		if existing, ok := adminFind(orgs, f.Code); ok {
			f.fail("code", fmt.Sprintf("%s is already in the register, as %s: change it from the register instead", f.Code, existing.Name))
		}
	}
	if len(f.Errors) > 0 {
		s.render(w, r, http.StatusBadRequest, "admin-organisation", sess, f, f.summary()...)
		return
	}
	body := workforce.OrganisationWithContacts{Code: o.Code, Name: o.Name, Parent: o.Parent, Kind: workforce.OrgKind(o.Kind),
		BaselineHeadcount: o.BaselineHeadcount, ActiveFrom: o.ActiveFrom, ActiveTo: o.ActiveTo, ReturnsContacts: o.ReturnsContacts}
	err := s.api.sendJSON(r.Context(), sess, http.MethodPut, apiPath("organisations", o.Code), body, nil)
	if f.apiProblems(err) {
		s.render(w, r, http.StatusUnprocessableEntity, "admin-organisation", sess, f, f.summary()...)
		return
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	done := "changed"
	if f.New {
		done = "added"
	}
	http.Redirect(w, r, s.cfg.BasePath+"/admin/register?"+leadValues(done, o.Code).Encode(), http.StatusSeeOther)
}
