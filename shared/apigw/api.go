package apigw

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"mime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ddat-workforce/returns/shared/collection"
	"github.com/ddat-workforce/returns/shared/ingest"
	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// API serves the routes of the routes table.
type API struct {
	Service        *workforce.Service
	Rollups        *rollup.Service
	Collection     *collection.Service
	Extracts       *ingest.Service
	Presign        PresignFunc
	Template       TemplateFunc
	Claims         Claims
	MaxUploadBytes int64
	Log            *slog.Logger
	Now            func() time.Time
	Metrics        Recorder // may be nil
}

// Recorder counts what happens for dashboards and alarms (CloudWatch EMF on Lambda).
type Recorder interface {
	ReturnAccepted(format string, duplicate bool)
	ReturnRejected(format string, codes []string)
	Rollup(trigger string, took time.Duration, missing int)
}

// recordSubmission counts a submission's outcome: accepted (new or duplicate) or rejected
// with the codes of its problems.
func (a *API) recordSubmission(format string, duplicates []bool, err error) {
	if a.Metrics == nil {
		return
	}
	if err != nil {
		if code := workforce.ErrorCode(err); code == workforce.EInternal || code == workforce.EConflict {
			return // not a verdict on the return
		}
		var codes []string
		var e *workforce.Error
		if errors.As(err, &e) {
			for _, p := range e.Problems {
				codes = append(codes, p.Code)
			}
			if len(codes) == 0 {
				codes = []string{e.Code}
			}
		}
		a.Metrics.ReturnRejected(format, codes)
		return
	}
	for _, d := range duplicates {
		a.Metrics.ReturnAccepted(format, d)
	}
}

// request is what an endpoint sees: the event and who sent it.
type request struct {
	events.APIGatewayV2HTTPRequest
	principal workforce.Principal
}

type endpoint func(ctx context.Context, r request) (events.APIGatewayV2HTTPResponse, error)

// endpoints binds route keys to the code that serves them.
func (a *API) endpoints() map[string]endpoint {
	eps := map[string]endpoint{
		"GET /template":               a.getTemplate,
		"POST /returns":               a.postReturn,
		"POST /returns/check":         a.checkReturn,
		"POST /returns/bulk":          a.postBulk,
		"GET /returns":                a.listReturns,
		"GET /returns/{org}/{period}": a.getReturn,
		"GET /returns/{org}/{period}/versions/{version}": a.getVersion,
		"GET /organisations":                             a.listOrganisations,
		"PUT /organisations/{code}":                      a.putOrganisation,
		"GET /targets":                                   a.getTargets,
		"GET /metrics/{period}":                          a.getMetrics,
		"GET /rollups":                                   a.listRollups,
		"GET /rollups/{month}":                           a.getRollup,
		"POST /rollups/{month}":                          a.postRollup,
		"GET /reports/{month}":                           a.getReport,
		"GET /returns/{org}/{period}/versions/{version}/changes":   a.getChanges,
		"POST /returns/{org}/{period}/versions/{version}/sign-off": a.postSignOff,
		"POST /extracts":     a.postExtract,
		"GET /extracts/{id}": a.getExtract,
	}
	maps.Copy(eps, a.collectionEndpoints())
	return eps
}

// Handler serves the routes that belong to one function. A route of another function,
// or one the caller's roles do not allow, never reaches an endpoint.
func (a *API) Handler(function string) Handler {
	routes := map[string]Route{}
	for _, r := range Routes {
		if r.Function == function {
			routes[r.Key()] = r
		}
	}
	eps := a.endpoints()
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (resp events.APIGatewayV2HTTPResponse, err error) {
		start := time.Now()
		req := request{APIGatewayV2HTTPRequest: ev, principal: a.Claims.Principal(ev)}
		id := ev.RequestContext.RequestID
		defer func() {
			if p := recover(); p != nil {
				a.Log.ErrorContext(ctx, "panic", "request_id", id, "route", ev.RouteKey, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				resp, err = errorResponse(fmt.Errorf("panic: %v", p), id), nil
			}
			a.Log.InfoContext(ctx, "request", "request_id", id, "route", ev.RouteKey, "org", req.principal.Org,
				"status", resp.StatusCode, "outcome", outcome(resp.StatusCode), "duration_ms", time.Since(start).Milliseconds())
		}()
		route, ok := routes[ev.RouteKey]
		ep := eps[ev.RouteKey]
		if !ok || ep == nil {
			return errorResponse(workforce.Errorf(workforce.ENotFound, "There is no route %s.", ev.RouteKey), id), nil
		}
		// A submitter or an approver acts for one organisation: without one the token
		// means nothing safe, so it is refused here, before any endpoint can read "" as "all".
		if role := req.principal.MissingOrg(); role != "" {
			return errorResponse(workforce.Errorf(workforce.EForbidden, "Your token has the %s role but no organisation (no %q claim), so it cannot be used for anything. Ask whoever manages your sign-in to add your organisation.", role, a.orgClaim()), id), nil
		}
		if !allowed(route, req.principal) {
			return errorResponse(workforce.Errorf(workforce.EForbidden, "Your roles (%s) do not allow %s.", strings.Join(req.principal.Roles, ", "), ev.RouteKey), id), nil
		}
		resp, err = ep(ctx, req)
		if err != nil {
			if workforce.ErrorCode(err) == workforce.EInternal {
				a.Log.ErrorContext(ctx, "internal error", "request_id", id, "route", ev.RouteKey, "error", err.Error())
			}
			return errorResponse(err, id), nil
		}
		return resp, nil
	}
}

func (a *API) orgClaim() string {
	if a.Claims.Org == "" {
		return "org"
	}
	return a.Claims.Org
}

func allowed(r Route, p workforce.Principal) bool {
	if len(r.Roles) == 0 {
		return true
	}
	for _, role := range r.Roles {
		if p.Has(string(role)) {
			return true
		}
	}
	return false
}

func outcome(status int) string {
	switch {
	case status < 400:
		return "ok"
	case status < 500:
		return "rejected"
	}
	return "error"
}

// body returns the request body as bytes, enforcing the upload limit. A compressed body
// is refused as such: the service reads files as sent, and would otherwise call a gzip
// stream "not UTF-8".
func (a *API) body(r request) ([]byte, error) {
	if enc := strings.TrimSpace(header(r, "content-encoding")); enc != "" && !strings.EqualFold(enc, "identity") {
		named := ""
		if len(enc) <= 40 && !strings.ContainsFunc(enc, func(c rune) bool { return c < 0x20 || c > 0x7e }) {
			named = fmt.Sprintf(" (Content-Encoding: %s)", enc)
		}
		return nil, workforce.Errorf(workforce.EUnsupported, "The body is compressed%s. Send the file uncompressed, without a Content-Encoding header.", named)
	}
	b := []byte(r.Body)
	if r.IsBase64Encoded {
		var err error
		if b, err = base64.StdEncoding.DecodeString(r.Body); err != nil {
			return nil, workforce.Errorf(workforce.EBadRequest, "The request body could not be decoded.")
		}
	}
	if int64(len(b)) > a.MaxUploadBytes {
		return nil, workforce.Errorf(workforce.ETooLarge, "The file is %s; the largest accepted is %s. A quarterly return is usually well under 100 KB.", sizeText(int64(len(b))), sizeText(a.MaxUploadBytes))
	}
	if len(b) == 0 {
		return nil, workforce.Errorf(workforce.EBadRequest, "The request has no body; send the return as the body.")
	}
	return b, nil
}

func sizeText(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KB", (n+1023)/1024)
}

// Content types that name each format.
const (
	ContentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	ContentTypeCSV  = "text/csv"
	ContentTypeJSON = "application/json"
)

func formatOf(contentType string) (workforce.Format, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err == nil {
		switch mt {
		case ContentTypeXLSX:
			return workforce.FormatXLSX, nil
		case ContentTypeCSV, "application/csv":
			return workforce.FormatCSV, nil
		case ContentTypeJSON:
			return workforce.FormatJSON, nil
		}
	}
	return "", workforce.Errorf(workforce.EUnsupported, "Content-Type %q is not accepted. Send %s for the Excel template, %s or %s.", contentType, ContentTypeXLSX, ContentTypeCSV, ContentTypeJSON)
}

func header(r request, name string) string {
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

func idempotencyKey(r request) (string, error) {
	k := header(r, "idempotency-key")
	if len(k) > 255 || strings.ContainsFunc(k, func(c rune) bool { return c < 0x21 || c > 0x7e }) {
		return "", workforce.Errorf(workforce.EBadRequest, "Idempotency-Key must be at most 255 printable characters without spaces, such as a UUID.")
	}
	return k, nil
}
