// Package cloudwatch writes CloudWatch metrics as embedded metric format (EMF) log lines:
// Lambda sends the function's output to CloudWatch Logs, which turns each such line into
// metrics without a PutMetricData call or an extra IAM permission.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
package cloudwatch

import (
	"encoding/json"
	"io"
	"sort"
	"sync"
	"time"
)

// Namespace holds the service's metrics.
const Namespace = "DDaTWorkforceReturns"

// Metrics writes EMF lines to W (stdout on Lambda).
type Metrics struct {
	W   io.Writer
	Now func() time.Time
	mu  sync.Mutex
}

// Unit of a metric value.
type Unit string

const (
	Count        Unit = "Count"
	Milliseconds Unit = "Milliseconds"
)

// Put writes one EMF line: the named values, in unit, under the given dimensions.
func (m *Metrics) Put(dims map[string]string, unit Unit, values map[string]float64) error {
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	keys := make([]string, 0, len(dims))
	for k := range dims {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	names := make([]string, 0, len(values))
	for n := range values {
		names = append(names, n)
	}
	sort.Strings(names)
	defs := make([]map[string]string, len(names))
	for i, n := range names {
		defs[i] = map[string]string{"Name": n, "Unit": string(unit)}
	}
	line := map[string]any{
		"_aws": map[string]any{
			"Timestamp": now().UnixMilli(),
			"CloudWatchMetrics": []map[string]any{{
				"Namespace":  Namespace,
				"Dimensions": [][]string{keys},
				"Metrics":    defs,
			}},
		},
	}
	for k, v := range dims {
		line[k] = v
	}
	for n, v := range values {
		line[n] = v
	}
	b, err := json.Marshal(line)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	_, err = m.W.Write(append(b, '\n'))
	return err
}

// ReturnAccepted counts an accepted return (or a duplicate, which is accepted too).
func (m *Metrics) ReturnAccepted(format string, duplicate bool) {
	outcome := "new_version"
	if duplicate {
		outcome = "duplicate"
	}
	_ = m.Put(map[string]string{"Format": format, "Outcome": outcome}, Count, map[string]float64{"ReturnsAccepted": 1})
}

// ReturnRejected counts a rejected return and, by code, the problems that rejected it.
func (m *Metrics) ReturnRejected(format string, codes []string) {
	_ = m.Put(map[string]string{"Format": format}, Count, map[string]float64{"ReturnsRejected": 1})
	byCode := map[string]float64{}
	for _, c := range codes {
		byCode[c]++
	}
	for c, n := range byCode {
		_ = m.Put(map[string]string{"Code": c}, Count, map[string]float64{"ValidationErrors": n})
	}
}

// Rollup records a rollup's duration and the organisations missing from it.
func (m *Metrics) Rollup(trigger string, took time.Duration, missing int) {
	_ = m.Put(map[string]string{"Trigger": trigger}, Milliseconds, map[string]float64{"RollupDuration": float64(took.Milliseconds())})
	_ = m.Put(map[string]string{"Trigger": trigger}, Count, map[string]float64{"OrganisationsMissing": float64(missing)})
}
