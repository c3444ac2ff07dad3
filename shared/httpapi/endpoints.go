package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// TemplateFunc builds the XLSX template.
type TemplateFunc func(orgs []workforce.Organisation, periods []period.Quarter, prefill map[string]string) ([]byte, error)

func (a *API) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now().UTC()
}

func (a *API) getTemplate(ctx context.Context, r request) (events.APIGatewayV2HTTPResponse, error) {
	reg, err := a.Service.Register(ctx)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	orgs := make([]workforce.Organisation, 0, len(reg))
	for _, o := range reg {
		orgs = append(orgs, o)
	}
	sort.Slice(orgs, func(i, j int) bool { return orgs[i].Code < orgs[j].Code })
	latest := period.Containing(a.now()).Prev()
	periods := period.Range(a.FirstQuarter, latest)

	prefill := map[string]string{}
	var ps []workforce.Problem
	org := strings.ToUpper(r.QueryStringParameters["org"])
	// A template is pre-filled with the caller's organisation when they send returns for
	// one only.
	if org == "" && !workforce.ReadReturns.EveryOrg(r.principal) {
		org = r.principal.Org
	}
	if org != "" {
		if _, ok := reg[org]; !ok {
			ps = append(ps, workforce.Problem{Field: "org", Code: "unknown_organisation", Message: fmt.Sprintf("%q is not an organisation in the register.", org)})
		}
		prefill[workforce.KeyOrg] = org
	}
	if p := r.QueryStringParameters["period"]; p != "" {
		q, err := period.ParseQuarter(p)
		if err != nil {
			ps = append(ps, workforce.Problem{Field: "period", Code: "invalid_period", Message: err.Error() + "."})
		} else {
			prefill[workforce.KeyPeriod] = q.String()
		}
	}
	figures := r.QueryStringParameters["figures"]
	if figures != "" && (figures != "previous" || org == "" || prefill[workforce.KeyPeriod] == "") {
		ps = append(ps, workforce.Problem{Field: "figures", Code: "invalid_figures",
			Message: "figures=previous fills in the figures of the quarter before period, for org; give both, and no other value."})
	}
	if len(ps) > 0 {
		return events.APIGatewayV2HTTPResponse{}, badParams("The template cannot be pre-filled as asked.", ps...)
	}
	if figures == "previous" {
		// Last quarter's figures, to edit: read as GET /returns would read them, so only
		// someone who may read the organisation's returns gets them.
		q := period.MustQuarter(prefill[workforce.KeyPeriod])
		rv, err := a.Service.View(ctx, r.principal, org, q.Prev(), 0)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		for k, v := range rv.Version.Values {
			switch k {
			case workforce.KeyOrg, workforce.KeyPeriod, workforce.KeyRevisionReason, workforce.KeyNotes:
				continue // this quarter's own
			}
			if _, ok := workforce.FieldByKey(k); ok {
				prefill[k] = v
			}
		}
	}
	b, err := a.Template(orgs, periods, prefill)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	name := "ddat-workforce-return"
	for _, k := range []string{workforce.KeyOrg, workforce.KeyPeriod} {
		if v := prefill[k]; v != "" {
			name += "-" + v
		}
	}
	return fileResponse(workforce.ContentTypeXLSX, name+".xlsx", b), nil
}

func (a *API) upload(r request) (workforce.Upload, error) {
	key, err := idempotencyKey(r)
	if err != nil {
		return workforce.Upload{}, err
	}
	b, err := a.body(r)
	if err != nil {
		return workforce.Upload{}, err
	}
	return workforce.Upload{Principal: r.principal, Body: b, IdempotencyKey: key}, nil
}

// returnUpload is a single return as it arrived: its format from the Content-Type, then
// the body and idempotency key.
func (a *API) returnUpload(r request) (workforce.Upload, error) {
	format, err := formatOf(header(r, "content-type"))
	if err != nil {
		return workforce.Upload{}, err
	}
	up, err := a.upload(r)
	up.Format = format
	// A workbook is sent as it is: its reason for the revision may come beside it.
	up.RevisionReason = r.QueryStringParameters["revision_reason"]
	return up, err
}

func (a *API) postReturn(ctx context.Context, r request) (events.APIGatewayV2HTTPResponse, error) {
	up, err := a.returnUpload(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	rc, created, err := a.Service.Submit(ctx, up)
	a.recordSubmission(string(up.Format), []bool{rc.Duplicate}, err)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	resp := jsonResponse(status, rc)
	resp.Headers["location"] = fmt.Sprintf("/returns/%s/%s/versions/%d", rc.Org, rc.Period, rc.Version)
	return resp, nil
}

// checked is the answer of POST /returns/check: what POST /returns would store.
type checked struct {
	Org       string              `json:"org"`
	Period    string              `json:"period"`
	Version   int                 `json:"version"`
	Duplicate bool                `json:"duplicate"`
	SHA256    string              `json:"sha256"`
	Values    map[string]any      `json:"values"`
	Warnings  []workforce.Problem `json:"warnings"`
}

// checkReturn validates a return as postReturn would and stores nothing.
func (a *API) checkReturn(ctx context.Context, r request) (events.APIGatewayV2HTTPResponse, error) {
	up, err := a.returnUpload(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	c, err := a.Service.Check(ctx, up)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return jsonResponse(http.StatusOK, checked{Org: c.Return.Org, Period: c.Return.Period.String(), Version: c.Version,
		Duplicate: c.Duplicate, SHA256: c.SHA256, Values: workforce.TypedValues(c.Return.Values), Warnings: c.Warnings}), nil
}

func (a *API) postBulk(ctx context.Context, r request) (events.APIGatewayV2HTTPResponse, error) {
	if f, err := formatOf(header(r, "content-type")); err != nil || f != workforce.FormatCSV {
		return events.APIGatewayV2HTTPResponse{}, workforce.Errorf(workforce.EUnsupported, "Send a bulk file as %s: a header row of field names, then one row per return.", ContentTypeCSV)
	}
	up, err := a.upload(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	rcs, err := a.Service.SubmitBulk(ctx, up)
	dups := make([]bool, len(rcs))
	for i, rc := range rcs {
		dups[i] = rc.Duplicate
	}
	a.recordSubmission(string(workforce.FormatBulkCSV), dups, err)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	status := http.StatusOK
	for _, rc := range rcs {
		if !rc.Duplicate {
			status = http.StatusCreated
		}
	}
	return jsonResponse(status, map[string]any{"receipts": rcs}), nil
}

type returnSummary struct {
	Org        string    `json:"org"`
	Period     string    `json:"period"`
	Version    int       `json:"version"`
	ReceivedAt time.Time `json:"received_at"`
}

func (a *API) listReturns(ctx context.Context, r request) (events.APIGatewayV2HTTPResponse, error) {
	org := strings.ToUpper(strings.TrimSpace(r.QueryStringParameters["org"]))
	var q *period.Quarter
	if p := r.QueryStringParameters["period"]; p != "" {
		pq, err := period.ParseQuarter(p)
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, badParams("The period filter is not a quarter.", periodProblem(err))
		}
		q = &pq
	}
	vs, err := a.Service.List(ctx, r.principal, org, q)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	out := make([]returnSummary, len(vs))
	for i, v := range vs {
		out[i] = returnSummary{v.Org, v.Period.String(), v.Number, v.ReceivedAt}
	}
	return jsonResponse(http.StatusOK, map[string]any{"returns": out}), nil
}

type versionRef struct {
	Version    int       `json:"version"`
	ReceivedAt time.Time `json:"received_at"`
	SHA256     string    `json:"sha256"`
	SignedOff  bool      `json:"signed_off"`
	// SubmittedBy is who sent the version: the token's subject, an opaque id.
	SubmittedBy string `json:"submitted_by,omitempty"`
}

type returnView struct {
	Org          string              `json:"org"`
	Period       string              `json:"period"`
	Version      int                 `json:"version"`
	Current      bool                `json:"current"`
	SubmissionID string              `json:"submission_id"`
	SHA256       string              `json:"sha256"`
	Format       string              `json:"format"`
	Values       map[string]any      `json:"values"`
	Warnings     []workforce.Problem `json:"warnings"`
	ReceivedAt   time.Time           `json:"received_at"`
	SubmittedBy  string              `json:"submitted_by,omitempty"` // the token's subject
	Versions     []versionRef        `json:"versions"`
	// RevisionReason is why the version was sent: always there from version 2.
	RevisionReason string       `json:"revision_reason,omitempty"`
	SignOff        *signOffView `json:"sign_off,omitempty"`
}

// orgPeriod reads the {org} and {period} path parameters. Whether the caller may read
// the organisation's returns was decided before, from the route's policy.
func orgPeriod(r request) (string, period.Quarter, error) {
	org := strings.ToUpper(r.PathParameters["org"])
	q, err := period.ParseQuarter(r.PathParameters["period"])
	if err != nil {
		return "", q, badParams("The period in the address is not a quarter.", periodProblem(err))
	}
	return org, q, nil
}

func (a *API) getReturn(ctx context.Context, r request) (events.APIGatewayV2HTTPResponse, error) {
	org, q, err := orgPeriod(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return a.viewVersion(ctx, r, org, q, 0)
}

func (a *API) getVersion(ctx context.Context, r request) (events.APIGatewayV2HTTPResponse, error) {
	org, q, err := orgPeriod(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	n, err := versionParam(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return a.viewVersion(ctx, r, org, q, n)
}

// viewVersion answers version n of a return, or the current version when n is 0.
func (a *API) viewVersion(ctx context.Context, r request, org string, q period.Quarter, n int) (events.APIGatewayV2HTTPResponse, error) {
	rv, err := a.Service.View(ctx, r.principal, org, q, n)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	v := rv.Version
	view := returnView{Org: v.Org, Period: v.Period.String(), Version: v.Number, Current: v.Number == rv.Current,
		SubmissionID: v.SubmissionID, SHA256: v.SHA256, Format: v.Format, Values: workforce.TypedValues(v.Values),
		Warnings: v.Warnings, ReceivedAt: v.ReceivedAt, SubmittedBy: v.SubmittedBy, Versions: make([]versionRef, len(rv.History)),
		RevisionReason: v.RevisionReason()}
	if view.Warnings == nil {
		view.Warnings = []workforce.Problem{}
	}
	if so, ok := rv.SignOffs[v.Number]; ok {
		sv := viewOfSignOff(so)
		view.SignOff = &sv
	}
	for i, x := range rv.History {
		_, signed := rv.SignOffs[x.Number]
		view.Versions[i] = versionRef{x.Number, x.ReceivedAt, x.SHA256, signed, x.SubmittedBy}
	}
	return jsonResponse(http.StatusOK, view), nil
}

func (a *API) listOrganisations(ctx context.Context, r request) (events.APIGatewayV2HTTPResponse, error) {
	orgs, err := a.Service.Organisations.Organisations(ctx)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if orgs == nil {
		orgs = []workforce.Organisation{}
	}
	// Returns contacts are personal data: an Organisation's JSON leaves them out, and only
	// those workforce.ReturnsContacts admits are shown them.
	if workforce.ReturnsContacts.Admits(r.principal) {
		withContacts := make([]workforce.OrganisationWithContacts, len(orgs))
		for i, o := range orgs {
			withContacts[i] = workforce.OrganisationWithContacts(o)
		}
		return jsonResponse(http.StatusOK, map[string]any{"organisations": withContacts}), nil
	}
	return jsonResponse(http.StatusOK, map[string]any{"organisations": orgs}), nil
}

func (a *API) putOrganisation(ctx context.Context, r request) (events.APIGatewayV2HTTPResponse, error) {
	b, err := a.body(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var o workforce.Organisation
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		return events.APIGatewayV2HTTPResponse{}, workforce.Invalid("The body is not an organisation.", []workforce.Problem{{Code: "bad_json", Message: fmt.Sprintf("The body must be a JSON organisation {code, name, parent, kind, baseline_headcount, active_from, active_to, returns_contacts}: %v.", err)}})
	}
	stored, created, err := a.Service.PutOrganisation(ctx, r.PathParameters["code"], o)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	// Only admins reach here: the answer shows the returns contacts as stored.
	if created {
		return jsonResponse(http.StatusCreated, workforce.OrganisationWithContacts(stored)), nil
	}
	return jsonResponse(http.StatusOK, workforce.OrganisationWithContacts(stored)), nil
}

// badParams is a 400 for a malformed path or query parameter, naming each problem.
// Problems with a submitted return's content are 422 instead.
func badParams(message string, problems ...workforce.Problem) error {
	return &workforce.Error{Code: workforce.EBadRequest, Message: message, Problems: problems}
}

func periodProblem(err error) workforce.Problem {
	return workforce.Problem{Field: "period", Code: "invalid_period", Message: err.Error() + "."}
}
