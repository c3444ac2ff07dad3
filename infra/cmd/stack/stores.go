package main

import (
	"github.com/ddat-workforce/returns/infra/kit/tabledef"

	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// clients talk to the stack's DynamoDB Local and versitygw.
type clients struct {
	dynamo *dynamodb.Client
	s3     *s3.Client
}

func newClients(env stackEnv) clients {
	creds := credentials.NewStaticCredentialsProvider(env.Get("AWS_ACCESS_KEY_ID"), env.Get("AWS_SECRET_ACCESS_KEY"), "")
	return clients{
		dynamo: dynamodb.New(dynamodb.Options{
			Region:       env.Get("AWS_REGION"),
			Credentials:  creds,
			BaseEndpoint: aws.String(env.Get("DYNAMODB_ENDPOINT")),
		}),
		s3: s3.New(s3.Options{
			Region:       env.Get("AWS_REGION"),
			Credentials:  creds,
			BaseEndpoint: aws.String(env.Get("S3_ENDPOINT")),
			UsePathStyle: true,
		}),
	}
}

// One attempt per probe: waitReady does the retrying, and a dead port should fail fast.
func once(o *dynamodb.Options) { o.RetryMaxAttempts = 1 }
func onceS3(o *s3.Options)     { o.RetryMaxAttempts = 1 }

// dynamoReady succeeds once DynamoDB Local answers ListTables.
func (c clients) dynamoReady(ctx context.Context) error {
	_, err := c.dynamo.ListTables(ctx, &dynamodb.ListTablesInput{}, once)
	return err
}

// s3Ready succeeds once versitygw answers ListBuckets.
func (c clients) s3Ready(ctx context.Context) error {
	_, err := c.s3.ListBuckets(ctx, &s3.ListBucketsInput{}, onceS3)
	return err
}

// serving reports whether the stack answers and still holds its table and bucket.
func (c clients) serving(ctx context.Context, env stackEnv) error {
	tables, err := c.dynamo.ListTables(ctx, &dynamodb.ListTablesInput{}, once)
	if err != nil {
		return fmt.Errorf("DynamoDB: %w", err)
	}
	if !slices.Contains(tables.TableNames, env.Get("TABLE_NAME")) {
		return fmt.Errorf("DynamoDB: no table %s", env.Get("TABLE_NAME"))
	}
	if _, err := c.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(env.Get("BUCKET_NAME"))}, onceS3); err != nil {
		return fmt.Errorf("S3 bucket %s: %w", env.Get("BUCKET_NAME"), err)
	}
	return gatewayReady(ctx, env.Get("API_URL"))
}

// createTable creates the table as the template defines it and turns on TTL.
func (c clients) createTable(ctx context.Context, def tabledef.Definition) error {
	return tabledef.Create(ctx, c.dynamo, def)
}

func (c clients) createBucket(ctx context.Context, bucket, region string) error {
	_, err := c.s3.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket: aws.String(bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{
			LocationConstraint: s3types.BucketLocationConstraint(region),
		},
	})
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", bucket, err)
	}
	return nil
}
