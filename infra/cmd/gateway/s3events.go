package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ddat-workforce/returns/shared/ingest"
)

// S3EventsPath is where versitygw posts its bucket notifications (--event-webhook-url).
const S3EventsPath = "/_local/s3-events"

// versityEvent is a notification as versitygw posts it: the records of an S3 event, with
// the event name prefixed "s3:", the key not URL-encoded, and empty strings for times it
// does not know. Its start-up test event has no records.
type versityEvent struct {
	Records []struct {
		EventVersion string `json:"eventVersion"`
		EventSource  string `json:"eventSource"`
		AwsRegion    string `json:"awsRegion"`
		EventTime    string `json:"eventTime"`
		EventName    string `json:"eventName"`
		UserIdentity struct {
			PrincipalID string `json:"PrincipalId"`
		} `json:"userIdentity"`
		RequestParameters struct {
			SourceIPAddress string `json:"sourceIPAddress"`
		} `json:"requestParameters"`
		ResponseElements map[string]string `json:"responseElements"`
		S3               struct {
			S3SchemaVersion string `json:"s3SchemaVersion"`
			ConfigurationID string `json:"configurationId"`
			Bucket          struct {
				Name string `json:"name"`
				Arn  string `json:"arn"`
			} `json:"bucket"`
			Object struct {
				Key       string  `json:"key"`
				Size      int64   `json:"size"`
				ETag      *string `json:"eTag"`
				VersionID *string `json:"versionId"`
				Sequencer string  `json:"sequencer"`
			} `json:"object"`
		} `json:"s3"`
	}
}

// s3Event is the S3 event AWS documents for the records of a versitygw notification that
// the template's notification would deliver: objects created under extracts/.
func (v versityEvent) s3Event() events.S3Event {
	var ev events.S3Event
	for _, r := range v.Records {
		name := strings.TrimPrefix(r.EventName, "s3:")
		if !strings.HasPrefix(name, "ObjectCreated:") || !strings.HasPrefix(r.S3.Object.Key, ingest.KeyPrefix) {
			continue
		}
		t, _ := time.Parse(time.RFC3339, r.EventTime)
		segments := strings.Split(r.S3.Object.Key, "/")
		for i, s := range segments {
			segments[i] = url.QueryEscape(s)
		}
		obj := events.S3Object{Key: strings.Join(segments, "/"), URLDecodedKey: r.S3.Object.Key, Size: r.S3.Object.Size, Sequencer: r.S3.Object.Sequencer}
		if r.S3.Object.ETag != nil {
			obj.ETag = *r.S3.Object.ETag
		}
		if r.S3.Object.VersionID != nil {
			obj.VersionID = *r.S3.Object.VersionID
		}
		ev.Records = append(ev.Records, events.S3EventRecord{
			EventVersion: r.EventVersion, EventSource: r.EventSource, AWSRegion: r.AwsRegion, EventTime: t, EventName: name,
			PrincipalID:       events.S3UserIdentity{PrincipalID: r.UserIdentity.PrincipalID},
			RequestParameters: events.S3RequestParameters{SourceIPAddress: r.RequestParameters.SourceIPAddress},
			ResponseElements:  r.ResponseElements,
			S3: events.S3Entity{SchemaVersion: r.S3.S3SchemaVersion, ConfigurationID: r.S3.ConfigurationID,
				Bucket: events.S3Bucket{Name: r.S3.Bucket.Name, Arn: "arn:aws:s3:::" + r.S3.Bucket.Name}, Object: obj},
		})
	}
	return ev
}

// s3Events delivers versitygw's notifications to the ingest handler as S3 invokes a
// function: asynchronously (the notification is answered at once), with two retries a
// little apart when the handler fails, then a log line where Lambda would use the
// dead-letter queue.
type s3Events struct {
	ingest  func(context.Context, events.S3Event) error
	log     *slog.Logger
	retries []time.Duration
	ctx     context.Context // ends when the gateway shuts down
	wg      sync.WaitGroup
}

func (s *s3Events) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST a bucket notification", http.StatusMethodNotAllowed)
		return
	}
	var v versityEvent
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&v); err != nil {
		http.Error(w, "not a bucket notification", http.StatusBadRequest)
		return
	}
	ev := v.s3Event()
	w.WriteHeader(http.StatusAccepted)
	if len(ev.Records) == 0 {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.deliver(ev)
	}()
}

func (s *s3Events) deliver(ev events.S3Event) {
	for attempt := 0; ; attempt++ {
		err := s.ingest(context.WithoutCancel(s.ctx), ev)
		if err == nil {
			return
		}
		if attempt == len(s.retries) {
			s.log.Error("S3 event failed every retry (dead-lettered on AWS)", "key", ev.Records[0].S3.Object.URLDecodedKey, "error", err.Error())
			return
		}
		s.log.Warn("S3 event failed; retrying", "key", ev.Records[0].S3.Object.URLDecodedKey, "attempt", attempt+1, "error", err.Error())
		select {
		case <-time.After(s.retries[attempt]):
		case <-s.ctx.Done():
			return
		}
	}
}
