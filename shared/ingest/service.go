package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/shared/extract"
	"github.com/ddat-workforce/returns/shared/numfmt"
	"github.com/ddat-workforce/returns/shared/textsafe"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// Keys of the request that are about the file, not the return.
const (
	KeyFormat        = "format"
	KeyContentLength = "content_length"
)

// Service runs the journey of staff extracts.
type Service struct {
	Extracts Store
	Objects  Objects
	Returns  *workforce.Service
	// Readers read each format an extract may be in; the default is DefaultReaders. A
	// format without one is refused when the extract is asked for.
	Readers map[Format]Reader
	// Options change the extract's limits (tests lower the row limit).
	Options []extract.Option
	// MaxBytes bounds the declared size of an upload; MaxBytes (100 MB) when 0.
	MaxBytes int64
	Lease    time.Duration // DefaultLease when 0
	Now      func() time.Time
	Log      *slog.Logger
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

func (s *Service) readers() map[Format]Reader {
	if s.Readers != nil {
		return s.Readers
	}
	return DefaultReaders
}

func (s *Service) maxBytes() int64 {
	if s.MaxBytes > 0 {
		return s.MaxBytes
	}
	return MaxBytes
}

// Requested is the answer to a request to send an extract.
type Requested struct {
	Extract Extract
	Upload  UploadURL
}

// Request checks the answers given beside an extract and, when they are right, records a
// pending extract and presigns its upload. fields are the request's: the return's identity
// and leadership fields, plus format (csv or xlsx) and content_length (bytes).
func (s *Service) Request(ctx context.Context, p workforce.Principal, fields []workforce.RawField) (Requested, error) {
	var answers []workforce.RawField
	var formatText, lengthText string
	var formatGiven, lengthGiven bool
	for _, rf := range fields {
		switch strings.TrimSpace(rf.Key) {
		case KeyFormat:
			formatText, formatGiven = strings.ToLower(strings.TrimSpace(rf.Value)), true
		case KeyContentLength:
			lengthText, lengthGiven = strings.TrimSpace(rf.Value), true
		default:
			answers = append(answers, rf)
		}
	}
	// Whose extract it is decides who may send it, before anything else is said.
	ret, err := s.Returns.CheckExtractAnswers(ctx, p, answers)
	var ps []workforce.Problem
	var werr *workforce.Error
	switch {
	case err == nil:
	case errors.As(err, &werr) && werr.Code == workforce.EInvalid:
		ps = append(ps, werr.Problems...)
	default:
		return Requested{}, err
	}
	f := Format(formatText)
	switch {
	case !formatGiven || formatText == "":
		ps = append(ps, workforce.Problem{Field: KeyFormat, Code: "required", Message: "Say what the extract is: format csv or xlsx."})
	case f != CSV && f != XLSX:
		ps = append(ps, workforce.Problem{Field: KeyFormat, Code: "unsupported_format", Message: "An extract is a CSV file (format csv) or an Excel workbook (format xlsx)."})
	}
	size := int64(0)
	switch n, perr := strconv.ParseInt(lengthText, 10, 64); {
	case !lengthGiven || lengthText == "":
		ps = append(ps, workforce.Problem{Field: KeyContentLength, Code: "required", Message: "Give the size of the file in bytes (content_length); the upload must be exactly that size."})
	case perr != nil || n < 1:
		ps = append(ps, workforce.Problem{Field: KeyContentLength, Code: "not_a_size", Message: "content_length must be the size of the file in bytes, a whole number from 1."})
	case n > s.maxBytes():
		ps = append(ps, workforce.Problem{Field: KeyContentLength, Code: "extract_too_large", Message: fmt.Sprintf(
			"The file is %s; an extract can be at most %s. Send only staff in post and recent DDaT entrants, and only the columns of a staff extract.", sizeText(n), sizeText(s.maxBytes()))})
	default:
		size = n
	}
	if len(ps) > 0 {
		return Requested{}, workforce.Invalid(fmt.Sprintf("The request has %d %s; no upload was offered.", len(ps), plural(len(ps))), ps)
	}
	if s.readers()[f] == nil {
		return Requested{}, workforce.Errorf(workforce.EUnsupported, "Extracts in format %s cannot be read yet; send the extract as CSV (format csv, saved as \"CSV UTF-8\").", f)
	}

	now := s.now()
	e := Extract{
		ID: newID(now), Org: ret.Org, Period: ret.Period, Format: f, ContentLength: size,
		Answers: ret.Values, RequestedBy: p.Subject, RequesterOrg: p.Org, RequesterRoles: p.Roles,
		RequestedAt: now, UploadExpires: now.Add(UploadTTL), Status: Pending,
	}
	e.Key = objectKey(e.Org, e.Period, e.ID, f)
	up, err := s.Objects.PresignPut(ctx, e.Key, f.ContentType(), size, UploadTTL)
	if err != nil {
		return Requested{}, err
	}
	e.UploadExpires = up.ExpiresAt
	if err := s.Extracts.CreateExtract(ctx, e); err != nil {
		return Requested{}, err
	}
	s.log().InfoContext(ctx, "extract requested", "extract_id", e.ID, "org", e.Org, "period", e.Period.String(), "format", string(f), "content_length", size)
	return Requested{Extract: e, Upload: up}, nil
}

// Status is extract id's record, for someone who may read its organisation's returns.
func (s *Service) Status(ctx context.Context, p workforce.Principal, id string) (Extract, error) {
	if !ValidID(id) {
		return Extract{}, workforce.Errorf(workforce.ENotFound, "There is no extract %s; an extract id is what POST /extracts answered, such as 20250701T093000Z-0123456789abcdef0123456789abcdef.", textsafe.Quote(id))
	}
	e, err := s.Extracts.Extract(ctx, id)
	if err != nil {
		return Extract{}, err
	}
	if e == nil {
		return Extract{}, workforce.Errorf(workforce.ENotFound, "There is no extract %s.", id)
	}
	if !workforce.ReadReturns.Allows(p, e.Org) {
		return Extract{}, workforce.Errorf(workforce.EForbidden, "You can read extracts only for your own organisation (%s).", textsafe.OrNone(p.Org))
	}
	return *e, nil
}

// Ingest reads the extract an object-created event names and records what it came to.
// A second delivery of the same event finds the extract already claimed and does nothing.
// The object is deleted once the extract is accepted or rejected; an error (a store that
// failed, not a problem with the file) hands the extract back, keeping the object, so
// that the event's retry can read it again.
func (s *Service) Ingest(ctx context.Context, ev Event) error {
	log := s.log().With("key", ev.Key)
	id := idOfKey(ev.Key)
	if id == "" {
		log.WarnContext(ctx, "object under extracts/ that no extract names; deleted")
		return s.Objects.DeleteExtract(ctx, ev.Key, ev.VersionID)
	}
	now := s.now()
	lease := s.Lease
	if lease == 0 {
		lease = DefaultLease
	}
	e, claimed, err := s.Extracts.ClaimExtract(ctx, id, now, now.Add(lease))
	if err != nil {
		return err
	}
	log = log.With("extract_id", id)
	switch {
	case e == nil || e.Key != ev.Key:
		log.WarnContext(ctx, "object under extracts/ for no extract asked for; deleted")
		return s.Objects.DeleteExtract(ctx, ev.Key, ev.VersionID)
	case !claimed:
		log.InfoContext(ctx, "extract event delivered again; nothing to do", "status", string(e.Status))
		if e.Status == Accepted || e.Status == Rejected {
			// A second upload to the same URL: the extract was read from the first.
			return s.Objects.DeleteExtract(ctx, ev.Key, ev.VersionID)
		}
		return nil
	}
	e.StartedAt = now
	out, err := s.process(ctx, *e, ev)
	if err != nil {
		e.Status, e.LeaseUntil = Pending, time.Time{}
		if rerr := s.Extracts.UpdateExtract(context.WithoutCancel(ctx), *e, Processing); rerr != nil {
			err = errors.Join(err, fmt.Errorf("hand back extract %s: %w", id, rerr))
		}
		log.ErrorContext(ctx, "extract not read; left for a retry", "error", err.Error())
		return err
	}
	// The file goes first, so that an extract answered as accepted or rejected is gone.
	if err := s.Objects.DeleteExtract(context.WithoutCancel(ctx), ev.Key, ev.VersionID); err != nil {
		// The lifecycle rule removes it within a day; the outcome stands.
		log.ErrorContext(ctx, "extract object not deleted", "error", err.Error())
	}
	out.FinishedAt, out.LeaseUntil = s.now(), time.Time{}
	// With the file gone a retry of the event could not read it again, so the outcome is
	// written with a few tries of its own.
	for attempt := 0; ; attempt++ {
		err := s.Extracts.UpdateExtract(context.WithoutCancel(ctx), out, Processing)
		if err == nil {
			break
		}
		if attempt == 4 || errors.Is(err, ErrStatusChanged) {
			return fmt.Errorf("record extract %s as %s: %w", id, out.Status, err)
		}
		time.Sleep(time.Duration(100<<attempt) * time.Millisecond)
	}
	log.InfoContext(ctx, "extract "+string(out.Status), "org", out.Org, "period", out.Period.String(), "rows", out.Rows,
		"sha256", out.SHA256, "problems", problemTotal(out.ProblemCounts), "duration_ms", out.FinishedAt.Sub(out.StartedAt).Milliseconds())
	return nil
}

// process reads the object and stores the return it amounts to. An error means nothing
// was decided; a verdict on the file is in the Extract's status.
func (s *Service) process(ctx context.Context, e Extract, ev Event) (Extract, error) {
	reject := func(code, msg string) (Extract, error) {
		e.Status, e.Message = Rejected, msg
		e.Problems = []workforce.Problem{{Code: code, Message: msg}}
		e.ProblemCounts = map[string]int{code: 1}
		return e, nil
	}
	obj, err := s.Objects.OpenExtract(ctx, e.Key, ev.VersionID)
	if err != nil {
		return e, err
	}
	if obj == nil {
		return reject("extract_missing", "The uploaded file could not be found. Ask for a new upload and send the file again.")
	}
	defer obj.Body.Close()
	switch {
	case obj.Size > s.maxBytes():
		return reject("extract_too_large", fmt.Sprintf("The file is %s; an extract can be at most %s.", sizeText(obj.Size), sizeText(s.maxBytes())))
	case obj.Size != e.ContentLength:
		return reject("size_mismatch", fmt.Sprintf("The file uploaded is %s bytes, but the request said %s. Ask for a new upload with the file's exact size.",
			numfmt.Int(obj.Size), numfmt.Int(e.ContentLength)))
	case !sameMediaType(obj.ContentType, e.Format.ContentType()):
		return reject("wrong_content_type", fmt.Sprintf("The file was uploaded as %s, not %s as asked.", textsafe.Quote(obj.ContentType), e.Format.ContentType()))
	}
	read := s.readers()[e.Format]
	if read == nil {
		return reject("unsupported_format", fmt.Sprintf("Extracts in format %s cannot be read.", e.Format))
	}
	body := newHashingReader(obj.Body)
	res, err := read(ctx, body, obj.Size, e.Period, s.Options...)
	if err != nil {
		return e, err
	}
	e.Rows, e.Ignored, e.Warnings = res.Rows, res.Ignored, res.Warnings
	if err := res.Err(); err != nil {
		e.Status, e.Message = Rejected, workforce.ErrorMessage(err)
		e.Problems, e.ProblemCounts = res.Problems, res.ProblemCounts
		return e, nil
	}
	sum, err := body.finish(obj.Size)
	if err != nil {
		return e, err
	}
	e.SHA256 = sum
	fields := []workforce.RawField{}
	for _, f := range workforce.Fields {
		if v, ok := e.Answers[f.Key]; ok {
			fields = append(fields, workforce.RawField{Key: f.Key, Value: v})
		}
	}
	fields = append(fields, res.RawFields()...)
	rc, _, err := s.Returns.SubmitComputed(ctx, workforce.Computed{Principal: e.Principal(), Fields: fields,
		SourceSHA256: sum, Rows: res.Rows, IdempotencyKey: e.ID})
	var werr *workforce.Error
	switch {
	case err == nil:
		e.Status, e.Receipt = Accepted, &rc
		return e, nil
	case errors.As(err, &werr) && werr.Code != workforce.EInternal && werr.Code != workforce.EConflict:
		b := werr.Bounded()
		e.Status, e.Message, e.Problems, e.ProblemCounts = Rejected, b.Message, b.Problems, werr.CodeCounts()
		if e.Problems == nil {
			e.ProblemCounts = map[string]int{werr.Code: 1}
		}
		return e, nil
	}
	return e, err
}

func sameMediaType(got, want string) bool {
	got, _, _ = strings.Cut(got, ";")
	return strings.EqualFold(strings.TrimSpace(got), want)
}

func problemTotal(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

func sizeText(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%s MB", strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64))
	}
	return fmt.Sprintf("%s KB", numfmt.Int((n+1023)/1024))
}

func plural(n int) string {
	if n == 1 {
		return "problem"
	}
	return "problems"
}
