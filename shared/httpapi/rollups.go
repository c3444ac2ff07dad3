package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// PresignFunc makes a short-lived download URL for a stored object, which downloads as
// filename with the given content type.
type PresignFunc func(ctx context.Context, key, filename, contentType string, ttl time.Duration) (string, error)

// ReportURLTTL is how long a report download link works: long enough to follow the
// redirect, short enough that a forwarded link soon stops working.
const ReportURLTTL = 5 * time.Minute

func (a *API) getTargets(ctx context.Context, r request) (events.APIGatewayV2HTTPResponse, error) {
	return jsonResponse(http.StatusOK, a.Rollups.Targets), nil
}

func (a *API) getMetrics(ctx context.Context, r request) (events.APIGatewayV2HTTPResponse, error) {
	q, err := period.ParseQuarter(r.PathParameters["period"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, badParams("The period in the address is not a quarter.", periodProblem(err))
	}
	if q.Before(a.Rollups.FirstQuarter) || q.ReferenceDate().After(a.now()) {
		return events.APIGatewayV2HTTPResponse{}, workforce.Errorf(workforce.ENotFound, "There are no metrics for %s: the collection covers %s to the last quarter that has ended.", q, a.Rollups.FirstQuarter)
	}
	res, err := a.Rollups.Metrics(ctx, q)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return jsonResponse(http.StatusOK, res), nil
}

func monthParam(r request) (period.Month, error) {
	m, err := period.ParseMonth(r.PathParameters["month"])
	if err != nil {
		return m, badParams("The month in the address is not a month.", workforce.Problem{Field: "month", Code: "invalid_month", Message: err.Error() + "."})
	}
	return m, nil
}

func revisionParam(r request) (int, error) {
	s := r.QueryStringParameters["revision"]
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, workforce.Errorf(workforce.EBadRequest, "revision %q must be a whole number from 1.", s)
	}
	return n, nil
}

func (a *API) listRollups(ctx context.Context, r request) (events.APIGatewayV2HTTPResponse, error) {
	recs, err := a.Rollups.List(ctx)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if recs == nil {
		recs = []rollup.Record{}
	}
	return jsonResponse(http.StatusOK, map[string]any{"rollups": recs}), nil
}

func (a *API) getRollup(ctx context.Context, r request) (events.APIGatewayV2HTTPResponse, error) {
	m, err := monthParam(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	rev, err := revisionParam(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	snap, err := a.Rollups.Get(ctx, m, rev)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return jsonResponse(http.StatusOK, snap), nil
}

func (a *API) postRollup(ctx context.Context, r request) (events.APIGatewayV2HTTPResponse, error) {
	m, err := monthParam(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if !m.LastDay().Before(a.now()) {
		return events.APIGatewayV2HTTPResponse{}, workforce.Invalid("That month has not ended.", []workforce.Problem{{Field: "month", Code: "month_not_ended", Message: fmt.Sprintf("%s has not ended yet; a month is rolled up once it is over.", m)}})
	}
	snap, created, err := a.Rollups.Run(ctx, m, "admin")
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	resp := jsonResponse(status, snap)
	resp.Headers["location"] = fmt.Sprintf("/rollups/%s?revision=%d", snap.Month, snap.Revision)
	return resp, nil
}

func (a *API) getReport(ctx context.Context, r request) (events.APIGatewayV2HTTPResponse, error) {
	m, err := monthParam(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	edition := r.QueryStringParameters["edition"]
	if edition == "" {
		edition = rollup.EditionPublished
	}
	switch edition {
	case rollup.EditionPublished:
	case rollup.EditionManagement:
		if !workforce.ManagementFigures.Admits(r.principal) {
			return events.APIGatewayV2HTTPResponse{}, workforce.Errorf(workforce.EForbidden, "The management edition is for leaders and admins; ask for edition=published.")
		}
	default:
		return events.APIGatewayV2HTTPResponse{}, workforce.Errorf(workforce.EBadRequest, "edition %q must be management or published.", edition)
	}
	format := r.QueryStringParameters["format"]
	if format == "" {
		format = rollup.FormatXLSX
	}
	if !slices.Contains(rollup.Formats, format) {
		return events.APIGatewayV2HTTPResponse{}, badParams("The workbook format is not one the service makes.",
			workforce.Problem{Field: "format", Code: "invalid_format", Message: fmt.Sprintf("format %q must be xlsx (Excel) or ods (OpenDocument).", format)})
	}
	rev, err := revisionParam(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	snap, err := a.Rollups.Get(ctx, m, rev)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	rep, ok := snap.ReportIn(edition, format)
	if !ok {
		return events.APIGatewayV2HTTPResponse{}, workforce.Errorf(workforce.ENotFound, "Revision %d of %s has no %s workbook in %s format.", snap.Revision, m, edition, format)
	}
	url, err := a.Presign(ctx, rep.Key, snap.FileName(edition, format), rollup.ContentType(format), ReportURLTTL)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusSeeOther,
		Headers: map[string]string{"location": url, "cache-control": "no-store", "x-report-sha256": rep.SHA256}}, nil
}
