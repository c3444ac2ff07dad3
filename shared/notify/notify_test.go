package notify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ddat-workforce/returns/shared/collection"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// exchange is a recorded request to Notify and its answer (testdata/send_email.json).
type exchange struct {
	APIKey  string `json:"api_key"`
	Now     int64  `json:"now"`
	Request struct {
		Method  string            `json:"method"`
		Path    string            `json:"path"`
		Headers map[string]string `json:"headers"`
		Body    json.RawMessage   `json:"body"`
	} `json:"request"`
	Response struct {
		Status int             `json:"status"`
		Body   json.RawMessage `json:"body"`
	} `json:"response"`
}

const (
	serviceID = "26785a09-ab16-4eb0-8407-a37497a57506"
	secret    = "3d844edf-8d35-48ac-975b-e847b4f122b0"
)

var templates = map[collection.Stage]string{
	collection.StageDueSoon:  "f33517ff-2a88-4f6e-b855-c550268ce08a",
	collection.StageDueToday: "0b4b7c43-51a5-4bd8-9a43-4a5f3b6c1c21",
	collection.StageOverdue:  "5d0f3f7e-9a59-4f1b-8d0c-2b8e8a0b7f44",
}

func load(t *testing.T) exchange {
	t.Helper()
	data, err := os.ReadFile("testdata/send_email.json")
	if err != nil {
		t.Fatal(err)
	}
	var x exchange
	if err := json.Unmarshal(data, &x); err != nil {
		t.Fatal(err)
	}
	return x
}

// reminder is the message the recorded request carries: the due-soon reminder for
// 2026-27-Q2, built as the collection builds it.
func reminder(t *testing.T) collection.Message {
	t.Helper()
	cal, err := collection.Default(30, period.MustQuarter("2023-24-Q1"))
	if err != nil {
		t.Fatal(err)
	}
	r := cal.Due(time.Date(2026, 10, 16, 0, 0, 0, 0, time.UTC))[0]
	a := collection.Addressee{Org: "HMRC", Name: "HM Revenue and Customs", Kind: workforce.CivilService, Contacts: []string{"sender@something.com"}}
	return r.Messages(a, "https://returns.example.gov.uk/portal")[0]
}

// verify checks the bearer token as Notify would: HS256, signed with the secret, issued by
// the service, at the recorded time.
func verify(t *testing.T, header string, now int64) {
	t.Helper()
	raw, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		t.Errorf("Authorization = %q, want Bearer <jwt>", header)
		return
	}
	claims := jwt.MapClaims{}
	tok, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return []byte(secret), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer(serviceID), jwt.WithTimeFunc(func() time.Time { return time.Unix(now, 0) }))
	if err != nil {
		t.Errorf("token: %v", err)
		return
	}
	if tok.Header["typ"] != "JWT" || tok.Header["alg"] != "HS256" || len(tok.Header) != 2 {
		t.Errorf("token header = %v, want {typ: JWT, alg: HS256}", tok.Header)
	}
	if iat, _ := claims.GetIssuedAt(); iat == nil || iat.Unix() != now {
		t.Errorf("iat = %v, want %d", iat, now)
	}
	if len(claims) != 2 {
		t.Errorf("claims = %v, want only iss and iat", claims)
	}
}

// Replays the recorded exchange: the request must be the one recorded, and the recorded
// answer must read back as the notification.
func TestSendEmailReplaysTheRecordedExchange(t *testing.T) {
	x := load(t)
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.Method != x.Request.Method || r.URL.Path != x.Request.Path {
			t.Errorf("request %s %s, want %s %s", r.Method, r.URL.Path, x.Request.Method, x.Request.Path)
		}
		for k, v := range x.Request.Headers {
			if got := r.Header.Get(k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}
		verify(t, r.Header.Get("Authorization"), x.Now)
		body, _ := io.ReadAll(r.Body)
		var got, want any
		if err := json.Unmarshal(body, &got); err != nil {
			t.Errorf("body %s: %v", body, err)
		}
		_ = json.Unmarshal(x.Request.Body, &want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("body\n%s\nwant\n%s", body, x.Request.Body)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(x.Response.Status)
		_, _ = w.Write(x.Response.Body)
	}))
	defer srv.Close()

	c, err := New(x.APIKey, templates)
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL, c.HTTP, c.Now = srv.URL, srv.Client(), func() time.Time { return time.Unix(x.Now, 0) }
	n, err := c.SendEmail(context.Background(), reminder(t))
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Errorf("%d requests, want 1", calls)
	}
	if n.ID != "740e5834-3a29-46b4-9a6f-16142fde533a" || n.Reference != "2026-27-Q2/due_soon/HMRC" ||
		n.Template.ID != templates[collection.StageDueSoon] || n.Template.Version != 1 ||
		!strings.HasPrefix(n.Content.Subject, "DDaT workforce return for HM Revenue and Customs") {
		t.Errorf("notification = %+v", n)
	}
}

func TestSendTurnsNotifysErrorsIntoClearOnes(t *testing.T) {
	data, err := os.ReadFile("testdata/errors.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Answers []struct {
			Status    int             `json:"status"`
			Retryable bool            `json:"retryable"`
			Body      json.RawMessage `json:"body"`
		} `json:"answers"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	m := reminder(t)
	for _, a := range f.Answers {
		var doc struct {
			Errors []struct{ Error, Message string }
		}
		_ = json.Unmarshal(a.Body, &doc)
		t.Run(doc.Errors[0].Error+" "+doc.Errors[0].Message, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(a.Status)
				_, _ = w.Write(a.Body)
			}))
			defer srv.Close()
			c, err := New("reminders-"+serviceID+"-"+secret, templates)
			if err != nil {
				t.Fatal(err)
			}
			c.BaseURL, c.HTTP = srv.URL, srv.Client()
			err = c.Send(context.Background(), m)
			var ne *Error
			if !errors.As(err, &ne) || ne.Status != a.Status {
				t.Fatalf("err = %v, want a Notify error with status %d", err, a.Status)
			}
			for _, want := range []string{doc.Errors[0].Error, doc.Errors[0].Message, m.Reference} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%q does not say %q", err, want)
				}
			}
			if errors.Is(err, collection.ErrTemporary) != a.Retryable {
				t.Errorf("temporary = %v, want %v", !a.Retryable, a.Retryable)
			}
			if strings.Contains(err.Error(), m.To) || strings.Contains(err.Error(), secret) {
				t.Errorf("%q names the address or the key", err)
			}
		})
	}
}

func TestAnErrorWithoutABodyStillSaysWhat(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>Bad gateway</html>", http.StatusBadGateway)
	}))
	defer srv.Close()
	c, _ := New("reminders-"+serviceID+"-"+secret, templates)
	c.BaseURL, c.HTTP = srv.URL, srv.Client()
	err := c.Send(context.Background(), reminder(t))
	if err == nil || !strings.Contains(err.Error(), "502 (Bad Gateway)") || !errors.Is(err, collection.ErrTemporary) {
		t.Errorf("err = %v", err)
	}
}

func TestNoAnswerIsTemporary(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there now
	c, _ := New("reminders-"+serviceID+"-"+secret, templates)
	c.BaseURL = url
	err := c.Send(context.Background(), reminder(t))
	if err == nil || !errors.Is(err, collection.ErrTemporary) {
		t.Errorf("err = %v, want a temporary failure", err)
	}
}

func TestParseKey(t *testing.T) {
	for _, tc := range []struct {
		key, service, secret, err string
	}{
		{"my_test_key-" + serviceID + "-" + secret, serviceID, secret, ""},
		{"ddat-returns-live-" + serviceID + "-" + secret, serviceID, secret, ""}, // hyphens in the name
		{"  my_test_key-" + serviceID + "-" + secret + "\n", serviceID, secret, ""},
		{serviceID + "-" + secret, "", "", "want {key_name}-{service_id}-{secret_key}"}, // no name
		{"my_test_key-" + serviceID + secret, "", "", "want {key_name}-{service_id}-{secret_key}"},
		{"my_test_key-" + strings.ToUpper(serviceID) + "-" + secret, "", "", "must each be a UUID"},
		{"my_test_key-26785a09-ab16-4eb0-8407-a37497a5750g-" + secret, "", "", "must each be a UUID"},
		{"", "", "", "want {key_name}"},
	} {
		sid, sec, err := ParseKey(tc.key)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseKey(%q): err = %v, want %q", tc.key, err, tc.err)
			}
			if err != nil && strings.Contains(err.Error(), "3d844edf") {
				t.Errorf("the error %q repeats the key", err)
			}
			continue
		}
		if err != nil || sid != tc.service || sec != tc.secret {
			t.Errorf("ParseKey(%q) = %q, %q, %v", tc.key, sid, sec, err)
		}
	}
}

func TestNewNeedsATemplateForEveryStage(t *testing.T) {
	_, err := New("k-"+serviceID+"-"+secret, map[collection.Stage]string{collection.StageDueSoon: "not-a-uuid"})
	for _, want := range []string{"the template id for due_soon is not a UUID", "no template id for due_today", "no template id for overdue"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
}
