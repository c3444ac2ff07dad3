package portal

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ddat-workforce/returns/shared/httpapi"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// adminRegisterOrgs is a register as the API keeps it.
func adminRegisterOrgs() []workforce.Organisation {
	return []workforce.Organisation{
		{Code: "HMRC", Name: "HM Revenue and Customs", Parent: "HMT", Kind: workforce.CivilService, BaselineHeadcount: 66_000,
			ReturnsContacts: []string{"returns@hmrc.test", "analysts@hmrc.test"}},
		{Code: "DWP", Name: "Department for Work and Pensions", Kind: workforce.CivilService, BaselineHeadcount: 91_000, ActiveFrom: "2001-06-08"},
		{Code: "LGA-KENT", Name: "Kent County Council", Kind: workforce.LocalGovernment, ActiveFrom: "2024-04-01", ActiveTo: "2027-03-31",
			ReturnsContacts: []string{"digital@kent.test"}},
	}
}

// withRegister answers GET /organisations as listOrganisations does (returns contacts for
// admins only) and PUT /organisations/{code} as putOrganisation does: the body decoded
// strictly, validated by the register's own rules, 201 when new and 200 when changed.
func (a *leadAPI) withRegister(orgs []workforce.Organisation) *leadAPI {
	a.on("GET /organisations", func(w http.ResponseWriter, r *http.Request) {
		p, _ := leadPrincipal(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		if workforce.ReturnsContacts.Admits(p) {
			out := make([]workforce.OrganisationWithContacts, len(orgs))
			for i, o := range orgs {
				out[i] = workforce.OrganisationWithContacts(o)
			}
			leadJSON(w, http.StatusOK, map[string]any{"organisations": out})
			return
		}
		leadJSON(w, http.StatusOK, map[string]any{"organisations": orgs})
	})
	a.on("PUT /organisations/{code}", func(w http.ResponseWriter, r *http.Request) {
		var o workforce.Organisation
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&o); err != nil {
			leadProblem(w, http.StatusUnprocessableEntity, workforce.EInvalid, "The body is not an organisation.",
				workforce.Problem{Code: "bad_json", Message: err.Error()})
			return
		}
		if ps := o.Validate(); len(ps) > 0 || o.Code != r.PathValue("code") {
			leadProblem(w, http.StatusUnprocessableEntity, workforce.EInvalid, "The organisation has problems; the register was not changed.", ps...)
			return
		}
		status := http.StatusCreated
		for i := range orgs {
			if orgs[i].Code == o.Code {
				orgs[i], status = o, http.StatusOK
			}
		}
		if status == http.StatusCreated {
			orgs = append(orgs, o)
		}
		leadJSON(w, status, workforce.OrganisationWithContacts(o))
	})
	return a
}

// withRollupRuns answers POST /rollups/{month} as postRollup does: a month not ended is
// a 422 naming the month, one before the collection a 422 without a field; otherwise
// 201 with the next revision, or 200 with the latest when nothing has changed.
func (a *leadAPI) withRollupRuns(changed bool) *leadAPI {
	revision := 2
	a.on("POST /rollups/{month}", func(w http.ResponseWriter, r *http.Request) {
		m, err := period.ParseMonth(r.PathValue("month"))
		switch {
		case err != nil:
			leadProblem(w, http.StatusBadRequest, workforce.EBadRequest, "The month in the address is not a month.")
			return
		case !m.LastDay().Before(testNow):
			leadProblem(w, http.StatusUnprocessableEntity, workforce.EInvalid, "That month has not ended.",
				workforce.Problem{Field: "month", Code: "month_not_ended", Message: m.String() + " has not ended yet; a month is rolled up once it is over."})
			return
		case m.Year < 2024:
			leadProblem(w, http.StatusUnprocessableEntity, workforce.EInvalid, m.String()+" is before the collection began: its reference quarter is earlier than 2024-25-Q1.")
			return
		}
		status := http.StatusOK
		if changed {
			revision++
			status = http.StatusCreated
		}
		snap := leadSnapshot(m.String(), revision)
		snap.Trigger = "admin"
		w.Header().Set("Location", "/rollups/"+m.String()+"?revision=3")
		leadJSON(w, status, snap)
	})
	a.on("GET /rollups/{month}", func(w http.ResponseWriter, r *http.Request) {
		snap := leadSnapshot(r.PathValue("month"), revision)
		snap.Trigger = "admin"
		if got := r.URL.Query().Get("revision"); got != "" && got != "3" && got != "2" {
			leadProblem(w, http.StatusNotFound, workforce.ENotFound, "No such revision.")
			return
		}
		leadJSON(w, http.StatusOK, snap)
	})
	return a
}

// adminEverything is a stand-in answering every route the admin pages call.
func adminEverything() *leadAPI {
	return newLeadAPI().withRegister(adminRegisterOrgs()).withRollupRuns(true).withCollection(30, leadStates())
}

// admErrorSummary lists the error summary's entries as "href text".
func admErrorSummary(t *testing.T, body string) []string {
	t.Helper()
	box := regexp.MustCompile(`(?s)<div class="govuk-error-summary".*?</ul>`).FindString(body)
	var out []string
	for _, m := range regexp.MustCompile(`<li><a href="([^"]+)">([^<]+)</a></li>`).FindAllStringSubmatch(box, -1) {
		out = append(out, m[1]+" "+m[2])
	}
	return out
}

func TestAdministrationListsTheTasks(t *testing.T) {
	ts := newTestServer(t, adminEverything())
	sess := as("admin", "")
	w := ts.get(sess, BasePath+"/admin")
	body := w.Body.String()
	if w.Code != http.StatusOK || leadHeading(t, body) != "Administration" {
		t.Fatalf("status %d", w.Code)
	}
	leadHas(t, body, "<title>Administration – DDaT workforce returns</title>",
		`href="/portal/admin/register">Organisations register</a>`, `href="/portal/admin/rollup">Run the rollup</a>`,
		`href="/portal/admin/missing">Missing returns</a>`, `aria-current="page"`)
	leadWantCalls(t, ts.leadCalls(sess))
}

// The admin pages are offered to admins only, and nothing is asked of the API for anyone
// else: the leader's token would be refused there too.
func TestAdminPagesAreForAdminsOnly(t *testing.T) {
	form := url.Values{"month": {"2026-11"}, "code": {"DSIT"}, "name": {"Department for Science"}, "kind": {"civil_service"}, "baseline_headcount": {"1"}}
	for _, sess := range []*Session{as("leader", ""), as("submitter", "HMRC"), as("approver", "HMRC")} {
		for _, target := range []string{"/admin", "/admin/register", "/admin/register/new", "/admin/register/HMRC", "/admin/rollup", "/admin/missing"} {
			ts := newTestServer(t, adminEverything())
			w := ts.get(sess, BasePath+target)
			if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "You cannot see this page") {
				t.Errorf("GET %s as %v: %d", target, sess.Roles, w.Code)
			}
			leadWantCalls(t, ts.leadCalls(sess))
		}
		for _, target := range []string{"/admin/register/new", "/admin/register/HMRC", "/admin/rollup"} {
			ts := newTestServer(t, adminEverything())
			w := ts.post(sess, BasePath+target, form)
			if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "You cannot see this page") {
				t.Errorf("POST %s as %v: %d", target, sess.Roles, w.Code)
			}
			leadWantCalls(t, ts.leadCalls(sess))
		}
	}
	if strings.Contains(newTestServer(t, nil).get(as("leader", ""), BasePath+"/accessibility").Body.String(), "Administration") {
		t.Error("a leader's navigation offers Administration")
	}
}

// Whatever the session says, the API decides: a session that claims admin but whose token
// the API reads as a leader's is refused the change, and the page says so.
func TestTheAPIRefusesARegisterChangeToALeader(t *testing.T) {
	api := adminEverything()
	ts := newTestServer(t, api)
	sess := as("admin", "")
	sess.AccessToken = "token-leader-"
	w := ts.post(sess, BasePath+"/admin/register/new", url.Values{"code": {"DSIT"}, "name": {"Department for Science, Innovation and Technology"},
		"kind": {"civil_service"}, "baseline_headcount": {"1800"}})
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "You cannot see this page") {
		t.Fatalf("got %d", w.Code)
	}
	leadWantCalls(t, ts.leadCalls(sess), "GET /organisations", "PUT /organisations/DSIT")

	ts = newTestServer(t, api)
	w = ts.post(sess, BasePath+"/admin/rollup", url.Values{"month": {"2026-11"}})
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "You cannot see this page") {
		t.Errorf("a rollup run with a leader's token: %d", w.Code)
	}
	leadWantCalls(t, ts.leadCalls(sess), "POST /rollups/2026-11")
}

func TestTheRegisterListsEveryOrganisation(t *testing.T) {
	ts := newTestServer(t, adminEverything())
	sess := as("admin", "")
	w := ts.get(sess, BasePath+"/admin/register")
	body := w.Body.String()
	if w.Code != http.StatusOK || leadHeading(t, body) != "Organisations register" {
		t.Fatalf("status %d", w.Code)
	}
	leadHas(t, body, `<a href="/portal/admin/register/new" role="button" draggable="false" class="govuk-button" data-module="govuk-button">Add an organisation</a>`,
		`<caption class="govuk-table__caption govuk-table__caption--m">3 organisations in the register</caption>`)
	for id, want := range map[string][]string{
		"org-HMRC":     {"HM Revenue and Customs", "HMT", "Civil service", "66,000", "Always", "2 contacts", `<a class="govuk-link" href="/portal/admin/register/HMRC">Change<span class="govuk-visually-hidden"> HM Revenue and Customs</span></a>`},
		"org-DWP":      {"From 8 June 2001", "None"},
		"org-LGA-KENT": {"Local government", "1 April 2024 to 31 March 2027", "1 contact", `href="/portal/admin/register/LGA-KENT">Change<span class="govuk-visually-hidden"> Kent County Council</span>`},
	} {
		row := leadRow(t, body, id)
		for _, p := range want {
			if !strings.Contains(row, p) {
				t.Errorf("%s lacks %q:\n%s", id, p, row)
			}
		}
	}
	// The addresses themselves are personal data: the register shows how many, not who.
	if strings.Contains(body, "returns@hmrc.test") {
		t.Error("the register shows a returns contact's address")
	}
	if strings.Contains(body, "govuk-notification-banner") {
		t.Error("a banner with nothing done")
	}
	leadWantCalls(t, ts.leadCalls(sess), "GET /organisations")

	// A banner names an organisation the register holds, and nothing else.
	body = ts.get(sess, BasePath+"/admin/register?added=HMRC").Body.String()
	leadHas(t, body, `govuk-notification-banner--success`, `<p class="govuk-notification-banner__heading">Organisation added</p>`,
		"HM Revenue and Customs (HMRC) has been added to the register.")
	body = ts.get(sess, BasePath+"/admin/register?changed=DWP").Body.String()
	leadHas(t, body, `<p class="govuk-notification-banner__heading">Organisation changed</p>`, "Department for Work and Pensions (DWP) has been changed in the register.")
	if body := ts.get(sess, BasePath+"/admin/register?added=%3Cb%3EFake%3C%2Fb%3E").Body.String(); strings.Contains(body, "govuk-notification-banner") {
		t.Error("a banner for an organisation the register does not hold")
	}
}

func TestAddAnOrganisation(t *testing.T) {
	api := adminEverything()
	ts := newTestServer(t, api)
	sess := as("admin", "")
	w := ts.get(sess, BasePath+"/admin/register/new")
	body := w.Body.String()
	if w.Code != http.StatusOK || leadHeading(t, body) != "Add an organisation" {
		t.Fatalf("status %d", w.Code)
	}
	leadHas(t, body, `<form method="post" action="/portal/admin/register/new" novalidate>`, `name="csrf_token" value="csrf-test-token"`,
		`<label class="govuk-label govuk-label--s" for="code">Organisation code</label>`, `<label class="govuk-label govuk-label--s" for="name">Name</label>`,
		`for="kind">Civil service organisation</label>`, `for="kind-2">Local government body</label>`,
		`for="active_from-day">Day</label>`, `for="active_to-year">Year</label>`, `for="returns_contacts">Returns contacts (optional)</label>`,
		`<button type="submit" class="govuk-button" data-module="govuk-button">Add organisation</button>`,
		`<a href="/portal/admin/register" class="govuk-back-link">Back to the register</a>`)
	leadWantCalls(t, ts.leadCalls(sess))

	ts = newTestServer(t, api)
	w = ts.post(sess, BasePath+"/admin/register/new", url.Values{
		"code": {" dsit "}, "name": {"Department for Science, Innovation and Technology"}, "parent": {""}, "kind": {"civil_service"},
		"baseline_headcount": {"1,850"}, "active_from-day": {"7"}, "active_from-month": {"2"}, "active_from-year": {"2023"},
		"returns_contacts": {"returns@dsit.test\r\n\r\n digital@dsit.test \r\n"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/portal/admin/register?added=DSIT" {
		t.Fatalf("got %d to %q\n%s", w.Code, w.Header().Get("Location"), w.Body.String())
	}
	leadWantCalls(t, ts.leadCalls(sess), "GET /organisations", "PUT /organisations/DSIT")
	var sent map[string]any
	if err := json.Unmarshal([]byte(api.bodies[len(api.bodies)-1]), &sent); err != nil {
		t.Fatal(err)
	}
	want := `{"active_from":"2023-02-07","baseline_headcount":1850,"code":"DSIT","kind":"civil_service","name":"Department for Science, Innovation and Technology","parent":"","returns_contacts":["returns@dsit.test","digital@dsit.test"]}`
	if got, _ := json.Marshal(sent); string(got) != want {
		t.Errorf("PUT body %s\nwant %s", got, want)
	}
	// And the register now holds it, with the banner.
	body = ts.get(sess, BasePath+"/admin/register?added=DSIT").Body.String()
	leadHas(t, body, "Department for Science, Innovation and Technology (DSIT) has been added to the register.")
}

func TestAddAnOrganisationShowsEachMistakeOnItsField(t *testing.T) {
	for _, tc := range []struct {
		name    string
		form    url.Values
		summary []string
		fields  []string // ids whose input is marked in error
	}{
		{"empty", url.Values{},
			[]string{"#code Enter the organisation code", "#name Enter the organisation&#39;s name",
				"#kind Select whether it is a civil service organisation or a local government body", "#baseline_headcount Enter the baseline headcount"},
			[]string{"code", "name", "baseline_headcount"}},
		{"badly typed", url.Values{"code": {"HM RC"}, "name": {"HMRC"}, "parent": {"h m t"}, "kind": {"civil_service"}, "baseline_headcount": {"-5"},
			"active_from-day": {"1"}, "active_from-year": {"2025"}, "active_to-day": {"31"}, "active_to-month": {"2"}, "active_to-year": {"2026"},
			"returns_contacts": {"ok@hmrc.test\nJane <jane@hmrc.test>"}},
			[]string{"#code Organisation code must be 2 to 24 capital letters, numbers or single hyphens, starting with a letter, like HMRC or LGA-KENT",
				"#parent Parent department must be an organisation code, like CO",
				"#baseline_headcount Baseline headcount must be a whole number of people, like 1250",
				"#active_from-month Active from must include a month",
				"#active_to-day Active to must be a real date",
				"#returns_contacts Returns contact 2 must be an email address, like returns@agency.gov.uk"},
			[]string{"code", "parent", "baseline_headcount", "active_from-month", "active_to-day", "active_to-month", "active_to-year"}},
		{"dates the wrong way round", url.Values{"code": {"DSIT"}, "name": {"DSIT"}, "kind": {"local_government"},
			"active_from-day": {"1"}, "active_from-month": {"4"}, "active_from-year": {"2026"}, "active_to-day": {"31"}, "active_to-month": {"3"}, "active_to-year": {"2026"},
			"returns_contacts": {"a@dsit.test, A@dsit.test"}},
			[]string{"#active_to-day Active to must be the same as or after active from", "#returns_contacts Returns contact 2 is the same as returns contact 1"},
			[]string{"active_to-day"}},
		{"a code the register holds", url.Values{"code": {"hmrc"}, "name": {"HMRC again"}, "kind": {"civil_service"}, "baseline_headcount": {"1"}, "active_from-year": {"25"},
			"active_from-day": {"1"}, "active_from-month": {"4"}},
			[]string{"#code HMRC is already in the register, as HM Revenue and Customs: change it from the register instead", "#active_from-year Year must include 4 numbers"},
			[]string{"code", "active_from-year"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, adminEverything())
			sess := as("admin", "")
			w := ts.post(sess, BasePath+"/admin/register/new", tc.form)
			body := w.Body.String()
			if w.Code != http.StatusBadRequest {
				t.Fatalf("status %d", w.Code)
			}
			leadHas(t, body, "<title>Error: Add an organisation – DDaT workforce returns</title>", `<h2 class="govuk-error-summary__title">There is a problem</h2>`)
			if got := admErrorSummary(t, body); strings.Join(got, "\n") != strings.Join(tc.summary, "\n") {
				t.Errorf("error summary:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.summary, "\n"))
			}
			for _, id := range tc.fields {
				if !regexp.MustCompile(`class="[^"]*--error[^"]*" id="` + regexp.QuoteMeta(id) + `"`).MatchString(body) {
					t.Errorf("%s is not marked in error", id)
				}
			}
			// Each message sits in its field's group, which the field points at.
			for _, e := range tc.summary {
				key := strings.TrimPrefix(strings.Fields(e)[0], "#")
				key, _, _ = strings.Cut(key, "-day")
				key, _, _ = strings.Cut(key, "-month")
				key, _, _ = strings.Cut(key, "-year")
				leadHas(t, body, `<p id="`+key+`-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> `+strings.SplitN(e, " ", 2)[1]+`</p>`)
				if !regexp.MustCompile(`aria-describedby="[^"]*` + key + `-error"`).MatchString(body) {
					t.Errorf("nothing is described by %s-error", key)
				}
			}
			for _, c := range ts.leadCalls(sess) {
				if strings.HasPrefix(c, "PUT") {
					t.Errorf("a form with mistakes was sent: %s", c)
				}
			}
			// What was typed is kept.
			if v := tc.form.Get("name"); v != "" {
				leadHas(t, body, `value="`+v+`"`)
			}
		})
	}
}

func TestTheAPIsProblemsAreShownOnTheirFields(t *testing.T) {
	api := adminEverything()
	ts := newTestServer(t, api)
	sess := as("admin", "")
	// The form cannot tell a formula from a name; the API's rules can.
	w := ts.post(sess, BasePath+"/admin/register/HMRC", url.Values{"name": {"=HYPERLINK(\"x\")"}, "kind": {"civil_service"}, "baseline_headcount": {"66000"}})
	body := w.Body.String()
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d\n%s", w.Code, body)
	}
	want := []string{"#name Name must not start with =, &#43;, - or @"}
	if got := admErrorSummary(t, body); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("error summary %q, want %q", got, want)
	}
	leadHas(t, body, "<title>Error: Change HM Revenue and Customs – DDaT workforce returns</title>",
		`<p id="name-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> Name must not start with =, &#43;, - or @</p>`,
		`class="govuk-input govuk-input--error" id="name"`)
	leadWantCalls(t, ts.leadCalls(sess), "GET /organisations", "PUT /organisations/HMRC")

	// A problem the portal has no words for is shown in the API's; one with no field
	// still reaches the summary.
	f := &adminOrgForm{Errors: map[string]string{}}
	f.apiProblems(&APIError{Status: http.StatusUnprocessableEntity, Problem: httpapi.Problem{
		Status: http.StatusUnprocessableEntity, Detail: "The register was not changed.", Errors: []workforce.Problem{
			{Field: "returns_contacts", Code: "invalid_email", Message: "Returns contact 1 must be a single email address."},
			{Code: "bad_json", Message: "The body must be a JSON organisation."}}}})
	if f.Errors["returns_contacts"] != "Returns contact 1 must be a single email address" || f.Errors[""] != "The body must be a JSON organisation" {
		t.Errorf("errors %q", f.Errors)
	}
	if got := f.summary(); len(got) != 2 || got[1].Href != "#name" {
		t.Errorf("summary %+v", got)
	}
}

func TestChangeAnOrganisation(t *testing.T) {
	api := adminEverything()
	ts := newTestServer(t, api)
	sess := as("admin", "")
	w := ts.get(sess, BasePath+"/admin/register/LGA-KENT")
	body := w.Body.String()
	if w.Code != http.StatusOK || leadHeading(t, body) != "Change Kent County Council" {
		t.Fatalf("status %d", w.Code)
	}
	leadHas(t, body, "<title>Change Kent County Council – DDaT workforce returns</title>",
		`<form method="post" action="/portal/admin/register/LGA-KENT" novalidate>`,
		`<dd class="govuk-summary-list__value">LGA-KENT</dd>`, `value="Kent County Council"`,
		`value="local_government" aria-describedby="kind-2-item-hint" checked>`,
		`id="active_from-day" name="active_from-day" type="text" inputmode="numeric" value="1"`,
		`id="active_to-month" name="active_to-month" type="text" inputmode="numeric" value="3"`,
		`id="active_to-year" name="active_to-year" type="text" inputmode="numeric" value="2027"`,
		">digital@kent.test</textarea>", "Save changes")
	if strings.Contains(body, `id="code"`) {
		t.Error("the code, which is the register's key, can be edited")
	}
	leadWantCalls(t, ts.leadCalls(sess), "GET /organisations")

	ts = newTestServer(t, api)
	w = ts.post(sess, BasePath+"/admin/register/LGA-KENT", url.Values{"code": {"EVIL"}, "name": {"Kent County Council"}, "kind": {"local_government"},
		"active_from-day": {"1"}, "active_from-month": {"4"}, "active_from-year": {"2024"},
		"returns_contacts": {"digital@kent.test\nreturns@kent.test"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/portal/admin/register?changed=LGA-KENT" {
		t.Fatalf("got %d to %q\n%s", w.Code, w.Header().Get("Location"), w.Body.String())
	}
	leadWantCalls(t, ts.leadCalls(sess), "GET /organisations", "PUT /organisations/LGA-KENT")
	want := `{"code":"LGA-KENT","name":"Kent County Council","parent":"","kind":"local_government","baseline_headcount":0,"active_from":"2024-04-01","returns_contacts":["digital@kent.test","returns@kent.test"]}`
	if got := strings.TrimSpace(api.bodies[len(api.bodies)-1]); got != want {
		t.Errorf("PUT body %s\nwant %s", got, want)
	}
	body = ts.get(sess, BasePath+"/admin/register?changed=LGA-KENT").Body.String()
	leadHas(t, body, "Organisation changed", "Kent County Council (LGA-KENT) has been changed in the register.", "From 1 April 2024", "2 contacts")

	// Changing an organisation the register does not hold is not adding one.
	ts = newTestServer(t, api)
	if w := ts.get(sess, BasePath+"/admin/register/NOPE"); w.Code != http.StatusNotFound {
		t.Errorf("GET an unknown organisation: %d", w.Code)
	}
	if w := ts.post(sess, BasePath+"/admin/register/NOPE", url.Values{"name": {"Nope"}, "kind": {"civil_service"}, "baseline_headcount": {"1"}}); w.Code != http.StatusNotFound {
		t.Errorf("POST an unknown organisation: %d", w.Code)
	}
	leadWantCalls(t, ts.leadCalls(sess), "GET /organisations", "GET /organisations")
}

func TestRunTheRollup(t *testing.T) {
	api := adminEverything()
	ts := newTestServer(t, api)
	sess := as("admin", "")
	w := ts.get(sess, BasePath+"/admin/rollup")
	body := w.Body.String()
	if w.Code != http.StatusOK || leadHeading(t, body) != "Run the rollup" {
		t.Fatalf("status %d", w.Code)
	}
	leadHas(t, body, `<form method="post" action="/portal/admin/rollup" novalidate>`, `<label class="govuk-label govuk-label--s" for="month">Month</label>`,
		`<option value="2026-11" selected>November 2026</option>`, `<option value="2024-12">December 2024</option>`,
		`data-prevent-double-click="true">Run the rollup</button>`)
	if strings.Contains(body, `value="2026-12"`) {
		t.Error("the month under way is offered")
	}
	leadWantCalls(t, ts.leadCalls(sess))

	ts = newTestServer(t, api)
	w = ts.post(sess, BasePath+"/admin/rollup", url.Values{"month": {"2026-11"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/portal/admin/rollup?created=true&month=2026-11&revision=3" {
		t.Fatalf("got %d to %q\n%s", w.Code, w.Header().Get("Location"), w.Body.String())
	}
	w = ts.get(sess, w.Header().Get("Location"))
	body = w.Body.String()
	if w.Code != http.StatusOK || leadHeading(t, body) != "Run the rollup" {
		t.Fatalf("the result: %d", w.Code)
	}
	leadHas(t, body, `<p class="govuk-notification-banner__heading">November 2026 rolled up: revision 3</p>`,
		"<dd class=\"govuk-summary-list__value\">2026-27 Q2 (July to September 2026)</dd>", "1 December 2026 at 6:00am, by an administrator",
		`<li><strong class="govuk-tag govuk-tag--red">Missed</strong> 1</li>`, "<li>Published edition, ODS (OpenDocument spreadsheet)</li>",
		"<li>Management edition, XLSX (spreadsheet)</li>", `<a class="govuk-link" href="/portal/workbooks">Download the workbooks</a>`,
		`href="/portal/progress?month=2026-11">see progress in November 2026</a>`)
	leadWantCalls(t, ts.leadCalls(sess), "POST /rollups/2026-11", "GET /rollups/2026-11?revision=3")

	// Nothing changed: the API answers the latest revision, and the page says so.
	ts = newTestServer(t, newLeadAPI().withRollupRuns(false))
	w = ts.post(sess, BasePath+"/admin/rollup", url.Values{"month": {"2026-10"}})
	if w.Header().Get("Location") != "/portal/admin/rollup?created=false&month=2026-10&revision=2" {
		t.Fatalf("unchanged: %d to %q", w.Code, w.Header().Get("Location"))
	}
	leadHas(t, ts.get(sess, w.Header().Get("Location")).Body.String(), "October 2026 is up to date: revision 2", "no new revision was made")
}

func TestRunTheRollupShowsWhyAMonthCannotBeRolledUp(t *testing.T) {
	for _, tc := range []struct {
		month, want string
		status      int
		asked       bool
	}{
		{"", "Select the month to roll up", http.StatusBadRequest, false},
		{"2026-13", "Select a month from the list", http.StatusBadRequest, false},
		{"2026-12", "December 2026 has not ended yet: select a month that has ended", http.StatusBadRequest, false},
		// The API's own reasons, on the field.
		{"2020-01", "2020-01 is before the collection began: its reference quarter is earlier than 2024-25-Q1", http.StatusUnprocessableEntity, true},
	} {
		ts := newTestServer(t, adminEverything())
		sess := as("admin", "")
		w := ts.post(sess, BasePath+"/admin/rollup", url.Values{"month": {tc.month}})
		body := w.Body.String()
		if w.Code != tc.status {
			t.Errorf("%q: status %d", tc.month, w.Code)
		}
		if got := admErrorSummary(t, body); len(got) != 1 || got[0] != "#month "+tc.want {
			t.Errorf("%q: summary %q, want %q", tc.month, got, tc.want)
		}
		leadHas(t, body, "<title>Error: Run the rollup – DDaT workforce returns</title>", `govuk-select govuk-select--error" id="month"`,
			`aria-describedby="month-hint month-error"`)
		if asked := len(ts.seen) > 0; asked != tc.asked {
			t.Errorf("%q: API asked %v", tc.month, asked)
		}
	}
}

func TestMissingReturns(t *testing.T) {
	ts := newTestServer(t, adminEverything())
	sess := as("admin", "")
	w := ts.get(sess, BasePath+"/admin/missing")
	body := w.Body.String()
	if w.Code != http.StatusOK || leadHeading(t, body) != "Missing returns" {
		t.Fatalf("status %d", w.Code)
	}
	leadHas(t, body, "Returns for 2026-27 Q2 (July to September 2026), which were due on 30 October 2026.",
		"2 of 5 organisations have not sent their return.",
		`<caption class="govuk-table__caption govuk-table__caption--m">Returns not received for 2026-27 Q2 (July to September 2026)</caption>`,
		"Show missing returns")
	kent := leadRow(t, body, "org-KENT")
	for _, p := range []string{"Kent County Council", "Local government", `<strong class="govuk-tag govuk-tag--red">Overdue</strong>`,
		"<li>Due soon reminder, 16 October 2026 (2 emails)</li>", "<li>Overdue reminder, 6 November 2026 (2 emails)</li>"} {
		if !strings.Contains(kent, p) {
			t.Errorf("KENT lacks %q", p)
		}
	}
	leadHas(t, leadRow(t, body, "org-ONS"), "None")
	for _, sent := range []string{"org-DWP", "org-HMRC", "org-MOJ"} {
		if strings.Contains(body, `id="`+sent+`"`) {
			t.Errorf("%s sent its return but is listed", sent)
		}
	}
	leadWantCalls(t, ts.leadCalls(sess), "GET /collection/2026-27-Q2")
}

func TestMissingReturnsForAQuarterAskedFor(t *testing.T) {
	sess := as("admin", "")
	ts := newTestServer(t, adminEverything())
	body := ts.get(sess, BasePath+"/admin/missing?period=Q1+2026-27").Body.String()
	leadHas(t, body, "Returns for 2026-27 Q1 (April to June 2026), which were due on 30 July 2026.",
		"Every organisation expected has sent its return for 2026-27 Q1", `value="Q1 2026-27"`)
	leadWantCalls(t, ts.leadCalls(sess), "GET /collection/2026-27-Q1")

	// The quarter under way: its returns are not due yet.
	states := leadStates()
	for i := range states {
		states[i].State = "not_started"
	}
	ts = newTestServer(t, newLeadAPI().on("GET /collection/{period}", func(w http.ResponseWriter, r *http.Request) {
		var c leadTestCollection
		c.Period, c.AsOf, c.Organisations = r.PathValue("period"), testNow, states
		c.Schedule.Due = "2027-01-30"
		leadJSON(w, http.StatusOK, c)
	}))
	body = ts.get(sess, BasePath+"/admin/missing?period=2026-27-Q3").Body.String()
	leadHas(t, body, "due on 30 January 2027.", "5 of 5 organisations have not sent their return.", `<strong class="govuk-tag govuk-tag--grey">Not received yet</strong>`)

	ts = newTestServer(t, adminEverything())
	w := ts.get(sess, BasePath+"/admin/missing?period=2026")
	if w.Code != http.StatusBadRequest || len(admErrorSummary(t, w.Body.String())) != 1 {
		t.Errorf("not a quarter: %d", w.Code)
	}
	leadWantCalls(t, ts.leadCalls(sess))
}
