package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ddat-workforce/returns/shared/workforce"
)

// Revisions and sign-off (SPEC §11): what changed in a version, and an approver's
// sign-off of one exact version.

// versionParam reads the {version} path parameter.
func versionParam(r request) (int, error) {
	n, err := strconv.Atoi(r.PathParameters["version"])
	if err != nil || n < 1 {
		return 0, workforce.Errorf(workforce.EBadRequest, "Version %q must be a whole number from 1.", r.PathParameters["version"])
	}
	return n, nil
}

// change is one field that differs from the version before, its values typed as a
// version's values are; null where the field was not given.
type change struct {
	Field string `json:"field"`
	Label string `json:"label"`
	Old   any    `json:"old"`
	New   any    `json:"new"`
}

// changesView is the answer of GET …/versions/{n}/changes. Version 1 changes every field
// it gives from nothing: previous_version is null and every old value is null.
type changesView struct {
	Org             string   `json:"org"`
	Period          string   `json:"period"`
	Version         int      `json:"version"`
	PreviousVersion *int     `json:"previous_version"`
	RevisionReason  *string  `json:"revision_reason"`
	Changes         []change `json:"changes"`
}

func typedOrNull(f workforce.Field, v *string) any {
	if v == nil {
		return nil
	}
	return workforce.TypedValue(f, *v)
}

func (a *API) getChanges(ctx context.Context, r request) (events.APIGatewayV2HTTPResponse, error) {
	org, q, err := orgPeriod(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	n, err := versionParam(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	rev, err := a.Service.Revision(ctx, org, q, n)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	v := rev.Version
	out := changesView{Org: v.Org, Period: v.Period.String(), Version: v.Number, Changes: []change{}}
	if rev.Previous != nil {
		out.PreviousVersion = &rev.Previous.Number
	}
	if reason := v.RevisionReason(); reason != "" {
		out.RevisionReason = &reason
	}
	for _, c := range workforce.Changes(rev.Previous, &v) {
		out.Changes = append(out.Changes, change{Field: c.Field.Key, Label: c.Field.Label,
			Old: typedOrNull(c.Field, c.Old), New: typedOrNull(c.Field, c.New)})
	}
	return jsonResponse(http.StatusOK, out), nil
}

// signOffView is a sign-off as the API answers it.
type signOffView struct {
	Org         string    `json:"org"`
	Period      string    `json:"period"`
	Version     int       `json:"version"`
	SHA256      string    `json:"sha256"`
	SignedOffBy string    `json:"signed_off_by"` // the approver's token subject, opaque
	SignedOffAt time.Time `json:"signed_off_at"`
}

func viewOfSignOff(s workforce.SignOff) signOffView {
	return signOffView{Org: s.Org, Period: s.Period.String(), Version: s.Version, SHA256: s.SHA256,
		SignedOffBy: s.By, SignedOffAt: s.At.UTC()}
}

// signOffBody is what an approver sends: the hash of the content they read.
type signOffBody struct {
	SHA256 string `json:"sha256"`
}

func (a *API) postSignOff(ctx context.Context, r request) (events.APIGatewayV2HTTPResponse, error) {
	// Whose return it is was checked against the route's policy before this runs, so
	// another organisation's approver learns nothing of it; the service asks again.
	p := r.principal
	org, q, err := orgPeriod(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	n, err := versionParam(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	b, err := a.body(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	var body signOffBody
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil || dec.More() {
		if err == nil {
			err = fmt.Errorf("more than one JSON value")
		}
		return events.APIGatewayV2HTTPResponse{}, workforce.Invalid("The body is not a sign-off.", []workforce.Problem{{Code: "bad_json",
			Message: fmt.Sprintf(`The body must be {"sha256": "…"}, the SHA-256 of the version you read: %v.`, err)}})
	}
	so, created, err := a.Service.SignOff(ctx, workforce.SignOffRequest{Principal: p, Org: org, Period: q, Version: n, SHA256: body.SHA256})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		a.Log.InfoContext(ctx, "signed off", "request_id", r.RequestContext.RequestID, "org", so.Org, "period", so.Period.String(), "version", so.Version)
	}
	resp := jsonResponse(status, viewOfSignOff(so))
	resp.Headers["location"] = fmt.Sprintf("/returns/%s/%s/versions/%d", so.Org, so.Period, so.Version)
	return resp, nil
}
