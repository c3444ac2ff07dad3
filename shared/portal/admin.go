package portal

// admin.go is the administrators' pages (SPEC §9): the tasks, running the rollup for a
// month (POST /rollups/{month}) and the returns missing for the reference quarter (GET
// /collection/{period}). The register's pages are in admin_register.go.
//
// The pages are offered to admins only; what they may do is still the API's to decide,
// and a refusal from it is shown as one.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

func init() {
	pageGroups = append(pageGroups, func(s *Server) []page {
		b := s.cfg.BasePath + "/admin"
		return []page{
			{"GET " + b, s.adminOnly(s.adminHome)},
			{"GET " + b + "/rollup", s.adminOnly(s.adminRollup)},
			{"POST " + b + "/rollup", s.adminOnly(s.adminRunRollup)},
			{"GET " + b + "/missing", s.adminOnly(s.adminMissing)},
			{"GET " + b + "/register", s.adminOnly(s.adminRegister)},
			{"GET " + b + "/register/new", s.adminOnly(s.adminNewOrganisation)},
			{"POST " + b + "/register/new", s.adminOnly(s.adminAddOrganisation)},
			{"GET " + b + "/register/{code}", s.adminOnly(s.adminEditOrganisation)},
			{"POST " + b + "/register/{code}", s.adminOnly(s.adminChangeOrganisation)},
		}
	})
}

// adminOnly shows a page to admins only. It decides what the portal offers, not what
// anyone may do: every change still goes to the API with the user's token, which refuses
// anyone but an admin.
func (s *Server) adminOnly(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request, sess *Session) {
		if !sess.Has(workforce.RoleAdmin) {
			s.problemPage(w, r, http.StatusForbidden, "You cannot see this page",
				"Only administrators can use these pages. If you think you should, contact your administrator.")
			return
		}
		h(w, r, sess)
	}
}

// adminHome is "Administration": the tasks.
func (s *Server) adminHome(w http.ResponseWriter, r *http.Request, sess *Session) {
	s.render(w, r, http.StatusOK, "admin", sess, nil)
}

// --- Run the rollup ------------------------------------------------------------------

// adminRollupMonths is how many ended months the form offers.
const adminRollupMonths = 24

type adminRollupView struct {
	Months  []leadOption
	Problem string
	Done    *adminRollupDone
}

// adminRollupDone is a rollup just run, as the API keeps it.
type adminRollupDone struct {
	Created    bool
	Month      string
	MonthCode  string
	Revision   int
	RefQuarter string
	Made       time.Time
	Trigger    string
	Inputs     int
	Workbooks  []string
	Statuses   []adminStatusCount
}

type adminStatusCount struct {
	Tag   leadTag
	Count int
}

// adminMonthOptions are the months that have ended, newest first, with chosen selected
// (the month just ended when chosen is empty).
func (s *Server) adminMonthOptions(chosen string) []leadOption {
	m := period.MonthOf(s.now().UTC()).Prev()
	if chosen == "" {
		chosen = m.String()
	}
	var out []leadOption
	for i := 0; i < adminRollupMonths; i++ {
		out = append(out, leadOption{Value: m.String(), Text: leadMonthName(m.String()), Selected: m.String() == chosen})
		m = m.Prev()
	}
	return out
}

// adminRollup is "Run the rollup": the form, and after a run the revision it made or
// found (?month=&revision=&created=, from adminRunRollup's redirect), read back from
// the API.
func (s *Server) adminRollup(w http.ResponseWriter, r *http.Request, sess *Session) {
	q := r.URL.Query()
	v := adminRollupView{Months: s.adminMonthOptions(q.Get("month"))}
	if month, rev := q.Get("month"), q.Get("revision"); month != "" && rev != "" {
		m, err := period.ParseMonth(month)
		n, nerr := strconv.Atoi(rev)
		if err != nil || nerr != nil || n < 1 || m.String() != month {
			s.notFound(w, r)
			return
		}
		var f leadFigures
		if err := s.api.getJSON(r.Context(), sess, apiPath("rollups", month), leadValues("revision", rev), &f); err != nil {
			s.apiFail(w, r, err)
			return
		}
		v.Done = adminDone(f, q.Get("created") == "true")
	}
	s.render(w, r, http.StatusOK, "admin-rollup", sess, v)
}

func adminDone(f leadFigures, created bool) *adminRollupDone {
	d := &adminRollupDone{Created: created, Month: leadMonthName(f.Month), MonthCode: f.Month, Revision: f.Revision,
		RefQuarter: leadQuarterLong(f.ReferenceQuarter), Made: f.CreatedAt, Inputs: len(f.Inputs)}
	switch f.Trigger {
	case "admin":
		d.Trigger = "An administrator"
	case "schedule":
		d.Trigger = "The monthly schedule"
	default:
		d.Trigger = f.Trigger
	}
	for _, e := range leadEditions {
		for _, fm := range leadFormats {
			if _, ok := leadFindReport(f.Reports, e.Code, fm.Code); ok {
				d.Workbooks = append(d.Workbooks, e.Name+", "+fm.Name)
			}
		}
	}
	counts := map[string]int{}
	var order []string
	for _, t := range f.Targets {
		if counts[t.Status] == 0 {
			order = append(order, t.Status)
		}
		counts[t.Status]++
	}
	for _, st := range order {
		d.Statuses = append(d.Statuses, adminStatusCount{leadStatusTag(st), counts[st]})
	}
	return d
}

// adminRunRollup runs the month's rollup (POST /rollups/{month}) and shows what it made.
// The API answers 201 for a new revision and 200 when the returns have not changed since
// the latest, which it answers again.
func (s *Server) adminRunRollup(w http.ResponseWriter, r *http.Request, sess *Session) {
	month := strings.TrimSpace(r.PostFormValue("month"))
	v := adminRollupView{Months: s.adminMonthOptions(month)}
	m, err := period.ParseMonth(month)
	switch {
	case month == "":
		v.Problem = "Select the month to roll up"
	case err != nil || m.String() != month:
		v.Problem = "Select a month from the list"
	case !m.LastDay().Before(adminMonthStart(s.now())):
		v.Problem = leadMonthName(month) + " has not ended yet: select a month that has ended"
	}
	if v.Problem != "" {
		s.render(w, r, http.StatusBadRequest, "admin-rollup", sess, v, FormError{Href: "#month", Text: v.Problem})
		return
	}
	a, err := s.api.do(r.Context(), sess, request{method: http.MethodPost, path: apiPath("rollups", month)})
	if apiStatus(err) == http.StatusUnprocessableEntity {
		v.Problem = adminRollupProblem(err)
		s.render(w, r, http.StatusUnprocessableEntity, "admin-rollup", sess, v, FormError{Href: "#month", Text: v.Problem})
		return
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var f leadFigures
	if err := json.Unmarshal(a.Body, &f); err != nil {
		s.fail(w, r, fmt.Errorf("POST /rollups/%s: %w", month, err))
		return
	}
	to := leadValues("month", f.Month, "revision", strconv.Itoa(f.Revision), "created", strconv.FormatBool(a.Status == http.StatusCreated))
	http.Redirect(w, r, s.cfg.BasePath+"/admin/rollup?"+to.Encode(), http.StatusSeeOther)
}

// adminMonthStart is the first day of the month t is in: a month has ended when its last
// day is before it.
func adminMonthStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// adminRollupProblem is the API's reason a month cannot be rolled up, in its own words.
func adminRollupProblem(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		for _, p := range ae.Problem.Errors {
			if p.Message != "" {
				return strings.TrimSuffix(p.Message, ".")
			}
		}
	}
	return strings.TrimSuffix(leadAPIDetail(err), ".")
}

// --- Missing returns -----------------------------------------------------------------

type adminMissingView struct {
	Quarter  string
	Due      string
	DuePast  bool
	Expected int
	Rows     []adminMissingRow
	QuarterForm
}

type adminMissingRow struct {
	Code, Name, Kind string
	Tag              leadTag
	Reminders        []string
}

var adminStages = map[string]string{
	"due_soon":  "Due soon",
	"due_today": "Due today",
	"overdue":   "Overdue",
}

// adminMissing lists the organisations that have not sent their return for the reference
// quarter (or ?period=), with the reminders they have been sent.
func (s *Server) adminMissing(w http.ResponseWriter, r *http.Request, sess *Session) {
	v := adminMissingView{QuarterForm: QuarterForm{Action: s.cfg.BasePath + "/admin/missing", Button: "Show missing returns"}}
	q, c, ok := s.leadCollectionFor(w, r, sess, &v.QuarterForm, "admin-missing", &v)
	if !ok {
		return
	}
	v.Quarter, v.Due, v.Expected = leadQuarterLong(q.String()), leadDate(c.Schedule.Due), len(c.Organisations)
	if due, err := c.due(); err == nil {
		v.DuePast = s.now().After(due.AddDate(0, 0, 1))
	}
	for _, o := range c.Organisations {
		var tag leadTag
		switch o.State {
		case "overdue":
			tag = leadTag{"Overdue", "govuk-tag--red"}
		case "not_started":
			tag = leadTag{"Not received yet", "govuk-tag--grey"}
		default:
			continue // sent, on time or late
		}
		row := adminMissingRow{Code: o.Org, Name: o.Name, Kind: leadKind(o.Kind), Tag: tag}
		for _, rem := range o.Reminders {
			stage, ok := adminStages[rem.Stage]
			if !ok {
				stage = rem.Stage
			}
			row.Reminders = append(row.Reminders, fmt.Sprintf("%s reminder, %s (%s)", stage, leadDate(rem.Date), adminEmails(rem.Messages)))
		}
		v.Rows = append(v.Rows, row)
	}
	s.render(w, r, http.StatusOK, "admin-missing", sess, v)
}

func adminEmails(n int) string {
	if n == 1 {
		return "1 email"
	}
	return fmt.Sprintf("%d emails", n)
}
