package dynamo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ddat-workforce/returns/shared/ingest"
	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

var _ ingest.Store = (*Store)(nil)

// extractItem is a staff extract's record: pk EXTRACT#<id>, sk EXTRACT. It holds the
// answers given beside the extract and what it came to, never a value from the file:
// problems name rows and columns only, and the receipt and problems are kept as answered.
type extractItem struct {
	PK             string            `dynamodbav:"pk"`
	SK             string            `dynamodbav:"sk"`
	ID             string            `dynamodbav:"extract_id"`
	Org            string            `dynamodbav:"org"`
	Period         string            `dynamodbav:"period"`
	Format         string            `dynamodbav:"format"`
	ContentLength  int64             `dynamodbav:"content_length"`
	ObjectKey      string            `dynamodbav:"object_key"`
	Answers        map[string]string `dynamodbav:"answers"`
	RequestedBy    string            `dynamodbav:"requested_by,omitempty"`
	RequesterOrg   string            `dynamodbav:"requester_org,omitempty"`
	RequesterRoles []string          `dynamodbav:"requester_roles,omitempty"`
	RequestedAt    string            `dynamodbav:"requested_at"`
	UploadExpires  string            `dynamodbav:"upload_expires_at"`
	Status         string            `dynamodbav:"status"`
	LeaseUntil     int64             `dynamodbav:"lease_until,omitempty"` // Unix milliseconds
	StartedAt      string            `dynamodbav:"started_at,omitempty"`
	FinishedAt     string            `dynamodbav:"finished_at,omitempty"`
	Rows           int               `dynamodbav:"rows,omitempty"`
	SHA256         string            `dynamodbav:"sha256,omitempty"`
	Ignored        []string          `dynamodbav:"ignored_columns,omitempty"`
	Receipt        string            `dynamodbav:"receipt,omitempty"` // JSON
	Message        string            `dynamodbav:"message,omitempty"`
	Problems       string            `dynamodbav:"problems,omitempty"` // JSON
	ProblemCounts  map[string]int    `dynamodbav:"problem_counts,omitempty"`
	Warnings       string            `dynamodbav:"warnings,omitempty"` // JSON
	ExpiresAt      int64             `dynamodbav:"expires_at"`         // TTL: ingest.RecordTTL after the request
}

func extractPK(id string) string { return "EXTRACT#" + id }

const extractSK = "EXTRACT"

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func unstamp(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

func jsonText(v any, empty bool) (string, error) {
	if empty {
		return "", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

func toExtractItem(e ingest.Extract) (extractItem, error) {
	it := extractItem{PK: extractPK(e.ID), SK: extractSK, ID: e.ID, Org: e.Org, Period: e.Period.String(), Format: string(e.Format),
		ContentLength: e.ContentLength, ObjectKey: e.Key, Answers: e.Answers, RequestedBy: e.RequestedBy,
		RequesterOrg: e.RequesterOrg, RequesterRoles: e.RequesterRoles, RequestedAt: stamp(e.RequestedAt),
		UploadExpires: stamp(e.UploadExpires), Status: string(e.Status), StartedAt: stamp(e.StartedAt),
		FinishedAt: stamp(e.FinishedAt), Rows: e.Rows, SHA256: e.SHA256, Ignored: e.Ignored, Message: e.Message,
		ProblemCounts: e.ProblemCounts, ExpiresAt: e.RequestedAt.Add(ingest.RecordTTL).Unix()}
	if !e.LeaseUntil.IsZero() {
		it.LeaseUntil = e.LeaseUntil.UnixMilli()
	}
	var err error
	if it.Receipt, err = jsonText(e.Receipt, e.Receipt == nil); err != nil {
		return it, err
	}
	if it.Problems, err = jsonText(e.Problems, len(e.Problems) == 0); err != nil {
		return it, err
	}
	it.Warnings, err = jsonText(e.Warnings, len(e.Warnings) == 0)
	return it, err
}

func (it extractItem) extract() (ingest.Extract, error) {
	fail := func(err error) (ingest.Extract, error) {
		return ingest.Extract{}, fmt.Errorf("item %s: %w", it.PK, err)
	}
	q, err := period.ParseQuarter(it.Period)
	if err != nil {
		return fail(err)
	}
	e := ingest.Extract{ID: it.ID, Org: it.Org, Period: q, Format: ingest.Format(it.Format), ContentLength: it.ContentLength,
		Key: it.ObjectKey, Answers: it.Answers, RequestedBy: it.RequestedBy, RequesterOrg: it.RequesterOrg,
		RequesterRoles: it.RequesterRoles, Status: ingest.Status(it.Status), Rows: it.Rows, SHA256: it.SHA256,
		Ignored: it.Ignored, Message: it.Message, ProblemCounts: it.ProblemCounts}
	if it.LeaseUntil != 0 {
		e.LeaseUntil = time.UnixMilli(it.LeaseUntil).UTC()
	}
	for _, f := range []struct {
		s string
		t *time.Time
	}{{it.RequestedAt, &e.RequestedAt}, {it.UploadExpires, &e.UploadExpires}, {it.StartedAt, &e.StartedAt}, {it.FinishedAt, &e.FinishedAt}} {
		if *f.t, err = unstamp(f.s); err != nil {
			return fail(err)
		}
	}
	if it.Receipt != "" {
		e.Receipt = &workforce.Receipt{}
		if err := json.Unmarshal([]byte(it.Receipt), e.Receipt); err != nil {
			return fail(err)
		}
	}
	for _, f := range []struct {
		s  string
		ps *[]workforce.Problem
	}{{it.Problems, &e.Problems}, {it.Warnings, &e.Warnings}} {
		if f.s != "" {
			if err := json.Unmarshal([]byte(f.s), f.ps); err != nil {
				return fail(err)
			}
		}
	}
	return e, nil
}

// CreateExtract records a new extract, on condition that its id is new.
func (s *Store) CreateExtract(ctx context.Context, e ingest.Extract) error {
	it, err := toExtractItem(e)
	if err != nil {
		return err
	}
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return err
	}
	if _, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.Table, Item: av,
		ConditionExpression: aws.String("attribute_not_exists(pk)")}); err != nil {
		return fmt.Errorf("create extract %s: %w", e.ID, err)
	}
	return nil
}

// Extract is the record of extract id, nil if there is none.
func (s *Store) Extract(ctx context.Context, id string) (*ingest.Extract, error) {
	var it extractItem
	ok, err := s.get(ctx, extractPK(id), extractSK, &it)
	if err != nil || !ok {
		return nil, err
	}
	e, err := it.extract()
	return &e, err
}

// ClaimExtract moves a pending extract, or a processing one whose lease has ended, to
// processing, in one conditional update: of two deliveries of one event, one claims it.
func (s *Store) ClaimExtract(ctx context.Context, id string, now, leaseUntil time.Time) (*ingest.Extract, bool, error) {
	out, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &s.Table,
		Key:                      key(extractPK(id), extractSK),
		UpdateExpression:         aws.String("SET #status = :processing, lease_until = :until, started_at = :started"),
		ConditionExpression:      aws.String("#status = :pending OR (#status = :processing AND lease_until < :now)"),
		ExpressionAttributeNames: map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":processing": &types.AttributeValueMemberS{Value: string(ingest.Processing)},
			":pending":    &types.AttributeValueMemberS{Value: string(ingest.Pending)},
			":until":      &types.AttributeValueMemberN{Value: fmt.Sprint(leaseUntil.UnixMilli())},
			":now":        &types.AttributeValueMemberN{Value: fmt.Sprint(now.UnixMilli())},
			":started":    &types.AttributeValueMemberS{Value: stamp(now)},
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		e, err := s.Extract(ctx, id)
		return e, false, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("claim extract %s: %w", id, err)
	}
	var it extractItem
	if err := attributevalue.UnmarshalMap(out.Attributes, &it); err != nil {
		return nil, false, err
	}
	e, err := it.extract()
	return &e, err == nil, err
}

// UpdateExtract replaces the record of e on condition that its status is still from.
func (s *Store) UpdateExtract(ctx context.Context, e ingest.Extract, from ingest.Status) error {
	it, err := toExtractItem(e)
	if err != nil {
		return err
	}
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return err
	}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.Table, Item: av,
		ConditionExpression:       aws.String("#status = :from"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":from": &types.AttributeValueMemberS{Value: string(from)}},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ingest.ErrStatusChanged
	}
	if err != nil {
		return fmt.Errorf("update extract %s: %w", e.ID, err)
	}
	return nil
}
