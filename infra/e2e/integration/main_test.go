package integration

import (
	"os"
	"testing"

	"github.com/ddat-workforce/returns/infra/kit/localclient"
)

// Packages that write to the shared local stack take turns (see localclient.LockStack).
func TestMain(m *testing.M) { os.Exit(localclient.TestMain(m)) }
