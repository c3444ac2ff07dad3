package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/ddat-workforce/returns/shared/httpapi"
)

// apiClient calls the JSON API as the signed-in user. It is the portal's only way to the
// data.
type apiClient struct {
	http *http.Client
}

// maxAPIAnswer bounds what the portal reads of an answer: the API's own answers are at most
// Lambda's 6 MB.
const maxAPIAnswer = 6 << 20

// APIError is an answer that was not a success: its status and problem document.
type APIError struct {
	Status  int
	Problem httpapi.Problem
}

func (e *APIError) Error() string {
	return fmt.Sprintf("the API answered %d %s: %s", e.Status, e.Problem.Code, e.Problem.Detail)
}

// apiStatus is the status of an API error, or 0 for any other error.
func apiStatus(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

// request is one call to the API.
type request struct {
	method, path string
	query        url.Values
	body         []byte
	contentType  string
	header       map[string]string
}

// answer is a successful API answer.
type answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// do calls the API with the session's token. A non-2xx answer is an *APIError carrying the
// API's problem document.
func (c *apiClient) do(ctx context.Context, sess *Session, req request) (answer, error) {
	base := urlsOf(ctx).api
	if base == "" {
		return answer{}, fmt.Errorf("%s %s: no API URL for this request", req.method, req.path)
	}
	u := base + req.path
	if len(req.query) > 0 {
		u += "?" + req.query.Encode()
	}
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, u, body)
	if err != nil {
		return answer{}, err
	}
	hr.Header.Set("Authorization", "Bearer "+sess.AccessToken)
	hr.Header.Set("Accept", "application/json")
	if req.contentType != "" {
		hr.Header.Set("Content-Type", req.contentType)
	}
	for k, v := range req.header {
		hr.Header.Set(k, v)
	}
	resp, err := c.http.Do(hr)
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: %w", req.method, req.path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIAnswer+1))
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: read answer: %w", req.method, req.path, err)
	}
	if len(data) > maxAPIAnswer {
		return answer{}, fmt.Errorf("%s %s: answer over %d bytes", req.method, req.path, maxAPIAnswer)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		ae := &APIError{Status: resp.StatusCode}
		if strings.Contains(resp.Header.Get("Content-Type"), "json") {
			_ = json.Unmarshal(data, &ae.Problem)
		}
		if ae.Problem.Detail == "" {
			ae.Problem.Detail = http.StatusText(resp.StatusCode)
		}
		return answer{}, ae
	}
	return answer{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
}

// getJSON calls GET path and decodes the answer into out.
func (c *apiClient) getJSON(ctx context.Context, sess *Session, path string, query url.Values, out any) error {
	a, err := c.do(ctx, sess, request{method: http.MethodGet, path: path, query: query})
	if err != nil {
		return err
	}
	if err := json.Unmarshal(a.Body, out); err != nil {
		return fmt.Errorf("GET %s: decode answer: %w", path, err)
	}
	return nil
}

// sendJSON calls method path with v as JSON and decodes the answer into out (when not nil).
func (c *apiClient) sendJSON(ctx context.Context, sess *Session, method, path string, v, out any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	a, err := c.do(ctx, sess, request{method: method, path: path, body: body, contentType: "application/json"})
	if err != nil {
		return err
	}
	if out == nil || len(a.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(a.Body, out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return nil
}

// pathEscape builds an API path from segments, each escaped.
func apiPath(segments ...string) string {
	var b strings.Builder
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}
