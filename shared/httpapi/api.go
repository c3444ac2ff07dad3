package httpapi

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ddat-workforce/returns/shared/collection"
	"github.com/ddat-workforce/returns/shared/ingest"
	"github.com/ddat-workforce/returns/shared/period"
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
	FirstQuarter   period.Quarter // the collection's first (FIRST_QUARTER): the template offers it and later quarters
	Log            *slog.Logger
	Now            func() time.Time
	Metrics        Recorder // may be nil
}

// Recorder counts submissions for dashboards and alarms (CloudWatch EMF on Lambda);
// rollup.Service counts its own runs.
type Recorder interface {
	ReturnAccepted(format string, duplicate bool)
	ReturnRejected(format string, codes []string)
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

// endpoint serves one route; the routes table binds each to its route.
type endpoint func(a *API, ctx context.Context, r request) (events.APIGatewayV2HTTPResponse, error)

// Handler serves the routes that belong to one function. A route of another function,
// or one the route's policy does not allow the caller, never reaches its endpoint.
func (a *API) Handler(function string) Handler {
	routes := map[string]Route{}
	for _, r := range Routes {
		if r.Function == function {
			routes[r.Key()] = r
		}
	}
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
		if !ok || route.handle == nil {
			return errorResponse(workforce.Errorf(workforce.ENotFound, "There is no route %s.", ev.RouteKey), id), nil
		}
		if err := a.authorise(route, req); err != nil {
			return errorResponse(err, id), nil
		}
		resp, err = route.handle(a, ctx, req)
		if err != nil {
			if workforce.ErrorCode(err) == workforce.EInternal {
				a.Log.ErrorContext(ctx, "internal error", "request_id", id, "route", ev.RouteKey, "error", err.Error())
			}
			return errorResponse(err, id), nil
		}
		return resp, nil
	}
}

// authorise asks the route's policy whether the caller may call it and, when its path
// names an organisation, whether they may for that one. Access is decided before
// anything else is read, so a caller learns nothing about an organisation they may not
// see, not even whether the rest of the address is well formed.
func (a *API) authorise(route Route, r request) error {
	p := r.principal
	// An organisation-scoped role acts for one organisation: without one the token means
	// nothing safe (every policy refuses it); the answer says what is missing.
	if role := p.MissingOrg(); role != "" {
		return workforce.Errorf(workforce.EForbidden, "Your token has the %s role but no organisation (no %q claim), so it cannot be used for anything. Ask whoever manages your sign-in to add your organisation.", role, a.orgClaim())
	}
	if !route.Policy.Admits(p) {
		return workforce.Errorf(workforce.EForbidden, "Your roles (%s) do not allow %s.", strings.Join(p.Roles, ", "), route.Key())
	}
	if strings.Contains(route.Path, "{org}") {
		if org := strings.ToUpper(r.PathParameters["org"]); !route.Policy.Allows(p, org) {
			return workforce.ReadForbidden(p)
		}
	}
	return nil
}

func (a *API) orgClaim() string {
	if a.Claims.Org == "" {
		return "org"
	}
	return a.Claims.Org
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
	ContentTypeCSV  = "text/csv"
	ContentTypeJSON = "application/json"
)

func formatOf(contentType string) (workforce.Format, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err == nil {
		switch mt {
		case workforce.ContentTypeXLSX:
			return workforce.FormatXLSX, nil
		case ContentTypeCSV, "application/csv":
			return workforce.FormatCSV, nil
		case ContentTypeJSON:
			return workforce.FormatJSON, nil
		}
	}
	return "", workforce.Errorf(workforce.EUnsupported, "Content-Type %q is not accepted. Send %s for the Excel template, %s or %s.", contentType, workforce.ContentTypeXLSX, ContentTypeCSV, ContentTypeJSON)
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
