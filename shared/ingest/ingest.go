// Package ingest is the journey of a staff extract (SPEC §10): an organisation asks to send
// one, giving the answers an extract cannot compute, and gets a presigned upload; when the
// file lands, it is streamed through the extract domain, the return it amounts to is stored
// as any return is, and the file is deleted. Its status is kept, never a row of it.
//
// It imports nothing from AWS: the status records, the object store and the event that
// starts an ingest are interfaces and plain values, adapted in dynamo, s3store and app.
package ingest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/shared/extract"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// Where extracts are uploaded, how long an upload URL works and how long a status is kept.
const (
	KeyPrefix = "extracts/"
	UploadTTL = 15 * time.Minute
	// DefaultLease is how long an ingest holds an extract before another delivery of its
	// event may take it over: longer than the ingest function's timeout.
	DefaultLease = 3 * time.Minute
	// RecordTTL is how long an extract's status is kept; the version it made is kept for
	// ever, like any other.
	RecordTTL = 90 * 24 * time.Hour
)

// MaxBytes is the largest extract (SPEC §10: 100 MB).
const MaxBytes = extract.MaxBytes

// Format is the kind of file an extract is.
type Format string

const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ContentType is the media type an upload of format f must declare: it is signed into
// the upload URL, so S3 refuses any other.
func (f Format) ContentType() string {
	if f == XLSX {
		return workforce.FormatXLSX.ContentType()
	}
	return "text/csv"
}

// Status is where an extract is on its way to a return.
type Status string

const (
	Pending    Status = "pending"    // asked for; the file has not arrived
	Processing Status = "processing" // the file arrived and is being read
	Accepted   Status = "accepted"   // a return was stored (or was already current)
	Rejected   Status = "rejected"   // the file or the return it made has problems
)

// Extract is the record of one extract: who asked for it, the answers given beside it,
// and what it came to. It never holds a value from the file.
type Extract struct {
	ID            string
	Org           string
	Period        period.Quarter
	Format        Format
	ContentLength int64
	Key           string
	// Answers are the normalised identity and leadership fields, keyed as the return's.
	Answers map[string]string

	RequestedBy    string // the token's subject
	RequesterOrg   string
	RequesterRoles []string
	RequestedAt    time.Time
	UploadExpires  time.Time

	Status     Status
	LeaseUntil time.Time // while processing
	StartedAt  time.Time
	FinishedAt time.Time

	Rows    int
	SHA256  string
	Ignored []string // header cells not in the column catalogue
	Receipt *workforce.Receipt
	// Message, Problems (at most extract.MaxProblems) and ProblemCounts (all, by code) say
	// why an extract was rejected; Warnings are the extract's, beside the receipt's own.
	Message       string
	Problems      []workforce.Problem
	ProblemCounts map[string]int
	Warnings      []workforce.Problem
}

// Principal is who asked for the extract; the return is stored on their authority.
func (e Extract) Principal() workforce.Principal {
	return workforce.Principal{Subject: e.RequestedBy, Org: e.RequesterOrg, Roles: e.RequesterRoles}
}

// ErrStatusChanged is returned by Store.Update when the extract is no longer in the
// status the update starts from.
var ErrStatusChanged = errors.New("extract status changed")

// Store keeps extract records.
type Store interface {
	// CreateExtract records a new extract; its id is new.
	CreateExtract(ctx context.Context, e Extract) error
	// Extract is the record of id, nil if there is none.
	Extract(ctx context.Context, id string) (*Extract, error)
	// ClaimExtract moves a pending extract, or one whose processing lease ended before
	// now, to processing until leaseUntil, in one conditional write. It answers the record
	// (nil if there is none) and whether this call claimed it.
	ClaimExtract(ctx context.Context, id string, now, leaseUntil time.Time) (*Extract, bool, error)
	// UpdateExtract writes e on condition that the stored record's status is still from.
	UpdateExtract(ctx context.Context, e Extract, from Status) error
}

// UploadURL is a presigned upload: the client sends the file with Method to URL with
// exactly these Headers before ExpiresAt.
type UploadURL struct {
	URL       string
	Method    string
	Headers   map[string]string
	ExpiresAt time.Time
}

// Object is an uploaded extract being read.
type Object struct {
	Body        io.ReadCloser
	Size        int64
	ContentType string
}

// Objects is where extracts are uploaded.
type Objects interface {
	// PresignPut is a URL that accepts one PUT of key, of exactly size bytes declared as
	// contentType, until ttl has passed.
	PresignPut(ctx context.Context, key, contentType string, size int64, ttl time.Duration) (UploadURL, error)
	// OpenExtract streams an object (versionID may be empty); nil when there is none.
	OpenExtract(ctx context.Context, key, versionID string) (*Object, error)
	// DeleteExtract removes the object for good (that version, when one is named).
	DeleteExtract(ctx context.Context, key, versionID string) error
}

// Event says an object was created: what S3 notifications carry for one record.
type Event struct {
	Key       string // decoded
	VersionID string
	Size      int64
}

// newID is a sortable, unguessable extract id: time, then 128 random bits.
func newID(t time.Time) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

var idPattern = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{32}$`)

// ValidID reports whether id could be an extract's id.
func ValidID(id string) bool { return idPattern.MatchString(id) }

// objectKey is where extract e is uploaded: extracts/<org>/<period>/<id>.<format>.
func objectKey(org string, q period.Quarter, id string, f Format) string {
	return fmt.Sprintf("%s%s/%s/%s.%s", KeyPrefix, org, q, id, f)
}

// idOfKey is the extract id an object key names, "" if it names none.
func idOfKey(key string) string {
	if !strings.HasPrefix(key, KeyPrefix) {
		return ""
	}
	base := key[strings.LastIndexByte(key, '/')+1:]
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	if !ValidID(base) {
		return ""
	}
	return base
}
