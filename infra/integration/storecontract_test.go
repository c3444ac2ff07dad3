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
