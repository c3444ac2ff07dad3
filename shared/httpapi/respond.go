package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ddat-workforce/returns/shared/workforce"
)

// statusOf maps domain error codes to HTTP statuses, in one place.
var statusOf = map[string]int{
	workforce.EInvalid:      http.StatusUnprocessableEntity,
	workforce.EBadRequest:   http.StatusBadRequest,
	workforce.ENotFound:     http.StatusNotFound,
	workforce.EConflict:     http.StatusConflict,
	workforce.EForbidden:    http.StatusForbidden,
	workforce.EUnauthorized: http.StatusUnauthorized,
	workforce.ETooLarge:     http.StatusRequestEntityTooLarge,
	workforce.EUnsupported:  http.StatusUnsupportedMediaType,
}

// Problem is an RFC 9457 problem document with field-level errors.
type Problem struct {
	Type     string              `json:"type"`
	Title    string              `json:"title"`
	Status   int                 `json:"status"`
	Detail   string              `json:"detail"`
	Code     string              `json:"code"`
	Instance string              `json:"instance,omitempty"`
	Errors   []workforce.Problem `json:"errors,omitempty"`
	// MoreErrors counts, by code, the problems beyond the first workforce.MaxProblems,
	// which Errors does not list.
	MoreErrors *workforce.MoreProblems `json:"more_errors,omitempty"`
}

// errorResponse turns an error into problem+json. Internal errors show a generic message;
// the caller logs the cause. Every error answer passes here, so here it is bounded: at most
// workforce.MaxProblems problems, the rest counted by code, and no client value echoed
// whole, whoever built the error.
func errorResponse(err error, requestID string) events.APIGatewayV2HTTPResponse {
	code := workforce.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	p := Problem{Type: "urn:ddat-returns:problem:" + code, Title: http.StatusText(status), Status: status,
		Detail: workforce.ErrorMessage(err), Code: code, Instance: "urn:request:" + requestID}
	var e *workforce.Error
	if errors.As(err, &e) {
		b := e.Bounded()
		p.Detail, p.Errors, p.MoreErrors = b.Message, b.Problems, b.More
	}
	body, _ := json.Marshal(p)
	return events.APIGatewayV2HTTPResponse{StatusCode: status, Body: string(body),
		Headers: map[string]string{"content-type": "application/problem+json", "cache-control": "no-store"}}
}

func jsonResponse(status int, v any) events.APIGatewayV2HTTPResponse {
	body, err := json.Marshal(v)
	if err != nil {
		return errorResponse(err, "")
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: status, Body: string(body),
		Headers: map[string]string{"content-type": "application/json", "cache-control": "no-store"}}
}

func fileResponse(contentType, filename string, body []byte) events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusOK, IsBase64Encoded: true,
		Body: base64.StdEncoding.EncodeToString(body),
		Headers: map[string]string{"content-type": contentType, "cache-control": "no-store",
			"content-disposition": `attachment; filename="` + filename + `"`}}
}
