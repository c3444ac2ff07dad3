package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// A notification as versitygw v1.8.0 posts it for a PUT, with the two that must not
// reach the ingest: an object outside extracts/ and a delete.
const versityBody = `{"Records":[
 {"eventVersion":"2.2","eventSource":"aws:s3","awsRegion":"eu-west-2","eventTime":"2025-07-01T10:00:00Z","eventName":"s3:ObjectCreated:Put",
  "userIdentity":{"PrincipalId":"ddatlocal"},"requestParameters":{"sourceIPAddress":"127.0.0.1"},"responseElements":{"x-amz-request-id":"R1","x-amz-id-2":"H1"},
  "s3":{"s3SchemaVersion":"1.0","configurationId":"webhook-global","bucket":{"name":"b","ownerIdentity":{"PrincipalId":"o"},"arn":"arn:aws:s3:::b/extracts/A B/x.csv"},
   "object":{"key":"extracts/A B/x+y.csv","size":12,"eTag":"\"e\"","versionId":null,"sequencer":"S"}},
  "glacierEventData":{"restoreEventData":{"lifecycleRestorationExpiryTime":"","lifecycleRestoreStorageClass":""}}},
 {"eventSource":"aws:s3","eventTime":"","eventName":"s3:ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"uploads/x.csv"}}},
 {"eventSource":"aws:s3","eventTime":"","eventName":"s3:ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"extracts/y.csv"}}}
]}`

func TestVersityNotificationIsTheDocumentedEvent(t *testing.T) {
	var v versityEvent
	if err := json.Unmarshal([]byte(versityBody), &v); err != nil {
		t.Fatal(err)
	}
	ev := v.s3Event()
	if len(ev.Records) != 1 {
		t.Fatalf("%d records, want the one object created under extracts/", len(ev.Records))
	}
	r := ev.Records[0]
	if r.EventName != "ObjectCreated:Put" || r.S3.Bucket.Name != "b" || r.S3.Bucket.Arn != "arn:aws:s3:::b" || r.S3.Object.Size != 12 {
		t.Errorf("record %+v", r)
	}
	if r.S3.Object.Key != "extracts/A+B/x%2By.csv" || r.S3.Object.URLDecodedKey != "extracts/A B/x+y.csv" {
		t.Errorf("key %q (decoded %q), want it URL-encoded as S3 writes it", r.S3.Object.Key, r.S3.Object.URLDecodedKey)
	}
	// What Lambda would hand the function: the event as JSON, read back.
	b, _ := json.Marshal(ev)
	var back events.S3Event
	if err := json.Unmarshal(b, &back); err != nil || back.Records[0].S3.Object.URLDecodedKey != "extracts/A B/x+y.csv" {
		t.Errorf("the event does not read back as an S3 event: %v %+v", err, back)
	}
}

func TestNotificationsAreDeliveredWithRetries(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	done := make(chan struct{})
	h := &s3Events{log: slog.New(slog.NewTextHandler(io.Discard, nil)), retries: []time.Duration{time.Millisecond, time.Millisecond}, ctx: context.Background(),
		ingest: func(_ context.Context, ev events.S3Event) error {
			mu.Lock()
			defer mu.Unlock()
			calls++
			if calls < 3 {
				return errors.New("throttled")
			}
			close(done)
			return nil
		}}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, S3EventsPath, strings.NewReader(versityBody)))
	if rec.Code != http.StatusAccepted {
		t.Fatalf("status %d", rec.Code)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("not delivered")
	}
	h.wg.Wait()
	if calls != 3 {
		t.Errorf("%d calls, want the first and two retries", calls)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, S3EventsPath, strings.NewReader(`{"Service":"S3","Event":"s3:TestEvent"}`)))
	if rec.Code != http.StatusAccepted || calls != 3 {
		t.Errorf("the start-up test event: %d, %d calls", rec.Code, calls)
	}
}
