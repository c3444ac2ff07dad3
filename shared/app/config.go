// Package app wires adapters to the domain. Each Lambda's main.go and the local gateway
// build their handlers here, so both run exactly the same code.
package app

import (
	"fmt"

	"github.com/ddat-workforce/returns/shared/period"
	"os"
	"strconv"
)

// Config is what a function reads from its environment.
type Config struct {
	TableName        string         // TABLE_NAME
	BucketName       string         // BUCKET_NAME
	Region           string         // AWS_REGION
	DynamoDBEndpoint string         // DYNAMODB_ENDPOINT: local stack only; empty on AWS
	S3Endpoint       string         // S3_ENDPOINT: local stack only; empty on AWS
	OrgClaim         string         // ORG_CLAIM, default "org"
	RolesClaim       string         // ROLES_CLAIM, default "roles"; Cognito: "cognito:groups"
	DueDays          int            // DUE_DAYS, default 30
	MaxUploadBytes   int64          // MAX_UPLOAD_BYTES, default 4 MiB
	FirstQuarter     period.Quarter // FIRST_QUARTER, default 2023-24-Q1: where series start
}

// DefaultFirstQuarter is the collection's first quarter when FIRST_QUARTER is not set.
var DefaultFirstQuarter = period.MustQuarter("2023-24-Q1")

// FirstQuarterFromEnv is the collection's first quarter: FIRST_QUARTER, or
// DefaultFirstQuarter when it is not set.
func FirstQuarterFromEnv() (period.Quarter, error) {
	v := os.Getenv("FIRST_QUARTER")
	if v == "" {
		return DefaultFirstQuarter, nil
	}
	q, err := period.ParseQuarter(v)
	if err != nil {
		return period.Quarter{}, fmt.Errorf("FIRST_QUARTER: %w", err)
	}
	return q, nil
}

// DueDaysFromEnv is how many days after a quarter ends its return is due: DUE_DAYS, or 30.
func DueDaysFromEnv() (int, error) {
	v := os.Getenv("DUE_DAYS")
	if v == "" {
		return 30, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 365 {
		return 0, fmt.Errorf("DUE_DAYS=%q must be a whole number of days from 0 to 365", v)
	}
	return n, nil
}

// ConfigFromEnv reads Config from the environment, with defaults.
func ConfigFromEnv() (Config, error) {
	c := Config{
		TableName:        os.Getenv("TABLE_NAME"),
		BucketName:       os.Getenv("BUCKET_NAME"),
		Region:           envOr("AWS_REGION", "eu-west-2"),
		DynamoDBEndpoint: os.Getenv("DYNAMODB_ENDPOINT"),
		S3Endpoint:       os.Getenv("S3_ENDPOINT"),
		OrgClaim:         envOr("ORG_CLAIM", "org"),
		RolesClaim:       envOr("ROLES_CLAIM", "roles"),
		DueDays:          30,
		MaxUploadBytes:   4 << 20,
	}
	q, err := FirstQuarterFromEnv()
	if err != nil {
		return c, err
	}
	c.FirstQuarter = q
	if c.TableName == "" || c.BucketName == "" {
		return c, fmt.Errorf("TABLE_NAME and BUCKET_NAME must be set")
	}
	if c.DueDays, err = DueDaysFromEnv(); err != nil {
		return c, err
	}
	if v := os.Getenv("MAX_UPLOAD_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		// Lambda takes at most 6 MB of request, and base64 adds a third.
		if err != nil || n < 1 || n > 4<<20 {
			return c, fmt.Errorf("MAX_UPLOAD_BYTES=%q must be between 1 and %d", v, 4<<20)
		}
		c.MaxUploadBytes = n
	}
	return c, nil
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
