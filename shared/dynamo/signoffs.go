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

	"github.com/ddat-workforce/returns/shared/period"
	"github.com/ddat-workforce/returns/shared/workforce"
)

var _ workforce.SignOffStore = (*Store)(nil)

// signOffItem is a sign-off: an item of its own beside the versions of its return, and a
// copy on the current item while the version it signs off is current.
type signOffItem struct {
	PK      string `dynamodbav:"pk,omitempty"`
	SK      string `dynamodbav:"sk,omitempty"`
	Org     string `dynamodbav:"org"`
	Period  string `dynamodbav:"period"`
	Version int    `dynamodbav:"version"`
	SHA256  string `dynamodbav:"sha256"`
	By      string `dynamodbav:"signed_off_by"`
	At      string `dynamodbav:"signed_off_at"`
}

func signOffSK(n int) string { return fmt.Sprintf("S#%06d", n) }

func (it signOffItem) signOff() (workforce.SignOff, error) {
	q, err := period.ParseQuarter(it.Period)
	if err != nil {
		return workforce.SignOff{}, fmt.Errorf("sign-off %s/%s: %w", it.PK, it.SK, err)
	}
	at, err := time.Parse(time.RFC3339Nano, it.At)
	if err != nil {
		return workforce.SignOff{}, fmt.Errorf("sign-off %s/%s: %w", it.PK, it.SK, err)
	}
	return workforce.SignOff{Org: it.Org, Period: q, Version: it.Version, SHA256: it.SHA256, By: it.By, At: at}, nil
}

// SignOffs lists the sign-offs of an organisation-period's versions, oldest version first.
func (s *Store) SignOffs(ctx context.Context, org string, q period.Quarter) ([]workforce.SignOff, error) {
	return queryAll(ctx, s, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :s)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: versionPK(org, q)}, ":s": &types.AttributeValueMemberS{Value: "S#"}},
		ConsistentRead:            aws.Bool(true),
	}, signOffItem.signOff)
}

// PutSignOff records a sign-off in one transaction: its own item, on condition that the
// version has none, and its copy on the current item, on condition that the current
// item is still that version with that content hash. A new version appended after it
// replaces the current item, so the rollup, reading current items, sees it unsigned.
func (s *Store) PutSignOff(ctx context.Context, so workforce.SignOff) error {
	it := signOffItem{Org: so.Org, Period: so.Period.String(), Version: so.Version, SHA256: so.SHA256, By: so.By,
		At: so.At.UTC().Format(time.RFC3339Nano)}
	onCurrent, err := attributevalue.Marshal(it)
	if err != nil {
		return err
	}
	it.PK, it.SK = versionPK(so.Org, so.Period), signOffSK(so.Version)
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return err
	}
	_, err = s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: &s.Table, Item: av, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		{Update: &types.Update{TableName: &s.Table, Key: key(currentPK(so.Org), so.Period.String()),
			UpdateExpression:          aws.String("SET sign_off = :so"),
			ConditionExpression:       aws.String("version = :n AND sha256 = :h AND attribute_not_exists(sign_off)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":so": onCurrent, ":n": &types.AttributeValueMemberN{Value: fmt.Sprint(so.Version)}, ":h": &types.AttributeValueMemberS{Value: so.SHA256}}}},
	}})
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		reasons := tce.CancellationReasons
		switch {
		case len(reasons) > 0 && aws.ToString(reasons[0].Code) == "ConditionalCheckFailed":
			return workforce.ErrSignedOff
		case len(reasons) > 1 && aws.ToString(reasons[1].Code) == "ConditionalCheckFailed":
			return workforce.ErrNotCurrent
		}
		for _, r := range reasons {
			if aws.ToString(r.Code) == "TransactionConflict" {
				return workforce.ErrNotCurrent // raced a new version: look again
			}
		}
	}
	if err != nil {
		return fmt.Errorf("sign off version %d of %s %s: %w", so.Version, so.Org, so.Period, err)
	}
	return nil
}
