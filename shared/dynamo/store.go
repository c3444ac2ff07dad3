// Package dynamo keeps returns, the register and idempotency records in one DynamoDB
// table. Key design (docs/adr/0001-dynamodb-key-design.md):
//
//	version      pk RETURN#<org>#<period>  sk V#<000001>      immutable, one per accepted submission
//	sign-off     pk RETURN#<org>#<period>  sk S#<000001>      immutable, at most one per version
//	current      pk CURRENT#<org>          sk <period>        copy of the newest version; gsi1 PERIOD#<period> / <org>;
//	                                                          sign_off once the newest version is signed off
//	organisation pk REGISTER               sk ORG#<code>
//	idempotency  pk IDEM#<sha256(scope)>#<key>  sk IDEM     expires_at (TTL)
//	reminder     pk REMIND#<period>        sk <stage>#<org>   (reminders.go)
//	extract      pk EXTRACT#<id>           sk EXTRACT         a staff extract's status; expires_at (TTL)
//
// A new version and the move of its current pointer are one conditional transaction, so
// racing submissions can never share a number or leave a version without its pointer.
package dynamo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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

// API is the part of the DynamoDB client the store uses.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Store implements the domain's stores on one table.
type Store struct {
	DB    API
	Table string
}

var (
	_ workforce.ReturnStore       = (*Store)(nil)
	_ workforce.OrganisationStore = (*Store)(nil)
)

// GSIByPeriod indexes current returns by quarter.
const GSIByPeriod = "gsi1"

type versionItem struct {
	PK           string              `dynamodbav:"pk"`
	SK           string              `dynamodbav:"sk"`
	GSI1PK       string              `dynamodbav:"gsi1pk,omitempty"`
	GSI1SK       string              `dynamodbav:"gsi1sk,omitempty"`
	SubmissionID string              `dynamodbav:"submission_id"`
	Org          string              `dynamodbav:"org"`
	Period       string              `dynamodbav:"period"`
	Version      int                 `dynamodbav:"version"`
	Kind         string              `dynamodbav:"kind"`
	Values       map[string]string   `dynamodbav:"values"`
	Warnings     []workforce.Problem `dynamodbav:"warnings"`
	SHA256       string              `dynamodbav:"sha256"`
	FileSHA256   string              `dynamodbav:"file_sha256"`
	FileKey      string              `dynamodbav:"file_key"`
	Format       string              `dynamodbav:"format"`
	ExtractRows  int                 `dynamodbav:"extract_rows,omitempty"`
	ReceivedAt   string              `dynamodbav:"received_at"`
	FirstAt      string              `dynamodbav:"first_received_at,omitempty"`
	SubmittedBy  string              `dynamodbav:"submitted_by,omitempty"`
	// SignOff is on the current item only, from the sign-off of the version it copies; a
	// new version replaces the item, and with it the sign-off of the one before.
	SignOff *signOffItem `dynamodbav:"sign_off,omitempty"`
}

func versionPK(org string, q period.Quarter) string { return "RETURN#" + org + "#" + q.String() }
func versionSK(n int) string                        { return fmt.Sprintf("V#%06d", n) }
func currentPK(org string) string                   { return "CURRENT#" + org }
func periodGSI(q period.Quarter) string             { return "PERIOD#" + q.String() }

func toItem(v workforce.Version) versionItem {
	return versionItem{SubmissionID: v.SubmissionID, Org: v.Org, Period: v.Period.String(), Version: v.Number,
		Kind: string(v.Kind), Values: v.Values, Warnings: v.Warnings, SHA256: v.SHA256, FileSHA256: v.FileSHA256,
		FileKey: v.FileKey, Format: v.Format, ExtractRows: v.Rows, ReceivedAt: v.ReceivedAt.UTC().Format(time.RFC3339Nano), SubmittedBy: v.SubmittedBy,
		FirstAt: v.FirstReceivedAt.UTC().Format(time.RFC3339Nano)}
}

func (it versionItem) version() (workforce.Version, error) {
	q, err := period.ParseQuarter(it.Period)
	if err != nil {
		return workforce.Version{}, fmt.Errorf("item %s/%s: %w", it.PK, it.SK, err)
	}
	t, err := time.Parse(time.RFC3339Nano, it.ReceivedAt)
	if err != nil {
		return workforce.Version{}, fmt.Errorf("item %s/%s: %w", it.PK, it.SK, err)
	}
	first := t
	if it.FirstAt != "" {
		if first, err = time.Parse(time.RFC3339Nano, it.FirstAt); err != nil {
			return workforce.Version{}, fmt.Errorf("item %s/%s: %w", it.PK, it.SK, err)
		}
	}
	v := workforce.Version{SubmissionID: it.SubmissionID, Org: it.Org, Period: q, Number: it.Version,
		Kind: workforce.OrgKind(it.Kind), Values: it.Values, Warnings: it.Warnings, SHA256: it.SHA256,
		FileSHA256: it.FileSHA256, FileKey: it.FileKey, Format: it.Format, Rows: it.ExtractRows, ReceivedAt: t, FirstReceivedAt: first,
		SubmittedBy: it.SubmittedBy}
	if it.SignOff != nil {
		so, err := it.SignOff.signOff()
		if err != nil {
			return workforce.Version{}, err
		}
		v.SignOff = &so
	}
	return v, nil
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: sk}}
}

func (s *Store) get(ctx context.Context, pk, sk string, out any) (bool, error) {
	res, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.Table, Key: key(pk, sk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return false, fmt.Errorf("get %s/%s: %w", pk, sk, err)
	}
	if res.Item == nil {
		return false, nil
	}
	return true, attributevalue.UnmarshalMap(res.Item, out)
}

// Current is the current version of an organisation-period, nil if it has none.
func (s *Store) Current(ctx context.Context, org string, q period.Quarter) (*workforce.Version, error) {
	var it versionItem
	ok, err := s.get(ctx, currentPK(org), q.String(), &it)
	if err != nil || !ok {
		return nil, err
	}
	v, err := it.version()
	return &v, err
}

// Version is version n, nil if there is none.
func (s *Store) Version(ctx context.Context, org string, q period.Quarter, n int) (*workforce.Version, error) {
	var it versionItem
	ok, err := s.get(ctx, versionPK(org, q), versionSK(n), &it)
	if err != nil || !ok {
		return nil, err
	}
	v, err := it.version()
	return &v, err
}

// Versions lists every version of an organisation-period, oldest first.
func (s *Store) Versions(ctx context.Context, org string, q period.Quarter) ([]workforce.Version, error) {
	return s.queryVersions(ctx, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("pk = :pk AND begins_with(sk, :v)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: versionPK(org, q)}, ":v": &types.AttributeValueMemberS{Value: "V#"}},
		ConsistentRead:            aws.Bool(true),
	})
}

// CurrentByOrg lists the current version of each quarter an organisation has returned.
func (s *Store) CurrentByOrg(ctx context.Context, org string) ([]workforce.Version, error) {
	return s.queryVersions(ctx, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: currentPK(org)}},
		ConsistentRead:            aws.Bool(true),
	})
}

// CurrentByPeriod lists the current version of every organisation's return for q.
func (s *Store) CurrentByPeriod(ctx context.Context, q period.Quarter) ([]workforce.Version, error) {
	return s.queryVersions(ctx, &dynamodb.QueryInput{
		IndexName:                 aws.String(GSIByPeriod),
		KeyConditionExpression:    aws.String("gsi1pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: periodGSI(q)}},
	})
}

func (s *Store) queryVersions(ctx context.Context, in *dynamodb.QueryInput) ([]workforce.Version, error) {
	return queryAll(ctx, s, in, versionItem.version)
}

// queryAll runs a Query to its last page, turning each item into an O.
func queryAll[I, O any](ctx context.Context, s *Store, in *dynamodb.QueryInput, convert func(I) (O, error)) ([]O, error) {
	in.TableName = &s.Table
	var out []O
	p := dynamodb.NewQueryPaginator(s.DB, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", aws.ToString(in.KeyConditionExpression), err)
		}
		var items []I
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return nil, err
		}
		for _, it := range items {
			o, err := convert(it)
			if err != nil {
				return nil, err
			}
			out = append(out, o)
		}
	}
	return out, nil
}

// appendWithPointer writes an immutable item and a pointer to it in one transaction: the
// item on condition that it does not exist yet, the pointer on condition that its counter
// attribute is still prev (or that there is no pointer, when prev is 0). extra items join
// the same transaction. Returns, versions and rollup revisions all advance this way.
func (s *Store) appendWithPointer(ctx context.Context, item, pointer any, counter string, prev int, extra ...types.TransactWriteItem) error {
	itemAV, err := attributevalue.MarshalMap(item)
	if err != nil {
		return err
	}
	pointerAV, err := attributevalue.MarshalMap(pointer)
	if err != nil {
		return err
	}
	pointerPut := &types.Put{TableName: &s.Table, Item: pointerAV, ConditionExpression: aws.String("attribute_not_exists(pk)")}
	if prev > 0 {
		pointerPut.ConditionExpression = aws.String("#counter = :prev")
		pointerPut.ExpressionAttributeNames = map[string]string{"#counter": counter}
		pointerPut.ExpressionAttributeValues = map[string]types.AttributeValue{":prev": &types.AttributeValueMemberN{Value: fmt.Sprint(prev)}}
	}
	items := append([]types.TransactWriteItem{
		{Put: &types.Put{TableName: &s.Table, Item: itemAV, ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		{Put: pointerPut},
	}, extra...)
	_, err = s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	return err
}

// Append writes version v.Number and moves the current pointer to it in one transaction,
// on condition that the pointer is still at v.Number−1 (or absent for version 1).
func (s *Store) Append(ctx context.Context, v workforce.Version, idem *workforce.IdempotencyRecord) error {
	ver := toItem(v)
	ver.PK, ver.SK = versionPK(v.Org, v.Period), versionSK(v.Number)
	cur := ver
	cur.PK, cur.SK = currentPK(v.Org), v.Period.String()
	cur.GSI1PK, cur.GSI1SK = periodGSI(v.Period), v.Org
	var extra []types.TransactWriteItem
	if idem != nil {
		put, err := s.idemPut(*idem)
		if err != nil {
			return err
		}
		extra = append(extra, types.TransactWriteItem{Put: put})
	}
	err := s.appendWithPointer(ctx, ver, cur, "version", v.Number-1, extra...)
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		reasons := tce.CancellationReasons
		if len(reasons) > 2 && aws.ToString(reasons[2].Code) == "ConditionalCheckFailed" {
			return workforce.ErrIdempotencyConflict
		}
		for _, r := range reasons {
			// A conflict with another transaction in flight is a race too.
			if c := aws.ToString(r.Code); c == "ConditionalCheckFailed" || c == "TransactionConflict" {
				return workforce.ErrVersionConflict
			}
		}
	}
	if err != nil {
		return fmt.Errorf("append version %d of %s %s: %w", v.Number, v.Org, v.Period, err)
	}
	return nil
}

type idemItem struct {
	PK          string `dynamodbav:"pk"`
	SK          string `dynamodbav:"sk"`
	RequestHash string `dynamodbav:"request_hash"`
	Receipts    string `dynamodbav:"receipts"` // JSON, exactly as answered
	Created     bool   `dynamodbav:"created"`
	ExpiresAt   int64  `dynamodbav:"expires_at"`
}

// idemPK keys a record by a hash of its scope, then the key. The hash has a fixed length
// and no "#", so no scope and key can spell another's (with the scope written out, subject
// "a#b" with key "c" was subject "a" with key "b#c"), and a long subject cannot take the
// key past DynamoDB's 2,048-byte limit.
func idemPK(scope, k string) string {
	h := sha256.Sum256([]byte(scope))
	return "IDEM#" + hex.EncodeToString(h[:]) + "#" + k
}

// idemCondition lets a new record take a key that has none, or whose record has expired
// but not yet been deleted by TTL (which can take days): an expired record is absent.
const idemCondition = "attribute_not_exists(pk) OR expires_at < :now"

func (s *Store) idemPut(rec workforce.IdempotencyRecord) (*types.Put, error) {
	receipts, err := json.Marshal(rec.Receipts)
	if err != nil {
		return nil, err
	}
	av, err := attributevalue.MarshalMap(idemItem{PK: idemPK(rec.Scope, rec.Key), SK: "IDEM", RequestHash: rec.RequestHash,
		Receipts: string(receipts), Created: rec.Created, ExpiresAt: rec.ExpiresAt.Unix()})
	if err != nil {
		return nil, err
	}
	return &types.Put{TableName: &s.Table, Item: av, ConditionExpression: aws.String(idemCondition),
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": &types.AttributeValueMemberN{Value: fmt.Sprint(time.Now().Unix())}}}, nil
}

// Idempotency is the answer recorded for a key, nil if none (or expired).
func (s *Store) Idempotency(ctx context.Context, scope, k string) (*workforce.IdempotencyRecord, error) {
	var it idemItem
	ok, err := s.get(ctx, idemPK(scope, k), "IDEM", &it)
	if err != nil || !ok {
		return nil, err
	}
	// TTL deletion is lazy; an expired record is treated as gone (see idemCondition).
	if time.Now().Unix() > it.ExpiresAt {
		return nil, nil
	}
	rec := &workforce.IdempotencyRecord{Scope: scope, Key: k, RequestHash: it.RequestHash, Created: it.Created, ExpiresAt: time.Unix(it.ExpiresAt, 0)}
	return rec, json.Unmarshal([]byte(it.Receipts), &rec.Receipts)
}

// PutIdempotency records an answer unless one is already recorded for the key.
func (s *Store) PutIdempotency(ctx context.Context, rec workforce.IdempotencyRecord) error {
	put, err := s.idemPut(rec)
	if err != nil {
		return err
	}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: put.TableName, Item: put.Item,
		ConditionExpression: put.ConditionExpression, ExpressionAttributeValues: put.ExpressionAttributeValues})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return workforce.ErrIdempotencyConflict
	}
	return err
}

type orgItem struct {
	PK                string `dynamodbav:"pk"`
	SK                string `dynamodbav:"sk"`
	Code              string `dynamodbav:"code"`
	Name              string `dynamodbav:"name"`
	Parent            string `dynamodbav:"parent"`
	Kind              string `dynamodbav:"kind"`
	BaselineHeadcount int64  `dynamodbav:"baseline_headcount"`
	ActiveFrom        string `dynamodbav:"active_from,omitempty"`
	ActiveTo          string `dynamodbav:"active_to,omitempty"`

	ReturnsContacts []string `dynamodbav:"returns_contacts,omitempty"` // personal data: never logged
}

// Organisation is one entry of the register, nil if there is none.
func (s *Store) Organisation(ctx context.Context, code string) (*workforce.Organisation, error) {
	var it orgItem
	ok, err := s.get(ctx, "REGISTER", "ORG#"+code, &it)
	if err != nil || !ok {
		return nil, err
	}
	o := it.organisation()
	return &o, nil
}

func (it orgItem) organisation() workforce.Organisation {
	return workforce.Organisation{Code: it.Code, Name: it.Name, Parent: it.Parent, Kind: workforce.OrgKind(it.Kind),
		BaselineHeadcount: it.BaselineHeadcount, ActiveFrom: it.ActiveFrom, ActiveTo: it.ActiveTo, ReturnsContacts: it.ReturnsContacts}
}

// Organisations lists the register, in code order.
func (s *Store) Organisations(ctx context.Context) ([]workforce.Organisation, error) {
	return queryAll(ctx, s, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "REGISTER"}},
	}, func(it orgItem) (workforce.Organisation, error) { return it.organisation(), nil })
}

// PutOrganisation adds or replaces an organisation in the register.
func (s *Store) PutOrganisation(ctx context.Context, o workforce.Organisation) error {
	av, err := attributevalue.MarshalMap(orgItem{PK: "REGISTER", SK: "ORG#" + o.Code, Code: o.Code, Name: o.Name, Parent: o.Parent,
		Kind: string(o.Kind), BaselineHeadcount: o.BaselineHeadcount, ActiveFrom: o.ActiveFrom, ActiveTo: o.ActiveTo,
		ReturnsContacts: o.ReturnsContacts})
	if err != nil {
		return err
	}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.Table, Item: av})
	if err != nil {
		return fmt.Errorf("put organisation %s: %w", o.Code, err)
	}
	return nil
}
