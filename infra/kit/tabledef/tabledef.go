// Package tabledef reads the DynamoDB table of template.yaml so the local stack and the
// benchmarks create exactly the table SAM deploys.
package tabledef

import (
	"context"
	"time"

	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"gopkg.in/yaml.v3"
)

// Definition is what it takes to create a table as CloudFormation would from the template.
type Definition struct {
	Create *dynamodb.CreateTableInput
	TTL    *dynamodb.UpdateTimeToLiveInput // nil unless the template turns TTL on
}

// The template uses CloudFormation short tags (!Ref, !Sub, !GetAtt) elsewhere; keeping each
// resource's properties as a yaml.Node until we know it is the table means those tags are
// never interpreted.
type cfnTemplate struct {
	Resources map[string]cfnResource `yaml:"Resources"`
}

type cfnResource struct {
	Type       string    `yaml:"Type"`
	Properties yaml.Node `yaml:"Properties"`
}

// tableProperties are the AWS::DynamoDB::Table properties DynamoDB Local can honour.
// Point-in-time recovery, SSE and deletion protection are account-side settings with no local
// meaning, so they are left out.
type tableProperties struct {
	BillingMode             string                 `yaml:"BillingMode"`
	AttributeDefinitions    []attributeDefinition  `yaml:"AttributeDefinitions"`
	KeySchema               []keyElement           `yaml:"KeySchema"`
	GlobalSecondaryIndexes  []secondaryIndex       `yaml:"GlobalSecondaryIndexes"`
	LocalSecondaryIndexes   []secondaryIndex       `yaml:"LocalSecondaryIndexes"`
	ProvisionedThroughput   *provisionedThroughput `yaml:"ProvisionedThroughput"`
	TimeToLiveSpecification *timeToLive            `yaml:"TimeToLiveSpecification"`
}

type attributeDefinition struct {
	AttributeName string `yaml:"AttributeName"`
	AttributeType string `yaml:"AttributeType"`
}

type keyElement struct {
	AttributeName string `yaml:"AttributeName"`
	KeyType       string `yaml:"KeyType"`
}

type secondaryIndex struct {
	IndexName             string                 `yaml:"IndexName"`
	KeySchema             []keyElement           `yaml:"KeySchema"`
	Projection            projection             `yaml:"Projection"`
	ProvisionedThroughput *provisionedThroughput `yaml:"ProvisionedThroughput"`
}

type projection struct {
	ProjectionType   string   `yaml:"ProjectionType"`
	NonKeyAttributes []string `yaml:"NonKeyAttributes"`
}

type provisionedThroughput struct {
	ReadCapacityUnits  int64 `yaml:"ReadCapacityUnits"`
	WriteCapacityUnits int64 `yaml:"WriteCapacityUnits"`
}

type timeToLive struct {
	AttributeName string `yaml:"AttributeName"`
	Enabled       bool   `yaml:"Enabled"`
}

// FromTemplate reads the AWS::DynamoDB::Table named resource from a SAM/CloudFormation
// template and returns the calls that create it under the name table.
func FromTemplate(src []byte, resource, table string) (Definition, error) {
	var tmpl cfnTemplate
	if err := yaml.Unmarshal(src, &tmpl); err != nil {
		return Definition{}, fmt.Errorf("parse template: %w", err)
	}
	res, ok := tmpl.Resources[resource]
	if !ok {
		return Definition{}, fmt.Errorf("template has no resource %s", resource)
	}
	if res.Type != "AWS::DynamoDB::Table" {
		return Definition{}, fmt.Errorf("resource %s is %q, want AWS::DynamoDB::Table", resource, res.Type)
	}
	var props tableProperties
	if err := res.Properties.Decode(&props); err != nil {
		return Definition{}, fmt.Errorf("resource %s properties: %w", resource, err)
	}
	if len(props.KeySchema) == 0 || len(props.AttributeDefinitions) == 0 {
		return Definition{}, fmt.Errorf("resource %s: KeySchema and AttributeDefinitions are required", resource)
	}
	return Definition{
		Create: createTableInput(table, props),
		TTL:    timeToLiveInput(table, props.TimeToLiveSpecification),
	}, nil
}

func createTableInput(table string, p tableProperties) *dynamodb.CreateTableInput {
	in := &dynamodb.CreateTableInput{
		TableName:             aws.String(table),
		BillingMode:           types.BillingMode(p.BillingMode),
		AttributeDefinitions:  attributeDefinitions(p.AttributeDefinitions),
		KeySchema:             keySchema(p.KeySchema),
		ProvisionedThroughput: p.ProvisionedThroughput.sdk(),
	}
	for _, ix := range p.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName:             aws.String(ix.IndexName),
			KeySchema:             keySchema(ix.KeySchema),
			Projection:            ix.Projection.sdk(),
			ProvisionedThroughput: ix.ProvisionedThroughput.sdk(),
		})
	}
	for _, ix := range p.LocalSecondaryIndexes {
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{
			IndexName:  aws.String(ix.IndexName),
			KeySchema:  keySchema(ix.KeySchema),
			Projection: ix.Projection.sdk(),
		})
	}
	return in
}

func attributeDefinitions(defs []attributeDefinition) []types.AttributeDefinition {
	out := make([]types.AttributeDefinition, len(defs))
	for i, d := range defs {
		out[i] = types.AttributeDefinition{
			AttributeName: aws.String(d.AttributeName),
			AttributeType: types.ScalarAttributeType(d.AttributeType),
		}
	}
	return out
}

func keySchema(keys []keyElement) []types.KeySchemaElement {
	out := make([]types.KeySchemaElement, len(keys))
	for i, k := range keys {
		out[i] = types.KeySchemaElement{
			AttributeName: aws.String(k.AttributeName),
			KeyType:       types.KeyType(k.KeyType),
		}
	}
	return out
}

func (p projection) sdk() *types.Projection {
	return &types.Projection{
		ProjectionType:   types.ProjectionType(p.ProjectionType),
		NonKeyAttributes: p.NonKeyAttributes,
	}
}

func (t *provisionedThroughput) sdk() *types.ProvisionedThroughput {
	if t == nil {
		return nil
	}
	return &types.ProvisionedThroughput{
		ReadCapacityUnits:  aws.Int64(t.ReadCapacityUnits),
		WriteCapacityUnits: aws.Int64(t.WriteCapacityUnits),
	}
}

func timeToLiveInput(table string, ttl *timeToLive) *dynamodb.UpdateTimeToLiveInput {
	if ttl == nil || !ttl.Enabled {
		return nil
	}
	return &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(table),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(ttl.AttributeName),
			Enabled:       aws.Bool(true),
		},
	}
}

// Create creates the table as defined, waits until it is active and turns on TTL.
func Create(ctx context.Context, db *dynamodb.Client, def Definition) error {
	if _, err := db.CreateTable(ctx, def.Create); err != nil {
		return fmt.Errorf("create table %s: %w", aws.ToString(def.Create.TableName), err)
	}
	waiter := dynamodb.NewTableExistsWaiter(db, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = 100 * time.Millisecond
		o.MaxDelay = time.Second
	})
	if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: def.Create.TableName}, 30*time.Second); err != nil {
		return fmt.Errorf("wait for table %s: %w", aws.ToString(def.Create.TableName), err)
	}
	if def.TTL == nil {
		return nil
	}
	if _, err := db.UpdateTimeToLive(ctx, def.TTL); err != nil {
		return fmt.Errorf("enable TTL on %s: %w", aws.ToString(def.TTL.TableName), err)
	}
	return nil
}
