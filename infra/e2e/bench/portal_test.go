package bench

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/infra/kit/portalclient"
)

// BenchmarkPortalPage signs in through the local OpenID provider, then loads portal pages
// one after another through the local gateway: the page's own work plus the JSON API calls
// it makes with the user's token. It reports the median and 99th-percentile page time.
func BenchmarkPortalPage(b *testing.B) {
	env := stackEnv(b)
	portalURL := env["PORTAL_URL"]
	if portalURL == "" {
		b.Fatal("PORTAL_URL is not in the stack env; start the stack with `make up`")
	}
	for _, p := range []struct{ name, role, org, path, heading string }{
		{"YourReturns", "submitter", "HMRC", "/returns", "Your returns"},
		{"Progress", "leader", "CO", "/progress", "Progress against the commitments"},
	} {
		b.Run(p.name, func(b *testing.B) {
			c, err := portalclient.SignIn(portalURL, p.role, p.org)
			if err != nil {
				b.Fatalf("sign in as %s of %s: %v", p.role, p.org, err)
			}
			var latencies []time.Duration
			for b.Loop() {
				began := time.Now()
				page, err := c.Get(p.path)
				latencies = append(latencies, time.Since(began))
				if err != nil {
					b.Fatal(err)
				}
				if !strings.Contains(page, p.heading) {
					b.Fatalf("%s has no %q", p.path, p.heading)
				}
			}
			slices.Sort(latencies)
			b.ReportMetric(ms(percentile(latencies, 50)), "p50-ms")
			b.ReportMetric(ms(percentile(latencies, 99)), "p99-ms")
		})
	}
}
