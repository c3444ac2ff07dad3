package dynamo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ddat-workforce/returns/shared/rollup"
)

// Rollup items:
//
//	revision  pk ROLLUP#<month>  sk R#<0001>   immutable
//	latest    pk ROLLUPS         sk <month>    a copy of the month's newest revision
var _ rollup.Store = (*Store)(nil)

type rollupItem struct {
	PK                string `dynamodbav:"pk"`
	SK                string `dynamodbav:"sk"`
	Month             string `dynamodbav:"month"`
	Revision          int    `dynamodbav:"revision"`
	ReferenceQuarter  string `dynamodbav:"reference_quarter"`
	InputsFingerprint string `dynamodbav:"inputs_fingerprint"`
	CreatedAt         string `dynamodbav:"created_at"`
	Trigger           string `dynamodbav:"trigger"`
	SnapshotKey       string `dynamodbav:"snapshot_key"`
	Reports           string `dynamodbav:"reports"` // JSON list
}

func (it rollupItem) record() (rollup.Record, error) {
	t, err := time.Parse(time.RFC3339Nano, it.CreatedAt)
	if err != nil {
		return rollup.Record{}, fmt.Errorf("rollup %s/%s: %w", it.PK, it.SK, err)
	}
	rec := rollup.Record{Month: it.Month, Revision: it.Revision, ReferenceQuarter: it.ReferenceQuarter,
		InputsFingerprint: it.InputsFingerprint, CreatedAt: t, Trigger: it.Trigger, SnapshotKey: it.SnapshotKey}
	return rec, json.Unmarshal([]byte(it.Reports), &rec.Reports)
}

func (s *Store) rollupAt(ctx context.Context, pk, sk string) (*rollup.Record, error) {
	var it rollupItem
	ok, err := s.get(ctx, pk, sk, &it)
	if err != nil || !ok {
		return nil, err
	}
	rec, err := it.record()
	return &rec, err
}

// LatestRollup is the month's newest revision, nil if it has none.
func (s *Store) LatestRollup(ctx context.Context, month string) (*rollup.Record, error) {
	return s.rollupAt(ctx, "ROLLUPS", month)
}

// Rollup is one revision, nil if there is no such revision.
func (s *Store) Rollup(ctx context.Context, month string, revision int) (*rollup.Record, error) {
	return s.rollupAt(ctx, "ROLLUP#"+month, fmt.Sprintf("R#%04d", revision))
}

// Rollups lists the newest revision of every month.
func (s *Store) Rollups(ctx context.Context) ([]rollup.Record, error) {
	return queryAll(ctx, s, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "ROLLUPS"}},
	}, rollupItem.record)
}

// PutRollup writes a revision and moves the month's latest pointer to it, in one
// transaction, on condition that the pointer is at the revision before.
func (s *Store) PutRollup(ctx context.Context, rec rollup.Record) error {
	reports, err := json.Marshal(rec.Reports)
	if err != nil {
		return err
	}
	it := rollupItem{PK: "ROLLUP#" + rec.Month, SK: fmt.Sprintf("R#%04d", rec.Revision), Month: rec.Month, Revision: rec.Revision,
		ReferenceQuarter: rec.ReferenceQuarter, InputsFingerprint: rec.InputsFingerprint,
		CreatedAt: rec.CreatedAt.UTC().Format(time.RFC3339Nano), Trigger: rec.Trigger, SnapshotKey: rec.SnapshotKey, Reports: string(reports)}
	latest := it
	latest.PK, latest.SK = "ROLLUPS", rec.Month
	err = s.appendWithPointer(ctx, it, latest, "revision", rec.Revision-1)
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		return rollup.ErrRevisionConflict
	}
	if err != nil {
		return fmt.Errorf("put rollup %s revision %d: %w", rec.Month, rec.Revision, err)
	}
	return nil
}
