// Command returns-check checks DDaT workforce return files (the Excel template, CSV or
// JSON) on an analyst's computer before they are sent, with the service's own rules.
// Run it with --help for how; package returncheck does the work.
package main

import (
	"os"
	"time"

	"github.com/ddat-workforce/returns/shared/returncheck"
)

func main() {
	os.Exit(returncheck.Main(os.Args[1:], os.Stdout, os.Stderr, time.Now))
}
