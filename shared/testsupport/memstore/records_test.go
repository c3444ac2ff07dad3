package memstore_test

import (
	"testing"

	"github.com/ddat-workforce/returns/shared/testsupport/memstore"
	"github.com/ddat-workforce/returns/shared/testsupport/storetest"
)

// The contract infra/e2e/integration also runs against the DynamoDB adapter.
func TestRecordStoreContract(t *testing.T) { storetest.RecordStore(t, &memstore.Records{}) }
