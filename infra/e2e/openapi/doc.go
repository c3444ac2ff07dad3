// Package openapi checks docs/openapi.yaml, the API's OpenAPI 3.1 description: that it is
// a well-formed document, that its routes are exactly the routes table (httpapi.Routes),
// that its return schemas are generated from the field catalogue, and that real
// responses of the local stack validate against the schemas it declares.
//
// The catalogue-generated schemas are rewritten with
//
//	go test ./infra/e2e/openapi -run TestCatalogueSchemas -update
package openapi
