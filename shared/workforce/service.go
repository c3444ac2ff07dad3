package workforce

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/textsafe"
)

// Version is one accepted submission of an organisation-period. Versions are immutable.
type Version struct {
	SubmissionID string
	Org          string
	Period       period.Quarter
	Number       int
	Kind         OrgKind
	Values       map[string]string
	Warnings     []Problem
	SHA256       string // of the normalised content: equal content, equal hash
	FileSHA256   string // of the file as uploaded
	FileKey      string // where the uploaded file is kept
	Format       string // xlsx, csv, json, bulk_csv, extract
	// Rows is how many staff rows the extract a return was computed from held (format
	// extract); FileSHA256 is then the extract's, and no file is kept (FileKey is empty).
	Rows       int
	ReceivedAt time.Time
	// FirstReceivedAt is when version 1 arrived: lateness is judged on it, so a correction
	// sent after the due date does not make an on-time return late.
	FirstReceivedAt time.Time
	SubmittedBy     string // the token's subject, an opaque id
	// SignOff is the version's sign-off when it is the current version read through the
	// current pointer (ReturnStore.Current, CurrentByPeriod); nil otherwise, or when it has
	// none. SignOffStore.SignOffs has every version's.
	SignOff *SignOff
}

// Return rebuilds the normalised return of a version.
func (v Version) Return() Return {
	return Return{Org: v.Org, Period: v.Period, Kind: v.Kind, Values: v.Values}
}

// RevisionReason is why the version was sent, "" if it says nothing (a first version may not).
func (v Version) RevisionReason() string { return v.Values[KeyRevisionReason] }

// Receipt is what a submitter gets back.
type Receipt struct {
	SubmissionID string    `json:"submission_id"`
	Org          string    `json:"org"`
	Period       string    `json:"period"`
	Version      int       `json:"version"`
	Duplicate    bool      `json:"duplicate"`
	SHA256       string    `json:"sha256"`
	ReceivedAt   time.Time `json:"received_at"`
	Warnings     []Problem `json:"warnings"`
	// RevisionReason is the version's reason for the change: always there from version 2.
	RevisionReason string `json:"revision_reason,omitempty"`
}

func receiptOf(v *Version, duplicate bool) Receipt {
	ws := v.Warnings
	if ws == nil {
		ws = []Problem{}
	}
	return Receipt{SubmissionID: v.SubmissionID, Org: v.Org, Period: v.Period.String(), Version: v.Number,
		Duplicate: duplicate, SHA256: v.SHA256, ReceivedAt: v.ReceivedAt, Warnings: ws, RevisionReason: v.RevisionReason()}
}

// IdempotencyRecord remembers the answer to a request sent with an Idempotency-Key.
type IdempotencyRecord struct {
	Scope       string // who sent it: the same key from two users is two keys
	Key         string
	RequestHash string
	Receipts    []Receipt
	Created     bool // whether the first answer created a version (201) or not (200)
	ExpiresAt   time.Time
}

// ErrVersionConflict is returned by ReturnStore.Append when another submission took the
// version number first; the service reads the new current version and tries again.
var ErrVersionConflict = errors.New("version conflict")

// ErrIdempotencyConflict is returned when another request with the same idempotency key
// recorded its answer first.
var ErrIdempotencyConflict = errors.New("idempotency key already recorded")

// ReturnStore keeps versions. Append must be atomic: it writes version v.Number and moves
// the current pointer from v.Number−1 to it, or does nothing and answers
// ErrVersionConflict. idem, when not nil, is recorded in the same transaction.
type ReturnStore interface {
	Current(ctx context.Context, org string, q period.Quarter) (*Version, error)
	Version(ctx context.Context, org string, q period.Quarter, n int) (*Version, error)
	Versions(ctx context.Context, org string, q period.Quarter) ([]Version, error)
	CurrentByOrg(ctx context.Context, org string) ([]Version, error)
	CurrentByPeriod(ctx context.Context, q period.Quarter) ([]Version, error)
	Append(ctx context.Context, v Version, idem *IdempotencyRecord) error
	Idempotency(ctx context.Context, scope, key string) (*IdempotencyRecord, error)
	PutIdempotency(ctx context.Context, rec IdempotencyRecord) error
}

// OrganisationStore keeps the register.
type OrganisationStore interface {
	Organisation(ctx context.Context, code string) (*Organisation, error)
	Organisations(ctx context.Context) ([]Organisation, error)
	PutOrganisation(ctx context.Context, o Organisation) error
}

// FileStore keeps uploaded files for audit.
type FileStore interface {
	PutUpload(ctx context.Context, key string, body []byte, contentType string) error
	// DeleteUpload removes a file that the same request stored and that no version came to
	// reference (it ended as a duplicate or failed). Keys are unique to a request, so it
	// never removes another request's file.
	DeleteUpload(ctx context.Context, key string) error
}

// Format is how a return arrived.
type Format string

const (
	FormatXLSX    Format = "xlsx"
	FormatCSV     Format = "csv"
	FormatJSON    Format = "json"
	FormatBulkCSV Format = "bulk_csv"
)

// ContentTypeXLSX is the media type of an Excel workbook: the return template, a filled
// return, a published edition.
const ContentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// ContentType is the media type a file of format f is kept with. The service decides it
// from the format it read; the client's header, whose parameters can be anything, is never
// stored.
func (f Format) ContentType() string {
	switch f {
	case FormatXLSX:
		return ContentTypeXLSX
	case FormatCSV, FormatBulkCSV:
		return "text/csv; charset=utf-8"
	case FormatJSON:
		return "application/json"
	}
	return "application/octet-stream"
}

// Upload is a submission as it reached the service.
type Upload struct {
	Principal      Principal
	Format         Format
	Body           []byte
	IdempotencyKey string
	// RevisionReason is a reason for the revision given beside the file (?revision_reason=
	// on POST /returns), for a workbook sent as it is: it counts as the file's
	// revision_reason, and a file that gives a different one is refused.
	RevisionReason string
	// computed is set for a return computed from a staff extract: Body is then the
	// computed fields, the hash and row count are the extract's, and no file is kept.
	computed *Computed
}

// Service collects returns.
type Service struct {
	Returns       ReturnStore
	Organisations OrganisationStore
	Files         FileStore
	SignOffs      SignOffStore
	ParseXLSX     func([]byte) ([]RawField, error)
	DueDays       int
	Now           func() time.Time
	// MaxAttempts bounds retries when concurrent submissions race for a version number.
	MaxAttempts int
	// Log records what cannot be answered to the client, such as a file that could not be
	// deleted after a failure; slog.Default() when nil.
	Log *slog.Logger
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Register loads the organisation register.
func (s *Service) Register(ctx context.Context) (Register, error) {
	orgs, err := s.Organisations.Organisations(ctx)
	if err != nil {
		return nil, err
	}
	reg := make(Register, len(orgs))
	for _, o := range orgs {
		reg[o.Code] = o
	}
	return reg, nil
}

func forbiddenWrite(p Principal, org string) error {
	return Errorf(EForbidden, "You can submit returns only for your own organisation (%s), not %s.", textsafe.OrNone(p.Org), strings.ToUpper(strings.TrimSpace(org)))
}

// withReason adds a revision reason given beside the file to its fields. The file's own
// reason, if it has one, must say the same.
func withReason(raw []RawField, reason string) ([]RawField, error) {
	if reason == "" {
		return raw, nil
	}
	switch own := rawValue(raw, KeyRevisionReason); {
	case own == "":
		return append(raw, RawField{Key: KeyRevisionReason, Value: reason}), nil
	case own != strings.TrimSpace(reason):
		return nil, Invalid("The return has 1 problem; nothing was stored.", []Problem{{Field: KeyRevisionReason,
			Code: "revision_reason_twice", Message: "The file gives a reason for the revision and so does the request, and they differ. Give the reason once."}})
	}
	return raw, nil
}

// rawValue is the value given for key, "" if none.
func rawValue(raw []RawField, key string) string {
	for _, rf := range raw {
		if strings.TrimSpace(rf.Key) == key {
			return strings.TrimSpace(rf.Value)
		}
	}
	return ""
}

// registerFor is the part of the register a single return needs: its organisation, read
// by key, so a submission's cost does not grow with the register.
func (s *Service) registerFor(ctx context.Context, raw []RawField) (Register, error) {
	reg := Register{}
	code := strings.ToUpper(rawValue(raw, KeyOrg))
	if !ValidOrgCode(code) {
		return reg, nil
	}
	o, err := s.Organisations.Organisation(ctx, code)
	if err != nil || o == nil {
		return reg, err
	}
	reg[o.Code] = *o
	return reg, nil
}

// Submit checks and stores one return. created is false for a duplicate (or a replayed
// idempotent request whose first answer was a duplicate).
func (s *Service) Submit(ctx context.Context, up Upload) (r Receipt, created bool, err error) {
	rs, created, err := s.submit(ctx, up, func(ctx context.Context, received time.Time) ([]Return, error) {
		ret, err := s.checkOne(ctx, up, received)
		if err != nil {
			return nil, err
		}
		return []Return{ret}, nil
	})
	if err != nil {
		return Receipt{}, false, err
	}
	return rs[0], created, nil
}

// checkOne parses and validates a single return as Submit and Check both do.
func (s *Service) checkOne(ctx context.Context, up Upload, received time.Time) (Return, error) {
	raw, err := s.parse(up)
	if err != nil {
		return Return{}, err
	}
	if raw, err = withReason(raw, up.RevisionReason); err != nil {
		return Return{}, err
	}
	// Whose return it is decides who may send it, before anything about its content
	// is said: another organisation's return is refused whatever it holds.
	if org := rawValue(raw, KeyOrg); org != "" && !WriteReturns.Allows(up.Principal, org) {
		return Return{}, forbiddenWrite(up.Principal, org)
	}
	reg, err := s.registerFor(ctx, raw)
	if err != nil {
		return Return{}, err
	}
	ret, ps := Normalise(raw, reg, received)
	if len(ps) > 0 {
		return Return{}, Invalid(fmt.Sprintf("The return has %d %s; nothing was stored.", len(ps), plural(len(ps), "problem", "problems")), ps)
	}
	if !WriteReturns.Allows(up.Principal, ret.Org) {
		return Return{}, forbiddenWrite(up.Principal, ret.Org)
	}
	return ret, nil
}

// Checked is what sending a return would do, found without storing anything.
type Checked struct {
	Return   Return
	Warnings []Problem
	SHA256   string
	// Duplicate is true when the content repeats the current version: sending it would
	// store nothing new. Version is then the current version's number; otherwise the
	// number sending it would make.
	Duplicate bool
	Version   int
}

// Check validates a return exactly as Submit would, with the same authorisation,
// problems and warnings, and writes nothing: no version, no file, no idempotency record.
func (s *Service) Check(ctx context.Context, up Upload) (Checked, error) {
	received := s.now()
	ret, err := s.checkOne(ctx, up, received)
	if err != nil {
		return Checked{}, err
	}
	st, err := s.prepare(ctx, Version{Org: ret.Org, Period: ret.Period, Kind: ret.Kind, Values: ret.Values,
		SHA256: ret.ContentHash(), ReceivedAt: received})
	if err != nil {
		return Checked{}, err
	}
	c := Checked{Return: ret, SHA256: st.v.SHA256, Version: 1}
	first := received
	if st.cur != nil {
		c.Version, first = st.cur.Number+1, st.cur.FirstReceivedAt
	}
	c.Warnings = Warnings(ret, st.prev, first, s.DueDays)
	if st.duplicate() {
		c.Duplicate, c.Version, c.Warnings = true, st.cur.Number, st.cur.Warnings
	} else if p := reasonProblem(st.v, st.cur, 0); p != nil {
		return Checked{}, Invalid("The return has 1 problem; nothing was stored.", []Problem{*p})
	}
	if c.Warnings == nil {
		c.Warnings = []Problem{}
	}
	return c, nil
}

// SubmitBulk checks every row of a bulk CSV and stores nothing unless all are valid.
func (s *Service) SubmitBulk(ctx context.Context, up Upload) ([]Receipt, error) {
	up.Format = FormatBulkCSV
	rs, _, err := s.submit(ctx, up, func(ctx context.Context, received time.Time) ([]Return, error) {
		rows, err := ParseBulkCSV(up.Body)
		if err != nil {
			return nil, err
		}
		reg, err := s.Register(ctx)
		if err != nil {
			return nil, err
		}
		var all []Problem
		var rets []Return
		seen := map[string]int{}
		for i, raw := range rows {
			ret, ps := Normalise(raw, reg, received)
			for _, p := range ps {
				p.Row = i + 1
				all = append(all, p)
			}
			if len(ps) == 0 {
				id := ret.Org + " " + ret.Period.String()
				if first, dup := seen[id]; dup {
					all = append(all, Problem{Row: i + 1, Line: raw[0].Line, Code: "duplicate_return", Message: fmt.Sprintf("Row %d is a second return for %s; row %d already has it.", i+1, id, first)})
				}
				seen[id] = i + 1
			}
			rets = append(rets, ret)
		}
		if len(all) > 0 {
			return nil, Invalid(fmt.Sprintf("The bulk file has %d %s; nothing was stored.", len(all), plural(len(all), "problem", "problems")), all)
		}
		return rets, nil
	})
	return rs, err
}

func (s *Service) parse(up Upload) ([]RawField, error) {
	switch up.Format {
	case FormatXLSX:
		return s.ParseXLSX(up.Body)
	case FormatCSV:
		return ParseCSV(up.Body)
	case FormatJSON:
		return ParseJSON(up.Body)
	case FormatExtract:
		if up.computed != nil {
			return up.computed.Fields, nil
		}
	}
	return nil, Errorf(EUnsupported, "Send a return as an Excel workbook, CSV or JSON.")
}

// submit is the path every submission takes: idempotency, checks, authorisation, then
// one version per return, with the audit copy of the file stored first. A return whose
// content is already current is answered as a duplicate without storing a file, and a
// file stored for a request that ends creating no version is deleted again, so no file is
// left that no version references.
func (s *Service) submit(ctx context.Context, up Upload, check func(context.Context, time.Time) ([]Return, error)) ([]Receipt, bool, error) {
	received := s.now()
	requestHash := sha256Hex(append([]byte(string(up.Format)+"\n"), up.Body...))
	if up.RevisionReason != "" {
		// The same file with another reason is another request.
		requestHash = sha256Hex([]byte(requestHash + "\n" + up.RevisionReason))
	}
	if up.IdempotencyKey != "" {
		if rec, err := s.replay(ctx, up, requestHash); rec != nil || err != nil {
			return recReceipts(rec), rec != nil && rec.Created, err
		}
	}
	rets, err := check(ctx, received)
	if err != nil {
		return nil, false, err
	}
	for _, r := range rets {
		if !WriteReturns.Allows(up.Principal, r.Org) {
			return nil, false, forbiddenWrite(up.Principal, r.Org)
		}
	}

	id := newID(received)
	fileKey := fmt.Sprintf("uploads/%s/%s.%s", received.Format("2006/01/02"), id, extension(up.Format))
	if len(rets) == 1 {
		fileKey = fmt.Sprintf("uploads/%s/%s/%s.%s", rets[0].Org, rets[0].Period, id, extension(up.Format))
	}
	fileSHA256, rows := sha256Hex(up.Body), 0
	if up.computed != nil {
		// The extract is personal data: only its hash and row count are kept.
		fileKey, fileSHA256, rows = "", up.computed.SourceSHA256, up.computed.Rows
	}
	steps := make([]step, len(rets))
	needsFile := false
	for i, r := range rets {
		v := Version{SubmissionID: id, Org: r.Org, Period: r.Period, Kind: r.Kind, Values: r.Values,
			SHA256: r.ContentHash(), FileSHA256: fileSHA256, FileKey: fileKey, Format: string(up.Format),
			Rows: rows, ReceivedAt: received, SubmittedBy: up.Principal.Subject}
		if len(rets) > 1 {
			v.SubmissionID = fmt.Sprintf("%s-%d", id, i+1)
		}
		if steps[i], err = s.prepare(ctx, v); err != nil {
			return nil, false, err
		}
		if len(rets) > 1 {
			steps[i].row = i + 1
		}
		needsFile = needsFile || (!steps[i].duplicate() && fileKey != "")
	}
	// A revision without its reason is refused before anything is stored, every row of a
	// bulk file at once. appendVersion checks again against the version it really follows.
	var missing []Problem
	for _, st := range steps {
		if p := reasonProblem(st.v, st.cur, st.row); p != nil && !st.duplicate() {
			missing = append(missing, *p)
		}
	}
	if len(missing) > 0 {
		what := "return"
		if len(rets) > 1 {
			what = "bulk file"
		}
		return nil, false, Invalid(fmt.Sprintf("The %s has %d %s; nothing was stored.", what, len(missing), plural(len(missing), "problem", "problems")), missing)
	}

	created := false
	if needsFile {
		// The file is stored first so that no version ever points at a missing file.
		err := s.Files.PutUpload(ctx, fileKey, up.Body, up.Format.ContentType())
		// Whatever happens next, a file no version came to reference does not stay. A
		// failed put is deleted too: its answer may have been lost after it was stored.
		defer func() {
			if !created {
				s.discardUpload(ctx, fileKey)
			}
		}()
		if err != nil {
			return nil, false, fmt.Errorf("store uploaded file: %w", err)
		}
	}
	var idem *IdempotencyRecord
	if up.IdempotencyKey != "" {
		idem = &IdempotencyRecord{Scope: idemScope(up.Principal), Key: up.IdempotencyKey, RequestHash: requestHash, ExpiresAt: received.Add(24 * time.Hour)}
	}
	receipts := make([]Receipt, 0, len(rets))
	for i, st := range steps {
		var recordHere *IdempotencyRecord
		if idem != nil && i == len(steps)-1 {
			// The record is written with the last version, once every receipt is known.
			idem.Receipts = receipts
			recordHere = idem
		}
		rc, stored, err := s.appendVersion(ctx, st, recordHere)
		created = created || stored
		if errors.Is(err, ErrIdempotencyConflict) {
			rec, rerr := s.replay(ctx, up, requestHash)
			if rerr != nil || rec == nil {
				return nil, false, errors.Join(err, rerr)
			}
			return rec.Receipts, rec.Created, nil
		}
		if err != nil {
			return nil, false, err
		}
		receipts = append(receipts, rc)
	}
	return receipts, created, nil
}

// discardUpload deletes a file this request stored that no version references. It runs
// even when the request's context has ended, since a timeout is one of the failures it
// cleans up after. If the delete fails too, the file stays and is logged with its key.
func (s *Service) discardUpload(ctx context.Context, key string) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.Files.DeleteUpload(dctx, key); err != nil {
		log := s.Log
		if log == nil {
			log = slog.Default()
		}
		log.ErrorContext(ctx, "uploaded file left without a version", "key", key, "error", err.Error())
	}
}

// step is one return of a submission on its way to becoming a version: the version to
// write, the current version it was checked against and the quarter before's return,
// which its warnings compare with.
type step struct {
	v    Version
	cur  *Version
	prev *Return
	row  int // of a bulk file, 0 for a single return
}

// duplicate reports whether the step's content is already the current version's.
func (st step) duplicate() bool { return st.cur != nil && st.cur.SHA256 == st.v.SHA256 }

// prepare reads the quarter before's return and the current version v would follow.
func (s *Service) prepare(ctx context.Context, v Version) (step, error) {
	prev, err := s.Returns.Current(ctx, v.Org, v.Period.Prev())
	if err != nil {
		return step{}, err
	}
	var prevReturn *Return
	if prev != nil {
		pr := prev.Return()
		prevReturn = &pr
	}
	cur, err := s.Returns.Current(ctx, v.Org, v.Period)
	if err != nil {
		return step{}, err
	}
	return step{v: v, cur: cur, prev: prevReturn}, nil
}

// appendVersion adds st.v as the next version unless it repeats the current one. Racing
// submissions for the same organisation-period retry on conflict; the store's
// conditional transaction guarantees contiguous numbers and one current pointer. stored
// is whether a version was written, or may have been (then err says why it is unknown).
func (s *Service) appendVersion(ctx context.Context, st step, idem *IdempotencyRecord) (rc Receipt, stored bool, err error) {
	attempts := s.MaxAttempts
	if attempts == 0 {
		attempts = 25
	}
	v, cur := st.v, st.cur
	for attempt := 0; attempt < attempts; attempt++ {
		if attempt > 0 {
			if cur, err = s.Returns.Current(ctx, v.Org, v.Period); err != nil {
				return Receipt{}, false, err
			}
		}
		if cur != nil && cur.SHA256 == v.SHA256 {
			rc := receiptOf(cur, true)
			if idem != nil {
				idem.Receipts = append(idem.Receipts, rc)
				if err := s.Returns.PutIdempotency(ctx, *idem); err != nil {
					return Receipt{}, false, err
				}
			}
			return rc, false, nil
		}
		v.Number, v.FirstReceivedAt = 1, v.ReceivedAt
		if cur != nil {
			v.Number, v.FirstReceivedAt = cur.Number+1, cur.FirstReceivedAt
		}
		// Only here is it certain which version this becomes: a return sent as a first
		// version that lost a race to another is a revision of it, and needs a reason.
		if p := reasonProblem(v, cur, st.row); p != nil {
			return Receipt{}, false, Invalid("The return has 1 problem; nothing was stored.", []Problem{*p})
		}
		v.Warnings = Warnings(v.Return(), st.prev, v.FirstReceivedAt, s.DueDays)
		var rec *IdempotencyRecord
		if idem != nil {
			r := *idem
			r.Receipts = append(append([]Receipt{}, idem.Receipts...), receiptOf(&v, false))
			r.Created = true
			rec = &r
		}
		err = s.Returns.Append(ctx, v, rec)
		if errors.Is(err, ErrVersionConflict) {
			if err := backoff(ctx, attempt); err != nil {
				return Receipt{}, false, err
			}
			continue
		}
		if err != nil && !errors.Is(err, ErrIdempotencyConflict) {
			// The write may have succeeded and only its answer been lost (a timeout, a
			// dropped connection): look before calling it a failure.
			written, known := s.written(ctx, v)
			if written {
				return receiptOf(&v, false), true, nil
			}
			// When nobody can tell, the file is kept: a version may point at it.
			return Receipt{}, !known, err
		}
		if err != nil {
			return Receipt{}, false, err
		}
		return receiptOf(&v, false), true, nil
	}
	return Receipt{}, false, Errorf(EConflict, "Too many submissions for %s %s arrived at once; nothing was stored from this one. Please send it again.", v.Org, v.Period)
}

// written reads back whether version v was stored by this request after Append failed
// without saying why; known is false when the read fails too.
func (s *Service) written(ctx context.Context, v Version) (written, known bool) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	got, err := s.Returns.Version(rctx, v.Org, v.Period, v.Number)
	if err != nil {
		return false, false
	}
	return got != nil && got.SubmissionID == v.SubmissionID, true
}

// replay answers a request whose Idempotency-Key was seen before. It is authorised like a
// first request: the caller must be allowed to submit every return the record answered
// for, whatever the key's scope.
func (s *Service) replay(ctx context.Context, up Upload, requestHash string) (*IdempotencyRecord, error) {
	rec, err := s.Returns.Idempotency(ctx, idemScope(up.Principal), up.IdempotencyKey)
	if err != nil || rec == nil {
		return nil, err
	}
	for _, rc := range rec.Receipts {
		if !WriteReturns.Allows(up.Principal, rc.Org) {
			return nil, forbiddenWrite(up.Principal, rc.Org)
		}
	}
	if rec.RequestHash != requestHash {
		return nil, Errorf(EConflict, "The Idempotency-Key %q was already used for a different request. Use a new key for a new submission.", up.IdempotencyKey)
	}
	return rec, nil
}

func recReceipts(rec *IdempotencyRecord) []Receipt {
	if rec == nil {
		return nil
	}
	return rec.Receipts
}

// backoff waits a little, with jitter, before a retry.
func backoff(ctx context.Context, attempt int) error {
	limit := int64(5 * (1 << min(attempt, 5)))
	n, _ := rand.Int(rand.Reader, big.NewInt(limit))
	select {
	case <-time.After(time.Duration(n.Int64()+1) * time.Millisecond):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// idemScope is who a key belongs to: the token's subject, or its organisation for a token
// without one. The prefixes keep the two apart (a subject "org:X" is not organisation X).
func idemScope(p Principal) string {
	if p.Subject != "" {
		return "sub:" + p.Subject
	}
	return "org:" + p.Org
}

func extension(f Format) string {
	switch f {
	case FormatBulkCSV:
		return "csv"
	}
	return string(f)
}

// newID is a sortable, unguessable submission id: time then randomness.
func newID(t time.Time) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%s", t.Format("20060102T150405.000Z"), hex.EncodeToString(b))
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
