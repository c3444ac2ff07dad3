// Package archcheck checks which way the module's imports point: product code under
// shared/ and functions/ never depends on the development tooling under infra/, tests
// included, and never on the test support under shared/testsupport/ outside tests. The
// checks are its tests; they read `go list`, so they need the go command and no stack.
package archcheck
