package integration

import (
	"testing"

	"github.com/ddat-workforce/returns/shared/testsupport/storetest"
)

// The DynamoDB adapter keeps the contract the in-memory store of the unit tests keeps
// (shared/testsupport/memstore runs the same checks): conditional, atomic appends and
// idempotency records, and one winner of racing appends.
func TestDynamoReturnStoreContract(t *testing.T) {
	storetest.ReturnStore(t, newHarness(t).inProcess().store)
}

// Sign-offs: conditional on the current version and its hash, once per version, carried
// by the current item until a later version replaces it.
func TestDynamoSignOffStoreContract(t *testing.T) {
	storetest.SignOffStore(t, newHarness(t).inProcess().store)
}
