package httpapi

import (
	"context"
	"mime"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ddat-workforce/returns/shared/ingest"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// extractUpload answers POST /extracts: where and how to upload the file.
type extractUpload struct {
	ExtractID string            `json:"extract_id"`
	Status    string            `json:"status"`
	UploadURL string            `json:"upload_url"`
	Method    string            `json:"method"`
	Headers   map[string]string `json:"headers"`
	ExpiresAt time.Time         `json:"expires_at"`
	StatusURL string            `json:"status_url"`
}

// extractView answers GET /extracts/{id}. It says what the extract came to in counts,
// row numbers and column names; it never holds a value from the file.
type extractView struct {
	ExtractID       string              `json:"extract_id"`
	Org             string              `json:"org"`
	Period          string              `json:"period"`
	Format          string              `json:"format"`
	ContentLength   int64               `json:"content_length"`
	Status          string              `json:"status"`
	Answers         map[string]any      `json:"answers"`
	RequestedAt     time.Time           `json:"requested_at"`
	UploadExpiresAt time.Time           `json:"upload_expires_at"`
	StartedAt       *time.Time          `json:"started_at,omitempty"`
	FinishedAt      *time.Time          `json:"finished_at,omitempty"`
	Rows            *int                `json:"rows,omitempty"`
	SHA256          string              `json:"sha256,omitempty"`
	IgnoredColumns  []string            `json:"ignored_columns,omitempty"`
	Receipt         *workforce.Receipt  `json:"receipt,omitempty"`
	Message         string              `json:"message,omitempty"`
	Problems        []workforce.Problem `json:"problems,omitempty"`
	ProblemCounts   map[string]int      `json:"problem_counts,omitempty"`
	Warnings        []workforce.Problem `json:"warnings,omitempty"`
}

func (a *API) postExtract(ctx context.Context, r request) (events.APIGatewayV2HTTPResponse, error) {
	if mt, _, err := mime.ParseMediaType(header(r, "content-type")); err != nil || mt != ContentTypeJSON {
		return events.APIGatewayV2HTTPResponse{}, workforce.Errorf(workforce.EUnsupported,
			"Ask for an extract upload with a JSON body (%s): the organisation, the quarter, the leadership answers, format and content_length. The extract itself goes to the upload URL the answer gives.", ContentTypeJSON)
	}
	b, err := a.body(r)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	fields, err := workforce.ParseJSON(b)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	req, err := a.Extracts.Request(ctx, r.principal, fields)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	statusURL := "/extracts/" + req.Extract.ID
	resp := jsonResponse(http.StatusCreated, extractUpload{ExtractID: req.Extract.ID, Status: string(req.Extract.Status),
		UploadURL: req.Upload.URL, Method: req.Upload.Method, Headers: req.Upload.Headers, ExpiresAt: req.Upload.ExpiresAt, StatusURL: statusURL})
	resp.Headers["location"] = statusURL
	return resp, nil
}

func (a *API) getExtract(ctx context.Context, r request) (events.APIGatewayV2HTTPResponse, error) {
	e, err := a.Extracts.Status(ctx, r.principal, r.PathParameters["id"])
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	v := extractView{ExtractID: e.ID, Org: e.Org, Period: e.Period.String(), Format: string(e.Format), ContentLength: e.ContentLength,
		Status: string(e.Status), Answers: workforce.TypedValues(e.Answers), RequestedAt: e.RequestedAt, UploadExpiresAt: e.UploadExpires,
		SHA256: e.SHA256, IgnoredColumns: e.Ignored, Receipt: e.Receipt, Message: e.Message, Problems: e.Problems,
		ProblemCounts: e.ProblemCounts, Warnings: e.Warnings}
	if !e.StartedAt.IsZero() {
		v.StartedAt = &e.StartedAt
	}
	if e.Status == ingest.Accepted || e.Status == ingest.Rejected {
		v.FinishedAt, v.Rows = &e.FinishedAt, &e.Rows
		if v.Problems == nil && e.Status == ingest.Rejected {
			v.Problems = []workforce.Problem{}
		}
	}
	return jsonResponse(http.StatusOK, v), nil
}
