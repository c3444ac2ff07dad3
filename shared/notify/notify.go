// Package notify sends reminders through GOV.UK Notify's REST API: POST
// /v2/notifications/email with a template id, the recipient and the personalisation,
// authenticated by a JSON Web Token that the API key signs afresh for every request.
//
// Notify holds the words of each template; the templates there must carry the same
// placeholders as collection's texts, in double brackets: ((organisation)), ((quarter)) …
// The API key, the template ids and the recipients are secrets or personal data: nothing
// here logs them, and no error repeats them.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ddat-workforce/returns/shared/collection"
)

// BaseURL is GOV.UK Notify's API.
const BaseURL = "https://api.notifications.service.gov.uk"

// Client sends email through GOV.UK Notify.
type Client struct {
	BaseURL   string                      // BaseURL unless a test says otherwise
	HTTP      *http.Client                // http.DefaultClient when nil
	Templates map[collection.Stage]string // Notify's template id for each stage
	Now       func() time.Time            // for the token's iat; time.Now when nil

	serviceID string
	secret    []byte
}

var _ collection.Sender = (*Client)(nil)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// New reads an API key, which has the form {key_name}-{service_id}-{secret_key}: the
// service id and the secret are UUIDs, 36 characters each, so they are read from the end
// (the key's name may hold hyphens). Every stage needs a template id.
func New(apiKey string, templates map[collection.Stage]string) (*Client, error) {
	serviceID, secret, err := ParseKey(apiKey)
	if err != nil {
		return nil, err
	}
	var problems []string
	for _, s := range collection.Stages() {
		id, ok := templates[s]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("no template id for %s", s))
		case !uuidRE.MatchString(id):
			problems = append(problems, fmt.Sprintf("the template id for %s is not a UUID such as f33517ff-2a88-4f6e-b855-c550268ce08a", s))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("GOV.UK Notify: %s", strings.Join(problems, "; "))
	}
	return &Client{BaseURL: BaseURL, Templates: templates, serviceID: serviceID, secret: []byte(secret)}, nil
}

// ParseKey splits a Notify API key into its service id and its secret. The error never
// repeats the key.
func ParseKey(apiKey string) (serviceID, secret string, err error) {
	const uuidLen = 36
	k := strings.TrimSpace(apiKey)
	// name, "-", service id, "-", secret
	if len(k) < 2*uuidLen+3 || k[len(k)-uuidLen-1] != '-' || k[len(k)-2*uuidLen-2] != '-' {
		return "", "", errors.New("GOV.UK Notify API key: want {key_name}-{service_id}-{secret_key}, the last two each a UUID")
	}
	secret = k[len(k)-uuidLen:]
	serviceID = k[len(k)-2*uuidLen-1 : len(k)-uuidLen-1]
	if !uuidRE.MatchString(serviceID) || !uuidRE.MatchString(secret) {
		return "", "", errors.New("GOV.UK Notify API key: the service id and the secret key at its end must each be a UUID")
	}
	return serviceID, secret, nil
}

// Token is the Authorization bearer token for a request made at now: HS256, header
// {typ: JWT, alg: HS256}, claims iss (the service id) and iat. Notify refuses a token more
// than 30 seconds from its own clock, so each request signs its own.
func (c *Client) Token(now time.Time) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": c.serviceID, "iat": now.Unix()})
	return t.SignedString(c.secret)
}

// emailRequest is the body of POST /v2/notifications/email.
type emailRequest struct {
	EmailAddress    string            `json:"email_address"`
	TemplateID      string            `json:"template_id"`
	Personalisation map[string]string `json:"personalisation,omitempty"`
	Reference       string            `json:"reference,omitempty"`
}

// Notification is Notify's answer to a message it accepted.
type Notification struct {
	ID        string `json:"id"`
	Reference string `json:"reference"`
	Content   struct {
		Subject   string `json:"subject"`
		Body      string `json:"body"`
		FromEmail string `json:"from_email"`
	} `json:"content"`
	URI      string `json:"uri"`
	Template struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
		URI     string `json:"uri"`
	} `json:"template"`
}

// Error is a request Notify refused. Its text names the status and Notify's own error
// types and messages, which hold no personal data.
type Error struct {
	Status int
	Errors []struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
}

func (e *Error) Error() string {
	var parts []string
	for _, x := range e.Errors {
		parts = append(parts, x.Error+": "+x.Message)
	}
	if len(parts) == 0 {
		parts = append(parts, http.StatusText(e.Status))
	}
	return fmt.Sprintf("GOV.UK Notify answered %d (%s)", e.Status, strings.Join(parts, "; "))
}

// Is makes a rate limit (429) or a server error (5xx) match collection.ErrTemporary:
// Notify's advice is to send it again. A 400 or 403 will fail again the same way.
func (e *Error) Is(target error) bool {
	return target == collection.ErrTemporary && (e.Status == http.StatusTooManyRequests || e.Status >= 500)
}

// Send sends m and discards Notify's answer.
func (c *Client) Send(ctx context.Context, m collection.Message) error {
	_, err := c.SendEmail(ctx, m)
	return err
}

// SendEmail sends m through the template Notify holds for its stage.
func (c *Client) SendEmail(ctx context.Context, m collection.Message) (Notification, error) {
	templateID, ok := c.Templates[m.Template]
	if !ok {
		return Notification{}, fmt.Errorf("GOV.UK Notify: no template id for %q", m.Template)
	}
	body, err := json.Marshal(emailRequest{EmailAddress: m.To, TemplateID: templateID, Personalisation: m.Personalisation, Reference: m.Reference})
	if err != nil {
		return Notification{}, fmt.Errorf("GOV.UK Notify: %w", err)
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	token, err := c.Token(now())
	if err != nil {
		return Notification{}, fmt.Errorf("GOV.UK Notify: sign the token: %w", err)
	}
	base := c.BaseURL
	if base == "" {
		base = BaseURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(base, "/")+"/v2/notifications/email", bytes.NewReader(body))
	if err != nil {
		return Notification{}, fmt.Errorf("GOV.UK Notify: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	client := c.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		// No answer at all (a dropped connection, a timeout): worth another try.
		return Notification{}, fmt.Errorf("GOV.UK Notify: send %s: %w (%w)", m.Reference, collection.ErrTemporary, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Notification{}, fmt.Errorf("GOV.UK Notify: read the answer to %s: %w (%w)", m.Reference, collection.ErrTemporary, err)
	}
	if resp.StatusCode != http.StatusCreated {
		e := &Error{Status: resp.StatusCode}
		_ = json.Unmarshal(raw, e) // {"status_code": 400, "errors": [{"error": …, "message": …}]}
		return Notification{}, fmt.Errorf("send %s: %w", m.Reference, e)
	}
	// 201 means Notify took the message: an answer it garbled is no reason to send again.
	var n Notification
	_ = json.Unmarshal(raw, &n)
	return n, nil
}
