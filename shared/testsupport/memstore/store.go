// Package memstore keeps what the DynamoDB table and the S3 bucket keep, in memory, so
// that the domain services can be tested without the stack. Store stands in for
// dynamo.Store (returns, the register, idempotency records, rollup records) and Bucket
// for s3store.Store (uploaded files, snapshots, workbooks).
//
// Both honour the adapters' contract, not just their method sets: Append and PutRollup
// are atomic and conditional on the current pointer, an idempotency record is written
// only where none is, or where the one there has expired, reads return copies, lists come
// in the adapters' order, and an object is written once. Both are safe for concurrent
// use. They add to the adapters' own tests against DynamoDB Local and versitygw, and
// never replace them.
package memstore

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/workforce"
)

var (
	_ workforce.ReturnStore       = (*Store)(nil)
	_ workforce.OrganisationStore = (*Store)(nil)
	_ rollup.Store                = (*Store)(nil)
)

// Store keeps returns, the register, idempotency records and rollup records. The zero
// value is empty and ready to use.
type Store struct {
	// Now is the clock idempotency records expire by; time.Now when nil. Give it the
	// service's clock when that is not the wall clock.
	Now func() time.Time

	mu       sync.Mutex
	versions map[orgPeriod][]workforce.Version // every version, oldest first: versions[n-1] is version n
	orgs     map[string]workforce.Organisation
	idem     map[idemKey]idemRecord
	rollups  map[string][]rollup.Record // every revision of a month, oldest first
	signOffs map[orgPeriod][]workforce.SignOff
}

type orgPeriod struct {
	org string
	q   period.Quarter
}

type idemKey struct{ scope, key string }

// idemRecord is an idempotency record as the table keeps it: receipts as the JSON that
// was answered, expiry to the second.
type idemRecord struct {
	requestHash string
	receipts    []byte
	created     bool
	expiresAt   int64
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Current is the current version of an organisation-period, nil if it has none.
func (s *Store) Current(_ context.Context, org string, q period.Quarter) (*workforce.Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	vs := s.versions[orgPeriod{org, q}]
	if len(vs) == 0 {
		return nil, nil
	}
	v := s.current(orgPeriod{org, q}, vs)
	return &v, nil
}

// Version is version n, nil if there is none.
func (s *Store) Version(_ context.Context, org string, q period.Quarter, n int) (*workforce.Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	vs := s.versions[orgPeriod{org, q}]
	if n < 1 || n > len(vs) {
		return nil, nil
	}
	v := copyVersion(vs[n-1])
	return &v, nil
}

// Versions lists every version of an organisation-period, oldest first.
func (s *Store) Versions(_ context.Context, org string, q period.Quarter) ([]workforce.Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []workforce.Version
	for _, v := range s.versions[orgPeriod{org, q}] {
		out = append(out, copyVersion(v))
	}
	return out, nil
}

// CurrentByOrg lists the current version of each quarter an organisation has returned,
// oldest quarter first.
func (s *Store) CurrentByOrg(_ context.Context, org string) ([]workforce.Version, error) {
	return s.currentWhere(func(k orgPeriod) bool { return k.org == org }), nil
}

// CurrentByPeriod lists the current version of every organisation's return for q, in
// organisation code order.
func (s *Store) CurrentByPeriod(_ context.Context, q period.Quarter) ([]workforce.Version, error) {
	return s.currentWhere(func(k orgPeriod) bool { return k.q == q }), nil
}

func (s *Store) currentWhere(match func(orgPeriod) bool) []workforce.Version {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []workforce.Version
	for k, vs := range s.versions {
		if match(k) && len(vs) > 0 {
			out = append(out, s.current(k, vs))
		}
	}
	// The table's sort keys: a quarter's name sorts as the quarters do.
	slices.SortFunc(out, func(a, b workforce.Version) int {
		return strings.Compare(a.Period.String()+" "+a.Org, b.Period.String()+" "+b.Org)
	})
	return out
}

// Append writes version v.Number and makes it current, on condition that the current
// version is v.Number−1 (or that there is none, for version 1), and records idem with it
// on condition that the key has no record that is still live. Either everything is
// written or nothing: ErrIdempotencyConflict when the key is taken (whatever the
// version), else ErrVersionConflict when the number is.
func (s *Store) Append(_ context.Context, v workforce.Version, idem *workforce.IdempotencyRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var rec idemRecord
	if idem != nil {
		if s.idemLive(idemKey{idem.Scope, idem.Key}) {
			return workforce.ErrIdempotencyConflict
		}
		var err error
		if rec, err = toIdemRecord(*idem); err != nil {
			return err
		}
	}
	k := orgPeriod{v.Org, v.Period}
	if v.Number != len(s.versions[k])+1 {
		return workforce.ErrVersionConflict
	}
	if s.versions == nil {
		s.versions = map[orgPeriod][]workforce.Version{}
	}
	s.versions[k] = append(s.versions[k], copyVersion(v))
	if idem != nil {
		s.putIdem(idemKey{idem.Scope, idem.Key}, rec)
	}
	return nil
}

// Idempotency is the answer recorded for a key, nil if none or if it has expired.
func (s *Store) Idempotency(_ context.Context, scope, key string) (*workforce.IdempotencyRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := idemKey{scope, key}
	if !s.idemLive(k) {
		return nil, nil
	}
	it := s.idem[k]
	rec := &workforce.IdempotencyRecord{Scope: scope, Key: key, RequestHash: it.requestHash, Created: it.created,
		ExpiresAt: time.Unix(it.expiresAt, 0)}
	return rec, json.Unmarshal(it.receipts, &rec.Receipts)
}

// PutIdempotency records an answer unless a live one is already recorded for the key:
// then ErrIdempotencyConflict.
func (s *Store) PutIdempotency(_ context.Context, rec workforce.IdempotencyRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := idemKey{rec.Scope, rec.Key}
	if s.idemLive(k) {
		return workforce.ErrIdempotencyConflict
	}
	it, err := toIdemRecord(rec)
	if err != nil {
		return err
	}
	s.putIdem(k, it)
	return nil
}

// idemLive reports whether k has a record that has not expired. As in the table, a record
// is live until the second after it expires: TTL deletion is lazy, and an expired record
// is treated as absent by reads and by writes alike.
func (s *Store) idemLive(k idemKey) bool {
	it, ok := s.idem[k]
	return ok && s.now().Unix() <= it.expiresAt
}

func (s *Store) putIdem(k idemKey, rec idemRecord) {
	if s.idem == nil {
		s.idem = map[idemKey]idemRecord{}
	}
	s.idem[k] = rec
}

func toIdemRecord(rec workforce.IdempotencyRecord) (idemRecord, error) {
	receipts, err := json.Marshal(rec.Receipts)
	return idemRecord{requestHash: rec.RequestHash, receipts: receipts, created: rec.Created, expiresAt: rec.ExpiresAt.Unix()}, err
}

// Organisation is one entry of the register, nil if there is none.
func (s *Store) Organisation(_ context.Context, code string) (*workforce.Organisation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orgs[code]
	if !ok {
		return nil, nil
	}
	return &o, nil
}

// Organisations lists the register, in code order.
func (s *Store) Organisations(context.Context) ([]workforce.Organisation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []workforce.Organisation
	for _, code := range slices.Sorted(maps.Keys(s.orgs)) {
		out = append(out, s.orgs[code])
	}
	return out, nil
}

// PutOrganisation adds or replaces an organisation in the register.
func (s *Store) PutOrganisation(_ context.Context, o workforce.Organisation) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.orgs == nil {
		s.orgs = map[string]workforce.Organisation{}
	}
	s.orgs[o.Code] = o
	return nil
}

// LatestRollup is the month's newest revision, nil if it has none.
func (s *Store) LatestRollup(_ context.Context, month string) (*rollup.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.rollups[month]
	if len(rs) == 0 {
		return nil, nil
	}
	rec := copyRecord(rs[len(rs)-1])
	return &rec, nil
}

// Rollup is one revision, nil if there is no such revision.
func (s *Store) Rollup(_ context.Context, month string, revision int) (*rollup.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.rollups[month]
	if revision < 1 || revision > len(rs) {
		return nil, nil
	}
	rec := copyRecord(rs[revision-1])
	return &rec, nil
}

// Rollups lists the newest revision of every month, oldest month first.
func (s *Store) Rollups(context.Context) ([]rollup.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []rollup.Record
	for _, month := range slices.Sorted(maps.Keys(s.rollups)) {
		rs := s.rollups[month]
		out = append(out, copyRecord(rs[len(rs)-1]))
	}
	return out, nil
}

// PutRollup writes a revision and makes it the month's latest, on condition that the
// latest is the revision before (or that there is none, for revision 1); otherwise
// ErrRevisionConflict and nothing is written.
func (s *Store) PutRollup(_ context.Context, rec rollup.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec.Revision != len(s.rollups[rec.Month])+1 {
		return rollup.ErrRevisionConflict
	}
	if s.rollups == nil {
		s.rollups = map[string][]rollup.Record{}
	}
	s.rollups[rec.Month] = append(s.rollups[rec.Month], copyRecord(rec))
	return nil
}

// copyVersion is v sharing nothing with the original, with its times as the table gives
// them back: UTC, without a monotonic reading.
func copyVersion(v workforce.Version) workforce.Version {
	if v.SignOff != nil {
		so := *v.SignOff
		so.At = so.At.UTC()
		v.SignOff = &so
	}
	v.Values = maps.Clone(v.Values)
	v.Warnings = slices.Clone(v.Warnings)
	v.ReceivedAt, v.FirstReceivedAt = v.ReceivedAt.UTC(), v.FirstReceivedAt.UTC()
	return v
}

func copyRecord(r rollup.Record) rollup.Record {
	r.Reports = slices.Clone(r.Reports)
	r.CreatedAt = r.CreatedAt.UTC()
	return r
}
