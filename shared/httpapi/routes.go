// Package httpapi adapts API Gateway HTTP API (payload format 2.0) to the domain: the routes
// table, claims, problem+json and the handlers. The same handlers run on Lambda and behind
// the local gateway.
package httpapi

import (
	"context"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ddat-workforce/returns/shared/workforce"
)

// Function names: one Lambda per IAM boundary.
const (
	FunctionSubmit = "submit" // writes returns and the register; puts uploads
	FunctionRead   = "read"   // reads returns, register, template, rollups; presigns reports
	FunctionRollup = "rollup" // runs the rollup: reads returns, writes snapshots and reports
	// FunctionIngest reads uploaded staff extracts from S3 events; it serves no route.
	FunctionIngest = "ingest"
)

// Route is one API route, in one entry: its method and path as API Gateway writes them
// ("{org}" for a path parameter), the function that serves it, who may call it and the
// handler that serves it.
//
// The policy is asked twice by API.Handler before the handler runs: whether the caller's
// roles let them in at all (Policy.Admits) and, when the path has an {org}, whether they
// may act for that organisation (Policy.Allows). Rules that depend on what a request
// holds (whose return a file is, which ?org= a list asks for) are the domain services',
// which ask the same policies.
type Route struct {
	Method   string
	Path     string
	Function string
	Policy   workforce.Policy
	handle   endpoint
}

// Key is the API Gateway route key, "GET /returns/{org}/{period}".
func (r Route) Key() string { return r.Method + " " + r.Path }

// Routes is the one routes table. The handlers are bound here; the local gateway serves
// it; tests check that template.yaml and docs/openapi.yaml declare exactly these routes,
// each with these functions and roles, and the authorisation matrix derives what every
// caller must be answered from these policies. Adding a route is adding a line.
var Routes = []Route{
	{"GET", "/template", FunctionRead, workforce.SignedIn, (*API).getTemplate},
	{"POST", "/returns", FunctionSubmit, workforce.WriteReturns, (*API).postReturn},
	// Checking a return writes nothing, so it is served by the function that cannot write.
	{"POST", "/returns/check", FunctionRead, workforce.WriteReturns, (*API).checkReturn},
	{"POST", "/returns/bulk", FunctionSubmit, workforce.SubmitBulk, (*API).postBulk},
	{"GET", "/returns", FunctionRead, workforce.ReadReturns, (*API).listReturns},
	{"GET", "/returns/{org}/{period}", FunctionRead, workforce.ReadReturns, (*API).getReturn},
	{"GET", "/returns/{org}/{period}/versions/{version}", FunctionRead, workforce.ReadReturns, (*API).getVersion},
	{"GET", "/returns/{org}/{period}/versions/{version}/changes", FunctionRead, workforce.ReadReturns, (*API).getChanges},
	// A sign-off is a write, so the submit function records it.
	{"POST", "/returns/{org}/{period}/versions/{version}/sign-off", FunctionSubmit, workforce.SignOffReturns, (*API).postSignOff},
	{"GET", "/organisations", FunctionRead, workforce.SignedIn, (*API).listOrganisations},
	{"PUT", "/organisations/{code}", FunctionSubmit, workforce.EditRegister, (*API).putOrganisation},
	{"GET", "/targets", FunctionRead, workforce.SignedIn, (*API).getTargets},
	{"GET", "/metrics/{period}", FunctionRead, workforce.ManagementFigures, (*API).getMetrics},
	{"GET", "/rollups", FunctionRead, workforce.ManagementFigures, (*API).listRollups},
	{"GET", "/rollups/{month}", FunctionRead, workforce.ManagementFigures, (*API).getRollup},
	{"POST", "/rollups/{month}", FunctionRollup, workforce.RunRollup, (*API).postRollup},
	// The published edition is for anyone signed in; the handler asks
	// workforce.ManagementFigures before it hands out the management edition.
	{"GET", "/reports/{month}", FunctionRead, workforce.SignedIn, (*API).getReport},
	// Running the collection (collection.go): where a quarter stands, and a day's reminders.
	{"GET", "/collection/{period}", FunctionRead, workforce.FollowCollection, (*API).getCollection},
	{"POST", "/reminders/{date}", FunctionReminders, workforce.SendReminders, (*API).postReminders},
	// A staff extract is asked for here and uploaded straight to S3 (SPEC §10); it becomes
	// a return, so asking for one is sending a return.
	{"POST", "/extracts", FunctionSubmit, workforce.WriteReturns, (*API).postExtract},
	{"GET", "/extracts/{id}", FunctionRead, workforce.ReadReturns, (*API).getExtract},
}

// Handler is a Lambda handler for HTTP API payload 2.0 events.
type Handler func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
