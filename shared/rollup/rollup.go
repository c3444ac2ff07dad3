// Package rollup freezes the monthly figures: it reads the current version of every
// return, computes the metrics and target statuses, and keeps the result as a numbered
// revision of the month together with its workbooks. Running a month again with the same
// inputs creates nothing; with changed inputs it creates the next revision and keeps the
// earlier ones.
package rollup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ddat-workforce/returns/shared/metrics"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/targets"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// Editions of the workbooks.
const (
	EditionManagement = "management" // exact figures, contacts and statuses: leaders and admins
	EditionPublished  = "published"  // disclosure-controlled: anyone signed in
)

// Editions lists the editions in the order they are produced.
var Editions = []string{EditionManagement, EditionPublished}

// InputRef names one version a snapshot used.
type InputRef struct {
	Org     string `json:"org"`
	Period  string `json:"period"`
	Version int    `json:"version"`
	SHA256  string `json:"sha256"`
	// SignedOff is part of the inputs: a sign-off changes what the management edition shows.
	SignedOff bool `json:"signed_off,omitempty"`
}

// Formats of the workbooks: every edition is stored in each, written from the same
// sheets.
const (
	FormatXLSX = "xlsx" // Excel
	FormatODS  = "ods"  // OpenDocument, the GOV.UK standard for documents people edit or share
)

// Formats lists the formats in the order they are produced.
var Formats = []string{FormatXLSX, FormatODS}

// ContentType is the media type of a workbook format.
func ContentType(format string) string {
	if format == FormatODS {
		return "application/vnd.oasis.opendocument.spreadsheet"
	}
	return workforce.ContentTypeXLSX
}

// Report is one stored workbook.
type Report struct {
	Edition string `json:"edition"`
	Format  string `json:"format"` // FormatXLSX or FormatODS; snapshots from before ODS have none and are XLSX
	Key     string `json:"key"`
	SHA256  string `json:"sha256"`
	Bytes   int    `json:"bytes"`
}

// withFormats fills in the format of reports stored before formats were recorded.
func withFormats(reports []Report) {
	for i := range reports {
		if reports[i].Format == "" {
			reports[i].Format = FormatXLSX
		}
	}
}

// Snapshot is one revision of a month's rollup.
type Snapshot struct {
	metrics.Result
	Revision          int        `json:"revision"`
	InputsFingerprint string     `json:"inputs_fingerprint"`
	Inputs            []InputRef `json:"inputs"`
	CreatedAt         time.Time  `json:"created_at"`
	Trigger           string     `json:"trigger"`
	Reports           []Report   `json:"reports"`
}

// Report returns the stored XLSX workbook of an edition.
func (s Snapshot) Report(edition string) (Report, bool) {
	return s.ReportIn(edition, FormatXLSX)
}

// ReportIn returns the stored workbook of an edition in a format.
func (s Snapshot) ReportIn(edition, format string) (Report, bool) {
	for _, r := range s.Reports {
		if r.Edition == edition && (r.Format == format || r.Format == "" && format == FormatXLSX) {
			return r, true
		}
	}
	return Report{}, false
}

// FileName is the name a workbook is stored and downloaded under.
func (s Snapshot) FileName(edition, format string) string {
	return fmt.Sprintf("ddat-workforce-%s-r%d-%s.%s", s.Month, s.Revision, edition, format)
}

// Record is what the table keeps of a revision; the snapshot itself is in the bucket.
type Record struct {
	Month             string    `json:"month"`
	Revision          int       `json:"revision"`
	ReferenceQuarter  string    `json:"reference_quarter"`
	InputsFingerprint string    `json:"inputs_fingerprint"`
	CreatedAt         time.Time `json:"created_at"`
	Trigger           string    `json:"trigger"`
	SnapshotKey       string    `json:"-"`
	Reports           []Report  `json:"reports"`
}

// ErrRevisionConflict is returned by Store.PutRollup when another run took the revision.
var ErrRevisionConflict = errors.New("rollup revision conflict")

// Store keeps rollup records. PutRollup writes revision r on condition that the month's
// latest is r−1 (or none for r = 1), and makes it the latest.
type Store interface {
	LatestRollup(ctx context.Context, month string) (*Record, error)
	Rollup(ctx context.Context, month string, revision int) (*Record, error)
	Rollups(ctx context.Context) ([]Record, error)
	PutRollup(ctx context.Context, rec Record) error
}

// Blobs keeps snapshots and workbooks.
type Blobs interface {
	Put(ctx context.Context, key string, body []byte, contentType string) error
	Get(ctx context.Context, key string) ([]byte, error)
}

// WorkbookFunc renders one edition of a snapshot in one of Formats. The same snapshot
// must always give the same bytes.
type WorkbookFunc func(s Snapshot, edition, format string) ([]byte, error)

// Service runs and reads rollups.
type Service struct {
	Returns       workforce.ReturnStore
	Organisations workforce.OrganisationStore
	Store         Store
	Blobs         Blobs
	Workbook      WorkbookFunc
	Targets       targets.Set
	DueDays       int
	// FirstQuarter is the first quarter of the collection: series start here, and no
	// quarter before it is read.
	FirstQuarter period.Quarter
	Now          func() time.Time
	// Recorder, when not nil, counts every run that answers, whatever triggered it.
	Recorder Recorder
}

// Recorder counts rollup runs for dashboards and alarms (CloudWatch EMF on Lambda).
type Recorder interface {
	Rollup(trigger string, took time.Duration, missing int)
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Inputs reads the current version of every return from the first quarter to ref, one
// Query per quarter, and the register.
func (s *Service) Inputs(ctx context.Context, ref period.Quarter) ([]metrics.Input, []workforce.Organisation, error) {
	orgs, err := s.Organisations.Organisations(ctx)
	if err != nil {
		return nil, nil, err
	}
	var in []metrics.Input
	for _, q := range period.Range(s.FirstQuarter, ref) {
		vs, err := s.Returns.CurrentByPeriod(ctx, q)
		if err != nil {
			return nil, nil, err
		}
		for _, v := range vs {
			codes := make([]string, len(v.Warnings))
			for i, w := range v.Warnings {
				codes[i] = w.Code
			}
			in = append(in, metrics.Input{Return: v.Return(), Version: v.Number,
				ReceivedAt: v.ReceivedAt, FirstReceivedAt: v.FirstReceivedAt, WarningCodes: codes,
				SignedOff: v.SignOff != nil && v.SignOff.Version == v.Number && v.SignOff.SHA256 == v.SHA256})
		}
	}
	return in, orgs, nil
}

// Fingerprint identifies everything a rollup's figures depend on: the versions used, the
// register, the targets file and the due-date rule.
func Fingerprint(month period.Month, refs []InputRef, orgs []workforce.Organisation, targetsVersion string, dueDays int) string {
	lines := []string{"month " + month.String(), "targets " + targetsVersion, fmt.Sprint("due_days ", dueDays)}
	for _, r := range refs {
		line := fmt.Sprintf("return %s %s %d %s", r.Org, r.Period, r.Version, r.SHA256)
		if r.SignedOff {
			// Only a signed-off version adds a word, so inputs without sign-offs keep the
			// fingerprints they had before sign-offs existed.
			line += " signed_off"
		}
		lines = append(lines, line)
	}
	for _, o := range orgs {
		lines = append(lines, fmt.Sprintf("org %s %s %s %d %s %s", o.Code, o.Kind, o.Parent, o.BaselineHeadcount, o.ActiveFrom, o.ActiveTo))
	}
	sort.Strings(lines)
	h := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(h[:])
}

// Run computes month's rollup. created is false when the latest revision already used
// exactly these inputs; that revision is returned. trigger says what ran it ("admin",
// "schedule"); the snapshot and the recorder keep it.
func (s *Service) Run(ctx context.Context, month period.Month, trigger string) (Snapshot, bool, error) {
	start := time.Now()
	snap, created, err := s.run(ctx, month, trigger)
	if err == nil && s.Recorder != nil {
		s.Recorder.Rollup(trigger, time.Since(start), snap.DataQuality.Missing)
	}
	return snap, created, err
}

func (s *Service) run(ctx context.Context, month period.Month, trigger string) (Snapshot, bool, error) {
	ref := period.ReferenceQuarter(month, s.DueDays)
	if ref.Before(s.FirstQuarter) {
		return Snapshot{}, false, workforce.Errorf(workforce.EInvalid, "%s is before the collection began: its reference quarter %s is earlier than %s.", month, ref, s.FirstQuarter)
	}
	inputs, orgs, err := s.Inputs(ctx, ref)
	if err != nil {
		return Snapshot{}, false, err
	}
	refs := make([]InputRef, len(inputs))
	for i, in := range inputs {
		refs[i] = InputRef{Org: in.Org, Period: in.Period.String(), Version: in.Version, SHA256: in.ContentHash(), SignedOff: in.SignedOff}
	}
	sort.Slice(refs, func(i, j int) bool {
		if refs[i].Period != refs[j].Period {
			return refs[i].Period < refs[j].Period
		}
		return refs[i].Org < refs[j].Org
	})
	fp := Fingerprint(month, refs, orgs, s.Targets.Version, s.DueDays)

	for attempt := 0; attempt < 5; attempt++ {
		latest, err := s.Store.LatestRollup(ctx, month.String())
		if err != nil {
			return Snapshot{}, false, err
		}
		if latest != nil && latest.InputsFingerprint == fp {
			snap, err := s.load(ctx, *latest)
			return snap, false, err
		}
		rev := 1
		if latest != nil {
			rev = latest.Revision + 1
		}
		res := metrics.Compute(metrics.ComputeInput{Returns: inputs, Register: orgs, Targets: s.Targets,
			Month: month, Reference: ref, DueDays: s.DueDays})
		snap := Snapshot{Result: res, Revision: rev, InputsFingerprint: fp, Inputs: refs,
			CreatedAt: s.now().Truncate(time.Second), Trigger: trigger, Reports: []Report{}}
		rec, err := s.store(ctx, snap)
		if err != nil {
			return Snapshot{}, false, err
		}
		if err := s.Store.PutRollup(ctx, rec); errors.Is(err, ErrRevisionConflict) {
			continue // another run took the number; look again
		} else if err != nil {
			return Snapshot{}, false, err
		}
		snap.Reports = rec.Reports
		return snap, true, nil
	}
	return Snapshot{}, false, workforce.Errorf(workforce.EConflict, "Other rollups of %s kept running at the same time; try again.", month)
}

// store renders the workbooks and writes them and the snapshot to the bucket. Keys carry
// a run id, so two racing runs never write the same object.
func (s *Service) store(ctx context.Context, snap Snapshot) (Record, error) {
	run := fmt.Sprintf("%s/r%04d-%d", snap.Month, snap.Revision, s.now().UnixNano())
	rec := Record{Month: snap.Month, Revision: snap.Revision, ReferenceQuarter: snap.ReferenceQuarter.String(),
		InputsFingerprint: snap.InputsFingerprint, CreatedAt: snap.CreatedAt, Trigger: snap.Trigger,
		SnapshotKey: "rollups/" + run + "/snapshot.json", Reports: []Report{}}
	if s.Workbook != nil {
		for _, ed := range Editions {
			for _, format := range Formats {
				b, err := s.Workbook(snap, ed, format)
				if err != nil {
					return Record{}, fmt.Errorf("render %s workbook as %s: %w", ed, format, err)
				}
				sum := sha256.Sum256(b)
				r := Report{Edition: ed, Format: format, Key: "reports/" + run + "/" + snap.FileName(ed, format),
					SHA256: hex.EncodeToString(sum[:]), Bytes: len(b)}
				if err := s.Blobs.Put(ctx, r.Key, b, ContentType(format)); err != nil {
					return Record{}, err
				}
				rec.Reports = append(rec.Reports, r)
			}
		}
	}
	snap.Reports = rec.Reports
	body, err := json.Marshal(snap)
	if err != nil {
		return Record{}, err
	}
	if err := s.Blobs.Put(ctx, rec.SnapshotKey, body, "application/json"); err != nil {
		return Record{}, err
	}
	return rec, nil
}

func (s *Service) load(ctx context.Context, rec Record) (Snapshot, error) {
	body, err := s.Blobs.Get(ctx, rec.SnapshotKey)
	if err != nil {
		return Snapshot{}, err
	}
	var snap Snapshot
	if err := json.Unmarshal(body, &snap); err != nil {
		return Snapshot{}, fmt.Errorf("snapshot %s: %w", rec.SnapshotKey, err)
	}
	withFormats(snap.Reports)
	return snap, nil
}

// Get reads a month's snapshot: the latest revision, or revision when it is not 0.
func (s *Service) Get(ctx context.Context, month period.Month, revision int) (Snapshot, error) {
	var rec *Record
	var err error
	if revision == 0 {
		rec, err = s.Store.LatestRollup(ctx, month.String())
	} else {
		rec, err = s.Store.Rollup(ctx, month.String(), revision)
	}
	if err != nil {
		return Snapshot{}, err
	}
	if rec == nil {
		if revision != 0 {
			return Snapshot{}, workforce.Errorf(workforce.ENotFound, "%s has no rollup revision %d.", month, revision)
		}
		return Snapshot{}, workforce.Errorf(workforce.ENotFound, "%s has not been rolled up yet.", month)
	}
	return s.load(ctx, *rec)
}

// List is the latest revision of every month rolled up, newest month first.
func (s *Service) List(ctx context.Context) ([]Record, error) {
	recs, err := s.Store.Rollups(ctx)
	if err != nil {
		return nil, err
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Month > recs[j].Month })
	for i := range recs {
		withFormats(recs[i].Reports)
	}
	return recs, nil
}

// Metrics computes the figures for one quarter from the current returns. Targets are
// judged as of the month in which the quarter's returns fall due, not as of today, so an
// old quarter is not shown missed against a deadline or window it did not end; that month
// is the result's month, and its reference quarter is q whatever DueDays is.
func (s *Service) Metrics(ctx context.Context, q period.Quarter) (metrics.Result, error) {
	inputs, orgs, err := s.Inputs(ctx, q)
	if err != nil {
		return metrics.Result{}, err
	}
	return metrics.Compute(metrics.ComputeInput{Returns: inputs, Register: orgs, Targets: s.Targets,
		Month: MonthDue(q, s.DueDays), Reference: q, DueDays: s.DueDays}), nil
}

// MonthDue is the month in which q's returns fall due.
func MonthDue(q period.Quarter, dueDays int) period.Month {
	return period.MonthOf(q.Due(dueDays))
}

// MonthForSchedule is the month a scheduled run rolls up: the month before the one it
// fires in (06:00 UTC on the 1st rolls up the month just ended).
func MonthForSchedule(fired time.Time) period.Month {
	return period.MonthOf(fired.UTC()).Prev()
}
