package app

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ddat-workforce/returns/shared/ingest"
)

// IngestHandler serves the ingest function: each record of an S3 event that tells of an
// object created under extracts/ in the bucket is read as a staff extract. Lambda and the
// local stack call it with the same event. An error makes Lambda retry the whole event
// (and, after the retries, keep it on the dead-letter queue); records already read are
// claimed, so a retry or a second delivery of them does nothing.
func IngestHandler(svc *ingest.Service, bucket string, log *slog.Logger) func(context.Context, events.S3Event) error {
	return func(ctx context.Context, ev events.S3Event) error {
		var errs []error
		for _, rec := range ev.Records {
			// S3 writes keys URL-encoded, as in a query string.
			key, err := url.QueryUnescape(rec.S3.Object.Key)
			if rec.EventSource != "aws:s3" || !strings.HasPrefix(rec.EventName, "ObjectCreated:") || rec.S3.Bucket.Name != bucket ||
				err != nil || !strings.HasPrefix(key, ingest.KeyPrefix) {
				log.WarnContext(ctx, "S3 event record ignored", "event_source", rec.EventSource, "event_name", rec.EventName, "bucket", rec.S3.Bucket.Name)
				continue
			}
			if err := svc.Ingest(ctx, ingest.Event{Key: key, VersionID: rec.S3.Object.VersionID, Size: rec.S3.Object.Size}); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
}

// NewIngestHandler is the ingest function: S3 events for uploaded staff extracts.
func NewIngestHandler(ctx context.Context, cfg Config) (func(context.Context, events.S3Event) error, error) {
	api, log, err := clientsAndAPI(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return IngestHandler(api.Extracts, cfg.BucketName, log), nil
}
