package cloudwatch

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestEMFLines(t *testing.T) {
	var buf bytes.Buffer
	m := &Metrics{W: &buf, Now: func() time.Time { return time.UnixMilli(1700000000000) }}
	m.ReturnRejected("csv", []string{"required", "required", "negative"})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3: %s", len(lines), buf.String())
	}
	var first struct {
		AWS struct {
			Timestamp         int64
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name, Unit string }
			}
		} `json:"_aws"`
		Format          string
		ReturnsRejected float64
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	d := first.AWS.CloudWatchMetrics[0]
	if first.AWS.Timestamp != 1700000000000 || d.Namespace != Namespace || d.Dimensions[0][0] != "Format" ||
		d.Metrics[0].Name != "ReturnsRejected" || d.Metrics[0].Unit != "Count" || first.Format != "csv" || first.ReturnsRejected != 1 {
		t.Errorf("EMF line %s", lines[0])
	}
	if !strings.Contains(buf.String(), `"Code":"required","ValidationErrors":2`) {
		t.Errorf("validation errors by code not counted: %s", buf.String())
	}
}
