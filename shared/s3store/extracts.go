package s3store

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/ddat-workforce/returns/shared/ingest"
)

var _ ingest.Objects = (*Store)(nil)

// PresignPut is a SigV4 URL for one PUT of key. The content type and the length are
// signed headers, so S3 refuses a body of any other size or type (SignatureDoesNotMatch),
// and the URL stops working after ttl.
func (s *Store) PresignPut(ctx context.Context, key, contentType string, size int64, ttl time.Duration) (ingest.UploadURL, error) {
	if !strings.HasPrefix(key, ingest.KeyPrefix) {
		return ingest.UploadURL{}, fmt.Errorf("presign s3://%s/%s: uploads are offered only under %s", s.Bucket, key, ingest.KeyPrefix)
	}
	signed := time.Now().UTC()
	req, err := s3.NewPresignClient(s.Client).PresignPutObject(ctx, &s3.PutObjectInput{
		Bucket: &s.Bucket, Key: &key, ContentType: &contentType, ContentLength: aws.Int64(size),
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return ingest.UploadURL{}, fmt.Errorf("presign put s3://%s/%s: %w", s.Bucket, key, err)
	}
	headers := map[string]string{}
	for k, vs := range req.SignedHeader {
		if !strings.EqualFold(k, "host") {
			headers[http.CanonicalHeaderKey(k)] = strings.Join(vs, ",")
		}
	}
	return ingest.UploadURL{URL: req.URL, Method: req.Method, Headers: headers, ExpiresAt: signed.Add(ttl)}, nil
}

// OpenExtract streams an uploaded extract: versionID names the version the event was
// about, "" the current one. It answers nil when there is no such object.
func (s *Store) OpenExtract(ctx context.Context, key, versionID string) (*ingest.Object, error) {
	in := &s3.GetObjectInput{Bucket: &s.Bucket, Key: &key}
	if versionID != "" && versionID != "null" {
		in.VersionId = &versionID
	}
	out, err := s.Client.GetObject(ctx, in)
	var nsk *types.NoSuchKey
	var apiErr smithy.APIError
	if errors.As(err, &nsk) || (errors.As(err, &apiErr) && (apiErr.ErrorCode() == "NoSuchKey" || apiErr.ErrorCode() == "NoSuchVersion")) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get s3://%s/%s: %w", s.Bucket, key, err)
	}
	return &ingest.Object{Body: out.Body, Size: aws.ToInt64(out.ContentLength), ContentType: aws.ToString(out.ContentType)}, nil
}

// DeleteExtract removes an extract for good. The bucket is versioned, and a delete
// without a version only hides the bytes behind a delete marker; deleting the version the
// event named removes them.
func (s *Store) DeleteExtract(ctx context.Context, key, versionID string) error {
	if !strings.HasPrefix(key, ingest.KeyPrefix) {
		return fmt.Errorf("delete s3://%s/%s: only extracts are deleted here", s.Bucket, key)
	}
	in := &s3.DeleteObjectInput{Bucket: &s.Bucket, Key: &key}
	if versionID != "" && versionID != "null" {
		in.VersionId = &versionID
	}
	if _, err := s.Client.DeleteObject(ctx, in); err != nil {
		return fmt.Errorf("delete s3://%s/%s: %w", s.Bucket, key, err)
	}
	return nil
}
