package returncheck_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ddat-workforce/returns/shared/returncheck"
	"github.com/ddat-workforce/returns/shared/returntemplate"
	"github.com/ddat-workforce/returns/shared/testsupport/memstore"
	"github.com/ddat-workforce/returns/shared/workforce"
)

// formatFor is the format the service is told a file is: the portal and any client send
// the content type of the file's extension.
func formatFor(name string, body []byte) workforce.Format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx":
		return workforce.FormatXLSX
	case ".json":
		return workforce.FormatJSON
	case ".csv":
		return workforce.FormatCSV
	}
	// without an extension a client has to say what it is: what the content shows
	switch {
	case bytes.HasPrefix(body, []byte("PK")):
		return workforce.FormatXLSX
	case bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")):
		return workforce.FormatJSON
	}
	return workforce.FormatCSV
}

// where is a problem's identity for comparison: field, code and place.
func where(p workforce.Problem) string {
	return fmt.Sprintf("%s/%s/%s/%d", p.Field, p.Code, p.Cell, p.Line)
}

// TestAgreesWithService checks every file of the corpus with the checker and with the
// service's POST /returns/check method (workforce.Service.Check) over the same register
// and clock, and requires the same verdict: the same problems (field, code, cell or line
// and message), or, for a valid file, the same organisation, period and warnings.
//
// One finding is the checker's own: a file whose content is not what its name says (a
// workbook saved as .csv). The service is told a content type, not a name, and answers
// with what its parser trips on first (for a .csv that is a workbook, that it is not
// UTF-8); the checker, knowing the name, says to rename the file. Both refuse it; for an
// .xlsx that is not a workbook both answer the code unsupported.
func TestAgreesWithService(t *testing.T) {
	reg, err := returncheck.LoadRegister("")
	if err != nil {
		t.Fatal(err)
	}
	checker := returncheck.Checker{Register: reg, Now: testNow, DueDays: returncheck.DefaultDueDays}
	// nothing sent yet, as the checker assumes offline
	store := &memstore.Store{}
	for _, o := range reg {
		if err := store.PutOrganisation(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
	svc := &workforce.Service{Returns: store, Organisations: store, Files: &memstore.Bucket{}, ParseXLSX: returntemplate.Parse,
		DueDays: returncheck.DefaultDueDays, Now: func() time.Time { return testNow }}
	admin := workforce.Principal{Subject: "agreement-test", Roles: []string{"admin"}}

	files := corpus(t)
	var valid, invalid, warned, renamed int
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			got := checker.Check(f.name, f.body)
			want, err := svc.Check(context.Background(), workforce.Upload{Principal: admin, Format: formatFor(f.name, f.body), Body: f.body})
			if err == nil {
				valid++
				if len(want.Warnings) > 0 {
					warned++
				}
				if !got.Valid || len(got.Problems) > 0 {
					t.Fatalf("the service accepts the file; the checker finds problems: %+v", got.Problems)
				}
				if got.Org != want.Return.Org || got.Period != want.Return.Period.String() {
					t.Errorf("checker read %s %s; service %s %s", got.Org, got.Period, want.Return.Org, want.Return.Period)
				}
				if !slices.Equal(got.Warnings, want.Warnings) {
					t.Errorf("warnings differ:\nchecker %+v\nservice %+v", got.Warnings, want.Warnings)
				}
				return
			}
			invalid++
			var e *workforce.Error
			if !errors.As(err, &e) || e.Code == workforce.EInternal || e.Code == workforce.EForbidden {
				t.Fatalf("the service fails the file other than on its content: %v", err)
			}
			if got.Valid {
				t.Fatalf("the service refuses the file (%v); the checker says it is ready to send", err)
			}
			if len(got.Problems) == 1 && wrongFormat(got.Problems[0]) {
				renamed++
				if e.Code != workforce.EUnsupported && e.Code != workforce.EInvalid {
					t.Errorf("the checker names the wrong format; the service answers %v", err)
				}
				return
			}
			wantPs := e.Problems
			if len(wantPs) == 0 {
				wantPs = []workforce.Problem{{Code: e.Code, Message: e.Message}}
			}
			if len(got.Problems) != len(wantPs) {
				t.Fatalf("checker found %d problems, service %d:\nchecker %+v\nservice %+v", len(got.Problems), len(wantPs), got.Problems, wantPs)
			}
			for i, p := range got.Problems {
				w := wantPs[i]
				if where(p) != where(w) {
					t.Errorf("problem %d: checker %s, service %s", i+1, where(p), where(w))
				}
				if p.Message != w.Message && !wrongFormat(p) {
					t.Errorf("problem %d: messages differ:\nchecker %s\nservice %s", i+1, p.Message, w.Message)
				}
			}
		})
	}
	t.Logf("%d files: the service accepts %d (%d with warnings) and refuses %d (%d where the checker says the file's name is wrong)", len(files), valid, warned, invalid, renamed)
	if valid < 10 || invalid < 50 || warned < 2 {
		t.Errorf("the corpus should hold both kinds: %d valid (%d warned), %d invalid", valid, warned, invalid)
	}
}

// wrongFormat reports whether p is the checker's own finding that a file's content is not
// what its name says.
func wrongFormat(p workforce.Problem) bool {
	return p.Code == returncheck.CodeWrongFormat && strings.HasPrefix(p.Message, "The file's name ends in ")
}

func zipOf(t *testing.T, name, content string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(content)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
