package app

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"time"
)

// Fail reports a failure during start-up and exits. On Lambda it first tells the Runtime
// API (POST /runtime/init/error), so the failure shows as Runtime.InitError with our
// message instead of a bare exit status.
func Fail(stage string, err error) {
	slog.New(slog.NewJSONHandler(os.Stderr, nil)).Error("init failed", "stage", stage, "error", err.Error())
	if api := os.Getenv("AWS_LAMBDA_RUNTIME_API"); api != "" {
		body, _ := json.Marshal(map[string]any{"errorMessage": stage + ": " + err.Error(), "errorType": "Runtime.InitError"})
		req, rerr := http.NewRequest(http.MethodPost, "http://"+api+"/2018-06-01/runtime/init/error", bytes.NewReader(body))
		if rerr == nil {
			req.Header.Set("Lambda-Runtime-Function-Error-Type", "Runtime.InitError")
			req.Header.Set("Content-Type", "application/json")
			if resp, err := (&http.Client{Timeout: 2 * time.Second}).Do(req); err == nil {
				resp.Body.Close()
			}
		}
	}
	os.Exit(1)
}
