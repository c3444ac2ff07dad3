// Package s3store keeps files in S3: uploaded returns under uploads/ for audit, rollup
// snapshots under rollups/ and workbooks under reports/.
package s3store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ddat-workforce/returns/shared/workforce"
)

// Store writes to one bucket.
type Store struct {
	Client *s3.Client
	Bucket string
}

var _ workforce.FileStore = (*Store)(nil)

// PutUpload stores an uploaded file. Keys carry a unique submission id, so a put never
// replaces an earlier file; the bucket is versioned as well.
func (s *Store) PutUpload(ctx context.Context, key string, body []byte, contentType string) error {
	sum := sha256.Sum256(body)
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	_, err := s.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:         &s.Bucket,
		Key:            &key,
		Body:           bytes.NewReader(body),
		ContentLength:  aws.Int64(int64(len(body))),
		ContentType:    &contentType,
		ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(sum[:])),
		IfNoneMatch:    aws.String("*"),
	})
	if err != nil {
		return fmt.Errorf("put s3://%s/%s: %w", s.Bucket, key, err)
	}
	return nil
}

// DeleteUpload deletes an uploaded file that no version references. The bucket is
// versioned, so the bytes stay as a noncurrent version behind a delete marker until the
// bucket's lifecycle rule for uploads/ expires them (template.yaml). Accepted files are
// never deleted or overwritten, so they never become noncurrent.
func (s *Store) DeleteUpload(ctx context.Context, key string) error {
	if !strings.HasPrefix(key, "uploads/") {
		return fmt.Errorf("delete s3://%s/%s: only files under uploads/ are deleted", s.Bucket, key)
	}
	if _, err := s.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.Bucket, Key: &key}); err != nil {
		return fmt.Errorf("delete s3://%s/%s: %w", s.Bucket, key, err)
	}
	return nil
}

// Get reads an object, for audit and tests.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	out, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.Bucket, Key: &key})
	if err != nil {
		return nil, fmt.Errorf("get s3://%s/%s: %w", s.Bucket, key, err)
	}
	defer out.Body.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(out.Body)
	return b.Bytes(), err
}

// Put stores a generated object (a snapshot or a workbook) under key. Keys name a month
// and a revision, so an object is written once and never replaced.
func (s *Store) Put(ctx context.Context, key string, body []byte, contentType string) error {
	return s.PutUpload(ctx, key, body, contentType)
}

// PresignGet is a short-lived URL that downloads key as filename with contentType, for
// a browser to follow.
func (s *Store) PresignGet(ctx context.Context, key, filename, contentType string, ttl time.Duration) (string, error) {
	disposition := `attachment; filename="` + filename + `"`
	req, err := s3.NewPresignClient(s.Client).PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: &s.Bucket, Key: &key, ResponseContentDisposition: &disposition, ResponseContentType: &contentType,
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("presign s3://%s/%s: %w", s.Bucket, key, err)
	}
	return req.URL, nil
}
