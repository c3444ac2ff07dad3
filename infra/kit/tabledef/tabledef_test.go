package tabledef

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ddat-workforce/returns/infra/kit/reporoot"
)

func TestTableFromTemplate(t *testing.T) {
	repoTemplate, err := os.ReadFile(reporoot.Path("template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		template string
		want     Definition
		wantErr  string
	}{
		{
			name:     "repository template",
			template: string(repoTemplate),
			want: Definition{
				Create: &dynamodb.CreateTableInput{
					TableName:   aws.String("ddat-returns"),
					BillingMode: types.BillingModePayPerRequest,
					AttributeDefinitions: []types.AttributeDefinition{
						{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
						{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
						{AttributeName: aws.String("gsi1pk"), AttributeType: types.ScalarAttributeTypeS},
						{AttributeName: aws.String("gsi1sk"), AttributeType: types.ScalarAttributeTypeS},
					},
					KeySchema: keys("pk", "sk"),
					GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
						IndexName:  aws.String("gsi1"),
						KeySchema:  keys("gsi1pk", "gsi1sk"),
						Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
					}},
				},
				TTL: &dynamodb.UpdateTimeToLiveInput{
					TableName: aws.String("ddat-returns"),
					TimeToLiveSpecification: &types.TimeToLiveSpecification{
						AttributeName: aws.String("expires_at"),
						Enabled:       aws.Bool(true),
					},
				},
			},
		},
		{
			name: "short tags elsewhere, provisioned, local index, TTL off",
			template: `
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Role: !GetAtt FnRole.Arn
      Environment:
        Variables:
          TABLE_NAME: !Ref ReturnsTable
          BUCKET: !Sub "${AWS::StackName}-files"
  ReturnsTable:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "${AWS::StackName}-returns"
      BillingMode: PROVISIONED
      ProvisionedThroughput: {ReadCapacityUnits: 5, WriteCapacityUnits: 2}
      AttributeDefinitions:
        - {AttributeName: pk, AttributeType: S}
        - {AttributeName: n, AttributeType: N}
      KeySchema:
        - {AttributeName: pk, KeyType: HASH}
      LocalSecondaryIndexes:
        - IndexName: byN
          KeySchema:
            - {AttributeName: pk, KeyType: HASH}
            - {AttributeName: n, KeyType: RANGE}
          Projection:
            ProjectionType: INCLUDE
            NonKeyAttributes: [title, status]
      TimeToLiveSpecification:
        AttributeName: expires_at
        Enabled: false
Outputs:
  Table:
    Value: !GetAtt ReturnsTable.Arn
`,
			want: Definition{
				Create: &dynamodb.CreateTableInput{
					TableName:   aws.String("ddat-returns"),
					BillingMode: types.BillingModeProvisioned,
					ProvisionedThroughput: &types.ProvisionedThroughput{
						ReadCapacityUnits:  aws.Int64(5),
						WriteCapacityUnits: aws.Int64(2),
					},
					AttributeDefinitions: []types.AttributeDefinition{
						{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
						{AttributeName: aws.String("n"), AttributeType: types.ScalarAttributeTypeN},
					},
					KeySchema: keys("pk"),
					LocalSecondaryIndexes: []types.LocalSecondaryIndex{{
						IndexName: aws.String("byN"),
						KeySchema: keys("pk", "n"),
						Projection: &types.Projection{
							ProjectionType:   types.ProjectionTypeInclude,
							NonKeyAttributes: []string{"title", "status"},
						},
					}},
				},
			},
		},
		{
			name:     "no such resource",
			template: "Resources:\n  Other:\n    Type: AWS::S3::Bucket\n",
			wantErr:  "template has no resource ReturnsTable",
		},
		{
			name:     "not a table",
			template: "Resources:\n  ReturnsTable:\n    Type: AWS::S3::Bucket\n",
			wantErr:  `resource ReturnsTable is "AWS::S3::Bucket", want AWS::DynamoDB::Table`,
		},
		{
			name:     "no key schema",
			template: "Resources:\n  ReturnsTable:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      BillingMode: PAY_PER_REQUEST\n",
			wantErr:  "KeySchema and AttributeDefinitions are required",
		},
		{
			name:     "intrinsic where a value is needed",
			template: "Resources:\n  ReturnsTable:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      KeySchema: !If [IsProd, [], []]\n",
			wantErr:  "resource ReturnsTable properties",
		},
		{
			name:     "not YAML",
			template: "Resources: [\n",
			wantErr:  "parse template",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromTemplate([]byte(tt.template), "ReturnsTable", "ddat-returns")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n%s\nwant\n%s", describe(got), describe(tt.want))
			}
		})
	}
}

// keys is a key schema: the first attribute is the HASH key, the second the RANGE key.
func keys(hash string, rng ...string) []types.KeySchemaElement {
	out := []types.KeySchemaElement{{AttributeName: aws.String(hash), KeyType: types.KeyTypeHash}}
	for _, r := range rng {
		out = append(out, types.KeySchemaElement{AttributeName: aws.String(r), KeyType: types.KeyTypeRange})
	}
	return out
}

func describe(d Definition) string {
	var b strings.Builder
	c := d.Create
	b.WriteString("table " + aws.ToString(c.TableName) + " " + string(c.BillingMode) + "\n")
	for _, a := range c.AttributeDefinitions {
		b.WriteString("  attr " + aws.ToString(a.AttributeName) + " " + string(a.AttributeType) + "\n")
	}
	for _, k := range c.KeySchema {
		b.WriteString("  key " + aws.ToString(k.AttributeName) + " " + string(k.KeyType) + "\n")
	}
	for _, ix := range c.GlobalSecondaryIndexes {
		b.WriteString("  gsi " + aws.ToString(ix.IndexName) + " " + string(ix.Projection.ProjectionType) + "\n")
	}
	for _, ix := range c.LocalSecondaryIndexes {
		b.WriteString("  lsi " + aws.ToString(ix.IndexName) + " " + string(ix.Projection.ProjectionType) + "\n")
	}
	if d.TTL != nil {
		b.WriteString("  ttl " + aws.ToString(d.TTL.TimeToLiveSpecification.AttributeName) + "\n")
	}
	return b.String()
}
