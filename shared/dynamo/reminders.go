package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ddat-workforce/returns/shared/collection"
	"github.com/ddat-workforce/returns/shared/period"
)

// Reminder records (docs/adr/0001-dynamodb-key-design.md):
//
//	reminder  pk REMIND#<period>  sk <stage>#<org>
//
// One partition per quarter, so GET /collection/{period} reads a quarter's reminders with
// one Query, and every key the reminders function writes starts REMIND#, which its IAM
// policy pins with dynamodb:LeadingKeys. The record holds how many contacts were sent
// the reminder, never their addresses.
var _ collection.RecordStore = (*Store)(nil)

// RemindPrefix begins the partition key of every reminder record.
const RemindPrefix = "REMIND#"

type reminderItem struct {
	PK        string `dynamodbav:"pk"`
	SK        string `dynamodbav:"sk"`
	Period    string `dynamodbav:"period"`
	Stage     string `dynamodbav:"stage"`
	Org       string `dynamodbav:"org"`
	Day       string `dynamodbav:"day"` // YYYY-MM-DD
	Run       string `dynamodbav:"run"`
	Status    string `dynamodbav:"status"`
	Messages  int    `dynamodbav:"messages"`
	Failed    int    `dynamodbav:"failed"`
	ClaimedAt string `dynamodbav:"claimed_at"`
	SentAt    string `dynamodbav:"sent_at,omitempty"`
}

func reminderPK(q period.Quarter) string               { return RemindPrefix + q.String() }
func reminderSK(s collection.Stage, org string) string { return string(s) + "#" + org }
func reminderKey(r collection.Record) map[string]types.AttributeValue {
	return key(reminderPK(r.Period), reminderSK(r.Stage, r.Org))
}

func toReminderItem(r collection.Record) reminderItem {
	it := reminderItem{PK: reminderPK(r.Period), SK: reminderSK(r.Stage, r.Org), Period: r.Period.String(), Stage: string(r.Stage),
		Org: r.Org, Day: r.Day.Format(time.DateOnly), Run: r.Run, Status: string(r.Status), Messages: r.Messages, Failed: r.Failed,
		ClaimedAt: r.ClaimedAt.UTC().Format(time.RFC3339Nano)}
	if !r.SentAt.IsZero() {
		it.SentAt = r.SentAt.UTC().Format(time.RFC3339Nano)
	}
	return it
}

func (it reminderItem) record() (collection.Record, error) {
	bad := func(err error) (collection.Record, error) {
		return collection.Record{}, fmt.Errorf("reminder %s/%s: %w", it.PK, it.SK, err)
	}
	q, err := period.ParseQuarter(it.Period)
	if err != nil {
		return bad(err)
	}
	d, err := time.Parse(time.DateOnly, it.Day)
	if err != nil {
		return bad(err)
	}
	claimed, err := time.Parse(time.RFC3339Nano, it.ClaimedAt)
	if err != nil {
		return bad(err)
	}
	r := collection.Record{Period: q, Stage: collection.Stage(it.Stage), Org: it.Org, Day: d, Run: it.Run,
		Status: collection.RecordStatus(it.Status), Messages: it.Messages, Failed: it.Failed, ClaimedAt: claimed}
	if it.SentAt != "" {
		if r.SentAt, err = time.Parse(time.RFC3339Nano, it.SentAt); err != nil {
			return bad(err)
		}
	}
	return r, nil
}

// ourClaim holds while the record is still this run's claim. (status is a reserved word.)
var (
	ourClaimNames = map[string]string{"#run": "run", "#status": "status"}
)

func ourClaimValues(r collection.Record) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		":run":     &types.AttributeValueMemberS{Value: r.Run},
		":sending": &types.AttributeValueMemberS{Value: string(collection.RecordSending)},
	}
}

// Claim writes the claim on condition that no record of its reminder and organisation
// exists.
func (s *Store) Claim(ctx context.Context, r collection.Record) error {
	av, err := attributevalue.MarshalMap(toReminderItem(r))
	if err != nil {
		return err
	}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.Table, Item: av, ConditionExpression: aws.String("attribute_not_exists(pk)")})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return collection.ErrClaimed
	}
	if err != nil {
		return fmt.Errorf("claim reminder %s/%s: %w", reminderPK(r.Period), reminderSK(r.Stage, r.Org), err)
	}
	return nil
}

// Finish replaces the claim with the record of what was sent, on condition that the
// claim is still r.Run's.
func (s *Store) Finish(ctx context.Context, r collection.Record) error {
	av, err := attributevalue.MarshalMap(toReminderItem(r))
	if err != nil {
		return err
	}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.Table, Item: av,
		ConditionExpression: aws.String("#run = :run AND #status = :sending"), ExpressionAttributeNames: ourClaimNames,
		ExpressionAttributeValues: ourClaimValues(r)})
	if err != nil {
		return fmt.Errorf("record reminder %s/%s: %w", reminderPK(r.Period), reminderSK(r.Stage, r.Org), err)
	}
	return nil
}

// Release deletes the claim, on condition that it is still r.Run's and still sending.
func (s *Store) Release(ctx context.Context, r collection.Record) error {
	_, err := s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.Table, Key: reminderKey(r),
		ConditionExpression: aws.String("#run = :run AND #status = :sending"), ExpressionAttributeNames: ourClaimNames,
		ExpressionAttributeValues: ourClaimValues(r)})
	if err != nil {
		return fmt.Errorf("release reminder %s/%s: %w", reminderPK(r.Period), reminderSK(r.Stage, r.Org), err)
	}
	return nil
}

// Records lists every reminder record of q, in stage then organisation order.
func (s *Store) Records(ctx context.Context, q period.Quarter) ([]collection.Record, error) {
	return queryAll(ctx, s, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: reminderPK(q)}},
		ConsistentRead:            aws.Bool(true),
	}, reminderItem.record)
}
