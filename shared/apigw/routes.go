// Package apigw adapts API Gateway HTTP API (payload format 2.0) to the domain: the routes
// table, claims, problem+json and the handlers. The same handlers run on Lambda and behind
// the local gateway.
package apigw

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
)

// Role is what a signed-in user may do.
type Role string

const (
	RoleSubmitter Role = "submitter"
	RoleLeader    Role = "leader"
	RoleAdmin     Role = "admin"
	// RoleApprover signs off its organisation's returns (SPEC §11): organisation-scoped,
	// like a submitter.
	RoleApprover Role = "approver"
)

// Function names: one Lambda per IAM boundary.
const (
	FunctionSubmit = "submit" // writes returns and the register; puts uploads
	FunctionRead   = "read"   // reads returns, register, template, rollups; presigns reports
	FunctionRollup = "rollup" // runs the rollup: reads returns, writes snapshots and reports
	// FunctionIngest reads uploaded staff extracts from S3 events; it serves no route.
	FunctionIngest = "ingest"
)

// Route is one API route: its method and path as API Gateway writes them ("{org}" for a
// path parameter), the function that serves it and the roles allowed. An empty Roles list
// means any signed-in user.
type Route struct {
	Method   string
	Path     string
	Function string
	Roles    []Role
}

// Key is the API Gateway route key, "GET /returns/{org}/{period}".
func (r Route) Key() string { return r.Method + " " + r.Path }

var (
	anyone       []Role
	returnsRoles = []Role{RoleSubmitter, RoleLeader, RoleAdmin}
	// returnReaders read returns: an approver reads its organisation's to sign them off.
	returnReaders = []Role{RoleSubmitter, RoleApprover, RoleLeader, RoleAdmin}
	adminOnly     = []Role{RoleAdmin}
	leaders       = []Role{RoleLeader, RoleAdmin}
)

// Routes is the one routes table: the local gateway serves it and a test checks that
// template.yaml declares exactly these routes.
var Routes = []Route{
	{"GET", "/template", FunctionRead, anyone},
	{"POST", "/returns", FunctionSubmit, []Role{RoleSubmitter, RoleAdmin}},
	// Checking a return writes nothing, so it is served by the function that cannot write.
	{"POST", "/returns/check", FunctionRead, []Role{RoleSubmitter, RoleAdmin}},
	{"POST", "/returns/bulk", FunctionSubmit, adminOnly},
	{"GET", "/returns", FunctionRead, returnReaders},
	{"GET", "/returns/{org}/{period}", FunctionRead, returnReaders},
	{"GET", "/returns/{org}/{period}/versions/{version}", FunctionRead, returnReaders},
	{"GET", "/returns/{org}/{period}/versions/{version}/changes", FunctionRead, returnReaders},
	// A sign-off is a write, so the submit function records it; only the organisation's
	// own approver may (the handler checks the organisation).
	{"POST", "/returns/{org}/{period}/versions/{version}/sign-off", FunctionSubmit, []Role{RoleApprover}},
	{"GET", "/organisations", FunctionRead, anyone},
	{"PUT", "/organisations/{code}", FunctionSubmit, adminOnly},
	{"GET", "/targets", FunctionRead, anyone},
	{"GET", "/metrics/{period}", FunctionRead, leaders},
	{"GET", "/rollups", FunctionRead, leaders},
	{"GET", "/rollups/{month}", FunctionRead, leaders},
	{"POST", "/rollups/{month}", FunctionRollup, adminOnly},
	// The published edition is for anyone signed in; the handler keeps the management
	// edition to leaders and admins.
	{"GET", "/reports/{month}", FunctionRead, anyone},
	// Running the collection (collection.go): where a quarter stands, and a day's reminders.
	{"GET", "/collection/{period}", FunctionRead, leaders},
	{"POST", "/reminders/{date}", FunctionReminders, adminOnly},
	// A staff extract is asked for here and uploaded straight to S3 (SPEC §10).
	{"POST", "/extracts", FunctionSubmit, []Role{RoleSubmitter, RoleAdmin}},
	{"GET", "/extracts/{id}", FunctionRead, returnsRoles},
}

// Handler is a Lambda handler for HTTP API payload 2.0 events.
type Handler func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
