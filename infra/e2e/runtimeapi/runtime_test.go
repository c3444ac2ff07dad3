package runtimeapi

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ddat-workforce/returns/infra/kit/localclient"
	"github.com/ddat-workforce/returns/infra/kit/reporoot"
)

// build compiles a function as `make build` does (same tags and flags), but for this
// machine's architecture so it can run here.
func build(t testing.TB, name string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, reporoot.Path("functions", name))
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", name, err, msg)
	}
	return out
}

// start runs a built function against a fresh Runtime API server with env.
func start(t testing.TB, bin string, env []string) (*Server, *exec.Cmd) {
	t.Helper()
	srv, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(env, "AWS_LAMBDA_RUNTIME_API="+srv.Addr, "AWS_LAMBDA_FUNCTION_NAME=test", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
		_ = srv.Close()
	})
	return srv, cmd
}

func stackEnv(t testing.TB) []string {
	t.Helper()
	env, err := localclient.LoadEnv()
	if err != nil {
		t.Fatal(err)
	}
	out := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for _, k := range []string{"TABLE_NAME", "BUCKET_NAME", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "DYNAMODB_ENDPOINT", "S3_ENDPOINT"} {
		out = append(out, k+"="+env[k])
	}
	return out
}

func apiEvent(method, path, routeKey string, roles string, body string) []byte {
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: routeKey, RawPath: path, Body: body,
		Headers: map[string]string{"content-type": "application/json"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RequestID: "runtime-test", RouteKey: routeKey, Stage: "$default",
			HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path},
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "runtime-test", "org": "HMRC", "roles": roles}}},
		},
	}
	b, _ := json.Marshal(ev)
	return b
}

func TestBuiltFunctionsAnswerRealEvents(t *testing.T) {
	env := stackEnv(t)
	for _, tc := range []struct {
		function string
		event    []byte
		status   int
		contains string
	}{
		{"read", apiEvent("GET", "/organisations", "GET /organisations", "[leader]", ""), 200, `"code":"HMRC"`},
		{"submit", apiEvent("POST", "/returns", "POST /returns", "[submitter]", `{"org":"HMRC","period":"2025 Q1"}`), 422, "calendar quarter"},
	} {
		t.Run(tc.function, func(t *testing.T) {
			srv, _ := start(t, build(t, tc.function), env)
			res, err := srv.Invoke(tc.event, 30*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			var resp events.APIGatewayV2HTTPResponse
			if err := json.Unmarshal(res.Response, &resp); err != nil {
				t.Fatalf("response %s: %v", res.Response, err)
			}
			if resp.StatusCode != tc.status || !strings.Contains(resp.Body, tc.contains) {
				t.Errorf("status %d body %.300s; want %d containing %q", resp.StatusCode, resp.Body, tc.status, tc.contains)
			}
			// An event that is not an API Gateway event is answered through /error.
			res, err = srv.Invoke([]byte(`"not an event"`), 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if res.Error == nil || res.Response != nil {
				t.Errorf("malformed event: response %s, error %s", res.Response, res.Error)
			}
		})
	}
}

func TestMisconfiguredFunctionReportsInitError(t *testing.T) {
	srv, cmd := start(t, build(t, "read"), []string{"PATH=" + os.Getenv("PATH")}) // no TABLE_NAME
	res, err := srv.InitError(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if res.ErrorType != "Runtime.InitError" || !strings.Contains(string(res.Error), "TABLE_NAME") {
		t.Errorf("init error %s %s", res.ErrorType, res.Error)
	}
	if err := cmd.Wait(); err == nil {
		t.Error("a function that failed init exited with status 0")
	}
}

// BenchmarkInit reports each function binary's size and its start-up time: from exec to
// its first request for an invocation.
func BenchmarkInit(b *testing.B) {
	env := stackEnv(b)
	for _, name := range []string{"submit", "read", "rollup"} {
		b.Run(name, func(b *testing.B) {
			bin := build(b, name)
			st, _ := os.Stat(bin)
			var total time.Duration
			for i := 0; i < b.N; i++ {
				begin := time.Now()
				srv, cmd := start(b, bin, env)
				at, err := srv.FirstNext(30 * time.Second)
				if err != nil {
					b.Fatal(err)
				}
				total += at.Sub(begin)
				_ = cmd.Process.Kill()
			}
			b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "init-ms")
			b.ReportMetric(float64(st.Size())/(1<<20), "binary-MB")
		})
	}
}

// The EventBridge schedule's event, exactly as Lambda delivers it, drives the built rollup
// function: it rolls up the month before the one the schedule fired in.
func TestScheduledEventRunsTheRollup(t *testing.T) {
	srv, _ := start(t, build(t, "rollup"), stackEnv(t))
	event := []byte(`{"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa","detail-type":"Scheduled Event",
		"source":"aws.events","account":"123456789012","time":"2025-09-01T06:00:00Z","region":"eu-west-2",
		"resources":["arn:aws:events:eu-west-2:123456789012:rule/RollupFunctionMonthlySchedule"],"detail":{}}`)
	res, err := srv.Invoke(event, 60*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Month    string `json:"month"`
		Revision int    `json:"revision"`
	}
	if err := json.Unmarshal(res.Response, &out); err != nil || res.Error != nil {
		t.Fatalf("response %s, error %s", res.Response, res.Error)
	}
	if out.Month != "2025-08" || out.Revision < 1 {
		t.Errorf("scheduled run rolled up %+v, want 2025-08", out)
	}
	// A month in the event overrides the schedule's own.
	res, err = srv.Invoke([]byte(`{"month":"2025-07"}`), 60*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(res.Response, &out); err != nil || out.Month != "2025-07" {
		t.Errorf("override: response %s, error %s", res.Response, res.Error)
	}
}
